# Debug builds run under AddressSanitizer and UndefinedBehaviorSanitizer.
# LWNET_TSAN=ON swaps them for ThreadSanitizer (the threaded API's build).
option(LWNET_TSAN "Build with ThreadSanitizer instead of ASan/UBSan" OFF)
# Debug information of Debug builds: full (-g, for a debugger) or lines
# (-g1: files and lines in sanitizer reports and backtraces, no variables).
# scripts/test.sh builds with lines: a test file compiles about 15 % faster.
set(LWNET_DEBUG_INFO "full" CACHE STRING "Debug information in Debug builds: full (-g) or lines (-g1)")
set_property(CACHE LWNET_DEBUG_INFO PROPERTY STRINGS full lines)
if(LWNET_DEBUG_INFO STREQUAL "lines")
  set(lwnet_debug_info_flag -g1)
elseif(LWNET_DEBUG_INFO STREQUAL "full")
  set(lwnet_debug_info_flag -g)
else()
  message(FATAL_ERROR "LWNET_DEBUG_INFO=${LWNET_DEBUG_INFO}: full or lines")
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  if(LWNET_TSAN)
    add_compile_options(-fsanitize=thread ${lwnet_debug_info_flag})
    add_link_options(-fsanitize=thread)
  else()
    # -fno-sanitize=vptr: the core is built without RTTI, so UBSan's dynamic
    # type check would need typeinfo the core never emits.
    add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
                        -fno-omit-frame-pointer ${lwnet_debug_info_flag})
    add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all)
  endif()
endif()

# Every test runs with these sanitizer options (the ENVIRONMENT of each CTest
# test; tests/integration/lib.sh sets the same for a test run by hand): a
# report ends the process with its own exit status, 86, never with a status a
# test could expect from lwnet (0, 1, 2), and never by abort(). UBSan prints
# where it found what it reports. Keep the status in step with lib.sh.
set(LWNET_SANITIZER_EXIT_CODE 86)
set(lwnet_sanitizer_options "exitcode=${LWNET_SANITIZER_EXIT_CODE}:halt_on_error=1:abort_on_error=0")
set(LWNET_TEST_ENVIRONMENT
    "ASAN_OPTIONS=${lwnet_sanitizer_options}"
    "UBSAN_OPTIONS=${lwnet_sanitizer_options}:print_stacktrace=1"
    "LSAN_OPTIONS=exitcode=${LWNET_SANITIZER_EXIT_CODE}")
# True when this build runs under ASan and UBSan (what sanitizer_exit.sh proves).
if(CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT LWNET_TSAN)
  set(LWNET_ASAN_UBSAN ON)
else()
  set(LWNET_ASAN_UBSAN OFF)
endif()
