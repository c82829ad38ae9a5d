#include "apps/address_selection.h"

#include <algorithm>

#include "core/stack.h"

namespace lwnet {

namespace {

// RFC 6724 3.1 scopes (RFC 4291 2.7 values); IPv4 maps as its 3.2 says.
constexpr int scope_link_local = 2;
constexpr int scope_global = 14;

int scope_of(const IpAddress& a) {
  if (a.is_v4()) {
    return a.v4().is_loopback() || a.v4().is_link_local() ? scope_link_local : scope_global;
  }
  const Ipv6Address& v6 = a.v6();
  if (v6.is_multicast()) return v6.octets[1] & 0x0f;
  if (v6.is_loopback() || v6.is_link_local()) return scope_link_local;
  if (v6.is_v4_mapped()) return scope_of(IpAddress(Ipv4Address::from_bytes(ConstBytes(v6.octets).subspan(12))));
  return scope_global;
}

bool has_prefix(const Ipv6Address& a, std::initializer_list<std::uint8_t> bytes, std::size_t bits) {
  std::size_t i = 0;
  for (std::uint8_t b : bytes) {
    const std::size_t left = bits - i * 8;
    const auto mask = static_cast<std::uint8_t>(left >= 8 ? 0xff : 0xff << (8 - left));
    if ((a.octets[i] & mask) != (b & mask)) return false;
    ++i;
  }
  return true;
}

// RFC 6724 2.1's default policy table, precedence column.
int precedence_of(const IpAddress& a) {
  if (a.is_v4()) return 35;  // ::ffff:0:0/96
  const Ipv6Address& v6 = a.v6();
  if (v6.is_loopback()) return 50;
  if (v6.is_v4_mapped()) return 35;
  if (has_prefix(v6, {0x20, 0x02}, 16)) return 30;                // 6to4
  if (has_prefix(v6, {0x20, 0x01, 0x00, 0x00}, 32)) return 5;     // Teredo
  if (has_prefix(v6, {0xfc}, 7)) return 3;                        // unique local
  if (has_prefix(v6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return 1;  // IPv4-compatible
  if (has_prefix(v6, {0xfe, 0xc0}, 10)) return 1;                 // site-local
  if (has_prefix(v6, {0x3f, 0xfe}, 16)) return 1;                 // 6bone
  return 40;
}

// The scope of the source the host would use for `a`, or 0 when it has none.
int source_scope_for(const IpAddress& a, const SourceAddresses& sources) {
  // The loopback netif has 127.0.0.1; ::1 only once the host speaks IPv6.
  if (a.is_loopback()) {
    return a.is_v4() || sources.ipv6_global || sources.ipv6_link_local ? scope_link_local : 0;
  }
  if (a.is_v4() || a.v6().is_v4_mapped()) return sources.ipv4 ? scope_global : 0;
  const int wanted = scope_of(a);
  if (wanted <= scope_link_local) {
    if (sources.ipv6_link_local) return scope_link_local;
    return sources.ipv6_global ? scope_global : 0;
  }
  if (sources.ipv6_global) return scope_global;
  return sources.ipv6_link_local ? scope_link_local : 0;
}

}  // namespace

void order_destinations(std::span<IpAddress> addresses, const SourceAddresses& sources) {
  std::stable_sort(addresses.begin(), addresses.end(), [&](const IpAddress& a, const IpAddress& b) {
    const int source_a = source_scope_for(a, sources);
    const int source_b = source_scope_for(b, sources);
    // Rule 1: avoid unusable destinations.
    if ((source_a != 0) != (source_b != 0)) return source_a != 0;
    // Rule 2: prefer matching scope.
    const bool match_a = source_a == scope_of(a);
    const bool match_b = source_b == scope_of(b);
    if (match_a != match_b) return match_a;
    // Rule 6: prefer higher precedence.
    const int precedence_a = precedence_of(a);
    const int precedence_b = precedence_of(b);
    if (precedence_a != precedence_b) return precedence_a > precedence_b;
    // Rule 8: prefer smaller scope.
    return scope_of(a) < scope_of(b);
  });
}

SourceAddresses source_addresses(const Stack& stack) {
  SourceAddresses sources;
  for (std::size_t i = 0; i < config::max_netifs; ++i) {
    const Result<NetifInfo> info = stack.netif_info(NetifId{static_cast<std::uint8_t>(i)});
    if (!info.ok() || info->is_loopback || !info->up) continue;
    if (info->ipv4.has_value() && !info->ipv4->address.is_unspecified()) sources.ipv4 = true;
    // Only addresses a packet may leave from: not tentative (DAD still
    // probing), duplicated or invalid; deprecated ones still count.
    const auto addresses = stack.ipv6_addresses(NetifId{static_cast<std::uint8_t>(i)});
    if (!addresses) continue;
    for (const Ipv6NetifAddress& a : *addresses) {
      if (!a.usable() || a.address.is_loopback() || a.address.is_multicast()) continue;
      (a.address.is_link_local() ? sources.ipv6_link_local : sources.ipv6_global) = true;
    }
  }
  return sources;
}

}  // namespace lwnet
