// The IP layer of one stack: netifs, Ethernet framing, ARP, IPv4 input and
// output (fragmentation, reassembly), ICMP, and the timers they need.
//
// It owns the small parts (NetifTable, ArpCache, Ipv4Reassembly,
// EchoEndpoints, IcmpRateLimiter) and moves packets between them; its
// implementation is split by protocol: ip_layer.cpp (netifs, timers),
// ethernet_link.cpp (frames in and out), arp.cpp, ipv4_input.cpp, ipv4_output.cpp,
// icmpv4.cpp. Datagrams for the transport layer come out of input() as an
// IpDelivery; the transport layer sends through route() and output(). These,
// IpRoute, IpSendOptions and neighbour() are family-neutral: each call goes
// to the IPv4 or the IPv6 module by the address family, so transports never
// branch on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "ip/arp_cache.h"
#include "ip/echo_endpoints.h"
#include "ip/icmp_rate_limiter.h"
#include "ip/igmp.h"
#include "ip/ip_stats.h"
#include "ip/ipv4_reassembly.h"
#include "ip/ipv6_reassembly.h"
#include "ip/mld.h"
#include "ip/multicast_groups.h"
#include "ip/nd_cache.h"
#include "ip/netif.h"
#include "ip/netif_config.h"
#include "ip/path_mtu_table.h"
#include "ip/raw_endpoints.h"
#include "ip/redirect_table.h"
#include "ip/router_list.h"
#include "ip/routing.h"
#include "link/device.h"
#include "time/instant.h"
#include "time/timer_queue.h"
#include "util/random.h"
#include "util/result.h"
#include "wire/address.h"
#include "wire/icmpv4.h"
#include "wire/icmpv6.h"
#include "wire/ip.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndisc.h"

namespace lwnet {

// A datagram for the transport layer: the buffer's payload starts at the
// transport header and Layer::Network marks the IP header (for ICMP errors).
// Source and destination are of one family.
struct IpDelivery {
  PacketBuf packet;
  IpAddress source;
  IpAddress destination;
  // IPv4's protocol, IPv6's last next header (after the extension headers).
  std::uint8_t protocol = 0;
  std::uint8_t hop_limit = 0;  // IPv4's TTL
  NetifId netif;
  // Sent to a broadcast or multicast address, or in a link-layer broadcast:
  // never answered with an ICMP error (RFC 1122 3.2.2).
  bool broadcast = false;
};

// An ICMP error (destination unreachable, time exceeded, parameter
// problem) about a datagram one of our transports sent, as quoted back to
// us: for the transport to find the endpoint and record or act on it.
// Family-neutral so that ICMPv6 can report through the same path.
struct IcmpErrorReport {
  std::uint8_t protocol = 0;   // of the quoted datagram (UDP, TCP)
  IpEndpoint local;            // its source: ours
  IpEndpoint remote;           // its destination
  std::uint32_t sequence = 0;  // TCP: the quoted sequence number
  // What a socket reports: ConnectionRefused (port or protocol unreachable),
  // NoRoute (network unreachable or unknown), HostUnreachable (the rest of
  // destination unreachable, time exceeded), Protocol (parameter problem).
  Error error = Error::HostUnreachable;
  // Port and protocol unreachable (ICMPv6: port unreachable) and parameter
  // problem: the peer itself refused or could not read it, a hard error
  // (RFC 1122 4.2.3.9); the others are soft (the path may heal).
  bool hard = false;
  // Not from the network: the next hop never answered ARP or neighbour
  // discovery, and the datagram was dropped (Linux reports it to the
  // socket as a host unreachable of its own). Ends a TCP open.
  bool neighbour_unreachable = false;
  std::uint8_t type = 0;
  std::uint8_t code = 0;
};

struct IpSendOptions {
  IpProtocol protocol = IpProtocol::Udp;
  // IPv4's TTL. None: the stack's default, which on IPv6 unicast a router's
  // Cur Hop Limit replaces (RFC 4861 6.3.4); a value is the sender's choice
  // (IPV6_UNICAST_HOPS, Neighbor Discovery's 255) and stays, even one equal
  // to the default.
  std::optional<std::uint8_t> hop_limit;
  std::uint8_t tos = 0;  // IPv6's traffic class
  bool dont_fragment = false;
  // Path MTU discovery (RFC 1191) as Linux's IP_PMTUDISC_WANT: DF is set
  // when the datagram fits the path MTU; a larger one is fragmented here,
  // without it.
  bool discover_path_mtu = false;
  // The Router Alert option: IPv4's (IGMP), IPv6's in a hop-by-hop header (MLD).
  bool router_alert = false;
  // To a multicast group this host is a member of on the outgoing netif: a
  // copy is delivered here too, through the loopback netif (IP_MULTICAST_LOOP).
  bool multicast_loop = false;
  // TCP segmentation offload: the packet goes to the device whole, to be
  // cut into segments of this many payload bytes (only when
  // tcp_segmentation_limit() allowed it); 0: an ordinary packet.
  std::uint16_t segment_size = 0;
  std::uint16_t transport_header_length = 0;  // the TCP header, options included
};

// IpLayer's state that needs no constructor argument, in a base of its own
// so that IpLayer's constructor value-initializes it: the compiler then
// clears it with one memset and stores only the non-zero defaults, instead
// of a store or a memset per member (156 bytes less Cortex-M text).
struct IpLayerState {
  using NetifCallback = void (*)(void* context, NetifId id);
  using IcmpErrorCallback = void (*)(void* context, const IcmpErrorReport& report, Instant now);
  using PathMtuCallback = void (*)(void* context, const IpAddress& destination, std::size_t mtu,
                                   Instant now);
  IpLayerState() = default;

  NetifTable netifs_;
  ArpCache::PendingQueue resolved_;  // scratch: packets of an entry that just resolved
  // Datagrams of resolutions (ARP's and ND's) evicted for room, reported to
  // their transports from the next poll: never from inside the output call
  // that evicted them, whose transport may be the one the report ends.
  EvictedQueue evicted_;
  EchoEndpoints echo_;
  MulticastGroups groups_;
  // Per netif: until when an IGMPv1 router is present (RFC 2236 4).
  std::array<Instant, config::ipv4_slots(NetifTable::capacity)> igmp_v1_router_until_{};
  IcmpErrorCallback icmp_error_callback_ = nullptr;
  void* icmp_error_context_ = nullptr;
  PathMtuTable path_mtus_;
  PathMtuCallback path_mtu_callback_ = nullptr;
  void* path_mtu_context_ = nullptr;
  RedirectTable redirects_;
  // Until when each netif speaks MLDv1 (an MLDv1 querier was heard).
  std::array<Instant, config::ipv6_slots(NetifTable::capacity)> mld_v1_querier_until_{};
  // A group left under MLDv2, whose state change report goes out
  // robustness times (RFC 3810 6.1): the group's entry is gone already, so
  // the repeats wait here.
  struct MldPendingLeave {
    bool used = false;
    NetifId netif;
    Ipv6Address group;
    std::uint8_t repeats_left = 0;
    Instant due;
  };
  std::array<MldPendingLeave, config::ipv6_slots(config::mld6_max_groups)> mld_pending_leaves_{};
  NdCache::PendingQueue nd_resolved_;  // scratch: packets of an entry that just resolved
  RouterList routers_;
  Ipv6RouteHooks route_hooks_;
  bool slaac_ = config::ipv6_autoconfig;
  NetifCallback ra_flags_callback_ = nullptr;
  NetifCallback rdnss_callback_ = nullptr;
  void* ra_context_ = nullptr;
  // The Fragment header's identification: a counter from a random start
  // (drawn by IpLayer's constructor, as the IPv4 one).
  std::uint32_t next_fragment_identification_ = 0;
  std::uint16_t next_identification_ = 0;
  NetifCallback status_callback_ = nullptr;
  void* status_context_ = nullptr;
  NetifCallback link_callback_ = nullptr;
  void* link_context_ = nullptr;
};

// Core thread only.
class IpLayer : private IpLayerState {
 public:
  using NetifCallback = IpLayerState::NetifCallback;

  // Adds the loopback netif (id 0, 127.0.0.1/8) on `loopback`.
  // `stats` by reference: it is nine references (none without
  // CONFIG_LWNET_STATS: IpLayerNoStats), copied once, into stats_.
  IpLayer(Pools& pools, const IpLayerStats& stats, Random& random, Device& loopback);
  IpLayer(const IpLayer&) = delete;
  IpLayer& operator=(const IpLayer&) = delete;

  // ---- Netifs (ip_layer.cpp) -----------------------------------------------
  Result<NetifId> add_netif(Device& device, const NetifConfig& config, Instant now);
  static constexpr NetifId loopback_netif() { return NetifId{0}; }
  void set_default_netif(NetifId id) { netifs_.set_default(id); }
  // An unspecified address removes the netif's IPv4 address.
  Status set_ipv4(NetifId id, const IpCidr& address, std::optional<Ipv4Address> gateway,
                  Instant now);
  Status set_up(NetifId id, bool up, Instant now);
  Status set_link_up(NetifId id, bool link_up, Instant now);
  Status set_mtu(NetifId id, std::size_t mtu) { return netifs_.set_mtu(id, mtu); }
  Result<NetifInfo> netif_info(NetifId id) const;
  void set_status_callback(NetifCallback callback, void* context) {
    status_callback_ = callback;
    status_context_ = context;
  }
  void set_link_callback(NetifCallback callback, void* context) {
    link_callback_ = callback;
    link_context_ = context;
  }
  const NetifTable& netifs() const { return netifs_; }
  // One of our addresses, of either family (NetifTable::is_local for IPv4).
  bool is_local(const IpAddress& address) const;

  // ---- ARP (arp.cpp) -------------------------------------------------------
  Status arp_add_static(NetifId id, Ipv4Address ip, const MacAddress& mac, Instant now);
  Status arp_remove(NetifId id, Ipv4Address ip);
  std::optional<MacAddress> arp_lookup(NetifId id, Ipv4Address ip) const;
  Status arp_probe(NetifId id, Ipv4Address ip, Instant now);
  Status arp_announce(NetifId id, Instant now);
  bool arp_conflict(NetifId id, Ipv4Address ip) const;
  std::uint32_t arp_conflicts(NetifId id) const;
  const ArpCache& arp_cache() const { return arp_cache_; }

  // ---- Input (ethernet_link.cpp, ipv4_input.cpp) -------------------------------
  // One frame from `id`'s device, starting at the link header (none on
  // Medium::Ip devices). ARP and ICMP are handled here; UDP and TCP come back
  // as a delivery; everything else is counted and dropped.
  std::optional<IpDelivery> input(NetifId id, PacketBuf&& frame, Instant now);
  // For a delivery no transport protocol takes: counts
  // ipv4.drop_unknown_protocol and answers with protocol unreachable.
  void reject_protocol(IpDelivery&& delivery, Instant now);
  // For a UDP datagram no endpoint takes: port unreachable in the
  // delivery's family (ICMP or ICMPv6), within the rules and rate limits.
  void reject_port(const IpDelivery& delivery, Instant now);

  // ---- Output (ip_layer.cpp, ipv4_output.cpp) --------------------------------
  // The route to `destination`, leaving from `source` when it is one of
  // ours (unspecified, of either family: chosen by the route), out of
  // `netif` when given (SO_BINDTODEVICE: route_ipv4_via). InvalidArgument
  // when a specified source is of the other family; Unsupported for a
  // family this build does not route.
  Result<IpRoute> route(const IpAddress& destination, const IpAddress& source,
                        std::optional<NetifId> netif = std::nullopt) const;
  // Pushes an IP header of the destination's family in front of `payload`
  // (the transport header and data; headroom for it and Ethernet) and sends
  // it along `route`, fragmenting it to the netif's MTU (IPv6: the path MTU,
  // path_mtu()). Ok also when it waits for the neighbour. WouldBlock:
  // neighbour queue full; NoBuffers: no buffer for a fragment or the device
  // refused the frame; TooBig: over 65535 bytes, or DF and over the MTU, or
  // IPv6 over the path MTU without CONFIG_LWIP_IP6_FRAG (ipv6.drop_too_big);
  // NetDown; Unsupported: a family this build does not send.
  Status output(PacketBuf&& payload, const IpRoute& route, const IpAddress& destination,
                const IpSendOptions& options, Instant now);
  // The largest TCP packet (IP header included) that may go out along
  // `route` in one piece for the device to segment: its tcp_segmentation,
  // when the neighbour is already resolved (a packet waiting for it is sent
  // as ordinary frames); 0 when no offload is possible.
  std::size_t tcp_segmentation_limit(const IpRoute& route) const;
  // The link address of `address` on `id` when the neighbour cache (ARP
  // for IPv4) has it resolved.
  std::optional<MacAddress> neighbour(NetifId id, const IpAddress& address) const;
  bool is_broadcast(Ipv4Address a) const;
  // The largest packet (IP header included) that goes to `destination`
  // along `route` unfragmented: the netif's MTU, lowered by what a Packet
  // Too Big (IPv6) or a Fragmentation Needed (IPv4) taught the table.
  std::size_t path_mtu(const IpRoute& route, const IpAddress& destination) const;
  const PathMtuTable& path_mtu_table() const { return path_mtus_; }
  // The first hops Redirects taught (RFC 4861 8.3; ndisc.cpp).
  const RedirectTable& redirect_table() const { return redirects_; }
  // Called when a Packet Too Big or a Fragmentation Needed lowered the path
  // MTU towards `destination` (to `mtu` bytes, IP header included), for TCP
  // to shrink its segments.
  using PathMtuCallback = IpLayerState::PathMtuCallback;
  void set_path_mtu_callback(PathMtuCallback callback, void* context) {
    path_mtu_callback_ = callback;
    path_mtu_context_ = context;
  }

  // ---- ICMP (icmpv4.cpp) ---------------------------------------------------
  // An ICMP error about `offending` (its IP header and what follows) that
  // arrived on `id`, unless RFC 1122 3.2.2 forbids one (a broadcast, a
  // non-first fragment, an ICMP error, an odd source) or the rate limit
  // (CONFIG_LWNET_ICMP_ERRORS_PER_SECOND) is reached (icmp.rate_limited).
  void send_icmp_error(NetifId id, ConstBytes offending, bool broadcast, Icmpv4Type type,
                       std::uint8_t code, Instant now);
  EchoEndpoints& echo() { return echo_; }
  const EchoEndpoints& echo() const { return echo_; }
  // An echo request with the handle's identifier; ttl 0: the default TTL.
  // `netif`: out of that netif only (a ping session's interface).
  Status ping_send(PingHandle h, Ipv4Address destination, std::uint16_t sequence,
                   ConstBytes payload, std::uint8_t ttl, Instant now, std::uint8_t tos = 0,
                   std::optional<NetifId> netif = std::nullopt);
  RawEndpoints& raw() { return raw_; }
  const RawEndpoints& raw() const { return raw_; }
  // Sends `message` in an IP header of the endpoint's protocol, from its
  // bound address or the route's; ttl 0: the default TTL. An ICMP message
  // comes with its checksum (filled by the caller, as lwIP's raw sockets
  // leave it); an ICMPv6 one gets it here (RFC 3542 3.1). Closed, TooBig,
  // NoRoute, NoBuffers, as output(); InvalidArgument for an ICMPv6 message
  // under 4 bytes.
  Status raw_send(RawHandle h, ConstBytes message, const IpAddress& destination, std::uint8_t ttl,
                  Instant now, std::uint8_t tos = 0);
  // Called from icmp_input() and icmpv6_input() with each ICMP error that
  // quotes a UDP or TCP datagram of ours (its IP header and at least 8
  // bytes of it): ICMPv6 destination unreachable and time exceeded too.
  using IcmpErrorCallback = IpLayerState::IcmpErrorCallback;
  void set_icmp_error_callback(IcmpErrorCallback callback, void* context) {
    icmp_error_callback_ = callback;
    icmp_error_context_ = context;
  }

  // ---- IGMP (igmp.cpp) ----------------------------------------------------
  // IGMPv2 host (RFC 2236) on every netif. A join counts references: the
  // first one sends an unsolicited report at once and again
  // igmp_unsolicited_report_interval later; the last leave sends a leave
  // message to 224.0.0.2 when ours was the group's latest report. Queries
  // are answered after a random delay up to their Max Resp Time, unless
  // another host reports first. 224.0.0.1 is joined implicitly and never
  // reported. An IGMPv1 query (Max Resp Time 0, RFC 2236 4) puts the netif
  // in IGMPv1 compatibility for 400 s (the Version 1 Router Present
  // Timeout, renewed by every v1 query): reports go out as v1 reports and
  // leaving sends nothing, since a v1 router knows no leave message.
  // Join: InvalidArgument for a non-multicast group or an unknown netif,
  // TableFull when CONFIG_LWNET_IGMP_MAX_GROUPS groups are joined.
  // Leave: AddressNotAvailable when the group is not joined there.
  Status igmp_join(NetifId id, Ipv4Address group, Instant now);
  Status igmp_leave(NetifId id, Ipv4Address group, Instant now);
  // All-hosts included.
  bool igmp_is_member(NetifId id, Ipv4Address group) const;
  const MulticastGroups& multicast_groups() const { return groups_; }

  // ---- MLD (mld.cpp) -------------------------------------------------------
  // MLD host on every netif: MLDv2 reports (RFC 3810) unless an MLDv1 query
  // was heard on the netif in the last 260 s (RFC 3810 8), MLDv1 ones
  // (RFC 2710) then. The first join of a group sends robustness (2)
  // unsolicited reports, from the next poll and 1 s (v2) or 10 s (v1)
  // apart; the last leave sends a v2 report changing to INCLUDE {}, again
  // 1 s later (robustness times, RFC 3810 6.1, unless the group is joined
  // again meanwhile), or a v1 Done once (when ours was the latest report;
  // RFC 2710 4 repeats no Done). Queries are answered after a
  // random delay up to their Maximum Response Delay; v1 reports of other
  // hosts suppress ours. Every netif's addresses join their solicited-node
  // groups. With CONFIG_LWIP_ESP_MLDV6_REPORT every joined group is
  // reported again every CONFIG_LWIP_MLDV6_TMR_INTERVAL seconds (one timer
  // for all, armed only while a group is joined). ff02::1 is joined
  // implicitly and never reported. Reports leave from the link-local
  // address (:: while it is tentative, RFC 3590) with hop limit 1 and the
  // Router Alert option.
  // Join: InvalidArgument for a non-multicast group or an unknown netif,
  // TableFull when CONFIG_LWNET_MLD6_MAX_GROUPS groups are joined.
  // Leave: AddressNotAvailable when the group is not joined there.
  Status mld_join(NetifId id, const Ipv6Address& group, Instant now);
  Status mld_leave(NetifId id, const Ipv6Address& group, Instant now);
  // All-nodes included.
  bool mld_is_member(NetifId id, const Ipv6Address& group) const;
  // True while the netif answers in MLDv1 (an MLDv1 querier was heard).
  bool mld_v1_mode(NetifId id, Instant now) const;

  // ---- IPv6 addresses and Neighbor Discovery (ndisc.cpp) ---------------------
  // Adds a static address (prefix_len: its on-link prefix). It is tentative
  // while Duplicate Address Detection sends
  // CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS solicitations a second apart (from
  // the next poll), then preferred; Duplicated when another host answers.
  // Link-local addresses take slot 0. InvalidArgument (unknown netif, the
  // loopback netif, a multicast, unspecified or loopback address, a prefix
  // over 128), AddressInUse (there already), TableFull (every one of
  // CONFIG_LWIP_IPV6_NUM_ADDRESSES slots taken).
  Status add_ipv6_address(NetifId id, const Ipv6Address& address, std::uint8_t prefix_len,
                          Instant now);
  // AddressNotAvailable when the netif has no such address. With `now` the
  // address's solicited-node group is left aloud (MLD), else quietly.
  Status remove_ipv6_address(NetifId id, const Ipv6Address& address,
                             std::optional<Instant> now = std::nullopt);
  const NdCache& nd_cache() const { return nd_cache_; }
  // A permanent neighbor entry (lwIP's static ND entries): packets waiting
  // for it leave now. InvalidArgument, TableFull.
  Status nd_add_static(NetifId id, const Ipv6Address& ip, const MacAddress& mac, Instant now);
  // An ICMPv6 echo request with the handle's identifier; hop_limit 0: the default.
  Status ping6_send(PingHandle h, const Ipv6Address& destination, std::uint16_t sequence,
                    ConstBytes payload, std::uint8_t hop_limit, Instant now,
                    std::optional<NetifId> netif = std::nullopt);

  // ---- Router discovery and SLAAC (router_discovery.cpp) ---------------------
  // A netif that comes up with a preferred link-local address sends up to
  // 3 router solicitations 4 s apart, the first after a random delay of up
  // to 1 s, until an RA arrives (RFC 4861 6.3.7). RAs (RFC 4861 6.3.4) fill
  // the router list (routers, prefixes, Route Information when
  // CONFIG_LWIP_IPV6_ND6_ROUTE_INFO_OPTION_SUPPORT, RDNSS when
  // CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS > 0), set the netif's hop limit
  // and MTU, and with SLAAC on form addresses from prefixes with the A flag
  // (RFC 4862 5.5.3). Full tables count nd.drop_*_table_full.
  const RouterList& router_list() const { return routers_; }
  // SLAAC on every netif (CONFIG_LWIP_IPV6_AUTOCONFIG's value at start):
  // taken from the next RA; turning it off keeps the addresses formed.
  void set_slaac(bool on) { slaac_ = on; }
  bool slaac() const { return slaac_; }
  void set_route_hooks(const Ipv6RouteHooks& hooks) { route_hooks_ = hooks; }
  // `ra_flags`: after an RA changed a netif's M or O flag (or was its
  // first); `rdnss`: after the netif's RDNSS servers changed.
  void set_router_advertisement_callbacks(NetifCallback ra_flags, NetifCallback rdnss,
                                          void* context) {
    ra_flags_callback_ = ra_flags;
    rdnss_callback_ = rdnss;
    ra_context_ = context;
  }

  // ---- Timers (ip_layer.cpp) -------------------------------------------------
  // ARP aging and retransmission, reassembly timeouts, gratuitous ARP, IGMP
  // reports.
  Instant next_deadline() const { return timers_.earliest(); }
  void poll_timers(Instant now);

  const Ipv4Reassembly& reassembly() const { return reassembly_; }
  const Ipv6Reassembly& reassembly6() const { return reassembly6_; }

 private:
  enum Timer : std::uint16_t { arp_timer = 0, reassembly_timer = 1, garp_timer_first = 2 };
  // Without IPv6 its timers take no slot: each id below is then
  // path_mtu_timer's, the last slot (IPv6's tables are empty, so its code
  // never arms one), and the queue holds the IPv4 timers only (5 of 17 in
  // the IPv4-only size build). Group timers likewise need IGMP or MLD.
  static constexpr std::size_t igmp_timer_first = garp_timer_first + NetifTable::capacity;
  // The neighbor cache's NUD timers, then one DAD timer per netif.
  static constexpr std::size_t nd_timer =
      igmp_timer_first + (config::igmp || config::ipv6 ? MulticastGroups::capacity : 0);
  static constexpr std::size_t dad_timer_first = nd_timer + config::ipv6_slots(1);
  // ESP-IDF's periodic MLD report, for every netif at once.
  static constexpr std::size_t mld_periodic_timer = dad_timer_first + config::ipv6_slots(NetifTable::capacity);
  static constexpr std::uint16_t reassembly6_timer = static_cast<std::uint16_t>(mld_periodic_timer + config::ipv6_slots(1));
  // One router solicitation timer per netif, and one for every lifetime
  // that RAs gave (routers, prefixes, routes, RDNSS, SLAAC addresses).
  static constexpr std::size_t rs_timer_first = reassembly6_timer + config::ipv6_slots(1);
  static constexpr std::size_t router_timer = rs_timer_first + config::ipv6_slots(NetifTable::capacity);
  // The destination cache's path MTU lifetimes.
  static constexpr std::uint16_t path_mtu_timer = static_cast<std::uint16_t>(router_timer + config::ipv6_slots(1));
  // ReachableTime's periodic redraw, for every netif at once.
  static constexpr std::uint16_t reachable_time_timer = static_cast<std::uint16_t>(path_mtu_timer + config::ipv6_slots(1));
  // MLDv2 leaves still to repeat (mld_pending_leaves_), for every netif at once.
  static constexpr std::uint16_t mld_leave_timer = static_cast<std::uint16_t>(reachable_time_timer + config::ipv6_slots(1));
  // The destination cache's redirect lifetimes.
  static constexpr std::uint16_t redirect_timer = static_cast<std::uint16_t>(mld_leave_timer + config::ipv6_slots(1));
  static constexpr std::size_t timer_count = redirect_timer + 1;
  static std::uint16_t rs_timer(NetifId id) {
    return static_cast<std::uint16_t>(rs_timer_first + config::ipv6_slots(id.value));
  }
  static std::uint16_t dad_timer(NetifId id) {
    return static_cast<std::uint16_t>(dad_timer_first + config::ipv6_slots(id.value));
  }
  static std::uint16_t garp_timer(NetifId id) {
    return static_cast<std::uint16_t>(garp_timer_first + id.value);
  }
  // One timer per group entry (IGMP's and MLD's): its pending report.
  static std::uint16_t igmp_timer(std::size_t slot) {
    return static_cast<std::uint16_t>(igmp_timer_first + slot);
  }
  // Arms `id` for `when` unless it is armed for earlier already. Owners
  // arm early and re-arm from their real deadline when the timer fires.
  void arm_no_later(std::uint16_t id, Instant when) {
    if (when < timers_.deadline(id)) timers_.arm(id, when);
  }
  void schedule_gratuitous_arp(NetifId id, Instant now);
  void netif_status_changed(NetifId id);
  // A datagram of ours (IPv4 or IPv6) whose next hop never resolved (ARP
  // or ND gave up, or its entry was evicted for room): reported to its
  // transport as a host (address) unreachable, as Linux does (a connect()
  // fails with EHOSTUNREACH instead of trying on).
  void report_unresolved(const PacketBuf& datagram, Instant now);
  // After an ArpCache or NdCache call that may have evicted a resolution
  // into evicted_: its report is due at the next poll, from `timer` (the
  // cache's own, arp_timer or nd_timer, which report_evicted()).
  void schedule_evicted_reports(std::uint16_t timer, Instant now) {
    if constexpr (EvictedQueue::capacity() > 0) {
      if (!evicted_.empty()) arm_no_later(timer, now);
    }
  }
  void report_evicted(Instant now) {
    if constexpr (EvictedQueue::capacity() > 0) {
      while (!evicted_.empty()) report_unresolved(evicted_.pop(), now);
    }
  }
  // The IPv6 timers (nd_timer and above): ND, DAD, MLD, reassembly, router
  // discovery.
  void ipv6_timer_due(std::uint16_t timer, Instant now);
  // The IPv4 timers (below igmp_timer_first): ARP, reassembly, gratuitous ARP.
  void ipv4_timer_due(std::uint16_t timer, Instant now);

  // ethernet_link.cpp
  // Sends a finished frame (link header included) on `n`'s device.
  bool transmit(Netif& n, PacketBuf& frame, Instant now);
  // Pushes an Ethernet header (not on Medium::Ip) and transmits.
  bool send_frame(Netif& n, const MacAddress& destination, std::uint16_t ethertype,
                  PacketBuf& packet, Instant now);

  // arp.cpp
  void arp_input(NetifId id, PacketBuf&& packet, Instant now);
  // Whether the frame went to the device. With `reply_in` (the request's
  // buffer, ArpRepr::packet_len bytes) a reply to `eth_destination`, in that
  // buffer; else a request (target MAC zero) in a new one.
  bool send_arp(Netif& n, PacketBuf* reply_in, const MacAddress& eth_destination, Ipv4Address sender_ip,
                Ipv4Address target_ip, Instant now);
  void send_arp_request(NetifId id, Ipv4Address target, Instant now);
  // A request from `n`'s address for `target` (target MAC zero), to
  // `eth_destination`: what the requests, probes' refreshes and
  // announcements below share.
  bool send_arp_request_to(Netif& n, const MacAddress& eth_destination, Ipv4Address target, Instant now);
  // Output is using `next_hop`'s entry: confirms it by a unicast request
  // when it is about to expire (ArpCache::refresh_due).
  void confirm_neighbour(Netif& n, NetifId id, Ipv4Address next_hop, const MacAddress& mac, Instant now);
  bool send_gratuitous_arp(Netif& n, Instant now);
  void send_resolved(NetifId id, const MacAddress& mac, Instant now);

  // ipv4_input.cpp
  std::optional<IpDelivery> ipv4_input(NetifId id, PacketBuf&& packet, bool link_broadcast,
                                         Instant now);
  bool accepts_unicast(const Netif& n, Ipv4Address destination) const;

  // ipv4_output.cpp
  Status ipv4_output(PacketBuf&& payload, const IpRoute& route, Ipv4Address destination,
                     const IpSendOptions& options, Instant now);
  // Finds the neighbour's MAC (or queues for ARP) and sends the datagram.
  Status link_output(NetifId id, Ipv4Address next_hop, bool broadcast, PacketBuf&& datagram,
                     Instant now);
  // Sends a datagram whose link destination is known, in fragments if needed.
  Status send_segmented(const IpRoute& route, PacketBuf&& datagram, const IpSendOptions& options,
                        Instant now);
  Status send_datagram(Netif& n, const MacAddress& destination, PacketBuf&& datagram,
                       Instant now);
  // Cuts `datagram` into fragments of at most `mtu` bytes.
  Status fragment(Netif& n, const MacAddress& destination, const PacketBuf& datagram,
                  std::size_t mtu, Instant now);

  // igmp.cpp
  void igmp_input(NetifId id, PacketBuf&& packet, const IpDelivery& ip, Instant now);
  void igmp_send(NetifId id, std::uint8_t type, Ipv4Address group, Ipv4Address destination,
                 Instant now);
  void igmp_report_due(std::size_t slot, Instant now);
  // A query asks for a report within max_delay: a Delaying entry keeps its
  // timer when it fires sooner, else it gets a random one (RFC 2236 3).
  void igmp_schedule_report(std::size_t slot, Duration max_delay, Instant now);
  // A netif that comes up (or gets its link back) reports every group it is
  // in from the next poll, as lwIP does: the router may have forgotten them.
  void igmp_report_all(NetifId id, Instant now);
  // Ethernet input: whether `n` takes frames to the multicast MAC `mac`.
  bool accepts_multicast_mac(NetifId id, const MacAddress& mac) const;
  // A copy of `datagram` (IPv4 header on) delivered here through the
  // loopback netif (IP_MULTICAST_LOOP).
  void loop_multicast(const PacketBuf& datagram, Instant now);

  // mld.cpp
  // Whether MLD speaks of `group` on `id` at all (not ff02::1, not
  // interface-local, not on the loopback netif).
  bool mld_reportable(NetifId id, const Ipv6Address& group) const;
  // mld_leave; without `now` nothing is sent (the router forgets the group
  // when its listener interval ends).
  Status mld_leave_group(NetifId id, const Ipv6Address& group, std::optional<Instant> now);
  void mld_input(NetifId id, ConstBytes message, const IpDelivery& ip, Instant now);
  void mld_report_due(std::size_t slot, Instant now);
  void mld_periodic(Instant now);
  // Repeats the MLDv2 leaves that are due.
  void mld_leave_due(Instant now);
  // One MLDv1 report or Done about `group`.
  void mld_send_v1(NetifId id, std::uint8_t type, const Ipv6Address& group,
                   const Ipv6Address& destination, Instant now);
  // MLDv2 reports with one record of `type` (no sources) per group.
  void mld_send_v2(NetifId id, MldRecordType type, std::span<const Ipv6Address> groups, Instant now);
  // Sends a finished MLD message (checksum in place) with hop limit 1 and
  // the Router Alert option.
  bool mld_output(NetifId id, PacketBuf&& message, const Ipv6Address& source,
                  const Ipv6Address& destination, Instant now);

  // ipv6_input.cpp. `link_multicast`: the packet came in a link-layer
  // broadcast or multicast frame, so that ICMPv6 errors, but for the two
  // RFC 4443 2.4 (e.4, e.5) allows, stay unsent even for a unicast address.
  std::optional<IpDelivery> ipv6_input(NetifId id, PacketBuf&& packet, bool link_multicast, Instant now);
  // Whether `n` takes a packet to `destination` (sets `multicast`).
  bool accepts_ipv6(NetifId id, const Netif& n, const Ipv6Address& destination) const;
  // Extension headers before the upper layer (RFC 8200 4): false when the
  // packet is dropped (counted, answered with a parameter problem where
  // the RFC says so); else `next_header` and `offset` (from the payload's
  // start) name the upper layer.
  // A fragment header ends the walk: `next_header` is then
  // ipv6_next_header::fragment and `offset` where that header starts.
  bool walk_extension_headers(NetifId id, const PacketBuf& packet, const Ipv6Repr& ip,
                              std::uint8_t& next_header, std::size_t& offset, bool link_multicast,
                              Instant now);
  // Hands a fragment (its header `offset` bytes into the payload) to
  // reassembly; the whole datagram once complete (`packet` and `ip` then
  // describe it), else nullopt (held or dropped, counted).
  bool ipv6_reassemble(NetifId id, PacketBuf& packet, Ipv6Repr& ip, std::size_t offset,
                       bool link_multicast, Instant now);

  // ipv6_output.cpp
  Status ipv6_output(PacketBuf&& payload, const IpRoute& route, const Ipv6Address& destination,
                     const IpSendOptions& options, Instant now);
  // Finds the neighbour's MAC (or queues for ND) and sends the datagram.
  Status ipv6_link_output(NetifId id, const Ipv6Address& next_hop, PacketBuf&& datagram,
                          Instant now);
  // Sends a datagram whose link destination is known, in fragments when it
  // is over the path MTU.
  Status ipv6_send_datagram(Netif& n, const MacAddress& destination, PacketBuf&& datagram,
                            Instant now);
  // Cuts `datagram` into fragments of at most `mtu` bytes (RFC 8200 4.5).
  Status ipv6_fragment(Netif& n, const MacAddress& destination, const PacketBuf& datagram,
                       std::size_t mtu, Instant now);

  // icmpv6.cpp
  void icmpv6_input(NetifId id, PacketBuf&& packet, const IpDelivery& ip, Instant now);
  // An ICMPv6 error about `offending` (IPv6 header first) that arrived on
  // `id` (in a link-layer broadcast or multicast frame: `link_multicast`),
  // unless RFC 4443 2.4 (e) forbids one or the rate limit is reached
  // (icmpv6.rate_limited). `parameter`: the pointer or the MTU.
  void send_icmpv6_error(NetifId id, ConstBytes offending, bool link_multicast, Icmpv6Type type,
                         std::uint8_t code, std::uint32_t parameter, Instant now);
  // Destination unreachable, packet too big, time exceeded: checks the
  // quote is ours, learns a path MTU, reports to the transports.
  void icmpv6_error_input(const Icmpv6Repr& icmp, Instant now);
  // An ICMPv6 error of `type` and `code` about `quote` (a packet we sent,
  // from its IPv6 header on, at least the header long), for the transports.
  void report_quoted_ipv6(std::uint8_t type, std::uint8_t code, ConstBytes quote, Instant now,
                          bool neighbour_unreachable = false);
  void packet_too_big_input(const Icmpv6Repr& icmp, const Ipv6Address& source,
                            const Ipv6Address& destination, Instant now);
  // Sends a finished ICMPv6 message (checksum in place) from `source`.
  Status send_icmpv6(NetifId id, const Ipv6Address& source, const Ipv6Address& destination,
                     std::uint8_t hop_limit, PacketBuf&& message, Instant now);

  // ndisc.cpp
  void ndisc_input(NetifId id, ConstBytes message, const IpDelivery& ip, Instant now);
  void send_neighbor_solicitation(NetifId id, const Ipv6Address& target,
                                  std::optional<MacAddress> unicast, bool dad, Instant now);
  void send_neighbor_advertisement(NetifId id, const Ipv6Address& target,
                                   const Ipv6Address& destination, bool solicited, Instant now);
  // Sends the packets that waited for `neighbor` (moved to nd_resolved_);
  // a resolution the cache call evicted is reported from the next poll.
  void send_nd_resolved(NetifId id, const Ipv6Address& neighbor, Instant now);
  // Link-local address from the MAC (modified EUI-64, RFC 4291 2.5.1).
  void add_link_local(NetifId id, Instant now);
  // Starts DAD for one tentative address of the netif from the next poll,
  // from its first probe: for an address just added. The netif's other
  // addresses keep their attempt (probes sent, schedule, nonce).
  // set_up and set_link_up: what follows a change of either.
  void switched(NetifId id, bool on, Instant now);
  void start_dad(NetifId id, Ipv6NetifAddress& address, Instant now);
  // Starts DAD over for every tentative address of the netif: it came up
  // or its link did (RFC 4862 5.4, an interface reinitialized).
  void restart_dad(NetifId id, Instant now);
  void dad_due(NetifId id, Instant now);
  // A tentative address another host has: Duplicated (never used).
  void dad_failed(NetifId id, Ipv6NetifAddress& address, Instant now);
  // A Redirect (RFC 4861 8) that NdiscRepr::parse accepted.
  void redirect_input(NetifId id, const NdiscRepr& redirect, const Ipv6Address& source,
                      std::optional<MacAddress> target_link_address, Instant now);
  // Forgets the redirects whose router left the router list (lifetime 0 or
  // expired, no longer a router, its netif down).
  void forget_redirects_of_gone_routers();

  // route_ipv6 with the router list and hooks (ip_layer.cpp).
  Result<IpRoute> route_v6(const Ipv6Address& destination, const Ipv6Address& source,
                           std::optional<NetifId> netif) const;

  // router_discovery.cpp
  // Starts router solicitation when the netif is usable and its
  // link-local address preferred (from DAD's end, or up/link up).
  void start_router_solicitation(NetifId id, Instant now);
  void router_solicitation_due(NetifId id, Instant now);
  void router_advertisement_input(NetifId id, const NdiscRepr& ra, const Ipv6Address& source,
                                  std::optional<MacAddress> link_address, Instant now);
  // An RA's Reachable Time and Retrans Timer (milliseconds, 0: unspecified)
  // into the netif's neighbor timing (NdCache::Timing).
  void apply_nd_timers(NetifId id, std::uint32_t reachable_time_ms, std::uint32_t retrans_timer_ms,
                       RouterAdvertisementState& state, Instant now);
  // A ReachableTime from the state's BaseReachableTime (recorded in it).
  Duration draw_reachable_time(RouterAdvertisementState& state);
  // Every nd_timing::reachable_time_redraw while an RA set a base.
  void redraw_reachable_times(Instant now);
  void slaac_prefix(NetifId id, const NdiscPrefixInformation& info, Instant now);
  // Expires routers, prefixes, routes, RDNSS servers and address lifetimes.
  void router_lifetimes_due(Instant now);
  void arm_router_timer();
  void router_list_flush(NetifId id);

  // Records `mtu` (IP header included) as the path MTU towards
  // `destination` when it is below what `route` has now, and tells TCP.
  void learn_path_mtu(const IpRoute& route, const IpAddress& destination, std::size_t mtu, Instant now);

  // icmpv4.cpp
  void icmp_input(NetifId id, PacketBuf&& packet, const IpDelivery& ip, Instant now);
  void icmp_error_input(const Icmpv4Repr& icmp, ConstBytes message, Instant now);
  // An ICMP error of `type` and `code` about `quote` (a datagram we sent,
  // from its IPv4 header on), for the transports. False when the quote is
  // no datagram of ours (too short or malformed to tell, or from another
  // source).
  bool report_quoted_ipv4(std::uint8_t type, std::uint8_t code, ConstBytes quote, Instant now,
                          bool neighbour_unreachable = false);
  // RFC 1191: a Fragmentation Needed about one of our datagrams (`quote`:
  // its header and what follows).
  void fragmentation_needed_input(const Icmpv4Repr& icmp, ConstBytes quote, Instant now);

  Pools& pools_;
  [[no_unique_address]] IpLayerStats stats_;
  Random& random_;
  ArpCache arp_cache_;
  Ipv4Reassembly reassembly_;
  Ipv6Reassembly reassembly6_;
  RawEndpoints raw_{pools_};
  [[no_unique_address]] IcmpRateLimiterIf<config::ipv4> icmp_limiter_;
  [[no_unique_address]] IcmpRateLimiterIf<config::ipv6> icmpv6_limiter_;
  NdCache nd_cache_;
  TimerQueue<timer_count> timers_;
};

}  // namespace lwnet
