#include "link/pcap_writer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/checksum.h"

namespace lwnet {
namespace {

// Classic pcap (libpcap's savefile format, version 2.4): a 24-byte file
// header, then per frame a 16-byte record header and the captured bytes.
// The magic number written in the file's byte order tells readers that order
// and that timestamps are in microseconds.
constexpr std::uint32_t kMagicMicroseconds = 0xa1b2c3d4;
constexpr std::uint16_t kVersionMajor = 2;
constexpr std::uint16_t kVersionMinor = 4;
constexpr std::size_t kFileHeaderSize = 24;
constexpr std::size_t kRecordHeaderSize = 16;

void store_le16(Bytes b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

void store_le32(Bytes b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
  b[at + 2] = static_cast<std::uint8_t>(v >> 16);
  b[at + 3] = static_cast<std::uint8_t>(v >> 24);
}

}  // namespace

PcapLinkType PcapWriter::link_type_for(Medium medium) {
  return medium == Medium::Ip ? PcapLinkType::RawIp : PcapLinkType::Ethernet;
}

PcapWriter::PcapWriter(Device& inner, PcapSink& sink, std::uint32_t snap_length)
    : inner_(inner),
      sink_(sink),
      snap_length_(snap_length),
      link_type_(link_type_for(inner.capabilities().medium)) {
  const DeviceCapabilities capabilities = inner.capabilities();
  if (const std::size_t largest = std::max(capabilities.tcp_segmentation, capabilities.receive_offload);
      largest > 0) {
    completed_size_ = largest + 64;  // the packet and its link header
    completed_ = std::make_unique_for_overwrite<std::uint8_t[]>(completed_size_);
  }
  std::array<std::uint8_t, kFileHeaderSize> header{};
  store_le32(header, 0, kMagicMicroseconds);
  store_le16(header, 4, kVersionMajor);
  store_le16(header, 6, kVersionMinor);
  store_le32(header, 8, 0);   // thiszone: timestamps are not shifted
  store_le32(header, 12, 0);  // sigfigs: always 0 in practice
  store_le32(header, 16, snap_length_);
  store_le32(header, 20, static_cast<std::uint32_t>(link_type_));
  sink_.write(header);
  sink_.record_end();
}

void PcapWriter::record(ConstBytes frame, Instant now) {
  // Instants before the epoch of the clock (only a test would make one) are
  // written as 0 rather than as a huge unsigned second count.
  const std::int64_t micros = std::max<std::int64_t>(now.total_micros(), 0);
  const std::size_t captured = std::min<std::size_t>(frame.size(), snap_length_);
  std::array<std::uint8_t, kRecordHeaderSize> header{};
  store_le32(header, 0, static_cast<std::uint32_t>(micros / 1000000));
  store_le32(header, 4, static_cast<std::uint32_t>(micros % 1000000));
  store_le32(header, 8, static_cast<std::uint32_t>(captured));
  store_le32(header, 12, static_cast<std::uint32_t>(frame.size()));
  sink_.write(header);
  sink_.write(frame.first(captured));
  sink_.record_end();
  ++pcap_stats_.records;
  if (captured < frame.size()) {
    ++pcap_stats_.truncated;
  }
}

std::optional<std::size_t> PcapWriter::receive(Bytes into, Instant now) {
  const std::optional<std::size_t> n = inner_.receive(into, now);
  if (n) {
    record(into.first(*n), now);
  }
  return n;
}

std::optional<std::size_t> PcapWriter::receive_offloaded(Bytes into, ReceiveOffload& offload, Instant now) {
  const std::optional<std::size_t> n = inner_.receive_offloaded(into, offload, now);
  if (n) {
    if (offload.checksum_partial) {
      record_completed(into.first(*n), offload.checksum_start, offload.checksum_offset, now);
    } else {
      record(into.first(*n), now);
    }
  }
  return n;
}

bool PcapWriter::transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) {
  if (!inner_.transmit_segmented(frame, offload, now)) return false;
  record_completed(frame, offload.checksum_start, offload.checksum_offset, now);
  return true;
}

void PcapWriter::record_completed(ConstBytes frame, std::size_t checksum_start, std::size_t checksum_offset,
                                  Instant now) {
  const std::size_t field = checksum_start + checksum_offset;
  if (frame.size() > completed_size_ || field + 2 > frame.size()) {
    record(frame, now);  // cannot complete it: record it as it went
    return;
  }
  Bytes copy(completed_.get(), frame.size());
  std::memcpy(copy.data(), frame.data(), frame.size());
  // The field holds the pseudo-header sum: summing from the start with it
  // in place gives the whole checksum.
  store_be16(copy, field, Checksum{}.add(ConstBytes(copy).subspan(checksum_start)).finish());
  record(copy, now);
}

bool PcapWriter::transmit(ConstBytes frame, Instant now) {
  if (!inner_.transmit(frame, now)) {
    return false;
  }
  record(frame, now);
  return true;
}

}  // namespace lwnet
