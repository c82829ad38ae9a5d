// IGMPv2, host side (RFC 2236): joins and leaves, answers to queries,
// IGMPv1 compatibility,
// report suppression; and the multicast parts of the link (the Ethernet
// multicast filter, IP_MULTICAST_LOOP's local copy).
#include <algorithm>

#include "ip/ip_layer.h"
#include "wire/igmp.h"
#include "wire/ipv4.h"

namespace lwnet {

namespace {

using State = MulticastGroups::State;

constexpr auto report_type = static_cast<std::uint8_t>(IgmpType::V2MembershipReport);
constexpr auto v1_report_type = static_cast<std::uint8_t>(IgmpType::V1MembershipReport);
constexpr auto leave_type = static_cast<std::uint8_t>(IgmpType::LeaveGroup);

// RFC 1112 6.4: 01:00:5e and the low 23 bits of the group.
MacAddress group_mac(Ipv4Address group) {
  return {{0x01, 0x00, 0x5e, static_cast<std::uint8_t>((group.value >> 16) & 0x7fU),
           static_cast<std::uint8_t>(group.value >> 8), static_cast<std::uint8_t>(group.value)}};
}

}  // namespace

bool IpLayer::igmp_is_member(NetifId id, Ipv4Address group) const {
  if (!config::igmp || netifs_.get(id) == nullptr || !group.is_multicast()) return false;
  return group == igmp_all_hosts || groups_.find(id, IpAddress(group)).has_value();
}

Status IpLayer::igmp_join(NetifId id, Ipv4Address group, Instant now) {
  if constexpr (!config::igmp) return Error::Unsupported;
  if (netifs_.get(id) == nullptr || !group.is_multicast()) return Error::InvalidArgument;
  // Every netif is in the all-hosts group for good (RFC 2236 6).
  if (group == igmp_all_hosts) return {};
  if (std::optional<std::size_t> slot = groups_.find(id, IpAddress(group))) {
    ++groups_[*slot].references;
    return {};
  }
  Result<std::size_t> slot = groups_.add(id, IpAddress(group));
  if (!slot) {
    ++stats_.igmp.join_table_full;
    return slot.error();
  }
  // RFC 2236 3: report at once in case we are the group's first member
  // here, and once more in case that report was lost.
  igmp_send(id, report_type, group, group, now);
  MulticastGroups::Group& g = groups_[*slot];
  g.last_reporter = true;
  g.state = State::Delaying;
  timers_.arm(igmp_timer(*slot), now + igmp_timing::unsolicited_report_interval);
  return {};
}

Status IpLayer::igmp_leave(NetifId id, Ipv4Address group, Instant now) {
  if constexpr (!config::igmp) return Error::Unsupported;
  if (netifs_.get(id) == nullptr || !group.is_multicast()) return Error::InvalidArgument;
  if (group == igmp_all_hosts) return {};
  const std::optional<std::size_t> slot = groups_.find(id, IpAddress(group));
  if (!slot) return Error::AddressNotAvailable;
  MulticastGroups::Group& g = groups_[*slot];
  if (--g.references != 0) return {};
  // RFC 2236 6: only the host whose report the router heard last leaves
  // loudly; the others' leave would tell the router nothing.
  if (g.last_reporter && now >= igmp_v1_router_until_[id.value]) {
    igmp_send(id, leave_type, group, igmp_all_routers, now);
  }
  timers_.cancel(igmp_timer(*slot));
  groups_.remove(*slot);
  return {};
}

void IpLayer::igmp_send(NetifId id, std::uint8_t type, Ipv4Address group, Ipv4Address destination,
                        Instant now) {
  // Never reached without IGMP, whose tables are then empty (config::igmp).
  if constexpr (!config::igmp) return;
  std::optional<PacketBuf> buf = pools_.frames.allocate(config::headroom);
  if (!buf) {
    ++stats_.igmp.drop_send_failed;
    return;
  }
  // An IGMPv1 router on the link hears only v1 reports (RFC 2236 4).
  if (type == report_type && now < igmp_v1_router_until_[id.value]) type = v1_report_type;
  IgmpRepr igmp;
  igmp.type = type;
  igmp.group = group;
  igmp.emit(buf->append(IgmpRepr::header_len));
  const Netif& n = netifs_[id];
  IpRoute route;
  route.netif = id;
  // A netif without an address yet (DHCP) reports from 0.0.0.0 (RFC 2236 3 allows it).
  route.source = n.has_ipv4 ? n.address : Ipv4Address{};
  route.next_hop = destination;
  IpSendOptions options;
  options.protocol = IpProtocol::Igmp;
  options.hop_limit = 1;  // RFC 2236 2: never forwarded
  options.router_alert = true;
  if (!output(std::move(*buf), route, destination, options, now)) {
    ++stats_.igmp.drop_send_failed;
    return;
  }
  ++stats_.igmp.tx;
  ++(type == leave_type ? stats_.igmp.tx_leave : stats_.igmp.tx_report);
}

void IpLayer::igmp_report_due(std::size_t slot, Instant now) {
  MulticastGroups::Group& g = groups_[slot];
  if (core_is_v6(g.address)) {
    if constexpr (config::ipv6) mld_report_due(slot, now);
    return;
  }
  if constexpr (!config::igmp) return;
  if (g.state != State::Delaying) return;
  igmp_send(g.netif, report_type, g.address.v4(), g.address.v4(), now);
  g.last_reporter = true;
  g.state = State::Idle;
}

void IpLayer::igmp_schedule_report(std::size_t slot, Duration max_delay, Instant now) {
  MulticastGroups::Group& g = groups_[slot];
  const std::uint16_t timer = igmp_timer(slot);
  if (g.state == State::Delaying && timers_.deadline(timer) <= now + max_delay) return;
  const auto bound = static_cast<std::uint32_t>(std::max<std::int64_t>(max_delay.total_micros(), 1));
  g.state = State::Delaying;
  timers_.arm(timer, now + Duration::micros(random_.below(bound)));
}

void IpLayer::igmp_report_all(NetifId id, Instant now) {
  if (!netifs_[id].usable()) return;
  for (std::size_t slot = 0; slot < MulticastGroups::capacity; ++slot) {
    MulticastGroups::Group& g = groups_[slot];
    if (g.state == State::Free || g.netif != id) continue;
    // MLD's entries announce themselves as a join does; reportable() ones
    // only (the others never leave Idle).
    if (core_is_v6(g.address)) {
      if (!config::ipv6 || !mld_reportable(id, g.address.v6())) continue;
      g.unsolicited_left = mld_timing::robustness;
    }
    g.state = State::Delaying;
    timers_.arm(igmp_timer(slot), now);
  }
}

void IpLayer::igmp_input(NetifId id, PacketBuf&& packet, const IpDelivery& ip, Instant now) {
  // Never reached without IGMP, whose tables are then empty (config::igmp).
  if constexpr (!config::igmp) return;
  ++stats_.igmp.rx;
  Result<IgmpRepr> parsed = IgmpRepr::parse(packet.data());
  if (!parsed) {
    switch (parsed.error()) {
      case Error::Truncated: ++stats_.igmp.drop_truncated; break;
      case Error::BadChecksum: ++stats_.igmp.drop_bad_checksum; break;
      default: ++stats_.igmp.drop_malformed; break;
    }
    return;
  }
  const IgmpRepr& igmp = *parsed;
  switch (static_cast<IgmpType>(igmp.type)) {
    case IgmpType::MembershipQuery: {
      // A v1 query has no Max Resp Time; a v2 or v3 one counts tenths.
      const Duration max_delay = igmp.max_response_time == 0
                                     ? igmp_timing::v1_max_response
                                     : Duration::millis(std::int64_t{igmp.max_response_time} * 100);
      if (igmp.max_response_time == 0) {
        igmp_v1_router_until_[id.value] = now + igmp_timing::v1_router_present_timeout;
      }
      if (igmp.group.is_unspecified()) {
        ++stats_.igmp.rx_general_query;
        for (std::size_t slot = 0; slot < MulticastGroups::capacity; ++slot) {
          const MulticastGroups::Group& g = groups_[slot];
          if (g.state != State::Free && g.netif == id && core_is_v4(g.address)) {
            igmp_schedule_report(slot, max_delay, now);
          }
        }
      } else {
        ++stats_.igmp.rx_group_query;
        if (std::optional<std::size_t> slot = groups_.find(id, IpAddress(igmp.group))) {
          igmp_schedule_report(*slot, max_delay, now);
        }
      }
      return;
    }
    case IgmpType::V1MembershipReport:
    case IgmpType::V2MembershipReport: {
      ++stats_.igmp.rx_report;
      // Another member answered for the group (RFC 2236 6): ours is not
      // needed, and the router will not wait for our leave.
      const std::optional<std::size_t> slot = groups_.find(id, IpAddress(igmp.group));
      if (!slot || ip.destination != IpAddress(igmp.group)) return;
      MulticastGroups::Group& g = groups_[*slot];
      if (g.state == State::Delaying) {
        timers_.cancel(igmp_timer(*slot));
        g.state = State::Idle;
        ++stats_.igmp.reports_suppressed;
      }
      g.last_reporter = false;
      return;
    }
    case IgmpType::LeaveGroup:
      ++stats_.igmp.rx_leave;  // for routers; a host has nothing to do
      return;
  }
  ++stats_.igmp.drop_unknown_type;
}

bool IpLayer::accepts_multicast_mac(NetifId id, const MacAddress& mac) const {
  if (config::igmp && mac == group_mac(igmp_all_hosts)) return true;
  if (config::ipv6 && mac.octets[0] == 0x33 && mac.octets[1] == 0x33) {
    // IPv6 (RFC 2464 7): all-nodes, and the solicited-node groups of the
    // netif's addresses (tentative ones included, for DAD).
    if (mac == MacAddress{{0x33, 0x33, 0, 0, 0, 1}}) return true;
    // And the groups joined on it (RFC 2464 7: the group's low 32 bits).
    for (std::size_t slot = 0; slot < MulticastGroups::capacity; ++slot) {
      const MulticastGroups::Group& g = groups_[slot];
      if (g.state != State::Free && g.netif == id && core_is_v6(g.address) &&
          std::equal(mac.octets.begin() + 2, mac.octets.end(), g.address.v6().octets.begin() + 12)) {
        return true;
      }
    }
    for (const Ipv6NetifAddress& a : netifs_[id].ipv6) {
      if (a.assigned() && mac.octets[2] == 0xff && mac.octets[3] == a.address.octets[13] &&
          mac.octets[4] == a.address.octets[14] && mac.octets[5] == a.address.octets[15]) {
        return true;
      }
    }
    return false;
  }
  // IPv4 groups are only joined through IGMP (igmp_join).
  if constexpr (config::igmp) {
    for (std::size_t slot = 0; slot < MulticastGroups::capacity; ++slot) {
      const MulticastGroups::Group& g = groups_[slot];
      if (g.state != State::Free && g.netif == id && core_is_v4(g.address) &&
          group_mac(g.address.v4()) == mac) {
        return true;
      }
    }
  }
  return false;
}

void IpLayer::loop_multicast(const PacketBuf& datagram, Instant now) {
  Netif& lo = netifs_[loopback_netif()];
  // The loopback device copies the packet into its own queue.
  if (!lo.usable() || !lo.device->transmit(datagram.data(), now)) ++stats_.ipv4.drop_no_buffer;
}

}  // namespace lwnet
