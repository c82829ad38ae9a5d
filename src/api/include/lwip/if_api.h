/* lwIP's <lwip/if_api.h> on lwnet: interface names and indexes, as the
 * socket options take them (IPV6_JOIN_GROUP's ipv6mr_interface,
 * IPV6_MULTICAST_IF, ip_mreqn's imr_ifindex, sin6_scope_id). An index is
 * lwnet's netif number plus one, as lwIP's netif_get_index(); the netif's
 * name is the one it was added with (the TAP's name for lwnet_tap_up(),
 * "lo" for the loopback netif). These are lwnet's indexes, not the OS's.
 *
 * Threads: any thread but the TCP/IP thread, once the TCP/IP thread runs
 * (tcpip_init() or lwnet_tap_up()). */
#ifndef LWNET_LWIP_IF_API_H
#define LWNET_LWIP_IF_API_H

/* Declared first, so that the macros below rename the C library's calls
 * and a later #include of it is a no-op. */
#include <net/if.h>

#ifndef IF_NAMESIZE
#define IF_NAMESIZE 16
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The index of the netif called `ifname`; 0 with errno ENODEV when none
 * is (or no TCP/IP thread runs), EINVAL for a null name. */
unsigned int lwip_if_nametoindex(const char *ifname);
/* Writes the name of netif `ifindex` (with its NUL, at most IF_NAMESIZE
 * bytes) into `ifname` and returns it; NULL with errno ENXIO when no netif
 * has that index (or no TCP/IP thread runs), EINVAL for a null buffer. */
char *lwip_if_indextoname(unsigned int ifindex, char *ifname);

#ifdef __cplusplus
}
#endif

#if !defined(LWIP_COMPAT_SOCKETS) || LWIP_COMPAT_SOCKETS != 0
#define if_nametoindex(ifname) lwip_if_nametoindex(ifname)
#define if_indextoname(ifindex, ifname) lwip_if_indextoname(ifindex, ifname)
#endif

#endif /* LWNET_LWIP_IF_API_H */
