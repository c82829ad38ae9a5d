# Compile-time options. Every option of src/config/options.h can be set from
# CMake with the guide's name, e.g. -DCONFIG_LWIP_IP4_REASSEMBLY=1, or all at
# once from a user header: -DLWNET_USER_CONFIG=/path/to/my_config.h
set(LWNET_USER_CONFIG "" CACHE FILEPATH "Header with #define CONFIG_LWIP_... overrides")
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
