#include "ip/router_list.h"

#include "wire/ip.h"

namespace lwnet {

namespace {

// Finds the entry `same` picks, or a free slot for a new one; refreshes,
// creates or removes it. False only when a new entry finds no room.
template <typename T, std::size_t N, typename Same>
bool upsert(std::array<std::optional<T>, N>& table, Same same, const T& value, Instant now) {
  std::optional<T>* free = nullptr;
  for (std::optional<T>& slot : table) {
    if (slot && same(*slot)) {
      if (value.expires <= now) {
        slot.reset();
      } else {
        slot = value;
      }
      return true;
    }
    if (!slot && free == nullptr) free = &slot;
  }
  if (value.expires <= now) return true;
  if (free == nullptr) return false;
  *free = value;
  return true;
}

template <typename T, std::size_t N>
bool expire_table(std::array<std::optional<T>, N>& table, Instant now) {
  bool any = false;
  for (std::optional<T>& slot : table) {
    if (slot && slot->expires <= now) {
      slot.reset();
      any = true;
    }
  }
  return any;
}

template <typename T, std::size_t N>
void earliest(const std::array<std::optional<T>, N>& table, Instant& at) {
  for (const std::optional<T>& slot : table) {
    if (slot && slot->expires < at) at = slot->expires;
  }
}

template <typename T, std::size_t N>
void flush(std::array<std::optional<T>, N>& table, NetifId netif) {
  for (std::optional<T>& slot : table) {
    if (slot && slot->netif == netif) slot.reset();
  }
}

}  // namespace

bool RouterList::update_router(NetifId netif, const Ipv6Address& address, Instant expires,
                               RouterPreference preference, Instant now) {
  return upsert(
      routers_,
      [&](const DefaultRouter& r) { return r.netif == netif && r.address == address; },
      DefaultRouter{netif, address, expires, preference}, now);
}

bool RouterList::update_prefix(NetifId netif, const Ipv6Address& prefix, std::uint8_t prefix_len,
                               Instant expires, Instant now) {
  return upsert(
      prefixes_,
      [&](const OnLinkPrefix& p) {
        return p.netif == netif && p.prefix == prefix && p.prefix_len == prefix_len;
      },
      OnLinkPrefix{netif, prefix, prefix_len, expires}, now);
}

bool RouterList::update_route(NetifId netif, const Ipv6Address& prefix, std::uint8_t prefix_len,
                              const Ipv6Address& router, RouterPreference preference,
                              Instant expires, Instant now) {
  return upsert(
      routes_,
      [&](const RouteInformation& r) {
        return r.netif == netif && r.prefix == prefix && r.prefix_len == prefix_len &&
               r.router == router;
      },
      RouteInformation{netif, prefix, prefix_len, router, preference, expires}, now);
}

bool RouterList::update_rdnss(NetifId netif, const Ipv6Address& address, Instant expires,
                              Instant now) {
  if constexpr (config::ipv6_rdnss_max_dns_servers == 0) return false;
  return upsert(
      rdnss_,
      [&](const RdnssServer& s) { return s.netif == netif && s.address == address; },
      RdnssServer{netif, address, expires}, now);
}

bool RouterList::expire(Instant now, bool& changed_routes) {
  const bool routers = expire_table(routers_, now);
  const bool prefixes = expire_table(prefixes_, now);
  const bool routes = expire_table(routes_, now);
  changed_routes = routers || prefixes || routes;
  return expire_table(rdnss_, now);
}

void RouterList::flush_netif(NetifId netif) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see IpLayer::ipv6_output)
  flush(routers_, netif);
  flush(prefixes_, netif);
  flush(routes_, netif);
  flush(rdnss_, netif);
  states_[netif.value] = RouterAdvertisementState{};
}

Instant RouterList::next_deadline() const {
  Instant at = Instant::max();
  earliest(routers_, at);
  earliest(prefixes_, at);
  earliest(routes_, at);
  earliest(rdnss_, at);
  return at;
}

void RouterList::pass_over_router(NetifId netif, const Ipv6Address& address) {
  for (std::size_t i = 0; i < routers_.size(); ++i) {
    if (routers_[i] && routers_[i]->netif == netif && routers_[i]->address == address) {
      round_robin_start_ = i + 1 == routers_.size() ? 0 : i + 1;
      return;
    }
  }
}

bool RouterList::has_router(NetifId netif, const Ipv6Address& address) const {
  for (const std::optional<DefaultRouter>& r : routers_) {
    if (r && r->netif == netif && r->address == address) return true;
  }
  for (const std::optional<RouteInformation>& r : routes_) {
    if (r && r->netif == netif && r->router == address) return true;
  }
  return false;
}

bool RouterList::on_link(NetifId netif, const Ipv6Address& address) const {
  for (const std::optional<OnLinkPrefix>& p : prefixes_) {
    if (p && p->netif == netif && IpCidr{p->prefix, p->prefix_len}.contains(address)) return true;
  }
  return false;
}

}  // namespace lwnet
