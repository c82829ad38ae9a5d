// Counters of a stack: every dropped packet is counted under its reason.
#pragma once

#include <cstdint>

namespace lwnet {

struct StackStats {
  struct Ethernet {
    std::uint64_t rx = 0, tx = 0;
    std::uint64_t drop_truncated = 0, drop_unknown_ethertype = 0, drop_not_for_us = 0;
    std::uint64_t drop_no_buffer = 0, drop_device_busy = 0;
  } ethernet;
  struct Arp {
    std::uint64_t rx_request = 0, rx_reply = 0, tx_request = 0, tx_reply = 0, tx_gratuitous = 0;
    std::uint64_t drop_malformed = 0, drop_unsupported = 0, drop_unsolicited = 0;
    std::uint64_t drop_not_for_us = 0, drop_queue_full = 0, drop_unresolved = 0, conflicts = 0;
    std::uint64_t cache_evictions = 0;
  } arp;
  struct Ipv4 {
    std::uint64_t rx = 0, tx = 0, rx_delivered = 0;
    std::uint64_t drop_truncated = 0, drop_malformed = 0, drop_bad_version = 0;
    std::uint64_t drop_bad_checksum = 0, drop_not_for_us = 0, drop_bad_source = 0;
    std::uint64_t drop_unknown_protocol = 0, drop_no_route = 0, drop_no_buffer = 0;
    std::uint64_t drop_fragment = 0;  // fragments while reassembly is off
    std::uint64_t frag_tx = 0, frag_tx_datagrams = 0, drop_too_big_df = 0;
    std::uint64_t reass_ok = 0, reass_timeout = 0, reass_overlap = 0, reass_too_big = 0;
    std::uint64_t reass_no_room = 0;  // CONFIG_LWIP_IP_REASS_MAX_PBUFS reached
  } ipv4;
  struct Icmp {
    std::uint64_t rx = 0, tx = 0, rx_echo_request = 0, tx_echo_reply = 0, rx_echo_reply = 0;
    std::uint64_t tx_unreachable = 0, tx_time_exceeded = 0, rate_limited = 0;
    std::uint64_t drop_truncated = 0, drop_bad_checksum = 0, drop_broadcast_ping = 0;
    std::uint64_t drop_unknown_type = 0, drop_no_listener = 0, drop_queue_full = 0;
  } icmp;
  struct Udp {
    std::uint64_t rx = 0, tx = 0, rx_delivered = 0;
    std::uint64_t drop_truncated = 0, drop_malformed = 0, drop_bad_checksum = 0;
    std::uint64_t drop_no_port = 0, drop_queue_full = 0, drop_no_buffer = 0;
  } udp;

  // Calls f(name, value) for every counter, names like "ipv4.drop_bad_checksum".
  // Any thread that owns a copy.
  template <class F>
  void for_each(F&& f) const {
#define LWNET_C(group, name) f(#group "." #name, group.name)
    LWNET_C(ethernet, rx); LWNET_C(ethernet, tx); LWNET_C(ethernet, drop_truncated);
    LWNET_C(ethernet, drop_unknown_ethertype); LWNET_C(ethernet, drop_not_for_us);
    LWNET_C(ethernet, drop_no_buffer); LWNET_C(ethernet, drop_device_busy);
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
    LWNET_C(ipv4, reass_too_big); LWNET_C(ipv4, reass_no_room);
    LWNET_C(icmp, rx); LWNET_C(icmp, tx); LWNET_C(icmp, rx_echo_request); LWNET_C(icmp, tx_echo_reply);
    LWNET_C(icmp, rx_echo_reply); LWNET_C(icmp, tx_unreachable); LWNET_C(icmp, tx_time_exceeded);
    LWNET_C(icmp, rate_limited); LWNET_C(icmp, drop_truncated); LWNET_C(icmp, drop_bad_checksum);
    LWNET_C(icmp, drop_broadcast_ping); LWNET_C(icmp, drop_unknown_type);
    LWNET_C(icmp, drop_no_listener); LWNET_C(icmp, drop_queue_full);
    LWNET_C(udp, rx); LWNET_C(udp, tx); LWNET_C(udp, rx_delivered); LWNET_C(udp, drop_truncated);
    LWNET_C(udp, drop_malformed); LWNET_C(udp, drop_bad_checksum); LWNET_C(udp, drop_no_port);
    LWNET_C(udp, drop_queue_full); LWNET_C(udp, drop_no_buffer);
#undef LWNET_C
  }
};

}  // namespace lwnet
