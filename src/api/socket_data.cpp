// Sending and receiving on sockets: send/sendto/sendmsg/write/writev and
// recv/recvfrom/recvmsg/read/readv over TCP, UDP and raw endpoints (the
// flags, timeouts, pending errors and control messages they share).
#include <array>
#include <climits>
#include <cstring>
#include <memory>
#include <vector>

#include "api/socket_errors.h"
#include "api/socket_internal.h"

namespace lwnet::api {

using namespace socket_detail;

// ---- Data ----------------------------------------------------------------------------

ssize_t SocketLayer::send_common(Use& use, ConstBytes data, int flags, const IpEndpoint* to) {
  Socket& s = *use.socket;
  Instant deadline;
  {
    std::lock_guard lock(s.mutex);
    if (s.shut_write) return fail(EPIPE);
    deadline = deadline_after(s.send_timeout, s.nonblocking || (flags & MSG_DONTWAIT) != 0);
  }
  if (s.kind == Kind::Udp || s.kind == Kind::Raw) {
    const int error = tcpip_.call([&](Stack& stack, Instant now) -> int {
      {
        // An ICMP error recorded for the socket fails this call (Linux).
        std::lock_guard lock(s.mutex);
        if (s.pending_error != 0) {
          const int pending = s.pending_error;
          s.pending_error = 0;
          return pending;
        }
      }
      if (to != nullptr && v6only_refuses(s, *to)) return ENETUNREACH;
      Status sent = bind_v6_wildcard(s, stack);
      if (!sent) return errno_of(sent.error());
      if (s.kind == Kind::Raw) {
        if (to == nullptr && !s.peer) return EDESTADDRREQ;
        const IpAddress destination = to != nullptr ? to->address : s.peer->address;
        sent = stack.raw_send_to(s.raw, data, destination, s.options.ttl, now, s.options.tos);
      } else {
        sent = to != nullptr ? stack.udp_send_to(s.udp, data, *to, now) : stack.udp_send(s.udp, data, now);
      }
      if (sent) return 0;
      switch (sent.error()) {
        // The guide's "Limitations": a full driver queue (or a full queue of
        // datagrams waiting for ARP) is ENOMEM; the caller retries later.
        case Error::NoBuffers:
        case Error::WouldBlock: return ENOMEM;
        case Error::NotConnected: return EDESTADDRREQ;
        // A broadcast without SO_BROADCAST (limited or a netif's): Linux's
        // EACCES. The core's other InvalidArgument is port 0 or address 0.
        case Error::InvalidArgument: {
          const IpEndpoint* destination = to != nullptr ? to : (s.peer ? &*s.peer : nullptr);
          const bool broadcast = s.kind == Kind::Udp && destination != nullptr && destination->port != 0 &&
                                 !destination->address.is_unspecified();
          return broadcast || (to != nullptr && to->address.is_v4() && to->address.v4().value == 0xffffffffU)
                     ? EACCES
                     : EINVAL;
        }
        case Error::NoRoute: return ENETUNREACH;
        default: return errno_of(sent.error());
      }
    });
    if (error != 0) return fail(error);
    return static_cast<ssize_t>(data.size());
  }
  if (to != nullptr) return fail(EISCONN);
  if (message_passing_ && try_post_send(s, data, flags)) return static_cast<ssize_t>(data.size());
  const SendRoomHold hold(s, message_passing_);
  std::size_t sent = 0;
  // Under message passing each look records the room it leaves, which later
  // sends may post into (remember_quiet).
  const int error = wait_until(s, deadline, [&](Stack& stack, Instant now) -> int {
    if (!s.has_tcp || s.listening) return ENOTCONN;
    // The core would queue data during the handshake (RFC 9293 allows it);
    // a socket waits for the connection as Linux's does (EAGAIN when it
    // must not wait).
    if (sent == 0) {
      const TcpConnection* c = stack.tcp_connection(s.tcp);
      if (c != nullptr && !c->error() && (c->state() == TcpState::SynSent || c->state() == TcpState::SynReceived)) {
        return -1;
      }
    }
    while (sent < data.size()) {
      auto r = stack.tcp_send(s.tcp, data.subspan(sent), now, (flags & MSG_MORE) != 0);
      if (!r) {
        if (r.error() == Error::WouldBlock) return -1;
        if (r.error() == Error::NotConnected) {
          const TcpConnection* c = stack.tcp_connection(s.tcp);
          if (c != nullptr && (c->state() == TcpState::SynSent || c->state() == TcpState::SynReceived)) {
            return -1;  // still connecting: wait, as Linux does
          }
          return sent > 0 ? 0 : (c != nullptr && established_or_later(c->state()) ? EPIPE : ENOTCONN);
        }
        if (r.error() == Error::Closed) return sent > 0 ? 0 : EPIPE;
        return sent > 0 ? 0 : connection_error_once(s, errno_of(r.error()), EPIPE);
      }
      sent += *r;
    }
    return 0;
  }, true, Duration::zero(), message_passing_ ? Quiet::NoData : Quiet::Unknown);
  if (error == EAGAIN && sent > 0) return static_cast<ssize_t>(sent);
  if (error != 0) return fail(error);
  return static_cast<ssize_t>(sent);
}

// Posted sends (SocketLayer::sends_posted, Socket::send_room).
struct SocketLayer::PostedSend {
  SocketLayer* layer = nullptr;
  Socket* socket = nullptr;
  std::size_t size = 0;
  std::array<std::uint8_t, posted_send_max> bytes;
};

bool SocketLayer::try_post_send(Socket& s, ConstBytes data, int flags) {
  if (data.empty() || data.size() > posted_send_max || (flags & ~(MSG_NOSIGNAL | MSG_DONTWAIT)) != 0) {
    return false;
  }
  // A thread holding the core lock expects its send done when it returns.
  if (tcpip_.in_core_context()) return false;
  auto posted = std::make_unique<PostedSend>();
  posted->layer = this;
  posted->socket = &s;
  posted->size = data.size();
  std::copy(data.begin(), data.end(), posted->bytes.begin());
  {
    // Posted under the socket's lock: a send that goes to the core itself,
    // a shutdown or a change of SO_SNDBUF counts itself in sends_waiting
    // under this lock before it posts, so it either stops this post or
    // runs after it.
    std::lock_guard lock(s.mutex);
    if (s.sends_waiting != 0 || s.send_room < data.size() || s.pending_error != 0 || s.closing ||
        s.shut_write) {
      return false;
    }
    // The socket outlives the message: close() waits for this call to
    // return, and its own message runs after this one.
    if (!tcpip_.try_post(&run_posted_send, posted.get())) return false;
    s.send_room -= data.size();
    s.posted_bytes += data.size();
  }
  (void)posted.release();  // run_posted_send owns it now
  sends_posted_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void SocketLayer::run_posted_send(void* context) {
  const std::unique_ptr<PostedSend> posted(static_cast<PostedSend*>(context));
  Socket& s = *posted->socket;
  Stack& stack = posted->layer->tcpip_.stack();
  int error = ENOTCONN;
  if (s.has_tcp && !s.listening) {
    const ConstBytes data(posted->bytes.data(), posted->size);
    const Result<std::size_t> taken = stack.tcp_send(s.tcp, data, monotonic_now());
    if (taken && *taken == data.size()) {
      error = 0;
    } else if (taken) {
      error = ENOBUFS;  // the room was known: this does not happen
    } else {
      error = taken.error() == Error::NotConnected || taken.error() == Error::Closed ? EPIPE
                                                                                     : errno_of(taken.error());
    }
  }
  std::lock_guard lock(s.mutex);
  s.posted_bytes -= posted->size;
  // The connection failed after send() returned: the next call says so
  // (unless the failure already left its own reason, or a call reported
  // the connection's error already: Linux reports it once).
  if (error != 0 && s.pending_error == 0 && !s.connection_error_reported) s.pending_error = error;
}

ssize_t SocketLayer::receive_common(Use& use, Bytes into, int flags, IpEndpoint* from, bool* truncated,
                                    std::optional<PacketInfo>* info) {
  Socket& s = *use.socket;
  const bool peek = (flags & MSG_PEEK) != 0;
  // MSG_PEEK takes what is there: waiting for all of it would never end
  // once the buffer is full (Linux does the same).
  const bool wait_all = (flags & MSG_WAITALL) != 0 && (flags & MSG_DONTWAIT) == 0 && !peek;
  std::size_t received = 0;
  Instant deadline;
  {
    std::lock_guard lock(s.mutex);
    // No urgent data is ever kept apart (it arrives inline), so MSG_OOB on
    // TCP has nothing to read: Linux's EINVAL, on a listener ENOTCONN.
    if ((flags & MSG_OOB) != 0 && s.kind == Kind::Tcp) return fail(s.listening ? ENOTCONN : EINVAL);
    // Early data (Socket::early): no trip to the core for it. Not for a
    // peek, which shows everything there is (a program that peeks until a
    // whole message is there would otherwise never see it grow).
    if (s.early_size > 0 && s.kind == Kind::Tcp && !peek) {
      received = read_early_data(s, into, false);
      if (!wait_all || received == into.size()) return static_cast<ssize_t>(received);
    }
    const bool nonblocking = s.nonblocking || (flags & MSG_DONTWAIT) != 0;
    // Known to have nothing (Socket::quiet): no need to go further. Early
    // bytes taken above are the answer then (MSG_WAITALL without waiting).
    if (nonblocking && s.quiet == Quiet::NoData) {
      return received > 0 ? static_cast<ssize_t>(received) : fail(EAGAIN);
    }
    deadline = deadline_after(s.receive_timeout, nonblocking);
  }
  if (s.kind == Kind::Udp || s.kind == Kind::Raw) {
    std::size_t size = 0;
    std::size_t copied = 0;
    const int error = wait_until(s, deadline, [&](Stack& stack, Instant) -> int {
      {
        // An ICMP error recorded for the socket comes first (Linux).
        std::lock_guard lock(s.mutex);
        if (s.pending_error != 0) {
          const int pending = s.pending_error;
          s.pending_error = 0;
          return pending;
        }
      }
      // Nothing queued after shutdown(SHUT_RD): the end, 0 (Linux), also
      // for a thread that was waiting.
      const auto nothing_left = [&]() -> int {
        std::lock_guard lock(s.mutex);
        return s.shut_read ? 0 : -1;
      };
      if (s.kind == Kind::Raw) {
        auto r = stack.raw_receive(s.raw, into, peek);
        if (!r) return r.error() == Error::WouldBlock ? nothing_left() : errno_of(r.error());
        size = r->size;
        copied = r->copied;
        if (from != nullptr) {
          *from = IpEndpoint{r->from, 0};
          if (r->from.is_v6() && r->from.v6().is_link_local()) from->scope_id = interface_index(r->netif);
        }
        return 0;
      }
      auto r = stack.udp_receive(s.udp, into, peek);
      if (!r) return r.error() == Error::WouldBlock ? nothing_left() : errno_of(r.error());
      size = r->size;
      copied = r->copied;
      if (from != nullptr) {
        *from = r->from;
        // A link-local source is on the netif it came in on.
        if (from->address.is_v6() && from->address.v6().is_link_local()) from->scope_id = interface_index(r->netif);
      }
      if (info != nullptr && s.options.packet_info) {
        const Ipv4Address to = r->to.is_v4() ? r->to.v4() : Ipv4Address{};
        Ipv4Address reply_from = to;
        const Result<NetifInfo> netif = stack.netif_info(r->netif);
        if (netif && netif->ipv4 && (to.is_multicast() || to.is_broadcast() || to == netif->ipv4->broadcast_v4())) {
          reply_from = netif->ipv4->address.v4();
        }
        *info = PacketInfo{*r, reply_from};
      }
      return 0;
    });
    if (error != 0) return fail(error);
    if (truncated != nullptr) *truncated = size > copied;
    return static_cast<ssize_t>((flags & MSG_TRUNC) != 0 ? size : copied);
  }
  const int error = wait_until(s, deadline, [&](Stack& stack, Instant now) -> int {
    if (!s.has_tcp || s.listening) return ENOTCONN;
    // A read of no bytes waits for data as a read of one byte would, and
    // takes none (Linux's tcp_recvmsg): 0 once there is data or the end.
    const bool nothing_asked = into.empty();
    std::uint8_t scratch = 0;
    bool shut_read = false;
    {
      // The early bytes come before the connection's (a peek shows them,
      // then peeks at the connection behind them).
      std::lock_guard lock(s.mutex);
      if (nothing_asked && s.early_size > 0) return 0;
      received += read_early_data(s, into.subspan(received), peek);
      // After shutdown(SHUT_RD) what is queued is still read, then 0
      // instead of a wait (Linux); a thread that waited wakes with it.
      shut_read = s.shut_read;
    }
    while (received < into.size() || nothing_asked) {
      auto r = nothing_asked ? stack.tcp_peek(s.tcp, Bytes(&scratch, 1))
               : peek        ? stack.tcp_peek(s.tcp, into.subspan(received))
                             : stack.tcp_receive(s.tcp, into.subspan(received), now);
      if (!r) {
        if (r.error() == Error::WouldBlock) {
          if ((received > 0 && !wait_all) || shut_read) return 0;
          const TcpConnection* c = stack.tcp_connection(s.tcp);
          if (c != nullptr && !established_or_later(c->state()) && !s.connecting) return ENOTCONN;
          return -1;
        }
        if (received > 0) return 0;
        if (r.error() == Error::NotConnected) return ENOTCONN;
        return connection_error_once(s, errno_of(r.error()), 0);  // then the end of the stream
      }
      if (*r == 0 || nothing_asked) return 0;  // end of stream, or data for a read of nothing
      received += *r;
      if (!wait_all) return 0;
    }
    return 0;
  }, true, Duration::zero(), Quiet::NoData);
  if (error == EAGAIN && received > 0) return static_cast<ssize_t>(received);
  // A connection's error was taken in the look that reported it
  // (connection_error_once, in core context): any other error leaves
  // SO_ERROR alone, and so does the time after the look, when a new error
  // may arrive.
  if (error != 0) return fail(error);
  return static_cast<ssize_t>(received);
}

ssize_t SocketLayer::send(int fd, const void* data, std::size_t size, int flags) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (data == nullptr && size > 0) return fail(EFAULT);
  return send_common(use, ConstBytes(static_cast<const std::uint8_t*>(data), size), flags, nullptr);
}

ssize_t SocketLayer::sendto(int fd, const void* data, std::size_t size, int flags, const sockaddr* to,
                            socklen_t to_length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (data == nullptr && size > 0) return fail(EFAULT);
  const ConstBytes bytes(static_cast<const std::uint8_t*>(data), size);
  if (to == nullptr) return send_common(use, bytes, flags, nullptr);
  if (use.socket->kind == Kind::Tcp) return send_common(use, bytes, flags, nullptr);  // Linux ignores `to`
  int error = 0;
  auto endpoint = endpoint_from(to, to_length, use.socket->family, error, true);
  if (!endpoint) return fail(error);
  return send_common(use, bytes, flags, &*endpoint);
}

ssize_t SocketLayer::write(int fd, const void* data, std::size_t size) { return send(fd, data, size, 0); }

namespace {

// The pieces of a message, checked as Linux checks them: at most IOV_MAX
// (EMSGSIZE), no null base under a length (EFAULT), a total that an ssize_t
// holds (EINVAL). 0, or the errno.
int check_pieces(const msghdr& message, std::size_t& total) {
  if (message.msg_iovlen > IOV_MAX) return EMSGSIZE;
  if (message.msg_iovlen > 0 && message.msg_iov == nullptr) return EFAULT;
  total = 0;
  for (std::size_t i = 0; i < message.msg_iovlen; ++i) {
    const iovec& piece = message.msg_iov[i];
    if (piece.iov_base == nullptr && piece.iov_len > 0) return EFAULT;
    if (piece.iov_len > static_cast<std::size_t>(SSIZE_MAX) - total) return EINVAL;
    total += piece.iov_len;
  }
  return 0;
}

// What sendmsg() and recvmsg() copy through at a time: a datagram at most
// (which goes whole), and for TCP a bounded buffer, so that a message of
// gigabytes never means a buffer of gigabytes.
constexpr std::size_t message_chunk = 65535;

// Copies `size` bytes of the message's pieces from byte `offset` on, to or
// from `flat`.
void copy_pieces(const msghdr& message, std::size_t offset, std::uint8_t* flat, std::size_t size, bool gather) {
  for (std::size_t i = 0; i < message.msg_iovlen && size > 0; ++i) {
    const iovec& piece = message.msg_iov[i];
    if (offset >= piece.iov_len) {
      offset -= piece.iov_len;
      continue;
    }
    const std::size_t part = std::min(piece.iov_len - offset, size);
    auto* base = static_cast<std::uint8_t*>(piece.iov_base) + offset;
    if (gather) {
      std::memcpy(flat, base, part);
    } else {
      std::memcpy(base, flat, part);
    }
    flat += part;
    size -= part;
    offset = 0;
  }
}

}  // namespace

ssize_t SocketLayer::sendmsg(int fd, const msghdr* message, int flags) {
  if (message == nullptr) return fail(EFAULT);
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  // A name's length that is negative as an int: Linux's EINVAL.
  if (message->msg_name != nullptr && static_cast<int>(message->msg_namelen) < 0) return fail(EINVAL);
  std::size_t total = 0;
  if (const int error = check_pieces(*message, total); error != 0) return fail(error);
  const bool datagrams = use.socket->kind != Kind::Tcp;
  std::optional<IpEndpoint> endpoint;
  // A name of no length is no name (Linux): the connected peer's.
  if (message->msg_name != nullptr && message->msg_namelen != 0 && datagrams) {
    int error = 0;
    endpoint = endpoint_from(static_cast<const sockaddr*>(message->msg_name), message->msg_namelen,
                             use.socket->family, error, true);
    if (!endpoint) return fail(error);
  }
  if (datagrams && total > message_chunk) return fail(EMSGSIZE);  // larger than any datagram
  // TCP: a chunk at a time; a chunk not taken whole (non-blocking, a
  // timeout) ends the call with what went.
  std::vector<std::uint8_t> gathered(std::min(total, message_chunk));
  std::size_t sent = 0;
  do {
    const std::size_t size = std::min(total - sent, message_chunk);
    copy_pieces(*message, sent, gathered.data(), size, true);
    const ssize_t n = send_common(use, ConstBytes(gathered.data(), size), flags, endpoint ? &*endpoint : nullptr);
    if (n < 0) return sent > 0 ? static_cast<ssize_t>(sent) : n;
    sent += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < size) break;
  } while (sent < total);
  return static_cast<ssize_t>(sent);
}

ssize_t SocketLayer::writev(int fd, const iovec* vectors, int count) {
  if (count < 0 || count > IOV_MAX) return fail(EINVAL);
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(vectors);
  message.msg_iovlen = static_cast<std::size_t>(count);
  return sendmsg(fd, &message, 0);
}

ssize_t SocketLayer::recv(int fd, void* into, std::size_t size, int flags) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (into == nullptr && size > 0) return fail(EFAULT);
  return receive_common(use, Bytes(static_cast<std::uint8_t*>(into), size), flags, nullptr, nullptr);
}

ssize_t SocketLayer::recvfrom(int fd, void* into, std::size_t size, int flags, sockaddr* from,
                              socklen_t* from_length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (into == nullptr && size > 0) return fail(EFAULT);
  IpEndpoint source{};
  const ssize_t n = receive_common(use, Bytes(static_cast<std::uint8_t*>(into), size), flags, &source, nullptr);
  if (n < 0) return n;
  // As Linux: the address's length is looked at once the data is taken,
  // which a bad one does not give back.
  if (from != nullptr) {
    if (const int bad = check_address_out(from, from_length); bad != 0) return fail(bad);
    if (use.socket->kind != Kind::Tcp) {
      endpoint_to(source, use.socket->family, from, from_length);
    } else {
      (void)getpeername(fd, from, from_length);
    }
  }
  return n;
}

ssize_t SocketLayer::read(int fd, void* into, std::size_t size) {
  // A read() of no bytes returns 0 at once on Linux, whatever the socket
  // (a recv() of no bytes waits for data on TCP).
  if (size == 0) {
    Use use;
    return acquire(fd, use) ? 0 : fail(EBADF);
  }
  return recv(fd, into, size, 0);
}

ssize_t SocketLayer::recvmsg(int fd, msghdr* message, int flags) { return receive_message(fd, message, flags, false); }

ssize_t SocketLayer::receive_message(int fd, msghdr* message, int flags, bool as_read) {
  if (message == nullptr) return fail(EFAULT);
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  // A name's length that is negative as an int: Linux's EINVAL, before
  // anything is taken.
  if (message->msg_name != nullptr && static_cast<int>(message->msg_namelen) < 0) return fail(EINVAL);
  std::size_t total = 0;
  if (const int error = check_pieces(*message, total); error != 0) return fail(error);
  if (total == 0 && as_read) return 0;  // as read()
  std::vector<std::uint8_t> buffer(std::min(total, message_chunk));
  IpEndpoint source{};
  bool truncated = false;
  std::optional<PacketInfo> info;  // IP_PKTINFO on
  ssize_t n = 0;
  if (use.socket->kind != Kind::Tcp) {
    // One datagram, whole or cut short (MSG_TRUNC).
    n = receive_common(use, buffer, flags, &source, &truncated, &info);
    if (n < 0) return n;
    copy_pieces(*message, 0, buffer.data(), std::min(static_cast<std::size_t>(n), buffer.size()), false);
  } else {
    // A chunk at a time; the next only when MSG_WAITALL asks for all and
    // this one came whole.
    std::size_t received = 0;
    do {
      const std::size_t size = std::min(total - received, message_chunk);
      const ssize_t got = receive_common(use, Bytes(buffer.data(), size), flags, &source, &truncated, &info);
      if (got < 0) {
        if (received > 0) break;
        return got;
      }
      copy_pieces(*message, received, buffer.data(), static_cast<std::size_t>(got), false);
      received += static_cast<std::size_t>(got);
      if (static_cast<std::size_t>(got) < size || (flags & MSG_WAITALL) == 0 || (flags & MSG_PEEK) != 0) break;
    } while (received < total);
    n = static_cast<ssize_t>(received);
  }
  message->msg_flags = truncated ? MSG_TRUNC : 0;
  write_control(*message, info);
  if (message->msg_name != nullptr) {
    if (use.socket->kind == Kind::Tcp) {
      message->msg_namelen = 0;  // a stream has no source address per message (Linux)
    } else {
      endpoint_to(source, use.socket->family, static_cast<sockaddr*>(message->msg_name), &message->msg_namelen);
    }
  }
  return n;
}

ssize_t SocketLayer::readv(int fd, const iovec* vectors, int count) {
  if (count < 0 || count > IOV_MAX) return fail(EINVAL);
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(vectors);
  message.msg_iovlen = static_cast<std::size_t>(count);
  return receive_message(fd, &message, 0, true);
}

}  // namespace lwnet::api
