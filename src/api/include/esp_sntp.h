/* ESP-IDF's <esp_sntp.h> on lwnet: the SNTP client (apps/sntp_client.h)
 * run on the TCP/IP thread, with ESP-IDF's names and behaviour: poll or
 * listen-only mode, CONFIG_LWIP_SNTP_MAX_SERVERS servers, a sync interval
 * of at least 15 s (default CONFIG_LWIP_SNTP_UPDATE_DELAY), immediate or
 * smooth sync, a sync status and a time-sync notification callback.
 *
 * Differences: on Linux the default sntp_sync_time() does not set the
 * system clock (lwnet is not the host's time keeper); it reports the
 * result (lwnet_sntp_last_offset_us) and notifies. Define your own
 * sntp_sync_time() to apply the time. Server names other than numeric
 * addresses need a resolver (DNS glue); until one is installed such a
 * server counts as unreachable. esp_sntp_servermode_dhcp() is remembered
 * for the DHCP client's option 42 glue.
 *
 * Threads: any thread but the TCP/IP thread's own callbacks may call these
 * (each runs in core context through the TCP/IP thread, which must have been
 * started: tcpip_init or lwnet_tap_up). The notification callback and
 * sntp_sync_time() run on the TCP/IP thread, as in ESP-IDF. */
#ifndef LWNET_ESP_SNTP_H
#define LWNET_ESP_SNTP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "lwip/ip_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ESP_SNTP_OPMODE_POLL,
  ESP_SNTP_OPMODE_LISTENONLY
} esp_sntp_operatingmode_t;

typedef enum {
  SNTP_SYNC_MODE_IMMED,  /* set the time at once */
  SNTP_SYNC_MODE_SMOOTH  /* slew (adjtime); step when more than 35 minutes off */
} sntp_sync_mode_t;

typedef enum {
  SNTP_SYNC_STATUS_RESET,
  SNTP_SYNC_STATUS_COMPLETED,
  SNTP_SYNC_STATUS_IN_PROGRESS
} sntp_sync_status_t;

typedef void (*sntp_sync_time_cb_t)(struct timeval *tv);

#define SNTP_OPMODE_POLL ESP_SNTP_OPMODE_POLL
#define SNTP_OPMODE_LISTENONLY ESP_SNTP_OPMODE_LISTENONLY

void esp_sntp_setoperatingmode(esp_sntp_operatingmode_t operating_mode);
esp_sntp_operatingmode_t esp_sntp_getoperatingmode(void);
/* Starts the client (first request after the random startup delay). */
void esp_sntp_init(void);
void esp_sntp_stop(void);
bool esp_sntp_enabled(void);
/* idx < CONFIG_LWIP_SNTP_MAX_SERVERS; the name is not copied (as in
 * ESP-IDF): it must stay valid. NULL clears the slot. */
void esp_sntp_setservername(u8_t idx, const char *server);
const char *esp_sntp_getservername(u8_t idx);
void esp_sntp_setserver(u8_t idx, const ip_addr_t *addr);
/* The address (for a name: the last one it resolved to); NULL for a bad
 * index. The pointer stays valid until the next call for the same index. */
const ip_addr_t *esp_sntp_getserver(u8_t idx);
/* Bit 0: the latest request was answered, bit 1 the one before, ... */
u8_t esp_sntp_getreachability(u8_t idx);
void esp_sntp_servermode_dhcp(bool set_servers_from_dhcp);

void sntp_set_sync_mode(sntp_sync_mode_t sync_mode);
sntp_sync_mode_t sntp_get_sync_mode(void);
/* Below 15000 ms takes 15000 ms. Used from the next request on. */
void sntp_set_sync_interval(uint32_t interval_ms);
uint32_t sntp_get_sync_interval(void);
/* Stops and starts the client when it runs; false when it does not. */
bool sntp_restart(void);
void sntp_set_time_sync_notification_cb(sntp_sync_time_cb_t callback);
/* As ESP-IDF: COMPLETED once after a sync (or once a smooth sync's adjtime()
 * correction is done), then RESET; IN_PROGRESS while that correction runs. */
sntp_sync_status_t sntp_get_sync_status(void);
void sntp_set_sync_status(sntp_sync_status_t sync_status);
/* Called on the TCP/IP thread with the new time after each sync. Weak:
 * define it to apply the time; the default sets nothing (see above), sets
 * the status to COMPLETED and calls the notification callback. */
void sntp_sync_time(struct timeval *tv);

/* lwnet's own: the offset (server minus local clock, microseconds) and
 * round-trip delay of the latest sync; 0 before the first. */
int64_t lwnet_sntp_last_offset_us(void);
int64_t lwnet_sntp_last_delay_us(void);

/* ESP-IDF's older names. */
static inline void sntp_setoperatingmode(u8_t operating_mode) {
  esp_sntp_setoperatingmode((esp_sntp_operatingmode_t)operating_mode);
}
static inline void sntp_init(void) { esp_sntp_init(); }
static inline void sntp_stop(void) { esp_sntp_stop(); }
static inline u8_t sntp_enabled(void) { return esp_sntp_enabled() ? 1 : 0; }
static inline void sntp_setservername(u8_t idx, const char *server) { esp_sntp_setservername(idx, server); }
static inline const char *sntp_getservername(u8_t idx) { return esp_sntp_getservername(idx); }
static inline void sntp_setserver(u8_t idx, const ip_addr_t *addr) { esp_sntp_setserver(idx, addr); }
static inline const ip_addr_t *sntp_getserver(u8_t idx) { return esp_sntp_getserver(idx); }
static inline u8_t sntp_getreachability(u8_t idx) { return esp_sntp_getreachability(idx); }
static inline u8_t sntp_getoperatingmode(void) { return (u8_t)esp_sntp_getoperatingmode(); }
static inline void sntp_servermode_dhcp(int set_servers_from_dhcp) { esp_sntp_servermode_dhcp(set_servers_from_dhcp != 0); }

#ifdef __cplusplus
}
#endif

#endif /* LWNET_ESP_SNTP_H */
