// Router discovery for a host (RFC 4861 6.3): router solicitations, router
// advertisements into the router list (default routers, on-link prefixes,
// RFC 4191 routes, RFC 8106 RDNSS servers), and stateless address
// autoconfiguration (RFC 4862 5.5) from the advertised prefixes.
#include <algorithm>

#include "ip/ip_layer.h"
#include "wire/ndisc.h"

namespace lwnet {

namespace {

// RFC 4861 10, host constants.
constexpr std::uint32_t max_rtr_solicitation_delay_us = 1000000;
constexpr Duration rtr_solicitation_interval = Duration::seconds(4);
constexpr std::uint8_t max_rtr_solicitations = 3;
// RFC 4862 5.5.3 e): a valid lifetime at most this long is not shortened by
// an unauthenticated RA below it.
constexpr Duration two_hours = Duration::seconds(2 * 60 * 60);
// RFC 4861 10: MAX_REACHABLE_TIME. An RA's Reachable Time or Retrans Timer
// above it is ignored (an hour between solicitations would stall resolution).
constexpr std::uint32_t max_nd_timer_ms = 3600000;
// Floors for what an RA may set (Linux's too): a router cannot make us
// solicit or probe in a tight loop.
constexpr std::uint32_t min_reachable_time_ms = 100;
constexpr std::uint32_t min_retrans_timer_ms = 10;

// RFC 4191 2.2: the reserved value is treated as medium.
RouterPreference preference_of(NdiscPreference p) {
  switch (p) {
    case NdiscPreference::High:
      return RouterPreference::High;
    case NdiscPreference::Low:
      return RouterPreference::Low;
    case NdiscPreference::Medium:
    case NdiscPreference::Reserved:
      break;
  }
  return RouterPreference::Medium;
}

// The prefix with the bits beyond prefix_len cleared.
Ipv6Address masked(const Ipv6Address& prefix, std::uint8_t prefix_len) {
  Ipv6Address a = prefix;
  for (std::size_t i = 0; i < a.octets.size(); ++i) {
    const std::size_t first_bit = i * 8;
    if (first_bit >= prefix_len) {
      a.octets[i] = 0;
    } else if (first_bit + 8 > prefix_len) {
      const auto keep = static_cast<unsigned>(prefix_len - first_bit);
      a.octets[i] = static_cast<std::uint8_t>(a.octets[i] & (0xffU << (8 - keep)));
    }
  }
  return a;
}

// The RDNSS addresses a netif has, in table order, to see whether an RA
// changed them.
template <std::size_t N>
std::array<Ipv6Address, N> rdnss_of(const std::array<std::optional<RdnssServer>, N>& table,
                                    NetifId id) {
  std::array<Ipv6Address, N> out{};
  std::size_t at = 0;
  for (const std::optional<RdnssServer>& s : table) {
    if (s && s->netif == id) out[at++] = s->address;
  }
  return out;
}

}  // namespace

// ---- Router solicitation -----------------------------------------------------

void IpLayer::start_router_solicitation(NetifId id, Instant now) {
  // Never reached without IPv6, whose tables are then empty (config::ipv6_slots).
  if constexpr (!config::ipv6) return;
  const Netif& n = netifs_[id];
  if (n.loopback || n.medium != Medium::Ethernet || !n.usable()) return;
  const Ipv6NetifAddress& link_local = n.ipv6[0];
  if (!link_local.usable() || !link_local.address.is_link_local()) return;
  RouterAdvertisementState& state = routers_.state(id);
  state.received = false;
  state.solicitations_sent = 0;
  // RFC 4861 6.3.7: a random delay, so that hosts that come up together
  // (after a power cut) do not all ask at once.
  timers_.arm(rs_timer(id), now + Duration::micros(random_.below(max_rtr_solicitation_delay_us)));
}

void IpLayer::router_solicitation_due(NetifId id, Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  Netif& n = netifs_[id];
  RouterAdvertisementState& state = routers_.state(id);
  if (!n.usable() || state.received || state.solicitations_sent >= max_rtr_solicitations) return;
  const Ipv6NetifAddress& link_local = n.ipv6[0];
  if (!link_local.usable()) return;
  NdiscRepr rs;
  rs.type = static_cast<std::uint8_t>(Icmpv6Type::RouterSolicitation);
  const std::size_t fixed = NdiscRepr::fixed_len(rs.type);
  const std::size_t length = fixed + NdiscOptionWriter::link_layer_address_len;
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (buf) {
    Bytes message = buf->append(length);
    NdiscOptionWriter writer(message.subspan(fixed));
    (void)writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, n.mac);
    rs.emit(message, link_local.address, Ipv6Address::all_routers());
    if (send_icmpv6(id, link_local.address, Ipv6Address::all_routers(), ndisc_hop_limit, std::move(*buf), now)) {
      ++stats_.nd.tx_router_solicitation;
    }
  } else {
    ++stats_.ipv6.drop_no_buffer;
  }
  // A solicitation lost for want of a buffer still counts: the next one
  // keeps the RFC's spacing.
  ++state.solicitations_sent;
  if (state.solicitations_sent < max_rtr_solicitations) {
    timers_.arm(rs_timer(id), now + rtr_solicitation_interval);
  }
}

// ---- Router advertisement ------------------------------------------------------

void IpLayer::apply_nd_timers(NetifId id, std::uint32_t reachable_time_ms, std::uint32_t retrans_timer_ms,
                              RouterAdvertisementState& state, Instant now) {
  // 0: the router leaves it unspecified (RFC 4861 4.2).
  if (reachable_time_ms > max_nd_timer_ms || retrans_timer_ms > max_nd_timer_ms) ++stats_.nd.ra_option_ignored;
  NdCache::Timing timing = nd_cache_.timing(id);
  if (reachable_time_ms != 0 && reachable_time_ms <= max_nd_timer_ms &&
      reachable_time_ms != state.reachable_time_ms) {
    // RFC 4861 6.3.4: a new BaseReachableTime draws a new ReachableTime,
    // uniform between 0.5 and 1.5 times it (6.3.2), so that the hosts of a
    // link do not probe in step. The same base again keeps the draw (until
    // redraw_reachable_times()).
    state.reachable_time_ms = reachable_time_ms;
    timing.reachable_time = draw_reachable_time(state);
    arm_no_later(reachable_time_timer, now + nd_timing::reachable_time_redraw);
  }
  if (retrans_timer_ms != 0 && retrans_timer_ms <= max_nd_timer_ms) {
    state.retrans_timer_ms = retrans_timer_ms;
    timing.retrans_timer = Duration::millis(std::max(retrans_timer_ms, min_retrans_timer_ms));
  }
  nd_cache_.set_timing(id, timing);
}

Duration IpLayer::draw_reachable_time(RouterAdvertisementState& state) {
  if constexpr (!config::ipv6) return Duration::zero();  // no IPv6 tables (see ipv6_output)
  const std::uint32_t base = std::max(state.reachable_time_ms, min_reachable_time_ms);
  state.drawn_reachable_time_ms = base / 2 + random_.below(base + 1);
  return Duration::millis(state.drawn_reachable_time_ms);
}

void IpLayer::redraw_reachable_times(Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  // RFC 4861 6.3.4: ReachableTime is drawn again "at least every few
  // hours" even when no RA changes its base, so that hosts that drew
  // close values once do not stay in step. Only netifs whose base came
  // from an RA: without one ReachableTime stays the 30 s constant.
  bool any = false;
  for (std::size_t i = 0; i < NetifTable::capacity; ++i) {
    const NetifId id{static_cast<std::uint8_t>(i)};
    if (netifs_.get(id) == nullptr) continue;
    RouterAdvertisementState& state = routers_.state(id);
    if (state.reachable_time_ms == 0) continue;
    NdCache::Timing timing = nd_cache_.timing(id);
    timing.reachable_time = draw_reachable_time(state);
    nd_cache_.set_timing(id, timing);
    any = true;
  }
  if (any) timers_.arm(reachable_time_timer, now + nd_timing::reachable_time_redraw);
}

void IpLayer::router_advertisement_input(NetifId id, const NdiscRepr& ra, const Ipv6Address& source,
                                         std::optional<MacAddress> link_address, Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  ++stats_.nd.rx_router_advertisement;
  Netif& n = netifs_[id];
  if (n.loopback || !n.usable()) return;
  RouterAdvertisementState& state = routers_.state(id);
  const bool first = !state.received;
  state.received = true;
  timers_.cancel(rs_timer(id));
  const auto rdnss_before = rdnss_of(routers_.rdnss(), id);

  if (link_address) {
    nd_cache_.learn(id, source, *link_address, now, nd_resolved_, evicted_);
    send_nd_resolved(id, source, now);
    arm_no_later(nd_timer, nd_cache_.next_deadline());
  }
  nd_cache_.mark_router(id, source);
  if (ra.current_hop_limit != 0) state.current_hop_limit = ra.current_hop_limit;
  apply_nd_timers(id, ra.reachable_time, ra.retrans_timer, state, now);
  // Router lifetime 0 takes the router out of the default router list.
  if (!routers_.update_router(id, source, lifetime_deadline(ra.router_lifetime, now),
                              preference_of(ra.router_preference), now)) {
    ++stats_.nd.drop_router_table_full;
  }

  NdiscOptionIterator options = ra.option_iterator();
  while (std::optional<NdiscOption> option = options.next()) {
    switch (static_cast<NdiscOptionType>(option->type)) {
      case NdiscOptionType::Mtu: {
        // Never above the netif's own MTU, which is within the device's and
        // the frame buffers' (a larger one would be sent and lost).
        const Result<std::uint32_t> mtu = ndisc_parse_mtu(*option);
        if (!mtu || *mtu < ipv6_minimum_mtu || *mtu > n.configured_mtu) {
          ++stats_.nd.ra_option_ignored;
          break;
        }
        n.mtu = *mtu;
        break;
      }
      case NdiscOptionType::PrefixInformation: {
        const Result<NdiscPrefixInformation> info = NdiscPrefixInformation::parse(*option);
        if (!info || info->prefix.is_link_local() || info->prefix.is_multicast()) {
          ++stats_.nd.ra_option_ignored;
          break;
        }
        if (info->on_link &&
            !routers_.update_prefix(id, masked(info->prefix, info->prefix_len), info->prefix_len,
                                    lifetime_deadline(info->valid_lifetime, now), now)) {
          ++stats_.nd.drop_prefix_table_full;
        }
        if (info->autonomous && slaac_) slaac_prefix(id, *info, now);
        break;
      }
      case NdiscOptionType::RouteInformation: {
        if constexpr (!config::ipv6_nd6_route_info_option_support) break;
        const Result<NdiscRouteInformation> route = NdiscRouteInformation::parse(*option);
        if (!route || route->preference == NdiscPreference::Reserved) {
          ++stats_.nd.ra_option_ignored;
          break;
        }
        if (!routers_.update_route(id, masked(route->prefix, route->prefix_len), route->prefix_len,
                                   source, preference_of(route->preference),
                                   lifetime_deadline(route->lifetime, now), now)) {
          ++stats_.nd.drop_route_table_full;
        }
        break;
      }
      case NdiscOptionType::RecursiveDnsServer: {
        if constexpr (config::ipv6_rdnss_max_dns_servers == 0) break;
        const Result<NdiscRdnss> rdnss = NdiscRdnss::parse(*option);
        if (!rdnss) {
          ++stats_.nd.ra_option_ignored;
          break;
        }
        for (std::size_t i = 0; i < rdnss->count(); ++i) {
          const Ipv6Address server = rdnss->address(i);
          if (server.is_unspecified() || server.is_multicast() || server.is_loopback()) {
            ++stats_.nd.ra_option_ignored;
            continue;
          }
          if (!routers_.update_rdnss(id, server, lifetime_deadline(rdnss->lifetime, now), now)) {
            ++stats_.nd.drop_rdnss_table_full;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  arm_router_timer();
  forget_redirects_of_gone_routers();

  if (first || state.managed != ra.managed || state.other != ra.other) {
    state.managed = ra.managed;
    state.other = ra.other;
    if (ra_flags_callback_ != nullptr) ra_flags_callback_(ra_context_, id);
  }
  if (rdnss_of(routers_.rdnss(), id) != rdnss_before && rdnss_callback_ != nullptr) {
    rdnss_callback_(ra_context_, id);
  }
}

// ---- SLAAC ---------------------------------------------------------------------

void IpLayer::slaac_prefix(NetifId id, const NdiscPrefixInformation& info, Instant now) {
  // Never reached without IPv6, whose tables are then empty (config::ipv6_slots).
  if constexpr (!config::ipv6) return;
  Netif& n = netifs_[id];
  const Ipv6NetifAddress& link_local = n.ipv6[0];
  // RFC 4862 5.5.3: the prefix and the 64-bit interface identifier (the
  // link-local address's, modified EUI-64 from the MAC) must make 128 bits;
  // a preferred lifetime above the valid one is a bad option.
  if (info.prefix_len != 64 || info.preferred_lifetime > info.valid_lifetime ||
      !link_local.address.is_link_local() || link_local.state == Ipv6AddressState::Invalid) {
    ++stats_.nd.ra_option_ignored;
    return;
  }
  Ipv6Address address = info.prefix;
  for (std::size_t i = 8; i < 16; ++i) address.octets[i] = link_local.address.octets[i];

  Ipv6NetifAddress* slot = nullptr;
  for (Ipv6NetifAddress& s : n.ipv6) {
    if (s.state != Ipv6AddressState::Invalid && s.address == address) slot = &s;
  }
  if (slot == nullptr) {
    if (info.valid_lifetime == 0) return;
    const Status added = add_ipv6_address(id, address, 64, now);
    if (!added) {
      if (added.error() == Error::TableFull) ++stats_.nd.slaac_table_full;
      return;
    }
    for (Ipv6NetifAddress& s : n.ipv6) {
      if (s.state != Ipv6AddressState::Invalid && s.address == address) slot = &s;
    }
    if (slot == nullptr) return;
    slot->autoconfigured = true;
    slot->valid_until = lifetime_deadline(info.valid_lifetime, now);
    slot->preferred_until = lifetime_deadline(info.preferred_lifetime, now);
    arm_router_timer();
    return;
  }
  // An address we did not form (static) keeps its own lifetimes.
  if (!slot->autoconfigured) return;
  slot->preferred_until = lifetime_deadline(info.preferred_lifetime, now);
  if (slot->state == Ipv6AddressState::Deprecated && slot->preferred_until > now) {
    slot->state = Ipv6AddressState::Preferred;
    netif_status_changed(id);
  }
  // RFC 4862 5.5.3 e): the two-hour rule, so that a forged RA cannot take
  // an address away at once.
  const Instant received = lifetime_deadline(info.valid_lifetime, now);
  if (received > now + two_hours || received > slot->valid_until) {
    slot->valid_until = received;
  } else if (slot->valid_until > now + two_hours) {
    slot->valid_until = now + two_hours;
  }
  arm_router_timer();
}

// ---- Lifetimes -----------------------------------------------------------------

void IpLayer::arm_router_timer() {
  Instant next = routers_.next_deadline();
  for (std::size_t i = 0; i < netifs_.size(); ++i) {
    for (const Ipv6NetifAddress& s : netifs_[NetifId{static_cast<std::uint8_t>(i)}].ipv6) {
      if (!s.autoconfigured || s.state == Ipv6AddressState::Invalid) continue;
      if (s.valid_until < next) next = s.valid_until;
      // A tentative one is timed from the end of DAD (dad_due).
      if (s.state == Ipv6AddressState::Preferred && s.preferred_until < next) {
        next = s.preferred_until;
      }
    }
  }
  if (next == Instant::max()) {
    timers_.cancel(router_timer);
  } else {
    timers_.arm(router_timer, next);
  }
}

void IpLayer::router_lifetimes_due(Instant now) {
  bool routes_changed = false;
  const bool rdnss_changed = routers_.expire(now, routes_changed);
  if (routes_changed) forget_redirects_of_gone_routers();
  for (std::size_t i = 0; i < netifs_.size(); ++i) {
    const NetifId id{static_cast<std::uint8_t>(i)};
    bool changed = false;
    for (Ipv6NetifAddress& s : netifs_[id].ipv6) {
      if (!s.autoconfigured || s.state == Ipv6AddressState::Invalid) continue;
      if (s.valid_until <= now) {
        // Its solicited-node group goes with it, as with remove_ipv6_address
        // (a duplicated address left it already).
        if (netifs_[id].medium == Medium::Ethernet && s.state != Ipv6AddressState::Duplicated) {
          (void)mld_leave_group(id, ndisc_solicited_node(s.address), now);
        }
        s = Ipv6NetifAddress{};
        changed = true;
      } else if (s.state == Ipv6AddressState::Preferred && s.preferred_until <= now) {
        s.state = Ipv6AddressState::Deprecated;
        changed = true;
      }
    }
    if (changed) netif_status_changed(id);
    if (rdnss_changed && rdnss_callback_ != nullptr && !netifs_[id].loopback) {
      rdnss_callback_(ra_context_, id);
    }
  }
  arm_router_timer();
}

void IpLayer::router_list_flush(NetifId id) {
  const bool had_rdnss = rdnss_of(routers_.rdnss(), id) != decltype(rdnss_of(routers_.rdnss(), id)){};
  routers_.flush_netif(id);
  (void)redirects_.flush_netif(id);
  timers_.cancel(rs_timer(id));
  arm_router_timer();
  if (had_rdnss && rdnss_callback_ != nullptr) rdnss_callback_(ra_context_, id);
}

}  // namespace lwnet
