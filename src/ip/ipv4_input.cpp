// IPv4 input (RFC 791, RFC 1122 3.2.1): validation, the destination check,
// reassembly, and the hand-off to ICMP or the transport layer.
#include "ip/ip_layer.h"
#include "wire/igmp.h"
#include "wire/ipv4.h"

namespace lwnet {

namespace {
constexpr std::uint16_t dhcp_client_port = 68;
}

bool IpLayer::accepts_unicast(const Netif& n, Ipv4Address destination) const {
  // 127/8 never arrives from outside (RFC 1122 3.2.1.3).
  if (destination.is_loopback()) return n.loopback;
  if (n.has_ipv4 && destination == n.address) return true;
  // The loopback netif carries everything sent to any of our addresses.
  if (n.loopback) return netifs_.is_local(destination);
  // Weak host model (RFC 1122 3.3.4.2, what lwIP and Linux do): any address
  // of an up netif is ours.
  return netifs_.find_by_address(destination).has_value();
}

std::optional<IpDelivery> IpLayer::ipv4_input(NetifId id, PacketBuf&& packet,
                                                bool link_broadcast, Instant now) {
  // Every return hands back this one object (built in the caller's place):
  // no IpDelivery is built aside and moved into it.
  std::optional<IpDelivery> delivered;
  ++stats_.ipv4.rx;
  Result<Ipv4Repr> parsed = Ipv4Repr::parse(packet.data(), config::checksum_check_ip);
  if (!parsed) {
    switch (parsed.error()) {
      case Error::Truncated: ++stats_.ipv4.drop_truncated; break;
      case Error::Unsupported: ++stats_.ipv4.drop_bad_version; break;
      case Error::BadChecksum: ++stats_.ipv4.drop_bad_checksum; break;
      default: ++stats_.ipv4.drop_malformed; break;
    }
    return delivered;
  }
  Ipv4Repr& ip = *parsed;  // in place, not copied
  // Cut the link layer's padding.
  packet.truncate(ip.header_len + ip.payload.size());
  const Netif& n = netifs_[id];

  // RFC 1122 3.2.1.3: no broadcast or multicast sources; 127/8 only on loopback.
  if (ip.source.is_broadcast() || ip.source.is_multicast() || n.is_directed_broadcast(ip.source) ||
      (ip.source.is_loopback() && !n.loopback)) {
    ++stats_.ipv4.drop_bad_source;
    return delivered;
  }
  // What we send to our own addresses never leaves the host (route_ipv4
  // takes it through the loopback netif), so one of them as the source of
  // a datagram from a link is forged or looped back, as Linux judges it.
  // Taken in, every answer would come back to us: two echoing ports (the
  // land attack) would bounce one datagram for ever.
  if (!n.loopback && !n.accept_local && netifs_.find_by_address(ip.source)) {
    ++stats_.ipv4.drop_bad_source;
    return delivered;
  }

  bool broadcast = link_broadcast;
  if (n.is_broadcast(ip.destination)) {
    broadcast = true;
  } else if (ip.destination.is_multicast()) {
    // Only the groups joined on this netif; the loopback netif carries the
    // copies IP_MULTICAST_LOOP makes of what we send to a group we joined
    // on any netif. IPv4 groups are joined through IGMP only: without it
    // there is no table to look in.
    const bool member = n.loopback ? (config::igmp && groups_.joined_anywhere(IpAddress(ip.destination))) ||
                                         ip.destination == igmp_all_hosts
                                   : config::igmp && igmp_is_member(id, ip.destination);
    if (!member) {
      ++stats_.ipv4.drop_not_for_us;
      return delivered;
    }
    broadcast = true;
  } else if (!accepts_unicast(n, ip.destination)) {
    // A netif without an address still takes the DHCP server's unicast
    // answers to the client port (lwIP does the same).
    const bool dhcp_to_client = !n.has_ipv4 && ip.protocol == static_cast<std::uint8_t>(IpProtocol::Udp) &&
                                ip.payload.size() >= 4 && load_be16(ip.payload, 2) == dhcp_client_port;
    if (!dhcp_to_client) {
      ++stats_.ipv4.drop_not_for_us;
      return delivered;
    }
  }

  if (ip.is_fragment()) {
    if constexpr (!config::ip4_reassembly) {
      ++stats_.ipv4.drop_fragment;
      return delivered;
    } else {
      bool fragments_link_broadcast = link_broadcast;
      std::optional<PacketBuf> whole = reassembly_.add(std::move(packet), ip, id, fragments_link_broadcast, now);
      arm_no_later(reassembly_timer, reassembly_.next_deadline());
      if (!whole) return delivered;
      broadcast = broadcast || fragments_link_broadcast;
      packet = std::move(*whole);
      Result<Ipv4Repr> rebuilt = Ipv4Repr::parse(packet.data(), false);
      if (!rebuilt) {
        ++stats_.ipv4.drop_malformed;
        return delivered;
      }
      ip = *rebuilt;
    }
  }

  packet.mark(Layer::Network);
  packet.consume(ip.header_len);
  packet.mark(Layer::Transport);
  IpDelivery& delivery = delivered.emplace();
  delivery.source = ip.source;
  delivery.destination = ip.destination;
  delivery.protocol = ip.protocol;
  delivery.hop_limit = ip.ttl;
  delivery.netif = id;
  delivery.broadcast = broadcast;
  // With CONFIG_LWIP_ICMP off, ICMP is just another unknown protocol.
  if (config::icmp && ip.protocol == static_cast<std::uint8_t>(IpProtocol::Icmp)) {
    ++stats_.ipv4.rx_delivered;
    icmp_input(id, std::move(packet), delivery, now);
    delivered.reset();
    return delivered;
  }
  if (config::igmp && ip.protocol == static_cast<std::uint8_t>(IpProtocol::Igmp)) {
    ++stats_.ipv4.rx_delivered;
    igmp_input(id, std::move(packet), delivery, now);
    delivered.reset();
    return delivered;
  }
  delivery.packet = std::move(packet);
  return delivered;
}

void IpLayer::reject_port(const IpDelivery& delivery, Instant now) {
  if (core_is_v6(delivery.source)) {
    send_icmpv6_error(delivery.netif, delivery.packet.from_mark(Layer::Network), delivery.broadcast,
                      Icmpv6Type::DestinationUnreachable,
                      static_cast<std::uint8_t>(Icmpv6Unreachable::Port), 0, now);
    return;
  }
  if constexpr (!config::ipv4) return;
  send_icmp_error(delivery.netif, delivery.packet.from_mark(Layer::Network), delivery.broadcast,
                  Icmpv4Type::DestinationUnreachable,
                  static_cast<std::uint8_t>(Icmpv4Unreachable::Port), now);
}

void IpLayer::reject_protocol(IpDelivery&& delivery, Instant now) {
  if (core_is_v6(delivery.source)) {
    // RFC 8200 4: parameter problem code 1 pointing at the Next Header
    // field that named the protocol.
    ++stats_.ipv6.drop_unknown_protocol;
    const ConstBytes packet = delivery.packet.from_mark(Layer::Network);
    Result<Ipv6Repr> ip = Ipv6Repr::parse(packet);
    if (!ip) return;
    Ipv6HeaderWalker walker(*ip);
    Result<bool> more = walker.next();
    while (more && *more) more = walker.next();
    if (!more) return;
    send_icmpv6_error(delivery.netif, packet, delivery.broadcast, Icmpv6Type::ParameterProblem,
                      static_cast<std::uint8_t>(Icmpv6ParameterProblem::UnrecognizedNextHeader),
                      static_cast<std::uint32_t>(walker.next_header_field_offset()), now);
    return;
  }
  if constexpr (!config::ipv4) return;
  ++stats_.ipv4.drop_unknown_protocol;
  send_icmp_error(delivery.netif, delivery.packet.from_mark(Layer::Network), delivery.broadcast,
                  Icmpv4Type::DestinationUnreachable,
                  static_cast<std::uint8_t>(Icmpv4Unreachable::Protocol), now);
}

}  // namespace lwnet
