// What router advertisements taught a host (RFC 4861 6.3.4, RFC 4191, RFC
// 8106): the default router list, the on-link prefix list, routes from
// Route Information options, RDNSS servers, and per netif the RA's M and O
// flags and parameters. Fixed tables with lifetimes as deadlines; like
// NdCache it sends nothing: the RA code in ip/router_discovery.cpp fills it
// and routing_ipv6.cpp reads it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config/options.h"
#include "ip/netif_types.h"
#include "time/instant.h"
#include "wire/address.h"

namespace lwnet {

// Router preference (RFC 4191 2.1) as an order: higher is better.
enum class RouterPreference : std::int8_t { Low = -1, Medium = 0, High = 1 };

struct DefaultRouter {
  NetifId netif;
  Ipv6Address address;  // link-local
  Instant expires;      // Instant::max(): never
  RouterPreference preference = RouterPreference::Medium;
};

struct OnLinkPrefix {
  NetifId netif;
  Ipv6Address prefix;
  std::uint8_t prefix_len = 0;
  Instant expires;
};

// A more specific route through a router (RFC 4191 Route Information).
struct RouteInformation {
  NetifId netif;
  Ipv6Address prefix;
  std::uint8_t prefix_len = 0;
  Ipv6Address router;
  RouterPreference preference = RouterPreference::Medium;
  Instant expires;
};

struct RdnssServer {
  NetifId netif;
  Ipv6Address address;
  Instant expires;
};

// What the last RA on a netif said, and where its router solicitations are.
struct RouterAdvertisementState {
  bool received = false;  // an RA arrived since the netif came up: no more RS
  bool managed = false;   // M
  bool other = false;     // O
  std::uint8_t solicitations_sent = 0;
  std::uint8_t current_hop_limit = 0;  // 0: the stack's default
  std::uint32_t reachable_time_ms = 0;  // 0: unspecified
  // The ReachableTime drawn from it (RFC 4861 6.3.2), redrawn every
  // nd_timing::reachable_time_redraw; 0 while reachable_time_ms is.
  std::uint32_t drawn_reachable_time_ms = 0;
  std::uint32_t retrans_timer_ms = 0;   // 0: unspecified
};

// A lifetime in seconds from an RA as a deadline: 0xffffffff is infinity.
inline Instant lifetime_deadline(std::uint32_t seconds, Instant now) {
  if (seconds == 0xffffffffU) return Instant::max();
  return now + Duration::seconds(seconds);
}

// Core thread only.
class RouterList {
 public:
  static constexpr std::size_t max_routers = config::ipv6_slots(config::ipv6_nd6_num_routers);
  static constexpr std::size_t max_prefixes = config::ipv6_slots(config::ipv6_nd6_num_prefixes);
  // No Route Information slots while the option is off: nothing fills them.
  static constexpr std::size_t max_routes = config::ipv6_slots(
      config::ipv6_nd6_route_info_option_support ? config::ipv6_nd6_num_route_info : 0);
  static constexpr std::size_t max_rdnss = config::ipv6_slots(config::ipv6_rdnss_max_dns_servers);

  // Creates, refreshes or (lifetime 0: `expires` <= now) removes. Returns
  // false when the table is full (the new entry is not kept).
  bool update_router(NetifId netif, const Ipv6Address& address, Instant expires,
                     RouterPreference preference, Instant now);
  bool update_prefix(NetifId netif, const Ipv6Address& prefix, std::uint8_t prefix_len,
                     Instant expires, Instant now);
  bool update_route(NetifId netif, const Ipv6Address& prefix, std::uint8_t prefix_len,
                    const Ipv6Address& router, RouterPreference preference, Instant expires,
                    Instant now);
  bool update_rdnss(NetifId netif, const Ipv6Address& address, Instant expires, Instant now);

  // Drops what expired; true when the RDNSS list changed (to republish).
  // `changed_routes` is set when routers, prefixes or routes went away.
  bool expire(Instant now, bool& changed_routes);
  // Everything a netif learned (it went down).
  void flush_netif(NetifId netif);
  Instant next_deadline() const;

  // Address resolution of the router `address` failed (it may be dead):
  // among routers none of which is known reachable, the next choice starts
  // after it, so that each is tried in turn (RFC 4861 6.3.6's round robin)
  // rather than the first for as long as its lifetime lasts.
  void pass_over_router(NetifId netif, const Ipv6Address& address);
  // Where the round robin starts: an index into routers().
  std::size_t round_robin_start() const { return round_robin_start_; }

  // `address` is a default router on `netif`, or the router of a route.
  bool has_router(NetifId netif, const Ipv6Address& address) const;
  // A prefix of the list on `netif` holds `address`.
  bool on_link(NetifId netif, const Ipv6Address& address) const;

  const std::array<std::optional<DefaultRouter>, max_routers>& routers() const { return routers_; }
  const std::array<std::optional<OnLinkPrefix>, max_prefixes>& prefixes() const { return prefixes_; }
  const std::array<std::optional<RouteInformation>, max_routes>& routes() const { return routes_; }
  const std::array<std::optional<RdnssServer>, max_rdnss>& rdnss() const { return rdnss_; }

  RouterAdvertisementState& state(NetifId netif) { return states_[netif.value]; }
  const RouterAdvertisementState& state(NetifId netif) const { return states_[netif.value]; }

 private:
  std::array<std::optional<DefaultRouter>, max_routers> routers_{};
  std::array<std::optional<OnLinkPrefix>, max_prefixes> prefixes_{};
  std::array<std::optional<RouteInformation>, max_routes> routes_{};
  std::array<std::optional<RdnssServer>, max_rdnss> rdnss_{};
  std::array<RouterAdvertisementState, config::ipv6_slots(config::max_netifs)> states_{};
  std::size_t round_robin_start_ = 0;
};

}  // namespace lwnet
