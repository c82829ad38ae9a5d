// setsockopt/getsockopt (the guide's option list), fcntl and ioctl.
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

#include <string_view>

#include "api/socket_errors.h"
#include "api/socket_internal.h"

namespace lwnet::api {

using namespace socket_detail;

// ---- Options, fcntl, ioctl ----------------------------------------------------------

int SocketLayer::setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  // Linux: no memory under a length is EFAULT; no length, too short (EINVAL).
  if (value == nullptr) return fail(length > 0 ? EFAULT : EINVAL);
  const int error = set_socket_option(*use.socket, level, name, value, length);
  return error == 0 ? 0 : fail(error);
}

int SocketLayer::getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (value == nullptr || length == nullptr) return fail(EFAULT);
  const int error = get_socket_option(*use.socket, level, name, value, length);
  return error == 0 ? 0 : fail(error);
}

int SocketLayer::fcntl(int fd, int command, int value) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  Socket& s = *use.socket;
  if (command == F_GETFL) {
    // The access mode tells which way the connection still goes (the
    // guide); UDP is always O_RDWR. These bits cannot be set.
    int mode = O_RDWR;
    if (s.kind == Kind::Tcp) {
      const auto [read_closed, write_closed] = tcpip_.call([&](Stack& stack, Instant) -> std::pair<bool, bool> {
        if (!s.has_tcp || s.listening) return {false, false};
        const TcpConnection* c = stack.tcp_connection(s.tcp);
        if (c == nullptr) return {true, true};
        const TcpState st = c->state();
        const bool write_done = st == TcpState::FinWait1 || st == TcpState::FinWait2 ||
                                st == TcpState::Closing || st == TcpState::TimeWait ||
                                st == TcpState::LastAck || st == TcpState::Closed;
        return {c->end_of_stream() || st == TcpState::Closed, write_done};
      });
      std::lock_guard lock(s.mutex);
      const bool no_read = read_closed || s.shut_read;
      const bool no_write = write_closed || s.shut_write;
      if (no_read && !no_write) mode = O_WRONLY;
      if (no_write && !no_read) mode = O_RDONLY;
    }
    std::lock_guard lock(s.mutex);
    return mode | (s.nonblocking ? O_NONBLOCK : 0);
  }
  if (command == F_SETFL) {
    std::lock_guard lock(s.mutex);
    s.nonblocking = (value & (O_NONBLOCK | O_NDELAY)) != 0;
    return 0;
  }
  return fail(EINVAL);
}

int SocketLayer::ioctl(int fd, unsigned long request, void* argument) {
  Use use;
  if (!acquire(fd, use)) return fail(EBADF);
  if (argument == nullptr) return fail(EFAULT);
  Socket& s = *use.socket;
  if (request == FIONBIO) {
    int on = 0;
    std::memcpy(&on, argument, sizeof on);
    std::lock_guard lock(s.mutex);
    s.nonblocking = on != 0;
    return 0;
  }
  if (request == FIONREAD) {
    bool listening = false;
    const std::size_t pending = tcpip_.call([&](Stack& stack, Instant) -> std::size_t {
      if (s.kind == Kind::Udp) return stack.udp_pending_bytes(s.udp);
      if (s.kind == Kind::Raw) return stack.raw_pending_bytes(s.raw);
      listening = s.listening;
      if (!s.has_tcp || s.listening) return 0;
      const TcpConnection* c = stack.tcp_connection(s.tcp);
      std::lock_guard lock(s.mutex);
      return (c != nullptr ? c->readable_bytes() : 0) + s.early_size;
    });
    if (listening) return fail(EINVAL);  // Linux: a listener has no bytes to count
    const int n = static_cast<int>(std::min<std::size_t>(pending, 0x7fffffff));
    std::memcpy(argument, &n, sizeof n);
    return 0;
  }
  return fail(ENOTTY);  // Linux: not a request sockets know (lwIP: ENOSYS)
}


void SocketLayer::write_control(msghdr& message, const std::optional<PacketInfo>& info) {
  const std::size_t room = message.msg_control != nullptr ? message.msg_controllen : 0;
  message.msg_controllen = 0;
  // IP_PKTINFO describes IPv4 datagrams (a dual-stack socket's IPv6 ones
  // carry none, as on Linux without IPV6_RECVPKTINFO).
  if (!info || !info->datagram.to.is_v4()) return;
  in_pktinfo packet{};
  // Interface indexes are the netif's id + 1 (0 means none, as for
  // if_nametoindex), as lwIP numbers them.
  packet.ipi_ifindex = static_cast<int>(interface_index(info->datagram.netif));
  packet.ipi_spec_dst.s_addr = htonl(info->reply_from.value);
  packet.ipi_addr.s_addr = htonl(info->datagram.to.v4().value);
  // As Linux's put_cmsg(): no room for a header, nothing but the flag; room
  // for less than the whole message, as much of it as fits (its cmsg_len
  // saying so) and the flag.
  if (room < sizeof(cmsghdr)) {
    message.msg_flags |= MSG_CTRUNC;
    return;
  }
  std::size_t length = CMSG_LEN(sizeof packet);
  if (room < length) {
    message.msg_flags |= MSG_CTRUNC;
    length = room;
  }
  cmsghdr header{};
  header.cmsg_level = IPPROTO_IP;
  header.cmsg_type = IP_PKTINFO;
  header.cmsg_len = length;
  auto* control = static_cast<unsigned char*>(message.msg_control);
  std::memcpy(control, &header, sizeof header);
  std::memcpy(control + CMSG_LEN(0), &packet, length - CMSG_LEN(0));
  message.msg_controllen = std::min(CMSG_SPACE(sizeof packet), room);
}

namespace {

bool is_multicast_option(int level, int name) {
  return level == IPPROTO_IP && (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP ||
                                 name == IP_MULTICAST_IF || name == IP_MULTICAST_TTL ||
                                 name == IP_MULTICAST_LOOP);
}

// An interface named by address, or (ip_mreqn) by index: lwnet's netif
// numbers plus one, as lwIP's netif_get_index().
struct InterfaceChoice {
  Ipv4Address address;
  int index = 0;
};

timeval timeval_of(Duration d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.total_micros() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(d.total_micros() % 1000000);
  return tv;
}

}  // namespace

template <class ApplyTcp>
int SocketLayer::set_ipv6_option(Socket& s, Stack& stack, int name, int v, ApplyTcp&& apply_tcp) {
  if (s.family != AF_INET6) return ENOPROTOOPT;  // Linux: no IPv6 level on an AF_INET socket
  const bool tcp = s.kind == Kind::Tcp;
  switch (name) {
    case IPV6_V6ONLY: {
      if (s.kind == Kind::Raw) return ENOPROTOOPT;
      // ESP-IDF takes it on UDP as on TCP; Linux refuses a change once the
      // socket is bound (the binding's overlap rules were applied already).
      bool bound = s.bound.has_value() || s.has_tcp;
      if (s.kind == Kind::Udp) {
        Result<IpEndpoint> local = stack.udp_local(s.udp);
        bound = local && local->port != 0;
      }
      if (bound) return EINVAL;
      // Stored with the TCP settings for both kinds (bind and listen read it there).
      apply_tcp([&](TcpSettings& t) { t.ip.v6only = v != 0; });
      if (s.kind == Kind::Udp) {
        Status set = stack.udp_set_v6only(s.udp, v != 0);
        if (!set) return errno_of(set.error());
      }
      return 0;
    }
    case IPV6_UNICAST_HOPS: {
      // -1: the default, as on Linux. 0 is refused: the core takes a hop
      // limit of 0 as "the default".
      if (v < -1 || v == 0 || v > 255) return EINVAL;
      // The default stays a default (not its value): a router's Cur Hop
      // Limit replaces it, never a hop limit set here.
      const std::optional<std::uint8_t> hops =
          v == -1 ? std::nullopt : std::optional<std::uint8_t>(static_cast<std::uint8_t>(v));
      if (tcp) {
        apply_tcp([&](TcpSettings& t) { t.ip.ttl = hops; });
        return 0;
      }
      s.options.ttl = hops.value_or(config::ip_default_ttl);
      if (s.kind == Kind::Udp) stack.udp_set_ttl(s.udp, hops.value_or(0));
      return 0;
    }
    case IPV6_CHECKSUM:
      // RFC 3542 3.1: the kernel's (here the stack's) job on ICMPv6, which
      // Linux refuses to change; no other raw protocol exists here.
      return s.kind == Kind::Raw ? EINVAL : ENOPROTOOPT;
    case IPV6_TCLASS: {
      if (v < -1 || v > 255) return EINVAL;
      const auto tclass = static_cast<std::uint8_t>(v == -1 ? 0 : v);
      if (tcp) {
        // As IP_TOS on a stream socket: TCP keeps the ECN bits.
        apply_tcp([&](TcpSettings& t) { t.ip.tos = static_cast<std::uint8_t>(tclass & ~0x03); });
        return 0;
      }
      s.options.tos = tclass;
      if (s.kind == Kind::Udp) stack.udp_set_tos(s.udp, tclass);
      return 0;
    }
    default: return ENOPROTOOPT;
  }
}

int SocketLayer::set_socket_option(Socket& s, int level, int name, const void* value, socklen_t length) {
  int v = 0;
  // A smaller send buffer has less room than the last look found: no send
  // is posted while it changes, nor into it until a look after the change
  // (posted ones run before it: Socket::send_room).
  const SendRoomHold hold(s, message_passing_ && level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF),
                          true);
  if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
    if (length < static_cast<socklen_t>(sizeof(timeval))) return EINVAL;
    timeval tv{};
    std::memcpy(&tv, value, sizeof tv);
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000) return EDOM;
    std::lock_guard lock(s.mutex);
    (name == SO_RCVTIMEO ? s.receive_timeout : s.send_timeout) = duration_of(tv);
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_LINGER) {
    if (length < static_cast<socklen_t>(sizeof(linger))) return EINVAL;
    linger l{};
    std::memcpy(&l, value, sizeof l);
    if (l.l_linger < 0) return EINVAL;
    return tcpip_.call([&](Stack&, Instant) -> int {
      s.options.linger = l.l_onoff != 0;
      s.options.linger_seconds = l.l_linger;
      s.options.linger_abort = l.l_onoff != 0 && l.l_linger == 0;
      return 0;
    });
  }
  if (is_ipv6_multicast_option(level, name)) return set_ipv6_multicast_option(s, name, value, length);
  if (is_multicast_option(level, name)) {
    if (s.kind != Kind::Udp) return ENOPROTOOPT;  // lwIP: UDP sockets only
    if (name == IP_MULTICAST_TTL || name == IP_MULTICAST_LOOP) {
      if (!read_int_or_byte(value, length, v)) return EINVAL;
      if (name == IP_MULTICAST_TTL && v == -1) v = 1;  // Linux: -1 is the default
      if (name == IP_MULTICAST_TTL && (v < 0 || v > 255)) return EINVAL;
      return tcpip_.call([&](Stack& stack, Instant) -> int {
        if (name == IP_MULTICAST_TTL) {
          s.options.multicast_ttl = static_cast<std::uint8_t>(v);
          stack.udp_set_multicast_ttl(s.udp, s.options.multicast_ttl);
        } else {
          s.options.multicast_loop = v != 0;
          stack.udp_set_multicast_loop(s.udp, v != 0);
        }
        return 0;
      });
    }
    // The group (memberships) and the interface: struct ip_mreqn, ip_mreq,
    // or (IP_MULTICAST_IF only) a bare in_addr, told apart by length as Linux does.
    Ipv4Address group;
    InterfaceChoice interface;
    if (length >= static_cast<socklen_t>(sizeof(ip_mreqn))) {
      ip_mreqn m{};
      std::memcpy(&m, value, sizeof m);
      group = Ipv4Address{ntohl(m.imr_multiaddr.s_addr)};
      interface.address = Ipv4Address{ntohl(m.imr_address.s_addr)};
      interface.index = m.imr_ifindex;
    } else if (length >= static_cast<socklen_t>(sizeof(ip_mreq))) {
      ip_mreq m{};
      std::memcpy(&m, value, sizeof m);
      group = Ipv4Address{ntohl(m.imr_multiaddr.s_addr)};
      interface.address = Ipv4Address{ntohl(m.imr_interface.s_addr)};
    } else if (name == IP_MULTICAST_IF && length >= static_cast<socklen_t>(sizeof(in_addr))) {
      in_addr a{};
      std::memcpy(&a, value, sizeof a);
      interface.address = Ipv4Address{ntohl(a.s_addr)};
    } else {
      return EINVAL;
    }
    if (name != IP_MULTICAST_IF && !group.is_multicast()) return EINVAL;
    return tcpip_.call([&](Stack& stack, Instant now) -> int {
      if (interface.index > 0) {
        const std::optional<NetifId> netif = netif_of_index(static_cast<std::uint32_t>(interface.index));
        if (!netif) return ENODEV;
        Result<NetifInfo> info = stack.netif_info(*netif);
        if (!info || !info->ipv4) return ENODEV;
        interface.address = info->ipv4->address.v4();
      }
      Status done;
      if (name == IP_ADD_MEMBERSHIP) {
        done = stack.udp_join_group(s.udp, group, interface.address, now);
      } else if (name == IP_DROP_MEMBERSHIP) {
        done = stack.udp_leave_group(s.udp, group, interface.address, now);
      } else {
        done = stack.udp_set_multicast_interface(s.udp, interface.address);
        if (done) s.options.multicast_interface = interface.address;
      }
      return done ? 0 : multicast_errno(done.error());
    });
  }
  if (level == SOL_SOCKET && name == SO_BINDTODEVICE) {
    if (s.kind == Kind::Raw) return ENOPROTOOPT;
    // A plain name or a struct ifreq (whose name comes first), as Linux
    // takes it: at most IFNAMSIZ - 1 bytes, empty to unbind.
    std::array<char, 16> device{};
    std::memcpy(device.data(), value, std::min<std::size_t>(length, device.size() - 1));
    const std::string_view wanted(device.data());
    return tcpip_.call([&](Stack& stack, Instant) -> int {
      std::optional<NetifId> netif;
      if (!wanted.empty()) {
        netif = stack.netif_find(wanted);
        if (!netif) return ENODEV;
      }
      if (s.kind == Kind::Udp) {
        Status bound = stack.udp_bind_netif(s.udp, netif);
        if (!bound) return errno_of(bound.error());
      } else {
        s.options.tcp.ip.netif = netif;
        if (s.has_tcp && !s.listening) {
          if (TcpConnection* live = stack.tcp_connection(s.tcp)) live->settings().ip.netif = netif;
        } else if (s.has_tcp) {
          // Listening: SYNs from now on must arrive on the device.
          if (TcpSettings* listener = stack.tcp_listener_settings(s.tcp)) listener->ip.netif = netif;
        }
      }
      s.options.device = device;
      return 0;
    });
  }
  if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
    if (s.kind != Kind::Raw || s.family != AF_INET6) return ENOPROTOOPT;
    return tcpip_.call([&](Stack& stack, Instant) -> int {
      // As Linux: a shorter filter replaces only the words it has.
      RawIcmpv6Filter blocked = stack.raw_icmpv6_filter(s.raw);
      std::memcpy(blocked.data(), value, std::min<std::size_t>(length, sizeof blocked));
      const Status set = stack.raw_set_icmpv6_filter(s.raw, blocked);
      return set ? 0 : errno_of(set.error());
    });
  }
  if (!read_int(value, length, v)) return EINVAL;
  const bool tcp = s.kind == Kind::Tcp;
  return tcpip_.call([&](Stack& stack, Instant now) -> int {
    TcpConnection* live = tcp && s.has_tcp && !s.listening ? stack.tcp_connection(s.tcp) : nullptr;
    TcpSettings* listener = tcp && s.has_tcp && s.listening ? stack.tcp_listener_settings(s.tcp) : nullptr;
    // Applied to the stored settings (for listen/connect/accept), to the
    // live connection, and to a listener (its SYN-ACKs and what the
    // connections it accepts from now on start with).
    auto apply_tcp = [&](auto&& change) {
      change(s.options.tcp);
      if (live != nullptr) change(live->settings());
      if (listener != nullptr) change(*listener);
    };
    if (level == SOL_SOCKET) {
      switch (name) {
        case SO_REUSEADDR:
          if (!config::so_reuse) return ENOPROTOOPT;  // lwIP without SO_REUSE
          s.options.reuse_address = v != 0;
          if (s.kind == Kind::Udp) stack.udp_set_reuse_address(s.udp, v != 0);
          return 0;
        case SO_BROADCAST:
          s.options.broadcast = v != 0;
          if (!tcp) stack.udp_set_broadcast(s.udp, v != 0);
          return 0;
        case SO_KEEPALIVE:
          if (!tcp) return ENOPROTOOPT;
          apply_tcp([&](TcpSettings& t) { t.keepalive = v != 0; });
          return 0;
        case SO_NO_CHECK:
          if (tcp) return ENOPROTOOPT;  // UDP only (the guide)
          s.options.no_check = v != 0;
          stack.udp_set_checksum(s.udp, v == 0);
          return 0;
        case SO_RCVBUF:
        case SO_SNDBUF: {
          if (!tcp && name == SO_RCVBUF && s.kind == Kind::Udp && config::so_rcvbuf) {
            // lwIP's recv_bufsize: bytes of queued datagrams.
            if (v <= 0) return EINVAL;
            s.options.udp_receive_buffer = v;
            stack.udp_set_receive_buffer(s.udp, static_cast<std::size_t>(v));
            return 0;
          }
          // UDP without CONFIG_LWIP_SO_RCVBUF, raw, and SO_SNDBUF on UDP.
          if (!tcp) return ENOPROTOOPT;
          if (v <= 0) return EINVAL;
          const auto size = static_cast<std::size_t>(v);
          if (name == SO_RCVBUF) {
            s.options.tcp.receive_buffer = std::min(size, config::tcp_wnd_max);
          } else {
            s.options.tcp.send_buffer = std::min(size, config::tcp_snd_buf_max);
          }
          if (listener != nullptr) {
            listener->receive_buffer = s.options.tcp.receive_buffer;
            listener->send_buffer = s.options.tcp.send_buffer;
          }
          // Only the side named changes: the other keeps its live size,
          // which may differ from the stored option (a buffer is never made
          // smaller than what it holds), as on Linux.
          if (live != nullptr) {
            const std::size_t send = name == SO_SNDBUF ? s.options.tcp.send_buffer : live->send_buffer_size();
            const std::size_t receive =
                name == SO_RCVBUF ? s.options.tcp.receive_buffer : live->receive_buffer_size();
            (void)stack.tcp_set_buffer_sizes(s.tcp, send, receive, now);
          }
          return 0;
        }
        default: return ENOPROTOOPT;
      }
    }
    if (level == IPPROTO_IPV6) return set_ipv6_option(s, stack, name, v, apply_tcp);
    if (level == IPPROTO_IP) {
      // One hop limit and one traffic class per socket in the core: an
      // AF_INET6 socket sets them with IPV6_UNICAST_HOPS / IPV6_TCLASS (for
      // its mapped IPv4 traffic too), and refuses IPv4's own.
      if (s.family == AF_INET6 && (name == IP_TTL || name == IP_TOS)) return ENOPROTOOPT;
      switch (name) {
        case IP_TTL: {
          // -1: back to the default, as on Linux.
          if (v != -1 && (v < 1 || v > 255)) return EINVAL;
          const std::optional<std::uint8_t> ttl =
              v == -1 ? std::nullopt : std::optional<std::uint8_t>(static_cast<std::uint8_t>(v));
          if (tcp) {
            apply_tcp([&](TcpSettings& t) { t.ip.ttl = ttl; });
            return 0;
          }
          s.options.ttl = ttl.value_or(config::ip_default_ttl);
          if (s.kind == Kind::Udp) stack.udp_set_ttl(s.udp, ttl.value_or(0));
          return 0;
        }
        case IP_TOS: {
          // Linux keeps a stream socket's ECN bits for TCP's own use (lwnet
          // sends none); datagram sockets send the whole byte.
          const auto tos = static_cast<std::uint8_t>(tcp ? (v & ~0x03) : v);
          if (tcp) {
            apply_tcp([&](TcpSettings& t) { t.ip.tos = tos; });
            return 0;
          }
          s.options.tos = tos;
          if (s.kind == Kind::Udp) stack.udp_set_tos(s.udp, tos);
          return 0;
        }
        case IP_PKTINFO:
          if (!config::netbuf_recvinfo || s.kind != Kind::Udp) return ENOPROTOOPT;
          s.options.packet_info = v != 0;
          return 0;
        default: return ENOPROTOOPT;
      }
    }
    if (level == IPPROTO_TCP) {
      if (!tcp) return ENOPROTOOPT;
      switch (name) {
        case TCP_NODELAY: apply_tcp([&](TcpSettings& t) { t.nodelay = v != 0; }); return 0;
        case lwnet_tcp_keepalive:  // lwIP's TCP_KEEPALIVE: milliseconds
          if (v <= 0) return EINVAL;
          apply_tcp([&](TcpSettings& t) { t.keepalive_idle = Duration::millis(v); });
          return 0;
        // Linux's ranges (MAX_TCP_KEEPIDLE, _KEEPINTVL, _KEEPCNT).
        case TCP_KEEPIDLE:
          if (v <= 0 || v > 32767) return EINVAL;
          apply_tcp([&](TcpSettings& t) { t.keepalive_idle = Duration::seconds(v); });
          return 0;
        case TCP_KEEPINTVL:
          if (v <= 0 || v > 32767) return EINVAL;
          apply_tcp([&](TcpSettings& t) { t.keepalive_interval = Duration::seconds(v); });
          return 0;
        case TCP_KEEPCNT:
          if (v <= 0 || v > 127) return EINVAL;
          apply_tcp([&](TcpSettings& t) { t.keepalive_count = static_cast<std::uint32_t>(v); });
          return 0;
        default: return ENOPROTOOPT;
      }
    }
    return ENOPROTOOPT;
  });
}

int SocketLayer::get_socket_option(Socket& s, int level, int name, void* value, socklen_t* length) {
  // A level the socket's protocols do not have gets Linux's answer, which is
  // its IP layer's: EOPNOTSUPP on an AF_INET socket (ip_getsockopt),
  // ENOPROTOOPT on an AF_INET6 one (ipv6_getsockopt). setsockopt() says
  // ENOPROTOOPT for both, as Linux does.
  const bool level_known = level == SOL_SOCKET || level == IPPROTO_IP ||
                           (level == IPPROTO_IPV6 && s.family == AF_INET6) ||
                           (level == IPPROTO_TCP && s.kind == Kind::Tcp) ||
                           (level == IPPROTO_UDP && s.kind == Kind::Udp) ||
                           (level == IPPROTO_ICMPV6 && s.kind == Kind::Raw && s.family == AF_INET6);
  if (!level_known) return s.family == AF_INET ? EOPNOTSUPP : ENOPROTOOPT;
  if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
    if (*length < static_cast<socklen_t>(sizeof(timeval))) return EINVAL;
    timeval tv{};
    {
      std::lock_guard lock(s.mutex);
      tv = timeval_of(name == SO_RCVTIMEO ? s.receive_timeout : s.send_timeout);
    }
    std::memcpy(value, &tv, sizeof tv);
    *length = static_cast<socklen_t>(sizeof tv);
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_ERROR) {
    // Read and cleared, as on Linux.
    int error = 0;
    {
      std::lock_guard lock(s.mutex);
      error = s.pending_error;
      s.pending_error = 0;
      if (error != 0 && s.kind == Kind::Tcp) s.connection_error_reported = true;
    }
    write_int(value, length, error);
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_TYPE) {
    write_int(value, length, s.type);
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_LINGER) {
    if (*length < static_cast<socklen_t>(sizeof(linger))) return EINVAL;
    linger l{};
    tcpip_.call([&](Stack&, Instant) {
      l.l_onoff = s.options.linger ? 1 : 0;
      l.l_linger = s.options.linger_seconds;
    });
    std::memcpy(value, &l, sizeof l);
    *length = static_cast<socklen_t>(sizeof l);
    return 0;
  }
  if (is_ipv6_multicast_option(level, name)) return get_ipv6_multicast_option(s, name, value, length);
  if (is_multicast_option(level, name)) {
    if (s.kind != Kind::Udp || name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP) {
      return ENOPROTOOPT;  // the memberships cannot be read back (Linux neither)
    }
    if (name == IP_MULTICAST_IF) {
      if (*length < static_cast<socklen_t>(sizeof(in_addr))) return EINVAL;
      in_addr a{};
      tcpip_.call([&](Stack&, Instant) { a.s_addr = htonl(s.options.multicast_interface.value); });
      std::memcpy(value, &a, sizeof a);
      *length = static_cast<socklen_t>(sizeof a);
      return 0;
    }
    const int v = tcpip_.call([&](Stack&, Instant) -> int {
      return name == IP_MULTICAST_TTL ? s.options.multicast_ttl : (s.options.multicast_loop ? 1 : 0);
    });
    write_int_or_byte(value, length, v);
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_BINDTODEVICE) {
    if (s.kind == Kind::Raw) return ENOPROTOOPT;
    const std::array<char, 16> device = tcpip_.call([&](Stack&, Instant) { return s.options.device; });
    // As Linux: the name and its NUL; nothing when not bound.
    const std::size_t size = std::strlen(device.data());
    if (size == 0) {
      *length = 0;
      return 0;
    }
    if (*length < static_cast<socklen_t>(size + 1)) return EINVAL;
    std::memcpy(value, device.data(), size + 1);
    *length = static_cast<socklen_t>(size + 1);
    return 0;
  }
  if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
    if (s.kind != Kind::Raw || s.family != AF_INET6) return ENOPROTOOPT;
    const RawIcmpv6Filter blocked = tcpip_.call([&](Stack& stack, Instant) { return stack.raw_icmpv6_filter(s.raw); });
    const std::size_t n = std::min<std::size_t>(*length, sizeof blocked);
    std::memcpy(value, blocked.data(), n);
    *length = static_cast<socklen_t>(n);
    return 0;
  }
  if (*length < static_cast<socklen_t>(sizeof(int))) return EINVAL;
  const bool tcp = s.kind == Kind::Tcp;
  int result = 0;
  const int error = tcpip_.call([&](Stack& stack, Instant) -> int {
    const TcpConnection* live = tcp && s.has_tcp && !s.listening ? stack.tcp_connection(s.tcp) : nullptr;
    const TcpSettings& t = live != nullptr ? live->settings() : s.options.tcp;
    if (level == SOL_SOCKET) {
      switch (name) {
        case SO_REUSEADDR: result = s.options.reuse_address; return 0;
        case SO_BROADCAST: result = s.options.broadcast; return 0;
        case SO_ACCEPTCONN: result = s.listening; return 0;
        case SO_KEEPALIVE:
          if (!tcp) return ENOPROTOOPT;
          result = t.keepalive;
          return 0;
        case SO_NO_CHECK:
          if (tcp) return ENOPROTOOPT;
          result = s.options.no_check;
          return 0;
        case SO_RCVBUF:
          if (!tcp && s.kind == Kind::Udp && config::so_rcvbuf) {
            // As lwIP: INT_MAX until set (no bound).
            result = s.options.udp_receive_buffer;
            return 0;
          }
          if (!tcp) return ENOPROTOOPT;
          result = static_cast<int>(live != nullptr ? live->receive_buffer_size() : t.receive_buffer);
          return 0;
        case SO_SNDBUF:
          if (!tcp) return ENOPROTOOPT;
          result = static_cast<int>(live != nullptr ? live->send_buffer_size() : t.send_buffer);
          return 0;
        default: return ENOPROTOOPT;
      }
    }
    if (level == IPPROTO_IPV6) {
      if (s.family != AF_INET6) return ENOPROTOOPT;
      switch (name) {
        case IPV6_V6ONLY: result = s.options.tcp.ip.v6only; return 0;
        case IPV6_UNICAST_HOPS: result = tcp ? t.ip.ttl.value_or(config::ip_default_ttl) : s.options.ttl; return 0;
        case IPV6_TCLASS: result = tcp ? t.ip.tos : s.options.tos; return 0;
        case IPV6_CHECKSUM:
          if (s.kind != Kind::Raw) return ENOPROTOOPT;
          result = 2;  // ICMPv6's checksum offset, always computed (Linux's answer)
          return 0;
        default: return ENOPROTOOPT;
      }
    }
    if (level == IPPROTO_IP) {
      if (s.family == AF_INET6 && (name == IP_TTL || name == IP_TOS)) return ENOPROTOOPT;
      switch (name) {
        case IP_TTL: result = tcp ? t.ip.ttl.value_or(config::ip_default_ttl) : s.options.ttl; return 0;
        case IP_TOS: result = tcp ? t.ip.tos : s.options.tos; return 0;
        case IP_PKTINFO:
          if (!config::netbuf_recvinfo || s.kind != Kind::Udp) return ENOPROTOOPT;
          result = s.options.packet_info;
          return 0;
        default: return ENOPROTOOPT;
      }
    }
    if (level == IPPROTO_TCP) {
      if (!tcp) return ENOPROTOOPT;
      switch (name) {
        case TCP_NODELAY: result = t.nodelay; return 0;
        case lwnet_tcp_keepalive: result = static_cast<int>(t.keepalive_idle.total_micros() / 1000); return 0;
        case TCP_KEEPIDLE: result = static_cast<int>(t.keepalive_idle.total_micros() / 1000000); return 0;
        case TCP_KEEPINTVL: result = static_cast<int>(t.keepalive_interval.total_micros() / 1000000); return 0;
        case TCP_KEEPCNT: result = static_cast<int>(t.keepalive_count); return 0;
        default: return ENOPROTOOPT;
      }
    }
    return ENOPROTOOPT;
  });
  if (error != 0) return error;
  write_int(value, length, result);
  return 0;
}

}  // namespace lwnet::api
