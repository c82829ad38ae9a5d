// What the stack needs from a network device: frames in, frames out.
// Devices are owned by the application and outlive the stack that uses them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "time/instant.h"
#include "util/bytes.h"
#include "wire/address.h"

namespace lwnet {

enum class Medium : std::uint8_t {
  Ethernet,  // frames carry an Ethernet II header (TAP, pipe)
  Ip,        // frames are bare IP packets (loopback, PPP)
};

struct DeviceCapabilities {
  Medium medium = Medium::Ethernet;
  std::size_t mtu = 1500;  // largest IP packet (not counting the Ethernet header)
  // TCP segmentation offload: the largest TCP packet (IP header
  // included) that transmit_segmented() takes and cuts into segments of
  // the MSS itself, completing each checksum. 0: none.
  std::size_t tcp_segmentation = 0;
  // Receive offload: the largest frame (link header included)
  // receive_offloaded() may deliver, a TCP "super-frame" the host did not
  // cut into segments. 0: none; frames are at most mtu plus the link header.
  std::size_t receive_offload = 0;
};

// What a frame for transmit_segmented() carries besides its bytes (the
// fields of virtio's net header): cut the TCP payload after
// `header_length` bytes into pieces of `segment_size`, each with a copy of
// the headers; complete the checksum summed from `checksum_start` to the
// end, stored at `checksum_start + checksum_offset`.
struct SegmentationOffload {
  IpVersion ip_version = IpVersion::V4;  // TCPv4 or TCPv6 segments
  std::uint16_t segment_size = 0;
  std::uint16_t header_length = 0;  // Ethernet + IP + TCP headers
  std::uint16_t checksum_start = 0;
  std::uint16_t checksum_offset = 0;
};

// What a device with receive offload says of a received frame besides its
// bytes: the fields of virtio's net header as the host wrote them. The
// stack checks them against the frame (link/receive_offload.h).
struct ReceiveOffload {
  enum class Gso : std::uint8_t {
    None,     // a frame as it would be on the wire
    TcpV4,    // a TCPv4 super-frame: payload of many segments behind one header
    TcpV6,
    Unknown,  // a segmentation type the stack never asked for (UDP, ECN, ...)
  };
  Gso gso = Gso::None;
  std::uint16_t segment_size = 0;   // the MSS the host would have cut at
  std::uint16_t header_length = 0;  // how much of the front holds headers (at least)
  // The transport checksum is only partly computed (the host's own stack
  // left it to the "hardware"): the field at checksum_start +
  // checksum_offset holds the pseudo-header sum, the sum from
  // checksum_start to the end is still to be added.
  bool checksum_partial = false;
  std::uint16_t checksum_start = 0;
  std::uint16_t checksum_offset = 0;
  // The host has verified the transport checksum.
  bool checksum_valid = false;
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

  // Core thread. As receive(), for a device with receive offload: `into`
  // may be up to capabilities().receive_offload bytes, and `offload` says
  // what the host left undone (a super-frame, a partial checksum). A device
  // without it fills in a plain frame's description.
  virtual std::optional<std::size_t> receive_offloaded(Bytes into, ReceiveOffload& offload, Instant now) {
    offload = ReceiveOffload{};
    return receive(into, now);
  }

  // Core thread. Sends one frame; false (and stats().tx_dropped) when the
  // device cannot take it now. The frame is copied before this returns.
  virtual bool transmit(ConstBytes frame, Instant now) = 0;

  // Core thread. Sends one large TCP frame the device segments itself
  // (capabilities().tcp_segmentation > 0); false otherwise, or when it
  // cannot take the frame now.
  virtual bool transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) {
    (void)frame;
    (void)offload;
    (void)now;
    return false;
  }

  // Core thread. The stack brackets each poll (input, timers, its apps)
  // with these. In between, transmit() may keep a frame (returning true: it
  // is taken) to hand it on with others at the latest in end_batch(), in
  // the order given; a frame that then fails counts in stats().tx_dropped.
  // Outside a batch transmit() sends at once.
  virtual void begin_batch() {}
  virtual void end_batch() {}

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
