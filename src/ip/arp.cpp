// ARP (RFC 826): answering requests for our address, learning neighbours,
// resolving next hops; gratuitous ARP and RFC 5227 probes.
#include "ip/ip_layer.h"
#include "wire/arp.h"
#include "wire/ethernet.h"

namespace lwnet {

namespace {
constexpr auto arp_ethertype = static_cast<std::uint16_t>(EtherType::Arp);
}

bool IpLayer::send_arp(Netif& n, PacketBuf* reply_in, const MacAddress& eth_destination,
                       Ipv4Address sender_ip, Ipv4Address target_ip, Instant now) {
  // One function for both: the ArpRepr, the emit and the send are not
  // written twice (nor their arguments passed on from one to the other).
  const bool reply = reply_in != nullptr;
  std::optional<PacketBuf> fresh = reply ? std::optional<PacketBuf>{} : pools_.frames.allocate(config::headroom);
  PacketBuf* frame = reply_in;
  if (!reply) {
    if (!fresh) {
      ++stats_.ethernet.drop_no_buffer;
      return false;
    }
    fresh->append(ArpRepr::packet_len);
    frame = &*fresh;
  }
  ArpRepr arp;
  arp.operation = reply ? ArpOperation::Reply : ArpOperation::Request;
  arp.sender_mac = n.mac;
  arp.sender_ip = sender_ip;
  // A reply's target is the requester, the frame's destination.
  arp.target_mac = reply ? eth_destination : MacAddress{};
  arp.target_ip = target_ip;
  arp.emit(frame->data());
  if (!send_frame(n, eth_destination, arp_ethertype, *frame, now)) return false;
  if (reply) {
    ++stats_.arp.tx_reply;
  } else if (sender_ip == target_ip) {
    ++stats_.arp.tx_gratuitous;
  } else {
    ++stats_.arp.tx_request;
  }
  return true;
}

void IpLayer::send_arp_request(NetifId id, Ipv4Address target, Instant now) {
  (void)send_arp_request_to(netifs_[id], MacAddress::broadcast(), target, now);
}

bool IpLayer::send_arp_request_to(Netif& n, const MacAddress& eth_destination, Ipv4Address target,
                                  Instant now) {
  return send_arp(n, nullptr, eth_destination, n.address, target, now);
}

void IpLayer::confirm_neighbour(Netif& n, NetifId id, Ipv4Address next_hop, const MacAddress& mac,
                                Instant now) {
  // Unicast, to the MAC we have (RFC 1122 2.3.2.1's poll): a neighbour
  // that moved away answers no more, and the entry expires as before.
  if (arp_cache_.refresh_due(id, next_hop, now)) {
    (void)send_arp_request_to(n, mac, next_hop, now);
  }
}

bool IpLayer::send_gratuitous_arp(Netif& n, Instant now) {
  // Sender and target are both our address, target MAC zero (RFC 5227's
  // announcement, what lwIP's etharp_gratuitous sends).
  return send_arp_request_to(n, MacAddress::broadcast(), n.address, now);
}

void IpLayer::send_resolved(NetifId id, const MacAddress& mac, Instant now) {
  while (!resolved_.empty()) {
    // Sent from its place in the queue (send_datagram only reads it), then
    // dropped: no move out. Failures are counted where they happen; nobody
    // waits for the result.
    (void)send_datagram(netifs_[id], mac, std::move(resolved_.front()), now);
    resolved_.drop_front();
  }
}

void IpLayer::arp_input(NetifId id, PacketBuf&& packet, Instant now) {
  Result<ArpRepr> parsed = ArpRepr::parse(packet.data());
  if (!parsed) {
    if (parsed.error() == Error::Unsupported) {
      ++stats_.arp.drop_unsupported;
    } else {
      ++stats_.arp.drop_malformed;
    }
    return;
  }
  const ArpRepr& arp = *parsed;
  Netif& n = netifs_[id];
  const bool request = arp.operation == ArpOperation::Request;
  if (request) {
    ++stats_.arp.rx_request;
  } else {
    ++stats_.arp.rx_reply;
  }
  if (!arp.sender_mac.is_unicast() || arp.sender_ip.is_broadcast() ||
      arp.sender_ip.is_multicast()) {
    ++stats_.arp.drop_malformed;
    return;
  }
  if (arp.sender_mac == n.mac) {  // our own frame, reflected back
    ++stats_.arp.drop_not_for_us;
    return;
  }
  // Each test once: the compiler copied the paths that repeated them.
  // A sender is never the limited broadcast (refused above): as "our
  // address" of a netif without one it matches no sender.
  const Ipv4Address ours = n.has_ipv4 ? n.address : Ipv4Address::broadcast();
  const bool from_our_address = arp.sender_ip == ours;
  const bool for_us = n.has_ipv4 && arp.target_ip == ours;

  // Another host using the address we probe for (it answers, announces, or
  // probes for it too), or the address we have.
  bool conflict = from_our_address;
  if (n.probe_ip) {
    const Ipv4Address probed = *n.probe_ip;
    if (arp.sender_ip == probed ||
        (request && arp.sender_ip.is_unspecified() && arp.target_ip == probed)) {
      n.probe_conflict = true;
      conflict = true;
    }
  }
  if (from_our_address) n.address_conflict = true;
  if (conflict) {
    ++n.conflicts;
    ++stats_.arp.conflicts;
  }

  if (!arp.sender_ip.is_unspecified() && !from_our_address) {
    // RFC 826: update an entry we have; make one only when the request is
    // for us (we will talk back). Replies nobody asked for make nothing.
    const ArpCache::Learn learned =
        arp_cache_.learn(id, arp.sender_ip, arp.sender_mac, request && for_us, now, resolved_, evicted_);
    schedule_evicted_reports(arp_timer, now);
    if (learned == ArpCache::Learn::Updated || learned == ArpCache::Learn::Created) {
      arm_no_later(arp_timer, now + arp_timing::max_age);
    } else if (learned == ArpCache::Learn::NotFound && !request && !conflict) {
      ++stats_.arp.drop_unsolicited;
    }
    if (!resolved_.empty()) send_resolved(id, arp.sender_mac, now);
  }

  if (!request) return;
  if (!for_us) {
    if (!conflict) ++stats_.arp.drop_not_for_us;
    return;
  }
  // Answer in place: the request's buffer becomes the reply.
  packet.truncate(ArpRepr::packet_len);
  (void)send_arp(n, &packet, arp.sender_mac, n.address, arp.sender_ip, now);
}

Status IpLayer::arp_add_static(NetifId id, Ipv4Address ip, const MacAddress& mac, Instant now) {
  if constexpr (!config::ipv4) return Error::Unsupported;
  const Netif* n = netifs_.get(id);
  if (n == nullptr || n->medium != Medium::Ethernet || !mac.is_unicast() ||
      ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast()) {
    return Error::InvalidArgument;
  }
  Status s = arp_cache_.add_static(id, ip, mac, resolved_, evicted_);
  schedule_evicted_reports(arp_timer, now);
  if (!resolved_.empty()) send_resolved(id, mac, now);
  return s;
}

Status IpLayer::arp_remove(NetifId id, Ipv4Address ip) {
  if constexpr (!config::ipv4) return Error::Unsupported;
  return arp_cache_.remove(id, ip);
}

std::optional<MacAddress> IpLayer::arp_lookup(NetifId id, Ipv4Address ip) const {
  return arp_cache_.lookup(id, ip);
}

Status IpLayer::arp_probe(NetifId id, Ipv4Address ip, Instant now) {
  if constexpr (!config::ipv4) return Error::Unsupported;
  Netif* n = netifs_.get(id);
  if (n == nullptr || n->medium != Medium::Ethernet || ip.is_unspecified()) {
    return Error::InvalidArgument;
  }
  if (!n->usable()) return Error::NetDown;
  n->probe_ip = ip;
  n->probe_conflict = false;
  // RFC 5227 2.1.1: sender IP zero, target MAC zero.
  const bool sent = send_arp(*n, nullptr, MacAddress::broadcast(), Ipv4Address{}, ip, now);
  return sent ? Status{} : Status{Error::NoBuffers};
}

Status IpLayer::arp_announce(NetifId id, Instant now) {
  if constexpr (!config::ipv4) return Error::Unsupported;
  Netif* n = netifs_.get(id);
  if (n == nullptr || n->medium != Medium::Ethernet || !n->has_ipv4) {
    return Error::InvalidArgument;
  }
  if (!n->usable()) return Error::NetDown;
  return send_gratuitous_arp(*n, now) ? Status{} : Status{Error::NoBuffers};
}

std::uint32_t IpLayer::arp_conflicts(NetifId id) const {
  const Netif* n = netifs_.get(id);
  return n == nullptr ? 0 : n->conflicts;
}

bool IpLayer::arp_conflict(NetifId id, Ipv4Address ip) const {
  const Netif* n = netifs_.get(id);
  if (n == nullptr) return false;
  return (n->probe_ip == ip && n->probe_conflict) ||
         (n->has_ipv4 && n->address == ip && n->address_conflict);
}

}  // namespace lwnet
