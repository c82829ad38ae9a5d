// IPv6 route and source address selection (RFC 4861 5.2 without a router
// list yet, RFC 6724 section 5 reduced to the rules a host with a few
// addresses per netif needs).
#include "ip/routing.h"

namespace lwnet {

namespace {

// Link-local unicast, and multicast of interface- or link-local scope.
bool link_scope(const Ipv6Address& a) {
  if (a.is_link_local()) return true;
  return a.is_multicast() && (a.octets[1] & 0x0fU) <= 2;
}

}  // namespace

std::optional<Ipv6Address> select_ipv6_source(const Netif& n, const Ipv6Address& destination) {
  const Ipv6NetifAddress* link_local = nullptr;
  const Ipv6NetifAddress* on_prefix = nullptr;
  const Ipv6NetifAddress* preferred = nullptr;
  const Ipv6NetifAddress* deprecated = nullptr;
  for (const Ipv6NetifAddress& s : n.ipv6) {
    if (!s.usable()) continue;
    if (s.address.is_link_local()) {
      if (link_local == nullptr) link_local = &s;
      continue;
    }
    if (s.state == Ipv6AddressState::Deprecated) {
      if (deprecated == nullptr) deprecated = &s;
      continue;
    }
    if (on_prefix == nullptr && IpCidr{s.address, s.prefix_len}.contains(destination)) on_prefix = &s;
    if (preferred == nullptr) preferred = &s;
  }
  // Rule 2 (appropriate scope): a link-scope destination gets a link-local source.
  if (link_scope(destination) && link_local != nullptr) return link_local->address;
  for (const Ipv6NetifAddress* s : {on_prefix, preferred, deprecated, link_local}) {
    if (s != nullptr) return s->address;
  }
  return std::nullopt;
}

Result<IpRoute> route_ipv6(const NetifTable& netifs, const Ipv6Address& destination,
                           const Ipv6Address& source, std::optional<NetifId> netif) {
  if (destination.is_unspecified()) return Error::InvalidArgument;
  const NetifId lo{0};

  // 1. Loopback: ::1 and our own addresses.
  const bool to_self = destination.is_loopback() || netifs.is_local(destination);
  if (to_self && (!netif || *netif == lo || netifs.find_by_address(destination) == netif)) {
    const Netif& n = netifs[lo];
    if (!n.usable()) return Error::NoRoute;
    IpRoute r;
    r.netif = lo;
    r.next_hop = destination;
    r.source = !source.is_unspecified() ? source
               : destination.is_loopback() ? Ipv6Address::loopback()
                                           : destination;
    return r;
  }
  // A loopback source never leaves the host.
  if (source.is_loopback()) return Error::NoRoute;

  // 2. The netif.
  std::optional<NetifId> out = netif;
  if (!out && !source.is_unspecified()) out = netifs.find_by_address(source);
  if (!out && (destination.is_link_local() || destination.is_multicast())) {
    out = netifs.default_netif();
  }
  if (!out) {
    for (std::size_t i = 0; i < netifs.size() && !out; ++i) {
      const NetifId id{static_cast<std::uint8_t>(i)};
      const Netif& n = netifs[id];
      if (!n.loopback && n.usable() && n.on_link_v6(destination)) out = id;
    }
  }
  if (!out) return Error::NoRoute;
  const Netif* n = netifs.get(*out);
  if (n == nullptr || n->loopback) return Error::NoRoute;
  if (!n->usable()) return Error::NetDown;
  const bool on_link = destination.is_link_local() || destination.is_multicast() ||
                       n->medium == Medium::Ip || n->on_link_v6(destination);
  if (!on_link) return Error::NoRoute;

  // 3. The source.
  IpRoute r;
  r.netif = *out;
  r.next_hop = destination;
  if (!source.is_unspecified()) {
    if (!n->has_ipv6(source)) return Error::AddressNotAvailable;
    r.source = source;
  } else {
    const std::optional<Ipv6Address> chosen = select_ipv6_source(*n, destination);
    if (!chosen) return Error::NoRoute;
    r.source = *chosen;
  }
  return r;
}

}  // namespace lwnet
