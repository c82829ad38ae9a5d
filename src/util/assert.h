// The core's internal checks (a caller consuming more than a buffer holds,
// a timer id out of range, ...): programming errors, never bad input,
// which gets an error or a counted drop instead.
//
// LWNET_ASSERT(condition) is the C library's assert() while
// CONFIG_LWIP_ESP_LWIP_ASSERT is on (ESP-IDF's default, as its lwIP keeps
// LWIP_ASSERT): a failure prints the condition and where, then aborts.
// With it off (ESP-IDF's LWIP_NOASSERT) the checks are compiled out, the
// condition is not evaluated, and their messages leave the binary (about
// 1.2 KB of Cortex-M text in tests/size/lwip_sizes.h). NDEBUG turns them
// off too, as it does assert().
#pragma once

#include <cassert>

#include "config/options.h"

namespace lwnet {

#if CONFIG_LWIP_ESP_LWIP_ASSERT && !defined(NDEBUG)
inline constexpr bool assertions = true;
#define LWNET_ASSERT(condition) assert(condition)
#else
inline constexpr bool assertions = false;
// Still compiled (unevaluated), so that a check cannot rot while off.
#define LWNET_ASSERT(condition) static_cast<void>(sizeof(static_cast<bool>(condition)))
#endif

}  // namespace lwnet
