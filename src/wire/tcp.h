// TCP header and options (RFC 9293; MSS, window scale and timestamps RFC
// 7323, SACK RFC 2018). The TCP state machine lives in transport/tcp/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

namespace tcp_flags {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10,
                              urg = 0x20, ece = 0x40, cwr = 0x80;
}

struct TcpSackBlock {
  std::uint32_t left = 0;   // first sequence number of the block
  std::uint32_t right = 0;  // sequence number after the block
  bool operator==(const TcpSackBlock&) const = default;
};

struct TcpTimestamp {
  std::uint32_t value = 0;
  std::uint32_t echo_reply = 0;
  bool operator==(const TcpTimestamp&) const = default;
};

struct TcpRepr {
  static constexpr std::size_t min_header_len = 20;
  static constexpr std::size_t max_header_len = 60;

  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;
  std::uint8_t flags = 0;  // tcp_flags bits
  std::uint16_t window = 0;
  std::uint16_t urgent_pointer = 0;
  // Options (unknown ones are skipped on parse; so are SACK blocks without
  // CONFIG_LWNET_TCP_SACK_IN, timestamps without CONFIG_LWNET_TCP_TIMESTAMPS
  // and window scale where the build has no window scaling
  // (config::tcp_window_scaling_built), and emit() then never writes the
  // latter two; nor SACK blocks without config::tcp_sack_out_built, nor
  // SACK-permitted without SACK input or SYN cookies, which alone set it).
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  std::array<TcpSackBlock, 4> sack_blocks{};
  std::uint8_t sack_count = 0;
  std::optional<TcpTimestamp> timestamp;
  ConstBytes payload;  // parse only

  // Any thread. Truncated below 20 bytes or the data offset; Malformed for a
  // data offset < 5, or an option whose length is < 2 or runs past the header,
  // or a known option with the wrong length; BadChecksum when verify_checksum.
  static Result<TcpRepr> parse(ConstBytes segment, const IpAddress& source,
                               const IpAddress& destination, bool verify_checksum);
  // Header length with the options set here, padded to 4 bytes. Options go
  // out in Linux's order, each aligned with NOPs: MSS; SACK-permitted with
  // timestamps; window scale; SACK blocks. SACK blocks that do not fit in the
  // 40 option bytes (after the others) are left out from the last one on.
  std::size_t header_len() const;
  // Any thread. Writes header_len() bytes of header and options, then the
  // checksum over the pseudo-header and all of segment (payload in place).
  void emit(Bytes segment, const IpAddress& source, const IpAddress& destination) const;
  // The same, but for a device that completes the checksum itself (TCP
  // segmentation offload): the checksum field holds the folded
  // pseudo-header sum only, as Linux's CHECKSUM_PARTIAL expects, and the
  // payload is not read.
  void emit_for_offload(Bytes segment, const IpAddress& source, const IpAddress& destination) const;
  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

}  // namespace lwnet
