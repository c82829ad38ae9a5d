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
# The "sockets" configuration is the socket-API row, beside lwIP's
# ESP-IDF-like configuration with sockets (67,931 bytes, issue 12): ESP-IDF's
# defaults with the TCP/IP thread, the BSD sockets, the DHCP client and DNS,
# linked by socket_probe.cpp (the calls ESP-IDF's socket examples make). The
# socket layer runs on POSIX threads (src/port/ has no RTOS port yet), which
# newlib does not have, so that row is compiled by Debian's armhf Linux cross
# compiler (the same GCC release) with the same Cortex-M4 Thumb-2 flags
# against glibc's headers, linked without any C library and never run: its
# text and static data are lwnet's own objects as for the other rows, its heap
# is not measured. To show what the other compiler changes, the default
# probe is linked from the same objects too and printed beside the default
# row's figure.
# Usage: tests/size/run.sh [BUILD_DIR]   (default build-size/). As root
# (installs the toolchain with scripts/install-deps.sh). LWNET_JOBS: parallel
# compiles (default 2). LWNET_SIZE_CONFIGS: the configurations to build
# (default: all six; e.g. "lwip_sizes_ipv4_only" while cutting size).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-"$repo/build-size"}
jobs=${LWNET_JOBS:-2}
bash "$repo/scripts/install-deps.sh" >/dev/null

# lwIP 2.1 for the same features, same compiler and flags (issue 12).
lwip_text=19510
lwip_ram=34516
# lwIP 2.1 in an ESP-IDF-like configuration with its socket API (issue 12).
lwip_sockets_text=67931

common=(-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections)
cxx=(arm-none-eabi-g++ -std=c++20 "${common[@]}" -fno-exceptions -fno-rtti
     -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion -I"$repo/src")
sources=()
for dir in util buf wire link ip transport transport/tcp core; do
  for f in "$repo/src/$dir"/*.cpp; do
    [ -e "$f" ] && sources+=("$f")
  done
done

# compile_all DIR FILES_ARRAY COMMAND...: compiles each file of the array
# named FILES_ARRAY into DIR (objects named after their paths under src/),
# $jobs at a time.
compile_all() {
  local dir=$1
  local -n files=$2
  shift 2
  printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} sh -c '
    src=$1; shift; out=$1; shift
    obj=$out/$(echo "${src#'"$repo"'/src/}" | tr / _ | sed "s/\.cpp$/.o/")
    "$@" -c "$src" -o "$obj"' _ {} "$dir" "$@"
}

# read_sizes DIR MAP OBJECT...: sets text, data and bss of the objects from
# the map file, and keeps the largest contributors in DIR/sizes.txt.
read_sizes() {
  local dir=$1 map=$2 sizes
  shift 2
  sizes=$(python3 "$repo/tests/size/map_sizes.py" "$map" "$@" --by-object 12)
  echo "$sizes" >"$dir/sizes.txt"
  text=$(awk '$1 == "text" { print $2 }' <<<"$sizes")
  data=$(awk '$1 == "data" { print $2 }' <<<"$sizes")
  bss=$(awk '$1 == "bss" { print $2 }' <<<"$sizes")
}

# measure NAME [CONFIG_HEADER [DEFINE...]]: builds into $out/NAME and sets
# text, data, bss and heap.
measure() {
  local name=$1 header=${2:-} dir="$out/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  local defines=()
  [ -n "$header" ] && defines=("-DLWNET_USER_CONFIG=\"$header\"")
  defines+=("${@:3}")
  compile_all "$dir" sources "${cxx[@]}" "${defines[@]}"
  local objects=("$dir"/*.o)
  "${cxx[@]}" "${defines[@]}" -c "$repo/tests/size/cortex_m_probe.cpp" -o "$dir/probe.obj"
  arm-none-eabi-gcc "${common[@]}" -c "$repo/tests/size/startup.c" -o "$dir/startup.obj"
  arm-none-eabi-g++ "${common[@]}" -T "$repo/tests/size/cortex_m4.ld" --specs=nano.specs --specs=rdimon.specs \
    -Wl,--gc-sections -Wl,-Map="$dir/probe.map" "$dir/startup.obj" "$dir/probe.obj" "${objects[@]}" \
    -o "$dir/probe.elf"
  read_sizes "$dir" "$dir/probe.map" "${objects[@]}"
  local run
  run=$(timeout 60 qemu-system-arm -M mps2-an386 -nographic -semihosting -monitor none -serial none \
    -kernel "$dir/probe.elf") || { echo "size: the probe failed on QEMU: $run" >&2; exit 1; }
  heap=$(awk '$1 == "heap_at_construction" { print $2 }' <<<"$run")
  [ -n "$heap" ] || { echo "size: the probe printed no heap figure: $run" >&2; exit 1; }
}

# The socket-API row (see the top): sets text, data, bss and, from the same
# objects, default_text (the default probe's text).
linux_cxx=(arm-linux-gnueabihf-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os
           -ffunction-sections -fdata-sections -fno-pie -fno-pic -Wno-psabi)
measure_sockets() {
  local dir="$out/sockets" socket_sources=("${sources[@]}")
  rm -rf "$dir"
  mkdir -p "$dir"
  local flags=(-std=c++20 -fno-exceptions -fno-rtti -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion
               -Wsign-conversion -I"$repo/src" -I"$repo/src/api/include")
  # The API layer and its OS glue, and the applications the probe starts;
  # not bring_up.cpp, which attaches Linux TAP devices (a driver, as the
  # probe's device is).
  for dir_name in apps api port; do
    for f in "$repo/src/$dir_name"/*.cpp; do
      [ "$(basename "$f")" = bring_up.cpp ] || socket_sources+=("$f")
    done
  done
  compile_all "$dir" socket_sources "${linux_cxx[@]}" "${flags[@]}"
  local objects=("$dir"/*.o)
  "${linux_cxx[@]}" "${flags[@]}" -c "$repo/tests/size/socket_probe.cpp" -o "$dir/probe.obj"
  # glibc marks mallinfo() deprecated; the default probe calls it.
  "${linux_cxx[@]}" "${flags[@]}" -Wno-deprecated-declarations -c "$repo/tests/size/cortex_m_probe.cpp" \
    -o "$dir/default_probe.obj"
  "${linux_cxx[@]}" "${flags[@]}" -c "$repo/tests/size/no_c_runtime.cpp" -o "$dir/no_c_runtime.obj"
  # From an archive, as firmware links a library: only the objects the
  # probe needs come in (objects given one by one would each bring their
  # static initialisers, which the linker keeps). No C library or start-up
  # files: what they would provide stays unresolved, and only lwnet's
  # objects are counted.
  rm -f "$dir/liblwnet.a"
  arm-linux-gnueabihf-ar rcs "$dir/liblwnet.a" "${objects[@]}"
  local link=("${linux_cxx[@]}" -no-pie -nostdlib -static -Wl,--gc-sections -Wl,--unresolved-symbols=ignore-all
              -Wl,-e,main)
  "${link[@]}" -Wl,-Map="$dir/probe.map" "$dir/probe.obj" "$dir/no_c_runtime.obj" "$dir/liblwnet.a" -o "$dir/probe.elf"
  "${link[@]}" -Wl,-Map="$dir/default_probe.map" "$dir/default_probe.obj" "$dir/no_c_runtime.obj" \
    "$dir/liblwnet.a" -o "$dir/default_probe.elf"
  read_sizes "$dir" "$dir/probe.map" "${objects[@]}"
  default_text=$(python3 "$repo/tests/size/map_sizes.py" "$dir/default_probe.map" "${objects[@]}" |
    awk '$1 == "text" { print $2 }')
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

rows=()
sockets_rows=()
for config in ${LWNET_SIZE_CONFIGS:-default minimum_ram lwip_sizes lwip_sizes_ipv4_only lwip_sizes_ipv6_only sockets}; do
  if [ "$config" = sockets ]; then
    echo "size: building the core, the socket API and the probe for Cortex-M4 (sockets, armhf cross compiler)"
    measure_sockets
    sockets_rows+=("| lwIP 2.1, ESP-IDF-like configuration with sockets (issue 12) | $lwip_sockets_text | 1.00x | | | | | |")
    sockets_rows+=("| lwnet, socket API: ESP-IDF defaults, dual stack, TCP/IP thread, sockets, DHCP, DNS (armhf cross compiler, not run) | $text | $(ratio "$text" "$lwip_sockets_text") | $data | $bss | - | - | |")
    sockets_rows+=("| lwnet, default, dual stack, the same objects (armhf cross compiler: compare with the default row) | $default_text | | | | | | |")
    continue
  fi
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
$(printf '%s\n' "${rows[@]}" "${sockets_rows[@]}")"
echo "$table" | tee "$out/latest.md"
for config in default lwip_sizes_ipv4_only sockets; do
  [ -e "$out/$config/sizes.txt" ] || continue
  echo "size: largest contributors ($config):"
  tail -n +4 "$out/$config/sizes.txt"
done
