/* lwIP's <lwip/ip4_addr.h> on lwnet: ip4_addr_t (one u32_t `addr` in
 * network byte order, the layout of struct in_addr), its macros and the
 * text conversions ip4addr_aton / ip4addr_ntoa / ip4addr_ntoa_r /
 * ipaddr_addr.
 *
 * Missing: ip4_addr_isbroadcast / ip4_addr_isbroadcast_u32 (they need a
 * netif) and the debug-print macros.
 *
 * Threads: any; ip4addr_ntoa's buffer is per thread. */
#ifndef LWNET_LWIP_IP4_ADDR_H
#define LWNET_LWIP_IP4_ADDR_H

#include "lwip/arch.h"
#include "lwip/def.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ip4_addr {
  u32_t addr; /* network byte order */
};
typedef struct ip4_addr ip4_addr_t;

/* Host-order values (IPADDR_NONE doubles as ipaddr_addr's error value). */
#define IPADDR_NONE ((u32_t)0xffffffffUL)
#define IPADDR_LOOPBACK ((u32_t)0x7f000001UL)
#define IPADDR_ANY ((u32_t)0x00000000UL)
#define IPADDR_BROADCAST ((u32_t)0xffffffffUL)

#define IP_CLASSA_NET 0xff000000UL
#define IP_LOOPBACKNET 127

/* "255.255.255.255" and its terminating NUL. */
#define IP4ADDR_STRLEN_MAX 16

#define IP4_ADDR(ipaddr, a, b, c, d) ((ipaddr)->addr = PP_HTONL(LWIP_MAKEU32(a, b, c, d)))
#define ip4_addr_copy(dest, src) ((dest).addr = (src).addr)
#define ip4_addr_set(dest, src) ((dest)->addr = ((src) == NULL ? 0 : (src)->addr))
#define ip4_addr_set_zero(ipaddr) ((ipaddr)->addr = 0)
#define ip4_addr_set_any(ipaddr) ((ipaddr)->addr = IPADDR_ANY)
#define ip4_addr_set_loopback(ipaddr) ((ipaddr)->addr = PP_HTONL(IPADDR_LOOPBACK))
#define ip4_addr_set_u32(dest_ipaddr, src_u32) ((dest_ipaddr)->addr = (src_u32))
#define ip4_addr_get_u32(src_ipaddr) ((src_ipaddr)->addr)
#define ip4_addr_set_hton(dest, src) ((dest)->addr = ((src) == NULL ? 0 : lwip_htonl((src)->addr)))
#define ip4_addr_get_network(target, host, netmask) ((target)->addr = ((host)->addr) & ((netmask)->addr))
#define ip4_addr_netcmp(addr1, addr2, mask) \
  (((addr1)->addr & (mask)->addr) == ((addr2)->addr & (mask)->addr))
#define ip4_addr_cmp(addr1, addr2) ((addr1)->addr == (addr2)->addr)
#define ip4_addr_isany_val(addr1) ((addr1).addr == IPADDR_ANY)
#define ip4_addr_isany(addr1) ((addr1) == NULL || ip4_addr_isany_val(*(addr1)))
#define ip4_addr_isloopback(ipaddr) \
  (((ipaddr)->addr & PP_HTONL(IP_CLASSA_NET)) == PP_HTONL(((u32_t)IP_LOOPBACKNET) << 24))
#define ip4_addr_ismulticast(addr1) (((addr1)->addr & PP_HTONL(0xf0000000UL)) == PP_HTONL(0xe0000000UL))
#define ip4_addr_islinklocal(addr1) (((addr1)->addr & PP_HTONL(0xffff0000UL)) == PP_HTONL(0xa9fe0000UL))
/* The four bytes, first (most significant) to last. */
#define ip4_addr1(ipaddr) (((const u8_t *)(&(ipaddr)->addr))[0])
#define ip4_addr2(ipaddr) (((const u8_t *)(&(ipaddr)->addr))[1])
#define ip4_addr3(ipaddr) (((const u8_t *)(&(ipaddr)->addr))[2])
#define ip4_addr4(ipaddr) (((const u8_t *)(&(ipaddr)->addr))[3])
#define ip4_addr1_16(ipaddr) ((u16_t)ip4_addr1(ipaddr))
#define ip4_addr2_16(ipaddr) ((u16_t)ip4_addr2(ipaddr))
#define ip4_addr3_16(ipaddr) ((u16_t)ip4_addr3(ipaddr))
#define ip4_addr4_16(ipaddr) ((u16_t)ip4_addr4(ipaddr))
#define ip4_addr1_val(ipaddr) ip4_addr1(&(ipaddr))
#define ip4_addr2_val(ipaddr) ip4_addr2(&(ipaddr))
#define ip4_addr3_val(ipaddr) ip4_addr3(&(ipaddr))
#define ip4_addr4_val(ipaddr) ip4_addr4(&(ipaddr))

/* Parses an IPv4 address the way inet_aton does: one to four parts
 * separated by dots ("a.b.c.d", "a.b.c" with a 16-bit c, "a.b" with a
 * 24-bit b, "a" as 32 bits), each decimal, octal (leading 0) or hex
 * (leading 0x); the text may end in whitespace. Returns 1 and stores the
 * address (unless `addr` is NULL), or 0 when `cp` is not an address. */
int ip4addr_aton(const char *cp, ip4_addr_t *addr);
/* ip4addr_aton's result as a u32_t in network order, or IPADDR_NONE. */
u32_t ipaddr_addr(const char *cp);
/* "a.b.c.d" in a buffer of the calling thread, valid until its next call. */
char *ip4addr_ntoa(const ip4_addr_t *addr);
/* "a.b.c.d" into buf; NULL when buflen is too small (IP4ADDR_STRLEN_MAX is
 * always enough). */
char *ip4addr_ntoa_r(const ip4_addr_t *addr, char *buf, int buflen);
/* 1 when `netmask` (network order) is a run of ones followed by zeros. */
u8_t ip4_addr_netmask_valid(u32_t netmask);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_IP4_ADDR_H */
