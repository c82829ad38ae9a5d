// lwip_strerr and err_to_errno of <lwip/err.h>.
#include <cerrno>

#include "lwip/err.h"

extern "C" {

const char* lwip_strerr(err_t err) {
  switch (err) {
    case ERR_OK: return "no error";
    case ERR_MEM: return "out of memory";
    case ERR_BUF: return "buffer error";
    case ERR_TIMEOUT: return "timed out";
    case ERR_RTE: return "no route to the destination";
    case ERR_INPROGRESS: return "operation in progress";
    case ERR_VAL: return "illegal value";
    case ERR_WOULDBLOCK: return "operation would block";
    case ERR_USE: return "address already in use";
    case ERR_ALREADY: return "already connecting";
    case ERR_ISCONN: return "already connected";
    case ERR_CONN: return "not connected";
    case ERR_IF: return "network interface error";
    case ERR_ABRT: return "connection aborted";
    case ERR_RST: return "connection reset";
    case ERR_CLSD: return "connection closed";
    case ERR_ARG: return "illegal argument";
    default: return "unknown lwIP error";
  }
}

int err_to_errno(err_t err) {
  switch (err) {
    case ERR_OK: return 0;
    case ERR_MEM: return ENOMEM;
    case ERR_BUF: return ENOBUFS;
    case ERR_TIMEOUT: return EWOULDBLOCK;
    case ERR_RTE: return EHOSTUNREACH;
    case ERR_INPROGRESS: return EINPROGRESS;
    case ERR_VAL: return EINVAL;
    case ERR_WOULDBLOCK: return EWOULDBLOCK;
    case ERR_USE: return EADDRINUSE;
    case ERR_ALREADY: return EALREADY;
    case ERR_ISCONN: return EISCONN;
    case ERR_CONN: return ENOTCONN;
    case ERR_IF: return EIO;
    case ERR_ABRT: return ECONNABORTED;
    case ERR_RST: return ECONNRESET;
    case ERR_CLSD: return ENOTCONN;
    case ERR_ARG: return EIO;
    default: return EIO;
  }
}

}  // extern "C"
