// The Cortex-M size check's "lwIP's sizes" configuration (tests/size/run.sh):
// lwnet built with the sizes of lwIP 2.1's opt.h defaults, the configuration
// issue 12's lwIP figures (19,510 bytes of text, 34,516 of RAM) were taken
// with, so that the RAM columns compare like with like:
//   MEMP_NUM_TCP_PCB 5, MEMP_NUM_TCP_PCB_LISTEN 8, MEMP_NUM_UDP_PCB 4,
//   MEMP_NUM_RAW_PCB 4, ARP_TABLE_SIZE 10, TCP_MSS 536, TCP_WND 4 x MSS,
//   TCP_SND_BUF 2 x MSS, PBUF_POOL_SIZE 16 x 592 bytes.
// lwIP's pool holds 16 pbufs of 592 bytes (9,472 bytes) that chain into
// frames; lwnet's frames are contiguous (headroom + a full Ethernet frame),
// so the same bytes are 6 frame buffers of 1,664. lwIP's opt.h also has IP
// reassembly on, out of those pbufs; lwnet's reassembly needs one 64 KiB
// buffer, so it is off here, and so is the large pool (sending a UDP
// datagram larger than the MTU then fails with ENOMEM instead of being
// fragmented).
// What lwIP's opt.h leaves out is compiled out here too, each through the
// option that matches lwIP's: no IGMP (LWIP_IGMP 0: CONFIG_LWNET_IGMP 0), no
// loopback queue (LWIP_NETIF_LOOPBACK 0: CONFIG_LWIP_NETIF_LOOPBACK 0), one
// packet waiting per ARP entry (ARP_QUEUEING 0: CONFIG_LWNET_ARP_QUEUE_LEN 1),
// no SO_REUSEADDR (SO_REUSE 0: CONFIG_LWIP_SO_REUSE 0, _RXTOALL 0);
// and lwnet's TCP extras lwIP has no counterpart for: SACK input
// (CONFIG_LWNET_TCP_SACK_IN), SYN cookies (CONFIG_LWNET_TCP_SYN_COOKIES),
// CUBIC (CONFIG_LWNET_TCP_CUBIC), timestamps (LWIP_TCP_TIMESTAMPS 0:
// CONFIG_LWNET_TCP_TIMESTAMPS 0), device offloads (CONFIG_LWNET_DEVICE_OFFLOAD),
// IPv4 path MTU discovery (CONFIG_LWNET_IP4_PATH_MTU_DISCOVERY), ICMP errors
// passed up to UDP and TCP (CONFIG_LWNET_ICMP_ERRORS_TO_TRANSPORTS), RFC
// 6528's hashed initial sequence numbers (CONFIG_LWNET_TCP_ISN_RFC6528: a
// random one instead; lwIP counts up from its tick counter), the keyed
// generator behind ports and ids (CONFIG_LWNET_RANDOM_KEYED: lwIP's
// LWIP_RAND is the port's, rand() in its Unix port), and the
// connection indexes (CONFIG_LWNET_TCP_CONNECTION_INDEX: hash buckets and a
// deadline heap; five connections are scanned, as lwIP walks its PCB
// lists). lwIP has no
// raw pcbs (LWIP_RAW 0: CONFIG_LWIP_MAX_RAW_PCBS 0, which leaves no ping
// sessions either; lwIP's ping is an application over raw pcbs, outside its
// figures, and the probe opens none: LWNET_SIZE_PROBE_PING 0), and no DHCP,
// DNS or SNTP (LWIP_DHCP 0, LWIP_DNS 0: CONFIG_LWNET_MAX_STACK_APPS 0).
// No statistics counters (CONFIG_LWNET_STATS 0), as lwIP's minimal
// configuration (LWIP_STATS 0); where they are on, 32 bits
// (CONFIG_LWNET_STATS_COUNTER_BITS 32; lwIP's STAT_COUNTER is 16 bits).
// lwIP's five PCBs hold no data of their own: what they send waits in its
// 1,600-byte heap (MEM_SIZE), what they receive in the pbuf pool above, so
// fewer than two connections can fill their send buffers at once. lwnet's
// rings are per connection, so four of the five slots get a pair (a
// connection in TIME-WAIT lends its pair to a new one):
// CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS 4, still twice the send buffers
// lwIP can hold.
#pragma once

#define CONFIG_LWIP_MAX_ACTIVE_TCP 5
#define CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS 4
#define CONFIG_LWIP_MAX_LISTENING_TCP 8
#define CONFIG_LWIP_MAX_UDP_PCBS 4
#define CONFIG_LWIP_MAX_RAW_PCBS 0
#define CONFIG_LWIP_MAX_SOCKETS 5
#define CONFIG_LWNET_ARP_TABLE_SIZE 10
#define CONFIG_LWIP_TCP_MSS 536
#define CONFIG_LWIP_TCP_WND_DEFAULT 2144
#define CONFIG_LWIP_TCP_SND_BUF_DEFAULT 1072
#define CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE 2
#define CONFIG_LWIP_UDP_RECVMBOX_SIZE 3
#define CONFIG_LWIP_TCP_RECVMBOX_SIZE 3
#define CONFIG_LWIP_IP4_REASSEMBLY 0
#define CONFIG_LWNET_FRAME_POOL_SIZE 6
#define CONFIG_LWNET_FRAME_BUFFER_SIZE 1664
#define CONFIG_LWNET_LARGE_POOL_SIZE 0
#define CONFIG_LWNET_IGMP 0
#define LWNET_SIZE_PROBE_PING 0
#define CONFIG_LWNET_ARP_QUEUE_LEN 1
#define CONFIG_LWIP_SO_REUSE 0
#define CONFIG_LWIP_SO_REUSE_RXTOALL 0
#define CONFIG_LWNET_TCP_SACK_IN 0
#define CONFIG_LWNET_TCP_SYN_COOKIES 0
#define CONFIG_LWNET_TCP_CUBIC 0
#define CONFIG_LWNET_TCP_TIMESTAMPS 0
#define CONFIG_LWNET_DEVICE_OFFLOAD 0
#define CONFIG_LWNET_IP4_PATH_MTU_DISCOVERY 0
#define CONFIG_LWNET_ICMP_ERRORS_TO_TRANSPORTS 0
#define CONFIG_LWNET_TCP_ISN_RFC6528 0
#define CONFIG_LWNET_RANDOM_KEYED 0
#define CONFIG_LWNET_TCP_CONNECTION_INDEX 0
#define CONFIG_LWNET_TCP_RUNTIME_OPTIONS 0
#define CONFIG_LWIP_NETIF_LOOPBACK 0
#define CONFIG_LWNET_MAX_NETIFS 2
#define CONFIG_LWNET_MAX_STACK_APPS 0
#define CONFIG_LWNET_TCP_ZERO_COPY_WRITES 1
#define CONFIG_LWNET_STATS_COUNTER_BITS 32
// The host build of this configuration (tests/config, lwnet_lwip_sizes_check)
// keeps the counters, as its checks read them; the minimum_ram preset's
// check runs a stack without them.
#ifndef CONFIG_LWNET_STATS
#define CONFIG_LWNET_STATS 0
#endif
