// ICMPv6 (RFC 4443): the common header and its checksum over the IPv6
// pseudo-header, echo, and the four error messages, with the emission of an
// error that quotes as much of the offending packet as fits in 1280 bytes.
// Neighbor Discovery (wire/ndisc.h) and MLD (wire/mld.h) parse the message
// bodies of their own types after Icmpv6Repr::parse checked the checksum.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

enum class Icmpv6Type : std::uint8_t {
  DestinationUnreachable = 1,
  PacketTooBig = 2,
  TimeExceeded = 3,
  ParameterProblem = 4,
  EchoRequest = 128,
  EchoReply = 129,
  MulticastListenerQuery = 130,
  MulticastListenerReport = 131,   // MLDv1
  MulticastListenerDone = 132,
  RouterSolicitation = 133,
  RouterAdvertisement = 134,
  NeighborSolicitation = 135,
  NeighborAdvertisement = 136,
  Redirect = 137,
  MulticastListenerReportV2 = 143,
};

// The type byte on the wire, for switches and comparisons with raw bytes.
constexpr std::uint8_t icmpv6_type_value(Icmpv6Type type) { return static_cast<std::uint8_t>(type); }

enum class Icmpv6Unreachable : std::uint8_t {
  NoRoute = 0,
  AdministrativelyProhibited = 1,
  BeyondScopeOfSourceAddress = 2,
  Address = 3,
  Port = 4,
  SourceAddressFailedPolicy = 5,
  RejectRoute = 6,
};
enum class Icmpv6TimeExceeded : std::uint8_t { HopLimitExceeded = 0, ReassemblyTimeout = 1 };
enum class Icmpv6ParameterProblem : std::uint8_t {
  ErroneousHeaderField = 0,
  UnrecognizedNextHeader = 1,
  UnrecognizedOption = 2,
  IncompleteHeaderChain = 3,  // RFC 7112: the first fragment lacks the upper-layer header
};

// Any thread. Error messages have types 0-127, informational ones 128-255
// (RFC 4443 2.1): no error is ever sent about an error.
constexpr bool icmpv6_is_error(std::uint8_t type) { return type < 128; }

// The most an error message quotes of the offending packet, so that the
// whole error (IPv6 header, ICMPv6 header, quote) fits the minimum MTU.
inline constexpr std::size_t icmpv6_max_quote_len = 1280 - 40 - 8;

struct Icmpv6Repr {
  static constexpr std::size_t header_len = 8;

  std::uint8_t type = 0;  // Icmpv6Type value; unknown types parse (the caller counts them)
  std::uint8_t code = 0;
  // Echo request/reply.
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  // Packet too big: the MTU of the next hop.
  std::uint32_t mtu = 0;
  // Parameter problem: the offset of the error in the offending packet.
  std::uint32_t pointer = 0;
  // parse: echo data or the quoted packet of an error (bytes 8 on).
  ConstBytes data;
  // parse: the whole message, for ND and MLD to parse their own types.
  ConstBytes whole_message;

  // Any thread. Truncated below 8 bytes; BadChecksum when verify_checksum
  // and the checksum over the pseudo-header and the message is wrong.
  static Result<Icmpv6Repr> parse(ConstBytes message, const Ipv6Address& source,
                                  const Ipv6Address& destination, bool verify_checksum);
  // Any thread. Writes the 8-byte header into message[0..8) (the fields of
  // its type: echo id/sequence, MTU, pointer; zero otherwise) and the
  // checksum over all of message (the data must be in place already).
  void emit(Bytes message, const Ipv6Address& source, const Ipv6Address& destination) const;

  // Any thread. The length of the error message about an offending packet
  // of offending_len bytes: the header and as much as can be quoted.
  static std::size_t error_len(std::size_t offending_len) {
    return header_len + (offending_len < icmpv6_max_quote_len ? offending_len : icmpv6_max_quote_len);
  }
  // Any thread. Writes an error message (this repr's type, code, mtu or
  // pointer) quoting the start of offending_packet (its IPv6 header first)
  // into message[0..error_len(offending_packet.size())), with its checksum.
  // offending_packet may already sit at message[8..) (nothing is copied
  // then); otherwise the two must not overlap. Returns the bytes written; InvalidArgument when type is not an error,
  // TooBig when message is shorter than that length.
  Result<std::size_t> emit_error(Bytes message, ConstBytes offending_packet,
                                 const Ipv6Address& source, const Ipv6Address& destination) const;
};

// Any thread. Computes the ICMPv6 checksum over the pseudo-header and all
// of message and stores it at bytes 2-3 (for ND and MLD emitters too).
void icmpv6_fill_checksum(Bytes message, const Ipv6Address& source, const Ipv6Address& destination);
// Any thread. True when the checksum stored in message is right.
bool icmpv6_checksum_ok(ConstBytes message, const Ipv6Address& source,
                        const Ipv6Address& destination);

}  // namespace lwnet
