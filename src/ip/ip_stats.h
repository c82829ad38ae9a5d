// Counters of the link, ARP, IPv4 and ICMP code (core/stack_stats.h gathers
// them with the transport counters into StackStats).
#pragma once

#include <cstdint>
#include <type_traits>

#include "util/stat_counter.h"

namespace lwnet {

struct EthernetStats {
  StatCounter rx = 0, tx = 0;
  StatCounter drop_truncated = 0, drop_unknown_ethertype = 0, drop_not_for_us = 0;
  StatCounter drop_no_buffer = 0, drop_device_busy = 0;
  StatCounter tx_segmented = 0;  // large TCP frames the device segments (TSO)
  // Multicast frames to a MAC of no group the netif joined (broadcast passes).
  StatCounter drop_multicast_filtered = 0;
  // Receive offload: TCP super-frames taken whole; frames whose offload
  // description does not fit them (link/receive_offload.h); frames longer
  // than a frame buffer that are no super-frame.
  StatCounter rx_super_frames = 0, drop_bad_offload = 0, drop_oversized = 0;
};

struct ArpStats {
  StatCounter rx_request = 0, rx_reply = 0, tx_request = 0, tx_reply = 0, tx_gratuitous = 0;
  StatCounter drop_malformed = 0, drop_unsupported = 0, drop_unsolicited = 0;
  StatCounter drop_not_for_us = 0, drop_queue_full = 0, drop_unresolved = 0, conflicts = 0;
  StatCounter cache_evictions = 0;
};

struct Ipv4Stats {
  StatCounter rx = 0, tx = 0, rx_delivered = 0;
  StatCounter drop_truncated = 0, drop_malformed = 0, drop_bad_version = 0;
  StatCounter drop_bad_checksum = 0, drop_not_for_us = 0, drop_bad_source = 0;
  StatCounter drop_unknown_protocol = 0, drop_no_route = 0, drop_no_buffer = 0;
  StatCounter drop_fragment = 0;  // fragments while reassembly is off
  StatCounter frag_tx = 0, frag_tx_datagrams = 0, drop_too_big_df = 0;
  StatCounter reass_ok = 0, reass_timeout = 0, reass_overlap = 0, reass_too_big = 0;
  StatCounter reass_no_room = 0;  // CONFIG_LWIP_IP_REASS_MAX_PBUFS reached
  // Incomplete datagrams pushed out, the oldest first, when a new one found
  // every CONFIG_LWNET_REASS_MAX_DATAGRAMS slot taken, or needed a large
  // buffer when older ones held them all.
  StatCounter reass_evicted = 0;
  // Fragments that repeated bytes already held, exactly: dropped alone.
  StatCounter reass_duplicate = 0;
  // Path MTUs that Fragmentation Needed taught (RFC 1191), forgotten, pushed out.
  StatCounter pmtu_learned = 0, pmtu_expired = 0, pmtu_evicted = 0;
};

struct IcmpStats {
  StatCounter rx = 0, tx = 0, rx_echo_request = 0, tx_echo_reply = 0, rx_echo_reply = 0;
  StatCounter tx_unreachable = 0, tx_time_exceeded = 0, rate_limited = 0;
  StatCounter drop_truncated = 0, drop_bad_checksum = 0, drop_broadcast_ping = 0;
  // Echo requests to a group (CONFIG_LWIP_MULTICAST_PING off): never answered.
  StatCounter drop_multicast_ping = 0;
  StatCounter drop_unknown_type = 0, drop_no_listener = 0, drop_queue_full = 0;
  // Copies queued for raw endpoints; copies lost (queue full, no buffer).
  StatCounter raw_delivered = 0, raw_dropped = 0;
  // Errors quoting a UDP or TCP datagram, handed to the transport layer.
  StatCounter errors_to_transport = 0;
  // Fragmentation Needed (RFC 1191): received, its MTU raised to the floor.
  StatCounter rx_fragmentation_needed = 0, pmtu_clamped = 0;
  // Errors (unreachable, time exceeded, parameter problem) whose quote is no
  // datagram of ours (source not one of our addresses, or too short or
  // malformed to tell; for Fragmentation Needed, also one sent without DF):
  // ignored.
  StatCounter drop_not_ours = 0;
};

// IGMPv2 (RFC 2236), host side.
struct IgmpStats {
  StatCounter rx = 0, tx = 0;
  StatCounter rx_general_query = 0, rx_group_query = 0, rx_report = 0, rx_leave = 0;
  StatCounter tx_report = 0, tx_leave = 0;
  // Our pending report dropped because another host reported the group first.
  StatCounter reports_suppressed = 0;
  StatCounter drop_truncated = 0, drop_bad_checksum = 0, drop_malformed = 0;
  StatCounter drop_unknown_type = 0;
  StatCounter join_table_full = 0;  // CONFIG_LWNET_IGMP_MAX_GROUPS reached
  StatCounter drop_send_failed = 0;  // a report or leave the netif did not take
};

// Counters of Ipv6Reassembly (the IP layer adds them to its IPv6 counters).
struct Ipv6ReassemblyStats {
  StatCounter reass_ok = 0;        // datagrams completed
  StatCounter atomic = 0;          // atomic fragments passed through (RFC 6946)
  StatCounter reass_timeout = 0;   // datagrams given up after the timeout
  StatCounter reass_overlap = 0;   // datagrams dropped for overlapping fragments (RFC 5722)
  StatCounter reass_too_big = 0;   // past 65535 bytes, or too long an unfragmentable part
  StatCounter reass_no_room = 0;   // held-buffer limit or range table full
  // Incomplete datagrams pushed out, the oldest first, when a new one found
  // every CONFIG_LWNET_REASS_MAX_DATAGRAMS slot taken, or needed a large
  // buffer when older ones held them all.
  StatCounter reass_evicted = 0;
  // Fragments that repeated bytes already held, exactly: dropped alone.
  StatCounter reass_duplicate = 0;
  StatCounter drop_malformed = 0;  // empty, not a multiple of 8, inconsistent ends
  StatCounter drop_no_buffer = 0;  // no buffer for the whole datagram
};

// IPv6 (RFC 8200).
struct Ipv6Stats {
  StatCounter rx = 0, tx = 0, rx_delivered = 0;
  StatCounter drop_truncated = 0, drop_malformed = 0, drop_bad_version = 0;
  StatCounter drop_not_for_us = 0, drop_bad_source = 0, drop_unknown_protocol = 0;
  StatCounter drop_no_route = 0, drop_no_buffer = 0, drop_too_big = 0;
  // Extension headers: a chain too long or cut short, an unknown option or
  // header, routing type 0 (RFC 5095): answered with a parameter problem
  // where RFC 8200 says so.
  StatCounter drop_bad_extension = 0;
  StatCounter drop_fragment = 0;  // fragments while reassembly is off
  // A first fragment without the whole header chain (RFC 7112), or a
  // fragment header inside a reassembled datagram.
  StatCounter drop_bad_fragment = 0;
  // Output fragmentation (CONFIG_LWIP_IP6_FRAG): fragments sent, datagrams
  // cut into them. drop_too_big counts what was over the path MTU with
  // fragmentation off.
  StatCounter frag_tx = 0, frag_tx_datagrams = 0;
  // The destination cache's path MTUs (RFC 8201): learned from Packet Too
  // Big, expired after 10 minutes, pushed out of a full table.
  StatCounter pmtu_learned = 0, pmtu_expired = 0, pmtu_evicted = 0;
  Ipv6ReassemblyStats reassembly;
};

// ICMPv6 (RFC 4443).
struct Icmpv6Stats {
  StatCounter rx = 0, tx = 0, rx_echo_request = 0, tx_echo_reply = 0, rx_echo_reply = 0;
  StatCounter tx_error = 0, rate_limited = 0;
  StatCounter drop_truncated = 0, drop_bad_checksum = 0, drop_unknown_type = 0;
  // Echo requests to a group (CONFIG_LWIP_MULTICAST_PING off): not answered.
  StatCounter drop_multicast_ping = 0;
  // Copies for raw ICMPv6 endpoints, and those dropped (queue full, no buffer).
  StatCounter raw_delivered = 0, raw_dropped = 0;
  // Packet Too Big messages; their MTUs under 1280 raised to 1280 (RFC 8201 4).
  StatCounter rx_packet_too_big = 0, pmtu_clamped = 0;
  // Errors whose quote is no packet of ours (source not one of our
  // addresses, or too short to tell): ignored.
  StatCounter drop_not_ours = 0;
  // Errors quoting a UDP or TCP packet, handed to the transport layer.
  StatCounter errors_to_transport = 0;
};

// Neighbor Discovery (RFC 4861) and Duplicate Address Detection (RFC 4862).
struct NdStats {
  StatCounter rx_solicitation = 0, rx_advertisement = 0;
  StatCounter tx_solicitation = 0, tx_advertisement = 0;
  StatCounter drop_malformed = 0;  // hop limit not 255, bad options... (NdiscRepr::parse)
  StatCounter drop_unsolicited = 0;  // an NA for an address nobody asked about
  StatCounter drop_queue_full = 0, drop_unresolved = 0, cache_evictions = 0;
  StatCounter dad_duplicates = 0;  // tentative addresses another host has
  // Our own DAD probes the link sent back (their nonce is ours, RFC 7527):
  // ignored, not taken for another host's.
  StatCounter dad_looped = 0;
  // Router discovery (RFC 4861 6.3) and SLAAC (RFC 4862).
  StatCounter tx_router_solicitation = 0, rx_router_advertisement = 0;
  StatCounter rx_ignored = 0;  // router solicitations (a host's choice)
  // An RA entry that found its table full (CONFIG_LWIP_IPV6_ND6_NUM_ROUTERS,
  // _NUM_PREFIXES, _NUM_ROUTE_INFO, CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS,
  // CONFIG_LWIP_IPV6_NUM_ADDRESSES for SLAAC).
  StatCounter drop_router_table_full = 0, drop_prefix_table_full = 0;
  StatCounter drop_route_table_full = 0, drop_rdnss_table_full = 0;
  StatCounter slaac_table_full = 0;
  // Options an RA carried that are ignored: an MTU out of range, a
  // prefix's preferred lifetime above its valid one, a malformed option;
  // also a Reachable Time or Retrans Timer above an hour.
  StatCounter ra_option_ignored = 0;
  // Redirects (RFC 4861 8): followed (the destination cache updated), and
  // dropped for failing 8.1's checks (hop limit, source, code, length,
  // addresses, options; a source that is not the router we send the
  // destination's packets to). A full table evicted its least recently
  // used entry for a new one.
  StatCounter rx_redirect = 0, drop_invalid_redirect = 0, redirect_evictions = 0;
};

// MLD (RFC 2710 v1, RFC 3810 v2), host side.
struct MldStats {
  StatCounter rx = 0, tx = 0;
  StatCounter rx_general_query = 0, rx_group_query = 0, rx_v1_query = 0, rx_report = 0;
  StatCounter tx_v1_report = 0, tx_v2_report = 0, tx_done = 0;
  StatCounter tx_periodic = 0;  // CONFIG_LWIP_ESP_MLDV6_REPORT's rounds
  // Our pending v1 report dropped because another host reported the group first.
  StatCounter reports_suppressed = 0;
  // Queries whose source is not link-local or whose hop limit is not 1
  // (RFC 3810 5.1.14, RFC 2710 3), or of a length neither version has.
  StatCounter drop_invalid_query = 0;
  StatCounter drop_malformed = 0;
  StatCounter join_table_full = 0;  // CONFIG_LWNET_MLD6_MAX_GROUPS reached
  StatCounter drop_send_failed = 0;
};

// The counters the IP layer writes (owned by the StackStats of its stack).
struct IpLayerStatsRefs {
  EthernetStats& ethernet;
  ArpStats& arp;
  Ipv4Stats& ipv4;
  IcmpStats& icmp;
  IgmpStats& igmp;
  Ipv6Stats& ipv6;
  Icmpv6Stats& icmpv6;
  NdStats& nd;
  MldStats& mld;
};

// Without CONFIG_LWNET_STATS every counter is a NoCounter, which keeps
// nothing: the IP layer then holds no references to the stack's groups
// (nine addresses built at start-up, copied and stored), only these
// stand-ins, which no code reads and whose updates compile to nothing.
struct IpLayerNoStats {
  template <class... Groups>
  constexpr explicit IpLayerNoStats(Groups&...) {}
  static inline EthernetStats ethernet{};
  static inline ArpStats arp{};
  static inline Ipv4Stats ipv4{};
  static inline IcmpStats icmp{};
  static inline IgmpStats igmp{};
  static inline Ipv6Stats ipv6{};
  static inline Icmpv6Stats icmpv6{};
  static inline NdStats nd{};
  static inline MldStats mld{};
};

using IpLayerStats = std::conditional_t<config::stats, IpLayerStatsRefs, IpLayerNoStats>;

// One group of counters as the IP layer's tables hold it: a pointer, or
// nothing without CONFIG_LWNET_STATS (as IpLayerNoStats).
template <class Group, bool = config::stats>
class StatsRef {
 public:
  constexpr explicit StatsRef(Group& group) : group_(&group) {}
  Group* operator->() const { return group_; }

 private:
  Group* group_;
};

template <class Group>
class StatsRef<Group, false> {
 public:
  constexpr explicit StatsRef(Group&) {}
  Group* operator->() const { return &none_; }

 private:
  static inline Group none_{};
};

}  // namespace lwnet
