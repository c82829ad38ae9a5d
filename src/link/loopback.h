// The loopback device, and the fixed ring of frames it shares with the
// in-process pipe (link/pipe.h): both are "a device whose transmit fills
// somebody's receive queue".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "config/options.h"
#include "link/device.h"

namespace lwnet {

// A FIFO of frames, each with the instant from which it may be received.
// All memory is taken at construction: `capacity` slots of `max_frame`
// bytes. Core thread only.
class FrameRing {
 public:
  FrameRing(std::size_t capacity, std::size_t max_frame);

  // Copies `frame` in; false when the ring is full or the frame too long.
  bool push(ConstBytes frame, Instant ready_at);
  // The oldest frame, or an empty span when the ring is empty.
  ConstBytes front() const;
  Instant front_ready_at() const;  // Instant::max() when empty
  void pop();

  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::size_t max_frame_;
  std::unique_ptr<std::uint8_t[]> storage_;
  std::unique_ptr<std::size_t[]> lengths_;
  std::unique_ptr<Instant[]> ready_at_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

// The ring of a loopback device that queues nothing
// (CONFIG_LWIP_NETIF_LOOPBACK 0): every packet is refused, and no ring code
// is compiled in.
class NoFrames {
 public:
  NoFrames(std::size_t, std::size_t) {}
  bool push(ConstBytes, Instant) { return false; }
  ConstBytes front() const { return {}; }
  Instant front_ready_at() const { return Instant::max(); }
  void pop() {}
  bool empty() const { return true; }
  std::size_t size() const { return 0; }
};

// The device behind the loopback netif (127.0.0.1/8) and behind packets a
// stack sends to its own addresses: transmit queues the bare IP packet
// (Medium::Ip) for the next receive. At most `capacity` packets wait
// (CONFIG_LWIP_LOOPBACK_MAX_PBUFS); more are refused and counted in
// stats().tx_dropped; none without CONFIG_LWIP_NETIF_LOOPBACK, whatever
// `capacity` says. Core thread only.
class Loopback final : public Device {
 public:
  // Frames arrive into the stack's frame buffers, so the MTU stays below
  // their size: larger datagrams are fragmented like on Ethernet.
  static constexpr std::size_t default_mtu = 1500;

  explicit Loopback(std::size_t capacity = config::netif_loopback ? config::loopback_max_pbufs : 0,
                    std::size_t mtu = default_mtu);

  DeviceCapabilities capabilities() const override;
  std::optional<std::size_t> receive(Bytes into, Instant now) override;
  bool transmit(ConstBytes frame, Instant now) override;
  // A queued packet is due at once (the instant it was sent).
  Instant next_deadline() const override { return ring_.front_ready_at(); }
  const DeviceStats& stats() const override { return stats_; }

  std::size_t queued() const { return ring_.size(); }

 private:
  std::size_t mtu_;
  std::conditional_t<config::netif_loopback, FrameRing, NoFrames> ring_;
  DeviceStats stats_;
};

}  // namespace lwnet
