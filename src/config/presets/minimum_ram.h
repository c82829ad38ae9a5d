// Preset "minimum RAM": the guide's "Minimum RAM Usage" advice applied.
// Fewer sockets and connection slots (TIME-WAIT slots recycle sooner),
// smaller mailboxes, shorter MSL and FIN_WAIT_2 timeout, two-segment
// windows, smaller frame pools, one zero-copy write per connection, and
// no statistics counters (CONFIG_LWNET_STATS 0: Stack::stats() reads 0,
// as lwIP without LWIP_STATS, ESP-IDF's default).
// Throughput drops accordingly: a window of 2 x MSS keeps at most two
// segments in flight.
//
// Use: cmake -DLWNET_PRESET=minimum_ram; or, in your own LWNET_USER_CONFIG
// header, define what you want different first, then include this file.
#pragma once

// Each value only where the build did not set it already (-DCONFIG_...).

#ifndef CONFIG_LWIP_MAX_SOCKETS
#define CONFIG_LWIP_MAX_SOCKETS 4
#endif
#ifndef CONFIG_LWIP_MAX_ACTIVE_TCP
#define CONFIG_LWIP_MAX_ACTIVE_TCP 4
#endif
#ifndef CONFIG_LWIP_MAX_LISTENING_TCP
#define CONFIG_LWIP_MAX_LISTENING_TCP 2
#endif
#ifndef CONFIG_LWIP_MAX_UDP_PCBS
#define CONFIG_LWIP_MAX_UDP_PCBS 4
#endif
#ifndef CONFIG_LWIP_TCP_SND_BUF_DEFAULT
#define CONFIG_LWIP_TCP_SND_BUF_DEFAULT 2880
#endif
#ifndef CONFIG_LWIP_TCP_WND_DEFAULT
#define CONFIG_LWIP_TCP_WND_DEFAULT 2880
#endif
#ifndef CONFIG_LWIP_TCP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCP_RECVMBOX_SIZE 3
#endif
#ifndef CONFIG_LWIP_UDP_RECVMBOX_SIZE
#define CONFIG_LWIP_UDP_RECVMBOX_SIZE 3
#endif
#ifndef CONFIG_LWIP_TCPIP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCPIP_RECVMBOX_SIZE 8
#endif
#ifndef CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE
#define CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE 2
#endif
#ifndef CONFIG_LWIP_TCP_MSL
#define CONFIG_LWIP_TCP_MSL 10000
#endif
#ifndef CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT
#define CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT 5000
#endif
#ifndef CONFIG_LWNET_FRAME_POOL_SIZE
#define CONFIG_LWNET_FRAME_POOL_SIZE 16
#endif
#ifndef CONFIG_LWNET_LARGE_POOL_SIZE
#define CONFIG_LWNET_LARGE_POOL_SIZE 1
#endif
#ifndef CONFIG_LWNET_TCP_ZERO_COPY_WRITES
#define CONFIG_LWNET_TCP_ZERO_COPY_WRITES 1
#endif
#ifndef CONFIG_LWNET_STATS
#define CONFIG_LWNET_STATS 0
#endif
