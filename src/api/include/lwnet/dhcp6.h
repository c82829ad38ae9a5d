/* Stateless DHCPv6 from C, in the spirit of lwIP's dhcp6_enable_stateless()
 * and dhcp6_disable() (ESP-IDF: CONFIG_LWIP_IPV6_DHCP6). lwnet's C API has
 * no struct netif: a netif is named by its interface name, as in
 * lwnet/dhcp.h. Once enabled, the client asks a DHCPv6 server for DNS and
 * NTP servers whenever the netif's router advertisements have the O flag
 * (or the M flag: addresses from DHCPv6, stateful configuration, are not
 * supported, as in ESP-IDF; the client then still asks for the rest). The
 * servers it learns go to the DNS resolver (dns_getserver() shows them) and
 * to SNTP when it takes servers from DHCP.
 *
 * lwnet_shutdown() stops every client, as after a restart of lwIP: after
 * the next lwnet_tap_up() one runs again once enabled again.
 *
 * Built without CONFIG_LWIP_IPV6_DHCP6 (ESP-IDF's default), every call
 * fails with ENOTSUP.
 *
 * Threads: any thread but the TCP/IP thread; the calls run on the default
 * TCP/IP thread (tcpip_init()). */
#ifndef LWNET_DHCP6_H
#define LWNET_DHCP6_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the last Reply gave. Addresses are 16 bytes in network order. */
typedef struct lwnet_dhcp6_info {
  uint8_t dns[2][16];         /* main, backup: the first dns_count are set */
  uint8_t ntp[2][16];         /* option 56's server addresses, then option 31's */
  uint8_t server[16];         /* the Reply's source (the server's link-local address) */
  uint32_t refresh_seconds;   /* option 32 (86400 when absent, at least 600); 0xffffffff: never */
  uint8_t dns_count;
  uint8_t ntp_count;
  uint8_t stateful_requested; /* 1: the last RA had M=1, which is not supported */
} lwnet_dhcp6_info_t;

/* Each returns 0, or -1 with errno: ENODEV (no netif of that name), EAGAIN
 * (no TCP/IP thread), EINVAL (the loopback netif), ENOMEM (no UDP endpoint
 * or app slot), EADDRINUSE (port 546 taken), ENOTSUP (built without
 * CONFIG_LWIP_IPV6_DHCP6). */
int lwnet_dhcp6_enable_stateless(const char *ifname);
/* Stops the client; the servers it published are withdrawn. Nothing to do
 * when it was not enabled. */
int lwnet_dhcp6_disable(const char *ifname);
/* 0 and *info filled once a Reply came; -1 with errno EAGAIN before (or
 * while disabled), ENODEV, ENOTSUP as above. */
int lwnet_dhcp6_get_info(const char *ifname, lwnet_dhcp6_info_t *info);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_DHCP6_H */
