# Debug builds run under AddressSanitizer and UndefinedBehaviorSanitizer.
# LWNET_TSAN=ON swaps them for ThreadSanitizer (the threaded API's build).
option(LWNET_TSAN "Build with ThreadSanitizer instead of ASan/UBSan" OFF)
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  if(LWNET_TSAN)
    add_compile_options(-fsanitize=thread -g)
    add_link_options(-fsanitize=thread)
  else()
    # -fno-sanitize=vptr: the core is built without RTTI, so UBSan's dynamic
    # type check would need typeinfo the core never emits.
    add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all
                        -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all)
  endif()
endif()
