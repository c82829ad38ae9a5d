// The lwip_* functions of <lwip/sockets.h>: lwnet sockets go to the default
// SocketLayer, every other descriptor to the C library.
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <memory>
#include <mutex>

#define LWIP_COMPAT_SOCKETS 0
#include "lwip/sockets.h"

#include "api/socket_layer.h"
#include "api/tcpip_c.h"

namespace lwnet::api {

namespace {
std::mutex default_layer_mutex;
std::unique_ptr<SocketLayer> default_layer;
std::atomic<SocketLayer*> default_layer_pointer{nullptr};
bool sockets_close_registered = false;
}  // namespace

void close_default_sockets();  // below; also lwnet_shutdown()'s (bring_up.cpp)

SocketLayer* default_sockets() {
  if (SocketLayer* layer = default_layer_pointer.load(std::memory_order_acquire)) return layer;
  TcpipThread* tcpip = default_tcpip();
  if (tcpip == nullptr) return nullptr;
  const std::lock_guard lock(default_layer_mutex);
  if (default_layer == nullptr) {
    // A program that returns from main with sockets open (without
    // lwnet_shutdown) must not have the TCP/IP thread's stack destroyed
    // first: the order of the two statics' destructors is not defined, but
    // a function registered now, after both were constructed, runs before them.
    if (!sockets_close_registered) {
      sockets_close_registered = std::atexit([] { close_default_sockets(); }) == 0;
    }
    default_layer = std::make_unique<SocketLayer>(*tcpip);
    default_layer_pointer.store(default_layer.get(), std::memory_order_release);
  }
  return default_layer.get();
}

void close_default_sockets() {
  const std::lock_guard lock(default_layer_mutex);
  default_layer_pointer.store(nullptr, std::memory_order_release);
  default_layer.reset();
}

namespace {

// The layer that owns `s`, or null for an OS descriptor (or before any
// lwnet socket exists).
SocketLayer* owner(int s) {
  SocketLayer* layer = default_layer_pointer.load(std::memory_order_acquire);
  return layer != nullptr && layer->owns(s) ? layer : nullptr;
}

// fcntl commands whose third argument is a pointer (the rest take an int).
bool fcntl_takes_pointer(int cmd) {
  switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
    case F_GETOWN_EX:
    case F_SETOWN_EX: return true;
    default: return false;
  }
}

}  // namespace
}  // namespace lwnet::api

using lwnet::api::owner;

extern "C" {

int lwip_socket(int domain, int type, int protocol) {
  lwnet::api::SocketLayer* layer = lwnet::api::default_sockets();
  if (layer == nullptr) {
    errno = ENETDOWN;  // no TCP/IP thread: tcpip_init() or lwnet_tap_up() first
    return -1;
  }
  return layer->socket(domain, type, protocol);
}
int lwip_bind(int s, const sockaddr* name, socklen_t namelen) {
  if (auto* l = owner(s)) return l->bind(s, name, namelen);
  return ::bind(s, name, namelen);
}
int lwip_listen(int s, int backlog) {
  if (auto* l = owner(s)) return l->listen(s, backlog);
  return ::listen(s, backlog);
}
int lwip_accept(int s, sockaddr* addr, socklen_t* addrlen) {
  if (auto* l = owner(s)) return l->accept(s, addr, addrlen);
  return ::accept(s, addr, addrlen);
}
int lwip_connect(int s, const sockaddr* name, socklen_t namelen) {
  if (auto* l = owner(s)) return l->connect(s, name, namelen);
  return ::connect(s, name, namelen);
}
int lwip_shutdown(int s, int how) {
  if (auto* l = owner(s)) return l->shutdown(s, how);
  return ::shutdown(s, how);
}
int lwip_close(int s) {
  if (auto* l = owner(s)) return l->close(s);
  return ::close(s);
}
int lwip_getsockname(int s, sockaddr* name, socklen_t* namelen) {
  if (auto* l = owner(s)) return l->getsockname(s, name, namelen);
  return ::getsockname(s, name, namelen);
}
int lwip_getpeername(int s, sockaddr* name, socklen_t* namelen) {
  if (auto* l = owner(s)) return l->getpeername(s, name, namelen);
  return ::getpeername(s, name, namelen);
}
int lwip_getsockopt(int s, int level, int optname, void* optval, socklen_t* optlen) {
  if (auto* l = owner(s)) return l->getsockopt(s, level, optname, optval, optlen);
  return ::getsockopt(s, level, optname, optval, optlen);
}
int lwip_setsockopt(int s, int level, int optname, const void* optval, socklen_t optlen) {
  if (auto* l = owner(s)) return l->setsockopt(s, level, optname, optval, optlen);
  return ::setsockopt(s, level, optname, optval, optlen);
}
ssize_t lwip_read(int s, void* mem, size_t len) {
  if (auto* l = owner(s)) return l->read(s, mem, len);
  return ::read(s, mem, len);
}
ssize_t lwip_readv(int s, const iovec* iov, int iovcnt) {
  if (auto* l = owner(s)) return l->readv(s, iov, iovcnt);
  return ::readv(s, iov, iovcnt);
}
ssize_t lwip_write(int s, const void* dataptr, size_t size) {
  if (auto* l = owner(s)) return l->write(s, dataptr, size);
  return ::write(s, dataptr, size);
}
ssize_t lwip_writev(int s, const iovec* iov, int iovcnt) {
  if (auto* l = owner(s)) return l->writev(s, iov, iovcnt);
  return ::writev(s, iov, iovcnt);
}
ssize_t lwip_recv(int s, void* mem, size_t len, int flags) {
  if (auto* l = owner(s)) return l->recv(s, mem, len, flags);
  return ::recv(s, mem, len, flags);
}
ssize_t lwip_recvfrom(int s, void* mem, size_t len, int flags, sockaddr* from, socklen_t* fromlen) {
  if (auto* l = owner(s)) return l->recvfrom(s, mem, len, flags, from, fromlen);
  return ::recvfrom(s, mem, len, flags, from, fromlen);
}
ssize_t lwip_recvmsg(int s, msghdr* message, int flags) {
  if (auto* l = owner(s)) return l->recvmsg(s, message, flags);
  return ::recvmsg(s, message, flags);
}
ssize_t lwip_send(int s, const void* dataptr, size_t size, int flags) {
  if (auto* l = owner(s)) return l->send(s, dataptr, size, flags);
  return ::send(s, dataptr, size, flags);
}
ssize_t lwip_sendto(int s, const void* dataptr, size_t size, int flags, const sockaddr* to, socklen_t tolen) {
  if (auto* l = owner(s)) return l->sendto(s, dataptr, size, flags, to, tolen);
  return ::sendto(s, dataptr, size, flags, to, tolen);
}
ssize_t lwip_sendmsg(int s, const msghdr* message, int flags) {
  if (auto* l = owner(s)) return l->sendmsg(s, message, flags);
  return ::sendmsg(s, message, flags);
}
int lwip_select(int maxfdp1, fd_set* readset, fd_set* writeset, fd_set* exceptset, timeval* timeout) {
  // The layer handles OS descriptors too, so a mixed set waits in one place.
  if (auto* l = lwnet::api::default_sockets()) return l->select(maxfdp1, readset, writeset, exceptset, timeout);
  return ::select(maxfdp1, readset, writeset, exceptset, timeout);
}
int lwip_poll(pollfd* fds, nfds_t nfds, int timeout) {
  if (auto* l = lwnet::api::default_sockets()) return l->poll(fds, nfds, timeout);
  return ::poll(fds, nfds, timeout);
}
int lwip_fcntl(int s, int cmd, ...) {
  va_list args;
  va_start(args, cmd);
  int result = 0;
  if (auto* l = owner(s)) {
    const int value = (cmd == F_SETFL) ? va_arg(args, int) : 0;
    result = l->fcntl(s, cmd, value);
  } else if (lwnet::api::fcntl_takes_pointer(cmd)) {
    result = ::fcntl(s, cmd, va_arg(args, void*));
  } else if (cmd == F_GETFL || cmd == F_GETFD || cmd == F_GETOWN || cmd == F_GETSIG ||
             cmd == F_GETLEASE || cmd == F_GETPIPE_SZ || cmd == F_GET_SEALS) {
    result = ::fcntl(s, cmd);
  } else {
    result = ::fcntl(s, cmd, va_arg(args, int));
  }
  va_end(args);
  return result;
}
int lwip_ioctl(int s, unsigned long cmd, ...) {
  va_list args;
  va_start(args, cmd);
  void* argument = va_arg(args, void*);
  va_end(args);
  if (auto* l = owner(s)) return l->ioctl(s, cmd, argument);
  return ::ioctl(s, cmd, argument);
}
const char* lwip_inet_ntop(int af, const void* src, char* dst, socklen_t size) {
  return ::inet_ntop(af, src, dst, size);
}
int lwip_inet_pton(int af, const char* src, void* dst) { return ::inet_pton(af, src, dst); }

}  // extern "C"
