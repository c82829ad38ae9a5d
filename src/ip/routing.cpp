#include "ip/routing.h"

namespace lwnet {

namespace {

// The route through `n` (usable, chosen by the caller) to `destination`.
Result<IpRoute> via(const Netif& n, NetifId id, Ipv4Address destination, Ipv4Address source) {
  const Ipv4Address from = source.is_unspecified() ? n.address : source;
  const bool broadcast = n.is_broadcast(destination);
  Ipv4Address next_hop;
  if (broadcast || destination.is_multicast() || n.medium == Medium::Ip ||
      n.on_link(destination) || destination.is_link_local()) {
    // On the link (or point to point): the destination is the neighbour.
    next_hop = destination;
  } else if (n.gateway && !n.gateway->is_unspecified()) {
    next_hop = *n.gateway;
  } else {
    return Error::NoRoute;
  }
  // Only a limited broadcast may leave a netif that has no address yet (the
  // DHCP client's DISCOVER, from 0.0.0.0).
  if (from.is_unspecified() && !destination.is_broadcast()) return Error::NoRoute;
  // Every field given: nothing zeroed first only to be written over.
  return IpRoute{id, IpAddress(from), IpAddress(next_hop), broadcast};
}

// A given source must be one of our addresses (127/8 included). One a
// netif lost after a socket bound to it, or a group's or a broadcast
// address, would go out as a datagram no answer can come back to: lwIP
// refuses it (ERR_RTE), Linux too (EINVAL).
bool source_is_ours(const NetifTable& netifs, Ipv4Address source) {
  return source.is_unspecified() || netifs.is_local(source);
}

}  // namespace

Result<IpRoute> route_ipv4(const NetifTable& netifs, Ipv4Address destination,
                             Ipv4Address source) {
  if (destination.is_unspecified()) return Error::InvalidArgument;
  if (!source_is_ours(netifs, source)) return Error::NoRoute;

  // 1. Loopback: 127/8 and our own addresses.
  if (destination.is_loopback() || netifs.find_by_address(destination)) {
    const NetifId lo{0};
    const Netif& n = netifs[lo];
    if (!n.usable()) return Error::NoRoute;
    const Ipv4Address from = !source.is_unspecified() ? source
                             : destination.is_loopback() ? n.address
                                                         : destination;
    return IpRoute{lo, IpAddress(from), IpAddress(destination), false};
  }

  // A loopback source never leaves the host (RFC 1122 3.2.1.3).
  if (source.is_loopback()) return Error::NoRoute;

  // Steps 2 to 5 pick a netif; one call makes the route through it.
  const Netif* chosen = nullptr;
  NetifId chosen_id;

  // 2. Source-based routing: the netif that has the source wins; else
  // 4. the longest prefix over the subnets of usable netifs (not for a
  // broadcast or a group). One walk for both.
  const bool by_prefix = !destination.is_broadcast() && !destination.is_multicast();
  for (std::size_t i = 0; i < netifs.size(); ++i) {
    const NetifId id{static_cast<std::uint8_t>(i)};
    const Netif& n = netifs[id];
    if (n.loopback || !n.usable()) continue;
    if (!source.is_unspecified() && n.has_ipv4 && n.address == source) {
      chosen = &n;
      chosen_id = id;
      break;
    }
    if (by_prefix && n.on_link(destination) && (chosen == nullptr || n.prefix_len > chosen->prefix_len)) {
      chosen = &n;
      chosen_id = id;
    }
  }

  // 3. Limited broadcast and multicast, and 5. the rest: the default netif
  // (its gateway, or on-link when point to point).
  if (chosen == nullptr) {
    const std::optional<NetifId> default_id = netifs.default_netif();
    if (!default_id) return Error::NoRoute;
    chosen_id = *default_id;
    chosen = &netifs[chosen_id];
    if (!chosen->usable() || chosen->loopback) return Error::NoRoute;
  }
  return via(*chosen, chosen_id, destination, source);
}

Result<IpRoute> route_ipv4_via(const NetifTable& netifs, NetifId netif, Ipv4Address destination,
                                 Ipv4Address source) {
  if (destination.is_unspecified()) return Error::InvalidArgument;
  if (!source_is_ours(netifs, source)) return Error::NoRoute;
  const Netif* n = netifs.get(netif);
  if (n == nullptr) return Error::NoRoute;
  if (!n->usable()) return Error::NetDown;
  if (n->loopback) {
    if (!destination.is_loopback() && !netifs.find_by_address(destination)) return Error::NoRoute;
    return route_ipv4(netifs, destination, source);
  }
  return via(*n, netif, destination, source);
}

}  // namespace lwnet
