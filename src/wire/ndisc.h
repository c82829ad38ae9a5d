// Neighbor Discovery messages (RFC 4861): router solicitation and
// advertisement, neighbor solicitation and advertisement, redirect; and
// their options: link-layer addresses, prefix information, MTU, recursive
// DNS servers (RFC 8106), route information (RFC 4191).
//
// NdiscRepr::parse takes a message whose ICMPv6 checksum Icmpv6Repr::parse
// already verified, and the IPv6 header it came in, so that every check of
// RFC 4861 that needs no state (hop limit 255, code 0, lengths, option
// lengths, source and destination rules) is made once, here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"

namespace lwnet {

enum class NdiscOptionType : std::uint8_t {
  SourceLinkLayerAddress = 1,
  TargetLinkLayerAddress = 2,
  PrefixInformation = 3,
  RedirectedHeader = 4,
  Mtu = 5,
  Nonce = 14,              // RFC 3971 5.3.2; RFC 7527 puts it in DAD probes
  RouteInformation = 24,   // RFC 4191
  RecursiveDnsServer = 25,  // RFC 8106
  DnsSearchList = 31,       // RFC 8106
};

// Default router preference (RFC 4191 2.1) of an RA and preference of a
// route information option: a 2-bit signed value.
enum class NdiscPreference : std::uint8_t { Medium = 0, High = 1, Reserved = 2, Low = 3 };

// One option, as the iterator found it: its type and all its bytes (type
// and length included, length * 8 bytes).
struct NdiscOption {
  std::uint8_t type = 0;
  ConstBytes bytes;
};

// Any thread. Proves that options (the bytes after a message's fixed part)
// is a sequence of whole options: Malformed for a zero length (RFC 4861
// 4.6: the message must be discarded), Truncated for one running past the
// end or fewer than two bytes left.
Status ndisc_check_options(ConstBytes options);

// Walks options that ndisc_check_options accepted. Any thread.
class NdiscOptionIterator {
 public:
  explicit NdiscOptionIterator(ConstBytes options) : options_(options) {}
  std::optional<NdiscOption> next();

 private:
  ConstBytes options_;
  std::size_t at_ = 0;
};

// Any thread. The address of a source/target link-layer address option;
// Malformed unless it holds one Ethernet address (length 1).
Result<MacAddress> ndisc_parse_link_layer_address(const NdiscOption& option);
// Any thread. The MTU option's value; Malformed unless its length is 1.
Result<std::uint32_t> ndisc_parse_mtu(const NdiscOption& option);

// The nonce of a DAD probe (RFC 7527 4.1): 6 random bytes, a Nonce option
// of length 1, as Linux sends.
using NdiscNonce = std::array<std::uint8_t, 6>;
// Any thread. The Nonce option's value; Malformed unless its length is 1
// (RFC 3971 allows longer nonces, which no DAD probe of ours carries).
Result<NdiscNonce> ndisc_parse_nonce(const NdiscOption& option);

struct NdiscPrefixInformation {
  static constexpr std::size_t option_len = 32;

  std::uint8_t prefix_len = 0;
  bool on_link = false;     // L
  bool autonomous = false;  // A: usable for SLAAC
  std::uint32_t valid_lifetime = 0;      // seconds; 0xffffffff is infinity
  std::uint32_t preferred_lifetime = 0;  // seconds
  Ipv6Address prefix;

  // Any thread. Malformed unless the length is 4 and prefix_len <= 128.
  // (A preferred lifetime above the valid one is for SLAAC to ignore.)
  static Result<NdiscPrefixInformation> parse(const NdiscOption& option);
};

// Recursive DNS Server option (RFC 8106 5.1): one or more addresses.
struct NdiscRdnss {
  std::uint32_t lifetime = 0;  // seconds; 0xffffffff is infinity, 0 removes them
  ConstBytes addresses;        // 16 bytes each

  std::size_t count() const { return addresses.size() / 16; }
  Ipv6Address address(std::size_t i) const { return Ipv6Address::from_bytes(addresses.subspan(i * 16, 16)); }
  static constexpr std::size_t option_len(std::size_t count) { return 8 + 16 * count; }

  // Any thread. Malformed unless the length is odd and at least 3 (RFC
  // 8106 5.1: at least one address).
  static Result<NdiscRdnss> parse(const NdiscOption& option);
};

// Route Information option (RFC 4191 2.3).
struct NdiscRouteInformation {
  // Always emitted with the full 16-byte prefix (as radvd does).
  static constexpr std::size_t option_len = 24;

  std::uint8_t prefix_len = 0;
  NdiscPreference preference = NdiscPreference::Medium;  // Reserved: ignore the option
  std::uint32_t lifetime = 0;  // seconds; 0xffffffff is infinity
  Ipv6Address prefix;          // bits beyond prefix_len are zero

  // Any thread. Malformed when prefix_len > 128, or when the length (1-3)
  // is too short for prefix_len (RFC 4191 2.3), or outside 1-3.
  static Result<NdiscRouteInformation> parse(const NdiscOption& option);
};

// Appends options behind a message's fixed part. Every call returns TooBig
// (and writes nothing) when the area has no room left. Any thread.
class NdiscOptionWriter {
 public:
  static constexpr std::size_t link_layer_address_len = 8;
  static constexpr std::size_t mtu_len = 8;
  static constexpr std::size_t nonce_len = 8;

  explicit NdiscOptionWriter(Bytes area) : area_(area) {}
  Status link_layer_address(NdiscOptionType type, const MacAddress& address);
  Status mtu(std::uint32_t mtu);
  Status nonce(const NdiscNonce& nonce);
  Status prefix_information(const NdiscPrefixInformation& info);
  Status rdnss(std::uint32_t lifetime, std::span<const Ipv6Address> servers);
  Status route_information(const NdiscRouteInformation& route);
  std::size_t written() const { return at_; }

 private:
  Result<Bytes> take(std::size_t length);
  Bytes area_;
  std::size_t at_ = 0;
};

struct NdiscRepr {
  std::uint8_t type = 0;  // an Icmpv6Type from RouterSolicitation to Redirect

  // Router advertisement.
  std::uint8_t current_hop_limit = 0;  // 0: unspecified
  bool managed = false;                // M: addresses from DHCPv6
  bool other = false;                  // O: other configuration from DHCPv6
  NdiscPreference router_preference = NdiscPreference::Medium;
  std::uint16_t router_lifetime = 0;  // seconds; 0: not a default router
  std::uint32_t reachable_time = 0;   // milliseconds; 0: unspecified
  std::uint32_t retrans_timer = 0;    // milliseconds; 0: unspecified

  // Neighbor advertisement flags.
  bool router = false;     // R
  bool solicited = false;  // S
  bool override = false;   // O

  // Neighbor solicitation/advertisement and redirect: the target.
  Ipv6Address target;
  // Redirect: the destination that is better reached through target.
  Ipv6Address destination;

  // parse: the options behind the fixed part (already checked).
  ConstBytes options;

  // Any thread. The length of the fixed part of this type (0 for others).
  static std::size_t fixed_len(std::uint8_t type);
  NdiscOptionIterator option_iterator() const { return NdiscOptionIterator(options); }

  // Any thread. message: the whole ICMPv6 message (checksum verified);
  // ip: the header it came in. Refuses (RFC 4861 6.1, 7.1, 8.1):
  // Unsupported for a type that is not ND; Truncated below the fixed part;
  // Malformed for a hop limit other than 255, a code other than 0, bad
  // option lengths (see ndisc_check_options), a multicast target, an RA
  // or redirect whose source is not link-local, an NS from the unspecified
  // address to anything but a solicited-node group or with a source
  // link-layer address option, an NA with S set sent to a multicast
  // destination, a redirect whose destination is multicast or whose target
  // is neither link-local nor the destination.
  static Result<NdiscRepr> parse(ConstBytes message, const Ipv6Repr& ip);

  // Any thread. Writes the fixed part (fixed_len(type) bytes) into
  // message; the options (NdiscOptionWriter) must be in place behind it and
  // message must end where they end; then the checksum over all of it.
  void emit(Bytes message, const Ipv6Address& source, const Ipv6Address& destination) const;
};

// Any thread. ff02::1:ffXX:XXXX, the group that NS for `address` go to.
// RFC 4861 7.1.1: ND messages leave with hop limit 255 and arrive with it,
// which proves the sender is on the link.
inline constexpr std::uint8_t ndisc_hop_limit = 255;

Ipv6Address ndisc_solicited_node(const Ipv6Address& address);

}  // namespace lwnet
