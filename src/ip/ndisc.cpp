// Neighbor Discovery (RFC 4861) for a host: neighbor solicitations and
// advertisements, the neighbor cache's resolution, redirects (section 8),
// the netifs' IPv6 addresses and their Duplicate Address Detection (RFC
// 4862 5.4).
#include "ip/ip_layer.h"
#include "wire/ndisc.h"

namespace lwnet {

namespace {

Ipv6NetifAddress* find_slot(Netif& n, const Ipv6Address& address) {
  for (Ipv6NetifAddress& s : n.ipv6) {
    if (s.state != Ipv6AddressState::Invalid && s.address == address) return &s;
  }
  return nullptr;
}

// A probe carrying `nonce` is one of ours: the link (a bridge or access
// point that reflects multicast, a looped TAP) sent it back (RFC 7527 4.2).
bool carries_nonce(const NdiscRepr& nd, const NdiscNonce& nonce) {
  NdiscOptionIterator options = nd.option_iterator();
  while (std::optional<NdiscOption> option = options.next()) {
    if (option->type != static_cast<std::uint8_t>(NdiscOptionType::Nonce)) continue;
    const Result<NdiscNonce> value = ndisc_parse_nonce(*option);
    return value && *value == nonce;
  }
  return false;
}

}  // namespace

// ---- Addresses and DAD -------------------------------------------------------

void IpLayer::add_link_local(NetifId id, Instant now) {
  const Netif& n = netifs_[id];
  if (n.medium != Medium::Ethernet || n.loopback) return;
  Ipv6Address a;
  a.octets[0] = 0xfe;
  a.octets[1] = 0x80;
  a.octets[8] = static_cast<std::uint8_t>(n.mac.octets[0] ^ 0x02U);
  a.octets[9] = n.mac.octets[1];
  a.octets[10] = n.mac.octets[2];
  a.octets[11] = 0xff;
  a.octets[12] = 0xfe;
  a.octets[13] = n.mac.octets[3];
  a.octets[14] = n.mac.octets[4];
  a.octets[15] = n.mac.octets[5];
  (void)add_ipv6_address(id, a, 64, now);
}

Status IpLayer::add_ipv6_address(NetifId id, const Ipv6Address& address, std::uint8_t prefix_len,
                                 Instant now) {
  Netif* n = netifs_.get(id);
  if (n == nullptr || n->loopback || prefix_len > 128 || address.is_unspecified() ||
      address.is_multicast() || address.is_loopback()) {
    return Error::InvalidArgument;
  }
  if (find_slot(*n, address) != nullptr) return Error::AddressInUse;
  // Slot 0 is the link-local one; the others hold the rest.
  Ipv6NetifAddress* slot = nullptr;
  if (address.is_link_local()) {
    if (n->ipv6[0].state == Ipv6AddressState::Invalid) slot = &n->ipv6[0];
  } else {
    for (std::size_t i = 1; i < n->ipv6.size() && slot == nullptr; ++i) {
      if (n->ipv6[i].state == Ipv6AddressState::Invalid) slot = &n->ipv6[i];
    }
  }
  if (slot == nullptr) return Error::TableFull;
  *slot = Ipv6NetifAddress{};
  slot->address = address;
  slot->prefix_len = prefix_len;
  // Without DAD, and on links with no neighbors to ask (Medium::Ip), an
  // address is usable at once.
  const bool dad = config::ipv6_dup_detect_attempts > 0 && n->medium == Medium::Ethernet;
  slot->state = dad ? Ipv6AddressState::Tentative : Ipv6AddressState::Preferred;
  // Before DAD's first probe goes out (RFC 4862 5.4.2). A full group table
  // is counted (mld.join_table_full); the address still works, as the
  // solicited-node groups of every address pass the filters anyway.
  if (n->medium == Medium::Ethernet) (void)mld_join(id, ndisc_solicited_node(address), now);
  if (dad) start_dad(id, *slot, now);
  netif_status_changed(id);
  if (!dad && address.is_link_local()) start_router_solicitation(id, now);
  return {};
}

Status IpLayer::remove_ipv6_address(NetifId id, const Ipv6Address& address,
                                    std::optional<Instant> now) {
  Netif* n = netifs_.get(id);
  if (n == nullptr) return Error::InvalidArgument;
  Ipv6NetifAddress* slot = find_slot(*n, address);
  if (slot == nullptr || n->loopback) return Error::AddressNotAvailable;
  // A duplicated address left its group when DAD failed.
  if (n->medium == Medium::Ethernet && slot->state != Ipv6AddressState::Duplicated) {
    (void)mld_leave_group(id, ndisc_solicited_node(address), now);
  }
  *slot = Ipv6NetifAddress{};
  netif_status_changed(id);
  return {};
}

void IpLayer::start_dad(NetifId id, Ipv6NetifAddress& address, Instant now) {
  // A fresh attempt: dad_due draws its nonce with the first probe.
  address.dad_probes_sent = 0;
  address.next_dad_probe = now;
  // From the next poll, so that adding an address never transmits from
  // inside the call. A netif that is not usable probes when it comes up
  // (restart_dad).
  if (netifs_[id].usable()) arm_no_later(dad_timer(id), now);
}

void IpLayer::restart_dad(NetifId id, Instant now) {
  for (Ipv6NetifAddress& s : netifs_[id].ipv6) {
    if (s.state == Ipv6AddressState::Tentative) start_dad(id, s, now);
  }
}

void IpLayer::dad_due(NetifId id, Instant now) {
  Netif& n = netifs_[id];
  if (!n.usable()) return;
  Instant next = Instant::max();
  bool changed = false;
  bool link_local_ready = false;
  bool lifetimes_started = false;
  for (Ipv6NetifAddress& s : n.ipv6) {
    if (s.state != Ipv6AddressState::Tentative) continue;
    if (s.next_dad_probe > now) {
      if (s.next_dad_probe < next) next = s.next_dad_probe;
      continue;
    }
    if (s.dad_probes_sent >= config::ipv6_dup_detect_attempts) {
      // RetransTimer passed after the last probe with no answer: unique.
      s.state = Ipv6AddressState::Preferred;
      changed = true;
      if (s.address.is_link_local()) link_local_ready = true;
      if (s.autoconfigured) {
        // SLAAC: the preferred lifetime may have run out during DAD.
        if (s.preferred_until <= now) s.state = Ipv6AddressState::Deprecated;
        lifetimes_started = true;
      }
      continue;
    }
    if (s.dad_probes_sent == 0) {
      const std::uint64_t draw = random_.next_u64();
      for (std::size_t i = 0; i < s.dad_nonce.size(); ++i) {
        s.dad_nonce[i] = static_cast<std::uint8_t>(draw >> (8 * i));
      }
    }
    ++s.dad_probes_sent;
    s.next_dad_probe = now + nd_cache_.timing(id).retrans_timer;
    send_neighbor_solicitation(id, s.address, std::nullopt, true, now);
    if (s.next_dad_probe < next) next = s.next_dad_probe;
  }
  if (next != Instant::max()) timers_.arm(dad_timer(id), next);
  if (changed) netif_status_changed(id);
  if (link_local_ready) start_router_solicitation(id, now);
  if (lifetimes_started) arm_router_timer();
}

void IpLayer::dad_failed(NetifId id, Ipv6NetifAddress& address, Instant now) {
  ++stats_.nd.dad_duplicates;
  address.state = Ipv6AddressState::Duplicated;
  // The address is never ours: neither is its share of the solicited-node
  // group (add_ipv6_address joined it; removing a duplicated address does
  // not leave it again).
  if (netifs_[id].medium == Medium::Ethernet) (void)mld_leave_group(id, ndisc_solicited_node(address.address), now);
  netif_status_changed(id);
}

Status IpLayer::nd_add_static(NetifId id, const Ipv6Address& ip, const MacAddress& mac, Instant now) {
  if (netifs_.get(id) == nullptr || ip.is_multicast() || ip.is_unspecified() || !mac.is_unicast()) {
    return Error::InvalidArgument;
  }
  Status s = nd_cache_.add_static(id, ip, mac, nd_resolved_, evicted_);
  send_nd_resolved(id, ip, now);
  return s;
}

// ---- Messages ----------------------------------------------------------------

void IpLayer::send_nd_resolved(NetifId id, const Ipv6Address& neighbor, Instant now) {
  // Each NdCache call that may evict an entry, enqueue() aside, is followed
  // by this one: the reports of what it evicted are scheduled here.
  schedule_evicted_reports(nd_timer, now);
  // Every packet waited for this one next hop (the destination or a router).
  const std::optional<MacAddress> mac = nd_cache_.lookup(id, neighbor);
  while (!nd_resolved_.empty()) {
    PacketBuf datagram = nd_resolved_.pop();
    if (mac) (void)ipv6_send_datagram(netifs_[id], *mac, std::move(datagram), now);
  }
}

void IpLayer::send_neighbor_solicitation(NetifId id, const Ipv6Address& target,
                                         std::optional<MacAddress> unicast, bool dad, Instant now) {
  Netif& n = netifs_[id];
  if (!n.usable() || n.medium != Medium::Ethernet) return;
  // DAD probes come from :: (RFC 4862 5.4.2) and carry no link-layer
  // address but the attempt's nonce (RFC 7527 4.1); the others come from
  // an address of ours, with ours.
  Ipv6Address source;
  if (!dad) {
    const std::optional<Ipv6Address> chosen = select_ipv6_source(n, target);
    if (!chosen) return;
    source = *chosen;
  }
  const Ipv6Address destination = unicast ? target : ndisc_solicited_node(target);
  NdiscRepr ns;
  ns.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborSolicitation);
  ns.target = target;
  const std::size_t fixed = NdiscRepr::fixed_len(ns.type);
  const Ipv6NetifAddress* probed = dad ? find_slot(n, target) : nullptr;
  if (dad && probed == nullptr) return;
  const std::size_t length =
      fixed + (dad ? NdiscOptionWriter::nonce_len : NdiscOptionWriter::link_layer_address_len);
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (!buf) {
    ++stats_.ipv6.drop_no_buffer;
    return;
  }
  Bytes message = buf->append(length);
  NdiscOptionWriter writer(message.subspan(fixed));
  if (probed != nullptr) {
    (void)writer.nonce(probed->dad_nonce);
  } else {
    (void)writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, n.mac);
  }
  ns.emit(message, source, destination);
  if (unicast) {
    // A NUD probe goes straight to the MAC the cache has, not through it.
    IpRoute route;
    route.netif = id;
    route.source = source;
    route.next_hop = destination;
    Ipv6Repr ip;
    ip.source = source;
    ip.destination = destination;
    ip.next_header = ipv6_next_header::icmpv6;
    ip.hop_limit = ndisc_hop_limit;
    ip.payload_len = buf->size();
    ip.emit(buf->push(Ipv6Repr::header_len));
    ++stats_.ipv6.tx;
    if (ipv6_send_datagram(n, *unicast, std::move(*buf), now)) {
      ++stats_.icmpv6.tx;
      ++stats_.nd.tx_solicitation;
    }
    return;
  }
  if (send_icmpv6(id, source, destination, ndisc_hop_limit, std::move(*buf), now)) {
    ++stats_.nd.tx_solicitation;
  }
}

void IpLayer::send_neighbor_advertisement(NetifId id, const Ipv6Address& target,
                                          const Ipv6Address& destination, bool solicited,
                                          Instant now) {
  Netif& n = netifs_[id];
  NdiscRepr na;
  na.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement);
  na.target = target;
  na.solicited = solicited;
  na.override = true;  // our own address: the MAC is authoritative (RFC 4861 7.2.4)
  na.router = config::force_router_forwarding;
  const std::size_t fixed = NdiscRepr::fixed_len(na.type);
  const std::size_t length = fixed + NdiscOptionWriter::link_layer_address_len;
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (!buf) {
    ++stats_.ipv6.drop_no_buffer;
    return;
  }
  Bytes message = buf->append(length);
  NdiscOptionWriter writer(message.subspan(fixed));
  (void)writer.link_layer_address(NdiscOptionType::TargetLinkLayerAddress, n.mac);
  na.emit(message, target, destination);
  if (send_icmpv6(id, target, destination, ndisc_hop_limit, std::move(*buf), now)) {
    ++stats_.nd.tx_advertisement;
  }
}

void IpLayer::ndisc_input(NetifId id, ConstBytes message, const IpDelivery& delivery, Instant now) {
  Netif& n = netifs_[id];
  Ipv6Repr ip;
  ip.source = delivery.source.v6();
  ip.destination = delivery.destination.v6();
  ip.hop_limit = delivery.hop_limit;
  ip.next_header = ipv6_next_header::icmpv6;
  Result<NdiscRepr> parsed = NdiscRepr::parse(message, ip);
  if (!parsed) {
    const bool redirect = !message.empty() && message[0] == icmpv6_type_value(Icmpv6Type::Redirect);
    ++(redirect ? stats_.nd.drop_invalid_redirect : stats_.nd.drop_malformed);
    return;
  }
  const NdiscRepr& nd = *parsed;
  // An NA's and a redirect's link-layer address is the target's.
  const bool of_target = nd.type == static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement) ||
                         nd.type == static_cast<std::uint8_t>(Icmpv6Type::Redirect);
  std::optional<MacAddress> link_address;
  NdiscOptionIterator options = nd.option_iterator();
  while (std::optional<NdiscOption> option = options.next()) {
    const bool wanted =
        option->type == static_cast<std::uint8_t>(of_target ? NdiscOptionType::TargetLinkLayerAddress
                                                            : NdiscOptionType::SourceLinkLayerAddress);
    if (!wanted) continue;
    if (Result<MacAddress> mac = ndisc_parse_link_layer_address(*option)) link_address = *mac;
  }

  switch (nd.type) {
    case static_cast<std::uint8_t>(Icmpv6Type::NeighborSolicitation): {
      ++stats_.nd.rx_solicitation;
      Ipv6NetifAddress* ours = find_slot(n, nd.target);
      if (ours == nullptr || ours->state == Ipv6AddressState::Duplicated) return;
      if (ours->state == Ipv6AddressState::Tentative) {
        // Another host probing for the same address (RFC 4862 5.4.3): it is
        // not ours to take. An NS from a unicast source is ignored, and so
        // is our own probe sent back by the link (RFC 7527 4.2): it proves
        // nothing. Without a nonce, or with another, it is another host's.
        if (!ip.source.is_unspecified()) return;
        if (ours->dad_probes_sent > 0 && carries_nonce(nd, ours->dad_nonce)) {
          ++stats_.nd.dad_looped;
          return;
        }
        dad_failed(id, *ours, now);
        return;
      }
      if (ip.source.is_unspecified()) {
        // Someone's DAD for our address: defend it to all nodes.
        send_neighbor_advertisement(id, nd.target, Ipv6Address::all_nodes(), false, now);
        return;
      }
      if (link_address) {
        nd_cache_.learn(id, ip.source, *link_address, now, nd_resolved_, evicted_);
        send_nd_resolved(id, ip.source, now);
      }
      send_neighbor_advertisement(id, nd.target, ip.source, true, now);
      return;
    }
    case static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement): {
      ++stats_.nd.rx_advertisement;
      if (Ipv6NetifAddress* ours = find_slot(n, nd.target)) {
        // Someone else claims our address: during DAD it was never ours.
        if (ours->state == Ipv6AddressState::Tentative) {
          dad_failed(id, *ours, now);
        } else {
          ++stats_.nd.dad_duplicates;
        }
        return;
      }
      const NdCache::Entry* known = nd_cache_.find(id, nd.target);
      const bool was_router = known != nullptr && known->router;
      if (!nd_cache_.advertisement(id, nd.target, link_address, nd.solicited, nd.override, nd.router,
                                   now, nd_resolved_)) {
        ++stats_.nd.drop_unsolicited;
        return;
      }
      known = nd_cache_.find(id, nd.target);
      if (was_router && known != nullptr && !known->router) {
        // RFC 4861 7.2.5: a router that is one no more leaves the default
        // router list (a lifetime of 0 takes it out).
        (void)routers_.update_router(id, nd.target, now, RouterPreference::Medium, now);
        arm_router_timer();
        forget_redirects_of_gone_routers();
      }
      send_nd_resolved(id, nd.target, now);
      arm_no_later(nd_timer, nd_cache_.next_deadline());
      return;
    }
    case static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement):
      router_advertisement_input(id, nd, ip.source, link_address, now);
      return;
    case static_cast<std::uint8_t>(Icmpv6Type::Redirect):
      redirect_input(id, nd, ip.source, link_address, now);
      return;
    default:
      // Router solicitations are for routers.
      ++stats_.nd.rx_ignored;
      return;
  }
}

void IpLayer::redirect_input(NetifId id, const NdiscRepr& redirect, const Ipv6Address& source,
                             std::optional<MacAddress> target_link_address, Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  // NdiscRepr::parse made RFC 4861 8.1's stateless checks. The one left:
  // the source must be the first hop our packets to the destination take
  // now (with the redirects already followed, so that the router a
  // redirect named may redirect again), on the netif it came in on, and
  // that first hop a router (an on-link destination has none to advise
  // us). The route without redirects names the router the entry replaces;
  // it must be one the router list holds, since only those are ever
  // replaced (route_ipv6: a route hook's gateway is the application's
  // choice).
  const Result<IpRoute> current = route_v6(redirect.destination, Ipv6Address{}, std::nullopt);
  const Ipv6Routers plain{routers_, nd_cache_, route_hooks_};
  const Result<IpRoute> base = route_ipv6(netifs_, redirect.destination, Ipv6Address{}, std::nullopt, &plain);
  if (!current || !base || current->netif != id || base->netif != id ||
      !(current->next_hop.v6() == source) || base->next_hop.v6() == redirect.destination ||
      !routers_.has_router(id, base->next_hop.v6())) {
    ++stats_.nd.drop_invalid_redirect;
    return;
  }
  ++stats_.nd.rx_redirect;
  if (redirects_.learn(id, redirect.destination, base->next_hop.v6(), redirect.target, now) ==
      RedirectTable::Learn::Evicted) {
    ++stats_.nd.redirect_evictions;
  }
  arm_no_later(redirect_timer, redirects_.next_deadline());
  // RFC 4861 8.3: the target's link-layer address as an unsolicited one
  // (Stale when new or changed); a target other than the destination is a
  // router. The Redirected Header option only helps a host match the
  // redirect to a packet it sent; nothing here needs it.
  if (target_link_address) {
    nd_cache_.learn(id, redirect.target, *target_link_address, now, nd_resolved_, evicted_);
    send_nd_resolved(id, redirect.target, now);
    arm_no_later(nd_timer, nd_cache_.next_deadline());
  }
  if (!(redirect.target == redirect.destination)) nd_cache_.mark_router(id, redirect.target);
}

void IpLayer::forget_redirects_of_gone_routers() {
  if constexpr (!config::ipv6) return;
  (void)redirects_.forget_if(
      [&](const RedirectTable::Entry& e) { return !routers_.has_router(e.netif, e.router); });
}

}  // namespace lwnet
