/* lwIP's <lwip/inet.h> on lwnet: struct in_addr & co. are the C library's;
 * inet_addr / inet_aton / inet_ntoa / inet_ntoa_r are lwIP's macros for
 * ipaddr_addr / ip4addr_aton / ip4addr_ntoa / ip4addr_ntoa_r (lwip/ip4_addr.h),
 * so they follow lwIP's rules: inet_aton takes a NULL address (validation
 * only), and inet_ntoa's buffer is per thread. Defining LWIP_COMPAT_SOCKETS
 * as 0 before this header leaves the C library's functions in place. Also
 * lwIP's inet_addr_from_ip4addr / inet_addr_to_ip4addr.
 *
 * Missing: inet6_addr_from_ip6addr / inet6_addr_to_ip6addr.
 *
 * Threads: any. */
#ifndef LWNET_LWIP_INET_H
#define LWNET_LWIP_INET_H

/* The C library's declarations come first, so that a later #include of
 * them does not meet the macros below. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "lwip/ip_addr.h"

#define inet_addr_from_ip4addr(target_inaddr, source_ipaddr) \
  ((target_inaddr)->s_addr = ip4_addr_get_u32(source_ipaddr))
#define inet_addr_to_ip4addr(target_ipaddr, source_inaddr) \
  (ip4_addr_set_u32(target_ipaddr, (source_inaddr)->s_addr))

#if !defined(LWIP_COMPAT_SOCKETS) || LWIP_COMPAT_SOCKETS != 0
#define inet_addr(cp) ipaddr_addr(cp)
#define inet_aton(cp, addr) ip4addr_aton(cp, (ip4_addr_t *)(addr))
#define inet_ntoa(addr) ip4addr_ntoa((const ip4_addr_t *)&(addr))
#define inet_ntoa_r(addr, buf, buflen) ip4addr_ntoa_r((const ip4_addr_t *)&(addr), buf, buflen)
#endif

#endif /* LWNET_LWIP_INET_H */
