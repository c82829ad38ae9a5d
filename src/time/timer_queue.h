// Deadlines without periodic ticks: owners arm a timer for an instant, the
// stack asks for the earliest one and sleeps until then. Nothing runs while
// nothing is armed (the guide's on-demand timers, for every timer).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "time/instant.h"
#include "util/assert.h"

namespace lwnet {

// A fixed set of timers identified by small integers (each owner gets its
// ids at start-up). Arm and cancel are O(1); earliest() is O(Capacity), which
// for the few dozen timers of a stack beats a heap that must support cancel.
// Core thread only.
template <std::size_t Capacity>
class TimerQueue {
 public:
  using TimerId = std::uint16_t;
  static_assert(Capacity <= 0xffff);

  // A loop, not a constant array copied in: the copy's source would be
  // Capacity x 8 bytes of read-only data (136 on Cortex-M).
  TimerQueue() {
    for (Instant& d : deadline_) d = Instant::max();
  }

  // Ids are below Capacity (asserted in debug builds).
  void arm(TimerId id, Instant when) { deadline_[checked(id)] = when; }
  void cancel(TimerId id) { deadline_[checked(id)] = Instant::max(); }
  bool armed(TimerId id) const { return deadline_[checked(id)] != Instant::max(); }
  Instant deadline(TimerId id) const { return deadline_[checked(id)]; }

  // The earliest armed deadline, or Instant::max() when none is armed.
  Instant earliest() const {
    Instant best = Instant::max();
    for (const Instant& d : deadline_) best = d < best ? d : best;
    return best;
  }

  // Disarms and returns one timer whose deadline is at or before now.
  std::optional<TimerId> pop_expired(Instant now) {
    for (std::size_t i = 0; i < Capacity; ++i) {
      if (deadline_[i] <= now) {
        deadline_[i] = Instant::max();
        return static_cast<TimerId>(i);
      }
    }
    return std::nullopt;
  }

 private:
  static std::size_t checked(TimerId id) {
    LWNET_ASSERT(id < Capacity);
    return id;
  }
  std::array<Instant, Capacity> deadline_;
};

}  // namespace lwnet
