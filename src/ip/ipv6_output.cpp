// IPv6 output (RFC 8200): the header, next-hop resolution through Neighbor
// Discovery. No fragmentation yet: a packet over the MTU is refused.
#include "ip/ip_layer.h"
#include "wire/ethernet.h"

namespace lwnet {

namespace {
constexpr auto ipv6_ethertype = static_cast<std::uint16_t>(EtherType::Ipv6);
constexpr std::size_t max_payload = 65535;

// RFC 2464 7: 33:33 and the low 32 bits of the group.
MacAddress multicast_mac(const Ipv6Address& group) {
  return {{0x33, 0x33, group.octets[12], group.octets[13], group.octets[14], group.octets[15]}};
}
}  // namespace

Status IpLayer::ipv6_output(PacketBuf&& payload, const IpRoute& route,
                            const Ipv6Address& destination, const IpSendOptions& options,
                            Instant now) {
  // MLD's Router Alert (RFC 2711) rides in a hop-by-hop header of its own.
  const std::size_t hop_by_hop_len = options.router_alert ? Ipv6OptionsHeader::emitted_header_len() : 0;
  if (payload.size() + hop_by_hop_len > max_payload) return Error::TooBig;
  if (payload.headroom() < Ipv6Repr::header_len + hop_by_hop_len + EthernetRepr::header_len) {
    ++stats_.ipv6.drop_no_buffer;
    return Error::NoBuffers;
  }
  std::uint8_t next_header = static_cast<std::uint8_t>(options.protocol);
  if (options.router_alert) {
    Ipv6OptionsHeader hop_by_hop;
    hop_by_hop.next_header = next_header;
    hop_by_hop.router_alert = std::uint16_t{0};  // 0: an MLD message
    hop_by_hop.emit(payload.push(hop_by_hop_len));
    next_header = ipv6_next_header::hop_by_hop;
  }
  Ipv6Repr ip;
  ip.source = route.source.v6();
  ip.destination = destination;
  ip.next_header = next_header;
  ip.hop_limit = options.hop_limit;
  // A router's Cur Hop Limit (RFC 4861 6.3.4) replaces the default for
  // unicast; a hop limit the sender chose otherwise stays.
  const std::uint8_t advertised = routers_.state(route.netif).current_hop_limit;
  if (advertised != 0 && options.hop_limit == config::ip_default_ttl && !destination.is_multicast()) {
    ip.hop_limit = advertised;
  }
  ip.traffic_class = options.tos;
  ip.payload_len = payload.size();
  ip.emit(payload.push(Ipv6Repr::header_len));
  ++stats_.ipv6.tx;
  if (options.segment_size != 0) return send_segmented(route, std::move(payload), options, now);
  // IPV6_MULTICAST_LOOP: a copy for our own members, through the loopback netif.
  if (options.multicast_loop && destination.is_multicast() && !netifs_[route.netif].loopback &&
      mld_is_member(route.netif, destination)) {
    loop_multicast(payload, now);
  }
  // Hop limit 0 to a group: for this host only (IPV6_MULTICAST_HOPS 0).
  if (destination.is_multicast() && options.hop_limit == 0) return {};
  return ipv6_link_output(route.netif, route.next_hop.v6(), std::move(payload), now);
}

Status IpLayer::ipv6_link_output(NetifId id, const Ipv6Address& next_hop, PacketBuf&& datagram,
                                 Instant now) {
  Netif& n = netifs_[id];
  if (!n.usable()) {
    ++stats_.ipv6.drop_no_route;
    return Error::NetDown;
  }
  if (n.medium == Medium::Ip) return ipv6_send_datagram(n, MacAddress{}, std::move(datagram), now);
  if (next_hop.is_multicast()) {
    return ipv6_send_datagram(n, multicast_mac(next_hop), std::move(datagram), now);
  }
  if (std::optional<MacAddress> mac = nd_cache_.use(id, next_hop, now)) {
    arm_no_later(nd_timer, nd_cache_.next_deadline());
    return ipv6_send_datagram(n, *mac, std::move(datagram), now);
  }
  switch (nd_cache_.enqueue(id, next_hop, std::move(datagram), now)) {
    case NdCache::Enqueue::SendSolicitation:
      send_neighbor_solicitation(id, next_hop, std::nullopt, false, now);
      arm_no_later(nd_timer, nd_cache_.next_deadline());
      return {};
    case NdCache::Enqueue::Queued:
      return {};
    case NdCache::Enqueue::QueueFull:
      return Error::WouldBlock;
    case NdCache::Enqueue::TableFull:
      return Error::NoBuffers;
  }
  return {};
}

Status IpLayer::ipv6_send_datagram(Netif& n, const MacAddress& destination, PacketBuf&& datagram,
                                   Instant now) {
  if (datagram.size() > n.mtu) {
    ++stats_.ipv6.drop_too_big;
    return Error::TooBig;
  }
  if (!send_frame(n, destination, ipv6_ethertype, datagram, now)) return Error::NoBuffers;
  return {};
}

}  // namespace lwnet
