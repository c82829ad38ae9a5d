// The clock the core is driven with on Linux: every `Instant now` the stack
// receives comes from here (the core itself never reads a clock).
#pragma once

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

}  // namespace lwnet
