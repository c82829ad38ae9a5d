// Sockets: the table, creating and closing them, addresses, TCP
// connections. Waiting and the stack's events are in socket_events.cpp,
// data in socket_data.cpp, options in socket_options.cpp, select/poll in
// socket_select.cpp.
#include "api/socket_layer.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <vector>

#include "api/socket_errors.h"
#include "api/socket_internal.h"

namespace lwnet::api {

using namespace socket_detail;

SocketLayer::SocketLayer(TcpipThread& tcpip, std::size_t max_sockets)
    : tcpip_(tcpip),
      max_sockets_(max_sockets),
      sockets_(std::make_unique<Socket[]>(max_sockets)),
      by_descriptor_(std::make_unique<std::atomic<std::uint16_t>[]>(FD_SETSIZE)),
      message_passing_(!tcpip.config().core_locking) {
  for (std::size_t i = 0; i < max_sockets_; ++i) sockets_[i].index = static_cast<std::int32_t>(i);
  free_sockets_.store(max_sockets_);
  if (message_passing_) pending_handovers_.reserve(max_sockets_);
  tcpip_.call([this](Stack& stack, Instant) {
    if (message_passing_) tcpip_.set_work_hook(&SocketLayer::run_handovers_hook, this);
    stack.set_tcp_event_callback(&SocketLayer::on_tcp_event, this);
    stack.set_udp_event_callback(&SocketLayer::on_udp_event, this);
    stack.set_raw_event_callback(&SocketLayer::on_raw_event, this);
  });
}

SocketLayer::~SocketLayer() {
  for (int fd = 0; fd < FD_SETSIZE; ++fd) {
    if (by_descriptor_[static_cast<std::size_t>(fd)].load() != 0) {
      {
        // Abort rather than linger: the layer is going away.
        Use use;
        if (acquire(fd, use)) {
          tcpip_.call([&](Stack&, Instant) { use.socket->options.linger_abort = true; });
        }
      }
      (void)close(fd);
    }
  }
  tcpip_.call([this](Stack& stack, Instant) {
    if (message_passing_) tcpip_.set_work_hook(nullptr, nullptr);
    stack.set_tcp_event_callback(nullptr, nullptr);
    stack.set_udp_event_callback(nullptr, nullptr);
    stack.set_raw_event_callback(nullptr, nullptr);
  });
}

bool SocketLayer::owns(int fd) const {
  return fd >= 0 && fd < FD_SETSIZE && by_descriptor_[static_cast<std::size_t>(fd)].load() != 0;
}

std::size_t SocketLayer::open_count() const {
  std::lock_guard lock(table_mutex_);
  std::size_t n = 0;
  // A socket being closed is not open (close() may have returned while its
  // posted message waits in the mailbox). Both fields change under the
  // table lock.
  for (std::size_t i = 0; i < max_sockets_; ++i) {
    n += sockets_[i].kind != Kind::Free && !sockets_[i].closing ? 1U : 0U;
  }
  return n;
}

bool SocketLayer::acquire(int fd, Use& use) {
  if (fd < 0 || fd >= FD_SETSIZE) return false;
  std::lock_guard table(table_mutex_);
  const std::uint16_t entry = by_descriptor_[static_cast<std::size_t>(fd)].load();
  if (entry == 0) return false;
  Socket& s = sockets_[entry - 1U];
  std::lock_guard lock(s.mutex);
  if (s.closing || s.kind == Kind::Free) return false;
  ++s.in_flight;
  use.layer = this;
  use.socket = &s;
  return true;
}

void SocketLayer::release(Socket& s) {
  std::lock_guard lock(s.mutex);
  if (--s.in_flight == 0 && s.closing) s.idle.notify_all();
}

// ---- Creating and closing ----------------------------------------------------

int SocketLayer::socket(int domain, int type, int protocol) {
  // A family this build compiled out is no family at all.
  if (!(domain == AF_INET && config::ipv4) && !(domain == AF_INET6 && config::ipv6)) {
    return fail(EAFNOSUPPORT);
  }
  const bool nonblocking = (type & SOCK_NONBLOCK) != 0;
  const int base_type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  Kind kind = Kind::Free;
  // ESP-IDF's IPv6 examples ask for protocol IPPROTO_IPV6, which lwIP
  // ignores for TCP and UDP: taken here too, so they run unchanged.
  const bool esp_idf_v6 = domain == AF_INET6 && protocol == IPPROTO_IPV6;
  if (base_type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP || esp_idf_v6)) {
    kind = Kind::Tcp;
  } else if (base_type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP || esp_idf_v6)) {
    kind = Kind::Udp;
  } else if (base_type == SOCK_RAW && ((protocol == IPPROTO_ICMP && domain == AF_INET) ||
                                       (protocol == IPPROTO_ICMPV6 && domain == AF_INET6))) {
    kind = Kind::Raw;
  } else if (base_type == SOCK_STREAM || base_type == SOCK_DGRAM || base_type == SOCK_RAW) {
    return fail(EPROTONOSUPPORT);
  } else {
    return fail(EINVAL);
  }
  // Closes posted by this thread (close() under message passing) still in
  // the mailbox hold their sockets and descriptor numbers: when the table
  // or the descriptors look full, they are waited for (one empty call runs
  // after them), so that a closed socket is free again at once. Whether any
  // is posted is read before the first try: read after it, a close that
  // ran in between (its socket freed just after the try looked) would read
  // as none posted, and the socket() would fail on a table with room.
  const bool closes_were_posted = closes_in_mailbox_.load(std::memory_order_acquire) != 0;
  const auto wait_for_posted_closes = [&] {
    if (!closes_were_posted) return false;
    if (closes_in_mailbox_.load(std::memory_order_acquire) != 0) tcpip_.call([](Stack&, Instant) {});
    return true;
  };
  // The descriptor number: a real OS descriptor, so it is nobody else's.
  int fd = ::eventfd(0, EFD_CLOEXEC);
  if (((fd < 0 && errno == EMFILE) || fd >= FD_SETSIZE) && wait_for_posted_closes()) {
    if (fd >= 0) ::close(fd);
    fd = ::eventfd(0, EFD_CLOEXEC);
  }
  if (fd < 0) return -1;
  if (fd >= FD_SETSIZE) {
    ::close(fd);
    return fail(EMFILE);
  }
  Socket* s = claim_free_socket(fd, kind, base_type, nonblocking, domain);
  if (s == nullptr && wait_for_posted_closes()) s = claim_free_socket(fd, kind, base_type, nonblocking, domain);
  if (s == nullptr) {
    ::close(fd);
    return fail(ENFILE);  // CONFIG_LWIP_MAX_SOCKETS sockets are open
  }
  int error = 0;
  tcpip_.call([&](Stack& stack, Instant) {
    s->has_tcp = false;
    s->listening = s->connecting = false;
    s->bound.reset();
    s->reservation.reset();
    s->peer.reset();
    s->options = SocketOptions{};
    if (kind == Kind::Udp) {
      auto opened = stack.udp_open();
      if (!opened) {
        error = opened.error() == Error::TableFull ? ENFILE : errno_of(opened.error());
        return;
      }
      s->udp = *opened;
      // The handle was opened in this very call: it cannot be stale.
      static_cast<void>(stack.udp_set_user_data(s->udp, s));
    } else if (kind == Kind::Raw) {
      auto opened = stack.raw_open(static_cast<std::uint8_t>(protocol));
      if (!opened) {
        error = opened.error() == Error::TableFull ? ENFILE : errno_of(opened.error());
        return;
      }
      s->raw = *opened;
      // The handle was opened in this very call: it cannot be stale.
      static_cast<void>(stack.raw_set_user_data(s->raw, s));
    }
  });
  if (error != 0) {
    free_socket(*s);
    return fail(error);
  }
  by_descriptor_[static_cast<std::size_t>(fd)].store(static_cast<std::uint16_t>(s->index + 1));
  return fd;
}

void SocketLayer::free_socket(Socket& s) {
  const int fd = s.fd;
  // The number goes back to the OS while the table still names this
  // (closing) socket: a second close() of it meanwhile is EBADF here
  // rather than a close() of whatever file the OS gives the number next.
  // A socket() or accept() that gets the number again writes its own
  // entry (without the table's mutex), which the exchange leaves alone.
  ::close(fd);
  std::lock_guard table(table_mutex_);
  if (fd >= 0 && fd < FD_SETSIZE) {
    auto expected = static_cast<std::uint16_t>(s.index + 1);
    by_descriptor_[static_cast<std::size_t>(fd)].compare_exchange_strong(expected, 0);
  }
  std::lock_guard lock(s.mutex);
  s.kind = Kind::Free;
  s.fd = -1;
  free_sockets_.fetch_add(1);
}

struct SocketLayer::PostedClose {
  SocketLayer* layer = nullptr;
  Socket* socket = nullptr;
};

int SocketLayer::close(int fd) {
  Socket* s = nullptr;
  Quiet quiet_at_close = Quiet::Unknown;
  {
    std::lock_guard table(table_mutex_);
    if (fd < 0 || fd >= FD_SETSIZE) return fail(EBADF);
    const std::uint16_t entry = by_descriptor_[static_cast<std::size_t>(fd)].load();
    if (entry == 0) return fail(EBADF);
    s = &sockets_[entry - 1U];
    std::lock_guard lock(s->mutex);
    // Closed already (its release may still wait in the mailbox).
    if (s->closing) return fail(EBADF);
    // No new call can use it from here on (acquire() fails: EBADF), and the
    // descriptor stays this layer's until free_socket() closes its number,
    // so that no call on it goes to the C library meanwhile.
    s->closing = true;
    quiet_at_close = s->quiet;  // before wake_all() forgets it
    wake_all(*s);
  }
  {
    // ESP-IDF's promise: close() returns once calls in flight on the socket
    // (woken above, they fail with EBADF) have returned.
    std::unique_lock lock(s->mutex);
    s->idle.wait(lock, [&] { return s->in_flight == 0; });
  }
  // Under message passing close() does not wait for the TCP/IP thread
  // (a wake-up less per connection on a thread that serves one after
  // another: closes_posted()) when its effects can wait too: not when
  // SO_LINGER asks it to wait, and for TCP only where the last look found
  // nothing unread (a close with unread data resets the connection, which
  // the peer, perhaps in this very process, should see by the time
  // close() returns, as on Linux) and no connection to refuse.
  bool may_post = message_passing_ && !tcpip_.in_core_context();
  if (may_post && s->kind == Kind::Tcp) {
    std::lock_guard lock(s->mutex);
    may_post = !(s->options.linger && !s->options.linger_abort) && s->early_size == 0 &&
               (quiet_at_close == Quiet::NoData || quiet_at_close == Quiet::Drained ||
                quiet_at_close == Quiet::NoConnection);
  }
  if (may_post) {
    auto posted = std::make_unique<PostedClose>(PostedClose{this, s});
    closes_in_mailbox_.fetch_add(1, std::memory_order_relaxed);
    if (tcpip_.post(&run_posted_close, posted.get())) {
      (void)posted.release();  // run_posted_close owns it now
      closes_posted_.fetch_add(1, std::memory_order_relaxed);
      return 0;
    }
    closes_in_mailbox_.fetch_sub(1, std::memory_order_relaxed);  // not running: the call below runs inline
  }
  // One trip to the TCP/IP thread unless SO_LINGER makes close() wait.
  int linger_seconds = 0;
  const bool lingering = tcpip_.call([&](Stack& stack, Instant now) {
    if (start_linger(*s, stack, now, linger_seconds)) return true;
    release_endpoint(*s, stack, now, false);
    return false;
  });
  if (lingering) {
    const bool reset = !linger_wait(*s, linger_seconds);
    tcpip_.call([&](Stack& stack, Instant now) { release_endpoint(*s, stack, now, reset); });
  }
  free_socket(*s);
  return 0;
}

void SocketLayer::run_posted_close(void* context) {
  const std::unique_ptr<PostedClose> posted(static_cast<PostedClose*>(context));
  SocketLayer& layer = *posted->layer;
  layer.release_endpoint(*posted->socket, layer.tcpip_.stack(), monotonic_now(), false);
  layer.free_socket(*posted->socket);
  layer.closes_in_mailbox_.fetch_sub(1, std::memory_order_release);
  if (layer.accepts_short_of_room_) {
    layer.accepts_short_of_room_ = false;
    layer.wake_listeners();
  }
}

void SocketLayer::wake_listeners() {
  for (std::size_t i = 0; i < max_sockets_; ++i) {
    Socket& s = sockets_[i];
    std::lock_guard lock(s.mutex);
    if (s.kind == Kind::Tcp && s.listening && s.waiters != nullptr) wake_all(s);
  }
}

void SocketLayer::release_endpoint(Socket& s, Stack& stack, Instant now, bool reset) {
  if (s.kind == Kind::Udp) {
    stack.udp_close(s.udp);
  } else if (s.kind == Kind::Raw) {
    stack.raw_close(s.raw);
  } else if (s.reservation) {
    stack.tcp_release(*s.reservation);
    s.reservation.reset();
  } else if (s.has_tcp) {
    if (s.tcp.listener) {
      stack.tcp_close(s.tcp, now);
    } else {
      bool unread_early_data = false;
      {
        std::lock_guard lock(s.mutex);
        unread_early_data = s.early_size > 0;
        s.early_size = 0;
      }
      // Closing with unread data resets the connection (the core does so for
      // data it holds; early data is unread data too).
      if (s.options.linger_abort || reset || unread_early_data) {
        stack.tcp_abort(s.tcp, now);
      } else {
        stack.tcp_close(s.tcp, now);
      }
    }
    s.has_tcp = false;
  }
}

bool SocketLayer::start_linger(Socket& s, Stack& stack, Instant now, int& seconds) {
  if (s.kind != Kind::Tcp || !s.has_tcp || s.tcp.listener || !s.options.linger || s.options.linger_abort) {
    return false;
  }
  const TcpConnection* c = stack.tcp_connection(s.tcp);
  if (c == nullptr || !established_or_later(c->state())) return false;
  seconds = s.options.linger_seconds;
  (void)stack.tcp_shutdown(s.tcp, now);  // the FIN follows the queued data
  return true;
}

bool SocketLayer::linger_wait(Socket& s, int seconds) {
  // Done once the peer acknowledged the data and our FIN; as lwIP does, a
  // connection still holding unacknowledged data when the time is up is
  // reset rather than left to finish in the background.
  const int result = wait_until(
      s, monotonic_now() + Duration::seconds(seconds),
      [&](Stack& stack, Instant) -> int {
        const TcpConnection* c = stack.tcp_connection(s.tcp);
        if (c == nullptr || c->error()) return 0;
        const TcpState st = c->state();
        const bool fin_acknowledged =
            st == TcpState::FinWait2 || st == TcpState::TimeWait || st == TcpState::Closed;
        return fin_acknowledged && c->unacknowledged_or_unsent() == 0 ? 0 : -1;
      },
      false, Duration::millis(10));
  return result == 0;
}

// ---- Addresses -----------------------------------------------------------------

int SocketLayer::bind(int fd, const sockaddr* address, socklen_t length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  int error = 0;
  Socket& s = *use.socket;
  auto local = endpoint_from(address, length, s.family, error);
  if (!local) return fail(error);
  error = tcpip_.call([&](Stack& stack, Instant) -> int {
    std::optional<NetifId> scope_netif;
    if (s.kind != Kind::Raw) {
      if (const int bad = link_of_scoped_bind(stack, s, *local, scope_netif); bad != 0) return bad;
    }
    if (s.kind == Kind::Udp) {
      // A mapped address binds as IPv4: none of them with IPV6_V6ONLY.
      if (is_v4_mapped(local->address) && s.options.tcp.ip.v6only) return EADDRNOTAVAIL;
      Status bound = stack.udp_bind(s.udp, *local);
      if (!bound) return errno_of(bound.error());
      if (scope_netif) bind_to_scope_netif(stack, s, *scope_netif);
      return 0;
    }
    if (s.kind == Kind::Raw) {
      // As Linux: a link-local address, or a group of link or interface
      // scope, names no link without a scope id.
      if (local->address.is_v6() && local->scope_id == 0 && needs_scope_id(local->address.v6())) return EINVAL;
      Status bound = stack.raw_bind(s.raw, local->address);
      if (!bound) return errno_of(bound.error());
      s.bound = IpEndpoint{local->address, 0};
      return 0;
    }
    if (s.bound || s.has_tcp) return EINVAL;  // bound already
    // The connection and the listener keep IPv4 addresses as IPv4 (so does
    // the core for a dual-stack listener's connections).
    if (is_v4_mapped(local->address)) {
      if (s.options.tcp.ip.v6only) return EADDRNOTAVAIL;
      local->address = unmap_v4(local->address);
    }
    // As Linux: the port is taken now (port 0: an ephemeral one, which
    // getsockname() shows), and a clash fails here, not at listen/connect.
    auto reserved = stack.tcp_reserve(*local, s.options.reuse_address, s.options.tcp.ip.v6only);
    if (!reserved) return reserved.error() == Error::TableFull ? ENOBUFS : errno_of(reserved.error());
    s.reservation = *reserved;
    s.bound = reserved->local;
    if (scope_netif) bind_to_scope_netif(stack, s, *scope_netif);
    return 0;
  });
  return error == 0 ? 0 : fail(error);
}

// As Linux's inet6_bind: a UDP or TCP bind() to an address that needs a
// scope id (needs_scope_id) takes the link from the scope id, which then
// binds the socket to that netif as SO_BINDTODEVICE would (`netif` is set
// for bind_to_scope_netif), or from the device the socket is bound to
// already; without either it is EINVAL, a scope id of no netif is ENODEV,
// and a unicast address must be one of the link's (EADDRNOTAVAIL).
int SocketLayer::link_of_scoped_bind(Stack& stack, const Socket& s, const IpEndpoint& local,
                                     std::optional<NetifId>& netif) {
  if (!local.address.is_v6() || !needs_scope_id(local.address.v6())) return 0;
  std::optional<NetifId> link;
  if (local.scope_id != 0) {
    link = netif_of_index(local.scope_id);
    if (!link || !stack.netif_info(*link)) return ENODEV;
    netif = link;
  } else if (s.options.device[0] != '\0') {
    link = stack.netif_find(s.options.device.data());
    if (!link) return ENODEV;
  } else {
    return EINVAL;
  }
  if (local.address.v6().is_multicast()) return 0;
  auto addresses = stack.ipv6_addresses(*link);
  if (addresses) {
    for (const Ipv6NetifAddress& a : *addresses) {
      if (a.state != Ipv6AddressState::Invalid && a.address == local.address.v6()) return 0;
    }
  }
  return EADDRNOTAVAIL;
}

// Core context, after a bind() that named a scope id: the socket is bound to
// the netif as by SO_BINDTODEVICE (getsockopt names it).
void SocketLayer::bind_to_scope_netif(Stack& stack, Socket& s, NetifId netif) {
  if (s.kind == Kind::Udp) {
    (void)stack.udp_bind_netif(s.udp, netif);
  } else {
    s.options.tcp.ip.netif = netif;
  }
  if (auto info = stack.netif_info(netif)) s.options.device = info->name;
}

int SocketLayer::getsockname(int fd, sockaddr* address, socklen_t* length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (const int bad = check_address_out(address, length); bad != 0) return fail(bad);
  Socket& s = *use.socket;
  // No room for an address: Linux only tells its length.
  if (address == nullptr) {
    *length = address_length(s.family);
    return 0;
  }
  const IpEndpoint local = tcpip_.call([&](Stack& stack, Instant) -> IpEndpoint {
    IpEndpoint l{any_address(s.family), 0};
    if (s.kind == Kind::Udp) {
      // No port but an address bind() named: disconnect() gave the port
      // back and kept the address, which Linux shows with port 0.
      auto bound = stack.udp_local(s.udp);
      if (bound && (bound->port != 0 || !bound->address.is_unspecified())) l = *bound;
    } else if (s.has_tcp && !s.tcp.listener) {
      if (const TcpConnection* c = stack.tcp_connection(s.tcp)) l = c->local();
    } else if (s.bound) {
      l = *s.bound;
    }
    l.scope_id = scope_of_local(stack, l.address);
    return l;
  });
  endpoint_to(local, s.family, address, length);
  return 0;
}

int SocketLayer::getpeername(int fd, sockaddr* address, socklen_t* length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  Socket& s = *use.socket;
  const std::optional<IpEndpoint> peer = tcpip_.call([&](Stack& stack, Instant) -> std::optional<IpEndpoint> {
    if (s.kind == Kind::Udp || s.kind == Kind::Raw) return s.peer;
    if (s.has_tcp && !s.tcp.listener) {
      const TcpConnection* c = stack.tcp_connection(s.tcp);
      if (c != nullptr && established_or_later(c->state())) {
        // A link-local peer is on the netif of our own link-local address.
        IpEndpoint remote = c->remote();
        if (remote.address.is_v6() && remote.address.v6().is_link_local()) {
          remote.scope_id = scope_of_local(stack, c->local().address);
        }
        return remote;
      }
    }
    return std::nullopt;
  });
  if (!peer) return fail(ENOTCONN);
  // Looked at once there is a peer, as Linux does.
  if (const int bad = check_address_out(address, length); bad != 0) return fail(bad);
  if (address == nullptr) {
    *length = address_length(s.family);  // no room: only the length
    return 0;
  }
  endpoint_to(*peer, s.family, address, length);
  return 0;
}

Status SocketLayer::bind_v6_wildcard(Socket& s, Stack& stack) {
  if (s.family != AF_INET6 || s.kind != Kind::Udp) return {};
  Result<IpEndpoint> local = stack.udp_local(s.udp);
  if (!local || local->port != 0) return {};
  return stack.udp_bind(s.udp, IpEndpoint{IpAddress(Ipv6Address{}), 0});
}

bool SocketLayer::v6only_refuses(const Socket& s, const IpEndpoint& remote) {
  return s.family == AF_INET6 && s.options.tcp.ip.v6only && is_v4_mapped(remote.address);
}

// ---- TCP: listen, accept, connect, shutdown ------------------------------------

int SocketLayer::listen(int fd, int backlog) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  Socket& s = *use.socket;
  if (s.kind != Kind::Tcp) return fail(EOPNOTSUPP);
  const int error = tcpip_.call([&](Stack& stack, Instant) -> int {
    if (s.listening) return 0;
    if (s.has_tcp) return EINVAL;  // connected or connecting
    if (!s.reservation) {
      // Unbound: an ephemeral port, as Linux.
      auto reserved = stack.tcp_reserve(IpEndpoint{any_address(s.family), 0}, s.options.reuse_address,
                                        s.options.tcp.ip.v6only);
      if (!reserved) return reserved.error() == Error::TableFull ? ENOBUFS : errno_of(reserved.error());
      s.reservation = *reserved;
      s.bound = reserved->local;
    }
    // The listener takes the port over from the reservation.
    stack.tcp_release(*s.reservation);
    auto listener = stack.tcp_listen(s.reservation->local, static_cast<std::size_t>(std::max(backlog, 0)),
                                     s.options.reuse_address, &s.options.tcp);
    if (!listener) {
      s.reservation = reserve_again(stack, *s.reservation, s.options.tcp.ip.v6only);
      return listener.error() == Error::TableFull ? ENOBUFS : errno_of(listener.error());
    }
    s.reservation.reset();
    s.tcp = *listener;
    s.has_tcp = true;
    s.listening = true;
    // The handle was opened in this very call: it cannot be stale.
    static_cast<void>(stack.tcp_set_user_data(s.tcp, &s));
    return 0;
  });
  return error == 0 ? 0 : fail(error);
}

int SocketLayer::accept(int fd, sockaddr* address, socklen_t* length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  Socket& s = *use.socket;
  if (s.kind != Kind::Tcp) return fail(EOPNOTSUPP);
  Instant deadline;
  {
    std::lock_guard lock(s.mutex);
    // Known to have nothing to accept (Socket::quiet).
    if (s.nonblocking && s.quiet == Quiet::NoConnection) return fail(EAGAIN);
    deadline = deadline_after(s.receive_timeout, s.nonblocking);
  }
  std::optional<IpEndpoint> peer;
  int new_fd = -1;
  Socket* n = nullptr;
  // The accepted connection gets its socket in the same trip to the TCP/IP
  // thread that takes it from the queue. Not listening: EINVAL from the
  // first look, before any wait.
  int error = wait_until(s, deadline, [&](Stack& stack, Instant now) -> int {
    if (!s.listening) return EINVAL;
    // An address without its length (EFAULT) or with a negative one
    // (EINVAL): refused once there is a connection, as on Linux, but it
    // stays queued for the next accept() (Linux loses it).
    if (address != nullptr) {
      if (const int bad = check_address_out(address, length); bad != 0) {
        return stack.tcp_pending_accepts(s.tcp) > 0 ? bad : -1;
      }
    }
    // A full table whose closes still wait in the mailbox (closes_posted())
    // is not full for long: the connection waits for the first of them
    // rather than being reset (the thread that closed has seen close()
    // return 0 already).
    if (free_sockets_.load() == 0 && closes_in_mailbox_.load(std::memory_order_acquire) > 0) {
      accepts_short_of_room_ = true;
      accepts_held_for_room_.fetch_add(1, std::memory_order_relaxed);
      return -1;
    }
    auto h = stack.tcp_accept(s.tcp);
    if (!h) return h.error() == Error::WouldBlock ? -1 : errno_of(h.error());
    new_fd = ::eventfd(0, EFD_CLOEXEC);
    const int no_descriptor = new_fd < 0 ? errno : EMFILE;
    n = new_fd >= 0 && new_fd < FD_SETSIZE ? claim_free_socket(new_fd, Kind::Tcp, SOCK_STREAM, false, s.family)
                                           : nullptr;
    if (n == nullptr) {
      // No socket for it: the connection is reset, as lwIP does when its
      // socket table is full.
      stack.tcp_abort(*h, now);
      if (new_fd >= 0) ::close(new_fd);
      return new_fd >= 0 && new_fd < FD_SETSIZE ? ENFILE : no_descriptor;
    }
    if (const TcpConnection* c = stack.tcp_connection(*h)) {
      peer = c->remote();
      if (peer->address.is_v6() && peer->address.v6().is_link_local()) {
        peer->scope_id = scope_of_local(stack, c->local().address);
      }
    }
    n->tcp = *h;
    n->has_tcp = true;
    n->listening = n->connecting = false;
    n->bound.reset();
    n->reservation.reset();
    n->peer.reset();
    n->options = s.options;
    // Accepted handles stay valid until their owner closes them.
    static_cast<void>(stack.tcp_set_user_data(n->tcp, n));
    // Data that came with the connection is ready for the first recv.
    take_early_data(*n, stack, now);
    // A non-blocking first recv need not ask again whether data came with it.
    remember_quiet(*n, stack);
    return 0;
  }, true, Duration::zero(), Quiet::NoConnection);
  if (error != 0) return fail(error);
  by_descriptor_[static_cast<std::size_t>(new_fd)].store(static_cast<std::uint16_t>(n->index + 1));
  if (peer) endpoint_to(*peer, s.family, address, length);
  return new_fd;
}

SocketLayer::Socket* SocketLayer::claim_free_socket(int fd, Kind kind, int type, bool nonblocking,
                                                    int family) {
  std::lock_guard table(table_mutex_);
  for (std::size_t i = 0; i < max_sockets_; ++i) {
    Socket& candidate = sockets_[i];
    if (candidate.kind != Kind::Free) continue;
    std::lock_guard lock(candidate.mutex);
    free_sockets_.fetch_sub(1);
    candidate.kind = kind;
    candidate.fd = fd;
    candidate.type = type;
    candidate.family = family;
    candidate.in_flight = 0;
    candidate.closing = false;
    candidate.waiters = nullptr;
    candidate.pending_error = 0;
    candidate.connection_error_reported = false;
    candidate.nonblocking = nonblocking;
    candidate.receive_timeout = candidate.send_timeout = Duration::zero();
    candidate.shut_read = candidate.shut_write = false;
    candidate.quiet = Quiet::Unknown;
    candidate.send_room = 0;
    candidate.sends_waiting = 0;
    candidate.early_size = 0;
    // posted_bytes is 0 already: close() returned after its own message,
    // which ran after every send posted on the socket.
    return &candidate;
  }
  return nullptr;
}

int SocketLayer::connect(int fd, const sockaddr* address, socklen_t length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  Socket& s = *use.socket;
  if (s.kind == Kind::Udp || s.kind == Kind::Raw) {
    const bool raw = s.kind == Kind::Raw;
    if (address != nullptr && length >= static_cast<socklen_t>(sizeof(sa_family_t))) {
      sa_family_t family{};
      std::memcpy(&family, address, sizeof family);
      if (family == AF_UNSPEC) {  // dissolves the association
        tcpip_.call([&](Stack& stack, Instant) {
          if (raw) {
            (void)stack.raw_connect(s.raw, IpAddress(Ipv4Address{}));
          } else {
            (void)stack.udp_disconnect(s.udp);
          }
          s.peer.reset();
        });
        return 0;
      }
    }
    int error = 0;
    auto remote = endpoint_from(address, length, s.family, error, true);
    if (!remote) return fail(error);
    error = tcpip_.call([&](Stack& stack, Instant) -> int {
      if (v6only_refuses(s, *remote)) return ENETUNREACH;
      if (raw) remote->port = 0;
      if (!raw) {
        Status bound = bind_v6_wildcard(s, stack);
        if (!bound) return errno_of(bound.error());
      }
      Status connected = raw ? stack.raw_connect(s.raw, remote->address) : stack.udp_connect(s.udp, *remote);
      // A broadcast peer without SO_BROADCAST (the core's InvalidArgument
      // for a port and address that are not 0): Linux's EACCES.
      if (!connected && !raw && connected.error() == Error::InvalidArgument && remote->port != 0 &&
          !remote->address.is_unspecified()) {
        return EACCES;
      }
      if (!connected) return errno_of(connected.error());
      s.peer = *remote;
      return 0;
    });
    return error == 0 ? 0 : fail(error);
  }
  int error = 0;
  auto remote = endpoint_from(address, length, s.family, error);
  if (!remote) return fail(error);
  bool completed = false;  // an earlier non-blocking connect() has, now
  error = tcpip_.call([&](Stack& stack, Instant now) -> int {
    if (s.listening) return EISCONN;
    if (s.has_tcp) {
      // As Linux: the first connect() after a non-blocking one completed
      // says 0, later ones EISCONN; after it failed, the reason (or
      // ECONNABORTED when SO_ERROR took it), and the next one starts anew.
      // A connection that was established stays "connected" (EISCONN), even
      // after a reset.
      if (!s.connecting) return EISCONN;
      const TcpConnection* c = stack.tcp_connection(s.tcp);
      if (c == nullptr || c->error() || c->state() == TcpState::Closed) {
        int reason = ECONNABORTED;
        {
          std::lock_guard lock(s.mutex);
          if (s.pending_error != 0 && !s.connection_error_reported) reason = s.pending_error;
        }
        drop_failed_connect(s, stack, now);
        return reason;
      }
      if (!established_or_later(c->state())) return EALREADY;
      s.connecting = false;
      completed = true;
      return 0;
    }
    if (v6only_refuses(s, *remote)) return ENETUNREACH;
    // A mapped peer is reached over IPv4, and the connection keeps IPv4
    // addresses; a scope id picks the netif of a link-local peer.
    remote->address = unmap_v4(remote->address);
    TcpSettings settings = s.options.tcp;
    if (!settings.ip.netif && remote->scope_id != 0) settings.ip.netif = netif_of_index(remote->scope_id);
    // The connection takes the bound port over from the reservation.
    if (s.reservation) stack.tcp_release(*s.reservation);
    auto h = stack.tcp_connect(*remote, now, s.bound.value_or(IpEndpoint{}), &settings);
    if (!h) {
      if (s.reservation) s.reservation = reserve_again(stack, *s.reservation, s.options.tcp.ip.v6only);
      return h.error() == Error::TableFull ? EAGAIN : errno_of(h.error());
    }
    s.reservation.reset();
    s.tcp = *h;
    s.has_tcp = true;
    s.connecting = true;
    // The handle was opened in this very call: it cannot be stale.
    static_cast<void>(stack.tcp_set_user_data(s.tcp, &s));
    return 0;
  });
  if (error != 0) return fail(error);
  if (completed) return 0;
  Instant deadline;
  {
    std::lock_guard lock(s.mutex);
    if (s.nonblocking) return fail(EINPROGRESS);
    deadline = deadline_after(s.send_timeout, false);
  }
  error = wait_until(s, deadline, [&](Stack& stack, Instant now) -> int {
    const TcpConnection* c = stack.tcp_connection(s.tcp);
    if (c == nullptr || c->error()) {
      // Reported here; the socket is unconnected again, as on Linux (it
      // may connect anew).
      const int reason = c == nullptr ? ECONNABORTED : errno_of(*c->error());
      drop_failed_connect(s, stack, now);
      return reason;
    }
    if (established_or_later(c->state())) {
      s.connecting = false;
      return 0;
    }
    return -1;
  });
  if (error == EAGAIN) return fail(EINPROGRESS);  // SO_SNDTIMEO ran out
  if (error != 0) {
    // Reported here: not again through SO_ERROR.
    std::lock_guard lock(s.mutex);
    s.pending_error = 0;
  }
  return error == 0 ? 0 : fail(error);
}

int SocketLayer::shutdown(int fd, int how) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  Socket& s = *use.socket;
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return fail(EINVAL);
  if (s.kind != Kind::Tcp) {
    // As Linux: the sides are shut (a thread blocked in recv() wakes up
    // with 0, a send() fails with EPIPE) even when the socket has no peer,
    // which is ENOTCONN. (lwIP refuses shutdown() on UDP: EOPNOTSUPP.)
    const bool connected = tcpip_.call([&](Stack&, Instant) { return s.peer.has_value(); });
    std::lock_guard lock(s.mutex);
    if (how != SHUT_WR) s.shut_read = true;
    if (how != SHUT_RD) s.shut_write = true;
    s.quiet = Quiet::Unknown;
    wake_all(s);
    return connected ? 0 : fail(ENOTCONN);
  }
  // Sends posted before the FIN go out before it; none after it until
  // shut_write says there is no more room.
  const SendRoomHold hold(s, message_passing_ && how != SHUT_RD);
  bool was_listening = false;
  const int error = tcpip_.call([&](Stack& stack, Instant now) -> int {
    if (s.listening) {
      was_listening = true;
      if (how == SHUT_WR) return 0;
      stop_listening(s, stack, now);
      return 0;
    }
    if (!s.has_tcp) return ENOTCONN;
    const TcpConnection* c = stack.tcp_connection(s.tcp);
    if (c == nullptr || !established_or_later(c->state())) return ENOTCONN;
    if (how != SHUT_RD) (void)stack.tcp_shutdown(s.tcp, now);
    return 0;
  });
  if (error != 0) return fail(error);
  {
    std::lock_guard lock(s.mutex);
    if (!was_listening) {
      if (how != SHUT_WR) s.shut_read = true;
      if (how != SHUT_RD) s.shut_write = true;
    }
    s.quiet = Quiet::Unknown;  // a non-blocking accept() or recv() must look again
    wake_all(s);
  }
  return 0;
}

int SocketLayer::connection_error_once(Socket& s, int error, int after) {
  std::lock_guard lock(s.mutex);
  if (s.connection_error_reported) return after;
  s.connection_error_reported = true;
  const int reason = s.pending_error != 0 ? s.pending_error : error;  // EPIPE for ECONNRESET sometimes
  s.pending_error = 0;
  return reason;
}

void SocketLayer::drop_failed_connect(Socket& s, Stack& stack, Instant now) {
  stack.tcp_close(s.tcp, now);
  s.has_tcp = false;
  s.connecting = false;
  std::lock_guard lock(s.mutex);
  s.pending_error = 0;                  // reported by the connect() that calls this
  s.connection_error_reported = false;  // a new connection may fail anew
}

void SocketLayer::stop_listening(Socket& s, Stack& stack, Instant now) {
  // Linux's way to end a listener that another thread waits on in accept():
  // shutdown(SHUT_RD or SHUT_RDWR) closes it (connections not yet accepted
  // are reset); the waiting accept() fails with EINVAL. The socket keeps its
  // port (reserved again, as it was before listen()) and may listen again.
  stack.tcp_close(s.tcp, now);
  s.has_tcp = false;
  s.listening = false;
  if (s.bound) {  // listen() set it when bind() had not
    Result<TcpReservation> again = stack.tcp_reserve(*s.bound, true, s.options.tcp.ip.v6only);
    if (again) s.reservation = *again;
  }
}

}  // namespace lwnet::api
