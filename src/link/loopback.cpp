#include "link/loopback.h"

#include <algorithm>

namespace lwnet {

FrameRing::FrameRing(std::size_t capacity, std::size_t max_frame)
    : capacity_(capacity),
      max_frame_(max_frame),
      storage_(std::make_unique<std::uint8_t[]>(std::max<std::size_t>(capacity * max_frame, 1))),
      lengths_(std::make_unique<std::size_t[]>(std::max<std::size_t>(capacity, 1))),
      ready_at_(std::make_unique<Instant[]>(std::max<std::size_t>(capacity, 1))) {}

bool FrameRing::push(ConstBytes frame, Instant ready_at) {
  if (count_ == capacity_ || frame.size() > max_frame_) return false;
  const std::size_t slot = (head_ + count_) % capacity_;
  std::copy(frame.begin(), frame.end(), storage_.get() + slot * max_frame_);
  lengths_[slot] = frame.size();
  ready_at_[slot] = ready_at;
  ++count_;
  return true;
}

ConstBytes FrameRing::front() const {
  if (count_ == 0) return {};
  return ConstBytes(storage_.get() + head_ * max_frame_, lengths_[head_]);
}

Instant FrameRing::front_ready_at() const {
  return count_ == 0 ? Instant::max() : ready_at_[head_];
}

void FrameRing::pop() {
  if (count_ == 0) return;
  head_ = (head_ + 1) % capacity_;
  --count_;
}

Loopback::Loopback(std::size_t capacity, std::size_t mtu) : mtu_(mtu), ring_(capacity, mtu) {}

DeviceCapabilities Loopback::capabilities() const { return {Medium::Ip, mtu_}; }

std::optional<std::size_t> Loopback::receive(Bytes into, Instant now) {
  while (!ring_.empty() && ring_.front_ready_at() <= now) {
    ConstBytes frame = ring_.front();
    if (frame.size() > into.size()) {
      ++stats_.rx_dropped;
      ring_.pop();
      continue;
    }
    std::copy(frame.begin(), frame.end(), into.begin());
    const std::size_t n = frame.size();
    ring_.pop();
    ++stats_.rx_frames;
    stats_.rx_bytes += n;
    return n;
  }
  return std::nullopt;
}

bool Loopback::transmit(ConstBytes frame, Instant now) {
  if (!ring_.push(frame, now)) {
    ++stats_.tx_dropped;
    return false;
  }
  ++stats_.tx_frames;
  stats_.tx_bytes += frame.size();
  return true;
}

}  // namespace lwnet
