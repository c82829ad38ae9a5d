#!/usr/bin/env bash
# Builds lwnet in Debug (AddressSanitizer + UndefinedBehaviorSanitizer) into
# build/ and runs every test: unit, sim, integration and fuzz (regression).
# Then builds the tree again in Release into build-release-check/ (GCC
# warns differently with optimisation on, and warnings are errors; the tests
# that compile the core once more under other options stay in the Debug
# build: LWNET_BUILD_CONFIG_VARIANTS, and so do the api, integration and fuzz
# tests' own programs: LWNET_BUILD_SYSTEM_TESTS) and runs the unit and
# simulation tests there too; runs the socket conformance test once more on
# a core-locking build (build-core-locking/); builds the core for Cortex-M4
# and prints its size (tests/size/run.sh). Last, the api tests (TCP/IP thread
# and sockets) under ThreadSanitizer (scripts/test_tsan.sh, build-tsan/).
# Every build compiles each core layer as one translation unit
# (LWNET_UNITY_BUILD, cmake/Unity.cmake): it is built once here, not edited.
# Run as root on Debian 12 (the integration tests create network namespaces
# and TAP devices). Works from any directory, any number of times.
# Environment: LWNET_BUILD_DIR (default build/), LWNET_RELEASE_BUILD_DIR
# (default build-release-check/), LWNET_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LWNET_BUILD_DIR:-"$repo/build"}  # LWNET_BUILD_DIR: another build directory
release_build=${LWNET_RELEASE_BUILD_DIR:-"$repo/build-release-check"}
core_locking_build="$repo/build-core-locking"
jobs=${LWNET_JOBS:-2}

# Every phase prints how long it took, so a slow CI run says where its time went.
phase_start=$SECONDS
phase() {
  echo "test: [$((SECONDS - phase_start)) s] $1"
  phase_start=$SECONDS
}

bash "$repo/scripts/install-deps.sh"
phase "dependencies installed"

echo "test: configuring Debug build in $build"
# RDNSS (2 servers), Route Information and DHCPv6's C API on: their tests
# need them; the Release build below keeps ESP-IDF's defaults (all off).
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONFIG_LWIP_IP4_REASSEMBLY=1 -DCONFIG_LWIP_IP6_REASSEMBLY=1 \
  -DCONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS=2 -DCONFIG_LWIP_IPV6_ND6_ROUTE_INFO_OPTION_SUPPORT=1 \
  -DCONFIG_LWIP_IPV6_DHCP6=1 -DLWNET_DEBUG_INFO=lines \
  -DLWNET_BUILD_TESTS=ON -DLWNET_BUILD_TOOLS=ON -DLWNET_UNITY_BUILD=ON
echo "test: building with $jobs jobs"
cmake --build "$build" -j "$jobs"
phase "Debug build done"

echo "test: running ctest (labels unit, sim, integration, fuzz)"
# No label filter: every registered test runs. Any failure makes this fail.
ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$jobs"
phase "Debug tests done"

echo "test: configuring Release build in $release_build"
# Three SNTP servers (ESP-IDF's default is 1): the tests that need several run here.
cmake -S "$repo" -B "$release_build" -DCMAKE_BUILD_TYPE=Release -DCONFIG_LWIP_IP4_REASSEMBLY=1 -DCONFIG_LWIP_IP6_REASSEMBLY=1 \
  -DCONFIG_LWIP_SNTP_MAX_SERVERS=3 -DLWNET_BUILD_TESTS=ON -DLWNET_BUILD_TOOLS=ON \
  -DLWNET_BUILD_CONFIG_VARIANTS=OFF -DLWNET_BUILD_SYSTEM_TESTS=OFF -DLWNET_UNITY_BUILD=ON
echo "test: building Release (the code, the unit and sim tests) with $jobs jobs"
cmake --build "$release_build" -j "$jobs"
phase "Release build done"
echo "test: running the unit and sim tests of the Release build, and its checks of the lean lwnet command"
ctest --test-dir "$release_build" --output-on-failure --no-tests=error -j "$jobs" -L 'unit|sim|release'
phase "Release tests done"
echo "test: the socket conformance test on a core-locking build"
# The Debug build's integration.conformance runs ESP-IDF's default (message
# passing); the same calls compared with the kernel's again with
# CONFIG_LWIP_TCPIP_CORE_LOCKING and input under the lock, as Debian's lwIP
# and the host preset run, and with IP_PKTINFO (CONFIG_LWIP_NETBUF_RECVINFO,
# off by ESP-IDF's default), which the probes then compare too. Only the two
# probes are built here.
cmake -S "$repo" -B "$core_locking_build" -DCMAKE_BUILD_TYPE=Release \
  -DCONFIG_LWIP_TCPIP_CORE_LOCKING=1 -DCONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT=1 -DCONFIG_LWIP_NETBUF_RECVINFO=1 \
  -DLWNET_BUILD_TESTS=ON -DLWNET_BUILD_TOOLS=OFF -DLWNET_BUILD_CONFIG_VARIANTS=OFF -DLWNET_UNITY_BUILD=ON
cmake --build "$core_locking_build" -j "$jobs" --target conformance_probe conformance_probe_kernel
bash "$repo/tests/integration/conformance.sh" "$core_locking_build/tests/integration"
phase "core-locking conformance done"
echo "test: cmake --install of the Release build, and a C program built with pkg-config only"
bash "$repo/tests/install/install_check.sh" "$release_build"
phase "install check done"

echo "test: the Cortex-M4 size probe (core + link probe, run on QEMU's mps2-an386)"
# Four of its six configurations: the one to compare with lwIP's minimal
# configuration (IPv4 only), the same IPv6-only, ESP-IDF's defaults, and the
# socket API (beside lwIP's ESP-IDF-like configuration with sockets). The
# other two (minimum_ram, lwip_sizes dual stack) differ only in table sizes;
# `bash tests/size/run.sh` prints all six (README's table).
LWNET_SIZE_CONFIGS=${LWNET_SIZE_CONFIGS:-"default lwip_sizes_ipv4_only lwip_sizes_ipv6_only sockets"} \
  bash "$repo/tests/size/run.sh" "$repo/build-size"
phase "Cortex-M4 size done"

# The threaded API (TCP/IP thread, sockets) once more under ThreadSanitizer.
bash "$repo/scripts/test_tsan.sh"
phase "ThreadSanitizer build and tests done"
echo "test: all tests passed in $SECONDS s"
