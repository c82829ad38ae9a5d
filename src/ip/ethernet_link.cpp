// Frames in and out of a netif's device: Ethernet II framing (RFC 894), or
// bare IP packets on Medium::Ip devices (loopback, PPP).
#include "ip/ip_layer.h"
#include "wire/ethernet.h"

namespace lwnet {

bool IpLayer::transmit(Netif& n, PacketBuf& frame, Instant now) {
  if (!n.device->transmit(frame.data(), now)) {
    ++stats_.ethernet.drop_device_busy;
    return false;
  }
  if (n.medium == Medium::Ethernet) ++stats_.ethernet.tx;
  return true;
}

bool IpLayer::send_frame(Netif& n, const MacAddress& destination, std::uint16_t ethertype,
                         PacketBuf& packet, Instant now) {
  if (n.medium == Medium::Ethernet) {
    // Every field given: nothing zeroed first only to be written over.
    EthernetRepr{destination, n.mac, ethertype, {}}.emit(packet.push(EthernetRepr::header_len));
  }
  return transmit(n, packet, now);
}

std::optional<IpDelivery> IpLayer::input(NetifId id, PacketBuf&& frame, Instant now) {
  Netif* n = netifs_.get(id);
  if (n == nullptr) return std::nullopt;
  if (n->medium == Medium::Ip) {
    if (!n->up) {
      ++stats_.ipv4.drop_not_for_us;
      return std::nullopt;
    }
    frame.mark(Layer::Link);
    // No link header: the version nibble tells the family.
    if (config::ipv6 && !frame.data().empty() && (frame.data()[0] >> 4) == 6) {
      return ipv6_input(id, std::move(frame), false, now);
    }
    if constexpr (config::ipv4) return ipv4_input(id, std::move(frame), false, now);
    ++stats_.ipv6.drop_bad_version;  // an IPv6-only build
    return std::nullopt;
  }

  ++stats_.ethernet.rx;
  if (!n->up) {
    ++stats_.ethernet.drop_not_for_us;
    return std::nullopt;
  }
  Result<EthernetRepr> parsed = EthernetRepr::parse(frame.data());
  if (!parsed) {
    if (parsed.error() == Error::Truncated) {
      ++stats_.ethernet.drop_truncated;
    } else {
      ++stats_.ethernet.drop_unknown_ethertype;
    }
    return std::nullopt;
  }
  const EthernetRepr& eth = *parsed;
  const bool link_broadcast = eth.destination.is_multicast();  // broadcast included
  if (!link_broadcast && eth.destination != n->mac) {
    ++stats_.ethernet.drop_not_for_us;
    return std::nullopt;
  }
  // A NIC's multicast filter: only the groups joined here (and all-hosts).
  // Without IGMP and IPv6 no group is ever joined: no call to ask.
  constexpr bool groups_built = config::igmp || config::ipv6;
  if (link_broadcast && eth.destination != MacAddress::broadcast() &&
      (!groups_built || !accepts_multicast_mac(id, eth.destination))) {
    ++stats_.ethernet.drop_multicast_filtered;
    return std::nullopt;
  }
  frame.mark(Layer::Link);
  frame.consume(EthernetRepr::header_len);
  switch (eth.ethertype) {
    case static_cast<std::uint16_t>(EtherType::Arp):
      if constexpr (config::ipv4) {
        arp_input(id, std::move(frame), now);
      } else {
        ++stats_.ethernet.drop_unknown_ethertype;  // an IPv6-only build
      }
      return std::nullopt;
    case static_cast<std::uint16_t>(EtherType::Ipv4):
      if constexpr (config::ipv4) return ipv4_input(id, std::move(frame), link_broadcast, now);
      ++stats_.ethernet.drop_unknown_ethertype;
      return std::nullopt;
    case static_cast<std::uint16_t>(EtherType::Ipv6):
      if constexpr (config::ipv6) return ipv6_input(id, std::move(frame), link_broadcast, now);
      ++stats_.ethernet.drop_unknown_ethertype;
      return std::nullopt;
    default:
      ++stats_.ethernet.drop_unknown_ethertype;
      return std::nullopt;
  }
}

}  // namespace lwnet
