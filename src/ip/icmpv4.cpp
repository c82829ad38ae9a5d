// ICMP for IPv4 (RFC 792, RFC 1122 3.2.2): echo, errors, and the rules for
// when an error may be sent.
#include <algorithm>
#include <array>

#include "ip/ip_layer.h"
#include "wire/icmpv4.h"
#include "wire/ipv4.h"

namespace lwnet {

namespace {

constexpr IpSendOptions icmp_options(std::optional<std::uint8_t> ttl = std::nullopt) {
  IpSendOptions o;
  o.protocol = IpProtocol::Icmp;
  o.hop_limit = ttl;
  return o;
}

// What echo replies and errors go out with: read-only data, not built on
// the stack at each send.
constexpr IpSendOptions icmp_reply_options = icmp_options();

// Echo, timestamp, information and address mask messages (requests and
// replies): the ICMP types an error may answer. Errors never answer errors.
bool is_informational(std::uint8_t type) {
  return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

}  // namespace

void IpLayer::icmp_input(NetifId id, PacketBuf&& packet, const IpDelivery& ip, Instant now) {
  // Never reached without IPv4.
  if constexpr (!config::ipv4) return;
  ++stats_.icmp.rx;
  Result<Icmpv4Repr> parsed = Icmpv4Repr::parse(packet.data(), config::checksum_check_icmp);
  if (!parsed) {
    if (parsed.error() == Error::BadChecksum) {
      ++stats_.icmp.drop_bad_checksum;
    } else {
      ++stats_.icmp.drop_truncated;
    }
    return;
  }
  Icmpv4Repr& icmp = *parsed;
  // Raw ICMP endpoints (SOCK_RAW sockets) get a copy of every message that
  // passed the checks, IPv4 header included, before it is handled here.
  // Without raw endpoints (CONFIG_LWIP_MAX_RAW_PCBS 0) there is no one to
  // copy to: no call.
  if constexpr (config::max_raw_pcbs > 0) {
    std::size_t raw_dropped = 0;
    count(stats_.icmp.raw_delivered,
          raw_.deliver(packet.from_mark(Layer::Network), static_cast<std::uint8_t>(IpProtocol::Icmp), ip.source,
                       ip.destination, id, raw_dropped));
    count(stats_.icmp.raw_dropped, raw_dropped);
  }
  switch (icmp.type) {
    case static_cast<std::uint8_t>(Icmpv4Type::EchoRequest): {
      // To a group or a broadcast address: answered only where configured
      // (CONFIG_LWIP_MULTICAST_PING, CONFIG_LWIP_BROADCAST_PING; ESP-IDF
      // leaves both off: one request could draw an answer from every host),
      // and then from the netif's own address, since a group or broadcast
      // address is no source (RFC 1122 3.2.1.3, 3.2.2.6).
      const Netif& n = netifs_[id];
      const bool to_group = ip.destination.is_multicast();
      if (to_group && !config::multicast_ping) {
        ++stats_.icmp.drop_multicast_ping;
        return;
      }
      const bool to_broadcast = !to_group && n.is_broadcast(ip.destination.v4());
      if (to_broadcast && !config::broadcast_ping) {
        ++stats_.icmp.drop_broadcast_ping;
        return;
      }
      ++stats_.icmp.rx_echo_request;
      const Ipv4Address reply_source = to_group || to_broadcast ? n.address : ip.destination.v4();
      if (reply_source.is_unspecified()) {
        // A netif without an address yet (DHCP under way) has nothing to
        // answer from.
        ++stats_.ipv4.drop_no_route;
        return;
      }
      Result<IpRoute> r = route_ipv4(netifs_, ip.source.v4(), reply_source);
      if (!r) {
        ++stats_.ipv4.drop_no_route;
        return;
      }
      // The request's buffer becomes the reply: same identifier, sequence and
      // data; new type and checksum; the IP header is pushed again in front.
      // The parsed request is the reply's header once retyped (emit writes
      // an echo's type, code, identifier and sequence, nothing else).
      icmp.type = static_cast<std::uint8_t>(Icmpv4Type::EchoReply);
      icmp.code = 0;
      icmp.emit(packet.data());
      if (output(std::move(packet), *r, ip.source.v4(), icmp_reply_options, now)) {
        ++stats_.icmp.tx;
        ++stats_.icmp.tx_echo_reply;
      }
      return;
    }
    case static_cast<std::uint8_t>(Icmpv4Type::EchoReply): {
      ++stats_.icmp.rx_echo_reply;
      if constexpr (EchoEndpoints::capacity == 0) {  // no ping session can be open
        ++stats_.icmp.drop_no_listener;
        return;
      }
      packet.consume(Icmpv4Repr::header_len);
      switch (echo_.deliver(icmp.identifier, std::move(packet), ip.source.v4(), icmp.sequence, ip.hop_limit)) {
        case EchoEndpoints::Deliver::Queued: break;
        case EchoEndpoints::Deliver::NoListener: ++stats_.icmp.drop_no_listener; break;
        case EchoEndpoints::Deliver::QueueFull: ++stats_.icmp.drop_queue_full; break;
      }
      return;
    }
    case static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable):
    case static_cast<std::uint8_t>(Icmpv4Type::TimeExceeded):
    case static_cast<std::uint8_t>(Icmpv4Type::ParameterProblem):
      icmp_error_input(icmp, packet.data(), now);
      return;
    case static_cast<std::uint8_t>(Icmpv4Type::Redirect):
      // Known, counted in icmp.rx; nothing consumes them.
      return;
    default:
      ++stats_.icmp.drop_unknown_type;
      return;
  }
}

void IpLayer::icmp_error_input(const Icmpv4Repr& icmp, ConstBytes message, Instant now) {
  const ConstBytes quote = message.subspan(std::min(message.size(), Icmpv4Repr::header_len));
  if (icmp.type == static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable) &&
      icmp.code == static_cast<std::uint8_t>(Icmpv4Unreachable::FragmentationNeeded)) {
    // Path MTU discovery's business, not an error: what was lost is sent
    // again smaller.
    fragmentation_needed_input(icmp, quote, now);
    return;
  }
  // Without transports to tell and without counters, what the quote says
  // goes nowhere: it is not read.
  if constexpr (!config::icmp_errors_to_transports && !config::stats) return;
  // Anyone can send an error: one whose quote is no datagram of ours is
  // counted, as ICMPv6's are.
  if (!report_quoted_ipv4(icmp.type, icmp.code, quote, now)) ++stats_.icmp.drop_not_ours;
}

bool IpLayer::report_quoted_ipv4(std::uint8_t type, std::uint8_t code, ConstBytes quote, Instant now,
                                 bool neighbour_unreachable) {
  // The quote: the offending IPv4 header and at least the 8 bytes after it
  // (ports, and TCP's sequence number), from one of our addresses (RFC
  // 5927). For a datagram that waited for ARP, the address may have gone
  // away meanwhile.
  if (quote.size() < Ipv4Repr::min_header_len + 8) return false;
  const std::size_t header_len = std::size_t{quote[0] & 0x0fU} * 4;
  if ((quote[0] >> 4) != 4 || header_len < Ipv4Repr::min_header_len ||
      quote.size() < header_len + 8) {
    return false;
  }
  const Ipv4Address source = Ipv4Address::from_bytes(quote.subspan(12));
  if (!netifs_.is_local(source)) return false;
  if (!config::icmp_errors_to_transports || icmp_error_callback_ == nullptr) return true;
  const std::uint8_t protocol = quote[9];
  if (protocol != static_cast<std::uint8_t>(IpProtocol::Udp) &&
      protocol != static_cast<std::uint8_t>(IpProtocol::Tcp)) {
    return true;
  }
  // Only the first fragment carries the transport header.
  if ((load_be16(quote, 6) & 0x1fffU) != 0) return true;
  const Ipv4Address destination = Ipv4Address::from_bytes(quote.subspan(16));

  IcmpErrorReport report;
  report.type = type;
  report.code = code;
  report.protocol = protocol;
  report.neighbour_unreachable = neighbour_unreachable;
  ConstBytes transport = quote.subspan(header_len);
  report.local = IpEndpoint{source, load_be16(transport, 0)};
  report.remote = IpEndpoint{destination, load_be16(transport, 2)};
  report.sequence = load_be32(transport, 4);
  if (type == static_cast<std::uint8_t>(Icmpv4Type::TimeExceeded)) {
    report.error = Error::HostUnreachable;  // as Linux
  } else if (type == static_cast<std::uint8_t>(Icmpv4Type::ParameterProblem)) {
    // The peer (or a router) could not read what we sent: sending it again
    // will not help. Fatal with EPROTO, as Linux's icmp_err_convert.
    report.error = Error::Protocol;
    report.hard = true;
  } else {
    switch (code) {
      case static_cast<std::uint8_t>(Icmpv4Unreachable::Protocol):
      case static_cast<std::uint8_t>(Icmpv4Unreachable::Port):
        report.error = Error::ConnectionRefused;
        report.hard = true;
        break;
      case static_cast<std::uint8_t>(Icmpv4Unreachable::Net):
      case 6:   // destination network unknown
      case 11:  // network unreachable for the type of service
        report.error = Error::NoRoute;
        break;
      default:
        report.error = Error::HostUnreachable;
        break;
    }
  }
  ++stats_.icmp.errors_to_transport;
  icmp_error_callback_(icmp_error_context_, report, now);
  return true;
}

void IpLayer::fragmentation_needed_input(const Icmpv4Repr& icmp, ConstBytes quote, Instant now) {
  ++stats_.icmp.rx_fragmentation_needed;
  if constexpr (!config::ip4_path_mtu_discovery) {
    // Nothing of ours goes with DF set: it cannot be an answer to us.
    ++stats_.icmp.drop_not_ours;
    return;
  }
  // Anyone can send one: only a quote of a datagram we sent with DF set
  // (the only kind a router answers so) may shrink what we send.
  constexpr std::uint8_t dont_fragment_bit = 0x40;
  if (quote.size() < Ipv4Repr::min_header_len || (quote[0] >> 4) != 4 ||
      (quote[6] & dont_fragment_bit) == 0) {
    ++stats_.icmp.drop_not_ours;
    return;
  }
  const Ipv4Address source = Ipv4Address::from_bytes(quote.subspan(12));
  const Ipv4Address destination = Ipv4Address::from_bytes(quote.subspan(16));
  if (!netifs_.is_local(source)) {
    ++stats_.icmp.drop_not_ours;
    return;
  }
  std::size_t mtu = icmp.next_hop_mtu;
  const std::size_t sent_length = load_be16(quote, 2);
  if (mtu < 68 || mtu >= sent_length) {
    // A router older than RFC 1191 says 0 (and a confused one, what would
    // have fit): guess the next plateau below what we sent (RFC 1191 5, 7).
    constexpr std::array<std::uint16_t, 10> plateaus{32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
    mtu = 68;
    for (const std::uint16_t plateau : plateaus) {
      if (plateau < sent_length) {
        mtu = plateau;
        break;
      }
    }
  }
  if (mtu < ipv4_min_path_mtu) {
    ++stats_.icmp.pmtu_clamped;
    mtu = ipv4_min_path_mtu;
  }
  if (Result<IpRoute> r = route(IpAddress(destination), IpAddress(source))) {
    learn_path_mtu(*r, IpAddress(destination), mtu, now);
  }
}

Status IpLayer::raw_send(RawHandle h, ConstBytes message, const IpAddress& destination,
                         std::uint8_t ttl, Instant now, std::uint8_t tos) {
  if (!raw_.valid(h)) return Error::Closed;
  const bool icmpv6 = config::ipv6 && raw_.protocol(h) == static_cast<std::uint8_t>(IpProtocol::Icmpv6);
  if (icmpv6 && message.size() < 4) return Error::InvalidArgument;  // no room for the checksum
  // An IPv6 payload may be 65535 bytes; an IPv4 packet, header included.
  if (message.size() + (icmpv6 ? 0 : Ipv4Repr::min_header_len) > 65535) return Error::TooBig;
  // Bound to a group or a broadcast address, the endpoint has no source
  // address of its own: the route picks it, as for an unbound one.
  const IpAddress local = raw_.local(h);
  const bool own_source = !local.is_multicast() && !(core_is_v4(local) && is_broadcast(local.v4()));
  Result<IpRoute> r = route(destination, own_source ? local : IpAddress{});
  if (!r) {
    ++(icmpv6 ? stats_.ipv6.drop_no_route : stats_.ipv4.drop_no_route);
    return r.error();
  }
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, message.size());
  if (!buf) {
    ++stats_.ipv4.drop_no_buffer;
    return Error::NoBuffers;
  }
  Bytes into = buf->append(message.size());
  std::copy(message.begin(), message.end(), into.begin());
  if (icmpv6) icmpv6_fill_checksum(into, r->source.v6(), destination.v6());
  IpSendOptions options;
  options.protocol = static_cast<IpProtocol>(raw_.protocol(h));
  if (ttl != 0) options.hop_limit = ttl;
  options.tos = tos;
  Status s = output(std::move(*buf), *r, destination, options, now);
  if (s) ++(icmpv6 ? stats_.icmpv6.tx : stats_.icmp.tx);
  return s;
}

void IpLayer::send_icmp_error(NetifId id, ConstBytes offending, bool broadcast, Icmpv4Type type,
                              std::uint8_t code, Instant now) {
  if constexpr (!config::icmp || !config::ipv4) return;
  if (broadcast || offending.size() < Ipv4Repr::min_header_len) return;
  // Read the offending header by hand: a quote may be cut short of the
  // total length its header claims.
  const std::size_t header_len = std::size_t{offending[0] & 0x0fU} * 4;
  if ((offending[0] >> 4) != 4 || header_len < Ipv4Repr::min_header_len ||
      offending.size() < header_len) {
    return;
  }
  if ((load_be16(offending, 6) & 0x1fffU) != 0) return;  // not the first fragment
  const Ipv4Address source = Ipv4Address::from_bytes(offending.subspan(12));
  const Ipv4Address destination = Ipv4Address::from_bytes(offending.subspan(16));
  if (source.is_unspecified() || source.is_multicast() || is_broadcast(source) ||
      (source.value >> 28) == 0xf) {
    return;
  }
  if (destination.is_multicast() || is_broadcast(destination)) return;
  if (offending[9] == static_cast<std::uint8_t>(IpProtocol::Icmp) &&
      (offending.size() <= header_len || !is_informational(offending[header_len]))) {
    return;
  }
  if (!icmp_limiter_.allow(now)) {
    ++stats_.icmp.rate_limited;
    return;
  }

  // RFC 792: the header and the first 64 bits of the data.
  const std::size_t quote = std::min(offending.size(), header_len + 8);
  std::optional<PacketBuf> buf = pools_.frames.allocate(config::headroom);
  if (!buf) {
    ++stats_.ipv4.drop_no_buffer;
    return;
  }
  Bytes message = buf->append(Icmpv4Repr::header_len + quote);
  std::copy_n(offending.begin(), quote, message.begin() + Icmpv4Repr::header_len);
  Icmpv4Repr error;
  error.type = static_cast<std::uint8_t>(type);
  error.code = code;
  error.emit(message);

  // From the address the datagram was sent to when it is ours, else from
  // the netif it arrived on.
  const Ipv4Address from = netifs_.is_local(destination) ? destination : netifs_[id].address;
  Result<IpRoute> r = route_ipv4(netifs_, source, from);
  if (!r) {
    ++stats_.ipv4.drop_no_route;
    return;
  }
  if (!output(std::move(*buf), *r, source, icmp_reply_options, now)) return;
  ++stats_.icmp.tx;
  if (type == Icmpv4Type::TimeExceeded) {
    ++stats_.icmp.tx_time_exceeded;
  } else {
    ++stats_.icmp.tx_unreachable;
  }
}

Status IpLayer::ping_send(PingHandle h, Ipv4Address destination, std::uint16_t sequence,
                          ConstBytes payload, std::uint8_t ttl, Instant now, std::uint8_t tos,
                          std::optional<NetifId> netif) {
  if constexpr (!config::ipv4) return Error::Unsupported;
  if (!echo_.valid(h)) return Error::Closed;
  if (Icmpv4Repr::header_len + payload.size() + Ipv4Repr::min_header_len > 65535) {
    return Error::TooBig;
  }
  Result<IpRoute> r = netif ? route_ipv4_via(netifs_, *netif, destination, Ipv4Address{})
                            : route_ipv4(netifs_, destination, Ipv4Address{});
  if (!r) {
    ++stats_.ipv4.drop_no_route;
    return r.error();
  }
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, Icmpv4Repr::header_len + payload.size());
  if (!buf) {
    ++stats_.ipv4.drop_no_buffer;
    return Error::NoBuffers;
  }
  Bytes message = buf->append(Icmpv4Repr::header_len + payload.size());
  std::copy(payload.begin(), payload.end(), message.begin() + Icmpv4Repr::header_len);
  Icmpv4Repr request;
  request.type = static_cast<std::uint8_t>(Icmpv4Type::EchoRequest);
  request.identifier = echo_.identifier(h);
  request.sequence = sequence;
  request.emit(message);
  IpSendOptions options = icmp_options(ttl == 0 ? std::nullopt : std::optional<std::uint8_t>(ttl));
  options.tos = tos;
  Status s = output(std::move(*buf), *r, destination, options, now);
  if (s) ++stats_.icmp.tx;
  return s;
}

}  // namespace lwnet
