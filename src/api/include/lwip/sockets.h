/* lwIP's BSD sockets API on lwnet, for C and C++: code written for ESP-IDF's
 * <lwip/sockets.h> compiles unchanged.
 *
 * Every call exists as lwip_<name>. Unless LWIP_COMPAT_SOCKETS is defined
 * as 0 before this header, the standard names (socket, close, read, select,
 * ...) are macros for them, as in lwIP's compat mode. The lwip_ functions
 * also take ordinary OS descriptors: a descriptor that is not an lwnet
 * socket goes to the C library, so one program can use both (ESP-IDF's VFS
 * does the same), and select()/poll() may mix them in one call.
 *
 * Types and constants are the C library's (struct sockaddr_in, AF_INET,
 * SO_REUSEADDR, MSG_PEEK, fd_set, ...), plus lwIP's TCP_KEEPALIVE (the
 * keepalive idle time in milliseconds), which Linux does not have.
 *
 * Threads: any thread but the TCP/IP thread. A socket may be used from
 * several threads at once (one reading, one writing, one closing). The
 * calls need a running TCP/IP thread (tcpip_init() or lwnet_tap_up());
 * before it, socket() fails with ENETDOWN. */
#ifndef LWNET_LWIP_SOCKETS_H
#define LWNET_LWIP_SOCKETS_H

/* Everything the macros below rename is declared first, so that a later
 * #include of these headers is a no-op instead of a clash. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* As lwIP's sockets.h: lwIP's error codes and address helpers come along
 * (inet_ntoa and inet_aton as lwIP's macros, see lwip/inet.h). */
#include "lwip/err.h"
#include "lwip/inet.h"

#ifndef TCP_KEEPALIVE
#define TCP_KEEPALIVE 0x1001 /* lwIP's; milliseconds (see socket_options.h) */
#endif
#ifndef SO_NO_CHECK
#define SO_NO_CHECK 11 /* Linux's number */
#endif

/* IPv6 multicast (see src/api/socket_layer.h): IPV6_JOIN_GROUP /
 * IPV6_ADD_MEMBERSHIP and IPV6_LEAVE_GROUP / IPV6_DROP_MEMBERSHIP take
 * lwIP's struct ipv6_mreq { struct in6_addr ipv6mr_multiaddr; unsigned int
 * ipv6mr_interface; }, as <netinet/in.h> declares it (ipv6mr_interface:
 * lwnet's interface index, lwip/if_api.h). When the kernel's <linux/in6.h>
 * came first, its ipv6_mreq calls the index ipv6mr_ifindex: lwIP's name
 * stands for it then. IPV6_MULTICAST_IF, IPV6_MULTICAST_HOPS and
 * IPV6_MULTICAST_LOOP have the C library's numbers (ESP-IDF's own are
 * 0x300 to 0x302: code uses the names, so it compiles unchanged). */
#if defined(__USE_KERNEL_IPV6_DEFS) && __USE_KERNEL_IPV6_DEFS && !defined(ipv6mr_interface)
#define ipv6mr_interface ipv6mr_ifindex
#endif
#if !defined(IPV6_JOIN_GROUP) && defined(IPV6_ADD_MEMBERSHIP)
#define IPV6_JOIN_GROUP IPV6_ADD_MEMBERSHIP
#define IPV6_LEAVE_GROUP IPV6_DROP_MEMBERSHIP
#endif
#if !defined(IPV6_ADD_MEMBERSHIP) && defined(IPV6_JOIN_GROUP)
#define IPV6_ADD_MEMBERSHIP IPV6_JOIN_GROUP
#define IPV6_DROP_MEMBERSHIP IPV6_LEAVE_GROUP
#endif

#ifdef __cplusplus
extern "C" {
#endif

int lwip_socket(int domain, int type, int protocol);
int lwip_bind(int s, const struct sockaddr *name, socklen_t namelen);
int lwip_listen(int s, int backlog);
int lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen);
int lwip_connect(int s, const struct sockaddr *name, socklen_t namelen);
int lwip_shutdown(int s, int how);
int lwip_close(int s);
int lwip_getsockname(int s, struct sockaddr *name, socklen_t *namelen);
int lwip_getpeername(int s, struct sockaddr *name, socklen_t *namelen);
int lwip_getsockopt(int s, int level, int optname, void *optval, socklen_t *optlen);
int lwip_setsockopt(int s, int level, int optname, const void *optval, socklen_t optlen);
ssize_t lwip_read(int s, void *mem, size_t len);
ssize_t lwip_readv(int s, const struct iovec *iov, int iovcnt);
ssize_t lwip_write(int s, const void *dataptr, size_t size);
ssize_t lwip_writev(int s, const struct iovec *iov, int iovcnt);
ssize_t lwip_recv(int s, void *mem, size_t len, int flags);
ssize_t lwip_recvfrom(int s, void *mem, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen);
ssize_t lwip_recvmsg(int s, struct msghdr *message, int flags);
ssize_t lwip_send(int s, const void *dataptr, size_t size, int flags);
ssize_t lwip_sendto(int s, const void *dataptr, size_t size, int flags, const struct sockaddr *to,
                    socklen_t tolen);
ssize_t lwip_sendmsg(int s, const struct msghdr *message, int flags);
int lwip_select(int maxfdp1, fd_set *readset, fd_set *writeset, fd_set *exceptset, struct timeval *timeout);
int lwip_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int lwip_fcntl(int s, int cmd, ...);
int lwip_ioctl(int s, unsigned long cmd, ...);
const char *lwip_inet_ntop(int af, const void *src, char *dst, socklen_t size);
int lwip_inet_pton(int af, const char *src, void *dst);

#ifdef __cplusplus
}
#endif

#if !defined(LWIP_COMPAT_SOCKETS) || LWIP_COMPAT_SOCKETS != 0
#define accept(s, addr, addrlen) lwip_accept(s, addr, addrlen)
#define bind(s, name, namelen) lwip_bind(s, name, namelen)
#define shutdown(s, how) lwip_shutdown(s, how)
#define getpeername(s, name, namelen) lwip_getpeername(s, name, namelen)
#define getsockname(s, name, namelen) lwip_getsockname(s, name, namelen)
#define setsockopt(s, level, optname, opval, optlen) lwip_setsockopt(s, level, optname, opval, optlen)
#define getsockopt(s, level, optname, opval, optlen) lwip_getsockopt(s, level, optname, opval, optlen)
#define closesocket(s) lwip_close(s)
#define connect(s, name, namelen) lwip_connect(s, name, namelen)
#define listen(s, backlog) lwip_listen(s, backlog)
#define recv(s, mem, len, flags) lwip_recv(s, mem, len, flags)
#define recvmsg(s, message, flags) lwip_recvmsg(s, message, flags)
#define recvfrom(s, mem, len, flags, from, fromlen) lwip_recvfrom(s, mem, len, flags, from, fromlen)
#define send(s, dataptr, size, flags) lwip_send(s, dataptr, size, flags)
#define sendmsg(s, message, flags) lwip_sendmsg(s, message, flags)
#define sendto(s, dataptr, size, flags, to, tolen) lwip_sendto(s, dataptr, size, flags, to, tolen)
#define socket(domain, type, protocol) lwip_socket(domain, type, protocol)
#define select(maxfdp1, readset, writeset, exceptset, timeout) \
  lwip_select(maxfdp1, readset, writeset, exceptset, timeout)
#define poll(fds, nfds, timeout) lwip_poll(fds, nfds, timeout)
#define ioctlsocket(s, cmd, argp) lwip_ioctl(s, cmd, argp)
#define read(s, mem, len) lwip_read(s, mem, len)
#define readv(s, iov, iovcnt) lwip_readv(s, iov, iovcnt)
#define write(s, dataptr, len) lwip_write(s, dataptr, len)
#define writev(s, iov, iovcnt) lwip_writev(s, iov, iovcnt)
#define close(s) lwip_close(s)
#define fcntl(s, ...) lwip_fcntl(s, __VA_ARGS__)
#define ioctl(s, ...) lwip_ioctl(s, __VA_ARGS__)
#define inet_ntop(af, src, dst, size) lwip_inet_ntop(af, src, dst, size)
#define inet_pton(af, src, dst) lwip_inet_pton(af, src, dst)
#endif

#endif /* LWNET_LWIP_SOCKETS_H */
