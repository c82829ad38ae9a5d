#include "link/pipe.h"

#include <algorithm>

namespace lwnet {

namespace {
constexpr std::size_t ethernet_header_len = 14;
}

PipeEnd::PipeEnd(PipePair& pair, int index, const PipeConfig& config)
    : pair_(pair),
      index_(index),
      mtu_(config.mtu),
      inbound_(config.queue_capacity, config.mtu + ethernet_header_len) {}

DeviceCapabilities PipeEnd::capabilities() const { return {Medium::Ethernet, mtu_}; }

std::optional<std::size_t> PipeEnd::receive(Bytes into, Instant now) {
  while (!inbound_.empty() && inbound_.front_ready_at() <= now) {
    ConstBytes frame = inbound_.front();
    if (frame.size() > into.size()) {
      ++stats_.rx_dropped;
      inbound_.pop();
      continue;
    }
    std::copy(frame.begin(), frame.end(), into.begin());
    const std::size_t n = frame.size();
    inbound_.pop();
    ++stats_.rx_frames;
    stats_.rx_bytes += n;
    return n;
  }
  return std::nullopt;
}

bool PipeEnd::transmit(ConstBytes frame, Instant now) {
  if (frame.size() > mtu_ + ethernet_header_len) {
    ++stats_.tx_dropped;
    ++pair_.dropped_;
    return false;
  }
  if (pair_.observer_ != nullptr &&
      !pair_.observer_(pair_.observer_context_, index_, frame, now)) {
    ++pair_.lost_;
    ++stats_.tx_frames;
    stats_.tx_bytes += frame.size();
    return true;
  }
  if (!peer_->inbound_.push(frame, now + pair_.config_.latency)) {
    ++stats_.tx_dropped;
    ++pair_.dropped_;
    return false;
  }
  ++stats_.tx_frames;
  stats_.tx_bytes += frame.size();
  return true;
}

PipePair::PipePair(const PipeConfig& config)
    : config_(config), a_(*this, 0, config), b_(*this, 1, config) {
  a_.peer_ = &b_;
  b_.peer_ = &a_;
}

}  // namespace lwnet
