// Route selection: which netif a datagram leaves through, to which
// neighbour, and with which source address. IpRoute is what every family's
// routing returns and every family's output takes; IPv4's rules are here.
#pragma once

#include <optional>

#include "ip/netif.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// Both addresses are of the destination's family.
struct IpRoute {
  NetifId netif;
  IpAddress source;        // the caller's source, or the netif's address
  IpAddress next_hop;      // the neighbour to resolve: the destination or a gateway
  bool broadcast = false;  // IPv4 limited or subnet-directed broadcast (link broadcast)
};

// Core thread only. In order:
//  1. 127/8 destinations, and our own addresses, go to the loopback netif.
//  2. A source address that belongs to an up netif with link picks that netif
//     (ESP-IDF's IPv4 source-based routing): the destination is reached on
//     its subnet or through its gateway.
//  3. Limited broadcast and multicast leave through the default netif.
//  4. The usable netif whose subnet holds the destination, longest prefix
//     first.
//  5. The default netif's gateway.
// NoRoute when none applies (no usable netif, or off-link without gateway)
// or when a source is given that is none of our addresses (127/8 or an up
// netif's); InvalidArgument for an unspecified destination.
Result<IpRoute> route_ipv4(const NetifTable& netifs, Ipv4Address destination,
                             Ipv4Address source);

// The route out of `netif` whatever the table above says (SO_BINDTODEVICE,
// the DHCP client): the destination when it is on the netif's link, a
// broadcast, multicast or link-local, else the netif's gateway. A netif
// without an address sends only limited broadcasts (from 0.0.0.0). NetDown
// when the netif is down or has no link; NoRoute otherwise, and for a
// source that is none of our addresses.
Result<IpRoute> route_ipv4_via(const NetifTable& netifs, NetifId netif, Ipv4Address destination,
                                 Ipv4Address source);

class RouterList;
class NdCache;
class RedirectTable;

// The guide's LWIP_HOOK_IP6_ROUTE and LWIP_HOOK_ND6_GET_GW: asked before
// the router list for destinations that are not on-link. `route`: the
// netif to leave from (nullopt: no opinion); `gateway`: the next hop on
// that netif (nullopt: no opinion). Null by default. Core thread.
struct Ipv6RouteHooks {
  std::optional<NetifId> (*route)(void* context, const Ipv6Address& source,
                                  const Ipv6Address& destination) = nullptr;
  std::optional<Ipv6Address> (*gateway)(void* context, NetifId netif,
                                        const Ipv6Address& destination) = nullptr;
  void* context = nullptr;
};

// What route_ipv6 needs beyond the netifs for off-link destinations.
struct Ipv6Routers {
  const RouterList& list;
  const NdCache& neighbors;  // which routers are reachable
  const Ipv6RouteHooks& hooks;
  // The destination cache's redirects (RFC 4861 8.3); none: the routers'
  // own choice (what a redirect is checked against).
  const RedirectTable* redirects = nullptr;
};

// Core thread only. IPv6 (routing_ipv6.cpp), in order:
//  1. ::1 and our own addresses go to the loopback netif.
//  2. The netif: `netif` when given (SO_BINDTODEVICE, a scope id), else the
//     netif of a given source address, else for link-local destinations
//     the default netif, for multicast ones ipv6_multicast_netif(), else
//     the netif with an address whose
//     prefix holds the destination or with a prefix of the prefix list
//     (on-link), else the hooks' netif, else a router (RFC 4861 6.3.6,
//     RFC 4191): the longest Route Information prefix that holds the
//     destination, else a default router; among several, reachable ones
//     (a neighbor entry not Incomplete) first, then by preference. A given
//     netif (or source) restricts the routers to it. NoRoute when none.
//     A redirect for the destination (RedirectTable) replaces the router
//     picked with the redirect's target (the destination itself: on-link)
//     while that router is the one the redirect took the place of.
//  3. The source: the given one (AddressNotAvailable when it is not a
//     usable address of that netif), else select_ipv6_source(); NoRoute
//     when the netif has no usable address.
// InvalidArgument for an unspecified destination; NetDown when the netif is
// down or has no link.
Result<IpRoute> route_ipv6(const NetifTable& netifs, const Ipv6Address& destination,
                           const Ipv6Address& source, std::optional<NetifId> netif,
                           const Ipv6Routers* routers = nullptr);
// Core thread only. The netif of the route to a multicast group when no
// netif is named (sending without IPV6_MULTICAST_IF, IPV6_JOIN_GROUP with
// interface index 0), as Linux has it: every netif that is up routes
// ff00::/8, so the default netif while it is up, else the first other
// netif that is up; the default netif when none is (its errors then say
// why), nullopt when there is none.
std::optional<NetifId> ipv6_multicast_netif(const NetifTable& netifs);
// The source address `n` uses toward `destination` (rule 3 above): of its
// usable addresses, the best by RFC 6724 5's rules 1 (the destination
// itself), 2 (appropriate scope: link-local for link-local and link-scope
// multicast destinations), 3 (avoid deprecated), 6 (matching label) and 8
// (longest matching prefix, up to the address's prefix length).
std::optional<Ipv6Address> select_ipv6_source(const Netif& n, const Ipv6Address& destination);

}  // namespace lwnet
