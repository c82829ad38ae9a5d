// The core's internal checks (a caller consuming more than a buffer holds,
// a timer id out of range, ...): programming errors, never bad input,
// which gets an error or a counted drop instead.
//
// LWNET_ASSERT(condition) checks while CONFIG_LWIP_ESP_LWIP_ASSERT is on
// (ESP-IDF's default, as its lwIP keeps LWIP_ASSERT): a failure prints the
// condition and where (file name and line, as LWIP_ASSERT does), then
// aborts. Not the C library's assert(): that one also keeps each check's
// function signature (long strings in C++) and its file's whole path (643
// bytes more Cortex-M text in tests/size/lwip_sizes.h, IPv4 only).
// With it off (ESP-IDF's LWIP_NOASSERT) the checks are compiled out, the
// condition is not evaluated, and their messages leave the binary (551
// bytes less there). NDEBUG turns them off too, as it does assert().
#pragma once

#include "config/options.h"

namespace lwnet {

// Any thread. Prints "lwnet: assertion failed: CONDITION (FILE:LINE)" to
// stderr and aborts. Out of line: a check costs a compare and a call.
[[noreturn]] void assertion_failed(const char* condition, const char* file, int line);

#if defined(__FILE_NAME__)
#define LWNET_ASSERT_FILE __FILE_NAME__
#else
#define LWNET_ASSERT_FILE __FILE__
#endif

#if CONFIG_LWIP_ESP_LWIP_ASSERT && !defined(NDEBUG)
inline constexpr bool assertions = true;
#define LWNET_ASSERT(condition) \
  ((condition) ? static_cast<void>(0) : ::lwnet::assertion_failed(#condition, LWNET_ASSERT_FILE, __LINE__))
#else
inline constexpr bool assertions = false;
// Still compiled (unevaluated), so that a check cannot rot while off.
#define LWNET_ASSERT(condition) static_cast<void>(sizeof(static_cast<bool>(condition)))
#endif

}  // namespace lwnet
