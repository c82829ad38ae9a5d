// FIFO queues that share one fixed pool of entries: the receive queues of
// UDP and raw endpoints.
//
// Why not a FixedQueue per endpoint: every queued datagram holds a buffer
// of the stack's packet pools, so all the queues together never hold more
// entries than those pools have buffers. A FixedQueue of
// CONFIG_LWIP_UDP_RECVMBOX_SIZE per endpoint reserves endpoints x mailbox
// entries (64 x 64 with the host preset: 504 KiB for UDP, 400 KiB for raw,
// all of it resident), of which at most the buffer count (66) can ever be
// used. Here the queues share `Entries` entries and each keeps its own
// limit, so a queue behaves as before: it refuses a value once it holds
// `limit` of them (or, which sizing the pool at the buffer count rules
// out, when the pool has no entry left).
// Core thread only (like what it holds).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace lwnet {

// One queue's place in a QueuePool: its first and last entry and its length.
class PooledQueue {
 public:
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }

 private:
  template <class T, std::size_t Entries>
  friend class QueuePool;
  std::uint16_t head_ = 0;
  std::uint16_t tail_ = 0;
  std::uint16_t count_ = 0;
};

template <class T, std::size_t Entries>
class QueuePool {
  static_assert(Entries >= 1 && Entries < 0xffff, "entries are linked by 16-bit indexes");

 public:
  QueuePool() = default;
  QueuePool(const QueuePool&) = delete;
  QueuePool& operator=(const QueuePool&) = delete;

  static constexpr std::size_t capacity() { return Entries; }
  // Entries not in any queue.
  std::size_t available() const { return Entries - used_; }

  // Appends `value` to `q`. False (and `value` untouched) when `q` already
  // holds `limit` values or the pool has no entry left.
  bool push(PooledQueue& q, T&& value, std::size_t limit) {
    T* slot = push_default(q, limit);
    if (slot == nullptr) return false;
    *slot = std::move(value);
    return true;
  }
  // push() in place: links an entry (holding a default T, or one that
  // drop_held() emptied) at the back of `q` and returns its value for the
  // caller to fill, or nullptr where push() would refuse. No T is built
  // aside to be moved in.
  T* push_default(PooledQueue& q, std::size_t limit) {
    if (q.count_ >= limit) return nullptr;
    std::uint16_t index;
    if (free_ != 0) {
      index = static_cast<std::uint16_t>(free_ - 1);
      free_ = entries_[index].next;
    } else if (fresh_ < Entries) {
      index = fresh_++;
    } else {
      return nullptr;
    }
    Entry& e = entries_[index];
    if (q.count_ == 0) {
      q.head_ = index;
    } else {
      entries_[q.tail_].next = index;
    }
    q.tail_ = index;
    ++q.count_;
    ++used_;
    return &e.value;
  }
  // The caller checked !q.empty().
  T& front(const PooledQueue& q) { return entries_[q.head_].value; }
  const T& front(const PooledQueue& q) const { return entries_[q.head_].value; }
  // Takes the first value of `q` (the caller checked !q.empty()); its entry
  // goes back to the pool holding a default T (a buffer it held is freed).
  T pop(PooledQueue& q) {
    T value = std::move(entries_[q.head_].value);
    drop_front(q);
    return value;
  }
  // pop() for a caller that does not want the value: it is reset in place
  // (a buffer it held is freed) instead of being moved out first; a T with
  // drop_held() (a member of its own: not unique_ptr's release()) is only
  // emptied by it.
  void drop_front(PooledQueue& q) {
    const std::uint16_t index = q.head_;
    Entry& e = entries_[index];
    if constexpr (requires(T& t) { t.drop_held(); }) {
      // A T that can give up what it holds in place does: no new T is
      // built over it (push_default()'s caller writes every field anyway).
      e.value.drop_held();
    } else {
      // Destroyed and made anew: cheaper than a default T moved over it.
      std::destroy_at(&e.value);
      std::construct_at(&e.value);
    }
    q.head_ = e.next;
    if (--q.count_ == 0) q.head_ = q.tail_ = 0;
    e.next = free_;
    free_ = static_cast<std::uint16_t>(index + 1);
    --used_;
  }
  void clear(PooledQueue& q) {
    while (!q.empty()) drop_front(q);
  }

 private:
  struct Entry {
    T value{};
    // In a queue: the next entry's index (the last one's is never read).
    // In the free list: the next free entry's index + 1, 0 ending it.
    std::uint16_t next = 0;
  };
  std::array<Entry, Entries> entries_{};
  // The free list (index + 1 of its first entry, 0: empty) holds the
  // entries given back; those never used yet are fresh_ and up. Nothing
  // to link at construction: a pool starts as zero bytes.
  std::uint16_t free_ = 0;
  std::uint16_t fresh_ = 0;
  std::size_t used_ = 0;
};

}  // namespace lwnet
