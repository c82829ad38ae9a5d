// Records every frame a device receives and transmits in the classic libpcap
// file format, so any run (a unit test, a simulation, the lwnet command on a
// TAP) can be opened in tcpdump or Wireshark and checked by a second,
// independent parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "link/device.h"
#include "time/instant.h"
#include "util/bytes.h"

namespace lwnet {

// Where the capture's bytes go: a file (link/linux/pcap_file.h), memory in a
// test, a UART on a board. Called by the thread that drives the PcapWriter.
class PcapSink {
 public:
  virtual ~PcapSink() = default;
  // Appends bytes to the capture.
  virtual void write(ConstBytes bytes) = 0;
  // The file header or a whole record has been written: a point where a
  // reader of a growing capture would see complete records.
  virtual void record_end() {}

 protected:
  PcapSink() = default;
  PcapSink(const PcapSink&) = default;
  PcapSink& operator=(const PcapSink&) = default;
};

// libpcap link types (www.tcpdump.org/linktypes.html).
enum class PcapLinkType : std::uint32_t {
  Ethernet = 1,
  RawIp = 101,  // packets start with the IPv4 or IPv6 header
};

struct PcapStats {
  std::uint64_t records = 0;    // frames written
  std::uint64_t truncated = 0;  // frames longer than the snap length, cut
};

// A Device that passes everything to the device it wraps and writes each
// frame to a PcapSink: received frames as they are handed up, transmitted
// frames once the inner device took them. Timestamps are the `now` of the
// call, in microseconds (the clock the stack is driven with: monotonic on a
// host, virtual in a simulation). Classic pcap has no direction field.
//
// The file header is written by the constructor. The file's byte order is
// little-endian on every host, so the bytes of a capture depend only on the
// frames and instants.
//
// Core thread only; the inner device and the sink must outlive the writer.
class PcapWriter final : public Device {
 public:
  static constexpr std::uint32_t kDefaultSnapLength = 65535;

  PcapWriter(Device& inner, PcapSink& sink, std::uint32_t snap_length = kDefaultSnapLength);
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  DeviceCapabilities capabilities() const override { return inner_.capabilities(); }
  std::optional<std::size_t> receive(Bytes into, Instant now) override;
  // Records a frame whose checksum the host left partial as the stack will
  // see it: completed (a super-frame too, which the stack itself trusts).
  std::optional<std::size_t> receive_offloaded(Bytes into, ReceiveOffload& offload, Instant now) override;
  bool transmit(ConstBytes frame, Instant now) override;
  // Records the large frame as the device completes it: with the checksum
  // filled in (the segments on the wire carry the same bytes, cut up).
  bool transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) override;
  Instant next_deadline() const override { return inner_.next_deadline(); }
  const DeviceStats& stats() const override { return inner_.stats(); }

  // Writes one record, for frames that do not pass through a device.
  void record(ConstBytes frame, Instant now);

  PcapLinkType link_type() const { return link_type_; }
  const PcapStats& pcap_stats() const { return pcap_stats_; }

  static PcapLinkType link_type_for(Medium medium);

 private:
  Device& inner_;
  PcapSink& sink_;
  std::uint32_t snap_length_;
  PcapLinkType link_type_;
  PcapStats pcap_stats_;
  // Records `frame` with the checksum field at checksum_start +
  // checksum_offset completed, in a copy; as it is when that cannot be done.
  void record_completed(ConstBytes frame, std::size_t checksum_start, std::size_t checksum_offset, Instant now);

  // A completed copy of a segmented or partly summed frame (only when the
  // inner device offloads).
  std::unique_ptr<std::uint8_t[]> completed_;
  std::size_t completed_size_ = 0;
};

}  // namespace lwnet
