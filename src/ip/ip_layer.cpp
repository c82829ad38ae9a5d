#include "ip/ip_layer.h"

namespace lwnet {

static_assert(config::max_netifs <= 255, "NetifId holds a byte");

IpLayer::IpLayer(Pools& pools, const IpLayerStats& stats, Random& random, Device& loopback)
    : IpLayerState(),
      pools_(pools),
      stats_(stats),
      random_(random),
      arp_cache_(stats.arp),
      reassembly_(pools, stats.ipv4),
      reassembly6_(pools, stats.ipv6.reassembly),
      nd_cache_(stats.nd) {
  next_fragment_identification_ = random.next_u32();
  next_identification_ = static_cast<std::uint16_t>(random.next_u32());
  // Built at compile time: read-only data, not a NetifConfig stored field
  // by field on the stack.
  static constexpr NetifConfig lo = [] {
    NetifConfig c;
    c.name = "lo";
    if constexpr (config::ipv4) c.ipv4 = IpCidr{Ipv4Address::loopback(), 8};
    return c;
  }();
  // The first netif of an empty table, on a device that exists: cannot fail.
  (void)netifs_.add(loopback, lo, true);
  if constexpr (config::ipv6) {
    Ipv6NetifAddress& one = netifs_[loopback_netif()].ipv6[0];
    one.address = Ipv6Address::loopback();
    one.prefix_len = 128;
    one.state = Ipv6AddressState::Preferred;
  }
}

Result<NetifId> IpLayer::add_netif(Device& device, const NetifConfig& config, Instant now) {
  if (!config::ipv4 && (config.ipv4 || config.gateway)) return Error::Unsupported;
  Result<NetifId> id = netifs_.add(device, config, false);
  if (!id) return id;
  if (!netifs_.default_netif()) netifs_.set_default(*id);
  schedule_gratuitous_arp(*id, now);
  if constexpr (config::ipv6) add_link_local(*id, now);
  return id;
}

void IpLayer::netif_status_changed(NetifId id) {
  if constexpr (config::netif_status_callback) {
    if (status_callback_ != nullptr) status_callback_(status_context_, id);
  } else {
    (void)id;
  }
}

Status IpLayer::set_ipv4(NetifId id, const IpCidr& address, std::optional<Ipv4Address> gateway,
                         Instant now) {
  if constexpr (!config::ipv4) return Error::Unsupported;
  Netif* n = netifs_.get(id);
  if (n == nullptr || n->loopback) return Error::InvalidArgument;
  if (!address.address.is_v4() || address.prefix_len > 32) return Error::InvalidArgument;
  n->set_ipv4(address);
  n->gateway = gateway;
  n->address_conflict = false;
  // The probed address is ours now: probing is over (RFC 5227 2.4, RFC 3927
  // 2.5), and another host's probe for it is no conflict any more, only a
  // packet from it is (address_conflict). Left set, a neighbour's probe
  // made AutoIP give up its address.
  if (n->probe_ip && address.address.v4() == *n->probe_ip) {
    n->probe_ip.reset();
    n->probe_conflict = false;
  }
  schedule_gratuitous_arp(id, now);
  netif_status_changed(id);
  return {};
}

// The netif or its link went up or down: either way the link's neighbours,
// groups and routers are learned (and announced) anew.
void IpLayer::switched(NetifId id, bool on, Instant now) {
  if (on) {
    schedule_gratuitous_arp(id, now);
    igmp_report_all(id, now);
    if constexpr (config::ipv6) {
      restart_dad(id, now);
      start_router_solicitation(id, now);
    }
  } else {
    arp_cache_.flush_netif(id);
    if constexpr (config::ipv6) {
      nd_cache_.flush_netif(id);
      router_list_flush(id);
    }
    timers_.cancel(garp_timer(id));
  }
}

Status IpLayer::set_up(NetifId id, bool up, Instant now) {
  Netif* n = netifs_.get(id);
  if (n == nullptr) return Error::InvalidArgument;
  if (n->up == up) return {};
  n->up = up;
  switched(id, up, now);
  netif_status_changed(id);
  return {};
}

Status IpLayer::set_link_up(NetifId id, bool link_up, Instant now) {
  Netif* n = netifs_.get(id);
  if (n == nullptr) return Error::InvalidArgument;
  if (n->link_up == link_up) return {};
  n->link_up = link_up;
  switched(id, link_up, now);
  if constexpr (config::netif_link_callback) {
    if (link_callback_ != nullptr) link_callback_(link_context_, id);
  }
  return {};
}

Result<NetifInfo> IpLayer::netif_info(NetifId id) const {
  const Netif* n = netifs_.get(id);
  if (n == nullptr) return Error::InvalidArgument;
  return n->info();
}

Result<IpRoute> IpLayer::route(const IpAddress& destination, const IpAddress& source,
                               std::optional<NetifId> netif) const {
  // An unspecified source of either family means "pick one": callers that
  // never bound keep IpAddress{}, which is IPv4's.
  if (!source.is_unspecified() && core_is_v6(source) != core_is_v6(destination)) {
    return Error::InvalidArgument;
  }
  if (core_is_v4(destination)) {
    if constexpr (!config::ipv4) return Error::Unsupported;
    const Ipv4Address from = core_is_v4(source) ? source.v4() : Ipv4Address{};
    return netif ? route_ipv4_via(netifs_, *netif, destination.v4(), from)
                 : route_ipv4(netifs_, destination.v4(), from);
  }
  if constexpr (config::ipv6) {
    const Ipv6Address from = core_is_v6(source) ? source.v6() : Ipv6Address{};
    return route_v6(destination.v6(), from, netif);
  }
  return Error::Unsupported;
}

Result<IpRoute> IpLayer::route_v6(const Ipv6Address& destination, const Ipv6Address& source,
                                  std::optional<NetifId> netif) const {
  const Ipv6Routers routers{routers_, nd_cache_, route_hooks_, &redirects_};
  return route_ipv6(netifs_, destination, source, netif, &routers);
}

Status IpLayer::output(PacketBuf&& payload, const IpRoute& route, const IpAddress& destination,
                       const IpSendOptions& options, Instant now) {
  if (config::ipv4 && core_is_v4(destination) && core_is_v4(route.source)) {
    return ipv4_output(std::move(payload), route, destination.v4(), options, now);
  }
  if constexpr (config::ipv6) {
    if (core_is_v6(destination) && core_is_v6(route.source)) {
      return ipv6_output(std::move(payload), route, destination.v6(), options, now);
    }
  }
  return Error::Unsupported;
}

bool IpLayer::is_local(const IpAddress& address) const {
  if (core_is_v4(address)) return config::ipv4 && netifs_.is_local(address.v4());
  return config::ipv6 && netifs_.is_local(address.v6());
}

std::optional<MacAddress> IpLayer::neighbour(NetifId id, const IpAddress& address) const {
  if (core_is_v4(address)) {
    if constexpr (config::ipv4) return arp_cache_.lookup(id, address.v4());
    return std::nullopt;
  }
  if constexpr (config::ipv6) return nd_cache_.lookup(id, address.v6());
  return std::nullopt;
}

std::size_t IpLayer::path_mtu(const IpRoute& route, const IpAddress& destination) const {
  const Netif* n = netifs_.get(route.netif);
  const std::size_t link_mtu = n != nullptr ? n->mtu : ipv4_min_path_mtu;
  // Without the table nothing is ever learned: no look-up.
  if constexpr (!config::path_mtu_table) return link_mtu;
  const std::optional<std::size_t> learned = path_mtus_.find(destination);
  return learned ? std::min(*learned, link_mtu) : link_mtu;
}

void IpLayer::learn_path_mtu(const IpRoute& route, const IpAddress& destination, std::size_t mtu, Instant now) {
  // Only a lower MTU than the path has now teaches anything: neither a
  // Packet Too Big nor a Fragmentation Needed ever raises the estimate
  // (RFC 8201 4, RFC 1191 6.3).
  if (mtu >= path_mtu(route, destination)) return;
  const PathMtuTable::Learn learned = path_mtus_.learn(destination, mtu, now);
  if (learned == PathMtuTable::Learn::Ignored) return;
  const bool v4 = core_is_v4(destination);
  if (learned == PathMtuTable::Learn::Evicted) ++(v4 ? stats_.ipv4.pmtu_evicted : stats_.ipv6.pmtu_evicted);
  ++(v4 ? stats_.ipv4.pmtu_learned : stats_.ipv6.pmtu_learned);
  arm_no_later(path_mtu_timer, path_mtus_.next_deadline());
  if (path_mtu_callback_ != nullptr) path_mtu_callback_(path_mtu_context_, destination, mtu, now);
}

namespace {
// Whether `n` announces its IPv4 address (gratuitous ARP): asked where the
// announcement is scheduled and where it is sent, one copy of the test.
[[gnu::noinline]] bool announces_ipv4(const Netif& n) {
  return n.medium == Medium::Ethernet && n.usable() && n.has_ipv4;
}
}  // namespace

void IpLayer::schedule_gratuitous_arp(NetifId id, Instant now) {
  if constexpr (!config::ipv4) return;
  if (!announces_ipv4(netifs_[id])) return;
  // Sent from the next poll, so that adding a netif never transmits from
  // inside the call.
  timers_.arm(garp_timer(id), now);
}

void IpLayer::poll_timers(Instant now) {
  while (std::optional<std::uint16_t> timer = timers_.pop_expired(now)) {
    if (*timer == path_mtu_timer) {
      // Both families' entries (RFC 1191, RFC 8201); never armed without
      // the table (config::path_mtu_table).
      if constexpr (config::path_mtu_table) {
        const PathMtuTable::Expired expired = path_mtus_.expire(now);
        count(stats_.ipv4.pmtu_expired, expired.v4);
        count(stats_.ipv6.pmtu_expired, expired.v6);
        arm_no_later(path_mtu_timer, path_mtus_.next_deadline());
      }
    } else if (*timer >= nd_timer) {
      // Only IPv6 arms these: an IPv4-only build never links their handlers.
      if constexpr (config::ipv6) ipv6_timer_due(*timer, now);
    } else if (*timer >= igmp_timer_first) {
      // The group table's: only IGMP and MLD arm these.
      if constexpr (config::igmp || config::ipv6) igmp_report_due(*timer - igmp_timer_first, now);
    } else {
      // Only IPv4 arms these (ARP, reassembly, gratuitous ARP): likewise.
      if constexpr (config::ipv4) ipv4_timer_due(*timer, now);
    }
  }
}

void IpLayer::report_unresolved(const PacketBuf& datagram, Instant now) {
  if constexpr (!config::icmp_errors_to_transports) return;
  // evicted_ holds both families' datagrams: the version tells them apart
  // where both are built.
  if constexpr (config::ipv6) {
    if (!config::ipv4 || (datagram.data()[0] >> 4) == 6) {
      report_quoted_ipv6(static_cast<std::uint8_t>(Icmpv6Type::DestinationUnreachable),
                         static_cast<std::uint8_t>(Icmpv6Unreachable::Address), datagram.data(), now, true);
      return;
    }
  }
  if constexpr (config::ipv4) {
    (void)report_quoted_ipv4(static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable),
                             static_cast<std::uint8_t>(Icmpv4Unreachable::Host), datagram.data(), now, true);
  }
}

void IpLayer::ipv4_timer_due(std::uint16_t timer, Instant now) {
  if (timer == arp_timer) {
    report_evicted(now);
    arp_cache_.expire(
        now, [&](NetifId netif, Ipv4Address ip) { send_arp_request(netif, ip, now); },
        [&](const PacketBuf& datagram) { report_unresolved(datagram, now); });
    arm_no_later(arp_timer, arp_cache_.next_deadline());
  } else if (timer == reassembly_timer) {
    // Never armed without reassembly (ipv4_input drops fragments then).
    if constexpr (config::ip4_reassembly) {
      reassembly_.expire(now, [&](NetifId netif, ConstBytes quote) {
        send_icmp_error(netif, quote, false, Icmpv4Type::TimeExceeded,
                        static_cast<std::uint8_t>(Icmpv4TimeExceeded::ReassemblyTimeout), now);
      });
      arm_no_later(reassembly_timer, reassembly_.next_deadline());
    }
  } else {
    const NetifId id{static_cast<std::uint8_t>(timer - garp_timer_first)};
    Netif& n = netifs_[id];
    if (announces_ipv4(n)) {
      send_gratuitous_arp(n, now);
      if constexpr (config::esp_gratuitous_arp) {
        timers_.arm(timer, now + Duration::seconds(config::garp_tmr_interval_seconds));
      }
    }
  }
}

void IpLayer::ipv6_timer_due(std::uint16_t timer, Instant now) {
  if (timer == reassembly6_timer) {
    reassembly6_.expire(now, [&](NetifId netif, ConstBytes quote) {
      send_icmpv6_error(netif, quote, false, Icmpv6Type::TimeExceeded,
                        static_cast<std::uint8_t>(Icmpv6TimeExceeded::ReassemblyTimeout), 0, now);
    });
    arm_no_later(reassembly6_timer, reassembly6_.next_deadline());
  } else if (timer == nd_timer) {
    report_evicted(now);
    nd_cache_.expire(
        now,
        [&](NetifId netif, const Ipv6Address& ip, std::optional<MacAddress> to) {
          send_neighbor_solicitation(netif, ip, to, false, now);
        },
        [&](const PacketBuf& packet) { report_unresolved(packet, now); },
        [&](NetifId netif, const Ipv6Address& ip) {
          routers_.pass_over_router(netif, ip);
          // A redirect's target that does not answer is no better first
          // hop: packets go to the router again, which redirects anew if
          // it still knows better.
          (void)redirects_.forget_target(netif, ip);
        });
    arm_no_later(nd_timer, nd_cache_.next_deadline());
  } else if (timer == mld_periodic_timer) {
    mld_periodic(now);
  } else if (timer == router_timer) {
    router_lifetimes_due(now);
  } else if (timer == reachable_time_timer) {
    redraw_reachable_times(now);
  } else if (timer == mld_leave_timer) {
    mld_leave_due(now);
  } else if (timer == redirect_timer) {
    (void)redirects_.expire(now);
    arm_no_later(redirect_timer, redirects_.next_deadline());
  } else if (timer >= rs_timer_first) {
    router_solicitation_due(NetifId{static_cast<std::uint8_t>(timer - rs_timer_first)}, now);
  } else {
    dad_due(NetifId{static_cast<std::uint8_t>(timer - dad_timer_first)}, now);
  }
}

}  // namespace lwnet
