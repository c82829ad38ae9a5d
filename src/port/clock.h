// The clock the core is driven with on Linux: every `Instant now` the stack
// receives comes from here (the core itself never reads a clock).
#pragma once

#include "time/instant.h"

namespace lwnet {

// Any thread. CLOCK_MONOTONIC: never jumps with wall-clock changes, starts
// at an unspecified point (boot), microsecond resolution.
Instant monotonic_now();

}  // namespace lwnet
