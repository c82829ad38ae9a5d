#!/usr/bin/env bash
# Builds the TCP/IP thread's tests (label `api`) under ThreadSanitizer into
# build-tsan/ and runs them: every cross-thread path of src/api/ (message
# passing, core locking, the mailbox, start/stop) with TSan watching.
# Only the api test executables are built (the rest of the tree is single-
# threaded and runs under ASan/UBSan in scripts/test.sh).
# Works from any directory, any number of times.
# Environment: LWNET_TSAN_BUILD_DIR (default build-tsan/), LWNET_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LWNET_TSAN_BUILD_DIR:-"$repo/build-tsan"}
jobs=${LWNET_JOBS:-2}

bash "$repo/scripts/install-deps.sh"

echo "test_tsan: configuring Debug + ThreadSanitizer build in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DLWNET_TSAN=ON -DLWNET_DEBUG_INFO=lines -DCONFIG_LWIP_IP4_REASSEMBLY=1 \
  -DLWNET_BUILD_TESTS=ON -DLWNET_BUILD_TOOLS=OFF -DLWNET_UNITY_BUILD=ON
echo "test_tsan: building the api tests with $jobs jobs"
cmake --build "$build" -j "$jobs" --target api_tests api_apps_c_tests api_bring_up_tests api_thread_safety_tests api_packet_info_tests

echo "test_tsan: running ctest -L api"
# halt_on_error: a race fails the test that found it (TSan's exit code 66).
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
ctest --test-dir "$build" -L api --output-on-failure --no-tests=error -j "$jobs"
echo "test_tsan: all api tests passed under ThreadSanitizer"
