// IPv4 output (RFC 791): the header, next-hop resolution through ARP, and
// fragmentation to the path MTU (the netif's, or less where RFC 1191's
// Fragmentation Needed taught it).
#include <algorithm>

#include "ip/ip_layer.h"
#include "wire/ethernet.h"
#include "wire/ipv4.h"

namespace lwnet {

namespace {
constexpr auto ipv4_ethertype = static_cast<std::uint16_t>(EtherType::Ipv4);
constexpr std::size_t max_datagram = 65535;
// The path MTU no Fragmentation Needed lowers below (path_mtu_table.h).
constexpr std::size_t min_path_mtu = ipv4_min_path_mtu;

// RFC 1112 6.4: 01:00:5e and the low 23 bits of the group.
MacAddress multicast_mac(Ipv4Address group) {
  return {{0x01, 0x00, 0x5e, static_cast<std::uint8_t>((group.value >> 16) & 0x7fU),
           static_cast<std::uint8_t>(group.value >> 8), static_cast<std::uint8_t>(group.value)}};
}
}  // namespace

bool IpLayer::is_broadcast(Ipv4Address a) const {
  if (a.is_broadcast()) return true;
  for (std::size_t i = 0; i < netifs_.size(); ++i) {
    if (netifs_[NetifId{static_cast<std::uint8_t>(i)}].is_directed_broadcast(a)) return true;
  }
  return false;
}

Status IpLayer::ipv4_output(PacketBuf&& payload, const IpRoute& route, Ipv4Address destination,
                            const IpSendOptions& options, Instant now) {
  if (payload.size() + Ipv4Repr::min_header_len > max_datagram) {
    return Error::TooBig;
  }
  Ipv4Repr ip;
  // Only IGMP asks for Router Alert over IPv4: without it the header is
  // never longer than 20 bytes.
  ip.router_alert = config::igmp && options.router_alert;
  if (payload.headroom() < ip.emitted_header_len() + EthernetRepr::header_len) {
    ++stats_.ipv4.drop_no_buffer;
    return Error::NoBuffers;
  }
  ip.source = route.source.v4();
  ip.destination = destination;
  ip.protocol = static_cast<std::uint8_t>(options.protocol);
  ip.ttl = options.hop_limit.value_or(config::ip_default_ttl);
  ip.tos = options.tos;
  ip.identification = next_identification_++;
  ip.dont_fragment = options.dont_fragment;
  ip.payload_len = payload.size();
  if (config::ip4_path_mtu_discovery && options.discover_path_mtu && !ip.dont_fragment) {
    // At the floor the path may be narrower still (a hop that reported
    // less): from there on routers fragment, as Linux lets them.
    const std::size_t mtu = path_mtu(route, IpAddress(destination));
    ip.dont_fragment = mtu > min_path_mtu && ip.emitted_header_len() + payload.size() <= mtu;
  }
  // Asked for, the device segments it even when it would fit one frame
  // (a small MSS): the TCP checksum is only partial, for the device to finish.
  const bool segmented = config::device_offload && options.segment_size != 0;
  if (segmented) ip.dont_fragment = true;  // the device's segments must arrive whole
  ip.emit(payload.push(ip.emitted_header_len()));  // the header's bytes are all emit writes
  ++stats_.ipv4.tx;
  if (segmented) return send_segmented(route, std::move(payload), options, now);
  // Without IGMP no group is joined (igmp_is_member is false): compiled out.
  if (config::igmp && options.multicast_loop && destination.is_multicast() &&
      !netifs_[route.netif].loopback &&
      igmp_is_member(route.netif, destination)) {
    loop_multicast(payload, now);
  }
  // TTL 0 to a group: for this host only (IP_MULTICAST_TTL 0).
  if (destination.is_multicast() && options.hop_limit == 0) return {};
  return link_output(route.netif, route.next_hop.v4(), route.broadcast, std::move(payload), now);
}

std::size_t IpLayer::tcp_segmentation_limit(const IpRoute& route) const {
  const Netif& n = netifs_[route.netif];
  const bool link_broadcast = core_is_v4(route.next_hop) && route.next_hop.v4().is_broadcast();
  if (!n.usable() || n.medium != Medium::Ethernet || route.broadcast || link_broadcast ||
      route.next_hop.is_multicast()) {
    return 0;
  }
  const std::size_t limit = std::min(n.device->capabilities().tcp_segmentation, max_datagram);
  if (limit <= n.mtu || !neighbour(route.netif, route.next_hop)) return 0;
  return limit;
}

Status IpLayer::send_segmented(const IpRoute& route, PacketBuf&& datagram, const IpSendOptions& options,
                               Instant now) {
  Netif& n = netifs_[route.netif];
  const std::optional<MacAddress> mac = neighbour(route.netif, route.next_hop);
  if (!mac || datagram.size() > std::min(n.device->capabilities().tcp_segmentation, max_datagram)) {
    // The caller asked without tcp_segmentation_limit() allowing it.
    ++stats_.ipv4.drop_too_big_df;
    return Error::TooBig;
  }
  if (core_is_v4(route.next_hop)) confirm_neighbour(n, route.netif, route.next_hop.v4(), *mac, now);
  EthernetRepr eth;
  eth.destination = *mac;
  eth.source = n.mac;
  const IpVersion version = route.next_hop.version();
  eth.ethertype = static_cast<std::uint16_t>(version == IpVersion::V4 ? EtherType::Ipv4 : EtherType::Ipv6);
  eth.emit(datagram.push(EthernetRepr::header_len));
  SegmentationOffload offload;
  offload.ip_version = version;
  offload.segment_size = options.segment_size;
  offload.checksum_start = static_cast<std::uint16_t>(EthernetRepr::header_len + ip_header_len(version));
  offload.checksum_offset = 16;  // TCP's checksum field
  offload.header_length = static_cast<std::uint16_t>(offload.checksum_start + options.transport_header_length);
  if (!n.device->transmit_segmented(datagram.data(), offload, now)) {
    ++stats_.ethernet.drop_device_busy;
    return Error::NoBuffers;
  }
  ++stats_.ethernet.tx;
  ++stats_.ethernet.tx_segmented;
  return {};
}

Status IpLayer::link_output(NetifId id, Ipv4Address next_hop, bool broadcast,
                            PacketBuf&& datagram, Instant now) {
  Netif& n = netifs_[id];
  if (!n.usable()) {
    ++stats_.ipv4.drop_no_route;
    return Error::NetDown;
  }
  // The link destination, then one send for every kind of it.
  MacAddress mac;  // none on Medium::Ip
  if (n.medium == Medium::Ip) {
  } else if (broadcast || next_hop.is_broadcast()) {
    mac = MacAddress::broadcast();
  } else if (next_hop.is_multicast()) {
    mac = multicast_mac(next_hop);
  } else if (std::optional<MacAddress> found = arp_cache_.lookup(id, next_hop)) {
    mac = *found;
    confirm_neighbour(n, id, next_hop, mac, now);
  } else {
    const ArpCache::Enqueue queued = arp_cache_.enqueue(id, next_hop, std::move(datagram), now, evicted_);
    schedule_evicted_reports(arp_timer, now);
    switch (queued) {
      case ArpCache::Enqueue::SendRequest:
        send_arp_request(id, next_hop, now);
        arm_no_later(arp_timer, now + arp_timing::request_interval);
        return {};
      case ArpCache::Enqueue::Queued:
        return {};
      case ArpCache::Enqueue::QueueFull:
        return Error::WouldBlock;
      case ArpCache::Enqueue::TableFull:
        return Error::NoBuffers;
    }
    return {};
  }
  return send_datagram(n, mac, std::move(datagram), now);
}

Status IpLayer::send_datagram(Netif& n, const MacAddress& destination, PacketBuf&& datagram,
                              Instant now) {
  std::size_t mtu = n.mtu;
  // Every learned path MTU is at least the floor: smaller datagrams need no look-up.
  if (datagram.size() > min_path_mtu && !path_mtus_.empty()) {
    const Ipv4Address to = Ipv4Address::from_bytes(datagram.data().subspan(16));
    if (const std::optional<std::size_t> learned = path_mtus_.use(IpAddress(to), now)) {
      mtu = std::min(mtu, *learned);
    }
  }
  if (datagram.size() > mtu) return fragment(n, destination, datagram, mtu, now);
  if (!send_frame(n, destination, ipv4_ethertype, datagram, now)) return Error::NoBuffers;
  return {};
}

Status IpLayer::fragment(Netif& n, const MacAddress& destination, const PacketBuf& datagram,
                         std::size_t mtu, Instant now) {
  Result<Ipv4Repr> parsed = Ipv4Repr::parse(datagram.data(), false);
  if (!parsed) {
    ++stats_.ipv4.drop_malformed;
    return Error::Malformed;
  }
  // Each fragment's header is the datagram's, edited in place (no copy
  // per fragment): what the edits overwrite is kept first.
  Ipv4Repr& ip = *parsed;
  if (!config::ip4_frag || ip.dont_fragment) {
    ++stats_.ipv4.drop_too_big_df;
    return Error::TooBig;
  }
  // Every fragment but the last carries a multiple of 8 bytes. Options are
  // not copied: lwnet's only one, Router Alert, is on IGMP messages, which
  // never need fragments.
  const std::size_t chunk = (mtu - Ipv4Repr::min_header_len) / 8 * 8;
  const ConstBytes payload = ip.payload;
  const std::uint16_t first_offset = ip.fragment_offset;
  const bool more_after = ip.more_fragments;
  ip.header_len = Ipv4Repr::min_header_len;
  ip.router_alert = false;
  ++stats_.ipv4.frag_tx_datagrams;
  for (std::size_t offset = 0; offset < payload.size();) {
    const std::size_t length = std::min(chunk, payload.size() - offset);
    const bool last = offset + length == payload.size();
    std::optional<PacketBuf> piece = pools_.frames.allocate(config::headroom);
    if (!piece) {
      ++stats_.ipv4.drop_no_buffer;
      return Error::NoBuffers;
    }
    ConstBytes part = payload.subspan(offset, length);
    Bytes body = piece->append(length);
    std::copy(part.begin(), part.end(), body.begin());
    ip.fragment_offset = static_cast<std::uint16_t>(first_offset + offset);
    ip.more_fragments = !last || more_after;
    ip.payload_len = length;
    ip.emit(piece->push(Ipv4Repr::min_header_len));
    ++stats_.ipv4.frag_tx;
    if (!send_frame(n, destination, ipv4_ethertype, *piece, now)) return Error::NoBuffers;
    offset += length;
  }
  return {};
}

}  // namespace lwnet
