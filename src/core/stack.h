// The stack: netifs, routing, ARP, IPv4, ICMP, UDP endpoints, timers and
// statistics, driven by poll(now). It never sleeps, locks, reads a clock or
// allocates after construction.
//
// Threads: every member function is for the core thread only (the one that
// owns the stack: the TCP/IP thread, a bare-metal main loop, or a test), or
// for a thread holding the TCP/IP thread's core lock (api/tcpip_thread.h).
// CONFIG_LWIP_CHECK_THREAD_SAFETY checks this (set_core_context_check).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "buf/buf_pool.h"
#include "core/learned_servers.h"
#include "core/stack_stats.h"
#include "ip/netif_config.h"
#include "ip/netif_types.h"
#include "ip/ping_handle.h"
#include "ip/raw_handle.h"
#include "ip/router_list.h"
#include "ip/routing.h"
#include "link/device.h"
#include "time/instant.h"
#include "transport/tcp/tcp_table.h"
#include "transport/udp_handle.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// NetifId, NetifInfo (ip/netif_types.h), UdpHandle, UdpReceived
// (transport/udp_handle.h), PingHandle and EchoReply (ip/ping_handle.h) live
// with the layer that implements them, so that no layer includes core/.

// The seed is required: it keys the ISN secret (RFC 6528) and picks the
// ephemeral ports (RFC 6056), so two stacks built with the same seed would
// share both. The core reads no entropy itself; on Linux, port/entropy.h's
// random_seed() gives a fresh one, and tests pass fixed seeds to replay runs.
struct StackConfig {
  explicit StackConfig(std::uint64_t seed) : random_seed(seed) {}
  std::uint64_t random_seed;
  // OS glue that gives pages back (TcpTableConfig::release_memory): a closed
  // connection's rings, once a bulk transfer wrote them, stop counting in
  // the process's resident set. nullptr: nothing is given back.
  ReleaseMemory release_memory = nullptr;
};

class StackImpl;
class Stack;

// An application protocol that runs inside the core (DHCP client and server,
// DNS resolver, SNTP, ping sessions, NetBIOS): a state machine built on the
// Stack's public calls and driven by the stack itself, so it needs no thread
// of its own (smoltcp's DHCP socket, lwIP's apps on the tcpip timers).
// Attach it with Stack::attach_app(); it must outlive its attachment.
class StackApp {
 public:
  // Core context. Called at the end of every Stack::poll() while timers are
  // enabled (after input and the stack's own timers), so the app sees what
  // its UDP handles received in that poll and fires its timers when due.
  // May use any Stack call, including attach_app/detach_app of other apps.
  virtual void poll(Stack& stack, Instant now) = 0;
  // Core context. When the app needs poll() without new input;
  // Instant::max() when it waits only for input. Joins Stack::next_deadline().
  virtual Instant next_deadline() const = 0;

 protected:
  StackApp() = default;
  ~StackApp() = default;
  StackApp(const StackApp&) = default;
  StackApp& operator=(const StackApp&) = default;
};

class Stack {
 public:
  // Builds the pools and the loopback netif (127.0.0.1/8; no ::1 until
  // lwnet has IPv6).
  explicit Stack(const StackConfig& config);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // ---- Interfaces ----------------------------------------------------------
  // Adds a netif on `device` (which must outlive the stack). When it has an
  // IPv4 address and is up, a gratuitous ARP goes out on the next poll.
  // With IPv4 compiled out (CONFIG_LWIP_IPV4=0) every IPv4 call of the
  // Stack (set_ipv4, ARP, IGMP, ICMP echo and raw sockets, a netif config
  // with an IPv4 address or gateway) fails with Unsupported, and so does a
  // specific IPv4 or IPv4-mapped address given to UDP or TCP; 0.0.0.0
  // stands for :: there.
  Result<NetifId> add_netif(Device& device, const NetifConfig& config, Instant now);
  NetifId loopback_netif() const;
  // Packets with no better route leave here (lwIP's netif_default).
  void set_default_netif(NetifId id);
  Status set_ipv4(NetifId id, const IpCidr& address, std::optional<Ipv4Address> gateway,
                  Instant now);
  Status set_up(NetifId id, bool up, Instant now);
  Status set_link_up(NetifId id, bool link_up, Instant now);
  // A new MTU (DHCP's option 26): at least 68, at most what the device
  // carries, else InvalidArgument. Connections already open keep their MSS.
  Status set_mtu(NetifId id, std::size_t mtu);
  Result<NetifInfo> netif_info(NetifId id) const;
  // ---- IPv6 addresses and neighbors (IpLayer::add_ipv6_address) -------------
  // With IPv6 compiled out (CONFIG_LWIP_IPV6=0) every IPv6 call of the
  // Stack (addresses, neighbors, MLD, IPv6 multicast options, ICMPv6 echo
  // and raw sockets) fails with Unsupported and finds nothing; a netif has
  // no IPv6 address slots.
  // Every Ethernet netif gets its link-local address (from the MAC) when
  // added; DAD runs for each address from the next poll.
  Status add_ipv6_address(NetifId id, const IpCidr& address, Instant now);
  Status remove_ipv6_address(NetifId id, const IpAddress& address);
  // The same, leaving the address's solicited-node group with an MLD message.
  Status remove_ipv6_address(NetifId id, const IpAddress& address, Instant now);
  // The netif's address slots (states, lifetimes); InvalidArgument for an
  // unknown netif.
  Result<std::array<Ipv6NetifAddress, config::ipv6_slots(config::ipv6_num_addresses)>> ipv6_addresses(NetifId id) const;
  Status nd_add_static(NetifId id, const IpAddress& address, const MacAddress& mac, Instant now);
  // A resolved (any state but incomplete) neighbor's MAC.
  std::optional<MacAddress> nd_lookup(NetifId id, const IpAddress& address) const;
  // The path MTU a Packet Too Big taught the destination cache for
  // `destination` (RFC 8201; forgotten after 10 minutes); nullopt: none,
  // the outgoing link's MTU holds. Core thread only.
  std::optional<std::size_t> ipv6_path_mtu(const IpAddress& destination) const;
  // The same for either family: IPv4's taught by Fragmentation Needed
  // (RFC 1191), forgotten after 10 minutes too. Core thread only.
  std::optional<std::size_t> path_mtu(const IpAddress& destination) const;
  // The first hop a Redirect taught the destination cache for
  // `destination` (RFC 4861 8.3: a router, or the destination itself when
  // it is on-link); nullopt: none, the routers' choice holds. Core thread only.
  std::optional<IpAddress> ipv6_redirect(const IpAddress& destination) const;
  // The netif called `name` (NetifConfig::name; the loopback netif is
  // "lo"), for SO_BINDTODEVICE; nullopt when there is none.
  std::optional<NetifId> netif_find(std::string_view name) const;
  // Called with the netif after its up/down state or its address changed
  // (CONFIG_LWIP_NETIF_STATUS_CALLBACK), or its link changed
  // (CONFIG_LWIP_NETIF_LINK_CALLBACK). Plain function + context: no allocation.
  using NetifCallback = void (*)(void* context, NetifId id);
  void set_status_callback(NetifCallback callback, void* context);
  void set_link_callback(NetifCallback callback, void* context);

  // ---- Router discovery, SLAAC, RDNSS (IpLayer, ip/router_discovery.cpp) -----
  // Core thread. What RAs taught: default routers, on-link prefixes,
  // Route Information routes, RDNSS servers (also published as
  // ServerSource::RouterAdvertisement DNS servers).
  const RouterList& router_list() const;
  // Core thread. The netif's last RA: received, M and O flags, hop limit.
  RouterAdvertisementState router_advertisement(NetifId id) const;
  // Core thread. Called after an RA changed a netif's M or O flag (or was
  // its first): the DHCPv6 client starts its Information-Request when O
  // turns on. Plain function + context.
  void set_router_advertisement_callback(NetifCallback callback, void* context);
  // Core thread. SLAAC on every netif (CONFIG_LWIP_IPV6_AUTOCONFIG at start).
  void set_slaac(bool on);
  bool slaac() const;
  // Core thread. LWIP_HOOK_IP6_ROUTE / LWIP_HOOK_ND6_GET_GW (null: none).
  void set_ipv6_route_hooks(const Ipv6RouteHooks& hooks);

  // ---- ARP -----------------------------------------------------------------
  Status arp_add_static(NetifId id, Ipv4Address ip, const MacAddress& mac);
  Status arp_remove(NetifId id, Ipv4Address ip);
  std::optional<MacAddress> arp_lookup(NetifId id, Ipv4Address ip) const;
  // Sends an ARP probe (RFC 5227: sender IP 0) for `ip`: the DHCP client's
  // address check. A reply or a probe from another host for `ip` shows up
  // in arp_conflict() until the netif takes `ip` (set_ipv4); from then on
  // only a packet from `ip` does (RFC 5227 2.4).
  Status arp_probe(NetifId id, Ipv4Address ip, Instant now);
  // Sends an ARP announcement (gratuitous ARP) for the netif's address.
  Status arp_announce(NetifId id, Instant now);
  bool arp_conflict(NetifId id, Ipv4Address ip) const;
  // Core thread. How many ARP conflicts (a reply, probe or announcement for
  // the probed address or ours from another host) the netif has seen: a
  // new one shows as a change (AutoIP's defence, RFC 3927 2.5).
  std::uint32_t arp_conflicts(NetifId id) const;

  // ---- Driving the stack ---------------------------------------------------
  // Takes every frame the devices have, fires expired timers, sends output.
  void poll(Instant now);
  // Core thread. Between these, devices may hold the frames the stack sends
  // and hand them on together (Device::begin_batch: one system call for
  // many on a TAP), at the latest at the outermost end_transmit_batch().
  // poll() is one such span; a runner that also makes calls of its own
  // after each poll (an application's sends) may wrap both in one. They nest.
  void begin_transmit_batch();
  void end_transmit_batch();
  // The earliest instant poll() has work to do without new input, or
  // Instant::max() when idle.
  Instant next_deadline() const;
  // lwIP's sys_timeouts_deinit() / sys_timeouts_init(): while disabled,
  // poll() takes input and sends what input causes, but fires no timer (ARP
  // ageing and retries, gratuitous ARP, reassembly timeouts, every TCP
  // timer), and next_deadline() counts only the devices' own deadlines (a
  // frame a simulated link or the loopback netif still holds): Instant::max()
  // for devices such as a TAP. Timers that came due meanwhile fire at the
  // first poll() after enabling. Enabled on construction.
  void set_timers_enabled(bool enabled);
  bool timers_enabled() const;

  // ---- Applications (StackApp) ---------------------------------------------
  // Polled at the end of every poll() in the order attached; while timers
  // are disabled (set_timers_enabled(false)) apps are neither polled nor
  // asked for deadlines: their input waits in their handles. AlreadyConnected
  // when `app` is attached already; TableFull beyond
  // CONFIG_LWNET_MAX_STACK_APPS. Detaching an app not attached does nothing;
  // an app may detach itself (or another) from inside its poll().
  Status attach_app(StackApp& app);
  void detach_app(StackApp& app);
  // The stack's seeded randomness (StackConfig::random_seed), for apps'
  // ids, ports and random delays (DHCP xid and retransmission jitter, DNS
  // ids and source ports, SNTP start-up delay), so a run replays from its
  // seed.
  std::uint32_t random_u32();

  // ---- Learned DNS and NTP servers (core/learned_servers.h) ------------------
  // Protocols that learn servers (DHCPv4, DHCPv6, RDNSS) publish them here;
  // the DNS resolver takes published DNS servers as its main and backup
  // (never its fallback), the SNTP client NTP servers when told to
  // (CONFIG_LWIP_DHCP_GET_NTP_SRV, sntp_servermode_dhcp). Last writer wins;
  // an empty list withdraws what `source` published on `netif`.
  void publish_dns_servers(ServerSource source, NetifId netif, std::span<const IpAddress> servers);
  void publish_ntp_servers(ServerSource source, NetifId netif, std::span<const IpAddress> servers);
  const LearnedServers& learned_dns_servers() const;
  const LearnedServers& learned_ntp_servers() const;

  // ---- Thread-safety check (CONFIG_LWIP_CHECK_THREAD_SAFETY) -----------------
  // The core knows no threads; whoever owns the stack's threading (the TCP/IP
  // thread of api/) installs `in_core(context)`, which says whether the
  // calling thread may use the stack now. With CONFIG_LWIP_CHECK_THREAD_SAFETY
  // on, every public member function below (except this one and the
  // constructor/destructor) asks it first; when it answers false,
  // `violation(context, "Stack::tcp_send")` runs (it reports and should not
  // return), then the process aborts. A null `in_core` removes the check.
  // With the option off nothing is asked (the checks are compiled out).
  using CoreContextCheck = bool (*)(void* context);
  using CoreContextViolation = void (*)(void* context, const char* function);
  void set_core_context_check(CoreContextCheck in_core, void* context,
                              CoreContextViolation violation = nullptr);

  // ---- UDP -----------------------------------------------------------------
  Result<UdpHandle> udp_open();
  // Port 0 picks an ephemeral port. Address unspecified: any local address.
  Status udp_bind(UdpHandle h, const IpEndpoint& local);
  // InvalidArgument: port 0, address unspecified, or a broadcast peer
  // without udp_set_broadcast().
  Status udp_connect(UdpHandle h, const IpEndpoint& remote);
  Status udp_disconnect(UdpHandle h);
  // Connected from a wildcard address: the address its datagrams leave
  // from (the route's source).
  Result<IpEndpoint> udp_local(UdpHandle h) const;
  // NoRoute, TooBig (over 65507), NoBuffers, WouldBlock when ARP resolution is
  // pending and its queue is full, InvalidArgument for broadcast without
  // udp_set_broadcast().
  Status udp_send_to(UdpHandle h, ConstBytes payload, const IpEndpoint& to, Instant now);
  Status udp_send(UdpHandle h, ConstBytes payload, Instant now);
  // WouldBlock when nothing is queued. peek (MSG_PEEK): the datagram stays
  // queued.
  Result<UdpReceived> udp_receive(UdpHandle h, Bytes into, bool peek = false);
  bool udp_readable(UdpHandle h) const;
  // Bytes of the next queued datagram, 0 when none (FIONREAD, as on Linux).
  std::size_t udp_pending_bytes(UdpHandle h) const;
  // Called from inside poll() when a datagram was queued for `h` (the
  // socket layer wakes its readers; lwIP's netconn event). Plain function +
  // context; null removes it.
  using UdpEventCallback = void (*)(void* context, UdpHandle h);
  void set_udp_event_callback(UdpEventCallback callback, void* context);
  void udp_set_broadcast(UdpHandle h, bool allowed);
  // Datagrams to the limited broadcast 255.255.255.255 leave from 0.0.0.0,
  // whatever address the netif has: a DHCP client's before it has a lease
  // (RFC 2131 4.1), also while it holds an AutoIP address (lwIP's
  // udp_sendto_if_src with IP_ANY). Others keep the route's source.
  void udp_set_broadcast_from_unspecified(UdpHandle h, bool on);
  void udp_set_ttl(UdpHandle h, std::uint8_t ttl);  // 0: back to the default
  void udp_set_checksum(UdpHandle h, bool send_checksum);  // SO_NO_CHECK
  void udp_set_tos(UdpHandle h, std::uint8_t tos);         // IP_TOS
  // IPV6_V6ONLY, before bind: UdpEndpoints::set_v6only.
  Status udp_set_v6only(UdpHandle h, bool v6only);
  // SO_RCVBUF: bytes of datagrams queued at most (0, the default: no bound
  // but CONFIG_LWIP_UDP_RECVMBOX_SIZE datagrams); a datagram that does not
  // fit is dropped (udp.drop_queue_full).
  void udp_set_receive_buffer(UdpHandle h, std::size_t bytes);
  // SO_BINDTODEVICE without sockets (the DHCP client): the endpoint takes
  // only datagrams that arrived on `netif` and sends through it whatever
  // the routing table says, also while it has no address (limited
  // broadcasts from 0.0.0.0). nullopt unbinds. InvalidArgument for an
  // unknown netif.
  Status udp_bind_netif(UdpHandle h, std::optional<NetifId> netif);
  std::optional<NetifId> udp_bound_netif(UdpHandle h) const;
  // The error an ICMP port (or protocol) unreachable recorded on a connected
  // endpoint (ConnectionRefused), cleared by udp_take_error(); the event
  // callback runs when one is recorded. Errors about unconnected endpoints
  // are not kept (Linux without IP_RECVERR does the same).
  std::optional<Error> udp_take_error(UdpHandle h);
  bool udp_has_error(UdpHandle h) const;
  // SO_REUSEADDR, set before bind (UdpEndpoints::set_reuse_address: port
  // sharing, and CONFIG_LWIP_SO_REUSE_RXTOALL's copies).
  void udp_set_reuse_address(UdpHandle h, bool reuse);
  // IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: `interface` is the address of
  // the netif, unspecified for the default netif. Errors as
  // UdpEndpoints::join_group / leave_group. The first join of a group on a
  // netif sends IGMP reports; the last leave, a leave message.
  Status udp_join_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now);
  Status udp_leave_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now);
  // IP_MULTICAST_IF (AddressNotAvailable: no netif has it; unspecified: the
  // default netif), IP_MULTICAST_TTL (default 1), IP_MULTICAST_LOOP (default on).
  Status udp_set_multicast_interface(UdpHandle h, Ipv4Address interface);
  void udp_set_multicast_ttl(UdpHandle h, std::uint8_t ttl);
  void udp_set_multicast_loop(UdpHandle h, bool loop);
  // IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP (IPv6 groups; `netif` from the
  // interface index, nullopt: the netif of the route to the group as on
  // Linux, ipv6_multicast_netif() in ip/routing.h, or any for a leave): the
  // first join of a group on a netif sends MLD reports, the last leave a
  // leave. Errors as UdpEndpoints::join_group_v6; InvalidArgument for an
  // IPv4 group. Core thread only.
  Status udp_join_group_v6(UdpHandle h, const IpAddress& group, std::optional<NetifId> netif, Instant now);
  Status udp_leave_group_v6(UdpHandle h, const IpAddress& group, std::optional<NetifId> netif,
                            Instant now);
  // IPV6_MULTICAST_IF by netif (Linux: an interface index; nullopt: the
  // route's choice) or, as ESP-IDF takes it, by one of the netif's IPv6
  // addresses (unspecified: the route's choice; AddressNotAvailable when no
  // netif has it). IPV6_MULTICAST_HOPS and IPV6_MULTICAST_LOOP are
  // udp_set_multicast_ttl / udp_set_multicast_loop, for both families.
  Status udp_set_multicast_netif_v6(UdpHandle h, std::optional<NetifId> netif);
  Status udp_set_multicast_interface_v6(UdpHandle h, const IpAddress& address);
  // Also leaves the endpoint's groups (the leave messages are dated with the
  // latest poll).
  void udp_close(UdpHandle h);
  // The owner's pointer for a handle (lwIP's per-PCB callback argument),
  // null until set; dropped when the handle closes. The event callback's
  // receiver reads it to find its own record without any lookup table.
  // Closed for a stale handle; the getter gives null for one.
  Status udp_set_user_data(UdpHandle h, void* user_data);
  void* udp_user_data(UdpHandle h) const;

  // ---- IGMP ----------------------------------------------------------------
  // Group membership of a netif without a socket (lwIP's
  // igmp_joingroup_netif), counted with the sockets' joins: IpLayer::igmp_join.
  Status igmp_join(NetifId id, Ipv4Address group, Instant now);
  Status igmp_leave(NetifId id, Ipv4Address group, Instant now);
  // 224.0.0.1 included.
  bool igmp_is_member(NetifId id, Ipv4Address group) const;

  // ---- MLD -----------------------------------------------------------------
  // IPv6 group membership of a netif without a socket (lwIP's
  // mld6_joingroup_netif): IpLayer::mld_join. Core thread only.
  // InvalidArgument for an IPv4 or non-multicast group.
  Status mld_join(NetifId id, const IpAddress& group, Instant now);
  Status mld_leave(NetifId id, const IpAddress& group, Instant now);
  // ff02::1 included.
  bool mld_is_member(NetifId id, const IpAddress& group) const;
  // True while the netif answers in MLDv1 (an MLDv1 query was heard).
  bool mld_v1_mode(NetifId id, Instant now) const;

  // ---- ICMP echo (ping) ----------------------------------------------------
  // Echo replies whose identifier is `identifier` are queued for this handle.
  Result<PingHandle> ping_open(std::uint16_t identifier);
  // Sends an echo request (ICMPv6's to an IPv6 address) carrying
  // `payload`; ttl 0 means the default TTL or hop limit; tos is the IPv4
  // type-of-service byte (ping sessions' TOS; IPv6 requests carry 0).
  // `netif`: out of that netif whatever the routes say (esp_ping's
  // interface); InvalidArgument for an unknown one.
  Status ping_send(PingHandle h, const IpAddress& destination, std::uint16_t sequence,
                   ConstBytes payload, std::uint8_t ttl, Instant now, std::uint8_t tos = 0,
                   std::optional<NetifId> netif = std::nullopt);
  Result<EchoReply> ping_receive(PingHandle h, Bytes into);
  void ping_close(PingHandle h);

  // ---- Raw IP (SOCK_RAW) ---------------------------------------------------
  // lwIP's raw PCBs, for IPPROTO_ICMP and IPPROTO_ICMPV6 only (Unsupported
  // otherwise), in CONFIG_LWIP_MAX_RAW_PCBS slots apart from the ping
  // handles. Every ICMP message the stack accepts (length and checksum
  // checked) is copied, from its IPv4 header on, to every ICMP endpoint
  // whose bound (destination) and connected (source) addresses match,
  // before the stack handles it: echo requests to us, echo replies
  // (whatever their identifier, also those a ping handle takes), errors,
  // unknown types. ICMPv6 endpoints get every accepted ICMPv6 message the
  // same way, from its ICMPv6 header on (RFC 3542: no IPv6 header), Neighbor
  // Discovery included, unless their ICMPv6 filter blocks its type. Each
  // endpoint queues CONFIG_LWIP_UDP_RECVMBOX_SIZE packets; more are dropped
  // (icmp.raw_dropped, icmpv6.raw_dropped). Addresses must be of the
  // endpoint's family (Unsupported otherwise).
  Result<RawHandle> raw_open(std::uint8_t protocol);
  // Unspecified addresses remove the filter.
  Status raw_bind(RawHandle h, const IpAddress& local);
  Status raw_connect(RawHandle h, const IpAddress& remote);
  // `message` is the ICMP message as it goes out (header and data): the
  // stack adds only the IP header. ICMP: as lwIP's raw sockets, the
  // checksum is the caller's. ICMPv6: the stack computes it (RFC 3542 3.1;
  // InvalidArgument below 4 bytes). ttl 0: the default TTL or hop limit;
  // tos: IP_TOS, IPv6's traffic class.
  Status raw_send_to(RawHandle h, ConstBytes message, const IpAddress& destination,
                     std::uint8_t ttl, Instant now, std::uint8_t tos = 0);
  // WouldBlock when nothing is queued; peek (MSG_PEEK) keeps the packet.
  Result<RawReceived> raw_receive(RawHandle h, Bytes into, bool peek = false);
  bool raw_readable(RawHandle h) const;
  std::size_t raw_pending_bytes(RawHandle h) const;
  // Called from inside poll() when a packet was queued for `h`.
  using RawEventCallback = void (*)(void* context, RawHandle h);
  void set_raw_event_callback(RawEventCallback callback, void* context);
  void raw_close(RawHandle h);
  // ICMP6_FILTER of an ICMPv6 endpoint (InvalidArgument for an ICMP one):
  // the types it does not take. All pass after raw_open().
  Status raw_set_icmpv6_filter(RawHandle h, const RawIcmpv6Filter& blocked);
  RawIcmpv6Filter raw_icmpv6_filter(RawHandle h) const;
  // As udp_set_user_data / udp_user_data.
  Status raw_set_user_data(RawHandle h, void* user_data);
  void* raw_user_data(RawHandle h) const;

  // ---- ICMP errors ------------------------------------------------------------
  // Destination unreachable, time exceeded and parameter problem (ICMP's
  // and ICMPv6's) quoting a UDP datagram or TCP segment we sent go to the
  // transport: a connected UDP endpoint records port/protocol unreachable
  // (ConnectionRefused) and parameter problem (Protocol) (udp_take_error);
  // a TCP connection in SYN-SENT fails with those two, and any other
  // error (HostUnreachable, NoRoute), or those two later on, is kept as
  // its soft error, which a timeout then reports instead of TimedOut
  // (TcpConnection::soft_error). A Packet Too Big lowers the path MTU
  // instead (ipv6_path_mtu), and with it the MSS of TCP connections there.

  // ---- TCP (the core API the socket layer sits on) ---------------------------
  // Listens on `local` (address unspecified: every local address). Port 0
  // is refused; AddressInUse unless reuse_address (SO_REUSEADDR) and only
  // TIME-WAIT connections hold the port. backlog is capped at
  // CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE; a SYN gets a RST while `backlog`
  // connections wait in accept(), and a SYN cookie (no state kept) while
  // handshakes fill the rest of the backlog.
  // `settings` (buffer sizes, Nagle, keepalive...) apply to every accepted
  // connection; null: the defaults of the configuration.
  Result<TcpHandle> tcp_listen(const IpEndpoint& local, std::size_t backlog,
                               bool reuse_address = false, const TcpSettings* settings = nullptr);
  // Those settings, changeable while the listener listens (socket options
  // set on a listening socket: the netif it takes SYNs from, TOS and TTL of
  // its SYN-ACKs, what accepted connections start with); nullptr for a
  // stale or non-listener handle.
  TcpSettings* tcp_listener_settings(TcpHandle listener);
  // bind() of a TCP socket: holds `local` for it until tcp_release(), so
  // that no other socket binds, listens on or connects from the port
  // meanwhile (TcpTable::reserve); port 0 picks an ephemeral port now.
  // AddressNotAvailable for an address that is not ours, AddressInUse as
  // tcp_listen(), TableFull when CONFIG_LWIP_MAX_SOCKETS are held. Release
  // it just before tcp_listen()/tcp_connect() on the same port (in the same
  // core call, so that nothing takes the port in between). `v6only`: the
  // socket's IPV6_V6ONLY (transport/port_binding.h says what overlaps).
  Result<TcpReservation> tcp_reserve(const IpEndpoint& local, bool reuse_address,
                                     bool v6only = false);
  void tcp_release(const TcpReservation& reservation);
  // A connection that completed its handshake, or WouldBlock.
  Result<TcpHandle> tcp_accept(TcpHandle listener);
  // Connections waiting in the listener's accept queue (0 for a stale handle).
  std::size_t tcp_pending_accepts(TcpHandle listener) const;
  // Starts an active open (the SYN leaves now or once ARP resolves).
  // `local`: a source address and/or port, unspecified for the route's.
  // Completion shows as tcp_events::connected, failure as tcp_events::error.
  // NoRoute also for a broadcast or multicast `remote` (TCP is unicast).
  Result<TcpHandle> tcp_connect(const IpEndpoint& remote, Instant now,
                                const IpEndpoint& local = {}, const TcpSettings* settings = nullptr);
  // Copies into the send buffer (WouldBlock when full) and sends what the
  // windows allow.
  // `more` (MSG_MORE): more data follows at once, so a final segment
  // shorter than the MSS waits for it (for the next send without `more`,
  // a shutdown, or at most TcpConnection::cork_limit) instead of leaving
  // as a small segment.
  Result<std::size_t> tcp_send(TcpHandle h, ConstBytes data, Instant now, bool more = false);
  // Zero-copy send: `data` is referenced, not copied, until the peer
  // acknowledges it; then done.function(done.context, true) runs (false if
  // the connection failed first). All or nothing; NoBuffers when
  // CONFIG_LWNET_TCP_ZERO_COPY_WRITES writes are pending on the connection.
  Status tcp_send_zero_copy(TcpHandle h, ConstBytes data, ZeroCopyCompletion done, Instant now);
  // 0 at the end of the stream; WouldBlock when nothing is there yet.
  Result<std::size_t> tcp_receive(TcpHandle h, Bytes into, Instant now);
  // As tcp_receive, but the bytes stay in the receive buffer (MSG_PEEK).
  Result<std::size_t> tcp_peek(TcpHandle h, Bytes into) const;
  // SO_SNDBUF / SO_RCVBUF on a live connection, within the compile-time
  // caps and never below what the connection holds or promised; read the
  // sizes taken back from tcp_connection(h).
  Status tcp_set_buffer_sizes(TcpHandle h, std::size_t send, std::size_t receive, Instant now);
  Status tcp_shutdown(TcpHandle h, Instant now);  // no more sending: FIN
  void tcp_close(TcpHandle h, Instant now);       // let go; finishes in the background
  void tcp_abort(TcpHandle h, Instant now);       // RST (SO_LINGER 0)
  // Takes the tcp_events bits raised since the last call.
  std::uint8_t tcp_events(TcpHandle h);
  // State, settings (TCP_NODELAY, keepalive...), counters of one connection;
  // nullptr for a closed handle.
  TcpConnection* tcp_connection(TcpHandle h);
  // lwIP's tcp_arg, for connections and listeners: null until set; a
  // connection waiting in accept() has none until its owner sets one;
  // dropped by tcp_close/tcp_abort. Closed for a stale handle; the getter
  // gives null for one.
  Status tcp_set_user_data(TcpHandle h, void* user_data);
  void* tcp_user_data(TcpHandle h) const;
  // Called from inside poll() and the TCP calls when a handle gains events.
  // The callback may call the TCP functions above (accept, send, receive,
  // close) on any handle: a server that accepts from the callback drains its
  // accept queue while one poll() takes a burst of SYNs, instead of letting
  // the backlog (CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE) overflow into RSTs.
  void set_tcp_event_callback(TcpTable::EventCallback callback, void* context);

  // ---- Introspection -------------------------------------------------------
  const StackStats& stats() const;
  const Pools& pools() const;

 private:
  std::unique_ptr<StackImpl> impl_;
};

}  // namespace lwnet
