/* lwIP's BSD sockets API on lwnet, for C and C++: code written for ESP-IDF's
 * <lwip/sockets.h> compiles unchanged.
 *
 * Every call exists as lwip_<name>. Unless LWIP_COMPAT_SOCKETS is defined
 * as 0 before this header, the standard names (socket, close, read, select,
 * ...) are macros for them, as in lwIP's compat mode. Unlike lwIP's, the
 * macros take their arguments as `...`: an argument whose text has commas
 * outside parentheses (a compound literal such as
 * `&(struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(7)}`, which
 * code for ESP-IDF's functions may pass) is then still one argument. Being
 * macros, the names are renamed only where a call follows: a pointer to
 * `connect` or `close` is the C library's function, not lwnet's (take
 * lwip_connect or lwip_close instead). The lwip_ functions
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
#define accept(...) lwip_accept(__VA_ARGS__)
#define bind(...) lwip_bind(__VA_ARGS__)
#define shutdown(...) lwip_shutdown(__VA_ARGS__)
#define getpeername(...) lwip_getpeername(__VA_ARGS__)
#define getsockname(...) lwip_getsockname(__VA_ARGS__)
#define setsockopt(...) lwip_setsockopt(__VA_ARGS__)
#define getsockopt(...) lwip_getsockopt(__VA_ARGS__)
#define closesocket(...) lwip_close(__VA_ARGS__)
#define connect(...) lwip_connect(__VA_ARGS__)
#define listen(...) lwip_listen(__VA_ARGS__)
#define recv(...) lwip_recv(__VA_ARGS__)
#define recvmsg(...) lwip_recvmsg(__VA_ARGS__)
#define recvfrom(...) lwip_recvfrom(__VA_ARGS__)
#define send(...) lwip_send(__VA_ARGS__)
#define sendmsg(...) lwip_sendmsg(__VA_ARGS__)
#define sendto(...) lwip_sendto(__VA_ARGS__)
#define socket(...) lwip_socket(__VA_ARGS__)
#define select(...) lwip_select(__VA_ARGS__)
#define poll(...) lwip_poll(__VA_ARGS__)
#define ioctlsocket(...) lwip_ioctl(__VA_ARGS__)
#define read(...) lwip_read(__VA_ARGS__)
#define readv(...) lwip_readv(__VA_ARGS__)
#define write(...) lwip_write(__VA_ARGS__)
#define writev(...) lwip_writev(__VA_ARGS__)
#define close(...) lwip_close(__VA_ARGS__)
#define fcntl(...) lwip_fcntl(__VA_ARGS__)
#define ioctl(...) lwip_ioctl(__VA_ARGS__)
#define inet_ntop(...) lwip_inet_ntop(__VA_ARGS__)
#define inet_pton(...) lwip_inet_pton(__VA_ARGS__)
#endif

#endif /* LWNET_LWIP_SOCKETS_H */
