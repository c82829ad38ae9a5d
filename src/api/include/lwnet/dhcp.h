/* DHCP client and server from C, in the spirit of lwIP's dhcp_start() /
 * dhcp_release() / dhcp_stop() / dhcp_renew() and ESP-IDF's dhcps_start() /
 * dhcps_stop() / dhcp_search_ip_on_mac(). lwnet's C API has no struct netif:
 * a netif is named by its interface name (the TAP name given to
 * lwnet_tap_up(), which may pass a NULL address for a netif DHCP fills).
 * Addresses are IPv4 in network byte order (as in struct in_addr).
 * lwnet_shutdown() stops every client and server, as after a restart of
 * lwIP: after the next lwnet_tap_up() they run again once started again
 * (the callbacks set stay set).
 *
 * Threads: any thread but the TCP/IP thread; the calls run on the default
 * TCP/IP thread (tcpip_init()). Callbacks run on the TCP/IP thread, as
 * ESP-IDF's IP events do; they must not call these functions. */
#ifndef LWNET_DHCP_H
#define LWNET_DHCP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lwnet_dhcp_lease {
  uint32_t address;
  uint32_t netmask;
  uint32_t gateway;       /* 0: none */
  uint32_t dns[2];        /* main, backup (0: none): for dns_setserver(0/1) */
  uint32_t ntp;           /* option 42, 0: none */
  uint32_t server;
  uint32_t lease_seconds; /* 0xffffffff: infinite */
  uint16_t mtu;           /* 0: none */
  uint8_t link_local;     /* 1: an AutoIP address (CONFIG_LWIP_AUTOIP) */
} lwnet_dhcp_lease_t;

enum lwnet_dhcp_event {
  LWNET_DHCP_GOT_IP = 0,     /* IP_EVENT_STA_GOT_IP, ip_changed 0 */
  LWNET_DHCP_IP_CHANGED = 1, /* IP_EVENT_STA_GOT_IP, ip_changed 1 */
  LWNET_DHCP_LOST_IP = 2,    /* IP_EVENT_STA_LOST_IP (after the lost-IP timer) */
  LWNET_DHCP_RENEWED = 3
};

/* Each returns 0, or -1 with errno: ENODEV (no netif of that name), EAGAIN
 * (no TCP/IP thread), EINVAL (renew while not bound; a bad pool; a server
 * on a netif without an address), ENOMEM (no UDP endpoint or app slot). */
int lwnet_dhcp_start(const char *ifname);
int lwnet_dhcp_stop(const char *ifname);    /* no message; the address goes */
int lwnet_dhcp_release(const char *ifname); /* RELEASE, then as stop */
int lwnet_dhcp_renew(const char *ifname);
/* 0 and *lease filled while the client holds an address; -1 with errno
 * EAGAIN while it has none (ENODEV as above). */
int lwnet_dhcp_get_lease(const char *ifname, lwnet_dhcp_lease_t *lease);
/* One callback for every netif's client; NULL removes it. */
typedef void (*lwnet_dhcp_event_cb)(const char *ifname, enum lwnet_dhcp_event event,
                                    const lwnet_dhcp_lease_t *lease, void *arg);
void lwnet_dhcp_set_event_callback(lwnet_dhcp_event_cb callback, void *arg);

/* lwIP's netif_set_hostname (LWIP_NETIF_HOSTNAME), ESP-IDF's
 * esp_netif_set_hostname: the name the netif's DHCP client sends as option
 * 12, from its next message on (a client that is running keeps going).
 * Copied; at most 63 characters (EINVAL), NULL or "" for none. Until it is
 * set, the name is CONFIG_LWIP_LOCAL_HOSTNAME ("espressif"). */
int lwnet_netif_set_hostname(const char *ifname, const char *hostname);
/* netif_get_hostname / esp_netif_get_hostname: copies the name, NUL
 * included, into buffer ("" for none); -1 with ERANGE when size is too
 * small for it, EINVAL for a NULL buffer. */
int lwnet_netif_get_hostname(const char *ifname, char *buffer, size_t size);

/* CONFIG_LWIP_DHCP_RESTORE_LAST_IP from C: where the netif's client keeps
 * its last lease across restarts, ESP-IDF's dhcp_ip_addr_restore /
 * dhcp_ip_addr_store / dhcp_ip_addr_erase (which use NVS; here the program
 * chooses, a file for instance). A lease is stored as the whole struct; only
 * its address is asked for again, by INIT-REBOOT at lwnet_dhcp_start, and a
 * NAK sends the client on to DISCOVER. The functions run on the TCP/IP
 * thread inside the client's work: they must not block for long, nor call
 * the functions of this header. */
typedef struct lwnet_dhcp_ip_addr_storage {
  /* At lwnet_dhcp_start: 1 with *lease filled when a lease is stored, 0
   * when none (a stored address of 0 or a link-local one counts as none). */
  int (*restore)(const char *ifname, lwnet_dhcp_lease_t *lease, void *arg);
  /* After every DHCPACK the client takes. */
  void (*store)(const char *ifname, const lwnet_dhcp_lease_t *lease, void *arg);
  /* After a NAK, and at lwnet_dhcp_release. */
  void (*erase)(const char *ifname, void *arg);
  void *arg;
} lwnet_dhcp_ip_addr_storage_t;
/* Sets (copies) the storage for `ifname`'s client, NULL to have none; used
 * from the next lwnet_dhcp_start on (stored leases) and at once (storing).
 * Setting one turns the restore on for this netif whatever
 * CONFIG_LWIP_DHCP_RESTORE_LAST_IP says, as the lwnet command's
 * --dhcp-lease-file does. EINVAL when a function is missing. */
int lwnet_dhcp_set_ip_addr_storage(const char *ifname, const lwnet_dhcp_ip_addr_storage_t *storage);

/* ESP-IDF's DHCP server on `ifname`: pool_start/pool_end as dotted quads,
 * both NULL for the default pool (up to 100 addresses next to the netif's
 * address); lease_units of CONFIG_LWIP_DHCPS_LEASE_UNIT seconds, 0 for the
 * default 120. */
int lwnet_dhcps_start(const char *ifname, const char *pool_start, const char *pool_end,
                      uint32_t lease_units);
int lwnet_dhcps_stop(const char *ifname);
/* dhcp_search_ip_on_mac: 0 and *address when the client has one. */
int lwnet_dhcps_search_ip_on_mac(const char *ifname, const uint8_t mac[6], uint32_t *address);
/* IP_EVENT_ASSIGNED_IP_TO_CLIENT: after every ACK, with the client's
 * hostname (option 12; "" when it sent none). */
typedef void (*lwnet_dhcps_assigned_cb)(const char *ifname, uint32_t address, const uint8_t mac[6],
                                        const char *hostname, void *arg);
void lwnet_dhcps_set_assigned_callback(lwnet_dhcps_assigned_cb callback, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_DHCP_H */
