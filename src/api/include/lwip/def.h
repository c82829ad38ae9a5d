/* lwIP's <lwip/def.h> on lwnet: byte-order helpers (lwip_htonl, the
 * constant-expression PP_HTONL family), LWIP_MAKEU32, LWIP_MIN/LWIP_MAX and
 * LWIP_ARRAYSIZE. */
#ifndef LWNET_LWIP_DEF_H
#define LWNET_LWIP_DEF_H

#include <arpa/inet.h>

#include "lwip/arch.h"

#ifndef LWIP_MIN
#define LWIP_MIN(x, y) (((x) < (y)) ? (x) : (y))
#endif
#ifndef LWIP_MAX
#define LWIP_MAX(x, y) (((x) > (y)) ? (x) : (y))
#endif
#ifndef LWIP_ARRAYSIZE
#define LWIP_ARRAYSIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* a.b.c.d as one 32-bit value in host order (a the most significant byte). */
#define LWIP_MAKEU32(a, b, c, d) \
  (((u32_t)((a) & 0xff) << 24) | ((u32_t)((b) & 0xff) << 16) | ((u32_t)((c) & 0xff) << 8) | (u32_t)((d) & 0xff))

/* Byte order conversions usable in constant expressions. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PP_HTONS(x) ((u16_t)(x))
#define PP_HTONL(x) ((u32_t)(x))
#else
#define PP_HTONS(x) ((u16_t)((((x) & (u16_t)0x00ffU) << 8) | (((x) & (u16_t)0xff00U) >> 8)))
#define PP_HTONL(x)                                                                                  \
  ((((x) & (u32_t)0x000000ffUL) << 24) | (((x) & (u32_t)0x0000ff00UL) << 8) |                        \
   (((x) & (u32_t)0x00ff0000UL) >> 8) | (((x) & (u32_t)0xff000000UL) >> 24))
#endif
#define PP_NTOHS(x) PP_HTONS(x)
#define PP_NTOHL(x) PP_HTONL(x)

#define lwip_htons(x) htons(x)
#define lwip_ntohs(x) ntohs(x)
#define lwip_htonl(x) htonl(x)
#define lwip_ntohl(x) ntohl(x)

#endif /* LWNET_LWIP_DEF_H */
