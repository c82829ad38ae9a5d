// Compile-time options of lwnet, with the names and defaults of ESP-IDF's
// lwIP Kconfig (see ../shared/reference/espidf-inventory.md).
//
// Override any of them the way an ESP-IDF project does with sdkconfig.h:
// define the CONFIG_LWIP_... macro before this header is read, either in a
// user header named by LWNET_USER_CONFIG (CMake: -DLWNET_USER_CONFIG=path) or
// as a CMake cache variable (-DCONFIG_LWIP_IP4_REASSEMBLY=1).
//
// Code reads the typed constants in lwnet::config, never the macros, so a
// wrong type or an impossible combination fails at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(LWNET_USER_CONFIG)
#include LWNET_USER_CONFIG
#endif

// Options marked "not implemented yet" are defined so that ESP-IDF
// configurations parse; a static_assert below refuses any value that lwnet
// would silently ignore.

// ---- IP layer ---------------------------------------------------------------
// 0: an IPv6-only build, the mirror of CONFIG_LWIP_IPV6=0. No ARP, IPv4,
// ICMP, IGMP or IPv4 reassembly code is reachable and their tables hold
// nothing (config::ipv4_slots); ARP and IPv4 frames are counted as an
// unknown ethertype (IPv4 packets on IP-only devices as
// ipv6.drop_bad_version); the Stack's IPv4 calls fail with Unsupported, a
// specific IPv4 (or IPv4-mapped) address given to UDP or TCP too, while the
// unspecified 0.0.0.0 stands for :: (the only wildcard left); AF_INET
// sockets fail with EAFNOSUPPORT; the DHCP client and server, AutoIP and
// NetBIOS refuse to start (Unsupported).
#ifndef CONFIG_LWIP_IPV4
#define CONFIG_LWIP_IPV4 1
#endif
// 0: an IPv4-only build. No IPv6 code is reachable (with
// -ffunction-sections and --gc-sections it drops out of the binary) and
// IPv6's tables hold nothing (config::ipv6_slots); IPv6 frames are counted
// as an unknown ethertype, the Stack's IPv6 calls fail with Unsupported,
// AF_INET6 sockets with EAFNOSUPPORT, getaddrinfo(AF_INET6) with EAI_FAMILY.
#ifndef CONFIG_LWIP_IPV6
#define CONFIG_LWIP_IPV6 1
#endif
// IPv6 addresses per netif, the link-local one included.
#ifndef CONFIG_LWIP_IPV6_NUM_ADDRESSES
#define CONFIG_LWIP_IPV6_NUM_ADDRESSES 3
#endif
// The neighbor cache (RFC 4861 5.1), shared by all netifs.
#ifndef CONFIG_LWIP_IPV6_ND6_NUM_NEIGHBORS
#define CONFIG_LWIP_IPV6_ND6_NUM_NEIGHBORS 5
#endif
// Packets held per neighbor while it is being resolved.
#ifndef CONFIG_LWIP_IPV6_MEMP_NUM_ND6_QUEUE
#define CONFIG_LWIP_IPV6_MEMP_NUM_ND6_QUEUE 3
#endif
// Neighbor solicitations Duplicate Address Detection sends per tentative
// address (RFC 4862 5.1 DupAddrDetectTransmits); 0: addresses are usable
// at once.
#ifndef CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS
#define CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#endif
// Router discovery (RFC 4861 6.3): the default router list, the on-link
// prefix list, Route Information options (RFC 4191, off as in ESP-IDF) and
// their cache; the R flag in our NAs; SLAAC (RFC 4862) on every netif (off
// as in ESP-IDF: Stack::set_slaac turns it on at run time); RDNSS servers
// kept from RAs (RFC 8106; 0 = off).
#ifndef CONFIG_LWIP_IPV6_ND6_NUM_ROUTERS
#define CONFIG_LWIP_IPV6_ND6_NUM_ROUTERS 3
#endif
#ifndef CONFIG_LWIP_IPV6_ND6_NUM_PREFIXES
#define CONFIG_LWIP_IPV6_ND6_NUM_PREFIXES 5
#endif
#ifndef CONFIG_LWIP_IPV6_ND6_ROUTE_INFO_OPTION_SUPPORT
#define CONFIG_LWIP_IPV6_ND6_ROUTE_INFO_OPTION_SUPPORT 0
#endif
#ifndef CONFIG_LWIP_IPV6_ND6_NUM_ROUTE_INFO
#define CONFIG_LWIP_IPV6_ND6_NUM_ROUTE_INFO 10
#endif
#ifndef CONFIG_LWIP_FORCE_ROUTER_FORWARDING
#define CONFIG_LWIP_FORCE_ROUTER_FORWARDING 0
#endif
#ifndef CONFIG_LWIP_IPV6_AUTOCONFIG
#define CONFIG_LWIP_IPV6_AUTOCONFIG 0
#endif
#ifndef CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS
#define CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS 0
#endif
// Stateless DHCPv6 (apps/dhcp6_client.h). Off as in ESP-IDF, where
// dhcp6_enable_stateless() exists only with it on: here it gates the C
// API (lwnet/dhcp6.h fails with ENOTSUP without it); the core's
// Dhcp6Client costs nothing unless an application creates one.
#ifndef CONFIG_LWIP_IPV6_DHCP6
#define CONFIG_LWIP_IPV6_DHCP6 0
#endif
#ifndef CONFIG_LWIP_IP_DEFAULT_TTL
#define CONFIG_LWIP_IP_DEFAULT_TTL 64
#endif
#ifndef CONFIG_LWIP_IP4_FRAG
#define CONFIG_LWIP_IP4_FRAG 1
#endif
// ESP-IDF ships reassembly off; lwnet's own builds (tools, tests) turn it on
// through CMake because Linux `ping -s 4000` needs it.
#ifndef CONFIG_LWIP_IP4_REASSEMBLY
#define CONFIG_LWIP_IP4_REASSEMBLY 0
#endif
#ifndef CONFIG_LWIP_IP_REASS_MAX_PBUFS
#define CONFIG_LWIP_IP_REASS_MAX_PBUFS 10
#endif
// IPv6 reassembly (ESP-IDF ships it off, as IPv4's); its buffers are bounded
// by CONFIG_LWIP_IP_REASS_MAX_PBUFS and CONFIG_LWNET_REASS_MAX_DATAGRAMS as
// IPv4's are, and it waits CONFIG_LWNET_IP6_REASS_TIMEOUT_SECONDS (RFC 8200
// 4.5: 60 s) for the missing fragments.
#ifndef CONFIG_LWIP_IP6_REASSEMBLY
#define CONFIG_LWIP_IP6_REASSEMBLY 0
#endif
#ifndef CONFIG_LWNET_IP6_REASS_TIMEOUT_SECONDS
#define CONFIG_LWNET_IP6_REASS_TIMEOUT_SECONDS 60
#endif
// IPv6 output fragmentation (RFC 8200 4.5, on in ESP-IDF): off, a datagram
// over the path MTU is refused (TooBig, EMSGSIZE at a socket). The
// destination cache keeps the path MTUs that Packet Too Big messages
// taught (RFC 8201), least recently used out first.
#ifndef CONFIG_LWIP_IP6_FRAG
#define CONFIG_LWIP_IP6_FRAG 1
#endif
#ifndef CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS
#define CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS 10
#endif
// 0: the loopback netif (127.0.0.1/8) stays, but its device queues
// nothing (no CONFIG_LWIP_LOOPBACK_MAX_PBUFS frames of RAM): packets to
// 127.0.0.0/8 or to the stack's own addresses are dropped, counted in the
// loopback device's tx_dropped (lwIP's LWIP_NETIF_LOOPBACK=0 has no way to
// deliver them either).
#ifndef CONFIG_LWIP_NETIF_LOOPBACK
#define CONFIG_LWIP_NETIF_LOOPBACK 1
#endif
#ifndef CONFIG_LWIP_LOOPBACK_MAX_PBUFS
#define CONFIG_LWIP_LOOPBACK_MAX_PBUFS 8
#endif
#ifndef CONFIG_LWIP_NETIF_STATUS_CALLBACK
#define CONFIG_LWIP_NETIF_STATUS_CALLBACK 0
#endif
#ifndef CONFIG_LWIP_NETIF_LINK_CALLBACK
#define CONFIG_LWIP_NETIF_LINK_CALLBACK 0
#endif

// ---- ARP --------------------------------------------------------------------
#ifndef CONFIG_LWIP_ESP_GRATUITOUS_ARP
#define CONFIG_LWIP_ESP_GRATUITOUS_ARP 1
#endif
#ifndef CONFIG_LWIP_GARP_TMR_INTERVAL
#define CONFIG_LWIP_GARP_TMR_INTERVAL 60
#endif
// lwIP's ARP_TABLE_SIZE / ARP_MAXAGE / ARP_QUEUE_LEN (not Kconfig options in
// ESP-IDF; lwIP's own defaults).
#ifndef CONFIG_LWNET_ARP_TABLE_SIZE
#define CONFIG_LWNET_ARP_TABLE_SIZE 10
#endif
#ifndef CONFIG_LWNET_ARP_MAXAGE_SECONDS
#define CONFIG_LWNET_ARP_MAXAGE_SECONDS 300
#endif
#ifndef CONFIG_LWNET_ARP_QUEUE_LEN
#define CONFIG_LWNET_ARP_QUEUE_LEN 3
#endif

// The width of the stack's event counters (StackStats, util/stat_counter.h):
// 64 bits, so that none wraps on a host (a frame counter at 20 Gbit/s would
// wrap 32 bits in hours); 32 halves them on small targets, where lwIP's
// STAT_COUNTER is 16 bits unless LWIP_STATS_LARGE.
#ifndef CONFIG_LWNET_STATS_COUNTER_BITS
#define CONFIG_LWNET_STATS_COUNTER_BITS 64
#endif
// The counters themselves (Stack::stats()): 0 compiles them out, as lwIP
// without LWIP_STATS (its minimal configuration, and ESP-IDF's
// CONFIG_LWIP_STATS default): every counter then reads 0 and costs neither
// code nor RAM (about 1.3 KB of Cortex-M text in tests/size/lwip_sizes.h).
// On by default: a drop the stack counts is how bad input shows.
#ifndef CONFIG_LWNET_STATS
#define CONFIG_LWNET_STATS 1
#endif

// ---- ICMP, checksums --------------------------------------------------------
#ifndef CONFIG_LWIP_ICMP
#define CONFIG_LWIP_ICMP 1
#endif
#ifndef CONFIG_LWIP_BROADCAST_PING
#define CONFIG_LWIP_BROADCAST_PING 0
#endif
// Echo requests to a group this host is in (IPv4 and IPv6, as lwIP) are
// answered from the netif's own address.
#ifndef CONFIG_LWIP_MULTICAST_PING
#define CONFIG_LWIP_MULTICAST_PING 0
#endif
#ifndef CONFIG_LWIP_CHECKSUM_CHECK_IP
#define CONFIG_LWIP_CHECKSUM_CHECK_IP 0
#endif
#ifndef CONFIG_LWIP_CHECKSUM_CHECK_UDP
#define CONFIG_LWIP_CHECKSUM_CHECK_UDP 0
#endif
#ifndef CONFIG_LWIP_CHECKSUM_CHECK_ICMP
#define CONFIG_LWIP_CHECKSUM_CHECK_ICMP 1
#endif
// ICMP errors sent per second at most (lwIP has no such limit; RFC 1812 4.3.2.8).
#ifndef CONFIG_LWNET_ICMP_ERRORS_PER_SECOND
#define CONFIG_LWNET_ICMP_ERRORS_PER_SECOND 10
#endif

// ---- UDP, sockets -----------------------------------------------------------
#ifndef CONFIG_LWIP_MAX_UDP_PCBS
#define CONFIG_LWIP_MAX_UDP_PCBS 16
#endif
#ifndef CONFIG_LWIP_UDP_RECVMBOX_SIZE
#define CONFIG_LWIP_UDP_RECVMBOX_SIZE 6
#endif
// Raw endpoints (SOCK_RAW sockets), and as many ping sessions. 0: none
// (lwIP's LWIP_RAW 0); raw_open() and ping_open() then fail with TableFull,
// and echo requests are still answered.
#ifndef CONFIG_LWIP_MAX_RAW_PCBS
#define CONFIG_LWIP_MAX_RAW_PCBS 16
#endif
// SO_REUSEADDR: off, setsockopt refuses it (ENOPROTOOPT) as lwIP without
// SO_REUSE does. RXTOALL: a broadcast or multicast datagram goes to every
// UDP endpoint that takes it (each gets its own copy), not only to the best.
#ifndef CONFIG_LWIP_SO_REUSE
#define CONFIG_LWIP_SO_REUSE 1
#endif
#ifndef CONFIG_LWIP_SO_REUSE_RXTOALL
#define CONFIG_LWIP_SO_REUSE_RXTOALL 1
#endif

// ---- IGMP (lwnet's own; lwIP's MEMP_NUM_IGMP_GROUP) --------------------------
// 0: no IGMP (lwIP's LWIP_IGMP=0; ESP-IDF always has it): joining an IPv4
// group fails (Unsupported), IPv4 multicast is not received (counted as
// ipv4.drop_not_for_us) and IGMP messages are an unknown protocol.
#ifndef CONFIG_LWNET_IGMP
#define CONFIG_LWNET_IGMP 1
#endif
// Groups joined at once over all netifs (each counted once however many
// sockets joined it; the all-hosts group 224.0.0.1 takes no entry).
#ifndef CONFIG_LWNET_IGMP_MAX_GROUPS
#define CONFIG_LWNET_IGMP_MAX_GROUPS 8
#endif

// ---- MLD (RFC 2710, RFC 3810) --------------------------------------------------
// IPv6 groups joined at once over all netifs (lwIP's MEMP_NUM_MLD6_GROUP),
// the solicited-node groups of the netifs' addresses included; the
// all-nodes group ff02::1 takes no entry.
#ifndef CONFIG_LWNET_MLD6_MAX_GROUPS
#define CONFIG_LWNET_MLD6_MAX_GROUPS 8
#endif
// ESP-IDF addition: re-send the reports of every joined IPv6 group every
// CONFIG_LWIP_MLDV6_TMR_INTERVAL seconds, for routers that forget them.
#ifndef CONFIG_LWIP_ESP_MLDV6_REPORT
#define CONFIG_LWIP_ESP_MLDV6_REPORT 1
#endif
#ifndef CONFIG_LWIP_MLDV6_TMR_INTERVAL
#define CONFIG_LWIP_MLDV6_TMR_INTERVAL 40
#endif
// ---- Applications in the core (lwnet's own) -----------------------------------
// StackApp objects attached to one stack at once (Stack::attach_app): the
// DHCP client and server, DNS resolver, SNTP client, ping sessions, NetBIOS.
// 0: none (attach_app fails with TableFull), for a core without them.
#ifndef CONFIG_LWNET_MAX_STACK_APPS
#define CONFIG_LWNET_MAX_STACK_APPS 8
#endif
// IP_PKTINFO on UDP sockets (recvmsg() then delivers a struct in_pktinfo).
// Off: setsockopt(IP_PKTINFO) fails with ENOPROTOOPT. The core keeps every
// datagram's destination address and netif either way.
#ifndef CONFIG_LWIP_NETBUF_RECVINFO
#define CONFIG_LWIP_NETBUF_RECVINFO 0
#endif
// SO_RCVBUF on UDP sockets: a bound, in bytes, of the datagrams a socket
// holds (lwIP's recv_bufsize; no bound until set, only the mailbox). Off:
// SO_RCVBUF on a UDP socket fails with ENOPROTOOPT, as lwIP's does. TCP
// sockets take SO_RCVBUF either way (their receive window, as on Linux).
#ifndef CONFIG_LWIP_SO_RCVBUF
#define CONFIG_LWIP_SO_RCVBUF 0
#endif
// Not implemented yet (read by the sockets API and the TCP/IP thread, which
// are being built): the socket table size and the mailbox depths.
#ifndef CONFIG_LWIP_MAX_SOCKETS
#define CONFIG_LWIP_MAX_SOCKETS 10
#endif
// lwIP queues a TCP socket's received pbufs in a mailbox of this many; lwnet
// receives into each connection's byte ring instead, which the receive
// window (SO_RCVBUF, CONFIG_LWIP_TCP_WND_DEFAULT) bounds, so this bounds
// nothing more: what an unread socket holds is at most its receive buffer
// (tests/api/socket_options_test.cpp). Kept for ESP-IDF configurations.
#ifndef CONFIG_LWIP_TCP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCP_RECVMBOX_SIZE 6
#endif
#ifndef CONFIG_LWIP_TCPIP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCPIP_RECVMBOX_SIZE 32
#endif

// ---- The TCP/IP thread (src/api/) ------------------------------------------
// Stack size in bytes (ESP-IDF counts bytes too). On Linux the thread gets at
// least lwnet::api's minimum (api/tcpip_config.h says why).
#ifndef CONFIG_LWIP_TCPIP_TASK_STACK_SIZE
#define CONFIG_LWIP_TCPIP_TASK_STACK_SIZE 3072
#endif
// FreeRTOS priority 1..24; api/tcpip_thread.h maps it to Linux scheduling.
#ifndef CONFIG_LWIP_TCPIP_TASK_PRIO
#define CONFIG_LWIP_TCPIP_TASK_PRIO 18
#endif
// -1: no affinity (ESP-IDF's TCPIP_TASK_AFFINITY_NO_AFFINITY), else a CPU number.
#ifndef CONFIG_LWIP_TCPIP_TASK_AFFINITY
#define CONFIG_LWIP_TCPIP_TASK_AFFINITY -1
#endif
// 0: API calls are messages to the TCP/IP thread (ESP-IDF's default); 1: the
// caller takes the core mutex and runs the call itself.
#ifndef CONFIG_LWIP_TCPIP_CORE_LOCKING
#define CONFIG_LWIP_TCPIP_CORE_LOCKING 0
#endif
// Input under the core mutex; needs CONFIG_LWIP_TCPIP_CORE_LOCKING (see
// api/tcpip_config.h for what it means in lwnet: blocked socket calls
// process the input they wait for themselves).
#ifndef CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT
#define CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT 0
#endif
// lwnet's own: microseconds a thread spins, looking, before it sleeps in the
// kernel: the TCP/IP thread for its next message, a caller for its message's
// completion, a blocked socket call for its event. On a host with a core to
// spare a socket call then costs no sleep and wake-up (two thread switches)
// when the answer comes within the spin; the price is that much CPU burnt
// after each piece of work. 0 (the default, as lwIP): sleep at once.
#ifndef CONFIG_LWNET_TCPIP_SPIN_US
#define CONFIG_LWNET_TCPIP_SPIN_US 0
#endif
// The core's internal checks (LWNET_ASSERT, util/assert.h): 0 compiles
// them out, as ESP-IDF's lwIP without LWIP_ASSERT (LWIP_NOASSERT).
#ifndef CONFIG_LWIP_ESP_LWIP_ASSERT
#define CONFIG_LWIP_ESP_LWIP_ASSERT 1
#endif
// Every public Stack function aborts when called outside the TCP/IP thread
// without the core lock (lwIP's LWIP_ASSERT_CORE_LOCKED).
#ifndef CONFIG_LWIP_CHECK_THREAD_SAFETY
#define CONFIG_LWIP_CHECK_THREAD_SAFETY 0
#endif

// ---- TCP (used from the TCP issue on) ---------------------------------------
#ifndef CONFIG_LWIP_TCP_MSS
#define CONFIG_LWIP_TCP_MSS 1440
#endif
#ifndef CONFIG_LWIP_TCP_SND_BUF_DEFAULT
#define CONFIG_LWIP_TCP_SND_BUF_DEFAULT 5760
#endif
#ifndef CONFIG_LWIP_TCP_WND_DEFAULT
#define CONFIG_LWIP_TCP_WND_DEFAULT 5760
#endif
#ifndef CONFIG_LWIP_MAX_ACTIVE_TCP
#define CONFIG_LWIP_MAX_ACTIVE_TCP 16
#endif
#ifndef CONFIG_LWIP_MAX_LISTENING_TCP
#define CONFIG_LWIP_MAX_LISTENING_TCP 16
#endif
// lwnet's own: how many of the CONFIG_LWIP_MAX_ACTIVE_TCP connections hold
// send and receive buffers (a ring pair at the caps) at once; by default all
// of them. Fewer saves RAM on a microcontroller, as lwIP's shared heap and
// pbuf pool do: a connection in TIME-WAIT with nothing left to read lends
// its pair to a new connection, and when no pair is free or lendable a new
// connection is refused as when every slot is taken.
#ifndef CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS
#define CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS CONFIG_LWIP_MAX_ACTIVE_TCP
#endif
#ifndef CONFIG_LWIP_TCP_MSL
#define CONFIG_LWIP_TCP_MSL 60000
#endif
#ifndef CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT
#define CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT 20000
#endif

// Read only here: it picks the defaults of CONFIG_LWIP_TCP_SYNMAXRTX and
// CONFIG_LWIP_TCP_RTO_TIME below.
#ifndef CONFIG_LWIP_TCP_HIGH_SPEED_RETRANSMISSION
#define CONFIG_LWIP_TCP_HIGH_SPEED_RETRANSMISSION 1
#endif
#ifndef CONFIG_LWIP_TCP_MAXRTX
#define CONFIG_LWIP_TCP_MAXRTX 12
#endif
#ifndef CONFIG_LWIP_TCP_SYNMAXRTX
#if CONFIG_LWIP_TCP_HIGH_SPEED_RETRANSMISSION
#define CONFIG_LWIP_TCP_SYNMAXRTX 12
#else
#define CONFIG_LWIP_TCP_SYNMAXRTX 6
#endif
#endif
#ifndef CONFIG_LWIP_TCP_RTO_TIME
#if CONFIG_LWIP_TCP_HIGH_SPEED_RETRANSMISSION
#define CONFIG_LWIP_TCP_RTO_TIME 1500
#else
#define CONFIG_LWIP_TCP_RTO_TIME 3000
#endif
#endif
#ifndef CONFIG_LWIP_TCP_QUEUE_OOSEQ
#define CONFIG_LWIP_TCP_QUEUE_OOSEQ 1
#endif
#ifndef CONFIG_LWIP_TCP_OOSEQ_TIMEOUT
#define CONFIG_LWIP_TCP_OOSEQ_TIMEOUT 6
#endif
#ifndef CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS
#define CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS 4
#endif
#ifndef CONFIG_LWIP_TCP_SACK_OUT
#define CONFIG_LWIP_TCP_SACK_OUT 0
#endif
#ifndef CONFIG_LWIP_WND_SCALE
#define CONFIG_LWIP_WND_SCALE 0
#endif
#ifndef CONFIG_LWIP_TCP_RCV_SCALE
#define CONFIG_LWIP_TCP_RCV_SCALE 0
#endif
#ifndef CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE
#define CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE 6
#endif
// ---- TCP features lwIP does not have (lwnet's own; 0 compiles them out, for
// small builds such as tests/size/lwip_sizes.h) ------------------------------
// SACK on input (RFC 2018, RFC 6675 recovery): 0 offers no SACK-permitted
// and ignores SACK blocks, as lwIP (its CONFIG_LWIP_TCP_SACK_OUT is output only).
#ifndef CONFIG_LWNET_TCP_SACK_IN
#define CONFIG_LWNET_TCP_SACK_IN 1
#endif
// SYN cookies (RFC 4987) when a listener's backlog or the table is full:
// 0 refuses such a SYN with a RST, as lwIP has no cookies.
#ifndef CONFIG_LWNET_TCP_SYN_COOKIES
#define CONFIG_LWNET_TCP_SYN_COOKIES 1
#endif
// RFC 7323 timestamps (offered by default, TcpSettings::timestamps): 0
// never offers or takes them, as lwIP without LWIP_TCP_TIMESTAMPS.
#ifndef CONFIG_LWNET_TCP_TIMESTAMPS
#define CONFIG_LWNET_TCP_TIMESTAMPS 1
#endif
// CUBIC (RFC 9438) as a per-connection choice (TcpSettings::congestion): 0
// makes every connection NewReno, lwIP's only algorithm.
#ifndef CONFIG_LWNET_TCP_CUBIC
#define CONFIG_LWNET_TCP_CUBIC 1
#endif
// Initial sequence numbers as RFC 6528 has them: a keyed hash (SipHash) of
// the 4-tuple plus a 4-microsecond clock, so that successive connections
// of one 4-tuple start above each other. 0 takes a fresh random number for
// each connection instead: as unpredictable, without the hash's code (lwIP
// counts up from its tick counter).
#ifndef CONFIG_LWNET_TCP_ISN_RFC6528
#define CONFIG_LWNET_TCP_ISN_RFC6528 1
#endif
// The stack's randomness (ephemeral ports, DHCP xids, DNS ids and ports,
// the key of the ISN hash) as a keyed pseudo-random function: SipHash-2-4
// of a counter under a key drawn from the seed. Values seen on the wire
// (DHCP xids are broadcast to the whole link) then tell an attacker
// nothing about the next DNS id or port (RFC 5452) or the ISN key, where
// a plain generator's whole state follows from two of its outputs. 0
// keeps the plain generator alone (SplitMix64: smaller and as uniform, as
// predictable as lwIP's LWIP_RAND when a port maps it to rand()).
#ifndef CONFIG_LWNET_RANDOM_KEYED
#define CONFIG_LWNET_RANDOM_KEYED 1
#endif
// Indexes over the TCP connections: hash buckets by 4-tuple and a heap of
// deadlines, so that finding a segment's connection, next_deadline() and
// the timers cost O(1) and O(log n) at any number of connections (10,000
// idle ones cost nothing per poll). 0 scans every slot instead, as lwIP
// walks its PCB lists: less code, and as fast for a table of a few
// connections.
#ifndef CONFIG_LWNET_TCP_CONNECTION_INDEX
#define CONFIG_LWNET_TCP_CONNECTION_INDEX 1
#endif
// Window scaling (RFC 7323) and SACK blocks on output (RFC 2018) are built
// in and switched per connection or listener (TcpSettings::window_scaling,
// ::sack_out), CONFIG_LWIP_WND_SCALE and CONFIG_LWIP_TCP_SACK_OUT giving
// only their defaults. 0 makes those two decide at compile time, as in
// lwIP: what they leave off is compiled out and its switch does nothing.
#ifndef CONFIG_LWNET_TCP_RUNTIME_OPTIONS
#define CONFIG_LWNET_TCP_RUNTIME_OPTIONS 1
#endif
// IPv4 path MTU discovery (RFC 1191): TCP sets DF and a Fragmentation
// Needed lowers the path's MTU. 0 sends everything without DF and ignores
// Fragmentation Needed, as lwIP (IPv6 keeps its path MTUs: RFC 8201 is not
// optional there).
#ifndef CONFIG_LWNET_IP4_PATH_MTU_DISCOVERY
#define CONFIG_LWNET_IP4_PATH_MTU_DISCOVERY 1
#endif
// ICMP errors passed up to the transports (port unreachable gives a
// connected UDP socket ECONNREFUSED, parameter problem EPROTO, as on Linux;
// TCP records soft errors and gives up a connection attempt refused so). 0
// counts such errors in icmp.rx and goes no further, as lwIP.
#ifndef CONFIG_LWNET_ICMP_ERRORS_TO_TRANSPORTS
#define CONFIG_LWNET_ICMP_ERRORS_TO_TRANSPORTS 1
#endif
// Device offloads (DeviceCapabilities): TCP segmentation offload on output
// and receive offload (GSO super-frames from a TAP with a virtio-net
// header). 0 treats every device as one without them: segments of one MSS
// out, every frame taken with Device::receive().
#ifndef CONFIG_LWNET_DEVICE_OFFLOAD
#define CONFIG_LWNET_DEVICE_OFFLOAD 1
#endif
// lwIP's TCP_KEEPIDLE_DEFAULT / TCP_KEEPINTVL_DEFAULT / TCP_KEEPCNT_DEFAULT.
#ifndef CONFIG_LWNET_TCP_KEEPIDLE_MS
#define CONFIG_LWNET_TCP_KEEPIDLE_MS 7200000
#endif
#ifndef CONFIG_LWNET_TCP_KEEPINTVL_MS
#define CONFIG_LWNET_TCP_KEEPINTVL_MS 75000
#endif
#ifndef CONFIG_LWNET_TCP_KEEPCNT
#define CONFIG_LWNET_TCP_KEEPCNT 9
#endif
// Longest an ACK for received data is held back (RFC 1122: under 500 ms);
// every second full-sized segment is ACKed at once regardless.
#ifndef CONFIG_LWNET_TCP_DELAYED_ACK_MS
#define CONFIG_LWNET_TCP_DELAYED_ACK_MS 40
#endif
// Compile-time caps of the per-connection buffers that SO_SNDBUF/SO_RCVBUF
// may raise to at run time (memory is reserved for the caps).
#ifndef CONFIG_LWNET_TCP_SND_BUF_MAX
#define CONFIG_LWNET_TCP_SND_BUF_MAX CONFIG_LWIP_TCP_SND_BUF_DEFAULT
#endif
#ifndef CONFIG_LWNET_TCP_WND_MAX
#define CONFIG_LWNET_TCP_WND_MAX CONFIG_LWIP_TCP_WND_DEFAULT
#endif
// Zero-copy writes (caller's memory referenced until acknowledged) a
// connection may hold at once; each costs 32 bytes in every connection.
#ifndef CONFIG_LWNET_TCP_ZERO_COPY_WRITES
#define CONFIG_LWNET_TCP_ZERO_COPY_WRITES 4
#endif

// ---- Buffers (lwnet's own; lwIP's PBUF_POOL_SIZE / PBUF_POOL_BUFSIZE) -------
// Frames: one Ethernet frame plus headroom each.
#ifndef CONFIG_LWNET_FRAME_POOL_SIZE
#define CONFIG_LWNET_FRAME_POOL_SIZE 64
#endif
#ifndef CONFIG_LWNET_FRAME_BUFFER_SIZE
#define CONFIG_LWNET_FRAME_BUFFER_SIZE 2048
#endif
// Large buffers hold one whole IP datagram (reassembled input, or output to
// be fragmented).
#ifndef CONFIG_LWNET_LARGE_POOL_SIZE
#define CONFIG_LWNET_LARGE_POOL_SIZE 2
#endif
#ifndef CONFIG_LWNET_LARGE_BUFFER_SIZE
#define CONFIG_LWNET_LARGE_BUFFER_SIZE 65664
#endif
#ifndef CONFIG_LWNET_MAX_NETIFS
#define CONFIG_LWNET_MAX_NETIFS 4
#endif
#ifndef CONFIG_LWNET_REASS_MAX_DATAGRAMS
#define CONFIG_LWNET_REASS_MAX_DATAGRAMS 4
#endif
#ifndef CONFIG_LWNET_REASS_TIMEOUT_SECONDS
#define CONFIG_LWNET_REASS_TIMEOUT_SECONDS 15
#endif

// ---- DNS resolver (apps/dns_resolver.h) --------------------------------------
// Server slots: 0 main, 1 backup, the last one the fallback when
// CONFIG_LWIP_FALLBACK_DNS_SERVER_SUPPORT is on (DHCP never overwrites it).
#ifndef CONFIG_LWIP_DNS_MAX_SERVERS
#define CONFIG_LWIP_DNS_MAX_SERVERS 3
#endif
#ifndef CONFIG_LWIP_FALLBACK_DNS_SERVER_SUPPORT
#define CONFIG_LWIP_FALLBACK_DNS_SERVER_SUPPORT 0
#endif
#ifndef CONFIG_LWIP_FALLBACK_DNS_SERVER_ADDRESS
#define CONFIG_LWIP_FALLBACK_DNS_SERVER_ADDRESS "114.114.114.114"
#endif
// Addresses one lookup gives at most (lwIP's DNS_MAX_HOST_IP).
#ifndef CONFIG_LWIP_DNS_MAX_HOST_IP
#define CONFIG_LWIP_DNS_MAX_HOST_IP 1
#endif
// "name.local" by a one-shot mDNS query (RFC 6762 5.1) instead of the servers.
#ifndef CONFIG_LWIP_DNS_SUPPORT_MDNS_QUERIES
#define CONFIG_LWIP_DNS_SUPPORT_MDNS_QUERIES 1
#endif
// Queries in flight at once (lwIP's DNS_TABLE_SIZE), and lookups waiting on
// them (several callers asking for one name share a query).
#ifndef CONFIG_LWNET_DNS_TABLE_SIZE
#define CONFIG_LWNET_DNS_TABLE_SIZE 4
#endif
#ifndef CONFIG_LWNET_DNS_MAX_REQUESTS
#define CONFIG_LWNET_DNS_MAX_REQUESTS 8
#endif
// Answers kept until their TTL runs out, clamped to [MIN_TTL, MAX_TTL]
// seconds (lwIP's DNS_MAX_TTL is one week); a TTL of 0 after clamping is
// not cached.
#ifndef CONFIG_LWNET_DNS_CACHE_SIZE
#define CONFIG_LWNET_DNS_CACHE_SIZE 4
#endif
#ifndef CONFIG_LWNET_DNS_MIN_TTL
#define CONFIG_LWNET_DNS_MIN_TTL 0
#endif
#ifndef CONFIG_LWNET_DNS_MAX_TTL
#define CONFIG_LWNET_DNS_MAX_TTL 604800
#endif
// Tries per server (lwIP's DNS_MAX_RETRIES) and the time unit between them
// (lwIP's DNS_TMR_INTERVAL): try n waits max(1, n) units for its answer.
#ifndef CONFIG_LWNET_DNS_MAX_RETRIES
#define CONFIG_LWNET_DNS_MAX_RETRIES 4
#endif
#ifndef CONFIG_LWNET_DNS_TMR_INTERVAL_MS
#define CONFIG_LWNET_DNS_TMR_INTERVAL_MS 1000
#endif

namespace lwnet::config {

inline constexpr bool ipv4 = CONFIG_LWIP_IPV4 != 0;
inline constexpr bool ipv6 = CONFIG_LWIP_IPV6 != 0;
inline constexpr std::size_t ipv6_num_addresses = CONFIG_LWIP_IPV6_NUM_ADDRESSES;
inline constexpr std::size_t ipv6_nd6_num_neighbors = CONFIG_LWIP_IPV6_ND6_NUM_NEIGHBORS;
inline constexpr std::size_t ipv6_nd6_queue = CONFIG_LWIP_IPV6_MEMP_NUM_ND6_QUEUE;
inline constexpr std::uint8_t ipv6_dup_detect_attempts = CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS;
inline constexpr std::size_t ipv6_nd6_num_routers = CONFIG_LWIP_IPV6_ND6_NUM_ROUTERS;
inline constexpr std::size_t ipv6_nd6_num_prefixes = CONFIG_LWIP_IPV6_ND6_NUM_PREFIXES;
inline constexpr bool ipv6_nd6_route_info_option_support =
    CONFIG_LWIP_IPV6_ND6_ROUTE_INFO_OPTION_SUPPORT != 0;
inline constexpr std::size_t ipv6_nd6_num_route_info = CONFIG_LWIP_IPV6_ND6_NUM_ROUTE_INFO;
inline constexpr bool force_router_forwarding = CONFIG_LWIP_FORCE_ROUTER_FORWARDING != 0;
inline constexpr bool ipv6_autoconfig = CONFIG_LWIP_IPV6_AUTOCONFIG != 0;
inline constexpr std::size_t ipv6_rdnss_max_dns_servers = CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS;
// The size of an IPv6 table (addresses, neighbor cache, router list,
// reassembly, MLD groups...) whose option says `n`: nothing when IPv6 is
// compiled out (CONFIG_LWIP_IPV6=0), so that an IPv4-only build holds no
// IPv6 state.
inline constexpr std::size_t ipv6_slots(std::size_t n) { return ipv6 ? n : 0; }
// The same for an IPv4 table (ARP cache, reassembly, IGMP groups): nothing
// in an IPv6-only build (CONFIG_LWIP_IPV4=0).
inline constexpr std::size_t ipv4_slots(std::size_t n) { return ipv4 ? n : 0; }
inline constexpr bool ipv6_dhcp6 = CONFIG_LWIP_IPV6_DHCP6 != 0;
inline constexpr std::uint8_t ip_default_ttl = CONFIG_LWIP_IP_DEFAULT_TTL;
inline constexpr bool ip4_frag = CONFIG_LWIP_IP4_FRAG != 0;
inline constexpr bool ip4_reassembly = CONFIG_LWIP_IP4_REASSEMBLY != 0;
inline constexpr std::size_t ip_reass_max_pbufs = CONFIG_LWIP_IP_REASS_MAX_PBUFS;
inline constexpr bool ip6_reassembly = CONFIG_LWIP_IP6_REASSEMBLY != 0;
inline constexpr std::uint32_t ip6_reass_timeout_seconds = CONFIG_LWNET_IP6_REASS_TIMEOUT_SECONDS;
inline constexpr bool ip6_frag = CONFIG_LWIP_IP6_FRAG != 0;
inline constexpr std::size_t ipv6_nd6_num_destinations = CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS;
inline constexpr bool netif_loopback = CONFIG_LWIP_NETIF_LOOPBACK != 0;
inline constexpr std::size_t loopback_max_pbufs = CONFIG_LWIP_LOOPBACK_MAX_PBUFS;
inline constexpr bool netif_status_callback = CONFIG_LWIP_NETIF_STATUS_CALLBACK != 0;
inline constexpr bool netif_link_callback = CONFIG_LWIP_NETIF_LINK_CALLBACK != 0;

inline constexpr bool esp_gratuitous_arp = CONFIG_LWIP_ESP_GRATUITOUS_ARP != 0;
inline constexpr std::uint32_t garp_tmr_interval_seconds = CONFIG_LWIP_GARP_TMR_INTERVAL;
inline constexpr std::size_t arp_table_size = CONFIG_LWNET_ARP_TABLE_SIZE;
inline constexpr std::uint32_t arp_maxage_seconds = CONFIG_LWNET_ARP_MAXAGE_SECONDS;
inline constexpr std::size_t arp_queue_len = CONFIG_LWNET_ARP_QUEUE_LEN;
inline constexpr bool stats = CONFIG_LWNET_STATS != 0;
inline constexpr unsigned stats_counter_bits = CONFIG_LWNET_STATS_COUNTER_BITS;
static_assert(stats_counter_bits == 32 || stats_counter_bits == 64, "CONFIG_LWNET_STATS_COUNTER_BITS is 32 or 64");

inline constexpr bool icmp = CONFIG_LWIP_ICMP != 0;
inline constexpr bool broadcast_ping = CONFIG_LWIP_BROADCAST_PING != 0;
inline constexpr bool multicast_ping = CONFIG_LWIP_MULTICAST_PING != 0;
inline constexpr bool checksum_check_ip = CONFIG_LWIP_CHECKSUM_CHECK_IP != 0;
inline constexpr bool checksum_check_udp = CONFIG_LWIP_CHECKSUM_CHECK_UDP != 0;
inline constexpr bool checksum_check_icmp = CONFIG_LWIP_CHECKSUM_CHECK_ICMP != 0;
inline constexpr std::uint32_t icmp_errors_per_second = CONFIG_LWNET_ICMP_ERRORS_PER_SECOND;

inline constexpr std::size_t max_udp_pcbs = CONFIG_LWIP_MAX_UDP_PCBS;
inline constexpr std::size_t udp_recvmbox_size = CONFIG_LWIP_UDP_RECVMBOX_SIZE;
inline constexpr std::size_t max_raw_pcbs = CONFIG_LWIP_MAX_RAW_PCBS;
inline constexpr bool so_reuse = CONFIG_LWIP_SO_REUSE != 0;
inline constexpr bool so_reuse_rxtoall = CONFIG_LWIP_SO_REUSE_RXTOALL != 0;
inline constexpr std::size_t igmp_max_groups = CONFIG_LWNET_IGMP_MAX_GROUPS;
inline constexpr bool igmp = ipv4 && CONFIG_LWNET_IGMP != 0;
inline constexpr std::size_t mld6_max_groups = CONFIG_LWNET_MLD6_MAX_GROUPS;
inline constexpr bool esp_mldv6_report = CONFIG_LWIP_ESP_MLDV6_REPORT != 0;
inline constexpr std::uint32_t mldv6_tmr_interval_seconds = CONFIG_LWIP_MLDV6_TMR_INTERVAL;
inline constexpr std::size_t max_stack_apps = CONFIG_LWNET_MAX_STACK_APPS;
inline constexpr bool netbuf_recvinfo = CONFIG_LWIP_NETBUF_RECVINFO != 0;
inline constexpr bool so_rcvbuf = CONFIG_LWIP_SO_RCVBUF != 0;
inline constexpr std::size_t max_sockets = CONFIG_LWIP_MAX_SOCKETS;
inline constexpr std::size_t tcp_recvmbox_size = CONFIG_LWIP_TCP_RECVMBOX_SIZE;
inline constexpr std::size_t tcpip_recvmbox_size = CONFIG_LWIP_TCPIP_RECVMBOX_SIZE;
inline constexpr std::size_t tcpip_task_stack_size = CONFIG_LWIP_TCPIP_TASK_STACK_SIZE;
inline constexpr int tcpip_task_prio = CONFIG_LWIP_TCPIP_TASK_PRIO;
inline constexpr int tcpip_task_affinity = CONFIG_LWIP_TCPIP_TASK_AFFINITY;
inline constexpr bool tcpip_core_locking = CONFIG_LWIP_TCPIP_CORE_LOCKING != 0;
inline constexpr bool tcpip_core_locking_input = CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT != 0;
inline constexpr std::uint32_t tcpip_spin_us = CONFIG_LWNET_TCPIP_SPIN_US;
inline constexpr bool check_thread_safety = CONFIG_LWIP_CHECK_THREAD_SAFETY != 0;
inline constexpr bool esp_lwip_assert = CONFIG_LWIP_ESP_LWIP_ASSERT != 0;

inline constexpr std::uint16_t tcp_mss = CONFIG_LWIP_TCP_MSS;
inline constexpr std::size_t tcp_snd_buf_default = CONFIG_LWIP_TCP_SND_BUF_DEFAULT;
inline constexpr std::size_t tcp_wnd_default = CONFIG_LWIP_TCP_WND_DEFAULT;
inline constexpr std::size_t max_active_tcp = CONFIG_LWIP_MAX_ACTIVE_TCP;
inline constexpr std::size_t max_listening_tcp = CONFIG_LWIP_MAX_LISTENING_TCP;
inline constexpr std::size_t tcp_buffered_connections = CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS;
inline constexpr std::uint32_t tcp_msl_ms = CONFIG_LWIP_TCP_MSL;
inline constexpr std::uint32_t tcp_fin_wait_timeout_ms = CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT;

inline constexpr bool tcp_high_speed_retransmission = CONFIG_LWIP_TCP_HIGH_SPEED_RETRANSMISSION != 0;
inline constexpr std::uint8_t tcp_maxrtx = CONFIG_LWIP_TCP_MAXRTX;
inline constexpr std::uint8_t tcp_synmaxrtx = CONFIG_LWIP_TCP_SYNMAXRTX;
inline constexpr std::uint32_t tcp_rto_time_ms = CONFIG_LWIP_TCP_RTO_TIME;
inline constexpr bool tcp_queue_ooseq = CONFIG_LWIP_TCP_QUEUE_OOSEQ != 0;
inline constexpr std::uint32_t tcp_ooseq_timeout_rtos = CONFIG_LWIP_TCP_OOSEQ_TIMEOUT;
// 0 means "no cap" in ESP-IDF; lwnet keeps ranges in a fixed array, so 0
// becomes 8 ranges (plenty: each range may hold any number of segments).
inline constexpr std::size_t tcp_ooseq_max_ranges =
    CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS == 0 ? 8 : CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS;
inline constexpr bool tcp_sack_out = CONFIG_LWIP_TCP_SACK_OUT != 0;
inline constexpr bool wnd_scale = CONFIG_LWIP_WND_SCALE != 0;
inline constexpr bool tcp_runtime_options = CONFIG_LWNET_TCP_RUNTIME_OPTIONS != 0;
// Whether the code is there (TcpSettings may still switch it off).
inline constexpr bool tcp_window_scaling_built = wnd_scale || tcp_runtime_options;
inline constexpr bool tcp_sack_out_built = tcp_sack_out || tcp_runtime_options;
inline constexpr std::uint8_t tcp_rcv_scale = CONFIG_LWIP_TCP_RCV_SCALE;
inline constexpr std::size_t tcp_acceptmbox_size = CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE;
inline constexpr bool tcp_sack_in = CONFIG_LWNET_TCP_SACK_IN != 0;
inline constexpr bool tcp_syn_cookies = CONFIG_LWNET_TCP_SYN_COOKIES != 0;
inline constexpr bool tcp_cubic = CONFIG_LWNET_TCP_CUBIC != 0;
inline constexpr bool tcp_timestamps = CONFIG_LWNET_TCP_TIMESTAMPS != 0;
inline constexpr bool device_offload = CONFIG_LWNET_DEVICE_OFFLOAD != 0;
inline constexpr bool tcp_isn_rfc6528 = CONFIG_LWNET_TCP_ISN_RFC6528 != 0;
inline constexpr bool random_keyed = CONFIG_LWNET_RANDOM_KEYED != 0;
inline constexpr bool tcp_connection_index = CONFIG_LWNET_TCP_CONNECTION_INDEX != 0;
inline constexpr bool ip4_path_mtu_discovery = ipv4 && CONFIG_LWNET_IP4_PATH_MTU_DISCOVERY != 0;
// The path MTU table: IPv6 always needs it, IPv4 only for its discovery.
inline constexpr bool path_mtu_table = ipv6 || ip4_path_mtu_discovery;
inline constexpr bool icmp_errors_to_transports = CONFIG_LWNET_ICMP_ERRORS_TO_TRANSPORTS != 0;
inline constexpr std::uint32_t tcp_keepidle_ms = CONFIG_LWNET_TCP_KEEPIDLE_MS;
inline constexpr std::uint32_t tcp_keepintvl_ms = CONFIG_LWNET_TCP_KEEPINTVL_MS;
inline constexpr std::uint32_t tcp_keepcnt = CONFIG_LWNET_TCP_KEEPCNT;
inline constexpr std::uint32_t tcp_delayed_ack_ms = CONFIG_LWNET_TCP_DELAYED_ACK_MS;
inline constexpr std::size_t tcp_snd_buf_max = CONFIG_LWNET_TCP_SND_BUF_MAX;
inline constexpr std::size_t tcp_wnd_max = CONFIG_LWNET_TCP_WND_MAX;
inline constexpr std::size_t tcp_zero_copy_writes = CONFIG_LWNET_TCP_ZERO_COPY_WRITES;

inline constexpr std::size_t frame_pool_size = CONFIG_LWNET_FRAME_POOL_SIZE;
inline constexpr std::size_t frame_buffer_size = CONFIG_LWNET_FRAME_BUFFER_SIZE;
inline constexpr std::size_t large_pool_size = CONFIG_LWNET_LARGE_POOL_SIZE;
inline constexpr std::size_t large_buffer_size = CONFIG_LWNET_LARGE_BUFFER_SIZE;
inline constexpr std::size_t max_netifs = CONFIG_LWNET_MAX_NETIFS;
inline constexpr std::size_t reass_max_datagrams = CONFIG_LWNET_REASS_MAX_DATAGRAMS;
inline constexpr std::uint32_t reass_timeout_seconds = CONFIG_LWNET_REASS_TIMEOUT_SECONDS;

// Room in front of every buffer for the headers pushed on output:
// Ethernet (14) + IPv6 (40) + IPv6 fragment (8) + TCP with options (60), rounded up.
inline constexpr std::size_t headroom = 128;
inline constexpr std::size_t max_ethernet_frame = 1514;

// ---- Relations (lwIP's init.c checks, as compile errors) --------------------
static_assert(ipv4 || ipv6, "at least one of CONFIG_LWIP_IPV4 and CONFIG_LWIP_IPV6 must be on");
static_assert(max_stack_apps <= 64, "CONFIG_LWNET_MAX_STACK_APPS is 0..64");
static_assert(igmp_max_groups >= 1 && igmp_max_groups <= 255, "CONFIG_LWNET_IGMP_MAX_GROUPS is 1..255");
static_assert(mld6_max_groups >= 1 && mld6_max_groups <= 255, "CONFIG_LWNET_MLD6_MAX_GROUPS is 1..255");
static_assert(igmp_max_groups + mld6_max_groups <= 255, "the IGMP and MLD groups share one table of up to 255");
static_assert(mldv6_tmr_interval_seconds >= 1 && mldv6_tmr_interval_seconds <= 86400,
              "CONFIG_LWIP_MLDV6_TMR_INTERVAL is 1..86400 seconds");
static_assert(CONFIG_LWIP_IP_DEFAULT_TTL >= 1 && CONFIG_LWIP_IP_DEFAULT_TTL <= 255,
              "CONFIG_LWIP_IP_DEFAULT_TTL is 1..255");
static_assert(ip_reass_max_pbufs >= 10 && ip_reass_max_pbufs <= 100,
              "CONFIG_LWIP_IP_REASS_MAX_PBUFS is 10..100");
static_assert(!ip4_reassembly || ip_reass_max_pbufs <= frame_pool_size,
              "reassembly may not hold more buffers than the frame pool has");
static_assert(!ip4_reassembly || large_pool_size >= 1,
              "reassembly needs at least one large buffer");
static_assert(!ip6_reassembly || ip_reass_max_pbufs <= frame_pool_size,
              "IPv6 reassembly may not hold more buffers than the frame pool has");
static_assert(!ip6_reassembly || large_pool_size >= 1,
              "IPv6 reassembly needs at least one large buffer");
static_assert(ip6_reass_timeout_seconds >= 1 && ip6_reass_timeout_seconds <= 60,
              "CONFIG_LWNET_IP6_REASS_TIMEOUT_SECONDS is 1..60 (RFC 8200 4.5)");
static_assert(ipv6_nd6_num_destinations >= 1 && ipv6_nd6_num_destinations <= 64,
              "CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS is 1..64");
static_assert(ipv6_num_addresses >= 1 && ipv6_num_addresses <= 8,
              "CONFIG_LWIP_IPV6_NUM_ADDRESSES is 1..8 (the link-local address takes one)");
static_assert(ipv6_nd6_num_neighbors >= 3 && ipv6_nd6_num_neighbors <= 10,
              "CONFIG_LWIP_IPV6_ND6_NUM_NEIGHBORS is 3..10");
static_assert(ipv6_nd6_queue >= 3 && ipv6_nd6_queue <= 20, "CONFIG_LWIP_IPV6_MEMP_NUM_ND6_QUEUE is 3..20");
static_assert(CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS >= 0 && CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS <= 7,
              "CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS is 0..7");
static_assert(ipv6_nd6_num_routers >= 1 && ipv6_nd6_num_routers <= 16,
              "CONFIG_LWIP_IPV6_ND6_NUM_ROUTERS is 1..16");
static_assert(ipv6_nd6_num_prefixes >= 1 && ipv6_nd6_num_prefixes <= 32,
              "CONFIG_LWIP_IPV6_ND6_NUM_PREFIXES is 1..32");
static_assert(ipv6_nd6_num_route_info >= 1 && ipv6_nd6_num_route_info <= 64,
              "CONFIG_LWIP_IPV6_ND6_NUM_ROUTE_INFO is 1..64");
static_assert(ipv6_rdnss_max_dns_servers <= 8, "CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS is 0..8");
static_assert(loopback_max_pbufs <= 16, "CONFIG_LWIP_LOOPBACK_MAX_PBUFS is 0..16");
static_assert(tcp_buffered_connections >= 1 && tcp_buffered_connections <= max_active_tcp,
              "CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS is 1..CONFIG_LWIP_MAX_ACTIVE_TCP");
static_assert(tcp_mss >= 536 && tcp_mss <= 1460, "CONFIG_LWIP_TCP_MSS is 536..1460");
static_assert(frame_buffer_size >= headroom + max_ethernet_frame,
              "a frame buffer must hold headroom plus one Ethernet frame");
static_assert(large_buffer_size >= headroom + 65535,
              "a large buffer must hold a whole IP datagram");
static_assert(udp_recvmbox_size >= 1, "CONFIG_LWIP_UDP_RECVMBOX_SIZE must be at least 1");
static_assert(tcp_recvmbox_size >= 1, "CONFIG_LWIP_TCP_RECVMBOX_SIZE must be at least 1");
static_assert(tcpip_spin_us <= 10000, "CONFIG_LWNET_TCPIP_SPIN_US is 0..10000 (10 ms)");
static_assert(tcpip_recvmbox_size >= 6 && tcpip_recvmbox_size <= 1024,
              "CONFIG_LWIP_TCPIP_RECVMBOX_SIZE is 6..1024");
static_assert(tcpip_task_stack_size >= 2048 && tcpip_task_stack_size <= 65536,
              "CONFIG_LWIP_TCPIP_TASK_STACK_SIZE is 2048..65536 bytes");
static_assert(tcpip_task_prio >= 1 && tcpip_task_prio <= 24, "CONFIG_LWIP_TCPIP_TASK_PRIO is 1..24");
static_assert(tcpip_task_affinity >= -1 && tcpip_task_affinity <= 1023,
              "CONFIG_LWIP_TCPIP_TASK_AFFINITY is -1 (no affinity) or a CPU number");
static_assert(!tcpip_core_locking_input || tcpip_core_locking,
              "CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT needs CONFIG_LWIP_TCPIP_CORE_LOCKING");
static_assert(max_udp_pcbs >= 1 && max_udp_pcbs <= 1024, "CONFIG_LWIP_MAX_UDP_PCBS is 1..1024");
static_assert(max_netifs >= 2, "room for the loopback netif and one device");
static_assert(garp_tmr_interval_seconds >= 1, "CONFIG_LWIP_GARP_TMR_INTERVAL must be positive");
static_assert(arp_table_size >= 1 && arp_queue_len >= 1, "ARP needs a table and a queue");
static_assert(tcp_snd_buf_default >= 2U * tcp_mss, "TCP send buffer must hold two segments");
static_assert(tcp_wnd_default >= 2U * tcp_mss, "TCP window must hold two segments");

static_assert(tcp_maxrtx >= 3 && tcp_maxrtx <= 12, "CONFIG_LWIP_TCP_MAXRTX is 3..12");
static_assert(tcp_synmaxrtx >= 3 && tcp_synmaxrtx <= 12, "CONFIG_LWIP_TCP_SYNMAXRTX is 3..12");
static_assert(tcp_ooseq_timeout_rtos >= 1 && tcp_ooseq_timeout_rtos <= 30,
              "CONFIG_LWIP_TCP_OOSEQ_TIMEOUT is 1..30");
static_assert(CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS >= 0 && CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS <= 12,
              "CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS is 0..12");
static_assert(tcp_rcv_scale <= 14, "CONFIG_LWIP_TCP_RCV_SCALE is 0..14");
static_assert(wnd_scale || tcp_wnd_max <= 65535,
              "a receive window over 65535 needs CONFIG_LWIP_WND_SCALE");
static_assert(tcp_zero_copy_writes >= 1 && tcp_zero_copy_writes <= 64,
              "CONFIG_LWNET_TCP_ZERO_COPY_WRITES must be 1..64");
static_assert(tcp_snd_buf_max >= tcp_snd_buf_default && tcp_wnd_max >= tcp_wnd_default,
              "the buffer caps must hold the defaults");
static_assert(tcp_acceptmbox_size >= 1, "CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE must be at least 1");

}  // namespace lwnet::config

// The applications' options (SNTP, DHCP, AutoIP): their own header, read here.
#include "config/options_apps.h"
