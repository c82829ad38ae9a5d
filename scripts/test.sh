#!/usr/bin/env bash
# Builds lwnet in Debug (AddressSanitizer + UndefinedBehaviorSanitizer) into
# build/ and runs every test: unit, sim, integration and fuzz (regression).
# Run as root on Debian 12 (the integration tests create network namespaces
# and TAP devices). Works from any directory, any number of times.
# Environment: LWNET_BUILD_DIR (default build/), LWNET_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LWNET_BUILD_DIR:-"$repo/build"}  # LWNET_BUILD_DIR: another build directory
jobs=${LWNET_JOBS:-2}

bash "$repo/scripts/install-deps.sh"

echo "test: configuring Debug build in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONFIG_LWIP_IP4_REASSEMBLY=1 \
  -DLWNET_BUILD_TESTS=ON -DLWNET_BUILD_TOOLS=ON
echo "test: building with $jobs jobs"
cmake --build "$build" -j "$jobs"

echo "test: running ctest (labels unit, sim, integration, fuzz)"
# No label filter: every registered test runs. Any failure makes this fail.
ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$jobs"
echo "test: all tests passed"
