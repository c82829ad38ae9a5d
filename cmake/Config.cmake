# Compile-time options. Every option of src/config/options.h can be set from
# CMake with the guide's name, e.g. -DCONFIG_LWIP_IP4_REASSEMBLY=1, or all at
# once from a user header: -DLWNET_USER_CONFIG=/path/to/my_config.h
set(LWNET_USER_CONFIG "" CACHE FILEPATH "Header with #define CONFIG_LWIP_... overrides")
# A ready-made set of options (src/config/presets/NAME.h): host (lwnet on a
# Linux host: large windows, SACK, reassembly, host-sized limits), throughput
# (ESP-IDF's iperf example) or minimum_ram (the guide's advice). Without one,
# the defaults are ESP-IDF's. A user header wins: it
# may include a preset itself and override parts of it.
set(LWNET_PRESET "" CACHE STRING "Configuration preset: host, throughput, minimum_ram or empty")
set_property(CACHE LWNET_PRESET PROPERTY STRINGS "" host throughput minimum_ram)
if(LWNET_PRESET AND NOT LWNET_USER_CONFIG)
  set(_lwnet_preset_header ${PROJECT_SOURCE_DIR}/src/config/presets/${LWNET_PRESET}.h)
  if(NOT EXISTS ${_lwnet_preset_header})
    message(FATAL_ERROR "LWNET_PRESET=${LWNET_PRESET}: no such preset (host, throughput, minimum_ram)")
  endif()
  set(LWNET_USER_CONFIG ${_lwnet_preset_header})
endif()
add_library(lwnet_config INTERFACE)
target_include_directories(lwnet_config INTERFACE ${PROJECT_SOURCE_DIR}/src)
if(LWNET_USER_CONFIG)
  target_compile_definitions(lwnet_config INTERFACE LWNET_USER_CONFIG="${LWNET_USER_CONFIG}")
endif()
# Any cache variable named CONFIG_LWIP_* or CONFIG_LWNET_* becomes a definition.
get_cmake_property(_lwnet_vars CACHE_VARIABLES)
foreach(_var IN LISTS _lwnet_vars)
  if(_var MATCHES "^CONFIG_(LWIP|LWNET)_")
    target_compile_definitions(lwnet_config INTERFACE ${_var}=${${_var}})
  endif()
endforeach()
