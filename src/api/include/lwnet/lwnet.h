/* Bringing lwnet up from C: a TCP/IP thread and a Linux TAP device with a
 * static IPv4 address, in one call. Then the calls of <lwip/sockets.h> work.
 *
 * Threads: any thread but the TCP/IP thread. */
#ifndef LWNET_LWNET_H
#define LWNET_LWNET_H

#ifdef __cplusplus
extern "C" {
#endif

/* Starts the TCP/IP thread if it is not running (as tcpip_init does) and
 * attaches the TAP device `tap_name` (created when missing) as a netif with
 * the address `ipv4_cidr` ("192.0.2.2/24") and, unless `gateway` is NULL,
 * that default gateway ("192.0.2.1"); a NULL `ipv4_cidr` (and gateway)
 * leaves the netif without an address for DHCP (lwnet/dhcp.h). The first TAP attached becomes the
 * default netif. A TAP stays attached, and its netif in the stack, until
 * the process ends: after lwnet_shutdown() (which takes the netif down),
 * lwnet_tap_up() of the same name brings that netif up again with the
 * address and gateway given now (its IPv6 addresses stay). Returns 0, or
 * -1 with errno set (EINVAL for an address that does not parse, EEXIST
 * when `tap_name` is up already (since the last lwnet_shutdown()), the
 * OS's error when the TAP cannot be opened). */
int lwnet_tap_up(const char *tap_name, const char *ipv4_cidr, const char *gateway);

/* Adds the static IPv6 address `ipv6_cidr` ("2001:db8::2/64": the prefix
 * length makes the prefix on-link) to the netif `netif_name` (a TAP that
 * lwnet_tap_up() attached), and waits until Duplicate Address Detection
 * made it usable, so that sockets may use it at once. Returns 0, or -1 with
 * errno set: EINVAL (no such netif, an address that does not parse),
 * EADDRINUSE (another host has it, or the netif has it already), ENOBUFS
 * (every address slot is taken), ETIMEDOUT (DAD did not finish within 10
 * seconds), ENETDOWN (no TCP/IP thread). */
int lwnet_ip6_add(const char *netif_name, const char *ipv6_cidr);

/* Closes every lwnet socket; stops the apps started through lwnet's C APIs
 * (SNTP, the DHCP client and server of lwnet/dhcp.h, the DHCPv6 client,
 * every running esp_ping session, with its on_ping_end, and the NetBIOS
 * responder), which after the next lwnet_tap_up() run again only once the
 * user starts them again, as after a restart of lwIP; ends the lookups of
 * dns_gethostbyname() that wait; takes the TAP netifs down and stops the
 * TCP/IP thread. lwnet_tap_up() may be called again afterwards, for the
 * same TAP too. */
void lwnet_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWNET_H */
