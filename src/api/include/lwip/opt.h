/* lwIP's <lwip/opt.h> on lwnet. lwIP code includes it first for the LWIP_*
 * feature switches; lwnet's options are the CONFIG_LWIP_* settings of its
 * build (src/config/options.h, not installed), so this header only gives
 * the switches socket code tests with #if, with the values of the installed
 * library, and lwIP's integer types (lwip/arch.h).
 *
 * LWIP_IPV6 is 1, as in ESP-IDF: ip_addr_t is the dual-stack struct
 * (lwip/ip_addr.h). lwnet's sockets are IPv4 only so far, though:
 * socket(AF_INET6, ...) fails with EAFNOSUPPORT. */
#ifndef LWNET_LWIP_OPT_H
#define LWNET_LWIP_OPT_H

#include "lwip/arch.h"

#ifndef LWIP_SOCKET
#define LWIP_SOCKET 1
#endif
#ifndef LWIP_COMPAT_SOCKETS
#define LWIP_COMPAT_SOCKETS 1
#endif
#ifndef LWIP_POSIX_SOCKETS_IO_NAMES
#define LWIP_POSIX_SOCKETS_IO_NAMES 1
#endif
#ifndef LWIP_IPV4
#define LWIP_IPV4 1
#endif
#ifndef LWIP_IPV6
#define LWIP_IPV6 1
#endif
#ifndef LWIP_TCP
#define LWIP_TCP 1
#endif
#ifndef LWIP_UDP
#define LWIP_UDP 1
#endif
#ifndef LWIP_DNS
#define LWIP_DNS 0 /* getaddrinfo/gethostbyname: numeric and "localhost" only */
#endif
#ifndef LWIP_NETCONN
#define LWIP_NETCONN 0
#endif
#ifndef LWIP_RAW
#define LWIP_RAW 0
#endif
#ifndef NO_SYS
#define NO_SYS 0
#endif
#ifndef LWIP_SO_RCVTIMEO
#define LWIP_SO_RCVTIMEO 1
#endif
#ifndef LWIP_SO_SNDTIMEO
#define LWIP_SO_SNDTIMEO 1
#endif
#ifndef LWIP_SO_RCVBUF
#define LWIP_SO_RCVBUF 1
#endif
#ifndef SO_REUSE
#define SO_REUSE 1
#endif
#ifndef SO_REUSE_RXTOALL
#define SO_REUSE_RXTOALL 1
#endif
#ifndef LWIP_IGMP
#define LWIP_IGMP 1 /* IGMPv2, IP_ADD_MEMBERSHIP and the IP_MULTICAST_* options */
#endif
#ifndef LWIP_TCP_KEEPALIVE
#define LWIP_TCP_KEEPALIVE 1
#endif

#endif /* LWNET_LWIP_OPT_H */
