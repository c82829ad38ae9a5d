// ICMP for IPv4 (RFC 792): echo, and the errors lwnet sends and receives.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/result.h"

namespace lwnet {

enum class Icmpv4Type : std::uint8_t {
  EchoReply = 0, DestinationUnreachable = 3, Redirect = 5, EchoRequest = 8,
  TimeExceeded = 11, ParameterProblem = 12,
};
enum class Icmpv4Unreachable : std::uint8_t {
  Net = 0, Host = 1, Protocol = 2, Port = 3, FragmentationNeeded = 4,
};
enum class Icmpv4TimeExceeded : std::uint8_t { TtlExpired = 0, ReassemblyTimeout = 1 };

struct Icmpv4Repr {
  static constexpr std::size_t header_len = 8;

  std::uint8_t type = 0;   // Icmpv4Type value; unknown types parse (and are counted by the caller)
  std::uint8_t code = 0;
  // Echo request/reply: identifier and sequence number.
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  // Destination unreachable / fragmentation needed: next-hop MTU (RFC 1191).
  std::uint16_t next_hop_mtu = 0;
  // parse: echo data, or the quoted original datagram of an error.
  ConstBytes data;

  // Any thread. Truncated below 8 bytes; BadChecksum when verify_checksum.
  static Result<Icmpv4Repr> parse(ConstBytes message, bool verify_checksum);
  // Any thread. Writes the 8-byte header into message[0..8) and the checksum
  // over all of message (the data must be in place already).
  void emit(Bytes message) const;
};

}  // namespace lwnet
