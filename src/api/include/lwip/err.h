/* lwIP's <lwip/err.h> on lwnet: err_t and the error codes of lwIP 2.1 (the
 * values returned by tcpip_callback and the other lwIP-style C calls), and
 * lwip_strerr. Unlike lwIP, where lwip_strerr exists only in LWIP_DEBUG
 * builds, it is always a real function here.
 *
 * Threads: any. */
#ifndef LWNET_LWIP_ERR_H
#define LWNET_LWIP_ERR_H

#include "lwip/arch.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef s8_t err_t;

/* The values are lwIP 2.1's (enum err_enum_t there). */
typedef enum {
  ERR_OK = 0,           /* no error */
  ERR_MEM = -1,         /* out of memory (or a full mailbox) */
  ERR_BUF = -2,         /* buffer error */
  ERR_TIMEOUT = -3,     /* timed out */
  ERR_RTE = -4,         /* no route */
  ERR_INPROGRESS = -5,  /* operation in progress */
  ERR_VAL = -6,         /* illegal value */
  ERR_WOULDBLOCK = -7,  /* operation would block */
  ERR_USE = -8,         /* address in use */
  ERR_ALREADY = -9,     /* already connecting */
  ERR_ISCONN = -10,     /* already connected */
  ERR_CONN = -11,       /* not connected */
  ERR_IF = -12,         /* network interface error */
  ERR_ABRT = -13,       /* connection aborted */
  ERR_RST = -14,        /* connection reset */
  ERR_CLSD = -15,       /* connection closed */
  ERR_ARG = -16         /* illegal argument */
} err_enum_t;

/* A short English description of `err`; "unknown lwIP error" for a value
 * that is not one of the above. The string is static. */
const char *lwip_strerr(err_t err);

/* The errno value lwIP's socket layer reports for `err` (ERR_MEM -> ENOMEM,
 * ERR_RST -> ECONNRESET, ...); 0 for ERR_OK, EIO for an unknown value. */
int err_to_errno(err_t err);

#ifdef __cplusplus
}
#endif

#endif /* LWNET_LWIP_ERR_H */
