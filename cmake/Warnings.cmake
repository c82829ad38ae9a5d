# Warnings are errors, everywhere.
add_library(lwnet_warnings INTERFACE)
target_compile_options(lwnet_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough)

# The core (everything below api/ and port/) must build for embedded targets:
# no exceptions, no RTTI.
add_library(lwnet_core_flags INTERFACE)
target_compile_options(lwnet_core_flags INTERFACE -fno-exceptions -fno-rtti)
target_link_libraries(lwnet_core_flags INTERFACE lwnet_warnings)
