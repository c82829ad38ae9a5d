// What the parts of the socket layer share (socket_layer.cpp: sockets and
// connections; socket_data.cpp: sending and receiving; socket_options.cpp: options, fcntl, ioctl;
// socket_multicast6.cpp: the IPv6 multicast options; socket_select.cpp:
// readiness, select and poll): the socket record, the waiter and in-flight
// records, and small helpers. Private to src/api/.
#pragma once

#include <netinet/in.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

#include "api/socket_errors.h"
#include "api/socket_layer.h"
#include "api/socket_options.h"
#include "port/clock.h"
#include "port/wait.h"
#include "port/wake_flag.h"
#include "transport/port_binding.h"

namespace lwnet::api {

// Where a sleeping caller's look stands (Waiter::handover).
enum class SocketLayer::Handover : std::uint8_t {
  Idle,     // the thread runs or looks itself: events raise its flag
  Armed,    // the thread sleeps: an event queues its look for the TCP/IP thread
  Queued,   // in pending_handovers_, to run after the TCP/IP thread's current work
  Running,  // the TCP/IP thread runs the look now: the waiter must stay
  Done,     // the look finished the call: `result` is its answer
  Posted,   // the call's look is in the mailbox (SocketLayer::run_posted_look)
};

// A thread blocked in a call on a socket (or in select/poll on several):
// stack events wake it. Written by wake_all() under the socket's mutex, so
// it lives until remove_waiter().
struct SocketLayer::Waiter {
  Waiter* next = nullptr;
  // A blocking call on one socket (wait_until) sleeps on its flag.
  WakeFlag* flag = nullptr;
  // select/poll sleep on their thread's eventfd with OS descriptors, and
  // so does a blocking call that reads input itself
  // (TcpipThread::wait_reading_input): every event writes it.
  const Waker* waker = nullptr;
  // Who waits: a thread's own input pass does not wake it (it looks again
  // right after the pass).
  std::thread::id thread = std::this_thread::get_id();

  // The hand-over (message passing; a blocking call on one socket): while
  // the thread sleeps, an event makes the TCP/IP thread run the call's own
  // look for it (run_handovers), so that the thread wakes with its result
  // instead of waking to post the look again: one mailbox round trip less
  // for each blocking call that had to wait (accept, recv, send, connect).
  // `look` is null for waiters without it.
  int (*run_look)(void* look, Stack& stack, Instant now) = nullptr;
  void* look = nullptr;
  // Under the socket's mutex.
  Handover handover = Handover::Idle;
  bool again = false;          // an event came while the TCP/IP thread ran the look
  bool waits_for_run = false;  // the thread woke and waits for the look to end
  int result = 0;              // Handover::Done: what the look returned
};

// What a socket is known to lack (Socket::quiet).
enum class SocketLayer::Quiet : std::uint8_t {
  Unknown,
  NoData,        // an established connection with nothing to read, no end, no error
  NoConnection,  // a listener with nothing to accept
  Drained,       // a connection whose peer's end came and that has nothing left to read
};

struct SocketLayer::Socket {
  std::mutex mutex;
  std::condition_variable idle;  // in_flight dropped to 0 while closing

  // Set while allocated (under table_mutex_), read after acquire().
  Kind kind = Kind::Free;
  int fd = -1;
  int type = 0;
  int family = AF_INET;  // AF_INET6: addresses are sockaddr_in6, IPv4 peers mapped
  std::int32_t index = 0;

  // Under `mutex`.
  int in_flight = 0;
  bool closing = false;
  Waiter* waiters = nullptr;
  int pending_error = 0;  // SO_ERROR
  // A TCP connection's error (reset, timeout) is reported once, by the first
  // call that meets it (SO_ERROR, recv, send, connect), as Linux clears
  // sk_err: later calls see a connection that ended (recv 0, send EPIPE).
  bool connection_error_reported = false;
  bool nonblocking = false;
  Duration receive_timeout = Duration::zero();  // zero: wait for ever
  Duration send_timeout = Duration::zero();
  bool shut_read = false;
  bool shut_write = false;
  // What the last look in core context found, while no event has come
  // since (wake_all() forgets it): a non-blocking recv or accept then fails
  // with EAGAIN without asking the TCP/IP thread again (one mailbox round
  // trip less for the call that ends a select-driven read loop, under
  // message passing). Written in core context, under `mutex`. Blocking
  // calls look all the same: while they ask, the event they wait for is
  // often being processed (skipping that look cost ~10 % of connections/s
  // under message passing, with more context switches).
  Quiet quiet = Quiet::Unknown;

  // Posted sends (message passing; SocketLayer::try_post_send): a small
  // TCP send that the core is known to have room for is copied into a
  // message for the TCP/IP thread, and send() returns without waiting for
  // it to run. Under `mutex`. The room is what the last look in core
  // context found free in the connection's send buffer, less what was
  // posted since (remember_quiet sets it; an error or the connection's end
  // zeroes it, as does a change of SO_SNDBUF; acknowledgements only free
  // more than it counts). The core takes every posted byte: only posted
  // sends and sends that go to the core themselves (counted in
  // sends_waiting, which stops posting meanwhile) fill that buffer, and
  // messages run in the order posted.
  std::size_t send_room = 0;
  std::size_t posted_bytes = 0;  // posted, not yet run
  // Calls in the core that fill the send buffer or change what it takes
  // (send() that goes to the core itself, shutdown(SHUT_WR), SO_SNDBUF):
  // nothing is posted meanwhile (SendRoomHold).
  std::uint32_t sends_waiting = 0;

  // Early data (message passing; SocketLayer::take_early_data): when data
  // comes for a TCP socket that no call waits on, and all that is readable
  // fits here, the TCP/IP thread moves it out of the connection now, so
  // that the recv() that follows (a server's first recv after accept, a
  // recv after select) takes it without a trip through the mailbox. These
  // are the oldest bytes of the stream: every receive takes them before
  // the connection's. Filled in core context, taken by any thread; both
  // under `mutex` (the bytes are written before early_size says so).
  static constexpr std::size_t early_max = 128;
  std::uint16_t early_size = 0;
  std::array<std::uint8_t, early_max> early;

  // In pending_handovers_ (TCP/IP thread only; cleared when it is run,
  // not when the socket is freed, as the list may still hold it).
  bool handover_queued = false;

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

// Holds posted sends off (Socket::sends_waiting) for as long as it lives:
// made before a call that fills the send buffer or changes what it takes
// goes to the core. `forget_room`: the room the last look found is no
// longer known when the call has run (a smaller SO_SNDBUF).
class SocketLayer::SendRoomHold {
 public:
  SendRoomHold(Socket& socket, bool on, bool forget_room = false)
      : socket_(socket), on_(on), forget_room_(forget_room) {
    if (!on_) return;
    std::lock_guard lock(socket_.mutex);
    ++socket_.sends_waiting;
  }
  ~SendRoomHold() {
    if (!on_) return;
    std::lock_guard lock(socket_.mutex);
    if (forget_room_) socket_.send_room = 0;
    --socket_.sends_waiting;
  }
  SendRoomHold(const SendRoomHold&) = delete;
  SendRoomHold& operator=(const SendRoomHold&) = delete;

 private:
  Socket& socket_;
  const bool on_;
  const bool forget_room_;
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

// Each thread's own Waker and the WaitSet that sleeps on it, made once
// (select and poll).
struct ThreadWait {
  Waker waker;
  WaitSet set;
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

// A timeval (not negative) as a Duration, saturated far beyond any real
// wait (about 73,000 years), so that the clock plus it cannot overflow.
inline Duration duration_of(const timeval& tv) {
  constexpr std::int64_t max_seconds = std::numeric_limits<std::int64_t>::max() / 1000000 / 4;
  if (tv.tv_sec >= max_seconds) return Duration::micros(max_seconds * 1000000);
  return Duration::micros(std::int64_t{tv.tv_sec} * 1000000 + tv.tv_usec);
}

inline Instant deadline_after(Duration timeout, bool nonblocking) {
  if (nonblocking) return Instant::from_micros(0);
  if (timeout <= Duration::zero()) return Instant::max();
  return monotonic_now() + timeout;
}

// Interface indexes, as lwIP's netif_get_index() numbers them: the netif's
// id plus one, 0 meaning none (IP_PKTINFO's ipi_ifindex, ip_mreqn's
// imr_ifindex, sin6_scope_id). Any thread.
inline std::uint32_t interface_index(NetifId netif) { return std::uint32_t{netif.value} + 1U; }
inline std::optional<NetifId> netif_of_index(std::uint32_t index) {
  if (index == 0 || index > 256) return std::nullopt;
  return NetifId{static_cast<std::uint8_t>(index - 1U)};
}

// Option values (socket_options.cpp, socket_multicast6.cpp). An int, as
// most options take it; false when `length` is shorter.
inline bool read_int(const void* value, socklen_t length, int& out) {
  if (length < static_cast<socklen_t>(sizeof(int))) return false;
  std::memcpy(&out, value, sizeof out);
  return true;
}

inline void write_int(void* value, socklen_t* length, int v) {
  const std::size_t n = std::min<std::size_t>(*length, sizeof v);
  std::memcpy(value, &v, n);
  *length = static_cast<socklen_t>(n);
}

// IP_MULTICAST_TTL and IP_MULTICAST_LOOP take an int or, as on Linux, a
// single byte (ESP-IDF's IPV6_MULTICAST_* take a byte too).
inline bool read_int_or_byte(const void* value, socklen_t length, int& out) {
  if (length >= static_cast<socklen_t>(sizeof(int))) return read_int(value, length, out);
  if (length < 1) return false;
  unsigned char byte = 0;
  std::memcpy(&byte, value, 1);
  out = byte;
  return true;
}

// ... and answer in the size asked for: a byte when it is shorter than an int.
inline void write_int_or_byte(void* value, socklen_t* length, int v) {
  if (*length >= static_cast<socklen_t>(sizeof(int)) || *length == 0) {
    write_int(value, length, v);
    return;
  }
  const auto byte = static_cast<unsigned char>(v);
  std::memcpy(value, &byte, 1);
  *length = 1;
}

// The errno of a multicast option, as Linux gives them.
inline int multicast_errno(Error error) {
  switch (error) {
    case Error::NoBuffers:
    case Error::TableFull: return ENOBUFS;
    case Error::NoRoute: return ENODEV;
    default: return errno_of(error);
  }
}

// The IPv4-mapped IPv6 address (::ffff:a.b.c.d) of an IPv4 address: how an
// AF_INET6 socket shows its IPv4 peers. Any other address as it is.
inline IpAddress map_v4(const IpAddress& a) {
  if (!a.is_v4()) return a;
  Ipv6Address mapped{};
  mapped.octets[10] = 0xff;
  mapped.octets[11] = 0xff;
  const std::uint32_t v = a.v4().value;
  mapped.octets[12] = static_cast<std::uint8_t>(v >> 24);
  mapped.octets[13] = static_cast<std::uint8_t>(v >> 16);
  mapped.octets[14] = static_cast<std::uint8_t>(v >> 8);
  mapped.octets[15] = static_cast<std::uint8_t>(v);
  return mapped;
}

inline bool is_v4_mapped(const IpAddress& a) { return a.is_v6() && a.v6().is_v4_mapped(); }

// Linux's shortest sockaddr_in6 (RFC 2133's, without sin6_scope_id).
inline constexpr socklen_t sockaddr_in6_min_length = 24;

// An address argument of a socket of `family`, with Linux's errors: EINVAL
// for a null or short address, EAFNOSUPPORT for another family. An AF_INET6
// socket keeps IPv4-mapped addresses as they are (the core and the callers
// unmap them); `v4_on_v6`: an AF_INET6 datagram socket also takes a
// sockaddr_in (connect, sendto), as Linux's, as the mapped address.
inline std::optional<IpEndpoint> endpoint_from(const sockaddr* address, socklen_t length, int family,
                                               int& error, bool v4_on_v6 = false) {
  if (address == nullptr && length > 0) {  // Linux: memory that is not there
    error = EFAULT;
    return std::nullopt;
  }
  sa_family_t given = AF_UNSPEC;
  if (address != nullptr && length >= static_cast<socklen_t>(sizeof given)) {
    std::memcpy(&given, address, sizeof given);
  }
  if (family == AF_INET || (v4_on_v6 && given == AF_INET)) {
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
    const IpAddress v4(Ipv4Address{ntohl(in.sin_addr.s_addr)});
    return IpEndpoint{family == AF_INET ? v4 : map_v4(v4), ntohs(in.sin_port)};
  }
  if (address == nullptr || length < sockaddr_in6_min_length) {
    error = EINVAL;
    return std::nullopt;
  }
  sockaddr_in6 in6{};
  std::memcpy(&in6, address, std::min<std::size_t>(length, sizeof in6));
  if (in6.sin6_family != AF_INET6) {
    error = EAFNOSUPPORT;
    return std::nullopt;
  }
  Ipv6Address a{};
  std::memcpy(a.octets.data(), in6.sin6_addr.s6_addr, 16);
  IpEndpoint endpoint{IpAddress(a), ntohs(in6.sin6_port)};
  // The scope names the netif of a link-local address; Linux ignores it
  // for the others.
  if (a.is_link_local() || a.is_multicast()) endpoint.scope_id = in6.sin6_scope_id;
  return endpoint;
}

// Writes `endpoint` as the sockaddr of a socket of `family`: an AF_INET6
// socket shows IPv4 addresses mapped, and link-local ones with their scope.
// Linux's checks of an address a call writes back (before it writes):
// 0, or the errno. The length must be readable and not negative (as an
// int); the address may be null only when the length leaves it no room.
inline int check_address_out(const sockaddr* address, const socklen_t* length) {
  if (length == nullptr) return EFAULT;
  if (static_cast<int>(*length) < 0) return EINVAL;
  if (*length > 0 && address == nullptr) return EFAULT;
  return 0;
}

// The length of a socket address of `family`.
inline socklen_t address_length(int family) {
  return static_cast<socklen_t>(family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
}

inline void endpoint_to(const IpEndpoint& endpoint, int family, sockaddr* address, socklen_t* length) {
  if (address == nullptr || length == nullptr) return;
  if (family == AF_INET6) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(endpoint.port);
    const IpAddress a = map_v4(endpoint.address);
    std::memcpy(in6.sin6_addr.s6_addr, a.v6().octets.data(), 16);
    if (a.v6().is_link_local() || a.v6().is_multicast()) in6.sin6_scope_id = endpoint.scope_id;
    std::memcpy(address, &in6, std::min<std::size_t>(*length, sizeof in6));
    *length = static_cast<socklen_t>(sizeof in6);
    return;
  }
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(endpoint.port);
  in.sin_addr.s_addr = htonl(endpoint.address.is_v4() ? endpoint.address.v4().value : 0);
  std::memcpy(address, &in, std::min<std::size_t>(*length, sizeof in));
  *length = static_cast<socklen_t>(sizeof in);
}

// The wildcard address of a socket of `family`.
inline IpAddress any_address(int family) {
  return family == AF_INET6 ? IpAddress(Ipv6Address{}) : IpAddress(Ipv4Address{});
}

// Core context. The netif whose IPv6 addresses include `local` (a
// link-local address of ours), as a scope id; 0 when none has it.
inline std::uint32_t scope_of_local(Stack& stack, const IpAddress& local) {
  if (!local.is_v6() || !local.v6().is_link_local()) return 0;
  for (std::uint32_t index = 1; index <= config::max_netifs; ++index) {
    auto addresses = stack.ipv6_addresses(*netif_of_index(index));
    if (!addresses) continue;
    for (const Ipv6NetifAddress& a : *addresses) {
      if (a.state != Ipv6AddressState::Invalid && a.address == local.v6()) return index;
    }
  }
  return 0;
}

// Whether an IPv6 address names no link without a scope id, as Linux's
// __ipv6_addr_needs_scope_id: link-local unicast, and multicast groups of
// interface or link scope. Any thread.
inline bool needs_scope_id(const Ipv6Address& a) {
  const unsigned group_scope = a.octets[1] & 0x0fU;
  return a.is_link_local() || (a.is_multicast() && (group_scope == 1 || group_scope == 2));
}

// listen() or connect() released a bound socket's port to take it over and
// failed: the socket holds it again (it stays bound, as on Linux).
inline std::optional<TcpReservation> reserve_again(Stack& stack, const TcpReservation& released,
                                                   bool v6only) {
  Result<TcpReservation> again = stack.tcp_reserve(released.local, true, v6only);
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
                            Duration recheck, Quiet awaited) {
  // Core locking with input (the host preset): the waiting thread sleeps on
  // the devices too and processes the input that wakes it, so its event
  // needs no hand-over from the TCP/IP thread (one wake-up instead of two).
  // Otherwise it sleeps on a futex flag that events raise.
  const bool reads_input = tcpip_.callers_read_input();
  socket_detail::ThreadWait* wait = reads_input ? socket_detail::thread_wait() : nullptr;
  if (reads_input && wait == nullptr) return ENOMEM;
  WakeFlag flag;
  Waiter waiter;
  if (reads_input) {
    waiter.waker = &wait->waker;
  } else {
    waiter.flag = &flag;
  }
  const bool remember = awaited != Quiet::Unknown;
  auto look = [&](Stack& stack, Instant now) -> int {
    const int r = ready(stack, now);
    if (remember) remember_quiet(s, stack);
    return r;
  };
  const bool hand_over = !reads_input && message_passing_;
  if (hand_over) {
    waiter.run_look = [](void* context, Stack& stack, Instant now) -> int {
      return (*static_cast<decltype(look)*>(context))(stack, now);
    };
    waiter.look = &look;
  }
  add_waiter(s, waiter);
  // Message passing, a call that may wait: its look goes to the TCP/IP
  // thread as a message that, when it finds nothing, arms the hand-over
  // there and then (run_posted_look); the caller waits for its flag, and
  // wakes once, with the answer, instead of once for the look's "not yet"
  // and again for the answer. Not in core context (the TCP/IP thread
  // could not run the message) and not for waits that closing does not
  // end (a lingering close).
  const bool post_looks = hand_over && closing_ends_wait && !tcpip_.in_core_context();
  bool owes_wake = false;  // wait_reading_input's, until the wait ends
  int result = EAGAIN;
  while (true) {
    // An event after this raises the flag again; one before it is seen by
    // the look that follows (both run in core context, this one later).
    // (The eventfd is not cleared: a wake left from before only costs one
    // more look.)
    flag.reset();
    // Posted with its hand-over, the look has slept already when it comes
    // back without an answer (-1).
    std::optional<int> posted;
    if (post_looks && monotonic_now() < deadline) posted = post_look(s, waiter, flag, deadline, recheck);
    // nullopt: not posted, or the thread is not running (call() then runs the look inline).
    result = posted ? *posted : tcpip_.call(look);
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
    if (posted) continue;
    // No spin here (TcpipConfig::spin_before_sleep): the event comes from
    // another application thread, which on a machine with few cores needs
    // the very CPU a spinning waiter would hold (measured: a 1-byte
    // ping-pong took 4x longer on 2 cores with this wait spinning too).
    const Instant until = recheck > Duration::zero() ? std::min(deadline, now + recheck) : deadline;
    if (reads_input) {
      const OsResult<bool> waited = tcpip_.wait_reading_input(wait->waker, until, owes_wake);
      if (!waited) {
        result = waited.os_error().number();
        break;
      }
    } else {
      if (hand_over) arm_handover(s, waiter);
      (void)flag.sleep(until);
      if (hand_over) {
        if (const std::optional<int> done = disarm_handover(s, waiter, flag)) {
          result = *done;
          break;
        }
      }
    }
  }
  tcpip_.end_reader_waits(owes_wake);
  remove_waiter(s, waiter);
  return result;
}

}  // namespace lwnet::api
