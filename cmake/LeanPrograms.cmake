# Resident memory of the programs (issue 12: peak RSS at most lwIP's).
#
# Measured on `lwnet serve` and tests/bench/socket_bench_server (host preset,
# the bench's services): a file-backed page counts in the resident set once
# the process has it mapped, and Linux maps 64 KiB around every page that
# faults (fault-around), so most of a binary's or shared library's text is
# resident though little of it runs. With shared libraries that is about
# 1.4 MB of libc, 0.3 MB of libm, 0.2 MB of the dynamic loader and, for the
# C programs, 1 MB of libstdc++ (its text plus the symbol tables the loader
# reads). Linked statically, a program carries only the objects it calls;
# with each function and datum in its own section, --gc-sections drops the
# ones nothing reaches (the core's apps a program does not use); sorted by
# name, the sections of one namespace sit together, so the code that runs
# (lwnet's) shares fewer 64 KiB windows with code that never does
# (libstdc++'s locale facets, CLI11's error paths): -90 kB at start-up.
# Start-up RSS, with the core's own cuts of the same change:
# socket_bench_server 5056 -> 1484 kB, lwnet serve 5264 -> 2324 kB (2190
# with tools/CMakeLists.txt's -Os for the parsing).
#
# Outside Debug (the sanitizers need the shared runtime) and only where a
# static C++ program links (Debian: libc6-dev and libstdc++-12-dev ship
# libc.a and libstdc++.a). LWNET_STATIC_PROGRAMS=OFF links as usual.
include(CheckCXXSourceCompiles)

option(LWNET_STATIC_PROGRAMS "Link the lwnet command and the bench programs statically (Release)" ON)
set(LWNET_LEAN_PROGRAMS OFF)
if(LWNET_STATIC_PROGRAMS AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug" AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(CMAKE_REQUIRED_LINK_OPTIONS -static -pthread)
  check_cxx_source_compiles("
    #include <thread>
    int main() { std::thread t([] {}); t.join(); return 0; }" LWNET_STATIC_LINK_WORKS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(LWNET_STATIC_LINK_WORKS)
    set(LWNET_LEAN_PROGRAMS ON)
    # Every object, the core libraries too, so that --gc-sections can drop
    # what a program never reaches.
    add_compile_options(-ffunction-sections -fdata-sections)
  else()
    message(STATUS "lwnet: no static C/C++ runtime (libc.a, libstdc++.a); programs link dynamically")
  endif()
endif()

# lwnet_lean_program(target): link `target` statically, without unreachable
# sections, when LWNET_LEAN_PROGRAMS.
function(lwnet_lean_program target)
  if(LWNET_LEAN_PROGRAMS)
    target_link_options(${target} PRIVATE -static -Wl,--gc-sections -Wl,--sort-section=name)
  endif()
endfunction()
