/* lwIP's <lwip/sys.h> on lwnet: the parts of lwIP's OS layer that socket
 * programs use.
 *
 *   sys_now()      milliseconds on the monotonic clock (wraps at 2^32)
 *   sys_jiffies()  the same count (lwIP leaves the unit to the port)
 *   sys_msleep(ms) sleeps the calling thread
 *   sys_delay_ms   the same (lwIP's old name)
 *   sys_thread_new starts a detached thread (stack size and priority are
 *                  accepted and ignored; the name is the thread's name)
 *   SYS_ARCH_DECL_PROTECT / SYS_ARCH_PROTECT / SYS_ARCH_UNPROTECT: one
 *                  process-wide recursive lock
 *
 * Missing: sys_sem_*, sys_mutex_*, sys_mbox_* (the stack does not need them
 * from applications; use the C library's threads), sys_timeout (use
 * tcpip_callback and a thread, or the socket timeouts).
 *
 * Threads: any. */
#ifndef LWNET_LWIP_SYS_H
#define LWNET_LWIP_SYS_H

#include "lwip/arch.h"
#include "lwip/err.h"

#ifdef __cplusplus
extern "C" {
#endif

u32_t sys_now(void);
u32_t sys_jiffies(void);
void sys_msleep(u32_t ms);
#define sys_delay_ms(ms) sys_msleep(ms)

typedef void (*lwip_thread_fn)(void *arg);
typedef struct lwnet_sys_thread *sys_thread_t;
/* Runs thread(arg) on a new detached thread. Returns a non-NULL handle, or
 * NULL when the thread cannot be created (lwIP's ports abort instead). */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize, int prio);

typedef int sys_prot_t;
sys_prot_t sys_arch_protect(void);
void sys_arch_unprotect(sys_prot_t pval);
#define SYS_ARCH_DECL_PROTECT(lev) sys_prot_t lev
#define SYS_ARCH_PROTECT(lev) lev = sys_arch_protect()
#define SYS_ARCH_UNPROTECT(lev) sys_arch_unprotect(lev)

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_SYS_H */
