// The TCP/IP thread's core mutex under core locking: a mutex that spins a
// while before it sleeps.
//
// Why not std::mutex: the core is held for microseconds at a time (one
// socket call, or one pass of the TCP/IP thread over its input), and the
// usual contention is a socket waiter that the TCP/IP thread has just woken
// and that asks for the core while the thread is still finishing that
// pass. With std::mutex the waiter sleeps in the kernel and the holder pays
// a futex wake on release: two more system calls and a second wake-up per
// event (measured: 8.5 futex calls per accepted-echoed-closed connection in
// the bench's CRR service). Spinning for about as long as a pass takes lets
// the waiter take the core without sleeping. The spin adapts (AdaptiveSpin):
// where spins keep ending without the lock, as on a loaded machine whose
// holder waits for the CPU the spinner holds, it goes quiet for a while.
#pragma once

#include <atomic>
#include <cstdint>

#include "port/clock.h"

namespace lwnet {

// Meets the standard's Lockable requirements (std::lock_guard, unique_lock).
// Not recursive. Any thread.
class AdaptiveMutex {
 public:
  // `spin`: how long lock() looks for the mutex before it sleeps; zero
  // makes it a plain futex mutex.
  explicit AdaptiveMutex(Duration spin = Duration::zero()) : spin_(spin) {}
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() {
    if (try_lock()) return;
    if (spin_ > Duration::zero()) {
      // Per thread: whether spinning pays depends on who asks.
      thread_local AdaptiveSpin spinner;
      if (spinner.spin_until(spin_, [this] {
            return state_.load(std::memory_order_relaxed) == unlocked && try_lock();
          })) {
        return;
      }
    }
    lock_contended();
  }

  bool try_lock() {
    std::uint32_t expected = unlocked;
    return state_.compare_exchange_strong(expected, locked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  void unlock() {
    if (state_.exchange(unlocked, std::memory_order_release) == locked_with_sleepers) wake_one();
  }

 private:
  static constexpr std::uint32_t unlocked = 0;
  static constexpr std::uint32_t locked = 1;
  // Locked, and a thread may sleep on the futex: unlock() must wake one.
  static constexpr std::uint32_t locked_with_sleepers = 2;

  void lock_contended();
  void wake_one();

  std::atomic<std::uint32_t> state_{unlocked};
  const Duration spin_;
};

}  // namespace lwnet
