// Sleeping until there is something to do: a file descriptor became readable
// (a TAP, a socket, a serial line), a deadline passed (the stack's
// next_deadline()), or another thread or a signal handler asked the sleeper
// to look again (a Waker). The lwnet command's main loop and the TCP/IP
// thread are built on this.
#pragma once

#include <poll.h>

#include <cstddef>
#include <vector>

#include "port/os_error.h"
#include "time/instant.h"

namespace lwnet {

// Interrupts a WaitSet::wait from elsewhere. An eventfd: a wake that comes
// before the wait starts is not lost, and several wakes before one wait wake
// it once.
class Waker {
 public:
  // Any thread. Fails only when the process is out of descriptors or memory.
  static OsResult<Waker> create();

  Waker(Waker&& other) noexcept;
  Waker& operator=(Waker&& other) noexcept;
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker();

  // Any thread, and async-signal-safe (one write(2); errno is preserved).
  void wake() const noexcept;
  // Any thread. Takes back pending wakes; true when there was one. A
  // WaitSet that reports `woken` has already done this.
  bool clear() const noexcept;
  int fd() const { return fd_; }

 private:
  explicit Waker(int fd) : fd_(fd) {}
  int fd_ = -1;
};

struct WaitResult {
  bool woken = false;      // the set's Waker was woken (and has been cleared)
  bool timed_out = false;  // the deadline passed: no descriptor ready, no wake
};

// A fixed set of descriptors one thread waits on. Built at start-up (add()
// may allocate); wait() does not allocate. One thread at a time; the Waker it
// watches may be woken from any thread.
class WaitSet {
 public:
  WaitSet() = default;
  // The waker must outlive the set (the set keeps its descriptor only).
  explicit WaitSet(const Waker& waker);

  // Adds a descriptor to watch for input; returns the index readable() takes.
  std::size_t add(int fd);

  // Blocks until a descriptor in the set is readable (or in error or hung
  // up, so that a read will not block), the waker is woken, or `deadline`
  // (on monotonic_now()'s clock) has passed. Instant::max() waits without a
  // deadline; a deadline already past checks the descriptors once and returns
  // at once. Signals (EINTR) do not end the wait early: it goes on with the
  // time left; a signal handler that must end it calls the Waker.
  // Fails with EBADF when a descriptor in the set is not open.
  OsResult<WaitResult> wait(Instant deadline);

  // After wait(): whether the descriptor added as `index` can be read.
  bool readable(std::size_t index) const;

 private:
  std::vector<pollfd> fds_;  // the waker's first when there is one
  std::size_t first_ = 0;    // index into fds_ of add()'s index 0
};

}  // namespace lwnet
