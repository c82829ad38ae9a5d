// IPv4 header (RFC 791). Options are accepted and skipped (never acted on),
// except that the Router Alert option (RFC 2113, which IGMP needs) is noted
// on input and can be emitted.
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
  std::size_t header_len = min_header_len;  // parsed: including options; emitted: see emit()
  // Router Alert (RFC 2113, value 0): parsed when present; emitted as the
  // header's only option when set.
  bool router_alert = false;
  ConstBytes payload;            // parse: total_length - header_len bytes (padding cut off)
  std::size_t payload_len = 0;   // emit: bytes that follow the header

  // Any thread. Rejects: version != 4 (Unsupported), IHL < 5 or total length
  // < IHL*4 (Malformed), packet shorter than IHL*4 or total length
  // (Truncated), a bad header checksum when verify_checksum (BadChecksum).
  // Option bytes are length-checked (Malformed when an option runs past the
  // header) and skipped. A fragment whose data would end past a 65535-byte
  // datagram (offset + payload + 20 > 65535) is Malformed.
  static Result<Ipv4Repr> parse(ConstBytes packet, bool verify_checksum);
  // Any thread. Writes an emitted_header_len()-byte header (20 bytes, or 24
  // with Router Alert) with total length header + payload_len and its checksum.
  void emit(Bytes packet) const;
  std::size_t emitted_header_len() const { return min_header_len + (router_alert ? 4 : 0); }
  bool is_fragment() const { return more_fragments || fragment_offset != 0; }
};

}  // namespace lwnet
