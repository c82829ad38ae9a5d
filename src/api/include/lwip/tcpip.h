/* lwIP's <lwip/tcpip.h> on lwnet: the process-wide TCP/IP thread from C
 * (tcpip_init, tcpip_callback, sys_timeouts_init/deinit, the core lock).
 *
 * Return values are lwIP err_t values: 0 (ERR_OK), -1 (ERR_MEM: the mailbox
 * is full, tcpip_try_callback), -6 (ERR_VAL: tcpip_init was not called, or
 * the thread is stopped).
 *
 * Threads: every function from any thread, after tcpip_init (which is from
 * any thread but the TCP/IP thread), except as noted. */
#ifndef LWNET_LWIP_TCPIP_H
#define LWNET_LWIP_TCPIP_H

#include "lwip/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef err_t lwnet_err_t; /* lwIP's err_t (lwip/err.h) */
#define LWNET_ERR_OK 0
#define LWNET_ERR_MEM (-1)
#define LWNET_ERR_VAL (-6)

typedef void (*lwnet_tcpip_callback_fn)(void* ctx);

/* Creates the default TCP/IP thread (TcpipConfig defaults: the CONFIG_LWIP_*
 * options) and starts it; then `done(arg)` runs on that thread (when done is
 * not null). A second call only posts `done`. Aborts, with a message, when
 * the thread cannot start (lwIP asserts). The thread lives until exit. */
void tcpip_init(lwnet_tcpip_callback_fn done, void* arg);

/* Runs function(ctx) on the TCP/IP thread; waits while the mailbox is full
 * (on the TCP/IP thread itself: ERR_MEM instead). */
lwnet_err_t tcpip_callback(lwnet_tcpip_callback_fn function, void* ctx);
/* The same, but ERR_MEM at once when the mailbox is full. */
lwnet_err_t tcpip_try_callback(lwnet_tcpip_callback_fn function, void* ctx);

/* sys_timeouts_init / sys_timeouts_deinit: restart / stop every stack timer.
 * No effect before tcpip_init. */
void sys_timeouts_init(void);
void sys_timeouts_deinit(void);

/* LOCK_TCPIP_CORE() / UNLOCK_TCPIP_CORE(): the default thread's core lock
 * (works in both modes, see tcpip_thread.h). Not recursive; not from the
 * TCP/IP thread. Abort before tcpip_init. */
void lwnet_lock_tcpip_core(void);
void lwnet_unlock_tcpip_core(void);


#define LOCK_TCPIP_CORE() lwnet_lock_tcpip_core()
#define UNLOCK_TCPIP_CORE() lwnet_unlock_tcpip_core()

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_TCPIP_H */
