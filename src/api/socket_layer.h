// BSD sockets over a TCP/IP thread: the guide's "BSD Sockets API" (lwIP's
// sockets.c), as a C++ object. The C functions of lwip/sockets.h
// (lwip_socket, ...) call the process-wide instance (default_sockets());
// tests and programs that want several stacks make their own.
//
// Descriptors. Every socket reserves a real OS descriptor (an eventfd that
// nothing reads), and its number is the socket's descriptor. So lwnet
// descriptors never collide with the process's own files, select()/poll()
// can take both kinds in one call, and a call on a descriptor that is not a
// socket of this layer can go to the C library (the lwip_* functions do).
// Descriptors must stay below FD_SETSIZE, so that a glibc fd_set holds them:
// socket() fails with EMFILE when the OS hands out a higher one.
//
// Threads. Every member function may be called from any thread except the
// TCP/IP thread (calls that block would wait for themselves there), the
// same socket from several threads at once: one reading, one writing, one
// closing. close() waits until calls in flight on the socket have returned;
// those that were blocked return at once, with EBADF. A descriptor closed and
// handed out again never reaches the old socket: calls in flight hold the
// socket, not the number.
//
// Errors are reported as the BSD calls do: -1 and errno (ECONNREFUSED,
// EADDRINUSE, ECONNABORTED, ENETUNREACH, ENETDOWN, ETIMEDOUT, EHOSTUNREACH,
// EINPROGRESS, EALREADY, EDESTADDRREQ, EPROTONOSUPPORT, ...). A failure that
// the stack reports later (a non-blocking connect refused) is kept as the
// socket's pending error: select() reports the socket in the write and
// exception sets, and getsockopt(SO_ERROR) reads (and clears) the reason.
//
// Raw sockets: socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) and
// socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) only (other protocols:
// EPROTONOSUPPORT), on the core's raw endpoints (Stack::raw_*), as
// ESP-IDF's ping uses them. sendto()/send() take the ICMP message (header
// and data); the stack adds the IP header (IP_TTL / IPV6_UNICAST_HOPS
// apply). ICMP: as lwIP's raw sockets, the checksum is the caller's;
// ICMPv6: the stack computes it (RFC 3542 3.1; IPV6_CHECKSUM reads 2 and
// cannot be set: EINVAL, as on Linux). recvfrom() returns every ICMP (ICMPv6)
// message the stack accepted (echo replies, echo requests to us, errors,
// Neighbor Discovery...): ICMP as a whole IPv4 packet from its IP header on,
// as lwIP and Linux raw sockets do; ICMPv6 from its ICMPv6 header on
// (RFC 3542: no IPv6 header), filtered by ICMP6_FILTER (struct
// icmp6_filter). The address is the packet's source (port 0). bind()
// filters by destination address, connect() by source address.
//
// IPv6 (AF_INET6, TCP and UDP): addresses are sockaddr_in6 in every call
// (Linux's errors: EINVAL below 24 bytes, EAFNOSUPPORT for another family;
// a datagram socket also takes a sockaddr_in, as Linux's). sin6_scope_id
// is the netif of a link-local address: its interface index, the netif's
// number plus one (as IP_PKTINFO and ip_mreqn count). Without IPV6_V6ONLY
// (the default, as Linux's and lwIP's) a socket also talks IPv4 through
// IPv4-mapped addresses (::ffff:a.b.c.d): a listener or a UDP socket bound
// to :: takes IPv4 peers and reports them mapped, connect()/sendto() to a
// mapped address go over IPv4, and binding to a mapped address is an IPv4
// binding; :: without IPV6_V6ONLY and 0.0.0.0 on one port clash
// (EADDRINUSE) either way round. IPV6_V6ONLY is an int on TCP and UDP
// (ESP-IDF's addition), EINVAL once bound; with it, mapped addresses are out
// of reach (ENETUNREACH, EADDRNOTAVAIL for bind). IPV6_UNICAST_HOPS (-1:
// the default) and IPV6_TCLASS set the hop limit and traffic class; the
// core keeps one of each per socket, so they also apply to a dual-stack
// socket's IPv4 traffic, and IP_TTL / IP_TOS on an AF_INET6 socket are
// ENOPROTOOPT (Linux keeps separate IPv4 values). IPPROTO_IPV6 options on an
// AF_INET socket are ENOPROTOOPT, as on Linux.
//
// ICMP errors: an ICMP port (or protocol) unreachable that answers a
// datagram of a connected UDP socket becomes its pending error: the next
// recv/send fails with ECONNREFUSED (before any queued datagram, as on
// Linux), or SO_ERROR reads it; either clears it. TCP: see Stack's "ICMP
// errors" (ECONNREFUSED for a connect refused that way; EHOSTUNREACH or
// ENETUNREACH instead of ETIMEDOUT when the connection times out after one).
//
// Multicast (UDP sockets): IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP take an
// ip_mreq or ip_mreqn (imr_interface INADDR_ANY: the default netif;
// imr_ifindex: lwnet's netif number plus one, as lwIP's netif index), with
// Linux's errors: EADDRINUSE joining a group twice, EADDRNOTAVAIL dropping
// one not joined, EINVAL for an address that is no group, ENODEV for an
// interface nobody has, ENOBUFS when CONFIG_LWNET_IGMP_MAX_GROUPS groups
// are joined. close() drops the socket's memberships. IP_MULTICAST_TTL
// (default 1) and IP_MULTICAST_LOOP (default on) take and give an int or a
// single byte, IP_MULTICAST_IF an in_addr (or an ip_mreq / ip_mreqn).
// SO_REUSEADDR lets UDP sockets that all set it before bind() share a port;
// with CONFIG_LWIP_SO_REUSE_RXTOALL each gets a copy of a broadcast or
// multicast datagram. TCP sockets take none of the IP_MULTICAST_* options
// or memberships (ENOPROTOOPT), as lwIP.
//
// IPv6 multicast (AF_INET6 UDP sockets; the others: ENOPROTOOPT, as lwIP):
// IPV6_JOIN_GROUP / IPV6_ADD_MEMBERSHIP and IPV6_LEAVE_GROUP /
// IPV6_DROP_MEMBERSHIP take a struct ipv6_mreq (ipv6mr_interface: the
// interface index, lwnet's netif number plus one; 0: the default netif for
// a join, any netif the socket joined the group on for a leave), with
// Linux's errors: EINVAL for a short ipv6_mreq or an address that is no
// group, EADDRINUSE joining a group twice on a netif, EADDRNOTAVAIL leaving
// one not joined (or on an interface that does not exist), ENODEV joining
// on an interface nobody has, ENOBUFS when the group table is full. The
// first join of a group on a netif sends MLD reports; the last leave (or
// close()) a leave (MLDv2: a change to INCLUDE {}; MLDv1: a Done).
// IPV6_MULTICAST_IF takes an interface index (0: the route's choice;
// ENODEV for one nobody has, EINVAL when SO_BINDTODEVICE holds another) as
// an int (Linux) or one byte (ESP-IDF's), or one of our IPv6 addresses as
// an in6_addr (EADDRNOTAVAIL when no netif has it); it reads back as the
// index. IPV6_MULTICAST_HOPS (-1: the default, 1; 0: this host only; else
// EINVAL outside 0..255) and IPV6_MULTICAST_LOOP (0 or 1, else EINVAL, as
// on Linux) take and give an int or one byte. The core keeps one multicast
// hop limit and one loop flag per socket: IP_MULTICAST_TTL and
// IP_MULTICAST_LOOP on a dual-stack socket are the same values.
//
// Lock order: the core (TcpipThread::call) before a socket's mutex. No
// function here holds a socket mutex while it calls into the core, so a
// stack callback that runs inside a call (under core locking, in the
// caller's own thread) can always take the socket's mutex.
#pragma once

#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "api/tcpip_thread.h"
#include "config/options.h"
#include "time/instant.h"
#include "transport/tcp/tcp_table.h"
#include "ip/raw_handle.h"
#include "transport/udp_handle.h"
#include "wire/address.h"

namespace lwnet {
class WakeFlag;
}

namespace lwnet::api {

class SocketLayer {
 public:
  // The thread must outlive the layer. Installs the stack's TCP and UDP
  // event callbacks (through call()). `max_sockets`: CONFIG_LWIP_MAX_SOCKETS.
  explicit SocketLayer(TcpipThread& tcpip, std::size_t max_sockets = config::max_sockets);
  // Closes every socket still open (aborting their connections).
  ~SocketLayer();
  SocketLayer(const SocketLayer&) = delete;
  SocketLayer& operator=(const SocketLayer&) = delete;

  // Whether `fd` is an open socket of this layer. Any thread.
  bool owns(int fd) const;
  // Sockets open now. Any thread.
  std::size_t open_count() const;
  std::size_t capacity() const { return max_sockets_; }

  // Message passing: how often a blocking call went to sleep with its look
  // handed over to the TCP/IP thread, and how often that thread's run of
  // the look finished the call, so that it woke with its answer (the
  // `Handover` in socket_internal.h). Both 0 under core locking.
  // Diagnostics; any thread.
  std::uint64_t handovers_armed() const { return handovers_armed_.load(std::memory_order_relaxed); }
  std::uint64_t handovers_finished() const { return handovers_finished_.load(std::memory_order_relaxed); }
  // Message passing: TCP sends posted to the TCP/IP thread without waiting
  // for it (Socket::send_room): sends of at most posted_send_max bytes
  // without flags (MSG_NOSIGNAL and MSG_DONTWAIT aside) on a connection
  // whose send buffer the last look found room in. The call returns the
  // byte count at once; an error the connection meets before the message
  // runs is reported by the next call (SO_ERROR), as Linux reports errors
  // of data already in its send buffer. 0 under core locking.
  // Diagnostics; any thread.
  std::uint64_t sends_posted() const { return sends_posted_.load(std::memory_order_relaxed); }
  static constexpr std::size_t posted_send_max = 256;
  // Message passing: looks of accept() that left a connection queued
  // because the table was full while closes that had returned still
  // waited in the mailbox (their sockets not free yet); the first of them
  // to run wakes accept() again. 0 under core locking. Diagnostics; any
  // thread.
  std::uint64_t accepts_held_for_room() const { return accepts_held_for_room_.load(std::memory_order_relaxed); }
  // Message passing: close() calls that returned without waiting for the
  // TCP/IP thread to release the socket's endpoint: UDP and raw sockets,
  // and TCP sockets whose last look found nothing unread (drained, or the
  // peer's end read) or no connection waiting to be accepted, unless
  // SO_LINGER makes close() wait (a close with unread data resets the
  // connection, which the peer sees by the time close() returns). Not in
  // core context. Until the message has run, the descriptor stays this
  // layer's (every call on it is EBADF) and the socket is not counted
  // open; socket() on the calling thread sees it free (when the table or
  // the descriptors look full it waits for the closes in the mailbox), and
  // accept() runs after them. 0 under core locking. Diagnostics; any thread.
  std::uint64_t closes_posted() const { return closes_posted_.load(std::memory_order_relaxed); }
  // Message passing: how often the TCP/IP thread moved a connection's data
  // into its socket before any call asked for it (Socket::early), so that
  // the next receive took it without a trip. 0 under core locking.
  // Diagnostics; any thread.
  std::uint64_t early_data_taken() const { return early_data_taken_.load(std::memory_order_relaxed); }

  int socket(int domain, int type, int protocol);
  int bind(int s, const sockaddr* address, socklen_t length);
  int listen(int s, int backlog);
  int accept(int s, sockaddr* address, socklen_t* length);
  int connect(int s, const sockaddr* address, socklen_t length);
  int shutdown(int s, int how);
  int close(int s);
  int getsockname(int s, sockaddr* address, socklen_t* length);
  int getpeername(int s, sockaddr* address, socklen_t* length);
  int setsockopt(int s, int level, int name, const void* value, socklen_t length);
  int getsockopt(int s, int level, int name, void* value, socklen_t* length);

  ssize_t send(int s, const void* data, std::size_t size, int flags);
  ssize_t sendto(int s, const void* data, std::size_t size, int flags, const sockaddr* to,
                 socklen_t to_length);
  ssize_t sendmsg(int s, const msghdr* message, int flags);
  ssize_t write(int s, const void* data, std::size_t size);
  ssize_t writev(int s, const iovec* vectors, int count);
  ssize_t recv(int s, void* into, std::size_t size, int flags);
  ssize_t recvfrom(int s, void* into, std::size_t size, int flags, sockaddr* from,
                   socklen_t* from_length);
  ssize_t recvmsg(int s, msghdr* message, int flags);
  ssize_t read(int s, void* into, std::size_t size);
  ssize_t readv(int s, const iovec* vectors, int count);

  // F_GETFL, F_SETFL (O_NONBLOCK / O_NDELAY); other commands: EINVAL.
  int fcntl(int s, int command, int value);
  // FIONREAD, FIONBIO; others: EINVAL.
  int ioctl(int s, unsigned long request, void* argument);

  // Both take this layer's sockets and any other OS descriptor in one call.
  int select(int nfds, fd_set* read_set, fd_set* write_set, fd_set* except_set, timeval* timeout);
  int poll(pollfd* fds, nfds_t count, int timeout_ms);

 private:
  struct Socket;
  struct Waiter;
  struct Use;  // a call in flight on one socket (keeps it from being freed)
  enum class Kind : std::uint8_t { Free, Tcp, Udp, Raw };

  // Finds the open socket `fd` and marks a call in flight; EBADF otherwise.
  bool acquire(int fd, Use& use);
  void release(Socket& socket);

  // Blocks until `ready()` (run in core context) is true, the deadline
  // passes (-> ETIMEDOUT / EAGAIN) or the socket is closed (-> EBADF).
  // ready() returns 0 when done, an errno to fail with, or -1 to keep waiting.
  // For close()'s own linger wait, `closing_ends_wait` is false, and
  // `recheck` (non-zero) looks again at least that often, for conditions no
  // stack event announces (a FIN acknowledged).
  // `awaited` (recv: Quiet::NoData, accept: Quiet::NoConnection): every
  // look also records in Socket::quiet whether that still holds, so that a
  // later non-blocking call can fail without a look, and the send room
  // (remember_quiet; send passes Quiet::NoData under message passing for
  // the room alone).
  enum class Quiet : std::uint8_t;
  template <class Ready>
  int wait_until(Socket& socket, Instant deadline, Ready&& ready, bool closing_ends_wait = true,
                 Duration recheck = Duration::zero(), Quiet awaited = Quiet{});
  // Core context: records in socket.quiet what a look finds now, and in
  // socket.send_room the room the connection's send buffer has.
  static void remember_quiet(Socket& socket, Stack& stack);
  // Message passing, core context, socket.mutex not held: moves what the
  // socket's connection has to read into Socket::early when no call waits
  // on the socket, the early bytes are gone and all of it fits.
  void take_early_data(Socket& socket, Stack& stack, Instant now);
  // Under socket.mutex: copies early bytes into `into` (and forgets them
  // unless `peek`); returns how many.
  static std::size_t read_early_data(Socket& socket, Bytes into, bool peek);
  // A posted send (sends_posted()): true when `data` went to the TCP/IP
  // thread as a message; false when the caller must send it itself.
  bool try_post_send(Socket& socket, ConstBytes data, int flags);
  struct PostedSend;
  static void run_posted_send(void* posted);
  // close()'s message under message passing (closes_posted()).
  struct PostedClose;
  static void run_posted_close(void* posted);
  class SendRoomHold;
  // SO_LINGER with a timeout, in close(). Core context: whether the linger
  // wait applies (then the connection is shut down, its FIN after the
  // queued data, and `seconds` is the timeout).
  bool start_linger(Socket& socket, Stack& stack, Instant now, int& seconds);
  // Then, outside core context: true when everything sent was acknowledged
  // in time; false when the connection must be reset.
  bool linger_wait(Socket& socket, int seconds);
  // Core context, in close(): gives the socket's endpoint back to the core
  // (reset: a TCP connection is aborted instead of closed).
  void release_endpoint(Socket& socket, Stack& stack, Instant now, bool reset);
  // Core context: a call met its TCP connection's error (`error`): the
  // reason the first time (Socket::connection_error_reported), `after` on
  // later calls.
  int connection_error_once(Socket& socket, int error, int after);
  // Core context, in connect(): the attempt failed and connect() reports it;
  // the socket is unconnected again (Linux), and may connect anew.
  void drop_failed_connect(Socket& socket, Stack& stack, Instant now);
  // Core context, in bind() of a UDP or TCP socket: the link of an address
  // that needs a scope id (an errno, or 0; `netif` set when the scope id
  // named it), and the socket bound to that netif after the bind.
  static int link_of_scoped_bind(Stack& stack, const Socket& socket, const IpEndpoint& local,
                                 std::optional<NetifId>& netif);
  static void bind_to_scope_netif(Stack& stack, Socket& socket, NetifId netif);
  // Core context, in shutdown(SHUT_RD or SHUT_RDWR) on a listener: closes the
  // listener and keeps the socket bound to its port.
  void stop_listening(Socket& socket, Stack& stack, Instant now);
  void add_waiter(Socket& socket, Waiter& waiter);
  void remove_waiter(Socket& socket, Waiter& waiter);
  // Under the socket's mutex: every waiter learns that something changed
  // (its flag or waker is raised, or its look handed over).
  void wake_all(Socket& socket);
  // The hand-over (Waiter::handover). The waiting thread arms it before it
  // sleeps and disarms it when it wakes: then the look's answer, if the
  // TCP/IP thread's run of it finished the call, or nothing (look again).
  enum class Handover : std::uint8_t;
  void arm_handover(Socket& socket, Waiter& waiter);
  // Message passing (wait_until): posts the waiter's look with the
  // hand-over to arm when it finds nothing, and waits for the flag until
  // `deadline` (or `recheck` from now). The look's answer, -1 when there is
  // none yet (the caller looks at closing and the deadline, then posts
  // again), or nullopt when the TCP/IP thread is not running.
  std::optional<int> post_look(Socket& socket, Waiter& waiter, WakeFlag& flag, Instant deadline,
                               Duration recheck);
  struct PostedLook;
  static void run_posted_look(void* posted);
  // After a run of a waiter's look in core context, under socket.mutex:
  // records the answer (Done), or arms the hand-over again when there is
  // none and nothing asks the thread to look itself (Idle). True when the
  // waiter's flag is to be raised.
  bool finish_handover(Socket& socket, Waiter& waiter, int result);
  static std::optional<int> disarm_handover(Socket& socket, Waiter& waiter, WakeFlag& flag);
  // TCP/IP thread (TcpipThread's work hook): runs the queued looks.
  void run_handovers();
  static void run_handovers_hook(void* self) { static_cast<SocketLayer*>(self)->run_handovers(); }

  // Core context: the socket that owns a core handle, or null.
  Socket* owner_of(TcpHandle h);
  Socket* owner_of(UdpHandle h);
  Socket* owner_of(RawHandle h);
  static void on_tcp_event(void* context, TcpHandle h, std::uint8_t events);
  static void on_udp_event(void* context, UdpHandle h);
  static void on_raw_event(void* context, RawHandle h);

  // Readiness in core context: Linux's poll bits (POLLIN, POLLRDNORM,
  // POLLRDHUP, POLLOUT, POLLWRNORM, POLLERR, POLLHUP).
  short readiness(Socket& socket, Stack& stack);
  // poll() over sockets and OS descriptors until one is ready or
  // `deadline`; `for_select`: ready means a bit one of select()'s sets
  // counts (a socket's POLLHUP alone does not end a select() on its write
  // set, as on Linux).
  int wait_ready(pollfd* fds, nfds_t count, Instant deadline, bool for_select = false);

  ssize_t send_common(Use& use, ConstBytes data, int flags, const IpEndpoint* to);
  // What IP_PKTINFO reports of a datagram, taken in core context.
  struct PacketInfo {
    UdpReceived datagram;  // its destination address and netif
    // ipi_spec_dst, Linux's "address a reply would come from": the
    // destination when it was one of ours, else (a broadcast or a group)
    // the netif's own address.
    Ipv4Address reply_from;
  };
  // `info` (UDP with IP_PKTINFO on): the datagram's addresses and netif.
  ssize_t receive_common(Use& use, Bytes into, int flags, IpEndpoint* from, bool* truncated,
                         std::optional<PacketInfo>* info = nullptr);
  // recvmsg(), or readv() when `as_read` (pieces of no bytes in all: 0 at
  // once, as read()).
  ssize_t receive_message(int fd, msghdr* message, int flags, bool as_read);
  // recvmsg()'s control messages: IP_PKTINFO's struct in_pktinfo when
  // `info` has one, cut short as Linux's put_cmsg() does (MSG_CTRUNC) when
  // msg_control is too small.
  static void write_control(msghdr& message, const std::optional<PacketInfo>& info);
  int set_socket_option(Socket& socket, int level, int name, const void* value, socklen_t length);
  // IPPROTO_IPV6 options, core context; `apply_tcp` changes the TCP settings
  // (stored, live connection, listener).
  template <class ApplyTcp>
  int set_ipv6_option(Socket& socket, Stack& stack, int name, int value, ApplyTcp&& apply_tcp);
  int get_socket_option(Socket& socket, int level, int name, void* value, socklen_t* length);
  // IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP and IPV6_MULTICAST_IF / _HOPS / _LOOP
  // (socket_multicast6.cpp); not in core context (they call into it).
  static bool is_ipv6_multicast_option(int level, int name);
  int set_ipv6_multicast_option(Socket& socket, int name, const void* value, socklen_t length);
  int get_ipv6_multicast_option(Socket& socket, int name, void* value, socklen_t* length);
  void free_socket(Socket& socket);
  // A free slot made a new socket with descriptor `fd` (no timeouts, not
  // shut down), or null when the table is full. Takes the table lock.
  Socket* claim_free_socket(int fd, Kind kind, int type, bool nonblocking, int family);
  // Wakes the threads waiting in accept() on every listener. Core context.
  void wake_listeners();
  // Core context: binds an unbound AF_INET6 UDP socket to [::]:0 before it
  // sends or connects, so that it stays dual-stack (the core would bind an
  // endpoint that first talks to a mapped address to 0.0.0.0).
  static Status bind_v6_wildcard(Socket& socket, Stack& stack);
  // An AF_INET6 socket with IPV6_V6ONLY cannot reach IPv4-mapped addresses
  // (Linux: ENETUNREACH). Core context.
  static bool v6only_refuses(const Socket& socket, const IpEndpoint& remote);

  TcpipThread& tcpip_;
  const std::size_t max_sockets_;
  std::unique_ptr<Socket[]> sockets_;
  // Descriptor -> 1 + index into sockets_ (0: not ours). Read without the
  // table lock by owns() and acquire()'s first look; written by socket()
  // and accept() once the number is theirs, cleared by free_socket() only
  // where it still names the freed socket.
  std::unique_ptr<std::atomic<std::uint16_t>[]> by_descriptor_;
  mutable std::mutex table_mutex_;  // allocation (Socket::kind)
  // Message passing (the TCP/IP thread's config): hand-overs
  // (Waiter::handover) and posted sends (sends_posted()) on.
  const bool message_passing_;
  // Sockets with a queued look, TCP/IP thread only (at most one entry per
  // socket: room for all is reserved at construction).
  std::vector<Socket*> pending_handovers_;
  std::atomic<std::uint64_t> handovers_armed_{0};
  std::atomic<std::uint64_t> handovers_finished_{0};
  std::atomic<std::uint64_t> sends_posted_{0};
  std::atomic<std::uint64_t> closes_posted_{0};
  std::atomic<std::uint64_t> early_data_taken_{0};
  // Posted closes whose message has not run yet.
  std::atomic<std::uint32_t> closes_in_mailbox_{0};
  std::atomic<std::uint64_t> accepts_held_for_room_{0};
  // Sockets of the table that are free (changes under table_mutex_).
  std::atomic<std::size_t> free_sockets_{0};
  // An accept() found no free socket while closes waited in the mailbox:
  // the connection stays queued, and the next posted close that frees a
  // socket wakes the listeners (wake_listeners()). Core context.
  bool accepts_short_of_room_ = false;
};

// The process-wide layer of the lwip_* functions: created on first use on
// the default TCP/IP thread (default_tcpip(), which tcpip_init() or
// lwnet_tap_up() start). Null when there is no default thread yet. Any thread.
SocketLayer* default_sockets();

}  // namespace lwnet::api
