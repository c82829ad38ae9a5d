// Counters of a stack: every dropped packet is counted under its reason.
#pragma once

#include <cstdint>

#include "ip/ip_stats.h"
#include "transport/tcp/tcp_table.h"
#include "transport/tcp_stats.h"
#include "transport/udp_stats.h"

namespace lwnet {

struct StackStats {
  // Each layer defines its own group (ip/ip_stats.h, transport/udp_stats.h),
  // so that a layer never includes core/.
  using Ethernet = EthernetStats;
  using Arp = ArpStats;
  using Ipv4 = Ipv4Stats;
  using Icmp = IcmpStats;
  using Igmp = IgmpStats;
  using Ipv6 = Ipv6Stats;
  using Icmpv6 = Icmpv6Stats;
  using Nd = NdStats;
  using Mld = MldStats;
  using Udp = UdpStats;
  Ethernet ethernet;
  Arp arp;
  Ipv4 ipv4;
  Icmp icmp;
  Igmp igmp;
  Ipv6 ipv6;
  Icmpv6 icmpv6;
  Nd nd;
  Mld mld;
  Udp udp;
  TcpLayerStats tcp;
  TcpTableStats tcp_table;  // a copy of the connection table's, taken by Stack::stats()

  // Calls f(name, value) for every counter, names like "ipv4.drop_bad_checksum".
  // Any thread that owns a copy.
  template <class F>
  void for_each(F&& f) const {
#define LWNET_C(group, name) f(#group "." #name, group.name)
    LWNET_C(ethernet, rx); LWNET_C(ethernet, tx); LWNET_C(ethernet, drop_truncated);
    LWNET_C(ethernet, drop_unknown_ethertype); LWNET_C(ethernet, drop_not_for_us);
    LWNET_C(ethernet, drop_no_buffer); LWNET_C(ethernet, drop_device_busy);
    LWNET_C(ethernet, tx_segmented); LWNET_C(ethernet, drop_multicast_filtered);
    LWNET_C(ethernet, rx_super_frames); LWNET_C(ethernet, drop_bad_offload); LWNET_C(ethernet, drop_oversized);
    LWNET_C(arp, rx_request); LWNET_C(arp, rx_reply); LWNET_C(arp, tx_request);
    LWNET_C(arp, tx_reply); LWNET_C(arp, tx_gratuitous); LWNET_C(arp, drop_malformed);
    LWNET_C(arp, drop_unsupported); LWNET_C(arp, drop_unsolicited); LWNET_C(arp, drop_not_for_us);
    LWNET_C(arp, drop_queue_full); LWNET_C(arp, drop_unresolved); LWNET_C(arp, conflicts);
    LWNET_C(arp, cache_evictions);
    LWNET_C(ipv4, rx); LWNET_C(ipv4, tx); LWNET_C(ipv4, rx_delivered); LWNET_C(ipv4, drop_truncated);
    LWNET_C(ipv4, drop_malformed); LWNET_C(ipv4, drop_bad_version); LWNET_C(ipv4, drop_bad_checksum);
    LWNET_C(ipv4, drop_not_for_us); LWNET_C(ipv4, drop_bad_source); LWNET_C(ipv4, drop_unknown_protocol);
    LWNET_C(ipv4, drop_no_route); LWNET_C(ipv4, drop_no_buffer); LWNET_C(ipv4, drop_fragment);
    LWNET_C(ipv4, frag_tx); LWNET_C(ipv4, frag_tx_datagrams); LWNET_C(ipv4, drop_too_big_df);
    LWNET_C(ipv4, reass_ok); LWNET_C(ipv4, reass_timeout); LWNET_C(ipv4, reass_overlap);
    LWNET_C(ipv4, reass_too_big); LWNET_C(ipv4, reass_no_room); LWNET_C(ipv4, reass_evicted);
    LWNET_C(ipv4, reass_duplicate);
    LWNET_C(ipv4, pmtu_learned); LWNET_C(ipv4, pmtu_expired); LWNET_C(ipv4, pmtu_evicted);
    LWNET_C(icmp, rx); LWNET_C(icmp, tx); LWNET_C(icmp, rx_echo_request); LWNET_C(icmp, tx_echo_reply);
    LWNET_C(icmp, rx_echo_reply); LWNET_C(icmp, tx_unreachable); LWNET_C(icmp, tx_time_exceeded);
    LWNET_C(icmp, rate_limited); LWNET_C(icmp, drop_truncated); LWNET_C(icmp, drop_bad_checksum);
    LWNET_C(icmp, drop_broadcast_ping); LWNET_C(icmp, drop_multicast_ping);
    LWNET_C(icmp, drop_unknown_type);
    LWNET_C(icmp, drop_no_listener); LWNET_C(icmp, drop_queue_full);
    LWNET_C(icmp, raw_delivered); LWNET_C(icmp, raw_dropped); LWNET_C(icmp, errors_to_transport);
    LWNET_C(icmp, rx_fragmentation_needed); LWNET_C(icmp, pmtu_clamped); LWNET_C(icmp, drop_not_ours);
    LWNET_C(igmp, rx); LWNET_C(igmp, tx); LWNET_C(igmp, rx_general_query);
    LWNET_C(igmp, rx_group_query); LWNET_C(igmp, rx_report); LWNET_C(igmp, rx_leave);
    LWNET_C(igmp, tx_report); LWNET_C(igmp, tx_leave); LWNET_C(igmp, reports_suppressed);
    LWNET_C(igmp, drop_truncated); LWNET_C(igmp, drop_bad_checksum); LWNET_C(igmp, drop_malformed);
    LWNET_C(igmp, drop_unknown_type); LWNET_C(igmp, join_table_full); LWNET_C(igmp, drop_send_failed);
    LWNET_C(ipv6, rx); LWNET_C(ipv6, tx); LWNET_C(ipv6, rx_delivered); LWNET_C(ipv6, drop_truncated);
    LWNET_C(ipv6, drop_malformed); LWNET_C(ipv6, drop_bad_version); LWNET_C(ipv6, drop_not_for_us);
    LWNET_C(ipv6, drop_bad_source); LWNET_C(ipv6, drop_unknown_protocol); LWNET_C(ipv6, drop_no_route);
    LWNET_C(ipv6, drop_no_buffer); LWNET_C(ipv6, drop_too_big); LWNET_C(ipv6, drop_bad_extension);
    LWNET_C(ipv6, drop_fragment); LWNET_C(ipv6, drop_bad_fragment);
    LWNET_C(ipv6, frag_tx); LWNET_C(ipv6, frag_tx_datagrams); LWNET_C(ipv6, pmtu_learned);
    LWNET_C(ipv6, pmtu_expired); LWNET_C(ipv6, pmtu_evicted);
    LWNET_C(ipv6, reassembly.reass_ok); LWNET_C(ipv6, reassembly.atomic);
    LWNET_C(ipv6, reassembly.reass_timeout); LWNET_C(ipv6, reassembly.reass_overlap);
    LWNET_C(ipv6, reassembly.reass_too_big); LWNET_C(ipv6, reassembly.reass_no_room);
    LWNET_C(ipv6, reassembly.reass_evicted); LWNET_C(ipv6, reassembly.reass_duplicate);
    LWNET_C(ipv6, reassembly.drop_malformed); LWNET_C(ipv6, reassembly.drop_no_buffer);
    LWNET_C(icmpv6, rx); LWNET_C(icmpv6, tx); LWNET_C(icmpv6, rx_echo_request);
    LWNET_C(icmpv6, tx_echo_reply); LWNET_C(icmpv6, rx_echo_reply); LWNET_C(icmpv6, tx_error);
    LWNET_C(icmpv6, rate_limited); LWNET_C(icmpv6, drop_truncated); LWNET_C(icmpv6, drop_bad_checksum);
    LWNET_C(icmpv6, drop_unknown_type); LWNET_C(icmpv6, drop_multicast_ping);
    LWNET_C(icmpv6, raw_delivered); LWNET_C(icmpv6, raw_dropped);
    LWNET_C(icmpv6, rx_packet_too_big); LWNET_C(icmpv6, pmtu_clamped); LWNET_C(icmpv6, drop_not_ours);
    LWNET_C(icmpv6, errors_to_transport);
    LWNET_C(nd, rx_solicitation); LWNET_C(nd, rx_advertisement); LWNET_C(nd, tx_solicitation);
    LWNET_C(nd, tx_advertisement); LWNET_C(nd, drop_malformed); LWNET_C(nd, drop_unsolicited);
    LWNET_C(nd, drop_queue_full); LWNET_C(nd, drop_unresolved); LWNET_C(nd, cache_evictions);
    LWNET_C(nd, dad_duplicates); LWNET_C(nd, dad_looped);
    LWNET_C(mld, rx); LWNET_C(mld, tx); LWNET_C(mld, rx_general_query); LWNET_C(mld, rx_group_query);
    LWNET_C(mld, rx_v1_query); LWNET_C(mld, rx_report); LWNET_C(mld, tx_v1_report);
    LWNET_C(mld, tx_v2_report); LWNET_C(mld, tx_done); LWNET_C(mld, tx_periodic);
    LWNET_C(mld, reports_suppressed); LWNET_C(mld, drop_invalid_query); LWNET_C(mld, drop_malformed);
    LWNET_C(mld, join_table_full); LWNET_C(mld, drop_send_failed);
    LWNET_C(nd, tx_router_solicitation); LWNET_C(nd, rx_router_advertisement);
    LWNET_C(nd, rx_ignored); LWNET_C(nd, drop_router_table_full);
    LWNET_C(nd, drop_prefix_table_full); LWNET_C(nd, drop_route_table_full);
    LWNET_C(nd, drop_rdnss_table_full); LWNET_C(nd, slaac_table_full);
    LWNET_C(nd, ra_option_ignored); LWNET_C(nd, rx_redirect); LWNET_C(nd, drop_invalid_redirect);
    LWNET_C(nd, redirect_evictions);
    LWNET_C(udp, rx); LWNET_C(udp, tx); LWNET_C(udp, rx_delivered); LWNET_C(udp, drop_truncated);
    LWNET_C(udp, drop_malformed); LWNET_C(udp, drop_bad_checksum); LWNET_C(udp, drop_no_port);
    LWNET_C(udp, drop_queue_full); LWNET_C(udp, drop_no_buffer);
    LWNET_C(tcp, rx); LWNET_C(tcp, tx); LWNET_C(tcp, drop_malformed); LWNET_C(tcp, drop_bad_checksum);
    LWNET_C(tcp, drop_broadcast); LWNET_C(tcp, drop_no_buffer); LWNET_C(tcp, drop_no_route);
    LWNET_C(tcp_table, rx_segments); LWNET_C(tcp_table, tx_resets); LWNET_C(tcp_table, drop_no_listener);
    LWNET_C(tcp_table, drop_backlog_full); LWNET_C(tcp_table, drop_no_slot);
    LWNET_C(tcp_table, drop_syn_fin);
    LWNET_C(tcp_table, connections_opened); LWNET_C(tcp_table, connections_accepted);
    LWNET_C(tcp_table, time_wait_recycled); LWNET_C(tcp_table, drop_no_buffers);
    LWNET_C(tcp_table, buffers_lent);
    LWNET_C(tcp_table, syn_cookies_sent); LWNET_C(tcp_table, syn_cookies_validated);
    LWNET_C(tcp_table, syn_cookies_rejected); LWNET_C(tcp_table, half_open_evicted);
    LWNET_C(tcp_table, half_open_icmp_aborted);
#undef LWNET_C
  }
};

}  // namespace lwnet
