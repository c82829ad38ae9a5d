// What the parts of the socket layer share (socket_layer.cpp: sockets and
// connections; socket_data.cpp: sending and receiving; socket_options.cpp: options, fcntl, ioctl;
// socket_select.cpp: readiness, select and poll): the socket record, the
// waiter and in-flight records, and small helpers. Private to src/api/.
#pragma once

#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include "api/socket_layer.h"
#include "api/socket_options.h"
#include "port/clock.h"
#include "port/wait.h"

namespace lwnet::api {

// A thread blocked in a call on a socket (or in select/poll on several):
// stack events wake it through its thread's Waker.
struct SocketLayer::Waiter {
  const Waker* waker = nullptr;
  Waiter* next = nullptr;
  // When set (wait_until): the waker is written only when this goes from
  // false to true, so a stream of events before the waiter looks again
  // costs one eventfd write, not one per event. The waiter clears it before
  // each look. Null (select/poll): every event writes.
  std::atomic<bool>* signalled = nullptr;
};

struct SocketLayer::Socket {
  std::mutex mutex;
  std::condition_variable idle;  // in_flight dropped to 0 while closing

  // Set while allocated (under table_mutex_), read after acquire().
  Kind kind = Kind::Free;
  int fd = -1;
  int type = 0;
  std::int32_t index = 0;

  // Under `mutex`.
  int in_flight = 0;
  bool closing = false;
  Waiter* waiters = nullptr;
  int pending_error = 0;  // SO_ERROR
  bool nonblocking = false;
  Duration receive_timeout = Duration::zero();  // zero: wait for ever
  Duration send_timeout = Duration::zero();
  bool shut_read = false;
  bool shut_write = false;

  // Core context only (read and written inside TcpipThread::call).
  TcpHandle tcp{};
  bool has_tcp = false;
  bool listening = false;
  bool connecting = false;
  UdpHandle udp{};
  RawHandle raw{};
  std::optional<IpEndpoint> bound;   // TCP: bind()'s address until listen/connect
  // TCP: the port bind() holds in the core until listen/connect/close.
  std::optional<TcpReservation> reservation;
  std::optional<IpEndpoint> peer;    // UDP, raw: connect()'s address
  SocketOptions options;
};

// A call in flight on a socket: released on every return path.
struct SocketLayer::Use {
  SocketLayer* layer = nullptr;
  Socket* socket = nullptr;
  Use() = default;
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  ~Use() {
    if (socket != nullptr) layer->release(*socket);
  }
};

namespace socket_detail {

inline int fail(int error) {
  errno = error;
  return -1;
}

// Each thread's own Waker and the WaitSet that sleeps on it, made once.
struct ThreadWait {
  Waker waker;
  WaitSet set;
  std::atomic<bool> signalled{false};  // see Waiter::signalled
  explicit ThreadWait(Waker w) : waker(std::move(w)), set(waker) {}
};

inline ThreadWait* thread_wait() {
  thread_local std::optional<ThreadWait> wait;
  if (!wait) {
    auto waker = Waker::create();
    if (!waker) return nullptr;
    wait.emplace(std::move(*waker));
  }
  return &*wait;
}

inline Instant deadline_after(Duration timeout, bool nonblocking) {
  if (nonblocking) return Instant::from_micros(0);
  if (timeout <= Duration::zero()) return Instant::max();
  return monotonic_now() + timeout;
}

inline std::optional<IpEndpoint> endpoint_from(const sockaddr* address, socklen_t length, int& error) {
  if (address == nullptr || length < static_cast<socklen_t>(sizeof(sockaddr_in))) {
    error = EINVAL;
    return std::nullopt;
  }
  sockaddr_in in{};
  std::memcpy(&in, address, sizeof in);
  if (in.sin_family != AF_INET) {
    error = EAFNOSUPPORT;
    return std::nullopt;
  }
  return IpEndpoint{IpAddress(Ipv4Address{ntohl(in.sin_addr.s_addr)}), ntohs(in.sin_port)};
}

inline void endpoint_to(const IpEndpoint& endpoint, sockaddr* address, socklen_t* length) {
  if (address == nullptr || length == nullptr) return;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(endpoint.port);
  in.sin_addr.s_addr = htonl(endpoint.address.is_v4() ? endpoint.address.v4().value : 0);
  std::memcpy(address, &in, std::min<std::size_t>(*length, sizeof in));
  *length = static_cast<socklen_t>(sizeof in);
}

// listen() or connect() released a bound socket's port to take it over and
// failed: the socket holds it again (it stays bound, as on Linux).
inline std::optional<TcpReservation> reserve_again(Stack& stack, const TcpReservation& released) {
  Result<TcpReservation> again = stack.tcp_reserve(released.local, true);
  return again ? std::optional<TcpReservation>(*again) : std::nullopt;
}

inline bool established_or_later(TcpState state) {
  return state != TcpState::Closed && state != TcpState::Listen && state != TcpState::SynSent &&
         state != TcpState::SynReceived;
}

}  // namespace socket_detail

// Defined here because the parts in several files wait with it.
template <class Ready>
int SocketLayer::wait_until(Socket& s, Instant deadline, Ready&& ready, bool closing_ends_wait,
                            Duration recheck) {
  socket_detail::ThreadWait* wait = socket_detail::thread_wait();
  if (wait == nullptr) return ENOMEM;
  Waiter waiter{&wait->waker, nullptr, &wait->signalled};
  add_waiter(s, waiter);
  int result = EAGAIN;
  while (true) {
    // An event after this writes the waker again; one before it is seen by
    // the look that follows (both run in core context, this one later).
    wait->signalled.store(false);
    result = tcpip_.call([&](Stack& stack, Instant now) -> int { return ready(stack, now); });
    if (result >= 0) break;
    if (closing_ends_wait) {
      std::lock_guard lock(s.mutex);
      if (s.closing) {
        result = EBADF;
        break;
      }
    }
    const Instant now = monotonic_now();
    if (now >= deadline) {
      result = EAGAIN;
      break;
    }
    // No spin here (TcpipConfig::spin_before_sleep): the event comes from
    // another application thread, which on a machine with few cores needs
    // the very CPU a spinning waiter would hold (measured: a 1-byte
    // ping-pong took 4x longer on 2 cores with this wait spinning too).
    auto waited = wait->set.wait(recheck > Duration::zero() ? std::min(deadline, now + recheck) : deadline);
    if (!waited) {
      result = waited.os_error().number();
      break;
    }
  }
  remove_waiter(s, waiter);
  return result;
}

}  // namespace lwnet::api
