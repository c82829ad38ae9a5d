// IPv6 route and source address selection (RFC 4861 5.2 and 6.3.6, RFC
// 4191 3.2, RFC 6724 section 5 reduced to the rules a host with a few
// addresses per netif needs).
#include <algorithm>

#include "ip/nd_cache.h"
#include "ip/redirect_table.h"
#include "ip/router_list.h"
#include "ip/routing.h"
#include "wire/address_policy.h"

namespace lwnet {

namespace {

bool on_link(const Netif& n, NetifId id, const Ipv6Address& destination,
             const Ipv6Routers* routers) {
  return n.on_link_v6(destination) || (routers != nullptr && routers->list.on_link(id, destination));
}

struct NextHop {
  NetifId netif;
  Ipv6Address router;
};

// RFC 4861 6.3.6: a router whose neighbor entry is not Incomplete is
// (probably) reachable.
int reachability(const Ipv6Routers& routers, NetifId netif, const Ipv6Address& router) {
  const NdCache::Entry* e = routers.neighbors.find(netif, router);
  return e != nullptr && e->state != NdCache::State::Incomplete ? 1 : 0;
}

std::optional<NextHop> pick_router(const NetifTable& netifs, const Ipv6Routers& routers,
                                   const Ipv6Address& destination, std::optional<NetifId> only) {
  auto allowed = [&](NetifId id) {
    if (only && *only != id) return false;
    const Netif* n = netifs.get(id);
    return n != nullptr && n->usable();
  };
  // Route Information: the longest prefix, then reachability, then preference.
  std::optional<NextHop> best;
  int best_key = -1;
  for (const std::optional<RouteInformation>& r : routers.list.routes()) {
    if (!r || !allowed(r->netif) || !IpCidr{r->prefix, r->prefix_len}.contains(destination)) continue;
    const int key = r->prefix_len * 16 + reachability(routers, r->netif, r->router) * 4 +
                    static_cast<int>(r->preference) + 1;
    if (key > best_key) {
      best_key = key;
      best = NextHop{r->netif, r->router};
    }
  }
  if (best) return best;
  // Equal keys keep the first in turn from the round robin's start.
  const auto& list = routers.list.routers();
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::size_t at = routers.list.round_robin_start() + i;
    if (at >= list.size()) at -= list.size();
    const std::optional<DefaultRouter>& r = list[at];
    if (!r || !allowed(r->netif)) continue;
    const int key = reachability(routers, r->netif, r->address) * 4 +
                    static_cast<int>(r->preference) + 1;
    if (key > best_key) {
      best_key = key;
      best = NextHop{r->netif, r->address};
    }
  }
  return best;
}

// RFC 6724 5: whether `a` is a better source than `b` for `destination`, by
// the rules a host's addresses on one netif can tell apart, in order: 1
// (the destination itself), 2 (appropriate scope), 3 (avoid deprecated), 6
// (matching label: a unique local source for a unique local destination,
// not for a global one) and 8 (longest matching prefix). Rules 4, 5 and 7
// (home, outgoing interface, temporary addresses) find no difference here.
// Equal ones keep the first.
bool better_source(const Ipv6NetifAddress& a, const Ipv6NetifAddress& b, const Ipv6Address& destination) {
  if (a.address == destination || b.address == destination) return a.address == destination;
  const int scope_a = ipv6_address_scope(a.address);
  const int scope_b = ipv6_address_scope(b.address);
  if (scope_a != scope_b) {
    const int scope_destination = ipv6_address_scope(destination);
    // The smaller scope when it still reaches the destination, else the larger.
    return scope_a < scope_b ? scope_a >= scope_destination : scope_b < scope_destination;
  }
  const bool deprecated_a = a.state == Ipv6AddressState::Deprecated;
  const bool deprecated_b = b.state == Ipv6AddressState::Deprecated;
  if (deprecated_a != deprecated_b) return deprecated_b;
  const int label_destination = address_label(IpAddress(destination));
  const bool label_a = address_label(IpAddress(a.address)) == label_destination;
  const bool label_b = address_label(IpAddress(b.address)) == label_destination;
  if (label_a != label_b) return label_a;
  // CommonPrefixLen counts no further than the source's prefix (RFC 6724 2.2).
  const std::size_t match_a = std::min<std::size_t>(common_prefix_length(a.address, destination), a.prefix_len);
  const std::size_t match_b = std::min<std::size_t>(common_prefix_length(b.address, destination), b.prefix_len);
  return match_a > match_b;
}

}  // namespace

std::optional<Ipv6Address> select_ipv6_source(const Netif& n, const Ipv6Address& destination) {
  const Ipv6NetifAddress* best = nullptr;
  for (const Ipv6NetifAddress& s : n.ipv6) {
    if (!s.usable()) continue;
    if (best == nullptr || better_source(s, *best, destination)) best = &s;
  }
  if (best == nullptr) return std::nullopt;
  return best->address;
}

std::optional<NetifId> ipv6_multicast_netif(const NetifTable& netifs) {
  const std::optional<NetifId> preferred = netifs.default_netif();
  if (preferred && netifs[*preferred].up) return preferred;
  for (std::size_t i = 0; i < netifs.size(); ++i) {
    const NetifId id{static_cast<std::uint8_t>(i)};
    if (!netifs[id].loopback && netifs[id].up) return id;
  }
  return preferred;
}

Result<IpRoute> route_ipv6(const NetifTable& netifs, const Ipv6Address& destination,
                           const Ipv6Address& source, std::optional<NetifId> netif,
                           const Ipv6Routers* routers) {
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
  if (!out && destination.is_multicast()) out = ipv6_multicast_netif(netifs);
  if (!out && destination.is_link_local()) out = netifs.default_netif();
  if (!out) {
    for (std::size_t i = 0; i < netifs.size() && !out; ++i) {
      const NetifId id{static_cast<std::uint8_t>(i)};
      const Netif& n = netifs[id];
      if (!n.loopback && n.usable() && on_link(n, id, destination, routers)) out = id;
    }
  }
  Ipv6Address next_hop = destination;
  bool redirected = false;
  const bool link_scope_destination = destination.is_link_local() || destination.is_multicast();
  if (routers != nullptr && !link_scope_destination) {
    if (!out && routers->hooks.route != nullptr) {
      out = routers->hooks.route(routers->hooks.context, source, destination);
    }
    const Netif* candidate = out ? netifs.get(*out) : nullptr;
    const bool direct = candidate != nullptr &&
                        (candidate->medium == Medium::Ip || on_link(*candidate, *out, destination, routers));
    if (!direct) {
      std::optional<Ipv6Address> gateway;
      if (out && routers->hooks.gateway != nullptr) {
        gateway = routers->hooks.gateway(routers->hooks.context, *out, destination);
      }
      if (gateway) {
        next_hop = *gateway;
      } else if (std::optional<NextHop> hop = pick_router(netifs, *routers, destination, out)) {
        out = hop->netif;
        next_hop = hop->router;
        // A redirect holds only while the router it took the place of is
        // still the one picked: were another one picked now, the redirect
        // was not its advice.
        if (routers->redirects != nullptr) {
          const std::optional<Ipv6Address> target =
              routers->redirects->find(hop->netif, destination, hop->router);
          if (target) {
            next_hop = *target;
            redirected = true;
          }
        }
      }
    }
  }
  if (!out) return Error::NoRoute;
  const Netif* n = netifs.get(*out);
  if (n == nullptr || n->loopback) return Error::NoRoute;
  if (!n->usable()) return Error::NetDown;
  const bool reachable = link_scope_destination || redirected || n->medium == Medium::Ip ||
                         !(next_hop == destination) || on_link(*n, *out, destination, routers);
  if (!reachable) return Error::NoRoute;

  // 3. The source.
  IpRoute r;
  r.netif = *out;
  r.next_hop = next_hop;
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
