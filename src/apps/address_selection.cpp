#include "apps/address_selection.h"

#include <algorithm>
#include <optional>

#include "wire/address_policy.h"

#include "core/stack.h"

namespace lwnet {

namespace {

// RFC 6724 3.1 scopes; IPv4 maps as its 3.2 says.
int scope_of(const IpAddress& a) {
  if (a.is_v4()) {
    return a.v4().is_loopback() || a.v4().is_link_local() ? address_scope_link_local : address_scope_global;
  }
  const Ipv6Address& v6 = a.v6();
  if (v6.is_v4_mapped()) return scope_of(IpAddress(Ipv4Address::from_bytes(ConstBytes(v6.octets).subspan(12))));
  return ipv6_address_scope(v6);
}

// What RFC 6724 rules 2 and 5 compare of the source the host would pick.
struct Source {
  int scope = 0;
  int label = 0;
};

constexpr int label_ipv4 = 4;
constexpr int label_native = 1;        // ::/0: global and link-local unicast
constexpr int label_unique_local = 13;  // fc00::/7

// The source the host would use for `a` (section 5's choice, from the kinds
// of address it has), or none.
std::optional<Source> source_for(const IpAddress& a, const SourceAddresses& sources) {
  // The loopback netif has 127.0.0.1; ::1 only once the host speaks IPv6.
  if (a.is_loopback()) {
    if (!a.is_v4() && !sources.ipv6_global && !sources.ipv6_unique_local && !sources.ipv6_link_local) {
      return std::nullopt;
    }
    return Source{address_scope_link_local, address_label(a)};
  }
  if (a.is_v4() || a.v6().is_v4_mapped()) {
    if (!sources.ipv4) return std::nullopt;
    return Source{address_scope_global, label_ipv4};
  }
  const Source link_local{address_scope_link_local, label_native};
  const Source global{address_scope_global, label_native};
  const Source unique_local{address_scope_global, label_unique_local};
  if (scope_of(a) <= address_scope_link_local) {
    if (sources.ipv6_link_local) return link_local;
    if (sources.ipv6_global) return global;
    if (sources.ipv6_unique_local) return unique_local;
    return std::nullopt;
  }
  // Rule 6 of source selection: the label that matches when both kinds are there.
  if (sources.ipv6_unique_local && (address_label(a) == label_unique_local || !sources.ipv6_global)) {
    return unique_local;
  }
  if (sources.ipv6_global) return global;
  if (sources.ipv6_link_local) return link_local;
  return std::nullopt;
}

}  // namespace

void order_destinations(std::span<IpAddress> addresses, const SourceAddresses& sources) {
  std::stable_sort(addresses.begin(), addresses.end(), [&](const IpAddress& a, const IpAddress& b) {
    const std::optional<Source> source_a = source_for(a, sources);
    const std::optional<Source> source_b = source_for(b, sources);
    // Rule 1: avoid unusable destinations.
    if (source_a.has_value() != source_b.has_value()) return source_a.has_value();
    if (source_a && source_b) {
      // Rule 2: prefer matching scope.
      const bool scope_a = source_a->scope == scope_of(a);
      const bool scope_b = source_b->scope == scope_of(b);
      if (scope_a != scope_b) return scope_a;
      // Rule 5: prefer matching label.
      const bool label_a = source_a->label == address_label(a);
      const bool label_b = source_b->label == address_label(b);
      if (label_a != label_b) return label_a;
    }
    // Rule 6: prefer higher precedence.
    const int precedence_a = address_precedence(a);
    const int precedence_b = address_precedence(b);
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
      if (a.address.is_link_local()) {
        sources.ipv6_link_local = true;
      } else if ((a.address.octets[0] & 0xfe) == 0xfc) {
        sources.ipv6_unique_local = true;  // RFC 4193: fc00::/7
      } else {
        sources.ipv6_global = true;
      }
    }
  }
  return sources;
}

}  // namespace lwnet
