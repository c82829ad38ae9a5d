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
    # LLVM's linker can put the functions a list names first (GNU ld 2.40
    # cannot): lwnet_hot_functions_first below.
    set(CMAKE_REQUIRED_LINK_OPTIONS -static -pthread -fuse-ld=lld)
    check_cxx_source_compiles("
      #include <thread>
      int main() { std::thread t([] {}); t.join(); return 0; }" LWNET_LLD_STATIC_LINK_WORKS)
    unset(CMAKE_REQUIRED_LINK_OPTIONS)
    if(NOT LWNET_LLD_STATIC_LINK_WORKS)
      message(STATUS "lwnet: no lld (scripts/install-deps.sh installs it): the lwnet command links in the "
                     "default order, with about twice the resident text")
    endif()
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

# lwnet_hot_functions_first(target list): with LLVM's linker, the functions
# `list` names (one symbol per line, as nm prints it) go first in the text,
# next to each other, so that the few 64 KiB windows they fill are the text
# that a run maps. Without it, the 2 MB of a static program's text are mostly
# resident though about 360 kB of it runs: every page that faults maps the
# 64 KiB around it, and what runs (lwnet's, glibc's and libstdc++'s start-up
# and string functions, CLI11's parsing) is spread over the whole text.
# `lwnet serve` through the bench's ping, CRR and transfers: peak RSS 2460 ->
# about 1500 kB. The list is made by tools/hot_functions.sh; a name it
# holds that the program no longer has is skipped (a stale list costs pages,
# never correctness). Nothing happens without LWNET_LEAN_PROGRAMS or lld.
function(lwnet_hot_functions_first target list)
  if(LWNET_LEAN_PROGRAMS AND LWNET_LLD_STATIC_LINK_WORKS)
    target_link_options(${target} PRIVATE -fuse-ld=lld -Wl,--symbol-ordering-file=${list}
                        -Wl,--no-warn-symbol-ordering)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${list})
  endif()
endfunction()
