#include "port/clock.h"

#include <time.h>

#include <cstdlib>

namespace lwnet {

Instant monotonic_now() {
  timespec ts{};
  // CLOCK_MONOTONIC cannot fail with a valid timespec pointer on Linux; if it
  // ever did, every deadline would be wrong, so stop rather than guess.
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    std::abort();
  }
  return Instant::from_micros(static_cast<std::int64_t>(ts.tv_sec) * 1000000 +
                              static_cast<std::int64_t>(ts.tv_nsec) / 1000);
}

std::int64_t wall_clock_unix_micros() {
  timespec ts{};
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    std::abort();
  }
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + static_cast<std::int64_t>(ts.tv_nsec) / 1000;
}

std::int64_t wall_clock_at(Instant at) {
  const std::int64_t wall = wall_clock_unix_micros();
  return wall - (monotonic_now() - at).total_micros();
}

}  // namespace lwnet
