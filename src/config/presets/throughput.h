// Preset "throughput": ESP-IDF's iperf example settings
// (examples/wifi/iperf/sdkconfig.defaults: 65534-byte windows and send
// buffers, mailboxes of 64), plus window scaling with 256 KiB caps so that
// SO_SNDBUF/SO_RCVBUF can go further on a fast link. Costs RAM: every TCP
// slot reserves its caps (see the README's memory table).
//
// Use: cmake -DLWNET_PRESET=throughput; or, in your own LWNET_USER_CONFIG
// header, define what you want different first, then include this file.
#pragma once

// Each value only where the build did not set it already (-DCONFIG_...).

#ifndef CONFIG_LWIP_TCP_SND_BUF_DEFAULT
#define CONFIG_LWIP_TCP_SND_BUF_DEFAULT 65534
#endif
#ifndef CONFIG_LWIP_TCP_WND_DEFAULT
#define CONFIG_LWIP_TCP_WND_DEFAULT 65534
#endif
#ifndef CONFIG_LWIP_TCP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCP_RECVMBOX_SIZE 64
#endif
#ifndef CONFIG_LWIP_UDP_RECVMBOX_SIZE
#define CONFIG_LWIP_UDP_RECVMBOX_SIZE 64
#endif
#ifndef CONFIG_LWIP_TCPIP_RECVMBOX_SIZE
#define CONFIG_LWIP_TCPIP_RECVMBOX_SIZE 64
#endif
#ifndef CONFIG_LWIP_WND_SCALE
#define CONFIG_LWIP_WND_SCALE 1
#endif
#ifndef CONFIG_LWNET_TCP_SND_BUF_MAX
#define CONFIG_LWNET_TCP_SND_BUF_MAX 262144
#endif
#ifndef CONFIG_LWNET_TCP_WND_MAX
#define CONFIG_LWNET_TCP_WND_MAX 262144
#endif
