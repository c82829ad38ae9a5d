// The clock the core is driven with on Linux: every `Instant now` the stack
// receives comes from here (the core itself never reads a clock).
#pragma once

#include <cstdint>

#include "time/instant.h"

namespace lwnet {

// Any thread. CLOCK_MONOTONIC: never jumps with wall-clock changes, starts
// at an unspecified point (boot), microsecond resolution.
Instant monotonic_now();

// Any thread. Tells the CPU that the caller is spinning on a value another
// thread will change (x86 PAUSE, Arm YIELD): less power, and the sibling
// hyperthread gets the core meanwhile.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

// Any thread. Looks at `done()` until it holds or `spin` has passed (at
// least once); true when it held. For waits that usually end within
// microseconds, where sleeping in the kernel and being woken costs more.
template <typename Done>
bool spin_until(Duration spin, Done&& done) {
  if (done()) return true;
  if (spin <= Duration::zero()) return false;
  const Instant until = monotonic_now() + spin;
  do {
    cpu_relax();
    if (done()) return true;
  } while (monotonic_now() < until);
  return false;
}

// spin_until() that stops spinning where spinning does not pay: after
// `misses_to_rest` spins in a row that ended without `done()`, the next
// `rest` waits only look once. On a machine with cores to spare the answer
// comes within the spin and it stays on; on a loaded one (the thread that
// would answer is waiting for the CPU the spinner holds) it goes quiet, and
// tries again later. One per waiting site and thread; not thread-safe.
class AdaptiveSpin {
 public:
  static constexpr std::uint32_t misses_to_rest = 4;
  static constexpr std::uint32_t rest = 64;

  template <typename Done>
  bool spin_until(Duration spin, Done&& done) {
    if (spin <= Duration::zero() || resting_ > 0) {
      if (resting_ > 0) --resting_;
      return done();
    }
    if (lwnet::spin_until(spin, done)) {
      misses_ = 0;
      return true;
    }
    if (++misses_ >= misses_to_rest) {
      misses_ = 0;
      resting_ = rest;
    }
    return false;
  }
  bool resting() const { return resting_ > 0; }

 private:
  std::uint32_t misses_ = 0;
  std::uint32_t resting_ = 0;
};
// Any thread. CLOCK_REALTIME in microseconds since the Unix epoch.
std::int64_t wall_clock_unix_micros();
// Any thread. The wall-clock time at the monotonic instant `at` (a recent
// stack instant): the SNTP client's wall-clock source on Linux.
std::int64_t wall_clock_at(Instant at);

}  // namespace lwnet
