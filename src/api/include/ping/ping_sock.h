/* ESP-IDF's <ping/ping_sock.h> on lwnet: ping sessions (apps/ping_session.h)
 * run on the TCP/IP thread, with ESP-IDF's names, configuration, callbacks
 * and profile.
 *
 * Differences: there is no ping task; the callbacks run on the TCP/IP
 * thread (task_stack_size and task_prio are ignored), and they may call
 * every function here, esp_ping_delete_session included. `interface` is a
 * netif index (lwnet's netif number plus one, as lwIP's netif_get_index):
 * requests leave through that netif whatever the routes say. Where
 * ESP-IDF's blocking ping task would differ: esp_ping_stop abandons a
 * request awaiting its reply (ESP-IDF waits for it, then for the interval);
 * esp_ping_delete_session stops a running session without on_ping_end and
 * frees it at once (ESP-IDF's task finishes the batch first); on_ping_end
 * of a batch that reached its count comes with the last reply or timeout,
 * not an interval later; esp_ping_start on a running session does nothing
 * (ESP-IDF queues another batch); ESP_PING_PROF_TOS is the requests' TOS
 * (ESP-IDF: the latest IPv4 reply's); tos, ttl outside 0..255, data_size
 * above 1472 and an unset target are refused (ESP-IDF truncates, fragments,
 * or lets every request fail). lwnet_shutdown() stops every running
 * session as esp_ping_stop does (on_ping_end included); the handles stay
 * valid, to start again once the TCP/IP thread runs again, or to delete
 * (also while it is stopped).
 *
 * Threads: any thread; the TCP/IP thread must have been started
 * (tcpip_init or lwnet_tap_up). */
#ifndef LWNET_PING_SOCK_H
#define LWNET_PING_SOCK_H

#include <stdint.h>

#include "lwip/ip_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ESP_OK
typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL (-1)
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_INVALID_SIZE 0x104
#endif

typedef void *esp_ping_handle_t;

typedef struct {
  void *cb_args;
  void (*on_ping_success)(esp_ping_handle_t hdl, void *args);
  void (*on_ping_timeout)(esp_ping_handle_t hdl, void *args);
  void (*on_ping_end)(esp_ping_handle_t hdl, void *args);
} esp_ping_callbacks_t;

typedef struct {
  uint32_t count;           /* 0: ESP_PING_COUNT_INFINITE */
  uint32_t interval_ms;      /* 0: each request as soon as the previous one is answered or timed out */
  uint32_t timeout_ms;       /* 0: each request waits for its reply until the session stops */
  uint32_t data_size;       /* bytes after the ICMP header */
  int tos;
  int ttl;
  ip_addr_t target_addr;
  uint32_t task_stack_size; /* ignored: no ping task */
  uint32_t task_prio;       /* ignored */
  uint32_t interface;       /* netif index, 0: any */
} esp_ping_config_t;

#define ESP_PING_COUNT_INFINITE (0)

#define ESP_PING_DEFAULT_CONFIG()  \
  {                                \
    .count = 5,                    \
    .interval_ms = 1000,           \
    .timeout_ms = 1000,            \
    .data_size = 64,               \
    .tos = 0,                      \
    .ttl = 64,                     \
    .target_addr = IPADDR_ANY_TYPE_INIT, \
    .task_stack_size = 2048,       \
    .task_prio = 2,                \
    .interface = 0,                \
  }

typedef enum {
  ESP_PING_PROF_SEQNO,    /* uint16_t */
  ESP_PING_PROF_TOS,      /* uint8_t */
  ESP_PING_PROF_TTL,      /* uint8_t */
  ESP_PING_PROF_REQUEST,  /* uint32_t, requests the stack took (not those it refused: no route) */
  ESP_PING_PROF_REPLY,    /* uint32_t */
  ESP_PING_PROF_IPADDR,   /* ip_addr_t, of the latest reply; the target before the first */
  ESP_PING_PROF_SIZE,     /* uint32_t */
  ESP_PING_PROF_TIMEGAP,  /* uint32_t, ms the latest request waited (for its reply or its timeout) */
  ESP_PING_PROF_DURATION  /* uint32_t, ms: those waits added over the batch, as ESP-IDF's total time */
} esp_ping_profile_t;

/* ESP_ERR_INVALID_ARG for a null argument, a count of bytes, TOS or TTL out
 * of range, a target that is not set; ESP_FAIL (as ESP-IDF) for an interface
 * index that names no netif; ESP_ERR_NO_MEM. */
esp_err_t esp_ping_new_session(const esp_ping_config_t *config, const esp_ping_callbacks_t *cbs,
                               esp_ping_handle_t *hdl_out);
/* Stops the session if it runs; the handle is gone afterwards. */
esp_err_t esp_ping_delete_session(esp_ping_handle_t hdl);
/* Starts a batch as ESP-IDF does: sequence numbers from 1, and
 * ESP_PING_PROF_REQUEST, _REPLY and _DURATION from 0. ESP_OK, and nothing
 * else, while the session runs. ESP_ERR_INVALID_STATE while lwnet_shutdown()
 * runs (from an on_ping_end it called). */
esp_err_t esp_ping_start(esp_ping_handle_t hdl);
/* Ends the batch: no more requests (one awaiting its reply is abandoned,
 * without a callback), then on_ping_end, which has run when this returns;
 * called from one of the session's own callbacks, on_ping_end runs once that
 * callback has returned. Nothing (and no on_ping_end) when the session is
 * not running. */
esp_err_t esp_ping_stop(esp_ping_handle_t hdl);
/* ESP_ERR_INVALID_SIZE when `size` is smaller than the item. */
esp_err_t esp_ping_get_profile(esp_ping_handle_t hdl, esp_ping_profile_t profile, void *data, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_PING_SOCK_H */
