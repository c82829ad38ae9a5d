/* lwIP's <lwip/ip_addr.h> on lwnet, for a dual-stack build as in ESP-IDF
 * (LWIP_IPV6 on): ip_addr_t is a union of ip4_addr_t and ip6_addr_t with a
 * `type` (IPADDR_TYPE_V4/V6), so code using `addr.u_addr.ip4`, ip_2_ip4(),
 * IP_ADDR4(), IP_IS_V4() ... compiles unchanged.
 *
 * Here: the types, IPADDR4_INIT(_BYTES), IP_ADDR4/IP_ADDR6, the type
 * macros, ip_2_ip4/ip_2_ip6, ip_addr_copy(_from_ip4), ip_addr_set_zero(_ip4),
 * ip_addr_set_any/loopback, ip_addr_set_ip4_u32(_val), ip_addr_get_ip4_u32,
 * ip_addr_cmp, ip_addr_isany(_val), ip_addr_isloopback,
 * ip_addr_ismulticast, IP_ADDR_ANY & co., ipaddr_ntoa(_r), ipaddr_aton,
 * ip6addr_aton/ntoa(_r).
 *
 * Missing: the rest of ip6_addr.h (scope/zone handling, ip6_addr_is*
 * classification beyond any/loopback/multicast), ip_addr_isbroadcast and
 * ip_addr_netcmp (they need a netif), ip_addr_debug_print, the IPv4-mapped
 * IPv6 helpers. IPv6 text is formatted by the C library's inet_ntop
 * (lwIP formats an IPv4-mapped address differently).
 *
 * Threads: any; the ntoa buffers are per thread. */
#ifndef LWNET_LWIP_IP_ADDR_H
#define LWNET_LWIP_IP_ADDR_H

#include "lwip/arch.h"
#include "lwip/def.h"
#include "lwip/ip4_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

enum lwip_ip_addr_type {
  IPADDR_TYPE_V4 = 0U,
  IPADDR_TYPE_V6 = 6U,
  IPADDR_TYPE_ANY = 46U
};

/* An IPv6 address: four u32_t in network order and a zone (0: none). */
struct ip6_addr {
  u32_t addr[4];
  u8_t zone;
};
typedef struct ip6_addr ip6_addr_t;

#define IP6_NO_ZONE 0
#define IP6ADDR_STRLEN_MAX 46
#define IPADDR_STRLEN_MAX IP6ADDR_STRLEN_MAX

typedef struct ip_addr {
  union {
    ip6_addr_t ip6;
    ip4_addr_t ip4;
  } u_addr;
  u8_t type; /* enum lwip_ip_addr_type */
} ip_addr_t;

extern const ip_addr_t ip_addr_any;
extern const ip_addr_t ip_addr_broadcast;
extern const ip_addr_t ip6_addr_any;
extern const ip_addr_t ip_addr_any_type;

/* Static initialisers. u32val is in network order. */
#define IPADDR4_INIT(u32val) {{{{(u32val), 0UL, 0UL, 0UL}, IP6_NO_ZONE}}, IPADDR_TYPE_V4}
#define IPADDR4_INIT_BYTES(a, b, c, d) IPADDR4_INIT(PP_HTONL(LWIP_MAKEU32(a, b, c, d)))
#define IPADDR6_INIT(a, b, c, d) {{{{(a), (b), (c), (d)}, IP6_NO_ZONE}}, IPADDR_TYPE_V6}
#define IPADDR_ANY_TYPE_INIT {{{{0UL, 0UL, 0UL, 0UL}, IP6_NO_ZONE}}, IPADDR_TYPE_ANY}

#define IP_GET_TYPE(ipaddr) ((ipaddr)->type)
#define IP_SET_TYPE_VAL(ipaddr, iptype) do { (ipaddr).type = (u8_t)(iptype); } while (0)
#define IP_SET_TYPE(ipaddr, iptype)           \
  do {                                        \
    if ((ipaddr) != NULL) {                   \
      IP_SET_TYPE_VAL(*(ipaddr), iptype);     \
    }                                         \
  } while (0)
#define IP_IS_V4_VAL(ipaddr) (IP_GET_TYPE(&(ipaddr)) == IPADDR_TYPE_V4)
#define IP_IS_V6_VAL(ipaddr) (IP_GET_TYPE(&(ipaddr)) == IPADDR_TYPE_V6)
#define IP_IS_ANY_TYPE_VAL(ipaddr) (IP_GET_TYPE(&(ipaddr)) == IPADDR_TYPE_ANY)
#define IP_IS_V4(ipaddr) (((ipaddr) == NULL) || IP_IS_V4_VAL(*(ipaddr)))
#define IP_IS_V6(ipaddr) (((ipaddr) != NULL) && IP_IS_V6_VAL(*(ipaddr)))

#define ip_2_ip4(ipaddr) (&((ipaddr)->u_addr.ip4))
#define ip_2_ip6(ipaddr) (&((ipaddr)->u_addr.ip6))

/* IPv6 words are given in network order, as lwIP's IP6_ADDR takes them. */
#define IP6_ADDR(ip6addr, i0, i1, i2, i3) \
  do {                                    \
    (ip6addr)->addr[0] = (i0);            \
    (ip6addr)->addr[1] = (i1);            \
    (ip6addr)->addr[2] = (i2);            \
    (ip6addr)->addr[3] = (i3);            \
    (ip6addr)->zone = IP6_NO_ZONE;        \
  } while (0)
#define ip6_addr_set_zero(ip6addr) IP6_ADDR(ip6addr, 0, 0, 0, 0)
#define ip6_addr_copy(dest, src) ((dest) = (src))
#define ip6_addr_cmp(addr1, addr2)                                                      \
  ((addr1)->addr[0] == (addr2)->addr[0] && (addr1)->addr[1] == (addr2)->addr[1] &&     \
   (addr1)->addr[2] == (addr2)->addr[2] && (addr1)->addr[3] == (addr2)->addr[3] &&     \
   (addr1)->zone == (addr2)->zone)
#define ip6_addr_isany_val(ip6addr) \
  (((ip6addr).addr[0] | (ip6addr).addr[1] | (ip6addr).addr[2] | (ip6addr).addr[3]) == 0)
#define ip6_addr_isany(ip6addr) (((ip6addr) == NULL) || ip6_addr_isany_val(*(ip6addr)))
#define ip6_addr_isloopback(ip6addr) \
  (((ip6addr)->addr[0] | (ip6addr)->addr[1] | (ip6addr)->addr[2]) == 0 && (ip6addr)->addr[3] == PP_HTONL(1UL))
#define ip6_addr_ismulticast(ip6addr) (((ip6addr)->addr[0] & PP_HTONL(0xff000000UL)) == PP_HTONL(0xff000000UL))

#define IP_ADDR4(ipaddr, a, b, c, d)                  \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(ipaddr));              \
    IP4_ADDR(ip_2_ip4(ipaddr), a, b, c, d);           \
    IP_SET_TYPE_VAL(*(ipaddr), IPADDR_TYPE_V4);       \
  } while (0)
#define IP_ADDR6(ipaddr, i0, i1, i2, i3)              \
  do {                                                \
    IP6_ADDR(ip_2_ip6(ipaddr), i0, i1, i2, i3);       \
    IP_SET_TYPE_VAL(*(ipaddr), IPADDR_TYPE_V6);       \
  } while (0)

#define ip_addr_copy(dest, src) do { (dest) = (src); } while (0)
#define ip_addr_copy_from_ip4(dest, src)              \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(&(dest)));             \
    ip4_addr_copy(*ip_2_ip4(&(dest)), src);           \
    IP_SET_TYPE_VAL(dest, IPADDR_TYPE_V4);            \
  } while (0)
#define ip_addr_copy_from_ip6(dest, src)              \
  do {                                                \
    ip6_addr_copy(*ip_2_ip6(&(dest)), src);           \
    IP_SET_TYPE_VAL(dest, IPADDR_TYPE_V6);            \
  } while (0)
#define ip_addr_set_zero(ipaddr)                      \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(ipaddr));              \
    IP_SET_TYPE(ipaddr, IPADDR_TYPE_V4);              \
  } while (0)
#define ip_addr_set_zero_ip4(ipaddr) ip_addr_set_zero(ipaddr)
#define ip_addr_set_zero_ip6(ipaddr)                  \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(ipaddr));              \
    IP_SET_TYPE(ipaddr, IPADDR_TYPE_V6);              \
  } while (0)
#define ip_addr_set_any(is_ipv6, ipaddr)              \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(ipaddr));              \
    IP_SET_TYPE(ipaddr, (is_ipv6) ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4); \
  } while (0)
#define ip_addr_set_loopback(is_ipv6, ipaddr)         \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(ipaddr));              \
    if (is_ipv6) {                                    \
      ip_2_ip6(ipaddr)->addr[3] = PP_HTONL(1UL);      \
      IP_SET_TYPE(ipaddr, IPADDR_TYPE_V6);            \
    } else {                                          \
      ip4_addr_set_loopback(ip_2_ip4(ipaddr));        \
      IP_SET_TYPE(ipaddr, IPADDR_TYPE_V4);            \
    }                                                 \
  } while (0)
#define ip_addr_set_ip4_u32_val(ipaddr, val)          \
  do {                                                \
    ip6_addr_set_zero(ip_2_ip6(&(ipaddr)));           \
    ip4_addr_set_u32(ip_2_ip4(&(ipaddr)), val);       \
    IP_SET_TYPE_VAL(ipaddr, IPADDR_TYPE_V4);          \
  } while (0)
#define ip_addr_set_ip4_u32(ipaddr, val)              \
  do {                                                \
    if ((ipaddr) != NULL) {                           \
      ip_addr_set_ip4_u32_val(*(ipaddr), val);        \
    }                                                 \
  } while (0)
#define ip_addr_get_ip4_u32(ipaddr) \
  (((ipaddr) != NULL && IP_IS_V4(ipaddr)) ? ip4_addr_get_u32(ip_2_ip4(ipaddr)) : 0)

#define ip_addr_cmp(addr1, addr2)                                               \
  ((IP_GET_TYPE(addr1) != IP_GET_TYPE(addr2))                                   \
       ? 0                                                                      \
       : (IP_IS_V6_VAL(*(addr1)) ? ip6_addr_cmp(ip_2_ip6(addr1), ip_2_ip6(addr2)) \
                                 : ip4_addr_cmp(ip_2_ip4(addr1), ip_2_ip4(addr2))))
#define ip_addr_isany_val(ipaddr) \
  (IP_IS_V6_VAL(ipaddr) ? ip6_addr_isany_val(*ip_2_ip6(&(ipaddr))) : ip4_addr_isany_val(*ip_2_ip4(&(ipaddr))))
#define ip_addr_isany(ipaddr) (((ipaddr) == NULL) ? 1 : ip_addr_isany_val(*(ipaddr)))
#define ip_addr_isloopback(ipaddr) \
  (IP_IS_V6(ipaddr) ? ip6_addr_isloopback(ip_2_ip6(ipaddr)) : ip4_addr_isloopback(ip_2_ip4(ipaddr)))
#define ip_addr_ismulticast(ipaddr) \
  (IP_IS_V6(ipaddr) ? ip6_addr_ismulticast(ip_2_ip6(ipaddr)) : ip4_addr_ismulticast(ip_2_ip4(ipaddr)))

#define IP_ADDR_ANY (&ip_addr_any)
#define IP4_ADDR_ANY (&ip_addr_any)
#define IP4_ADDR_ANY4 (ip_2_ip4(&ip_addr_any))
#define IP_ADDR_BROADCAST (&ip_addr_broadcast)
#define IP4_ADDR_BROADCAST (ip_2_ip4(&ip_addr_broadcast))
#define IP6_ADDR_ANY (&ip6_addr_any)
#define IP6_ADDR_ANY6 (ip_2_ip6(&ip6_addr_any))
#define IP_ANY_TYPE (&ip_addr_any_type)

/* Text for either family ("192.0.2.1", "2001:db8::1") in a buffer of the
 * calling thread, valid until its next call; NULL for a NULL address. */
char *ipaddr_ntoa(const ip_addr_t *addr);
/* The same into buf; NULL when buflen is too small (IPADDR_STRLEN_MAX is
 * always enough). */
char *ipaddr_ntoa_r(const ip_addr_t *addr, char *buf, int buflen);
/* Parses an IPv6 address when `cp` holds a ':', else an IPv4 one (as
 * ip4addr_aton). Returns 1 and stores it with its type (unless `addr` is
 * NULL), or 0. */
int ipaddr_aton(const char *cp, ip_addr_t *addr);
#define ip_ntoa(ipaddr) ipaddr_ntoa(ipaddr)

/* IPv6 text conversions (the C library's inet_pton / inet_ntop forms). */
int ip6addr_aton(const char *cp, ip6_addr_t *addr);
char *ip6addr_ntoa(const ip6_addr_t *addr);
char *ip6addr_ntoa_r(const ip6_addr_t *addr, char *buf, int buflen);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_IP_ADDR_H */
