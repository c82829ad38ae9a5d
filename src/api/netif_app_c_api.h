// What the C APIs that keep one app per netif (lwnet/dhcp.h, lwnet/dhcp6.h)
// share: their slot tables outliving static destruction, errno reporting,
// and the call into core context for a netif named by the caller.
#pragma once

#include <cerrno>
#include <optional>

#include "api/tcpip_c.h"
#include "core/stack.h"
#include "util/error.h"

namespace lwnet::api {

// Never destroyed: the default TCP/IP thread's stack lives until the
// process exits, and the apps must not detach from it during static
// destruction, when it may be gone already.
template <class T>
union Immortal {
  T value;
  Immortal() : value() {}
  ~Immortal() {}
};

// Sets errno and returns -1, the C API's failure. Any thread.
inline int fail_with_errno(int error) {
  errno = error;
  return -1;
}

// The errno for an app's refusal. Any thread.
inline int app_errno(Error e) {
  switch (e) {
    case Error::InvalidArgument: return EINVAL;
    case Error::TableFull:
    case Error::NoBuffers: return ENOMEM;
    case Error::AddressInUse: return EADDRINUSE;
    default: return EIO;
  }
}

// Runs f(stack, now, id) in core context for the netif called `ifname`
// (ENODEV when none, or its id is past `slots`); f returns an errno, 0 for
// success. Returns 0, or -1 with errno set (EINVAL for a null name, EAGAIN
// before tcpip_init()). Any thread but the TCP/IP thread.
template <class F>
int call_on_netif(const char* ifname, std::size_t slots, F&& f) {
  if (ifname == nullptr) return fail_with_errno(EINVAL);
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return fail_with_errno(EAGAIN);
  const int error = thread->call([&](Stack& stack, Instant now) -> int {
    const std::optional<NetifId> id = stack.netif_find(ifname);
    if (!id || id->value >= slots) return ENODEV;
    return f(stack, now, *id);
  });
  return error == 0 ? 0 : fail_with_errno(error);
}

}  // namespace lwnet::api
