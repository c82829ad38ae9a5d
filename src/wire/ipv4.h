// IPv4 header (RFC 791). Options are accepted and skipped (never acted on).
#pragma once

#include <cstdint>

#include "util/result.h"
#include "wire/address.h"
#include "wire/ip.h"

namespace lwnet {

struct Ipv4Repr {
  static constexpr std::size_t min_header_len = 20;

  Ipv4Address source;
  Ipv4Address destination;
  std::uint8_t protocol = 0;     // IpProtocol value (others are kept, not rejected)
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;          // DSCP + ECN byte
  std::uint16_t identification = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;  // in bytes (a multiple of 8)
  std::size_t header_len = min_header_len;  // parsed: including options; emitted: always 20
  ConstBytes payload;            // parse: total_length - header_len bytes (padding cut off)
  std::size_t payload_len = 0;   // emit: bytes that follow the header

  // Any thread. Rejects: version != 4 (Unsupported), IHL < 5 or total length
  // < IHL*4 (Malformed), packet shorter than IHL*4 or total length
  // (Truncated), a bad header checksum when verify_checksum (BadChecksum).
  // Option bytes are length-checked (Malformed when an option runs past the
  // header) and skipped. A fragment whose data would end past a 65535-byte
  // datagram (offset + payload + 20 > 65535) is Malformed.
  static Result<Ipv4Repr> parse(ConstBytes packet, bool verify_checksum);
  // Any thread. Writes a 20-byte header (no options) with total length
  // 20 + payload_len and its checksum.
  void emit(Bytes packet) const;
  bool is_fragment() const { return more_fragments || fragment_offset != 0; }
};

}  // namespace lwnet
