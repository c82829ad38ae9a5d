// UDP header (RFC 768; checksum rules of RFC 8200 section 8.1 for IPv6).
#pragma once

#include <cstdint>

#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

struct UdpRepr {
  static constexpr std::size_t header_len = 8;

  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  ConstBytes payload;  // parse: exactly length - 8 bytes

  // Any thread. Truncated when shorter than the header or the length field;
  // Malformed when length < 8 or a port is 0 as destination; BadChecksum
  // when verify_checksum and the checksum is wrong. A zero checksum means
  // "none" over IPv4 and is Malformed over IPv6.
  static Result<UdpRepr> parse(ConstBytes datagram, const IpAddress& source,
                               const IpAddress& destination, bool verify_checksum);
  // Any thread. Writes the header into datagram[0..8) with length
  // datagram.size() and, when with_checksum (always over IPv6), the checksum
  // over the pseudo-header and all of datagram (0 is sent as 0xffff).
  void emit(Bytes datagram, const IpAddress& source, const IpAddress& destination,
            bool with_checksum) const;
};

}  // namespace lwnet
