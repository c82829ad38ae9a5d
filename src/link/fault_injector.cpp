#include "link/fault_injector.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace lwnet {
namespace {

// Ethernet header with one 802.1Q tag: what a frame adds to the MTU.
constexpr std::size_t kLinkOverhead = 18;
constexpr std::size_t kSlots = 5;  // rx_ready_ x2, rx_held_, tx_held_, tx_scratch_

// Each direction gets its own stream, derived from the one seed.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t which) {
  SplitMix64 r(seed ^ (which * 0xd1b54a32d192ed03ULL));
  return r.next_u64();
}

}  // namespace

FaultInjector::FaultInjector(Device& inner, const FaultConfig& config)
    : inner_(inner),
      rx_config_(config.rx),
      tx_config_(config.tx),
      rx_thresholds_(thresholds_of(config.rx)),
      tx_thresholds_(thresholds_of(config.tx)),
      rx_random_(derive_seed(config.seed, 1)),
      tx_random_(derive_seed(config.seed, 2)),
      slot_capacity_(config.max_stored_frame != 0 ? config.max_stored_frame
                                                  : inner.capabilities().mtu + kLinkOverhead),
      storage_(std::make_unique<std::uint8_t[]>(slot_capacity_ * kSlots)) {
  Slot* slots[kSlots] = {&rx_ready_[0], &rx_ready_[1], &rx_held_, &tx_held_, &tx_scratch_};
  for (std::size_t i = 0; i < kSlots; ++i) {
    slots[i]->data = storage_.get() + i * slot_capacity_;
  }
}

FaultInjector::Thresholds FaultInjector::thresholds_of(const FaultDirection& direction) {
  // A chance p becomes "a uniform 32-bit draw is below p * 2^32": exact
  // integer comparisons afterwards, so runs replay bit for bit everywhere.
  const auto threshold = [](double p) -> std::uint64_t {
    if (!(p > 0)) {
      return 0;  // also NaN
    }
    if (p >= 1) {
      return std::uint64_t{1} << 32;
    }
    return static_cast<std::uint64_t>(p * 4294967296.0);
  };
  return Thresholds{threshold(direction.drop), threshold(direction.duplicate),
                    threshold(direction.reorder), threshold(direction.corrupt)};
}

bool FaultInjector::chance(SplitMix64& random, std::uint64_t threshold) {
  // A fault that is off takes no draw, so adding a fault to a configuration
  // does not change the stream unless it is turned on.
  if (threshold == 0) {
    return false;
  }
  return random.next_u32() < threshold;
}

bool FaultInjector::admit(const FaultDirection& direction, RateWindow& window,
                          FaultCounters& counters, std::size_t size, Instant now) {
  if (direction.max_frame_size != 0 && size > direction.max_frame_size) {
    ++counters.oversized;
    return false;
  }
  if (direction.max_frames_per_interval != 0) {
    if (!window.open || now >= window.start + direction.rate_interval) {
      window.open = true;
      window.start = now;
      window.frames = 0;
    }
    if (window.frames >= direction.max_frames_per_interval) {
      ++counters.rate_limited;
      return false;
    }
    ++window.frames;
  }
  return true;
}

void FaultInjector::flip_random_bit(SplitMix64& random, Bytes frame) {
  if (frame.empty()) {
    return;
  }
  const std::uint32_t bit = random.below(static_cast<std::uint32_t>(frame.size() * 8));
  frame[bit / 8] = static_cast<std::uint8_t>(frame[bit / 8] ^ (1U << (bit % 8)));
}

bool FaultInjector::store(Slot& slot, ConstBytes frame) {
  if (frame.size() > slot_capacity_) {
    return false;
  }
  std::memcpy(slot.data, frame.data(), frame.size());
  slot.size = frame.size();
  slot.used = true;
  return true;
}

bool FaultInjector::transmit_inner(ConstBytes frame, Instant now) {
  if (inner_.transmit(frame, now)) {
    return true;
  }
  ++stats_.tx_dropped;
  return false;
}

void FaultInjector::poll(Instant now) {
  last_now_ = now;
  if (tx_held_.used && tx_held_.release <= now) {
    tx_held_.used = false;
    transmit_inner(ConstBytes(tx_held_.data, tx_held_.size), now);
  }
}

bool FaultInjector::transmit(ConstBytes frame, Instant now) {
  poll(now);
  ++stats_.tx_frames;
  stats_.tx_bytes += frame.size();
  FaultCounters& counters = fault_stats_.tx;

  if (!admit(tx_config_, tx_window_, counters, frame.size(), now)) {
    return true;  // lost on the link, as far as the sender can tell
  }
  if (chance(tx_random_, tx_thresholds_.drop)) {
    ++counters.dropped;
    return true;
  }
  ConstBytes out = frame;
  if (chance(tx_random_, tx_thresholds_.corrupt) && store(tx_scratch_, frame)) {
    const Bytes copy(tx_scratch_.data, tx_scratch_.size);
    flip_random_bit(tx_random_, copy);
    ++counters.corrupted;
    out = copy;
  }
  const bool hold = chance(tx_random_, tx_thresholds_.reorder);
  const bool was_holding = tx_held_.used;
  if (hold && !was_holding && store(tx_held_, out)) {
    tx_held_.release = now + tx_config_.reorder_delay;
    ++counters.reordered;
    return true;
  }
  const bool duplicate = chance(tx_random_, tx_thresholds_.duplicate);
  const bool sent = transmit_inner(out, now);
  if (duplicate) {
    ++counters.duplicated;
    transmit_inner(out, now);
  }
  if (was_holding) {
    tx_held_.used = false;
    transmit_inner(ConstBytes(tx_held_.data, tx_held_.size), now);
  }
  return sent;
}

std::optional<std::size_t> FaultInjector::deliver(Slot& slot, Bytes into) {
  slot.used = false;
  if (slot.size > into.size()) {
    ++stats_.rx_dropped;
    return std::nullopt;
  }
  std::memcpy(into.data(), slot.data, slot.size);
  ++stats_.rx_frames;
  stats_.rx_bytes += slot.size;
  return slot.size;
}

std::optional<std::size_t> FaultInjector::receive(Bytes into, Instant now) {
  poll(now);
  FaultCounters& counters = fault_stats_.rx;
  for (;;) {
    if (rx_ready_[0].used) {
      const std::optional<std::size_t> n = deliver(rx_ready_[0], into);
      std::swap(rx_ready_[0], rx_ready_[1]);
      if (n) {
        return n;
      }
      continue;
    }
    const std::optional<std::size_t> n = inner_.receive(into, now);
    if (!n) {
      if (rx_held_.used && rx_held_.release <= now) {
        if (const std::optional<std::size_t> held = deliver(rx_held_, into)) {
          return held;
        }
      }
      return std::nullopt;
    }
    const Bytes frame = into.first(*n);
    if (!admit(rx_config_, rx_window_, counters, frame.size(), now)) {
      ++stats_.rx_dropped;
      continue;
    }
    if (chance(rx_random_, rx_thresholds_.drop)) {
      ++counters.dropped;
      ++stats_.rx_dropped;
      continue;
    }
    if (chance(rx_random_, rx_thresholds_.corrupt)) {
      flip_random_bit(rx_random_, frame);
      ++counters.corrupted;
    }
    const bool hold = chance(rx_random_, rx_thresholds_.reorder);
    const bool was_holding = rx_held_.used;
    if (hold && !was_holding && store(rx_held_, frame)) {
      rx_held_.release = now + rx_config_.reorder_delay;
      ++counters.reordered;
      continue;
    }
    // The ready queue is empty here: it is drained before the inner device
    // is asked for more.
    std::size_t queued = 0;
    if (chance(rx_random_, rx_thresholds_.duplicate) && store(rx_ready_[0], frame)) {
      ++counters.duplicated;
      ++queued;
    }
    if (was_holding) {
      std::swap(rx_held_, rx_ready_[queued]);  // hand the held frame's storage to the queue
    }
    ++stats_.rx_frames;
    stats_.rx_bytes += frame.size();
    return frame.size();
  }
}

Instant FaultInjector::next_deadline() const {
  if (rx_ready_[0].used) {
    return last_now_;
  }
  Instant deadline = inner_.next_deadline();
  if (rx_held_.used) {
    deadline = std::min(deadline, rx_held_.release);
  }
  if (tx_held_.used) {
    deadline = std::min(deadline, tx_held_.release);
  }
  return deadline;
}

}  // namespace lwnet
