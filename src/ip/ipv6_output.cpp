// IPv6 output (RFC 8200): the header, next-hop resolution through Neighbor
// Discovery, and fragmentation (4.5) to the path MTU (RFC 8201).
#include <algorithm>

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
  // An IPv4-only build has no IPv6 tables to index (GCC sees the empty
  // arrays and warns at -O2): nothing reaches here there.
  if constexpr (!config::ipv6) return Error::Unsupported;
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
  ip.hop_limit = options.hop_limit.value_or(config::ip_default_ttl);
  // A router's Cur Hop Limit (RFC 4861 6.3.4) replaces the default for
  // unicast, never a hop limit the sender chose.
  const std::uint8_t advertised = routers_.state(route.netif).current_hop_limit;
  if (advertised != 0 && !options.hop_limit && !destination.is_multicast()) ip.hop_limit = advertised;
  ip.traffic_class = options.tos;
  ip.payload_len = payload.size();
  // Without fragmentation an oversize datagram is refused here, where the
  // sender still hears of it (not after it waited for the neighbour).
  if (!config::ip6_frag && options.segment_size == 0 &&
      Ipv6Repr::header_len + payload.size() > path_mtu(route, destination)) {
    ++stats_.ipv6.drop_too_big;
    return Error::TooBig;
  }
  ip.emit(payload.push(Ipv6Repr::header_len));
  ++stats_.ipv6.tx;
  // Sending through a redirect keeps it from LRU eviction.
  if (!redirects_.empty()) redirects_.use(route.netif, destination, now);
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
  const NdCache::Enqueue queued = nd_cache_.enqueue(id, next_hop, std::move(datagram), now, evicted_);
  schedule_evicted_reports(nd_timer, now);
  switch (queued) {
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
  std::size_t mtu = n.mtu;
  // Every learned path MTU is at least 1280: smaller packets need no look-up.
  if (datagram.size() > ipv6_minimum_mtu && !path_mtus_.empty()) {
    const Ipv6Address to = Ipv6Address::from_bytes(datagram.data().subspan(24));
    if (const std::optional<std::size_t> learned = path_mtus_.use(to, now)) mtu = std::min(mtu, *learned);
  }
  if (datagram.size() > mtu) return ipv6_fragment(n, destination, datagram, mtu, now);
  if (!send_frame(n, destination, ipv6_ethertype, datagram, now)) return Error::NoBuffers;
  return {};
}

Status IpLayer::ipv6_fragment(Netif& n, const MacAddress& destination, const PacketBuf& datagram,
                              std::size_t mtu, Instant now) {
  if constexpr (!config::ip6_frag) {
    ++stats_.ipv6.drop_too_big;
    return Error::TooBig;
  }
  const ConstBytes whole = datagram.data();
  // The unfragmentable part (RFC 8200 4.5) is the IPv6 header and, for
  // MLD, the hop-by-hop header: the only extension header lwnet sends.
  std::size_t unfragmentable = Ipv6Repr::header_len;
  std::size_t next_header_at = 6;
  if (whole[6] == ipv6_next_header::hop_by_hop) {
    next_header_at = Ipv6Repr::header_len;
    unfragmentable += (std::size_t{whole[Ipv6Repr::header_len + 1]} + 1) * 8;
  }
  const std::uint8_t next_header = whole[next_header_at];
  if (unfragmentable + Ipv6FragmentHeader::header_len + 8 > mtu || unfragmentable >= whole.size()) {
    ++stats_.ipv6.drop_too_big;
    return Error::TooBig;
  }
  // Every fragment but the last carries a multiple of 8 bytes.
  const std::size_t chunk = (mtu - unfragmentable - Ipv6FragmentHeader::header_len) / 8 * 8;
  const ConstBytes payload = whole.subspan(unfragmentable);
  Ipv6FragmentHeader header;
  header.next_header = next_header;
  header.identification = next_fragment_identification_++;
  ++stats_.ipv6.frag_tx_datagrams;
  for (std::size_t offset = 0; offset < payload.size();) {
    const std::size_t length = std::min(chunk, payload.size() - offset);
    std::optional<PacketBuf> piece = pools_.frames.allocate(config::headroom);
    if (!piece) {
      ++stats_.ipv6.drop_no_buffer;
      return Error::NoBuffers;
    }
    Bytes out = piece->append(unfragmentable + Ipv6FragmentHeader::header_len + length);
    std::copy_n(whole.begin(), unfragmentable, out.begin());
    store_be16(out, 4, static_cast<std::uint16_t>(out.size() - Ipv6Repr::header_len));
    out[next_header_at] = ipv6_next_header::fragment;
    header.fragment_offset = static_cast<std::uint16_t>(offset);
    header.more_fragments = offset + length < payload.size();
    header.emit(out.subspan(unfragmentable, Ipv6FragmentHeader::header_len));
    const ConstBytes part = payload.subspan(offset, length);
    std::copy(part.begin(), part.end(), out.subspan(unfragmentable + Ipv6FragmentHeader::header_len).begin());
    ++stats_.ipv6.frag_tx;
    if (!send_frame(n, destination, ipv6_ethertype, *piece, now)) return Error::NoBuffers;
    offset += length;
  }
  return {};
}

}  // namespace lwnet
