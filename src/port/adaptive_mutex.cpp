#include "port/adaptive_mutex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lwnet {

namespace {

long futex(std::atomic<std::uint32_t>& word, int operation, std::uint32_t value) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), operation | FUTEX_PRIVATE_FLAG, value,
                 nullptr, nullptr, 0);
}

}  // namespace

void AdaptiveMutex::lock_contended() {
  // Once a thread has slept here the state stays "with sleepers" until an
  // unlock finds it so: at worst one futex wake too many, never one too few.
  std::uint32_t seen = state_.exchange(locked_with_sleepers, std::memory_order_acquire);
  while (seen != unlocked) {
    (void)futex(state_, FUTEX_WAIT, locked_with_sleepers);  // returns at once if the state moved on
    seen = state_.exchange(locked_with_sleepers, std::memory_order_acquire);
  }
}

void AdaptiveMutex::wake_one() { (void)futex(state_, FUTEX_WAKE, 1); }

}  // namespace lwnet
