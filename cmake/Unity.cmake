# One translation unit per library, for builds that compile everything once
# (CI, the Release and ThreadSanitizer checks, the extra copies of the core
# that tests/config and tests/api build under other options): the core
# (util .. apps), the api layer and the lwnet command (tools/); the copies
# of the OS glue (src/port, src/link/linux) and of the api layer too. Most of
# a file's compile time is spent in the headers it shares with the others,
# so the core's ~75 files compile about 3.5 times faster as one unit, and
# the api layer's 22 about 5 times (GCC 12, Debug + sanitizers: 10 s against
# 50 s; it is built four times in CI's Debug build). Incremental builds get
# slower, so the normal
# build keeps one unit per file unless LWNET_UNITY_BUILD is on.
#
# A whole library in one unit needs names in anonymous namespaces to differ
# between its files; the copies of the core are always built this way, so a
# clash shows up in every build with the tests.
option(LWNET_UNITY_BUILD "Compile each layer of lwnet's core as one translation unit" OFF)

function(lwnet_unity_build target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
endfunction()

# Test programs in batches of a few files: their files share gtest's and the
# core's headers as the core's files do (12 unit-test files: 12 s as one
# unit against 41 s apart), and batches keep both cores busy. Their helpers
# in anonymous namespaces must differ between files too; as batches follow
# the files' order, a clash can show up when a file is added.
function(lwnet_unity_tests target)
  if(LWNET_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
