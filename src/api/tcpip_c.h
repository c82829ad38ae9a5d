// The C++ side of <lwip/tcpip.h> (whose C functions src/api/tcpip.cpp
// implements over one process-wide TcpipThread): the default instance.
#pragma once

#include "lwip/tcpip.h"

#ifdef __cplusplus
#include "api/tcpip_thread.h"

namespace lwnet::api {
/* The default instance tcpip_init() made; nullptr before. Any thread. */
TcpipThread* default_tcpip();
}  // namespace lwnet::api
#endif
