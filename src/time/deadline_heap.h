// The deadlines of many owners (TCP connections), kept so that the earliest
// is known without looking at every owner: an indexed binary min-heap. With
// 10,000 idle connections the stack's next_deadline() and a timer firing cost
// O(1) and O(log n) instead of a scan of every slot (the guide's on-demand
// timers, and DESIGN.md's "nothing ticks while there is nothing to do").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "time/instant.h"
#include "util/assert.h"

namespace lwnet {

// Owners are ids 0 .. capacity-1, each with at most one deadline. All memory
// is taken by the constructor (12 bytes per id). Core thread only.
class DeadlineHeap {
 public:
  using Id = std::uint16_t;
  static constexpr std::size_t max_capacity = 0xfffe;

  explicit DeadlineHeap(std::size_t capacity)
      : capacity_(capacity),
        heap_(std::make_unique<Id[]>(capacity)),
        position_(std::make_unique<Id[]>(capacity)),
        when_(std::make_unique<Instant[]>(capacity)) {
    LWNET_ASSERT(capacity <= max_capacity);
    for (std::size_t i = 0; i < capacity; ++i) {
      position_[i] = absent;
      when_[i] = Instant::max();
    }
  }

  // Sets (or moves) `id`'s deadline; Instant::max() removes it. O(log n).
  void set(Id id, Instant when) {
    LWNET_ASSERT(id < capacity_);
    const Id at = position_[id];
    if (when == Instant::max()) {
      if (at != absent) remove_at(at);
      when_[id] = when;
      return;
    }
    if (at == absent) {
      when_[id] = when;
      place(static_cast<Id>(size_), id);
      ++size_;
      sift_up(static_cast<Id>(size_ - 1));
      return;
    }
    const Instant before = when_[id];
    when_[id] = when;
    if (when < before) {
      sift_up(at);
    } else {
      sift_down(at);
    }
  }
  void clear(Id id) { set(id, Instant::max()); }

  Instant deadline(Id id) const { return when_[id]; }
  // The earliest deadline, Instant::max() when none is set. O(1).
  Instant earliest() const { return size_ == 0 ? Instant::max() : when_[heap_[0]]; }
  // The id with the earliest deadline. O(1).
  std::optional<Id> first() const { return size_ == 0 ? std::nullopt : std::optional<Id>(heap_[0]); }
  std::size_t size() const { return size_; }

 private:
  static constexpr Id absent = 0xffff;

  void place(Id at, Id id) {
    heap_[at] = id;
    position_[id] = at;
  }
  bool earlier(Id a, Id b) const { return when_[heap_[a]] < when_[heap_[b]]; }
  void swap_at(Id a, Id b) {
    const Id first_id = heap_[a];
    place(a, heap_[b]);
    place(b, first_id);
  }
  void sift_up(Id at) {
    while (at > 0) {
      const auto parent = static_cast<Id>((at - 1) / 2);
      if (!earlier(at, parent)) return;
      swap_at(at, parent);
      at = parent;
    }
  }
  void sift_down(Id at) {
    for (;;) {
      const std::size_t left = 2 * std::size_t{at} + 1;
      if (left >= size_) return;
      std::size_t best = left;
      if (left + 1 < size_ && earlier(static_cast<Id>(left + 1), static_cast<Id>(left))) best = left + 1;
      if (!earlier(static_cast<Id>(best), at)) return;
      swap_at(at, static_cast<Id>(best));
      at = static_cast<Id>(best);
    }
  }
  void remove_at(Id at) {
    const Id id = heap_[at];
    position_[id] = absent;
    --size_;
    if (at == size_) return;
    const Id moved = heap_[size_];
    place(at, moved);
    // The moved entry may belong above or below its new place.
    sift_up(at);
    sift_down(position_[moved]);
  }

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::unique_ptr<Id[]> heap_;      // ids in heap order
  std::unique_ptr<Id[]> position_;  // id -> index in heap_, or absent
  std::unique_ptr<Instant[]> when_;  // id -> deadline
};

}  // namespace lwnet
