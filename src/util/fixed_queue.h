// A FIFO of at most N values stored in place (no allocation): ARP's queue of
// packets waiting for resolution, the receive queues of UDP and ping
// endpoints.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

namespace lwnet {

// Core thread only (like what it holds). N may be 0 for a table compiled
// out (config::ipv6_slots): such a queue is always full and always empty.
// T keeps nothing once moved from (PacketBuf, structs around one): a slot
// popped is left as the move left it.
template <class T, std::size_t N>
class FixedQueue {

 public:
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == N; }
  std::size_t size() const { return count_; }
  static constexpr std::size_t capacity() { return N; }

  // False (and `value` untouched) when full.
  bool push(T&& value) {
    if constexpr (N == 0) {
      return false;
    } else {
      if (full()) return false;
      items_[(head_ + count_) % N] = std::move(value);
      ++count_;
      return true;
    }
  }
  // The caller checked !empty().
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T pop() {
    if constexpr (N == 0) {
      return T{};  // unreachable: never !empty()
    } else {
      // The moved-from value stays in the slot: what the queues hold
      // (PacketBuf, structs around one) keeps nothing once moved from, and
      // the next push() moves over it.
      T value = std::move(items_[head_]);
      head_ = (head_ + 1) % N;
      --count_;
      return value;
    }
  }
  // pop() for a caller that does not want the value: it is reset in place
  // (a buffer it held is freed) instead of being moved out first. The
  // caller checked !empty().
  void drop_front() {
    if constexpr (N != 0) {
      // Moved out and destroyed: what the slot held is freed, and no T is
      // built to be assigned over it.
      { T dropped = std::move(items_[head_]); }
      head_ = (head_ + 1) % N;
      --count_;
    }
  }
  void clear() {
    while (!empty()) (void)pop();
  }
  // Calls f(item) for each item, oldest first.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < count_; ++i) f(items_[(head_ + i) % N]);
  }

 private:
  std::array<T, N> items_{};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace lwnet
