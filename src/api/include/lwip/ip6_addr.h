/* lwIP's <lwip/ip6_addr.h> on lwnet: ip6_addr_t and its few macros are
 * declared with ip_addr_t (see lwip/ip_addr.h for what exists). */
#ifndef LWNET_LWIP_IP6_ADDR_H
#define LWNET_LWIP_IP6_ADDR_H
#include "lwip/ip_addr.h"
#endif /* LWNET_LWIP_IP6_ADDR_H */
