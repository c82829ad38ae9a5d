#!/usr/bin/env bash
# The Cortex-M4 size check (issue 12's embedded figures): builds the core
# (src/{util,buf,wire,link,ip,transport,core}) and a link probe
# (cortex_m_probe.cpp: one Ethernet netif, ARP, ICMP echo, UDP, TCP listen +
# connect, no threads) with the flags embedded users use:
#   arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -Os -fno-exceptions -fno-rtti
#   -ffunction-sections -fdata-sections, newlib-nano, --gc-sections
# then prints, for each configuration, the text, data and bss of lwnet's own
# objects (from the map file: the probe, its driver and the C library are not
# counted) and the heap the stack takes at construction (read by running the
# probe on QEMU's Cortex-M4 board, mps2-an386), beside lwIP's figures for its
# minimal configuration. lwIP's minimal configuration is IPv4-only, so the
# row to compare with it is lwnet with lwIP's sizes and CONFIG_LWIP_IPV6=0;
# one row is the same IPv6-only (CONFIG_LWIP_IPV4=0); the others are
# dual-stack, as ESP-IDF ships. It measures; it sets no
# threshold.
# Usage: tests/size/run.sh [BUILD_DIR]   (default build-size/). As root
# (installs the toolchain with scripts/install-deps.sh). LWNET_JOBS: parallel
# compiles (default 2). LWNET_SIZE_CONFIGS: the configurations to build
# (default: all five; e.g. "lwip_sizes_ipv4_only" while cutting size).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-"$repo/build-size"}
jobs=${LWNET_JOBS:-2}
bash "$repo/scripts/install-deps.sh" >/dev/null

# lwIP 2.1 for the same features, same compiler and flags (issue 12).
lwip_text=19510
lwip_ram=34516

common=(-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections)
cxx=(arm-none-eabi-g++ -std=c++20 "${common[@]}" -fno-exceptions -fno-rtti
     -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion -I"$repo/src")
sources=()
for dir in util buf wire link ip transport transport/tcp core; do
  for f in "$repo/src/$dir"/*.cpp; do
    [ -e "$f" ] && sources+=("$f")
  done
done

# measure NAME [CONFIG_HEADER [DEFINE...]]: builds into $out/NAME and sets
# text, data, bss and heap.
measure() {
  local name=$1 header=${2:-} dir="$out/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  local defines=()
  [ -n "$header" ] && defines=("-DLWNET_USER_CONFIG=\"$header\"")
  defines+=("${@:3}")
  printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} sh -c '
    src=$1; shift; out=$1; shift
    obj=$out/$(echo "${src#'"$repo"'/src/}" | tr / _ | sed "s/\.cpp$/.o/")
    "$@" -c "$src" -o "$obj"' _ {} "$dir" "${cxx[@]}" "${defines[@]}"
  local objects=("$dir"/*.o)
  "${cxx[@]}" "${defines[@]}" -c "$repo/tests/size/cortex_m_probe.cpp" -o "$dir/probe.obj"
  arm-none-eabi-gcc "${common[@]}" -c "$repo/tests/size/startup.c" -o "$dir/startup.obj"
  arm-none-eabi-g++ "${common[@]}" -T "$repo/tests/size/cortex_m4.ld" --specs=nano.specs --specs=rdimon.specs \
    -Wl,--gc-sections -Wl,-Map="$dir/probe.map" "$dir/startup.obj" "$dir/probe.obj" "${objects[@]}" \
    -o "$dir/probe.elf"
  local sizes
  sizes=$(python3 "$repo/tests/size/map_sizes.py" "$dir/probe.map" "${objects[@]}" --by-object 12)
  echo "$sizes" >"$dir/sizes.txt"
  text=$(awk '$1 == "text" { print $2 }' <<<"$sizes")
  data=$(awk '$1 == "data" { print $2 }' <<<"$sizes")
  bss=$(awk '$1 == "bss" { print $2 }' <<<"$sizes")
  local run
  run=$(timeout 60 qemu-system-arm -M mps2-an386 -nographic -semihosting -monitor none -serial none \
    -kernel "$dir/probe.elf") || { echo "size: the probe failed on QEMU: $run" >&2; exit 1; }
  heap=$(awk '$1 == "heap_at_construction" { print $2 }' <<<"$run")
  [ -n "$heap" ] || { echo "size: the probe printed no heap figure: $run" >&2; exit 1; }
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

rows=()
for config in ${LWNET_SIZE_CONFIGS:-default minimum_ram lwip_sizes lwip_sizes_ipv4_only lwip_sizes_ipv6_only}; do
  header=""
  extra=()
  label="$config, dual stack"
  case $config in
    default) ;;
    lwip_sizes) header="$repo/tests/size/lwip_sizes.h" ;;  # lwIP opt.h's sizes
    lwip_sizes_ipv4_only)  # lwIP's minimal configuration: IPv4 only
      header="$repo/tests/size/lwip_sizes.h"
      extra=(-DCONFIG_LWIP_IPV6=0)
      label="lwip_sizes, IPv4 only" ;;
    lwip_sizes_ipv6_only)  # the same without IPv4 (issue 10), the probe's peer over IPv6
      header="$repo/tests/size/lwip_sizes.h"
      extra=(-DCONFIG_LWIP_IPV4=0)
      label="lwip_sizes, IPv6 only" ;;
    *) header="$repo/src/config/presets/$config.h" ;;
  esac
  echo "size: building the core and the probe for Cortex-M4 ($label)"
  measure "$config" "$header" "${extra[@]}"
  ram=$((data + bss + heap))
  rows+=("| lwnet, $label | $text | $(ratio "$text" "$lwip_text") | $data | $bss | $heap | $ram | $(ratio "$ram" "$lwip_ram") |")
done

table="| Cortex-M4 (-Os, newlib-nano, gc-sections) | text, bytes | vs lwIP | data | bss | heap at start | static RAM + heap | vs lwIP |
| --- | --- | --- | --- | --- | --- | --- | --- |
| lwIP 2.1, minimal configuration (issue 12) | $lwip_text | 1.00x | | | | $lwip_ram | 1.00x |
$(printf '%s\n' "${rows[@]}")"
echo "$table" | tee "$out/latest.md"
for config in default lwip_sizes_ipv4_only; do
  [ -e "$out/$config/sizes.txt" ] || continue
  echo "size: largest contributors ($config):"
  tail -n +4 "$out/$config/sizes.txt"
done
