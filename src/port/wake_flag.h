// A flag one thread sleeps on and any thread raises: the blocking socket
// calls' wait (SocketLayer::wait_until).
//
// Why not the thread's eventfd (Waker + WaitSet): a wake through an eventfd
// is three system calls (write, ppoll, read), a futex one or two, and none
// at all when the flag is raised while the waiter is still looking (no
// thread sleeps yet, so there is nobody to wake). select() and poll() keep
// the eventfd: they sleep on OS descriptors too.
#pragma once

#include <atomic>
#include <cstdint>

#include "time/instant.h"

namespace lwnet {

class WakeFlag {
 public:
  WakeFlag() = default;
  WakeFlag(const WakeFlag&) = delete;
  WakeFlag& operator=(const WakeFlag&) = delete;

  // The waiting thread, before each look at what it waits for: a raise()
  // after this ends the next sleep() at once.
  void reset() { state_.store(idle, std::memory_order_seq_cst); }

  // The waiting thread: sleeps until raise() or `deadline`
  // (Instant::max(): no deadline); returns at once when raised since
  // reset(). False when the deadline passed without a raise.
  bool sleep(Instant deadline);

  // Any thread.
  void raise() {
    if (state_.exchange(raised, std::memory_order_seq_cst) == sleeping) wake();
  }

 private:
  static constexpr std::uint32_t idle = 0;
  static constexpr std::uint32_t raised = 1;
  static constexpr std::uint32_t sleeping = 2;

  void wake();

  std::atomic<std::uint32_t> state_{idle};
};

}  // namespace lwnet
