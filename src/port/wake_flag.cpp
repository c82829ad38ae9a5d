#include "port/wake_flag.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "port/clock.h"

namespace lwnet {

namespace {

std::uint32_t* word_of(std::atomic<std::uint32_t>& state) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&state);
}

}  // namespace

bool WakeFlag::sleep(Instant deadline) {
  std::uint32_t expected = idle;
  if (!state_.compare_exchange_strong(expected, sleeping, std::memory_order_seq_cst)) {
    return true;  // raised since reset()
  }
  timespec until{};
  const timespec* timeout = nullptr;
  if (deadline != Instant::max()) {
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, the clock
    // of monotonic_now().
    const std::int64_t micros = deadline.total_micros() < 0 ? 0 : deadline.total_micros();
    until.tv_sec = static_cast<time_t>(micros / 1000000);
    until.tv_nsec = static_cast<long>((micros % 1000000) * 1000);
    timeout = &until;
  }
  for (;;) {
    const long r = syscall(SYS_futex, word_of(state_), FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, sleeping,
                           timeout, nullptr, FUTEX_BITSET_MATCH_ANY);
    if (state_.load(std::memory_order_seq_cst) != sleeping) return true;
    if (r != 0 && errno == ETIMEDOUT) break;
    // EINTR, EAGAIN or a spurious return: sleep again.
  }
  // Timed out: back to idle, unless a raise came in between.
  expected = sleeping;
  return !state_.compare_exchange_strong(expected, idle, std::memory_order_seq_cst);
}

void WakeFlag::wake() {
  (void)syscall(SYS_futex, word_of(state_), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, nullptr, nullptr, 0);
}

}  // namespace lwnet
