// NetBIOS name service packets (RFC 1002 4.2), the part a name responder
// needs: name queries in, positive name query responses out, with the
// first-level encoding of NetBIOS names (RFC 1001 14.1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

inline constexpr std::uint16_t netbios_name_service_port = 137;

// Header flag bits (RFC 1002 4.2.1.1), as they sit in the 16-bit field.
inline constexpr std::uint16_t netbios_flag_response = 0x8000;
inline constexpr std::uint16_t netbios_opcode_mask = 0x7800;
inline constexpr std::uint16_t netbios_flag_authoritative = 0x0400;
inline constexpr std::uint16_t netbios_flag_recursion_desired = 0x0100;
inline constexpr std::uint16_t netbios_flag_broadcast = 0x0010;

inline constexpr std::uint16_t netbios_type_nb = 0x0020;      // general name service resource
inline constexpr std::uint16_t netbios_type_nbstat = 0x0021;  // node status
inline constexpr std::uint16_t netbios_class_in = 0x0001;

// A NetBIOS name: up to 15 characters (padded with spaces on the wire) and
// the suffix byte that says which service it names (0x00 workstation,
// 0x20 file server).
struct NetbiosName {
  static constexpr std::size_t max_length = 15;
  // The first-level encoding: length byte 32, 32 letters 'A'..'P', the
  // empty root label.
  static constexpr std::size_t encoded_size = 34;

  std::array<char, max_length> text{};
  std::size_t length = 0;  // without the padding
  std::uint8_t suffix = 0;

  // Any thread. InvalidArgument when `name` is empty or longer than 15
  // characters; any character is taken (spaces and dots too, as lwIP takes
  // them). Letters are kept as given (compare with equals_ignoring_case).
  static Result<NetbiosName> of(std::string_view name, std::uint8_t suffix);
  std::string_view view() const { return {text.data(), length}; }
  // Any thread. Case-insensitive on ASCII letters, as NetBIOS names are
  // (RFC 1001 14: names are upper-cased before encoding), and blind to
  // trailing spaces, which the wire's padding cannot tell apart; suffix
  // ignored.
  bool equals_ignoring_case(std::string_view other) const;
  // Any thread. Writes encoded_size bytes into out[0..34).
  void encode(Bytes out) const;
  // Any thread. From out[0..34): Truncated when short; Malformed when the
  // label length is not 32, a character is outside 'A'..'P' or the name is
  // not followed by the root label (a scope id: Unsupported).
  static Result<NetbiosName> decode(ConstBytes encoded);
};

// A name query request (RFC 1002 4.2.12).
struct NetbiosNameQuery {
  std::uint16_t transaction_id = 0;
  std::uint16_t flags = 0;
  NetbiosName name;
  std::uint16_t type = netbios_type_nb;
  std::uint16_t klass = netbios_class_in;

  bool broadcast() const { return (flags & netbios_flag_broadcast) != 0; }

  // Any thread. Truncated when short; Malformed for a response, a question
  // count other than 1 or a bad name; Unsupported for other opcodes
  // (registration, release...) and names with a scope id.
  static Result<NetbiosNameQuery> parse(ConstBytes packet);
  // Any thread. The 50-byte query (flags as set); for tests and clients.
  static constexpr std::size_t size = 12 + NetbiosName::encoded_size + 4;
  void emit(Bytes packet) const;
};

// A positive name query response (RFC 1002 4.2.13) with one address.
struct NetbiosNameResponse {
  static constexpr std::size_t size = 12 + NetbiosName::encoded_size + 10 + 6;

  std::uint16_t transaction_id = 0;
  NetbiosName name;
  std::uint32_t ttl_seconds = 0;
  std::uint16_t nb_flags = 0;  // 0: unique name, B-node
  Ipv4Address address;

  // Any thread. Writes `size` bytes into packet[0..size); flags: response,
  // authoritative, recursion desired (what Windows and lwIP send).
  void emit(Bytes packet) const;
  // Any thread. Truncated; Malformed unless it is a response with one answer.
  static Result<NetbiosNameResponse> parse(ConstBytes packet);
};

}  // namespace lwnet
