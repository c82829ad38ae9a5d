/* lwIP's <lwip/dns.h> on lwnet: the DNS servers, the cache and the
 * asynchronous lookup of the default TCP/IP thread's resolver
 * (apps/dns_resolver.h; the blocking calls are in lwip/netdb.h).
 *
 * dns_setserver(i, addr): slot 0 main, 1 backup, DNS_FALLBACK_SERVER_INDEX
 * the fallback (CONFIG_LWIP_FALLBACK_DNS_SERVER_SUPPORT); NULL or an any
 * address empties the slot; an index past DNS_MAX_SERVERS is ignored.
 * dns_getserver(i): the slot's address (ip_addr_any when empty or out of
 * range), in storage of the calling thread until its next call.
 * dns_clear_cache(): forgets every cached answer (esp-lwip's addition).
 * These three: any thread, before or after tcpip_init() (they start the
 * default TCP/IP thread when there is none). As in lwIP, servers stay set
 * until changed, also across lwnet_shutdown() and a new tcpip_init().
 *
 * dns_gethostbyname(_addrtype): as lwIP's, in core context only (on the
 * TCP/IP thread, e.g. from tcpip_callback, or under LOCK_TCPIP_CORE).
 * ERR_OK with *addr set when the answer is known now (numeric names,
 * localhost, the cache); ERR_INPROGRESS when `found(name, ipaddr, arg)`
 * will run later on the TCP/IP thread (ipaddr NULL on failure); ERR_ARG
 * for a NULL or invalid name, ERR_MEM when every query slot is taken,
 * ERR_VAL when no server is set (or the name is known not to exist).
 * lwnet_shutdown() calls the callbacks of the lookups still waiting with
 * a NULL ipaddr (a lookup asked from them then gets ERR_VAL).
 * addrtype: LWIP_DNS_ADDRTYPE_IPV4 (dns_gethostbyname's), _IPV6, and
 * _IPV4_IPV6 / _IPV6_IPV4 (the first family, then the other if it has no
 * address). */
#ifndef LWNET_LWIP_DNS_H
#define LWNET_LWIP_DNS_H

#include "lwip/err.h"
#include "lwip/ip_addr.h"

/* CONFIG_LWIP_DNS_MAX_SERVERS as the library was built with it (a build
 * with another value passes the same definition to its C code). */
#ifdef CONFIG_LWIP_DNS_MAX_SERVERS
#define DNS_MAX_SERVERS CONFIG_LWIP_DNS_MAX_SERVERS
#else
#define DNS_MAX_SERVERS 3
#endif
#define DNS_FALLBACK_SERVER_INDEX (DNS_MAX_SERVERS - 1)
#define DNS_MAX_NAME_LENGTH 256

#define LWIP_DNS_ADDRTYPE_IPV4 0
#define LWIP_DNS_ADDRTYPE_IPV6 1
#define LWIP_DNS_ADDRTYPE_IPV4_IPV6 2
#define LWIP_DNS_ADDRTYPE_IPV6_IPV4 3
#define LWIP_DNS_ADDRTYPE_DEFAULT LWIP_DNS_ADDRTYPE_IPV4

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*dns_found_callback)(const char *name, const ip_addr_t *ipaddr, void *callback_arg);

void dns_setserver(u8_t numdns, const ip_addr_t *dnsserver);
const ip_addr_t *dns_getserver(u8_t numdns);
void dns_clear_cache(void);
err_t dns_gethostbyname(const char *hostname, ip_addr_t *addr, dns_found_callback found,
                        void *callback_arg);
err_t dns_gethostbyname_addrtype(const char *hostname, ip_addr_t *addr, dns_found_callback found,
                                 void *callback_arg, u8_t dns_addrtype);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_DNS_H */
