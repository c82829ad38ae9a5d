/* lwIP's <lwip/apps/netbiosns.h> on lwnet: the NetBIOS name responder
 * (apps/netbios_responder.h) on the TCP/IP thread, answering name queries
 * on UDP 137 with the address of the netif they came in on.
 *
 * Threads: any thread. netbiosns_init and netbiosns_stop need the TCP/IP
 * thread (tcpip_init or lwnet_tap_up), else they do nothing;
 * netbiosns_set_name may come before it (not while another thread calls
 * tcpip_init), and netbiosns_init then answers for that name.
 * lwnet_shutdown() stops the responder (its name stays), as after a restart
 * of lwIP: netbiosns_init starts it again. */
#ifndef LWNET_LWIP_APPS_NETBIOSNS_H
#define LWNET_LWIP_APPS_NETBIOSNS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Starts answering (for "NETBIOSLWIPDEV" until netbiosns_set_name). */
void netbiosns_init(void);
/* 1 to 15 characters, any of them (spaces and dots too), matched in any
 * case; of a longer name the first 15 (as lwIP does); an empty name is
 * ignored. The name is copied. */
void netbiosns_set_name(const char *hostname);
void netbiosns_stop(void);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_APPS_NETBIOSNS_H */
