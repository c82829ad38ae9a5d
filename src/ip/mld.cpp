// MLD, host side: MLDv2 reports (RFC 3810) unless an MLDv1 querier is on
// the link (RFC 3810 8), MLDv1 (RFC 2710) then; joins, leaves, answers to
// queries, MLDv1 report suppression, and ESP-IDF's periodic report
// (CONFIG_LWIP_ESP_MLDV6_REPORT). The groups share IGMP's table and its
// per-entry report timers.
#include <algorithm>
#include <array>

#include "ip/ip_layer.h"
#include "wire/mld.h"

namespace lwnet {

namespace {

using State = MulticastGroups::State;

constexpr auto mld_query_type = static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerQuery);
constexpr auto mld_v1_report_type = static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerReport);
constexpr auto mld_done_type = static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerDone);
constexpr auto mld_v2_report_type = static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerReportV2);

constexpr Ipv6Address all_mldv2_routers = Ipv6Address::link_scope_group(0x16);  // MLDv2's reports go here

// RFC 2710 5 and RFC 3810 6: nothing is ever said about all-nodes, nor
// about groups of the reserved and interface-local scopes.
bool reportable(const Netif& n, const Ipv6Address& group) {
  const unsigned scope = group.octets[1] & 0x0fU;
  return !n.loopback && scope > 1 && group != Ipv6Address::all_nodes();
}

// RFC 3590: reports leave from the link-local address, or from :: while
// it is not usable yet (during DAD).
Ipv6Address report_source(const Netif& n) {
  const Ipv6NetifAddress& link_local = n.ipv6[0];
  return link_local.usable() && link_local.address.is_link_local() ? link_local.address : Ipv6Address{};
}

}  // namespace

bool IpLayer::mld_reportable(NetifId id, const Ipv6Address& group) const {
  return reportable(netifs_[id], group);
}

bool IpLayer::mld_is_member(NetifId id, const Ipv6Address& group) const {
  if (netifs_.get(id) == nullptr || !group.is_multicast()) return false;
  return group == Ipv6Address::all_nodes() || groups_.find(id, IpAddress(group)).has_value();
}

bool IpLayer::mld_v1_mode(NetifId id, Instant now) const {
  return id.value < mld_v1_querier_until_.size() && now < mld_v1_querier_until_[id.value];
}

Status IpLayer::mld_join(NetifId id, const Ipv6Address& group, Instant now) {
  const Netif* n = netifs_.get(id);
  if (!config::ipv6 || n == nullptr || !group.is_multicast()) return Error::InvalidArgument;
  // Every netif is in the all-nodes group for good.
  if (group == Ipv6Address::all_nodes()) return {};
  // Joined again: the leave is no longer true, so it is not repeated.
  for (MldPendingLeave& leave : mld_pending_leaves_) {
    if (leave.used && leave.netif == id && leave.group == group) leave = MldPendingLeave{};
  }
  if (std::optional<std::size_t> slot = groups_.find(id, IpAddress(group))) {
    ++groups_[*slot].references;
    return {};
  }
  Result<std::size_t> slot = groups_.add(id, IpAddress(group));
  if (!slot) {
    ++stats_.mld.join_table_full;
    return slot.error();
  }
  if (!reportable(*n, group)) return {};
  // Robustness reports, the first from the next poll so that a join (an
  // address being added) never transmits from inside the call.
  MulticastGroups::Group& g = groups_[*slot];
  g.last_reporter = true;
  g.unsolicited_left = mld_timing::robustness;
  g.state = State::Delaying;
  timers_.arm(igmp_timer(*slot), now);
  if constexpr (config::esp_mldv6_report) {
    arm_no_later(mld_periodic_timer, now + Duration::seconds(config::mldv6_tmr_interval_seconds));
  }
  return {};
}

Status IpLayer::mld_leave(NetifId id, const Ipv6Address& group, Instant now) {
  return mld_leave_group(id, group, now);
}

Status IpLayer::mld_leave_group(NetifId id, const Ipv6Address& group, std::optional<Instant> now) {
  const Netif* n = netifs_.get(id);
  if (n == nullptr || !group.is_multicast()) return Error::InvalidArgument;
  if (group == Ipv6Address::all_nodes()) return {};
  const std::optional<std::size_t> slot = groups_.find(id, IpAddress(group));
  if (!slot) return Error::AddressNotAvailable;
  MulticastGroups::Group& g = groups_[*slot];
  if (--g.references != 0) return {};
  if (now && reportable(*n, group) && n->usable()) {
    if (!mld_v1_mode(id, *now)) {
      // RFC 3810 6.1: a state change to INCLUDE {} is the leave, sent
      // robustness times in case one is lost.
      mld_send_v2(id, MldRecordType::ChangeToInclude, std::span<const Ipv6Address>(&group, 1), *now);
      if constexpr (mld_timing::robustness > 1) {
        for (MldPendingLeave& leave : mld_pending_leaves_) {
          if (leave.used) continue;
          leave = MldPendingLeave{true, id, group, static_cast<std::uint8_t>(mld_timing::robustness - 1),
                                  *now + mld_timing::unsolicited_report_interval_v2};
          arm_no_later(mld_leave_timer, leave.due);
          break;
        }
      }
    } else if (g.last_reporter) {
      // RFC 2710 4: only the last reporter's Done tells the router something.
      mld_send_v1(id, mld_done_type, group, Ipv6Address::all_routers(), *now);
    }
  }
  timers_.cancel(igmp_timer(*slot));
  groups_.remove(*slot);
  return {};
}

bool IpLayer::mld_output(NetifId id, PacketBuf&& message, const Ipv6Address& source,
                         const Ipv6Address& destination, Instant now) {
  IpRoute route;
  route.netif = id;
  route.source = source;
  route.next_hop = destination;
  IpSendOptions options;
  options.protocol = IpProtocol::Icmpv6;
  options.hop_limit = 1;  // RFC 3810 5, RFC 2710 3: never forwarded
  options.router_alert = true;
  if (!ipv6_output(std::move(message), route, destination, options, now)) {
    ++stats_.mld.drop_send_failed;
    return false;
  }
  ++stats_.icmpv6.tx;
  ++stats_.mld.tx;
  return true;
}

void IpLayer::mld_send_v1(NetifId id, std::uint8_t type, const Ipv6Address& group,
                          const Ipv6Address& destination, Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, MldRepr::header_len);
  if (!buf) {
    ++stats_.mld.drop_send_failed;
    return;
  }
  const Ipv6Address source = report_source(netifs_[id]);
  MldRepr mld;
  mld.type = type;
  mld.multicast_address = group;
  mld.emit(buf->append(MldRepr::header_len), source, destination);
  if (mld_output(id, std::move(*buf), source, destination, now)) {
    ++(type == mld_done_type ? stats_.mld.tx_done : stats_.mld.tx_v1_report);
  }
}

void IpLayer::mld_send_v2(NetifId id, MldRecordType type, std::span<const Ipv6Address> groups,
                          Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  const Netif& n = netifs_[id];
  const Ipv6Address source = report_source(n);
  // As many records as the MTU takes (IPv6 header, hop-by-hop header,
  // report header), in as many reports as needed.
  constexpr std::size_t overhead = Ipv6Repr::header_len + Ipv6OptionsHeader::emitted_header_len() +
                                   Mldv2ReportRepr::header_len;
  const std::size_t per_report =
      std::max<std::size_t>(1, (n.mtu > overhead ? n.mtu - overhead : 0) / MldAddressRecord::length(0));
  while (!groups.empty()) {
    const std::size_t count = std::min(per_report, groups.size());
    const std::size_t length = Mldv2ReportRepr::header_len + count * MldAddressRecord::length(0);
    std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
    if (!buf) {
      ++stats_.mld.drop_send_failed;
      return;
    }
    Mldv2ReportWriter writer(buf->append(length));
    for (std::size_t i = 0; i < count; ++i) (void)writer.add_record(type, groups[i]);
    if (!writer.finish(source, all_mldv2_routers)) return;
    if (mld_output(id, std::move(*buf), source, all_mldv2_routers, now)) ++stats_.mld.tx_v2_report;
    groups = groups.subspan(count);
  }
}

void IpLayer::mld_report_due(std::size_t slot, Instant now) {
  MulticastGroups::Group& g = groups_[slot];
  if (g.state != State::Delaying) return;
  const NetifId id = g.netif;
  if (!netifs_[id].usable()) {
    // Reported again when the netif comes up (igmp_report_all).
    g.state = State::Idle;
    g.unsolicited_left = 0;
    return;
  }
  const Ipv6Address group = g.address.v6();
  const bool v1 = mld_v1_mode(id, now);
  if (v1) {
    mld_send_v1(id, mld_v1_report_type, group, group, now);
  } else {
    // A join's reports announce the change; a query's answer the state.
    const MldRecordType type = g.unsolicited_left > 0 ? MldRecordType::ChangeToExclude
                                                      : MldRecordType::ModeIsExclude;
    mld_send_v2(id, type, std::span<const Ipv6Address>(&group, 1), now);
  }
  g.last_reporter = true;
  if (g.unsolicited_left > 1) {
    --g.unsolicited_left;
    timers_.arm(igmp_timer(slot), now + (v1 ? mld_timing::unsolicited_report_interval_v1
                                            : mld_timing::unsolicited_report_interval_v2));
    return;
  }
  g.unsolicited_left = 0;
  g.state = State::Idle;
}

void IpLayer::mld_leave_due(Instant now) {
  Instant next = Instant::max();
  for (MldPendingLeave& leave : mld_pending_leaves_) {
    if (!leave.used) continue;
    if (leave.due <= now) {
      // Under MLDv1 (a v1 querier appeared meanwhile) the Done was the leave.
      const bool send = netifs_[leave.netif].usable() && !mld_v1_mode(leave.netif, now);
      if (send) {
        mld_send_v2(leave.netif, MldRecordType::ChangeToInclude, std::span<const Ipv6Address>(&leave.group, 1), now);
      }
      if (!send || --leave.repeats_left == 0) {
        leave = MldPendingLeave{};
        continue;
      }
      leave.due = now + mld_timing::unsolicited_report_interval_v2;
    }
    next = std::min(next, leave.due);
  }
  if (next != Instant::max()) timers_.arm(mld_leave_timer, next);
}

void IpLayer::mld_periodic(Instant now) {
  bool any = false;
  bool sent = false;
  std::array<Ipv6Address, MulticastGroups::capacity> groups{};
  for (std::size_t netif = 0; netif < netifs_.size(); ++netif) {
    const NetifId id{static_cast<std::uint8_t>(netif)};
    const Netif& n = netifs_[id];
    std::size_t count = 0;
    for (std::size_t slot = 0; slot < MulticastGroups::capacity; ++slot) {
      const MulticastGroups::Group& g = groups_[slot];
      if (g.state == State::Free || g.netif != id || !core_is_v6(g.address)) continue;
      any = true;
      if (reportable(n, g.address.v6())) groups[count++] = g.address.v6();
    }
    if (count == 0 || !n.usable()) continue;
    sent = true;
    if (mld_v1_mode(id, now)) {
      for (std::size_t i = 0; i < count; ++i) mld_send_v1(id, mld_v1_report_type, groups[i], groups[i], now);
    } else {
      mld_send_v2(id, MldRecordType::ModeIsExclude, std::span<const Ipv6Address>(groups.data(), count), now);
    }
  }
  if (sent) ++stats_.mld.tx_periodic;
  // Nothing ticks once no IPv6 group is left; the next join re-arms.
  if (any) timers_.arm(mld_periodic_timer, now + Duration::seconds(config::mldv6_tmr_interval_seconds));
}

void IpLayer::mld_input(NetifId id, ConstBytes message, const IpDelivery& ip, Instant now) {
  if constexpr (!config::ipv6) return;  // no IPv6 tables (see ipv6_output)
  ++stats_.mld.rx;
  const std::uint8_t type = message[0];
  if (type == mld_v1_report_type) {
    ++stats_.mld.rx_report;
    Result<MldRepr> report = MldRepr::parse(message);
    if (!report) {
      ++stats_.mld.drop_malformed;
      return;
    }
    // RFC 2710 4: another member answered for the group, ours is not
    // needed (MLDv2 hosts never suppress, RFC 3810 6.2).
    if (ip.hop_limit != 1 || !mld_v1_mode(id, now) ||
        ip.destination != IpAddress(report->multicast_address)) {
      return;
    }
    const std::optional<std::size_t> slot = groups_.find(id, IpAddress(report->multicast_address));
    if (!slot) return;
    MulticastGroups::Group& g = groups_[*slot];
    if (g.state == State::Delaying) {
      timers_.cancel(igmp_timer(*slot));
      g.state = State::Idle;
      g.unsolicited_left = 0;
      ++stats_.mld.reports_suppressed;
    }
    g.last_reporter = false;
    return;
  }
  if (type == mld_v2_report_type || type == mld_done_type) {
    ++stats_.mld.rx_report;  // for routers; a host has nothing to do
    return;
  }
  if (type != mld_query_type) return;
  // RFC 3810 5.1.14 and RFC 2710 3: a querier speaks from its link-local
  // address, and only to its link.
  if (!ip.source.v6().is_link_local() || ip.hop_limit != 1) {
    ++stats_.mld.drop_invalid_query;
    return;
  }
  Ipv6Address group;
  std::uint32_t max_delay_ms = 0;
  if (message.size() == MldRepr::header_len) {
    Result<MldRepr> query = MldRepr::parse(message);
    if (!query) {
      ++stats_.mld.drop_malformed;
      return;
    }
    ++stats_.mld.rx_v1_query;
    mld_v1_querier_until_[id.value] = now + mld_timing::older_version_querier_present;
    group = query->multicast_address;
    max_delay_ms = query->max_response_delay;
  } else if (message.size() >= Mldv2QueryRepr::min_len) {
    Result<Mldv2QueryRepr> query = Mldv2QueryRepr::parse(message);
    if (!query) {
      ++stats_.mld.drop_malformed;
      return;
    }
    group = query->multicast_address;
    max_delay_ms = query->max_response_delay();
  } else {
    // RFC 3810 8.1: neither version has this length.
    ++stats_.mld.drop_invalid_query;
    return;
  }
  const Duration max_delay = Duration::millis(max_delay_ms);
  const Netif& n = netifs_[id];
  if (group.is_unspecified()) {
    ++stats_.mld.rx_general_query;
    for (std::size_t slot = 0; slot < MulticastGroups::capacity; ++slot) {
      const MulticastGroups::Group& g = groups_[slot];
      if (g.state != State::Free && g.netif == id && core_is_v6(g.address) && reportable(n, g.address.v6())) {
        igmp_schedule_report(slot, max_delay, now);
      }
    }
    return;
  }
  ++stats_.mld.rx_group_query;
  if (std::optional<std::size_t> slot = groups_.find(id, IpAddress(group))) {
    if (reportable(n, group)) igmp_schedule_report(*slot, max_delay, now);
  }
}

}  // namespace lwnet
