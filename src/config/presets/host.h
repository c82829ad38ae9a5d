// Preset "host": lwnet as a program on a Linux host (the `lwnet` command,
// the README's demo and by-hand build, the bench), where memory is cheap and
// the peer is a multi-gigabit kernel over a TAP. ESP-IDF's defaults (5760-byte
// windows, 16 connections) are sized for a microcontroller; built with them,
// lwnet moves about 0.4x lwIP's throughput on the same TAP, because the
// window, not the CPU, is the limit.
//
// - IPv4 and IPv6 reassembly on: Linux `ping -s 4000` and large UDP datagrams work.
// - SACK sent as well as received, window scaling, 256 KiB windows and send
//   buffers (the caps equal the defaults: SO_RCVBUF/SO_SNDBUF can lower them).
// - MSS 1460: a full Ethernet frame of IPv4 TCP.
// - Limits sized for a host: 256 connections, 64 listeners, 64 UDP and raw
//   endpoints, 256 sockets, mailboxes of 64 (ESP-IDF's throughput example),
//   accept queues of 64 (Linux's somaxconn was 128 for years; 64 keeps the
//   accept queue array small).
// - Core locking (CONFIG_LWIP_TCPIP_CORE_LOCKING), as Debian's lwIP: a
//   socket call runs the stack code on the calling thread under the core
//   mutex instead of being a message to the TCP/IP thread (two thread
//   switches a call). ESP-IDF's default, message passing, is what a build
//   without this preset gets. In the bench, connections per second through
//   the sockets API were 8867 against 6544 (lwIP sockets: 5863).
// - Input under the core lock (CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT): a
//   blocking socket call waits on the devices itself and processes the input
//   that wakes it, so its event needs no hand-over from the TCP/IP thread.
// - The TCP/IP thread and socket callers spin 50 us before sleeping
//   (CONFIG_LWNET_TCPIP_SPIN_US): a 1-byte send costs 1.8 us instead of
//   17 us, at the price of that much CPU after each burst of work.
//
// Memory: every TCP slot reserves its two rings at the caps (512 KiB), but
// the rings are not zero-filled, so only what a connection touches becomes
// resident (see the README's memory table).
//
// Use: cmake -DLWNET_PRESET=host; or, in your own LWNET_USER_CONFIG header,
// define what you want different first, then include this file.
#pragma once

// Each value only where the build did not set it already (-DCONFIG_...).

#ifndef CONFIG_LWIP_IP4_REASSEMBLY
#define CONFIG_LWIP_IP4_REASSEMBLY 1
#endif
#ifndef CONFIG_LWIP_IP6_REASSEMBLY
#define CONFIG_LWIP_IP6_REASSEMBLY 1
#endif
#ifndef CONFIG_LWIP_TCP_SACK_OUT
#define CONFIG_LWIP_TCP_SACK_OUT 1
#endif
#ifndef CONFIG_LWIP_WND_SCALE
#define CONFIG_LWIP_WND_SCALE 1
#endif
// The scale offered is chosen for the window cap (at least this many bits).
#ifndef CONFIG_LWIP_TCP_RCV_SCALE
#define CONFIG_LWIP_TCP_RCV_SCALE 0
#endif
#ifndef CONFIG_LWIP_TCP_MSS
#define CONFIG_LWIP_TCP_MSS 1460
#endif
#ifndef CONFIG_LWIP_TCP_SND_BUF_DEFAULT
#define CONFIG_LWIP_TCP_SND_BUF_DEFAULT 262144
#endif
#ifndef CONFIG_LWIP_TCP_WND_DEFAULT
#define CONFIG_LWIP_TCP_WND_DEFAULT 262144
#endif
#ifndef CONFIG_LWNET_TCP_SND_BUF_MAX
#define CONFIG_LWNET_TCP_SND_BUF_MAX 262144
#endif
#ifndef CONFIG_LWNET_TCP_WND_MAX
#define CONFIG_LWNET_TCP_WND_MAX 262144
#endif
#ifndef CONFIG_LWIP_MAX_ACTIVE_TCP
#define CONFIG_LWIP_MAX_ACTIVE_TCP 256
#endif
#ifndef CONFIG_LWIP_MAX_LISTENING_TCP
#define CONFIG_LWIP_MAX_LISTENING_TCP 64
#endif
#ifndef CONFIG_LWIP_MAX_UDP_PCBS
#define CONFIG_LWIP_MAX_UDP_PCBS 64
#endif
#ifndef CONFIG_LWIP_MAX_RAW_PCBS
#define CONFIG_LWIP_MAX_RAW_PCBS 64
#endif
#ifndef CONFIG_LWIP_MAX_SOCKETS
#define CONFIG_LWIP_MAX_SOCKETS 256
#endif
#ifndef CONFIG_LWIP_TCP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCP_RECVMBOX_SIZE 64
#endif
#ifndef CONFIG_LWIP_UDP_RECVMBOX_SIZE
#define CONFIG_LWIP_UDP_RECVMBOX_SIZE 64
#endif
// A socket call answered within 50 us (the TCP/IP thread waiting for the
// next message, a caller for its answer) costs no sleep and wake-up.
#ifndef CONFIG_LWIP_TCPIP_CORE_LOCKING
#define CONFIG_LWIP_TCPIP_CORE_LOCKING 1
#endif
// Follows core locking, which it needs: a build of this preset with
// -DCONFIG_LWIP_TCPIP_CORE_LOCKING=0 (message passing) gets it off too.
#ifndef CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT
#define CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT CONFIG_LWIP_TCPIP_CORE_LOCKING
#endif
#ifndef CONFIG_LWNET_TCPIP_SPIN_US
#define CONFIG_LWNET_TCPIP_SPIN_US 50
#endif
#ifndef CONFIG_LWIP_TCPIP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCPIP_RECVMBOX_SIZE 64
#endif
#ifndef CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE
#define CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE 64
#endif
// IP_PKTINFO: a host's UDP servers (DNS, DHCP relays) want to know which
// address and interface a datagram came in on.
#ifndef CONFIG_LWIP_NETBUF_RECVINFO
#define CONFIG_LWIP_NETBUF_RECVINFO 1
#endif
// SO_RCVBUF on UDP sockets too, as Linux programs expect.
#ifndef CONFIG_LWIP_SO_RCVBUF
#define CONFIG_LWIP_SO_RCVBUF 1
#endif
// Up to two DNS servers from router advertisements (RDNSS), as Linux's
// resolv.conf takes them from radvd; ESP-IDF ships 0.
#ifndef CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS
#define CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS 2
#endif
