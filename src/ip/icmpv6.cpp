// ICMPv6 (RFC 4443): echo, errors with their rate limit, errors about our
// packets for the transports, Packet Too Big for path MTU discovery (RFC
// 8201), and the hand-off of Neighbor Discovery messages.
#include <algorithm>

#include "ip/ip_layer.h"

namespace lwnet {

void IpLayer::icmpv6_input(NetifId id, PacketBuf&& packet, const IpDelivery& ip, Instant now) {
  ++stats_.icmpv6.rx;
  const Ipv6Address source = ip.source.v6();
  const Ipv6Address destination = ip.destination.v6();
  Result<Icmpv6Repr> parsed = Icmpv6Repr::parse(packet.data(), source, destination, true);
  if (!parsed) {
    if (parsed.error() == Error::BadChecksum) {
      ++stats_.icmpv6.drop_bad_checksum;
    } else {
      ++stats_.icmpv6.drop_truncated;
    }
    return;
  }
  Icmpv6Repr& icmp = *parsed;
  // Raw ICMPv6 endpoints (SOCK_RAW sockets) get a copy of every message
  // that passed the checks, from its ICMPv6 header on, before it is handled
  // (without raw endpoints, no call).
  if constexpr (config::max_raw_pcbs > 0) {
    std::size_t raw_dropped = 0;
    count(stats_.icmpv6.raw_delivered, raw_.deliver(packet.data(), static_cast<std::uint8_t>(IpProtocol::Icmpv6),
                                                    ip.source, ip.destination, id, raw_dropped));
    count(stats_.icmpv6.raw_dropped, raw_dropped);
  }
  switch (icmp.type) {
    case static_cast<std::uint8_t>(Icmpv6Type::EchoRequest): {
      // To a group: answered only with CONFIG_LWIP_MULTICAST_PING (ESP-IDF
      // leaves it off, as lwIP does for both families; RFC 4443 4.2 would
      // answer), then from the address the route picks.
      if (destination.is_multicast() && !config::multicast_ping) {
        ++stats_.icmpv6.drop_multicast_ping;
        return;
      }
      ++stats_.icmpv6.rx_echo_request;
      Result<IpRoute> r = route_v6(source,
                                     destination.is_multicast() ? Ipv6Address{} : destination,
                                     netifs_[id].loopback ? std::nullopt : std::optional<NetifId>(id));
      if (!r) {
        ++stats_.ipv6.drop_no_route;
        return;
      }
      // The request's buffer becomes the reply: same identifier, sequence
      // and data; new type and checksum.
      // The parsed request is the reply's header once retyped (emit writes
      // an echo's type, code, identifier and sequence, nothing else).
      icmp.type = static_cast<std::uint8_t>(Icmpv6Type::EchoReply);
      icmp.code = 0;
      icmp.emit(packet.data(), r->source.v6(), source);
      IpSendOptions options;
      options.protocol = IpProtocol::Icmpv6;
      if (ipv6_output(std::move(packet), *r, source, options, now)) {
        ++stats_.icmpv6.tx;
        ++stats_.icmpv6.tx_echo_reply;
      }
      return;
    }
    case static_cast<std::uint8_t>(Icmpv6Type::EchoReply): {
      ++stats_.icmpv6.rx_echo_reply;
      packet.consume(Icmpv6Repr::header_len);
      if (echo_.deliver(icmp.identifier, std::move(packet), ip.source, icmp.sequence,
                        ip.hop_limit) != EchoEndpoints::Deliver::Queued) {
        ++stats_.icmpv6.drop_unknown_type;
      }
      return;
    }
    case static_cast<std::uint8_t>(Icmpv6Type::RouterSolicitation):
    case static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement):
    case static_cast<std::uint8_t>(Icmpv6Type::NeighborSolicitation):
    case static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement):
    case static_cast<std::uint8_t>(Icmpv6Type::Redirect):
      ndisc_input(id, packet.data(), ip, now);
      return;
    case static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerQuery):
    case static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerReport):
    case static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerDone):
    case static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerReportV2):
      mld_input(id, packet.data(), ip, now);
      return;
    case static_cast<std::uint8_t>(Icmpv6Type::DestinationUnreachable):
    case static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig):
    case static_cast<std::uint8_t>(Icmpv6Type::TimeExceeded):
    case static_cast<std::uint8_t>(Icmpv6Type::ParameterProblem):
      icmpv6_error_input(icmp, now);
      return;
    default:
      ++stats_.icmpv6.drop_unknown_type;
      return;
  }
}

void IpLayer::icmpv6_error_input(const Icmpv6Repr& icmp, Instant now) {
  // The quote starts with the IPv6 header of a packet we sent, perhaps cut
  // short (1280 bytes at most reach us): read it by hand, not through
  // Ipv6Repr::parse, which wants the whole payload.
  const ConstBytes quote = icmp.data;
  if (quote.size() < Ipv6Repr::header_len || (quote[0] >> 4) != 6) {
    ++stats_.icmpv6.drop_not_ours;
    return;
  }
  const Ipv6Address source = Ipv6Address::from_bytes(quote.subspan(8));
  const Ipv6Address destination = Ipv6Address::from_bytes(quote.subspan(24));
  // Anyone can send an error: only one about a packet from one of our
  // addresses may change what we do (RFC 4443 5.2, RFC 8201 4).
  if (!netifs_.is_local(source)) {
    ++stats_.icmpv6.drop_not_ours;
    return;
  }
  if (icmp.type == static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig)) {
    packet_too_big_input(icmp, source, destination, now);
    return;  // no error for the transports: the packet is sent again smaller
  }
  report_quoted_ipv6(icmp.type, icmp.code, quote, now);
}

void IpLayer::report_quoted_ipv6(std::uint8_t type, std::uint8_t code, ConstBytes quote, Instant now,
                                 bool neighbour_unreachable) {
  if (!config::icmp_errors_to_transports || icmp_error_callback_ == nullptr) return;
  const Ipv6Address source = Ipv6Address::from_bytes(quote.subspan(8));
  const Ipv6Address destination = Ipv6Address::from_bytes(quote.subspan(24));
  // The upper-layer header behind the extension headers we may have sent
  // (a fragment header among them: only the first fragment has it).
  Ipv6HeaderWalker walker(quote[6], quote.subspan(Ipv6Repr::header_len));
  for (;;) {
    Result<bool> more = walker.next();
    if (!more) return;
    if (!*more) break;
    const Ipv6ExtensionHeader& h = walker.header();
    if (h.type == ipv6_next_header::fragment && (load_be16(h.bytes, 2) & 0xfff8U) != 0) return;
  }
  const std::uint8_t protocol = walker.next_header();
  if (protocol != static_cast<std::uint8_t>(IpProtocol::Udp) &&
      protocol != static_cast<std::uint8_t>(IpProtocol::Tcp)) {
    return;
  }
  const ConstBytes transport = walker.rest();
  if (transport.size() < 8) return;  // no ports and sequence number to match

  IcmpErrorReport report;
  report.type = type;
  report.code = code;
  report.protocol = protocol;
  report.neighbour_unreachable = neighbour_unreachable;
  report.local = IpEndpoint{source, load_be16(transport, 0)};
  report.remote = IpEndpoint{destination, load_be16(transport, 2)};
  report.sequence = load_be32(transport, 4);
  if (type == static_cast<std::uint8_t>(Icmpv6Type::DestinationUnreachable)) {
    switch (code) {
      case static_cast<std::uint8_t>(Icmpv6Unreachable::Port):
        // The peer itself refused: hard, as IPv4's port unreachable.
        report.error = Error::ConnectionRefused;
        report.hard = true;
        break;
      case static_cast<std::uint8_t>(Icmpv6Unreachable::NoRoute):
        report.error = Error::NoRoute;
        break;
      default:
        // Administratively prohibited, address unreachable, beyond scope,
        // policy, reject route: the path's verdict, which may change.
        report.error = Error::HostUnreachable;
        break;
    }
  } else if (type == static_cast<std::uint8_t>(Icmpv6Type::ParameterProblem)) {
    // Whatever the code, what we sent cannot be read there and sending it
    // again will not help: fatal with EPROTO, as Linux's icmpv6_err_convert.
    report.error = Error::Protocol;
    report.hard = true;
  } else {
    report.error = Error::HostUnreachable;  // time exceeded, as Linux
  }
  ++stats_.icmpv6.errors_to_transport;
  icmp_error_callback_(icmp_error_context_, report, now);
}

void IpLayer::packet_too_big_input(const Icmpv6Repr& icmp, const Ipv6Address& source,
                                   const Ipv6Address& destination, Instant now) {
  ++stats_.icmpv6.rx_packet_too_big;
  // RFC 8201 4: never below the minimum MTU, whatever a link claims.
  std::size_t mtu = icmp.mtu;
  if (mtu < ipv6_minimum_mtu) {
    ++stats_.icmpv6.pmtu_clamped;
    mtu = ipv6_minimum_mtu;
  }
  if (Result<IpRoute> r = route_v6(destination, source, std::nullopt)) learn_path_mtu(*r, destination, mtu, now);
}

namespace {

// RFC 4443 2.4 (e.1, e.2): never an error about an ICMPv6 error or a
// Redirect, whatever extension headers come before it. A later fragment,
// or a chain this cannot walk, shows no ICMPv6 header: it may be answered.
bool answers_icmpv6_error_or_redirect(const Ipv6Repr& ip) {
  Ipv6HeaderWalker walker(ip);
  Result<bool> more = walker.next();
  bool later_fragment = false;
  while (more && *more) {
    if (walker.header().type == ipv6_next_header::fragment) {
      const Result<Ipv6FragmentHeader> fragment = Ipv6FragmentHeader::parse(walker.header().bytes);
      later_fragment = !fragment || fragment->fragment_offset != 0;
    }
    more = walker.next();
  }
  if (!more || later_fragment || walker.next_header() != ipv6_next_header::icmpv6) return false;
  const ConstBytes message = walker.rest();
  return !message.empty() && (icmpv6_is_error(message[0]) ||
                              message[0] == static_cast<std::uint8_t>(Icmpv6Type::Redirect));
}

}  // namespace

void IpLayer::send_icmpv6_error(NetifId id, ConstBytes offending, bool link_multicast, Icmpv6Type type,
                                std::uint8_t code, std::uint32_t parameter, Instant now) {
  Result<Ipv6Repr> parsed = Ipv6Repr::parse(offending);
  if (!parsed) return;
  const Ipv6Repr& ip = *parsed;
  // RFC 4443 2.4 (e.3-e.5): nothing to a group's packet or one in a
  // link-layer broadcast or multicast (but for packet too big and an
  // unknown option that asked for it), nothing to an unspecified or
  // multicast source.
  const bool allowed_to_group =
      type == Icmpv6Type::PacketTooBig ||
      (type == Icmpv6Type::ParameterProblem &&
       code == static_cast<std::uint8_t>(Icmpv6ParameterProblem::UnrecognizedOption));
  if (((ip.destination.is_multicast() || link_multicast) && !allowed_to_group) || ip.source.is_unspecified() ||
      ip.source.is_multicast()) {
    return;
  }
  if (answers_icmpv6_error_or_redirect(ip)) return;
  if (!icmpv6_limiter_.allow(now)) {
    ++stats_.icmpv6.rate_limited;
    return;
  }
  const Ipv6Address from = ip.destination.is_multicast() ? Ipv6Address{} : ip.destination;
  Result<IpRoute> r = route_v6(ip.source, netifs_.is_local(from) ? from : Ipv6Address{},
                                 netifs_[id].loopback ? std::nullopt : std::optional<NetifId>(id));
  if (!r) return;
  const std::size_t length = Icmpv6Repr::error_len(offending.size());
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (!buf) {
    ++stats_.ipv6.drop_no_buffer;
    return;
  }
  Icmpv6Repr error;
  error.type = static_cast<std::uint8_t>(type);
  error.code = code;
  error.pointer = parameter;
  error.mtu = parameter;
  if (!error.emit_error(buf->append(length), offending, r->source.v6(), ip.source)) return;
  IpSendOptions options;
  options.protocol = IpProtocol::Icmpv6;
  if (ipv6_output(std::move(*buf), *r, ip.source, options, now)) {
    ++stats_.icmpv6.tx;
    ++stats_.icmpv6.tx_error;
  }
}

Status IpLayer::send_icmpv6(NetifId id, const Ipv6Address& source, const Ipv6Address& destination,
                            std::uint8_t hop_limit, PacketBuf&& message, Instant now) {
  IpRoute route;
  route.netif = id;
  route.source = source;
  route.next_hop = destination;
  IpSendOptions options;
  options.protocol = IpProtocol::Icmpv6;
  options.hop_limit = hop_limit;
  Status s = ipv6_output(std::move(message), route, destination, options, now);
  if (s) ++stats_.icmpv6.tx;
  return s;
}

Status IpLayer::ping6_send(PingHandle h, const Ipv6Address& destination, std::uint16_t sequence,
                           ConstBytes payload, std::uint8_t hop_limit, Instant now,
                           std::optional<NetifId> netif) {
  if (!echo_.valid(h)) return Error::Closed;
  if (Icmpv6Repr::header_len + payload.size() > 65535) return Error::TooBig;
  Result<IpRoute> r = route_v6(destination, Ipv6Address{}, netif);
  if (!r) {
    ++stats_.ipv6.drop_no_route;
    return r.error();
  }
  const std::size_t length = Icmpv6Repr::header_len + payload.size();
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (!buf) {
    ++stats_.ipv6.drop_no_buffer;
    return Error::NoBuffers;
  }
  Bytes message = buf->append(length);
  std::copy(payload.begin(), payload.end(), message.begin() + Icmpv6Repr::header_len);
  Icmpv6Repr request;
  request.type = static_cast<std::uint8_t>(Icmpv6Type::EchoRequest);
  request.identifier = echo_.identifier(h);
  request.sequence = sequence;
  request.emit(message, r->source.v6(), destination);
  IpSendOptions options;
  options.protocol = IpProtocol::Icmpv6;
  if (hop_limit != 0) options.hop_limit = hop_limit;
  Status s = ipv6_output(std::move(*buf), *r, destination, options, now);
  if (s) ++stats_.icmpv6.tx;
  return s;
}

}  // namespace lwnet
