// The TCP/IP thread's mailbox (lwIP's tcpip mbox): a bounded queue that many
// threads post small messages to and one thread, the TCP/IP thread, takes
// them from. All memory is allocated by the constructor; posting and taking
// never allocate.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "port/clock.h"
#include "time/instant.h"
#include "util/error.h"
#include "util/result.h"

namespace lwnet::api {

// What a message's sender may wait on: released once, when the message has
// run. A futex: std::binary_semaphore's wait (libstdc++) first spins with
// sched_yield, which on a busy machine hands the core to another process for
// a time slice on every call; this one sleeps in the kernel at once, and the
// TCP/IP thread's release wakes it.
class Completion {
 public:
  // The TCP/IP thread (or whoever ran the message), once.
  void release() noexcept {
    // The waiter may see `done` and go (its frame with it) before the wake:
    // a wake of an address nobody waits on is harmless, and every futex
    // wait loops on its own condition, so an unexpected wake is too.
    if (state_.exchange(done, std::memory_order_acq_rel) == sleeping) futex(FUTEX_WAKE_PRIVATE, 1);
  }
  // The sender, once. Spins up to `spin` before sleeping in the kernel
  // (TcpipConfig::spin_before_sleep), as the caller's `spinner` allows.
  void acquire(Duration spin = Duration::zero(), AdaptiveSpin* spinner = nullptr) noexcept {
    const auto finished = [this] { return state_.load(std::memory_order_acquire) == done; };
    if (spinner != nullptr ? spinner->spin_until(spin, finished) : spin_until(spin, finished)) return;
    std::uint32_t expected = pending;
    if (!state_.compare_exchange_strong(expected, sleeping, std::memory_order_acquire)) return;  // done
    while (state_.load(std::memory_order_acquire) == sleeping) futex(FUTEX_WAIT_PRIVATE, sleeping);
  }

 private:
  static constexpr std::uint32_t pending = 0;
  static constexpr std::uint32_t sleeping = 1;  // pending, and the sender waits in the kernel
  static constexpr std::uint32_t done = 2;
  // FUTEX_WAIT: sleep while the word is `value` (EAGAIN if it is not, EINTR:
  // the caller's loop looks again); FUTEX_WAKE: wake up to `value` sleepers.
  void futex(int operation, std::uint32_t value) noexcept {
    (void)syscall(SYS_futex, &state_, operation, value, nullptr, nullptr, 0);
  }
  std::atomic<std::uint32_t> state_{pending};
};

// One message: run function(context) on the consumer's thread, then release
// `completion` when it is not null. Three words; copied into the queue.
struct Message {
  void (*function)(void* context) = nullptr;
  void* context = nullptr;
  Completion* completion = nullptr;
};

// Bounded multi-producer, single-consumer queue of Messages, in FIFO order.
// A mutex guards it (every operation is a few word copies under it);
// producers waiting for room sleep on a condition variable. The consumer is
// not woken through the mailbox: `notify` (given to the constructor) runs,
// outside the lock, after a push that made the box non-empty; the TCP/IP
// thread passes its Waker, so it sleeps on its devices and its mail at once.
// A consumer that stops taking before the box is empty must come back
// without waiting for a notify (the TCP/IP thread does: it does not sleep
// while mail is left).
//
// A closed mailbox refuses every push with Error::Closed and wakes the
// producers that wait for room (they get Closed too); what it holds stays
// there for the consumer to take. It starts closed: the consumer opens it.
//
// Threads: push, try_push, size and closed from any thread; try_pop, open
// and close by the consumer (close also from any thread).
class Mailbox {
 public:
  using Notify = void (*)(void* context);

  // capacity >= 1 (a 0 becomes 1).
  explicit Mailbox(std::size_t capacity, Notify notify = nullptr, void* notify_context = nullptr)
      : capacity_(capacity == 0 ? 1 : capacity),
        slots_(std::make_unique<Message[]>(capacity_)),
        notify_(notify),
        notify_context_(notify_context) {}
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Waits while the box is full. Closed when the box is or becomes closed.
  Status push(const Message& message) {
    bool was_empty = false;
    {
      std::unique_lock lock(mutex_);
      not_full_.wait(lock, [this] { return closed_ || count_ < capacity_; });
      if (closed_) return Error::Closed;
      was_empty = append(message);
    }
    if (was_empty && notify_ != nullptr) notify_(notify_context_);
    return {};
  }

  // WouldBlock when full (lwIP's sys_mbox_trypost), Closed when closed.
  Status try_push(const Message& message) {
    bool was_empty = false;
    {
      const std::lock_guard lock(mutex_);
      if (closed_) return Error::Closed;
      if (count_ == capacity_) return Error::WouldBlock;
      was_empty = append(message);
    }
    if (was_empty && notify_ != nullptr) notify_(notify_context_);
    return {};
  }

  // The oldest message, or nullopt when empty. Makes room for one waiting
  // producer.
  std::optional<Message> try_pop() {
    Message message;
    {
      const std::lock_guard lock(mutex_);
      if (count_ == 0) return std::nullopt;
      message = slots_[head_];
      head_ = (head_ + 1) % capacity_;
      --count_;
    }
    not_full_.notify_one();
    return message;
  }

  void open() {
    const std::lock_guard lock(mutex_);
    closed_ = false;
  }
  void close() {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
  }

  bool closed() const {
    const std::lock_guard lock(mutex_);
    return closed_;
  }
  std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return count_;
  }
  std::size_t capacity() const { return capacity_; }

 private:
  // Under mutex_, with room. True when the box was empty before.
  bool append(const Message& message) {
    slots_[(head_ + count_) % capacity_] = message;
    ++count_;
    return count_ == 1;
  }

  const std::size_t capacity_;
  const std::unique_ptr<Message[]> slots_;
  const Notify notify_;
  void* const notify_context_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  bool closed_ = true;
};

}  // namespace lwnet::api
