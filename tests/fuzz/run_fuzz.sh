#!/usr/bin/env bash
# Builds lwnet_frames_fuzz with clang in its own build directory and runs it
# for a fixed number of inputs from a fixed seed, on a copy of the corpus
# (new inputs the fuzzer finds stay out of the repository).
#
#   tests/fuzz/run_fuzz.sh [runs]        runs: default $FUZZ_RUNS or 20000
#   BUILD_DIR=...                        default: <repo>/build-fuzz
#   FUZZ_JOBS=...                        build parallelism, default 2
# Exits non-zero when the build fails or the fuzzer finds a crash or leak
# (the crashing input is then kept in the build directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
runs=${1:-${FUZZ_RUNS:-20000}}
jobs=${FUZZ_JOBS:-2}

if ! command -v clang++ >/dev/null; then
  echo "run_fuzz.sh: clang++ not found" >&2
  exit 1
fi

# Reassembly is off by default (as in ESP-IDF); the fuzz build turns it on so
# that it is fuzzed too.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
  -DLWNET_BUILD_FUZZ=ON -DLWNET_BUILD_TESTS=ON -DLWNET_BUILD_TOOLS=OFF \
  -DCONFIG_LWIP_IP4_REASSEMBLY=1 -DLWNET_UNITY_BUILD=ON -DLWNET_DEBUG_INFO=lines >/dev/null
cmake --build "$build" -j"$jobs" --target lwnet_frames_fuzz

work=$(mktemp -d "${TMPDIR:-/tmp}/lwnet-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$here/corpus/frames/"* "$work/corpus/"

artifacts="$build/fuzz-artifacts"
rm -rf "$artifacts"
mkdir -p "$artifacts"
cd "$work"
status=0
"$build/tests/fuzz/lwnet_frames_fuzz" -runs="$runs" -seed=1 -timeout=30 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$work/corpus" || status=$?
if [ "$status" -ne 0 ]; then
  # The run is not reproducible from its seed alone (the corpus grows in a
  # different order from one build to the next), so the input that failed is
  # printed and kept outside the build tree, which a CI clone loses.
  keep=${LWNET_FUZZ_KEEP:-/var/tmp/lwnet-fuzz-failures}
  mkdir -p "$keep"
  for f in "$artifacts"/*; do
    [ -f "$f" ] || continue
    cp "$f" "$keep/$(date -u +%Y%m%dT%H%M%S)-$(basename "$f")"
    echo "run_fuzz.sh: failing input $(basename "$f") (kept in $keep):"
    od -An -tx1 -v "$f" | tr -s ' \n' ' ' | fold -w 96
    echo
  done
  exit "$status"
fi
