// What the stack needs from a network device: frames in, frames out.
// Devices are owned by the application and outlive the stack that uses them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "time/instant.h"
#include "util/bytes.h"

namespace lwnet {

enum class Medium : std::uint8_t {
  Ethernet,  // frames carry an Ethernet II header (TAP, pipe)
  Ip,        // frames are bare IP packets (loopback, PPP)
};

struct DeviceCapabilities {
  Medium medium = Medium::Ethernet;
  std::size_t mtu = 1500;  // largest IP packet (not counting the Ethernet header)
};

struct DeviceStats {
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_dropped = 0;  // too long for the buffer, or a read error
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t tx_dropped = 0;  // the device could not take the frame
};

class Device {
 public:
  virtual ~Device() = default;

  virtual DeviceCapabilities capabilities() const = 0;

  // Core thread. Places the next received frame at the start of `into` and
  // returns its length, or nullopt when nothing is waiting. A frame longer
  // than `into` is dropped (stats().rx_dropped) and the next one is tried.
  virtual std::optional<std::size_t> receive(Bytes into, Instant now) = 0;

  // Core thread. Sends one frame; false (and stats().tx_dropped) when the
  // device cannot take it now. The frame is copied before this returns.
  virtual bool transmit(ConstBytes frame, Instant now) = 0;

  // Core thread. The earliest instant at which receive() will have a frame
  // without any outside event (a frame a simulated link is still carrying),
  // or Instant::max().
  virtual Instant next_deadline() const { return Instant::max(); }

  virtual const DeviceStats& stats() const = 0;

 protected:
  Device() = default;
  Device(const Device&) = default;
  Device& operator=(const Device&) = default;
};

}  // namespace lwnet
