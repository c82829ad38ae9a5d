// IPv6 input (RFC 8200): validation, the destination check, the extension
// header chain, and the hand-off to ICMPv6 or the transport layer.
#include "ip/ip_layer.h"
#include "wire/ndisc.h"
#include "wire/tcp.h"
#include "wire/udp.h"

namespace lwnet {

namespace {

// The fewest bytes of an upper-layer header a first fragment must hold:
// the fixed part of the protocols this stack reads; nothing for the others,
// whose header it cannot judge.
std::size_t upper_layer_header_len(std::uint8_t protocol) {
  switch (protocol) {
    case static_cast<std::uint8_t>(IpProtocol::Tcp): return TcpRepr::min_header_len;
    case static_cast<std::uint8_t>(IpProtocol::Udp): return UdpRepr::header_len;
    case ipv6_next_header::icmpv6: return Icmpv6Repr::header_len;
    default: return 0;
  }
}

// An ICMPv6 Neighbor Advertisement straight after the IPv6 header, with
// ND's hop limit (others ND drops anyway, RFC 4861 7.1.2).
bool is_neighbor_advertisement(const Ipv6Repr& ip) {
  return ip.next_header == ipv6_next_header::icmpv6 && ip.hop_limit == ndisc_hop_limit &&
         !ip.payload.empty() &&
         ip.payload[0] == icmpv6_type_value(Icmpv6Type::NeighborAdvertisement);
}

}  // namespace

bool IpLayer::accepts_ipv6(NetifId id, const Netif& n, const Ipv6Address& destination) const {
  if (destination.is_multicast()) {
    if (destination == Ipv6Address::all_nodes()) return true;
    if (groups_.find(id, IpAddress(destination))) return true;
    // IPV6_MULTICAST_LOOP's copies come back through the loopback netif.
    if (n.loopback && groups_.joined_anywhere(IpAddress(destination))) return true;
    // The solicited-node groups of every address we hold, tentative ones
    // included (DAD listens there for other hosts' probes).
    for (const Ipv6NetifAddress& s : n.ipv6) {
      if (s.assigned() && ndisc_solicited_node(s.address) == destination) return true;
    }
    return false;
  }
  // ::1 never arrives from outside (RFC 4291 2.5.3).
  if (destination.is_loopback()) return n.loopback;
  if (n.has_ipv6(destination)) return true;
  if (n.loopback) return netifs_.is_local(destination);
  // Weak host model, as for IPv4 (link-local addresses belong to their link).
  return !destination.is_link_local() && netifs_.is_local(destination);
}

bool IpLayer::walk_extension_headers(NetifId id, const PacketBuf& packet, const Ipv6Repr& ip,
                                     std::uint8_t& next_header, std::size_t& offset, bool link_multicast,
                                     Instant now) {
  const ConstBytes whole = packet.data();
  Ipv6HeaderWalker walker(ip);
  for (;;) {
    Result<bool> more = walker.next();
    if (!more) {
      ++stats_.ipv6.drop_bad_extension;
      if (more.error() == Error::Malformed && walker.headers_seen() < Ipv6HeaderWalker::default_max_headers) {
        // A hop-by-hop header anywhere but first (RFC 8200 4.1).
        send_icmpv6_error(id, whole, link_multicast, Icmpv6Type::ParameterProblem,
                          static_cast<std::uint8_t>(Icmpv6ParameterProblem::UnrecognizedNextHeader),
                          static_cast<std::uint32_t>(walker.next_header_field_offset()), now);
      }
      return false;
    }
    if (!*more) break;
    const Ipv6ExtensionHeader& h = walker.header();
    const std::size_t at = Ipv6Repr::header_len + h.offset;  // from the IPv6 header's start
    switch (h.type) {
      case ipv6_next_header::hop_by_hop:
      case ipv6_next_header::destination_options: {
        Result<Ipv6OptionsHeader> options = Ipv6OptionsHeader::parse(h.bytes);
        if (!options) {
          ++stats_.ipv6.drop_bad_extension;
          return false;
        }
        Ipv6OptionIterator it = options->options();
        while (std::optional<Ipv6Option> option = it.next()) {
          if (option->type == ipv6_option_router_alert && h.type == ipv6_next_header::hop_by_hop) continue;
          // Unknown: the two high bits say what to do (RFC 8200 4.2).
          switch (option->action()) {
            case Ipv6OptionAction::Skip:
              continue;
            case Ipv6OptionAction::Discard:
              break;
            case Ipv6OptionAction::DiscardSendErrorUnlessMulticast:
              if (ip.destination.is_multicast()) break;
              [[fallthrough]];
            case Ipv6OptionAction::DiscardSendError:
              send_icmpv6_error(id, whole, link_multicast, Icmpv6Type::ParameterProblem,
                                static_cast<std::uint8_t>(Icmpv6ParameterProblem::UnrecognizedOption),
                                static_cast<std::uint32_t>(at + option->offset), now);
              break;
          }
          ++stats_.ipv6.drop_bad_extension;
          return false;
        }
        break;
      }
      case ipv6_next_header::routing: {
        Result<Ipv6RoutingHeader> routing = Ipv6RoutingHeader::parse(h.bytes);
        if (!routing) {
          ++stats_.ipv6.drop_bad_extension;
          return false;
        }
        // A host forwards nothing: a routing header with segments left
        // (type 0 included, RFC 5095) is refused, pointing at its type.
        if (routing->segments_left != 0) {
          ++stats_.ipv6.drop_bad_extension;
          send_icmpv6_error(id, whole, link_multicast, Icmpv6Type::ParameterProblem,
                            static_cast<std::uint8_t>(Icmpv6ParameterProblem::ErroneousHeaderField),
                            static_cast<std::uint32_t>(at + 2), now);
          return false;
        }
        break;
      }
      case ipv6_next_header::fragment:
        if constexpr (!config::ip6_reassembly) {
          ++stats_.ipv6.drop_fragment;
          return false;
        } else {
          next_header = ipv6_next_header::fragment;
          offset = h.offset;
          return true;
        }
      default:
        break;
    }
  }
  next_header = walker.next_header();
  offset = walker.offset();
  return true;
}

bool IpLayer::ipv6_reassemble(NetifId id, PacketBuf& packet, Ipv6Repr& ip, std::size_t offset,
                              bool link_multicast, Instant now) {
  Result<Ipv6FragmentHeader> fragment = Ipv6FragmentHeader::parse(ip.payload.subspan(offset));
  if (!fragment) {
    ++stats_.ipv6.drop_bad_extension;
    return false;
  }
  if (std::optional<std::uint32_t> pointer =
          Ipv6Reassembly::parameter_problem_pointer(ip, offset, *fragment)) {
    send_icmpv6_error(id, packet.data(), link_multicast, Icmpv6Type::ParameterProblem,
                      static_cast<std::uint8_t>(Icmpv6ParameterProblem::ErroneousHeaderField),
                      *pointer, now);
  }
  if (fragment->fragment_offset == 0) {
    // RFC 7112: the first fragment holds the whole header chain, so that
    // what follows the fragment header is known from it alone.
    const ConstBytes after = ip.payload.subspan(offset + Ipv6FragmentHeader::header_len);
    Ipv6HeaderWalker chain(fragment->next_header, after);
    Result<bool> more = chain.next();
    while (more && *more && chain.header().type != ipv6_next_header::fragment) more = chain.next();
    if ((more && *more) || (!more && more.error() != Error::Truncated)) {
      ++stats_.ipv6.drop_bad_fragment;  // a fragment header inside, or a chain too long
      return false;
    }
    // RFC 8200 4.5, RFC 7112 5: a chain cut short, or no room for the
    // upper-layer header, is answered with code 3, pointer 0.
    if (!more || after.size() - chain.offset() < upper_layer_header_len(chain.next_header())) {
      ++stats_.ipv6.drop_bad_fragment;
      send_icmpv6_error(id, packet.data(), link_multicast, Icmpv6Type::ParameterProblem,
                        static_cast<std::uint8_t>(Icmpv6ParameterProblem::IncompleteHeaderChain), 0, now);
      return false;
    }
  }
  std::optional<PacketBuf> whole = reassembly6_.add(std::move(packet), ip, offset, *fragment, id, now);
  arm_no_later(reassembly6_timer, reassembly6_.next_deadline());
  if (!whole) return false;
  packet = std::move(*whole);
  Result<Ipv6Repr> rebuilt = Ipv6Repr::parse(packet.data());
  if (!rebuilt) {
    ++stats_.ipv6.drop_malformed;
    return false;
  }
  ip = *rebuilt;
  return true;
}

std::optional<IpDelivery> IpLayer::ipv6_input(NetifId id, PacketBuf&& packet, bool link_multicast,
                                              Instant now) {
  // Every return hands back this one object (built in the caller's place):
  // no IpDelivery is built aside and moved into it.
  std::optional<IpDelivery> delivered;
  ++stats_.ipv6.rx;
  Result<Ipv6Repr> parsed = Ipv6Repr::parse(packet.data());
  if (!parsed) {
    switch (parsed.error()) {
      case Error::Truncated: ++stats_.ipv6.drop_truncated; break;
      case Error::Unsupported: ++stats_.ipv6.drop_bad_version; break;
      default: ++stats_.ipv6.drop_malformed; break;
    }
    return delivered;
  }
  Ipv6Repr& ip = *parsed;  // in place, not copied
  // Cut the link layer's padding.
  packet.truncate(Ipv6Repr::header_len + ip.payload.size());
  const Netif& n = netifs_[id];
  if (ip.source.is_loopback() && !n.loopback) {
    ++stats_.ipv6.drop_bad_source;
    return delivered;
  }
  // What we send to our own addresses never leaves the host (route_ipv6
  // takes it through the loopback netif), so one of them as the source of
  // a packet from a link is forged or looped back. Taken in, every answer
  // would come back to us: two echoing ports would bounce one datagram for
  // ever. Tentative addresses are not ours yet (find_by_address looks at
  // usable ones only): DAD must hear the NA and NS of a host that holds
  // one. A Neighbor Advertisement passes too: it is how a host that claims
  // one of ours speaks (RFC 4862 5.4.4, a duplicate found after DAD, which
  // ND counts), and nothing answers an NA.
  if (!n.loopback && !n.accept_local && netifs_.find_by_address(ip.source) && !is_neighbor_advertisement(ip)) {
    ++stats_.ipv6.drop_bad_source;
    return delivered;
  }
  if (!accepts_ipv6(id, n, ip.destination)) {
    ++stats_.ipv6.drop_not_for_us;
    return delivered;
  }
  std::uint8_t next_header = ip.next_header;
  std::size_t offset = 0;
  if (!walk_extension_headers(id, packet, ip, next_header, offset, link_multicast, now)) return delivered;
  if (next_header == ipv6_next_header::fragment) {
    if (!ipv6_reassemble(id, packet, ip, offset, link_multicast, now)) return delivered;
    // The whole datagram has no fragment header left; one more means
    // fragments inside fragments (RFC 8200 4.5 allows one level only).
    if (!walk_extension_headers(id, packet, ip, next_header, offset, link_multicast, now)) return delivered;
    if (next_header == ipv6_next_header::fragment) {
      ++stats_.ipv6.drop_bad_fragment;
      return delivered;
    }
  }

  packet.mark(Layer::Network);
  packet.consume(Ipv6Repr::header_len + offset);
  packet.mark(Layer::Transport);
  IpDelivery& delivery = delivered.emplace();
  delivery.source = ip.source;
  delivery.destination = ip.destination;
  delivery.protocol = next_header;
  delivery.hop_limit = ip.hop_limit;
  delivery.netif = id;
  delivery.broadcast = ip.destination.is_multicast() || link_multicast;
  if (next_header == ipv6_next_header::icmpv6) {
    ++stats_.ipv6.rx_delivered;
    icmpv6_input(id, std::move(packet), delivery, now);
    delivered.reset();
    return delivered;
  }
  if (next_header == ipv6_next_header::no_next_header) {
    ++stats_.ipv6.rx_delivered;
    delivered.reset();
    return delivered;
  }
  delivery.packet = std::move(packet);
  return delivered;
}

}  // namespace lwnet
