#!/usr/bin/env bash
# Checks lwnet's layering (docs/CONVENTIONS.md):
#  1. a file under src/<layer>/ includes only headers of its own layer or of
#     layers below it, in this order (config/ may be included by everyone):
#       util < time < buf < wire < link < ip < transport < ppp < core < apps
#         < (link/linux, port) < api < tools
#     So api/ (the TCP/IP thread) may use the core, port/ and link/linux/,
#     and nothing below api/ may include it.
#  2. the core layers (util .. apps, and config) include no OS or I/O header
#     (one exception: util/assert.cpp prints a failed check, as assert() does).
# Usage: check_layers.sh [SOURCE_ROOT]   (default: the repository of this script)
# Exit status 0 when clean, 1 with one "file:line: reason" per violation.
set -euo pipefail

root=${1:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"}
cd "$root"

# Rank of each layer; equal ranks may include each other. apps/ (DHCP, DNS,
# SNTP, ...) are StackApp state machines over the Stack's public calls, so
# they sit above core/ (DESIGN.md drew them below it, before the Stack had an
# app hook); they are still core code: no OS calls, runs on any target.
declare -A rank=(
  [config]=0 [util]=1 [time]=2 [buf]=3 [wire]=4 [link]=5 [ip]=6 [transport]=7
  [ppp]=8 [core]=9 [apps]=10 [link/linux]=11 [port]=11 [api]=12 [tools]=13
)
core_rank=${rank[apps]}

# OS and I/O headers the core may not include (it never calls the OS, reads a
# clock, sleeps, locks or prints, but for util/assert.cpp's report of a
# failed check).
forbidden_core='^(unistd\.h|fcntl\.h|poll\.h|signal\.h|csignal|errno\.h|pthread\.h|time\.h|ctime|stdio\.h|cstdio|chrono|thread|mutex|shared_mutex|condition_variable|future|semaphore|stop_token|iostream|istream|ostream|fstream|sstream|iomanip|filesystem|random|syslog\.h|dlfcn\.h|(sys|linux|net|netinet|arpa|asm|bits)/.*)$'

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]+)[>"]'

# Sets `layer` to the layer a path (relative to src/) belongs to, or "" when
# it has none. (A variable, not output: no subshell per call.)
layer_of() {
  local path=$1 first
  layer=""
  case "$path" in
    link/linux/*) layer="link/linux"; return ;;
  esac
  first=${path%%/*}
  if [ "$first" != "$path" ] && [ -n "${rank[$first]+x}" ]; then
    layer=$first
  fi
}

violations=0
report() {
  echo "$1" >&2
  violations=$((violations + 1))
}

# check_include FILE FILE_LAYER LINE_NUMBER LINE
check_include() {
  local file=$1 own_layer=$2 lineno=$3 line=$4
  local own=${rank[$own_layer]} target
  [[ $line =~ $include_re ]] || return 0
  target=${BASH_REMATCH[2]}
  if [ "${BASH_REMATCH[1]}" = '"' ]; then
    # tools/ is the top layer: its own headers, by their path under tools/.
    [ "$own_layer" = tools ] && [ -f "tools/$target" ] && return 0
    if [ -f "src/api/include/$target" ]; then
      # The C headers of the api layer (lwip/sockets.h, lwnet/lwnet.h, ...),
      # included by the paths ESP-IDF code uses.
      [ "$own" -ge "${rank[api]}" ] ||
        report "$file:$lineno: $own_layer/ may not include \"$target\" (an api/ header, above it)"
      return 0
    fi
    if [[ $target != */* ]]; then
      # A sibling in the same folder: same layer.
      [ -f "${file%/*}/$target" ] && return 0
      report "$file:$lineno: \"$target\" is not a path under src/ (write it as \"<layer>/...\")"
      return 0
    fi
    layer_of "$target"
    if [ -z "$layer" ]; then
      report "$file:$lineno: \"$target\" is in no layer of src/"
    elif [ "${rank[$layer]}" -gt "$own" ]; then
      report "$file:$lineno: $own_layer/ may not include \"$target\" ($layer/ is above it)"
    elif [ "$layer" != tools ] && [ ! -f "src/$target" ]; then
      report "$file:$lineno: \"$target\" does not exist under src/"
    fi
  elif [ "$own" -le "$core_rank" ]; then
    if [ "$file" = src/util/assert.cpp ] && [ "$target" = cstdio ]; then
      # The core's one print: a failed internal check's report before the
      # abort (util/assert.h), as the C library's assert() prints.
      return 0
    elif [[ $target =~ $forbidden_core ]]; then
      report "$file:$lineno: core layer $own_layer/ may not include <$target> (OS or I/O header)"
    elif [[ $target == */* ]]; then
      report "$file:$lineno: core layer $own_layer/ may not include <$target> (not a standard header)"
    fi
  fi
}

sources=()
while IFS= read -r -d '' file; do
  sources+=("$file")
done < <(find src tools -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.cc' \
  -o -name '*.c' -o -name '*.inc' \) -print0 2>/dev/null | sort -z)

declare -A file_layer=()
for file in "${sources[@]}"; do
  if [[ $file == tools/* ]]; then
    file_layer[$file]=tools
    continue
  fi
  rel=${file#src/}
  layer_of "$rel"
  if [ -z "$layer" ]; then
    report "$file: folder src/${rel%%/*}/ is not a known layer (add it to scripts/check_layers.sh)"
    continue
  fi
  file_layer[$file]=$layer
done

# Every #include line of every file, from one grep: "FILE:NUMBER:TEXT".
if [ ${#sources[@]} -ne 0 ]; then
  while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    lineno=${rest%%:*}
    line=${rest#*:}
    [ -n "${file_layer[$file]+x}" ] || continue
    check_include "$file" "${file_layer[$file]}" "$lineno" "$line"
  done < <(grep -nHE '^[[:space:]]*#[[:space:]]*include' "${sources[@]}" || true)
fi

if [ "$violations" -ne 0 ]; then
  echo "check_layers: $violations violation(s) in ${#sources[@]} files" >&2
  exit 1
fi
echo "check_layers: ${#sources[@]} files, layering ok"
