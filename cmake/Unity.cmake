# One translation unit per library, for builds that compile everything once
# (CI, the Release and ThreadSanitizer checks, the extra copies of the core
# that tests/config and tests/api build under other options): the core
# (util .. apps) and the lwnet command (tools/); the copies of the OS glue
# (src/port, src/link/linux) too. The api layer keeps a unit per file (its
# files' private names clash). Most of a file's compile time is spent in the headers it shares with the others, so
# the core's ~75 files compile about 3.5 times faster as one unit, measured
# (GCC 12, Debug + sanitizers). Incremental builds get slower, so the normal
# build keeps one unit per file unless LWNET_UNITY_BUILD is on.
#
# A whole library in one unit needs names in anonymous namespaces to differ
# between its files; the copies of the core are always built this way, so a
# clash shows up in every build with the tests.
option(LWNET_UNITY_BUILD "Compile each layer of lwnet's core as one translation unit" OFF)

function(lwnet_unity_build target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
endfunction()
