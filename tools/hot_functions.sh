#!/usr/bin/env bash
# tools/hot_functions.sh - makes tools/hot_functions.txt: the functions that a
# run of `lwnet serve` executes, which the link puts first
# (cmake/LeanPrograms.cmake, lwnet_hot_functions_first).
#
#   bash tools/hot_functions.sh    # as root; builds in build-hot/ and build-hot-default/
#
# Two builds, one list: the host preset's (the README's and the bench's
# build) and the default configuration built as one unit per batch
# (scripts/test.sh's Release build, which release.resident_text checks):
# they inline differently, so different functions run. For each, the run
# is the bench's (tests/bench/run.sh) for the lwnet column: `lwnet
# serve --iperf 5001 --source 5002 --echo 5003` on a TAP, pinged, then CRR,
# stack -> Linux and Linux -> stack transfers with the anchor's client and
# iperf 2.
#  1. Under callgrind (valgrind), which names every function that ran.
#  2. Then several times natively, relinked with the list so far, under
#     `perf record -e page-faults`: each fault in the text names a function
#     that callgrind's run did not see (glibc's string functions for this
#     CPU, chosen at start-up by its features, which valgrind's CPU lacks),
#     and that function joins the list; until a pass adds nothing.
# Rerun it when the program's start-up or its services change much; a stale
# list still links (missing names are skipped), it only maps more pages.
#
# Network: the namespace lwhot-ns, a TAP with 192.0.2.1 on the Linux side
# and lwnet on 192.0.2.2; removed, and lwnet stopped by its PID, on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCHOR=${ANCHOR:-$ROOT/../shared/anchors/lwip-bench}
LIST=$ROOT/tools/hot_functions.txt
NS=lwhot-ns
WORK=$(mktemp -d /tmp/lwnet-hot.XXXXXX)
LWNET_PID=""

cleanup() {
  if [ -n "$LWNET_PID" ]; then
    # Under perf lwnet is its child: both go.
    pkill -P "$LWNET_PID" 2>/dev/null
    kill "$LWNET_PID" 2>/dev/null
    wait "$LWNET_PID" 2>/dev/null
  fi
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "hot_functions.sh needs root (namespace, TAP)" >&2; exit 1; }
missing=()
for p in valgrind linux-perf iperf iputils-ping lld; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${missing[@]}"

cp "$ANCHOR"/Makefile "$ANCHOR"/*.c "$WORK/" && make -s -C "$WORK" client > "$WORK/make.log" 2>&1
CLIENT=$WORK/client

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev lwhot0 mode tap
ip -n "$NS" addr add 192.0.2.1/24 dev lwhot0
ip -n "$NS" link set lwhot0 up

# run_services PREFIX...: lwnet serve (behind PREFIX) through the workload.
run_services() {
  ip netns exec "$NS" "$@" "$LWNET" --tap lwhot0 --ip 192.0.2.2/24 serve --iperf 5001 --source 5002 --echo 5003 \
    > "$WORK/serve.log" 2>&1 &
  LWNET_PID=$!
  local i
  for i in $(seq 100); do
    ip netns exec "$NS" ping -q -c 1 -W 1 192.0.2.2 > /dev/null 2>&1 && break
    sleep 0.2
  done
  ip netns exec "$NS" ping -q -c 20 -i 0.01 192.0.2.2 > /dev/null
  ip netns exec "$NS" "$CLIENT" crr 192.0.2.2 5003 500 > /dev/null
  ip netns exec "$NS" "$CLIENT" sink 192.0.2.2 5002 2 > /dev/null
  ip netns exec "$NS" iperf -c 192.0.2.2 -p 5001 -t 2 > /dev/null
  # lwnet ends its run cleanly on SIGTERM: under valgrind it is that
  # process, under perf its child (perf then writes its data and ends).
  kill "$(pgrep -P "$LWNET_PID" || echo "$LWNET_PID")"; wait "$LWNET_PID" || true
  LWNET_PID=""
}

# text_faults: the functions holding the text pages the last run faulted in.
text_faults() {
  local range
  range=$(readelf -lW "$LWNET" | awk '$1 == "LOAD" && / R E / {print $3, $6}')
  perf script -i "$WORK/faults.data" -F addr 2>/dev/null |
    python3 -c '
import bisect, subprocess, sys
start, size = (int(x, 16) for x in sys.argv[2].split())
symbols = []
for line in subprocess.run(["nm", "-S", sys.argv[1]], capture_output=True, text=True).stdout.splitlines():
    part = line.split()
    if len(part) == 4 and part[2] in "tTwWiI":
        symbols.append((int(part[0], 16), int(part[1], 16), part[3]))
symbols.sort()
starts = [s[0] for s in symbols]
for line in sys.stdin:
    address = int(line.split()[0], 16)
    if not start <= address < start + size:
        continue
    i = bisect.bisect_right(starts, address) - 1
    if i >= 0 and address < symbols[i][0] + max(symbols[i][1], 1):
        print(symbols[i][2])
' "$LWNET" "$range" | sort -u
}

# profile BUILD_DIR CMAKE_ARGS...: adds to $WORK/list.txt what lwnet, built
# there, runs.
profile() {
  BUILD=$1
  shift
  LWNET=$BUILD/tools/lwnet
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLWNET_BUILD_TESTS=OFF "$@" > "$WORK/cmake.log"
  cp "$WORK/list.txt" "$LIST"
  cmake --build "$BUILD" --target lwnet -j2 > "$WORK/build.log"
  echo "hot_functions: $BUILD: pass 1, under callgrind" >&2
  run_services valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/callgrind.out"
  # fn=(id) name lines name each function once; names of local symbols
  # that occur more than once carry a 'N suffix.
  sed -n "s/^c\?fn=([0-9]*) \(.*\)$/\1/p" "$WORK/callgrind.out" | sed "s/'[0-9]*$//" |
    grep -v -e '^(below main)$' -e '^0x' | sort -u - "$WORK/list.txt" > "$WORK/next.txt"
  mv "$WORK/next.txt" "$WORK/list.txt"
  local pass
  for pass in 2 3 4 5 6 7 8; do
    cp "$WORK/list.txt" "$LIST"
    cmake --build "$BUILD" --target lwnet -j2 >> "$WORK/build.log"
    echo "hot_functions: $BUILD: pass $pass, $(wc -l < "$LIST") functions listed" >&2
    run_services perf record -q -e page-faults -c 1 -d -o "$WORK/faults.data" --
    text_faults > "$WORK/faulted.txt"
    sort -u "$WORK/list.txt" "$WORK/faulted.txt" > "$WORK/next.txt"
    if cmp -s "$WORK/next.txt" "$WORK/list.txt"; then break; fi
    mv "$WORK/next.txt" "$WORK/list.txt"
  done
}

: > "$WORK/list.txt"
profile "$ROOT/build-hot" -DLWNET_PRESET=host
profile "$ROOT/build-hot-default" -DLWNET_UNITY_BUILD=ON
cp "$WORK/list.txt" "$LIST"
echo "hot_functions: $(wc -l < "$LIST") functions in $LIST" >&2
