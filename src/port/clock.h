// The clock the core is driven with on Linux: every `Instant now` the stack
// receives comes from here (the core itself never reads a clock).
#pragma once

#include <cstdint>

#include "time/instant.h"

namespace lwnet {

// Any thread. CLOCK_MONOTONIC: never jumps with wall-clock changes, starts
// at an unspecified point (boot), microsecond resolution.
Instant monotonic_now();

// Any thread. CLOCK_REALTIME in microseconds since the Unix epoch.
std::int64_t wall_clock_unix_micros();
// Any thread. The wall-clock time at the monotonic instant `at` (a recent
// stack instant): the SNTP client's wall-clock source on Linux.
std::int64_t wall_clock_at(Instant at);

}  // namespace lwnet
