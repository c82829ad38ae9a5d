// Link and network addresses. One IpAddress type holds IPv4 or IPv6 so that
// netifs, routing and endpoints are dual-stack from the start.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "config/options.h"
#include "util/bytes.h"

namespace lwnet {

struct MacAddress {
  std::array<std::uint8_t, 6> octets{};

  static constexpr MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  // memcpy, not byte by byte: a word and a halfword each way on Cortex-M.
  static MacAddress from_bytes(ConstBytes b) {
    MacAddress m;
    std::memcpy(m.octets.data(), b.first(6).data(), 6);
    return m;
  }
  void write(Bytes b) const { std::memcpy(b.first(6).data(), octets.data(), 6); }
  constexpr bool is_broadcast() const { return *this == broadcast(); }
  constexpr bool is_multicast() const { return (octets[0] & 1U) != 0; }
  constexpr bool is_unicast() const { return !is_multicast() && *this != MacAddress{}; }
  constexpr auto operator<=>(const MacAddress&) const = default;
  // A word and a halfword compared, not a call to memcmp (the array's ==).
  friend constexpr bool operator==(const MacAddress& a, const MacAddress& b) {
    if (std::is_constant_evaluated()) return a.octets == b.octets;
    std::uint32_t a_front = 0;
    std::uint32_t b_front = 0;
    std::uint16_t a_back = 0;
    std::uint16_t b_back = 0;
    std::memcpy(&a_front, a.octets.data(), 4);
    std::memcpy(&b_front, b.octets.data(), 4);
    std::memcpy(&a_back, a.octets.data() + 4, 2);
    std::memcpy(&b_back, b.octets.data() + 4, 2);
    return a_front == b_front && a_back == b_back;
  }
};

struct Ipv4Address {
  std::uint32_t value = 0;  // host order: 192.0.2.1 is 0xc0000201

  static constexpr Ipv4Address of(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return {(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d};
  }
  static constexpr Ipv4Address any() { return {0}; }
  static constexpr Ipv4Address broadcast() { return {0xffffffffU}; }
  static constexpr Ipv4Address loopback() { return of(127, 0, 0, 1); }
  static Ipv4Address from_bytes(ConstBytes b) { return {load_be32(b, 0)}; }
  void write(Bytes b) const { store_be32(b, 0, value); }
  std::array<std::uint8_t, 4> octets() const {
    return {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
            static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
  }

  constexpr bool is_unspecified() const { return value == 0; }
  constexpr bool is_broadcast() const { return value == 0xffffffffU; }
  constexpr bool is_multicast() const { return (value >> 28) == 0xe; }
  constexpr bool is_loopback() const { return (value >> 24) == 127; }
  constexpr bool is_link_local() const { return (value >> 16) == 0xa9fe; }
  constexpr auto operator<=>(const Ipv4Address&) const = default;
};

struct Ipv6Address {
  std::array<std::uint8_t, 16> octets{};

  static Ipv6Address from_bytes(ConstBytes b) {
    Ipv6Address a;
    for (std::size_t i = 0; i < 16; ++i) a.octets[i] = b[i];
    return a;
  }
  void write(Bytes b) const { for (std::size_t i = 0; i < 16; ++i) b[i] = octets[i]; }
  static constexpr Ipv6Address loopback() {
    Ipv6Address a;
    a.octets[15] = 1;
    return a;
  }
  // ff02::LOW:LAST, a link-scope multicast group (RFC 4291 2.7).
  static constexpr Ipv6Address link_scope_group(std::uint8_t last_byte, std::uint8_t low_byte = 0) {
    Ipv6Address a;
    a.octets[0] = 0xff;
    a.octets[1] = 0x02;
    a.octets[14] = low_byte;
    a.octets[15] = last_byte;
    return a;
  }
  static constexpr Ipv6Address all_nodes() { return link_scope_group(0x01); }
  static constexpr Ipv6Address all_routers() { return link_scope_group(0x02); }
  constexpr bool is_unspecified() const { return *this == Ipv6Address{}; }
  constexpr bool is_multicast() const { return octets[0] == 0xff; }
  constexpr bool is_loopback() const { return *this == loopback(); }
  constexpr bool is_link_local() const { return octets[0] == 0xfe && (octets[1] & 0xc0) == 0x80; }
  // ::ffff:a.b.c.d (the guide: IPv4-mapped IPv6 addresses are supported).
  constexpr bool is_v4_mapped() const {
    for (std::size_t i = 0; i < 10; ++i) if (octets[i] != 0) return false;
    return octets[10] == 0xff && octets[11] == 0xff;
  }
  constexpr auto operator<=>(const Ipv6Address&) const = default;
};

// V4 is 0 so that a default IpAddress is all zero bytes: the many tables
// holding addresses are then cleared with one memset at construction
// instead of a store per entry (the values are never the header's).
enum class IpVersion : std::uint8_t { V4 = 0, V6 = 1 };

namespace address_detail {
// Where an IpAddress keeps IPv6 octets: nowhere in an IPv4-only build,
// where an IPv6 address (only an application can make one there, and the
// Stack refuses it) reads as ::. Its IpAddress takes 8 bytes instead of 24.
// (An IPv6-only build keeps its IPv4 octets: it takes IPv4 addresses as
// IPv4-mapped ones, and its wildcard is IpAddress{}.)
template <bool Kept>
struct V6Octets {
  Ipv6Address address{};
  constexpr const Ipv6Address& get() const { return address; }
  constexpr void set(const Ipv6Address& a) { address = a; }
};
template <>
struct V6Octets<false> {
  static constexpr Ipv6Address unspecified{};
  constexpr const Ipv6Address& get() const { return unspecified; }
  constexpr void set(const Ipv6Address&) {}
};
}  // namespace address_detail

// IPv4 or IPv6. A default-constructed IpAddress is the IPv4 unspecified address.
class IpAddress {
 public:
  constexpr IpAddress() = default;
  constexpr IpAddress(Ipv4Address a) : version_(IpVersion::V4), v4_(a) {}  // NOLINT: implicit by design
  constexpr IpAddress(const Ipv6Address& a) : version_(IpVersion::V6) { v6_.set(a); }  // NOLINT

  constexpr IpVersion version() const { return version_; }
  constexpr bool is_v4() const { return version_ == IpVersion::V4; }
  constexpr bool is_v6() const { return version_ == IpVersion::V6; }
  constexpr Ipv4Address v4() const { return v4_; }
  constexpr const Ipv6Address& v6() const { return v6_.get(); }

  // In an IPv4-only build an IPv6 address reads as :: and keeps 0.0.0.0 in
  // its IPv4 octets, so the IPv4 answer is the answer for both versions
  // there, without looking at the version.
  constexpr bool is_unspecified() const { return reads_as_v4() ? v4().is_unspecified() : v6().is_unspecified(); }
  constexpr bool is_multicast() const { return reads_as_v4() ? v4().is_multicast() : v6().is_multicast(); }
  constexpr bool is_loopback() const { return reads_as_v4() ? v4().is_loopback() : v6().is_loopback(); }

  constexpr bool operator==(const IpAddress& o) const {
    if (version_ != o.version_) return false;
    return is_v4() ? v4() == o.v4() : v6() == o.v6();
  }

 private:
  constexpr bool reads_as_v4() const { return !config::ipv6 || is_v4(); }

  IpVersion version_ = IpVersion::V4;
  Ipv4Address v4_{};
  [[no_unique_address]] address_detail::V6Octets<config::ipv6> v6_{};
};

// The family of an address on the core's own paths, behind the Stack's
// family checks (core/stack.cpp refuses every IPv6 address an
// application makes in an IPv4-only build): there every address the core
// handles is IPv4, and these fold the IPv6 branches away at compile time.
constexpr bool core_is_v4(const IpAddress& a) { return !config::ipv6 || a.is_v4(); }
constexpr bool core_is_v6(const IpAddress& a) { return config::ipv6 && a.is_v6(); }

// An address with a prefix length: an interface address and its subnet.
struct IpCidr {
  IpAddress address;
  std::uint8_t prefix_len = 0;

  // True when `other` is in this prefix (and of the same version).
  bool contains(const IpAddress& other) const;
  // The IPv4 netmask for prefix_len (IPv4 only).
  Ipv4Address netmask_v4() const;
  // The IPv4 subnet-directed broadcast address (IPv4 only).
  Ipv4Address broadcast_v4() const;
  bool operator==(const IpCidr&) const = default;
};

struct IpEndpoint {
  IpAddress address;
  std::uint16_t port = 0;
  // The netif a link-local IPv6 address belongs to (sin6_scope_id: the
  // NetifId plus one, as netif indexes count from 1); 0: none, the route
  // decides. fe80:: addresses are ambiguous once there are two netifs.
  std::uint32_t scope_id = 0;
  bool operator==(const IpEndpoint&) const = default;
};

// Text forms, for the command line and logs. Any thread.
// "192.0.2.1"; "2001:db8::1" (RFC 5952 form).
std::optional<IpAddress> parse_ip_address(std::string_view text);
std::optional<IpCidr> parse_ip_cidr(std::string_view text);  // "192.0.2.2/24"
std::optional<MacAddress> parse_mac_address(std::string_view text);  // "02:00:00:00:00:01"
// Writes into out (at least 46 bytes for IPv6) and returns the written text,
// NUL-terminated when out has room for it; empty when the text does not fit.
std::string_view format_ip_address(const IpAddress& a, std::span<char> out);
std::string_view format_mac_address(const MacAddress& m, std::span<char> out);  // 18 bytes

}  // namespace lwnet
