/* The socket calls of conformance.sh, built twice from this one file: on
 * lwnet (through <lwip/sockets.h>, brought up by lwnet_tap_up on the TAP
 * given) and on the Linux kernel's own sockets (-DCONFORMANCE_KERNEL; the
 * TAP and address arguments are then ignored: the namespace's kernel has
 * 192.0.2.2 on a veth). Each step prints one line, "step: result", where
 * the result is the call's return value (or "fd" for a new descriptor) or
 * "-1 ERRNO_NAME", and for some steps what it read back (an option's value,
 * poll's revents, an address). conformance.sh runs both builds against the
 * same Linux peer at 192.0.2.1 and compares their lines: code written for
 * Linux sockets must see the same results on lwnet.
 *
 *   conformance_probe TAP CIDR
 *
 * The peer serves (conformance.sh): TCP 7001 echo, TCP 7005 "connect back"
 * (reads a port number and a newline, connects to 192.0.2.2 on that port,
 * sends "hi" and closes), UDP 7004 echo; TCP 7002 and UDP 7003 are closed.
 * Over IPv6 (the peer 2001:db8::1, this end 2001:db8::2/64): TCP 7011 echo,
 * UDP 7014 echo, TCP 7002 closed. Nothing at 198.51.100.0/24 or outside
 * 2001:db8::/64 is reachable (no route).
 *
 * Steps whose results lwIP defines differently from Linux, and which lwnet
 * gives as lwIP does (ESP-IDF's code depends on them), are not here: the
 * exception set of select() for a socket with a pending error, and fcntl's
 * F_GETFL access mode after shutdown(); tests/api checks those. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifdef CONFORMANCE_KERNEL
#include <arpa/inet.h>
#include <netdb.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#else
#include <lwip/netdb.h>
#include <lwip/sockets.h>
#include <lwnet/lwnet.h>
#endif

#ifdef CONFORMANCE_KERNEL
#define lwip_or_c_connect connect
#define lwip_or_c_bind bind
#else
/* The standard names are function-like macros here: their functions. */
#define lwip_or_c_connect lwip_connect
#define lwip_or_c_bind lwip_bind
#endif

static const char *const peer = "192.0.2.1";
static const char *const self = "192.0.2.2";

static void result(const char *step, long value)
{
    if (value < 0) {
        const char *name = strerrorname_np(errno);
        printf("%s: -1 %s\n", step, name != NULL ? name : "?");
    } else {
        printf("%s: %ld\n", step, value);
    }
}

/* For calls that return a new descriptor: its number differs between the
 * two stacks, so only whether there is one is printed. */
static int new_fd(const char *step, int fd)
{
    if (fd < 0) {
        result(step, -1);
    } else {
        printf("%s: fd\n", step);
    }
    return fd;
}

static struct sockaddr_in address(const char *ip, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 address6(const char *ip, int port)
{
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

/* connect() or bind() to `ip` (IPv6 when it has a colon) and `port`. */
static int to_address(int (*call)(int, const struct sockaddr *, socklen_t), int fd, const char *ip, int port)
{
    if (strchr(ip, ':') != NULL) {
        struct sockaddr_in6 a = address6(ip, port);
        return call(fd, (struct sockaddr *)&a, sizeof a);
    }
    struct sockaddr_in a = address(ip, port);
    return call(fd, (struct sockaddr *)&a, sizeof a);
}

static int connect_to(int fd, const char *ip, int port)
{
    return to_address(lwip_or_c_connect, fd, ip, port);
}

static int bind_to(int fd, const char *ip, int port)
{
    return to_address(lwip_or_c_bind, fd, ip, port);
}

static void int_option(const char *step, int fd, int level, int name)
{
    int value = -12345;
    socklen_t length = sizeof value;
    const int r = getsockopt(fd, level, name, &value, &length);
    if (r < 0) {
        result(step, r);
    } else {
        printf("%s: %d value %d length %u\n", step, r, value, (unsigned)length);
    }
}

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

static void print_address(const char *step, int r, const struct sockaddr_in *a, socklen_t length, int with_port)
{
    if (r < 0) {
        result(step, r);
        return;
    }
    char text[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    if (with_port) {
        printf("%s: %d family %d %s:%u length %u\n", step, r, a->sin_family, text, ntohs(a->sin_port),
               (unsigned)length);
    } else {
        printf("%s: %d family %d %s length %u\n", step, r, a->sin_family, text, (unsigned)length);
    }
}

static void local_name(const char *step, int fd)
{
    struct sockaddr_in a;
    memset(&a, 0xff, sizeof a);
    socklen_t length = sizeof a;
    print_address(step, getsockname(fd, (struct sockaddr *)&a, &length), &a, length, 1);
}

static void peer_name(const char *step, int fd)
{
    struct sockaddr_in a;
    memset(&a, 0xff, sizeof a);
    socklen_t length = sizeof a;
    print_address(step, getpeername(fd, (struct sockaddr *)&a, &length), &a, length, 1);
}

/* poll() for `events` up to `ms`; prints the revents. */
static void poll_one(const char *step, int fd, short events, int ms)
{
    struct pollfd p = {fd, events, 0};
    const int r = poll(&p, 1, ms);
    if (r < 0) {
        result(step, r);
    } else {
        printf("%s: %d revents 0x%x\n", step, r, (unsigned)p.revents);
    }
}

/* select() for reading and writing with a timeout of `ms`; prints which of
 * the two sets hold the socket (the exception set is lwIP's own: see the
 * top). */
static void select_one(const char *step, int fd, int ms)
{
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(fd, &readable);
    FD_SET(fd, &writable);
    struct timeval timeout = {0, (long)ms * 1000};
    const int r = select(fd + 1, &readable, &writable, NULL, &timeout);
    if (r < 0) {
        result(step, r);
    } else {
        printf("%s: %d read %d write %d\n", step, r, FD_ISSET(fd, &readable) ? 1 : 0,
               FD_ISSET(fd, &writable) ? 1 : 0);
    }
}

static void nonblocking(int fd)
{
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Waits (up to 5 s, printing nothing) until `fd` has `n` bytes to read:
 * loaded machines deliver late, and a fixed pause would make the results
 * depend on it. */
static void wait_bytes(int fd, int n)
{
    for (int i = 0; i < 500; ++i) {
        int pending = 0;
        if (ioctl(fd, FIONREAD, &pending) == 0 && pending >= n) return;
        pause_ms(10);
    }
}

/* Waits (up to 5 s, printing nothing) until poll() reports one of
 * `events`, an error or a hang-up on `fd`. */
static void wait_ready(int fd, short events)
{
    struct pollfd p = {fd, events, 0};
    (void)poll(&p, 1, 5000);
}

/* Reads exactly `n` bytes (the echo's answer) and prints them. */
static void read_exactly(const char *step, int fd, size_t n)
{
    char buffer[64] = {0};
    if (n > sizeof buffer - 1) n = sizeof buffer - 1;
    const ssize_t r = recv(fd, buffer, n, MSG_WAITALL);
    if (r < 0) {
        result(step, r);
    } else {
        printf("%s: %zd \"%.*s\"\n", step, r, (int)r, buffer);
    }
}

static void fresh_tcp_socket(void)
{
    char byte = 'x';
    int t = new_fd("tcp socket", socket(AF_INET, SOCK_STREAM, 0));
    local_name("fresh getsockname", t);
    peer_name("fresh getpeername", t);
    int_option("fresh SO_TYPE", t, SOL_SOCKET, SO_TYPE);
    int_option("fresh SO_ERROR", t, SOL_SOCKET, SO_ERROR);
    int_option("fresh SO_ACCEPTCONN", t, SOL_SOCKET, SO_ACCEPTCONN);
    int_option("fresh SO_KEEPALIVE", t, SOL_SOCKET, SO_KEEPALIVE);
    int_option("fresh TCP_NODELAY", t, IPPROTO_TCP, TCP_NODELAY);
    poll_one("fresh poll", t, POLLIN | POLLOUT, 0);
    select_one("fresh select", t, 0);
    result("fresh send", send(t, &byte, 1, MSG_NOSIGNAL));
    result("fresh recv", recv(t, &byte, 1, MSG_DONTWAIT));
    result("fresh shutdown SHUT_RD", shutdown(t, SHUT_RD));
    result("fresh shutdown 7", shutdown(t, 7));
    result("fresh accept", accept(t, NULL, NULL));
    result("fresh unknown ioctl", ioctl(t, 0x7fff, &byte));
    int size = 0;
    result("fresh FIONREAD", ioctl(t, FIONREAD, &size));
    printf("fresh FIONREAD value: %d\n", size);
    result("fresh setsockopt unknown option", set_int(t, SOL_SOCKET, 9999, 1));
    result("fresh setsockopt unknown level", set_int(t, 12345, 1, 1));
    result("fresh setsockopt short length", setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &byte, 1));
    result("fresh setsockopt TCP_NODELAY", set_int(t, IPPROTO_TCP, TCP_NODELAY, 1));
    int_option("fresh TCP_NODELAY after", t, IPPROTO_TCP, TCP_NODELAY);
    result("fresh setsockopt TCP_KEEPIDLE 0", set_int(t, IPPROTO_TCP, TCP_KEEPIDLE, 0));
    result("fresh setsockopt TCP_KEEPINTVL 0", set_int(t, IPPROTO_TCP, TCP_KEEPINTVL, 0));
    result("fresh setsockopt TCP_KEEPCNT 0", set_int(t, IPPROTO_TCP, TCP_KEEPCNT, 0));
    result("fresh setsockopt TCP_KEEPIDLE 30", set_int(t, IPPROTO_TCP, TCP_KEEPIDLE, 30));
    int_option("fresh TCP_KEEPIDLE", t, IPPROTO_TCP, TCP_KEEPIDLE);
    result("fresh setsockopt SO_KEEPALIVE", set_int(t, SOL_SOCKET, SO_KEEPALIVE, 1));
    int_option("fresh SO_KEEPALIVE after", t, SOL_SOCKET, SO_KEEPALIVE);
    result("fresh setsockopt IP_TOS", set_int(t, IPPROTO_IP, IP_TOS, 0x10));
    int_option("fresh IP_TOS", t, IPPROTO_IP, IP_TOS);
    result("fresh setsockopt IP_TTL 0", set_int(t, IPPROTO_IP, IP_TTL, 0));
    result("fresh setsockopt IP_TTL 300", set_int(t, IPPROTO_IP, IP_TTL, 300));
    result("fresh setsockopt IP_TTL 9", set_int(t, IPPROTO_IP, IP_TTL, 9));
    int_option("fresh IP_TTL", t, IPPROTO_IP, IP_TTL);
    printf("fresh F_GETFL O_NONBLOCK: %d\n", (fcntl(t, F_GETFL, 0) & O_NONBLOCK) != 0);
    result("fresh F_SETFL O_NONBLOCK", fcntl(t, F_SETFL, O_NONBLOCK));
    printf("fresh F_GETFL O_NONBLOCK after: %d\n", (fcntl(t, F_GETFL, 0) & O_NONBLOCK) != 0);
    int off = 0;
    result("fresh FIONBIO 0", ioctl(t, FIONBIO, &off));
    printf("fresh F_GETFL O_NONBLOCK after FIONBIO: %d\n", (fcntl(t, F_GETFL, 0) & O_NONBLOCK) != 0);
    result("fresh close", close(t));
    result("closed close", close(t));
    result("closed send", send(t, &byte, 1, MSG_NOSIGNAL));
    result("closed getsockopt", getsockopt(t, SOL_SOCKET, SO_TYPE, &size, &(socklen_t){sizeof size}));
}

static void socket_arguments(void)
{
    int fd;
    fd = new_fd("socket stream udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    if (fd >= 0) close(fd);
    fd = new_fd("socket dgram tcp", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    if (fd >= 0) close(fd);
    fd = new_fd("socket type 99", socket(AF_INET, 99, 0));
    if (fd >= 0) close(fd);
    fd = new_fd("socket family 12345", socket(12345, SOCK_STREAM, 0));
    if (fd >= 0) close(fd);
    fd = new_fd("socket stream tcp", socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    if (fd >= 0) close(fd);
    fd = new_fd("socket dgram udp", socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    if (fd >= 0) close(fd);
    fd = new_fd("socket raw icmp", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    if (fd >= 0) close(fd);
    char byte = 0;
    result("close -1", close(-1));
    result("send -1", send(-1, &byte, 1, 0));
}

static void binding_and_listening(void)
{
    int t = new_fd("bind socket", socket(AF_INET, SOCK_STREAM, 0));
    result("bind", bind_to(t, self, 6000));
    local_name("bound getsockname", t);
    result("bind again", bind_to(t, self, 6001));
    int t2 = new_fd("bind socket 2", socket(AF_INET, SOCK_STREAM, 0));
    result("bind in use", bind_to(t2, self, 6000));
    result("bind foreign address", bind_to(t2, "203.0.113.9", 6000));
    struct sockaddr_in a = address(self, 6002);
    result("bind short length", bind(t2, (struct sockaddr *)&a, 4));
    a.sin_family = AF_INET6;
    result("bind wrong family", bind(t2, (struct sockaddr *)&a, sizeof a));
    result("bind wildcard other port", bind_to(t2, "0.0.0.0", 6003));
    local_name("wildcard getsockname", t2);
    close(t2);

    result("listen", listen(t, 2));
    int_option("listening SO_ACCEPTCONN", t, SOL_SOCKET, SO_ACCEPTCONN);
    result("listen again", listen(t, 4));
    peer_name("listening getpeername", t);
    nonblocking(t);
    result("listening accept nothing", accept(t, NULL, NULL));
    poll_one("listening poll", t, POLLIN | POLLOUT, 0);
    select_one("listening select", t, 0);
    char byte = 'x';
    result("listening send", send(t, &byte, 1, MSG_NOSIGNAL));
    result("listening recv", recv(t, &byte, 1, 0));
    result("listening connect", connect_to(t, peer, 7001));
    int size = 0;
    result("listening FIONREAD", ioctl(t, FIONREAD, &size));
    result("listening shutdown SHUT_WR", shutdown(t, SHUT_WR));
    int_option("listening SO_ACCEPTCONN after SHUT_WR", t, SOL_SOCKET, SO_ACCEPTCONN);
    result("listening shutdown", shutdown(t, SHUT_RDWR));
    int_option("shut listener SO_ACCEPTCONN", t, SOL_SOCKET, SO_ACCEPTCONN);
    result("shut listener accept", accept(t, NULL, NULL));
    local_name("shut listener getsockname", t);
    poll_one("shut listener poll", t, POLLIN | POLLOUT, 0);
    int t3 = new_fd("bind socket 3", socket(AF_INET, SOCK_STREAM, 0));
    result("bind the shut listener's port", bind_to(t3, self, 6000));
    close(t3);
    result("shut listener listen again", listen(t, 2));
    int_option("listening again SO_ACCEPTCONN", t, SOL_SOCKET, SO_ACCEPTCONN);
    close(t);

    int u = new_fd("listen udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("udp listen", listen(u, 1));
    result("udp accept", accept(u, NULL, NULL));
    close(u);
}

static void connecting(void)
{
    int c = new_fd("refused socket", socket(AF_INET, SOCK_STREAM, 0));
    result("connect refused", connect_to(c, peer, 7002));
    int_option("refused SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    peer_name("refused getpeername", c);
    poll_one("refused poll", c, POLLIN | POLLOUT, 0);
    result("connect after refused", connect_to(c, peer, 7001));
    peer_name("connect after refused getpeername", c);
    close(c);

    c = new_fd("unreachable socket", socket(AF_INET, SOCK_STREAM, 0));
    result("connect no route", connect_to(c, "198.51.100.1", 7001));
    close(c);

    /* Nobody answers ARP for 192.0.2.98: the host is unreachable (Linux
     * gives up resolving after about 3 seconds). */
    c = new_fd("unresolvable socket", socket(AF_INET, SOCK_STREAM, 0));
    struct timeval limit = {20, 0};
    (void)setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    result("connect unresolvable", connect_to(c, "192.0.2.98", 7001));
    int_option("unresolvable SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    close(c);

    c = new_fd("echo socket", socket(AF_INET, SOCK_STREAM, 0));
    result("connect", connect_to(c, peer, 7001));
    result("connect again", connect_to(c, peer, 7001));
    peer_name("connected getpeername", c);
    struct sockaddr_in local;
    socklen_t length = sizeof local;
    const int r = getsockname(c, (struct sockaddr *)&local, &length);
    print_address("connected getsockname", r, &local, length, 0);
    result("connected bind", bind_to(c, self, 6010));
    result("connected listen", listen(c, 1));
    poll_one("connected poll", c, POLLIN | POLLOUT, 0);
    select_one("connected select", c, 0);

    result("send", send(c, "hello", 5, 0));
    poll_one("poll for the echo", c, POLLIN, 5000);
    wait_bytes(c, 5);  /* the whole echo, not only its first segment */
    int pending = -1;
    result("FIONREAD", ioctl(c, FIONREAD, &pending));
    printf("FIONREAD value: %d\n", pending);
    char buffer[16] = {0};
    const ssize_t peeked = recv(c, buffer, 5, MSG_PEEK);
    printf("recv MSG_PEEK: %zd \"%.*s\"\n", peeked, peeked > 0 ? (int)peeked : 0, buffer);
    read_exactly("recv 2", c, 2);
    read_exactly("recv MSG_WAITALL 3", c, 3);
    result("recv MSG_DONTWAIT nothing", recv(c, buffer, sizeof buffer, MSG_DONTWAIT));
    struct timeval timeout = {0, 100000};
    result("SO_RCVTIMEO", setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout));
    result("recv timed out", recv(c, buffer, sizeof buffer, 0));

    struct iovec pieces[2] = {{"ab", 2}, {"cde", 3}};
    result("writev", writev(c, pieces, 2));
    char first[3] = {0}, second[2] = {0};
    struct iovec into[2] = {{first, 3}, {second, 2}};
    poll_one("poll for the writev echo", c, POLLIN, 5000);
    wait_bytes(c, 5);
    const ssize_t got = readv(c, into, 2);
    printf("readv: %zd \"%.3s%.2s\"\n", got, first, second);

    struct sockaddr_in to = address(peer, 7001);
    result("sendto with an address", sendto(c, "z", 1, 0, (struct sockaddr *)&to, sizeof to));
    poll_one("poll for the sendto echo", c, POLLIN, 5000);
    struct sockaddr_in from;
    memset(&from, 0, sizeof from);
    socklen_t from_length = sizeof from;
    const ssize_t n = recvfrom(c, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length);
    printf("recvfrom: %zd from_length %u\n", n, (unsigned)from_length);
    result("write", write(c, "w", 1));
    poll_one("poll for the write echo", c, POLLIN, 5000);
    result("read", read(c, buffer, sizeof buffer));

    result("shutdown SHUT_WR", shutdown(c, SHUT_WR));
    result("send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    poll_one("poll for the end", c, POLLIN, 5000);
    pause_ms(100);
    result("recv end", recv(c, buffer, sizeof buffer, 0));
    result("recv end again", recv(c, buffer, sizeof buffer, 0));
    poll_one("closed both ways poll", c, POLLIN | POLLOUT, 0);
    select_one("closed both ways select", c, 0);
    int_option("closed both ways SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    result("close", close(c));
}

static void connecting_without_blocking(void)
{
    /* Nobody has 192.0.2.99: its address is never resolved, the connection
     * stays in progress. */
    int c = new_fd("silent socket", socket(AF_INET, SOCK_STREAM, 0));
    nonblocking(c);
    result("silent connect", connect_to(c, "192.0.2.99", 7001));
    result("silent connect again", connect_to(c, "192.0.2.99", 7001));
    poll_one("silent poll", c, POLLIN | POLLOUT, 0);
    int_option("silent SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    result("silent send", send(c, "x", 1, MSG_NOSIGNAL));
    result("silent recv", recv(c, (char[4]){0}, 4, 0));
    close(c);

    c = new_fd("nonblocking socket", socket(AF_INET, SOCK_STREAM, 0));
    nonblocking(c);
    result("nonblocking connect", connect_to(c, peer, 7001));
    poll_one("nonblocking poll", c, POLLOUT, 5000);
    int_option("nonblocking SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    result("nonblocking connect when connected", connect_to(c, peer, 7001));
    result("nonblocking connect when connected again", connect_to(c, peer, 7001));
    result("nonblocking recv nothing", recv(c, (char[4]){0}, 4, 0));
    close(c);

    c = new_fd("nonblocking refused socket", socket(AF_INET, SOCK_STREAM, 0));
    nonblocking(c);
    result("nonblocking connect refused", connect_to(c, peer, 7002));
    poll_one("nonblocking refused poll", c, POLLOUT, 5000);
    select_one("nonblocking refused select", c, 0);
    int_option("nonblocking refused SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    int_option("nonblocking refused SO_ERROR again", c, SOL_SOCKET, SO_ERROR);
    result("nonblocking refused connect again", connect_to(c, peer, 7002));
    result("nonblocking refused connect anew", connect_to(c, peer, 7002));
    poll_one("nonblocking refused anew poll", c, POLLOUT, 5000);
    result("nonblocking refused connect after anew", connect_to(c, peer, 7002));
    close(c);
}

static void accepting(void)
{
    int l = new_fd("accepting socket", socket(AF_INET, SOCK_STREAM, 0));
    result("accepting SO_REUSEADDR", set_int(l, SOL_SOCKET, SO_REUSEADDR, 1));
    result("accepting bind", bind_to(l, "0.0.0.0", 6100));
    result("accepting listen", listen(l, 1));
    int c = new_fd("connect back socket", socket(AF_INET, SOCK_STREAM, 0));
    result("connect back", connect_to(c, peer, 7005));
    result("connect back send", send(c, "6100\n", 5, 0));
    poll_one("accepting poll", l, POLLIN, 5000);
    select_one("accepting select", l, 0);
    struct sockaddr_in from;
    memset(&from, 0xff, sizeof from);
    socklen_t length = sizeof from;
    int a = new_fd("accept", accept(l, (struct sockaddr *)&from, &length));
    print_address("accept address", a < 0 ? -1 : 0, &from, length, 0);
    local_name("accepted getsockname", a);
    int_option("accepted SO_ACCEPTCONN", a, SOL_SOCKET, SO_ACCEPTCONN);
    int_option("accepted SO_TYPE", a, SOL_SOCKET, SO_TYPE);
    read_exactly("accepted recv", a, 2);
    poll_one("accepted poll for the end", a, POLLIN, 5000);
    result("accepted recv end", recv(a, (char[4]){0}, 4, 0));
    close(a);
    socklen_t small = 4;
    nonblocking(l);
    result("accept nothing", accept(l, (struct sockaddr *)&from, &small));
    close(c);
    close(l);
}

static void datagrams(void)
{
    char buffer[16] = {0};
    int u = new_fd("udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    int_option("udp SO_TYPE", u, SOL_SOCKET, SO_TYPE);
    result("udp send unconnected", send(u, "x", 1, 0));
    peer_name("udp getpeername unconnected", u);
    struct sockaddr_in broadcast = address("192.0.2.255", 7009);
    result("udp sendto broadcast", sendto(u, "b", 1, 0, (struct sockaddr *)&broadcast, sizeof broadcast));
    result("udp SO_BROADCAST", set_int(u, SOL_SOCKET, SO_BROADCAST, 1));
    int_option("udp SO_BROADCAST value", u, SOL_SOCKET, SO_BROADCAST);
    result("udp sendto broadcast allowed", sendto(u, "b", 1, 0, (struct sockaddr *)&broadcast,
                                                  sizeof broadcast));
    result("udp recv nothing", recv(u, buffer, sizeof buffer, MSG_DONTWAIT));
    poll_one("udp poll", u, POLLIN | POLLOUT, 0);
    struct sockaddr_in echo = address(peer, 7004);
    result("udp sendto echo", sendto(u, "abcdef", 6, 0, (struct sockaddr *)&echo, sizeof echo));
    poll_one("udp poll for the echo", u, POLLIN, 5000);
    int pending = -1;
    result("udp FIONREAD", ioctl(u, FIONREAD, &pending));
    printf("udp FIONREAD value: %d\n", pending);
    result("udp recv MSG_TRUNC", recv(u, buffer, 3, MSG_TRUNC));
    result("udp sendto echo 2", sendto(u, "abcdef", 6, 0, (struct sockaddr *)&echo, sizeof echo));
    poll_one("udp poll for the echo 2", u, POLLIN, 5000);
    struct iovec piece = {buffer, 3};
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &piece;
    message.msg_iovlen = 1;
    struct sockaddr_in from;
    message.msg_name = &from;
    message.msg_namelen = sizeof from;
    const ssize_t n = recvmsg(u, &message, 0);
    printf("udp recvmsg short: %zd flags MSG_TRUNC %d namelen %u\n", n, (message.msg_flags & MSG_TRUNC) != 0,
           (unsigned)message.msg_namelen);
    print_address("udp recvmsg from", n < 0 ? -1 : 0, &from, message.msg_namelen, 1);
    result("udp sendto echo 3", sendto(u, "abcdef", 6, 0, (struct sockaddr *)&echo, sizeof echo));
    poll_one("udp poll for the echo 3", u, POLLIN, 5000);
    result("udp recv MSG_PEEK", recv(u, buffer, sizeof buffer, MSG_PEEK));
    result("udp recv after peek", recv(u, buffer, 2, 0));
    result("udp recv rest of a datagram", recv(u, buffer, sizeof buffer, MSG_DONTWAIT));
    /* An address written as a compound literal: its commas must stay in one
     * argument of the standard names' macros. */
    result("udp sendto compound literal",
           sendto(u, "cl", 2, 0,
                  (const struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(7004),
                                                                 .sin_addr = {.s_addr = htonl(0xc0000201U)}},
                  sizeof(struct sockaddr_in)));
    poll_one("udp poll for the compound literal's echo", u, POLLIN, 5000);
    result("udp recv compound literal's echo", recv(u, buffer, sizeof buffer, 0));
    struct sockaddr_in far = address("198.51.100.1", 7004);
    result("udp sendto no route", sendto(u, "x", 1, 0, (struct sockaddr *)&far, sizeof far));
    result("udp connect closed port", connect_to(u, peer, 7003));
    peer_name("udp getpeername connected", u);
    result("udp send to closed port", send(u, "x", 1, 0));
    wait_ready(u, 0);  /* the port unreachable (POLLERR) */
    result("udp recv after port unreachable", recv(u, buffer, sizeof buffer, MSG_DONTWAIT));
    result("udp recv after the error", recv(u, buffer, sizeof buffer, MSG_DONTWAIT));
    result("udp send to closed port again", send(u, "x", 1, 0));
    wait_ready(u, 0);
    int_option("udp SO_ERROR after port unreachable", u, SOL_SOCKET, SO_ERROR);
    result("udp send after SO_ERROR", send(u, "x", 1, 0));
    wait_ready(u, 0);
    result("udp send after port unreachable", send(u, "x", 1, 0));
    struct sockaddr_in unspecified;
    memset(&unspecified, 0, sizeof unspecified);
    unspecified.sin_family = AF_UNSPEC;
    result("udp connect AF_UNSPEC", connect(u, (struct sockaddr *)&unspecified, sizeof unspecified));
    peer_name("udp getpeername disconnected", u);
    result("udp shutdown unconnected", shutdown(u, SHUT_RD));
    result("udp recv after SHUT_RD", recv(u, buffer, sizeof buffer, 0));
    poll_one("udp poll after SHUT_RD", u, POLLIN | POLLOUT, 0);
    result("udp shutdown bad how", shutdown(u, 5));

    struct ip_mreq group;
    memset(&group, 0, sizeof group);
    inet_pton(AF_INET, self, &group.imr_interface);
    inet_pton(AF_INET, "192.0.2.77", &group.imr_multiaddr);
    result("udp IP_ADD_MEMBERSHIP unicast", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group));
    inet_pton(AF_INET, "239.1.2.3", &group.imr_multiaddr);
    result("udp IP_DROP_MEMBERSHIP not joined",
           setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &group, sizeof group));
    result("udp IP_ADD_MEMBERSHIP", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group));
    result("udp IP_ADD_MEMBERSHIP again", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group));
    result("udp IP_DROP_MEMBERSHIP", setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &group, sizeof group));
    unsigned char ttl = 5;
    result("udp IP_MULTICAST_TTL char", setsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, 1));
    int_option("udp IP_MULTICAST_TTL", u, IPPROTO_IP, IP_MULTICAST_TTL);
    int_option("udp IP_MULTICAST_LOOP", u, IPPROTO_IP, IP_MULTICAST_LOOP);
    result("udp TCP_NODELAY", set_int(u, IPPROTO_TCP, TCP_NODELAY, 1));
    close(u);

    u = new_fd("udp socket 2", socket(AF_INET, SOCK_DGRAM, 0));
    result("udp 2 connect echo", connect_to(u, peer, 7004));
    result("udp 2 send", send(u, "abc", 3, 0));
    poll_one("udp 2 poll for the echo", u, POLLIN, 5000);
    result("udp 2 shutdown SHUT_WR", shutdown(u, SHUT_WR));
    result("udp 2 send after SHUT_WR", send(u, "abc", 3, MSG_NOSIGNAL));
    poll_one("udp 2 poll after SHUT_WR", u, POLLIN | POLLOUT, 0);
    result("udp 2 shutdown SHUT_RD", shutdown(u, SHUT_RD));
    poll_one("udp 2 poll after both", u, POLLIN | POLLOUT, 0);
    result("udp 2 recv queued", recv(u, buffer, sizeof buffer, 0));
    result("udp 2 recv after", recv(u, buffer, sizeof buffer, 0));
    close(u);
}

static void raw_icmp(void)
{
    int r = new_fd("raw socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    int_option("raw SO_TYPE", r, SOL_SOCKET, SO_TYPE);
    /* Echo request: type 8, code 0, checksum, identifier 0x1234, sequence 1,
     * payload "lwnet!". */
    unsigned char request[14] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'l', 'w', 'n', 'e', 't', '!'};
    unsigned long sum = 0;
    for (size_t i = 0; i < sizeof request; i += 2) sum += (unsigned long)(request[i] << 8 | request[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    request[2] = (unsigned char)(~sum >> 8);
    request[3] = (unsigned char)(~sum & 0xff);
    struct sockaddr_in to = address(peer, 0);
    result("raw sendto", sendto(r, request, sizeof request, 0, (struct sockaddr *)&to, sizeof to));
    poll_one("raw poll for the reply", r, POLLIN, 5000);
    unsigned char reply[128];
    struct sockaddr_in from;
    socklen_t length = sizeof from;
    const ssize_t n = recvfrom(r, reply, sizeof reply, 0, (struct sockaddr *)&from, &length);
    if (n < 0) {
        result("raw recvfrom", n);
    } else {
        const size_t header = (size_t)(reply[0] & 0x0f) * 4;
        printf("raw recvfrom: %zd version %d header %zu type %d payload \"%.6s\"\n", n, reply[0] >> 4, header,
               reply[header], (const char *)reply + header + 8);
        print_address("raw recvfrom address", 0, &from, length, 0);
    }
    result("raw send unconnected", send(r, request, sizeof request, 0));
    result("raw listen", listen(r, 1));
    result("raw bind not ours", bind_to(r, "198.51.100.1", 0));
    result("raw bind ours", bind_to(r, self, 0));
    result("raw bind again", bind_to(r, self, 0));
    result("raw bind broadcast", bind_to(r, "192.0.2.255", 0));
    result("raw bind multicast", bind_to(r, "239.1.2.3", 0));
    result("raw bind any", bind_to(r, "0.0.0.0", 0));
    close(r);
}

/* A listener on 127.0.0.1:port (the stack's own loopback). */
static int local_listener(const char *step, int port)
{
    int l = new_fd(step, socket(AF_INET, SOCK_STREAM, 0));
    (void)set_int(l, SOL_SOCKET, SO_REUSEADDR, 1);
    if (bind_to(l, "127.0.0.1", port) != 0 || listen(l, 4) != 0) result(step, -1);
    return l;
}

/* A connection to that listener: the client, and the accepted side. */
static void local_pair(const char *step, int listener, int port, int *client, int *server)
{
    *client = socket(AF_INET, SOCK_STREAM, 0);
    const int r = connect_to(*client, "127.0.0.1", port);
    *server = accept(listener, NULL, NULL);
    if (r != 0 || *server < 0) {
        result(step, -1);
    } else {
        printf("%s: connected\n", step);
    }
}

/* TCP connections within the stack, over 127.0.0.1: how each end sees
 * the other's close, reset, linger and options. */
static void local_connections(void)
{
    char buffer[16] = {0};
    int l = local_listener("local listener", 6200);
    result("local listener SO_KEEPALIVE", set_int(l, SOL_SOCKET, SO_KEEPALIVE, 1));
    result("local listener TCP_NODELAY", set_int(l, IPPROTO_TCP, TCP_NODELAY, 1));
    int c, a;
    local_pair("local pair", l, 6200, &c, &a);
    int_option("accepted SO_KEEPALIVE inherited", a, SOL_SOCKET, SO_KEEPALIVE);
    int_option("accepted TCP_NODELAY inherited", a, IPPROTO_TCP, TCP_NODELAY);
    int_option("accepted SO_REUSEADDR inherited", a, SOL_SOCKET, SO_REUSEADDR);
    local_name("local accepted getsockname", a);

    /* MSG_WAITALL with a timeout gives what came. */
    result("local send 3", send(c, "abc", 3, 0));
    poll_one("local poll for 3", a, POLLIN, 5000);
    struct timeval timeout = {0, 200000};
    result("local SO_RCVTIMEO", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout));
    result("local recv MSG_WAITALL 10", recv(a, buffer, 10, MSG_WAITALL));
    result("local recv MSG_PEEK nothing", recv(a, buffer, 10, MSG_PEEK | MSG_DONTWAIT));

    /* The peer closes normally: end of stream, then what a send meets. */
    result("local send to be left unread", send(a, "xy", 2, 0));
    poll_one("local poll for the unread", c, POLLIN, 5000);
    result("local shutdown client SHUT_WR", shutdown(c, SHUT_WR));
    poll_one("local poll for the client's end", a, POLLIN, 5000);
    result("local recv the client's end", recv(a, buffer, sizeof buffer, 0));
    poll_one("local half closed poll", a, POLLIN | POLLOUT, 0);
    result("local send after the client's end", send(a, "z", 1, 0));
    poll_one("local poll for z", c, POLLIN, 5000);
    wait_bytes(c, 3);
    int pending = -1;
    result("local client FIONREAD", ioctl(c, FIONREAD, &pending));
    printf("local client FIONREAD value: %d\n", pending);
    /* Closing with unread data resets the connection. */
    result("local close with unread data", close(c));
    poll_one("local poll after the reset", a, POLLIN | POLLOUT, 5000);
    int_option("local SO_ERROR after the reset", a, SOL_SOCKET, SO_ERROR);
    result("local recv after the reset", recv(a, buffer, sizeof buffer, 0));
    result("local send after the reset", send(a, "z", 1, MSG_NOSIGNAL));
    result("local send after the reset again", send(a, "z", 1, MSG_NOSIGNAL));
    peer_name("local getpeername after the reset", a);
    close(a);

    /* SO_LINGER 0: close() resets; the peer's recv() sees ECONNRESET. */
    local_pair("local pair 2", l, 6200, &c, &a);
    struct linger abort_on_close = {1, 0};
    result("local SO_LINGER 0", setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close));
    struct linger got = {-1, -1};
    socklen_t length = sizeof got;
    result("local getsockopt SO_LINGER", getsockopt(c, SOL_SOCKET, SO_LINGER, &got, &length));
    printf("local SO_LINGER value: %d %d length %u\n", got.l_onoff, got.l_linger, (unsigned)length);
    result("local linger close", close(c));
    poll_one("local poll after the linger reset", a, POLLIN, 5000);
    result("local recv after the linger reset", recv(a, buffer, sizeof buffer, 0));
    result("local recv after the linger reset again", recv(a, buffer, sizeof buffer, 0));
    int_option("local SO_ERROR after the linger reset", a, SOL_SOCKET, SO_ERROR);
    close(a);

    /* A normal close: the end of stream, and a send into a closed
     * connection: first taken, then the peer's reset fails the next. */
    local_pair("local pair 3", l, 6200, &c, &a);
    result("local close", close(c));
    poll_one("local poll for the close", a, POLLIN, 5000);
    result("local recv the close", recv(a, buffer, sizeof buffer, 0));
    result("local send into the closed", send(a, "z", 1, MSG_NOSIGNAL));
    wait_ready(a, 0);  /* the peer's reset comes back (POLLERR) */
    poll_one("local poll after the send into the closed", a, POLLIN, 0);
    result("local send after the peer's reset", send(a, "z", 1, MSG_NOSIGNAL));
    result("local send after the peer's reset again", send(a, "z", 1, MSG_NOSIGNAL));
    result("local recv after the peer's reset", recv(a, buffer, sizeof buffer, 0));
    close(a);

    /* shutdown(SHUT_RDWR) of a connected socket: both sides. */
    local_pair("local pair 4", l, 6200, &c, &a);
    result("local shutdown SHUT_RDWR", shutdown(c, SHUT_RDWR));
    poll_one("local poll after SHUT_RDWR", c, POLLIN | POLLOUT, 0);
    result("local recv after SHUT_RDWR", recv(c, buffer, sizeof buffer, 0));
    result("local send after SHUT_RDWR", send(c, "z", 1, MSG_NOSIGNAL));
    poll_one("local peer poll after SHUT_RDWR", a, POLLIN, 5000);
    result("local peer recv after SHUT_RDWR", recv(a, buffer, sizeof buffer, 0));
    result("local shutdown again", shutdown(c, SHUT_RDWR));
    close(c);
    close(a);

    /* A read() of no bytes returns at once (a recv() of none would wait);
     * shutdown(SHUT_RD) with bytes queued: they are still read, then the
     * end, at once. */
    local_pair("local pair 5", l, 6200, &c, &a);
    result("local read 0 bytes", read(a, buffer, 0));
    struct iovec no_bytes = {buffer, 0};
    result("local readv 0 bytes", readv(a, &no_bytes, 1));
    result("local send before SHUT_RD", send(c, "abc", 3, 0));
    wait_bytes(a, 3);
    result("local shutdown SHUT_RD", shutdown(a, SHUT_RD));
    poll_one("local poll after SHUT_RD", a, POLLIN | POLLOUT, 0);
    result("local recv MSG_PEEK after SHUT_RD", recv(a, buffer, 2, MSG_PEEK));
    result("local recv after SHUT_RD", recv(a, buffer, sizeof buffer, 0));
    result("local recv after SHUT_RD again", recv(a, buffer, sizeof buffer, 0));
    result("local send after SHUT_RD", send(a, "z", 1, MSG_NOSIGNAL));
    poll_one("local peer poll after SHUT_RD", c, POLLIN, 5000);
    result("local peer recv after SHUT_RD", recv(c, buffer, sizeof buffer, 0));
    close(c);
    close(a);
    close(l);
}

static const char *const peer6 = "2001:db8::1";
static const char *const self6 = "2001:db8::2";


static void print_address6(const char *step, int r, const struct sockaddr_storage *storage, socklen_t length,
                           int with_port)
{
    if (r < 0) {
        result(step, r);
        return;
    }
    if (storage->ss_family != AF_INET6) {
        print_address(step, r, (const struct sockaddr_in *)storage, length, with_port);
        return;
    }
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)storage;
    char text[INET6_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    if (with_port) {
        printf("%s: %d family %d [%s]:%u scope %u length %u\n", step, r, a->sin6_family, text,
               ntohs(a->sin6_port), (unsigned)a->sin6_scope_id, (unsigned)length);
    } else {
        printf("%s: %d family %d [%s] scope %u length %u\n", step, r, a->sin6_family, text,
               (unsigned)a->sin6_scope_id, (unsigned)length);
    }
}

static void names6(const char *step, int fd, int local, int with_port)
{
    struct sockaddr_storage a;
    memset(&a, 0xff, sizeof a);
    socklen_t length = sizeof a;
    const int r = local ? getsockname(fd, (struct sockaddr *)&a, &length)
                        : getpeername(fd, (struct sockaddr *)&a, &length);
    print_address6(step, r, &a, length, with_port);
}

/* AF_INET6 sockets: IPv6 peers, IPv4 peers through mapped addresses, and
 * what IPV6_V6ONLY changes. */
static void ipv6_sockets(void)
{
    char buffer[16] = {0};
    int t = new_fd("v6 tcp socket", socket(AF_INET6, SOCK_STREAM, 0));
    int_option("v6 IPV6_V6ONLY", t, IPPROTO_IPV6, IPV6_V6ONLY);
    names6("v6 fresh getsockname", t, 1, 1);
    result("v6 connect", connect_to(t, peer6, 7011));
    names6("v6 getpeername", t, 0, 1);
    names6("v6 getsockname", t, 1, 0);
    result("v6 send", send(t, "six", 3, 0));
    poll_one("v6 poll for the echo", t, POLLIN, 5000);
    read_exactly("v6 recv", t, 3);
    close(t);

    t = new_fd("v6 mapped socket", socket(AF_INET6, SOCK_STREAM, 0));
    result("v6 connect mapped", connect_to(t, "::ffff:192.0.2.1", 7001));
    names6("v6 mapped getpeername", t, 0, 1);
    names6("v6 mapped getsockname", t, 1, 0);
    result("v6 mapped send", send(t, "four", 4, 0));
    poll_one("v6 mapped poll for the echo", t, POLLIN, 5000);
    read_exactly("v6 mapped recv", t, 4);
    close(t);

    t = new_fd("v6only socket", socket(AF_INET6, SOCK_STREAM, 0));
    result("v6only set", set_int(t, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    int_option("v6only value", t, IPPROTO_IPV6, IPV6_V6ONLY);
    result("v6only connect mapped", connect_to(t, "::ffff:192.0.2.1", 7001));
    close(t);

    t = new_fd("v6 connect refused socket", socket(AF_INET6, SOCK_STREAM, 0));
    result("v6 connect refused", connect_to(t, peer6, 7002));
    close(t);
    t = new_fd("v6 unresolvable socket", socket(AF_INET6, SOCK_STREAM, 0));
    struct timeval limit = {20, 0};
    (void)setsockopt(t, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    result("v6 connect unresolvable", connect_to(t, "2001:db8::98", 7001));
    close(t);
    t = new_fd("v6 no route socket", socket(AF_INET6, SOCK_STREAM, 0));
    result("v6 connect no route", connect_to(t, "2001:db8:ffff::1", 7001));
    close(t);

    int b1 = new_fd("v6 bind socket", socket(AF_INET6, SOCK_STREAM, 0));
    result("v6 bind any", bind_to(b1, "::", 6300));
    names6("v6 bound getsockname", b1, 1, 1);
    int b2 = new_fd("v4 bind socket", socket(AF_INET, SOCK_STREAM, 0));
    result("v4 bind on a dual port", bind_to(b2, "0.0.0.0", 6300));
    int b3 = new_fd("v6 bind socket 2", socket(AF_INET6, SOCK_STREAM, 0));
    result("v6 bind own address in use", bind_to(b3, self6, 6300));
    result("v6 bind foreign address", bind_to(b3, "2001:db8::99", 6301));
    struct sockaddr_in6 shortened = address6(self6, 6302);
    result("v6 bind short length", bind(b3, (struct sockaddr *)&shortened, sizeof(struct sockaddr_in)));
    struct sockaddr_in v4 = address(self, 6303);
    result("v6 bind an AF_INET address", bind(b3, (struct sockaddr *)&v4, sizeof v4));
    result("v6 bind mapped", bind_to(b3, "::ffff:192.0.2.2", 6304));
    names6("v6 bound mapped getsockname", b3, 1, 1);
    close(b1);
    close(b2);
    close(b3);

    int u = new_fd("v6 udp socket", socket(AF_INET6, SOCK_DGRAM, 0));
    struct sockaddr_in6 echo = address6(peer6, 7014);
    result("v6 udp sendto", sendto(u, "udp6", 4, 0, (struct sockaddr *)&echo, sizeof echo));
    poll_one("v6 udp poll for the echo", u, POLLIN, 5000);
    struct sockaddr_storage from;
    memset(&from, 0, sizeof from);
    socklen_t length = sizeof from;
    const ssize_t n = recvfrom(u, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length);
    result("v6 udp recvfrom", n);
    print_address6("v6 udp recvfrom address", n < 0 ? -1 : 0, &from, length, 1);
    struct sockaddr_in6 mapped_echo = address6("::ffff:192.0.2.1", 7004);
    result("v6 udp sendto mapped", sendto(u, "udp4", 4, 0, (struct sockaddr *)&mapped_echo, sizeof mapped_echo));
    poll_one("v6 udp poll for the mapped echo", u, POLLIN, 5000);
    length = sizeof from;
    const ssize_t m = recvfrom(u, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length);
    result("v6 udp recvfrom mapped", m);
    print_address6("v6 udp recvfrom mapped address", m < 0 ? -1 : 0, &from, length, 1);
    struct sockaddr_in plain = address(peer, 7004);
    result("v6 udp sendto an AF_INET address", sendto(u, "x", 1, 0, (struct sockaddr *)&plain, sizeof plain));
    int_option("v6 udp IPV6_MULTICAST_HOPS", u, IPPROTO_IPV6, IPV6_MULTICAST_HOPS);
    int_option("v6 udp IPV6_MULTICAST_LOOP", u, IPPROTO_IPV6, IPV6_MULTICAST_LOOP);
    result("v6 udp IPV6_MULTICAST_HOPS 300", set_int(u, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 300));
    result("v6 udp IPV6_MULTICAST_HOPS 7", set_int(u, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 7));
    int_option("v6 udp IPV6_MULTICAST_HOPS after", u, IPPROTO_IPV6, IPV6_MULTICAST_HOPS);
    close(u);

    int r = new_fd("v6 raw socket", socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
    /* Echo request: type 128, code 0, checksum filled in by the stack. */
    unsigned char request[12] = {128, 0, 0, 0, 0x12, 0x35, 0, 1, 's', 'i', 'x', '!'};
    struct sockaddr_in6 to = address6(peer6, 0);
    result("v6 raw sendto", sendto(r, request, sizeof request, 0, (struct sockaddr *)&to, sizeof to));
    /* The peer's echo reply (type 129); neighbour discovery may come first. */
    int replies = 0;
    for (int tries = 0; tries < 10 && replies == 0; ++tries) {
        struct pollfd p = {r, POLLIN, 0};
        if (poll(&p, 1, 2000) != 1) break;
        unsigned char reply[128];
        length = sizeof from;
        const ssize_t k = recvfrom(r, reply, sizeof reply, 0, (struct sockaddr *)&from, &length);
        if (k >= 8 && reply[0] == 129) {
            printf("v6 raw recvfrom reply: %zd type %d payload \"%.4s\"\n", k, reply[0], (const char *)reply + 8);
            print_address6("v6 raw recvfrom address", 0, &from, length, 0);
            replies = 1;
        }
    }
    if (!replies) printf("v6 raw recvfrom reply: none\n");
    result("v6 raw bind not ours", bind_to(r, "2001:db8::99", 0));
    result("v6 raw bind mapped", bind_to(r, "::ffff:192.0.2.2", 0));
    result("v6 raw bind link-scope multicast", bind_to(r, "ff02::1", 0));
    result("v6 raw bind link-local", bind_to(r, "fe80::2", 0));
    result("v6 raw bind multicast", bind_to(r, "ff0e::1", 0));
    result("v6 raw bind ours", bind_to(r, self6, 0));
    result("v6 raw bind any", bind_to(r, "::", 0));
    close(r);
}

/* Lengths, sizes, flags and timeouts at their edges. */
static void edges(void)
{
    char buffer[16] = {0};
    int l = local_listener("edge listener", 6400);
    nonblocking(l);
    int c = new_fd("edge client", socket(AF_INET, SOCK_STREAM, 0));
    result("edge connect", connect_to(c, "127.0.0.1", 6400));
    poll_one("edge poll the listener", l, POLLIN, 5000);
    struct sockaddr_in from;
    memset(&from, 0xee, sizeof from);
    socklen_t small = 8;
    int a = new_fd("edge accept short length", accept(l, (struct sockaddr *)&from, &small));
    printf("edge accept short length: length %u family %d tail 0x%02x\n", (unsigned)small, from.sin_family,
           ((unsigned char *)&from)[12]);
    printf("edge accepted O_NONBLOCK: %d\n", (fcntl(a, F_GETFL, 0) & O_NONBLOCK) != 0);
    memset(&from, 0xee, sizeof from);
    small = 4;
    const int n = getsockname(a, (struct sockaddr *)&from, &small);
    printf("edge getsockname short length: %d length %u family %d\n", n, (unsigned)small, from.sin_family);
    int type = -1;
    socklen_t type_length = 2;
    const int r = getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &type_length);
    if (r < 0) {
        result("edge getsockopt short length", r);
    } else {
        printf("edge getsockopt short length: %d length %u\n", r, (unsigned)type_length);
    }
    type_length = 0;
    result("edge getsockopt zero length", getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &type_length));
    struct timeval timeout = {0, 200000};  /* whole jiffies at any HZ: the kernel rounds */
    result("edge SO_SNDTIMEO", setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout));
    struct timeval got = {-1, -1};
    socklen_t got_length = sizeof got;
    result("edge getsockopt SO_SNDTIMEO", getsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &got, &got_length));
    printf("edge SO_SNDTIMEO value: %ld %ld length %u\n", (long)got.tv_sec, (long)got.tv_usec, (unsigned)got_length);
    struct timeval bad = {0, 2000000};
    result("edge SO_RCVTIMEO bad microseconds", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &bad, sizeof bad));
    result("edge SO_RCVTIMEO short", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &bad, 4));
    int_option("edge SO_ACCEPTCONN", l, SOL_SOCKET, SO_ACCEPTCONN);
    result("edge SO_BINDTODEVICE no such device", setsockopt(a, SOL_SOCKET, SO_BINDTODEVICE, "nosuch0", 8));

    result("edge send 0 bytes", send(c, buffer, 0, 0));
    result("edge recv 0 bytes", recv(a, buffer, 0, MSG_DONTWAIT));
    result("edge writev no pieces", writev(c, NULL, 0));
    struct iovec piece = {buffer, 1};
    volatile int negative = -1;  /* not known to the compiler, which would refuse it */
    result("edge writev -1 pieces", writev(c, &piece, negative));
    result("edge send MSG_MORE", send(c, "m", 1, MSG_MORE));
    result("edge send after MSG_MORE", send(c, "n", 1, 0));
    poll_one("edge poll for mn", a, POLLIN, 5000);
    pause_ms(50);
    read_exactly("edge recv mn", a, 2);

    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(a, &readable);
    struct timeval wait = {0, 50000};
    const int s = select(a + 1, &readable, NULL, NULL, &wait);
    printf("edge select timeout: %d readable %d timeout left %ld %ld\n", s, FD_ISSET(a, &readable) ? 1 : 0,
           (long)wait.tv_sec, (long)wait.tv_usec);
    struct pollfd p[2] = {{-1, POLLIN, 0x7}, {a, POLLIN, 0}};
    const int q = poll(p, 2, 0);
    printf("edge poll negative fd: %d revents 0x%x 0x%x\n", q, (unsigned)p[0].revents, (unsigned)p[1].revents);
    close(c);
    close(a);
    close(l);
    struct pollfd closed = {a, POLLIN, 0};
    const int z = poll(&closed, 1, 0);
    printf("edge poll closed fd: %d revents 0x%x\n", z, (unsigned)closed.revents);
    FD_ZERO(&readable);
    FD_SET(a, &readable);
    wait.tv_sec = 0;
    wait.tv_usec = 0;
    result("edge select closed fd", select(a + 1, &readable, NULL, NULL, &wait));

    int u = new_fd("edge udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("edge udp bind", bind_to(u, self, 6401));
    /* No IP_PKTINFO here: ESP-IDF's default leaves it out
     * (CONFIG_LWIP_NETBUF_RECVINFO); socket_options.sh checks it. */
    struct sockaddr_in echo = address(peer, 7004);
    struct sockaddr_in to_self = address(self, 6401);
    result("edge udp sendto 0 bytes", sendto(u, buffer, 0, 0, (struct sockaddr *)&echo, sizeof echo));
    poll_one("edge udp poll for the empty echo", u, POLLIN, 5000);
    result("edge udp recv the empty datagram", recv(u, buffer, sizeof buffer, 0));
    result("edge udp sendto length 0", sendto(u, "x", 1, 0, (struct sockaddr *)&echo, 0));
    result("edge udp sendto short length", sendto(u, "x", 1, 0, (struct sockaddr *)&echo, 8));
    struct sockaddr_in port_zero = address(peer, 0);
    result("edge udp sendto port 0", sendto(u, "x", 1, 0, (struct sockaddr *)&port_zero, sizeof port_zero));
    result("edge udp sendto itself", sendto(u, "self", 4, 0, (struct sockaddr *)&to_self, sizeof to_self));
    result("edge udp sendto echo", sendto(u, "pkt", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    poll_one("edge udp poll for the echo", u, POLLIN, 5000);
    struct timeval patience = {5, 0};  /* each recvmsg below waits for its datagram */
    (void)setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    for (int i = 0; i < 2; ++i) {
        char control[64];
        struct iovec into = {buffer, sizeof buffer};
        struct msghdr message;
        memset(&message, 0, sizeof message);
        message.msg_iov = &into;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t got_bytes = recvmsg(u, &message, 0);
        char text[INET_ADDRSTRLEN] = "?";
        int level = -1, kind = -1, indexed = -1;
        struct cmsghdr *cm = got_bytes >= 0 ? CMSG_FIRSTHDR(&message) : NULL;
        if (cm != NULL) {
            level = cm->cmsg_level;
            kind = cm->cmsg_type;
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(cm), sizeof info);
            inet_ntop(AF_INET, &info.ipi_addr, text, sizeof text);
            indexed = info.ipi_ifindex > 0;
        }
        printf("edge udp recvmsg %d: %zd \"%.*s\" control level %d type %d to %s ifindex>0 %d\n", i, got_bytes,
               got_bytes > 0 ? (int)got_bytes : 0, buffer, level, kind, text, indexed);
    }
    close(u);
}

/* inet_pton and inet_ntop on the forms programs meet (no socket: the C
 * library's are the reference). */
static void address_text(void)
{
    static const char *const v4[] = {"192.0.2.1", "0.0.0.0", "255.255.255.255", "1.2.3", "1.2.3.4.5",
                                     "256.1.1.1", "01.2.3.4", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ", "",
                                     "0x7f.0.0.1", "1..2.3", "1.2.3.", "127.000.0.1", "4294967295"};
    for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; ++i) {
        unsigned char out[4] = {0xee, 0xee, 0xee, 0xee};
        const int r = inet_pton(AF_INET, v4[i], out);
        printf("inet_pton v4 \"%s\": %d %u.%u.%u.%u\n", v4[i], r, out[0], out[1], out[2], out[3]);
    }
    static const char *const v6[] = {"::", "::1", "2001:db8::1", "2001:DB8::A", "::ffff:192.0.2.1",
                                     "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:2:3:4:5:6:7::",
                                     "::1:2:3:4:5:6:7", "1:2:3:4:5:6:192.0.2.1", "12345::1", "g::1", "1:",
                                     ":1", "fe80::1%1", "::192.0.2.1", "1:2:3:4:5:6:7:192.0.2.1", ""};
    for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; ++i) {
        unsigned char out[16];
        memset(out, 0xee, sizeof out);
        const int r = inet_pton(AF_INET6, v6[i], out);
        char back[INET6_ADDRSTRLEN] = "-";
        if (r == 1) inet_ntop(AF_INET6, out, back, sizeof back);
        printf("inet_pton v6 \"%s\": %d %s\n", v6[i], r, back);
    }
    errno = 0;
    unsigned char any[16] = {0};
    printf("inet_pton family 12345: %d %s\n", inet_pton(12345, "1.2.3.4", any), strerrorname_np(errno));
    static const unsigned char binary6[][16] = {
        {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1},
        {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
        {0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1},
        {0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0xff, 0xfe, 0, 0, 1},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 192, 0, 2, 1},
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
    };
    for (size_t i = 0; i < sizeof binary6 / sizeof binary6[0]; ++i) {
        char text[INET6_ADDRSTRLEN] = "-";
        const char *r = inet_ntop(AF_INET6, binary6[i], text, sizeof text);
        printf("inet_ntop v6 %zu: %s\n", i, r != NULL ? text : "NULL");
    }
    char small[8];
    errno = 0;
    const char *r = inet_ntop(AF_INET6, binary6[0], small, sizeof small);
    printf("inet_ntop v6 small buffer: %s %s\n", r != NULL ? small : "NULL", strerrorname_np(errno));
    const unsigned char binary4[4] = {192, 0, 2, 255};
    char text4[INET_ADDRSTRLEN];
    r = inet_ntop(AF_INET, binary4, text4, sizeof text4);
    printf("inet_ntop v4: %s\n", r != NULL ? text4 : "NULL");
    errno = 0;
    r = inet_ntop(AF_INET, binary4, small, 8);
    printf("inet_ntop v4 small buffer: %s %s\n", r != NULL ? small : "NULL", strerrorname_np(errno));
    errno = 0;
    r = inet_ntop(12345, binary4, text4, sizeof text4);
    printf("inet_ntop family 12345: %s %s\n", r != NULL ? text4 : "NULL", strerrorname_np(errno));
}

/* getaddrinfo() on numeric hosts and services (names would need DNS, and
 * the C library's resolver would ask the host's server). */
static void numeric_names(void)
{
    struct {
        const char *host, *service;
        int family, socktype, flags, protocol;
    } const cases[] = {
        {"192.0.2.1", "80", AF_INET, SOCK_STREAM, 0, 0},
        {"192.0.2.1", "53", AF_UNSPEC, SOCK_DGRAM, 0, 0},
        {"192.0.2.1", NULL, AF_INET, SOCK_STREAM, 0, 0},
        {"2001:db8::1", "443", AF_INET6, SOCK_STREAM, 0, 0},
        {"2001:db8::1", "443", AF_INET, SOCK_STREAM, 0, 0},
        {"192.0.2.1", "443", AF_INET6, SOCK_STREAM, 0, 0},
        {NULL, "8080", AF_INET, SOCK_STREAM, AI_PASSIVE, 0},
        {NULL, "8080", AF_INET, SOCK_STREAM, 0, 0},
        {NULL, "8080", AF_INET6, SOCK_STREAM, AI_PASSIVE, 0},
        {NULL, NULL, AF_INET, SOCK_STREAM, 0, 0},
        {"192.0.2.1", "99999", AF_INET, SOCK_STREAM, 0, 0},
        {"192.0.2.1", "-1", AF_INET, SOCK_STREAM, 0, 0},
        {"not.numeric", "80", AF_INET, SOCK_STREAM, AI_NUMERICHOST, 0},
        {"192.0.2.1", "80", 12345, SOCK_STREAM, 0, 0},
        {"192.0.2.1", "80", AF_INET, SOCK_STREAM, AI_NUMERICHOST | AI_NUMERICSERV, 0},
        {NULL, "8080", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE, 0},
        {NULL, "8080", AF_UNSPEC, SOCK_DGRAM, 0, 0},
        {NULL, "8080", AF_UNSPEC, 0, AI_PASSIVE, 0},
        {"192.0.2.1", "80", AF_INET, 0, 0, 0},
        {"2001:db8::1", NULL, AF_INET6, 0, 0, 0},
        {"192.0.2.1", "80", AF_INET, 0, 0, IPPROTO_UDP},
        {"192.0.2.1", NULL, AF_INET, 0, 0, IPPROTO_ICMP},
        {"192.0.2.1", "80", AF_INET, 0, 0, IPPROTO_ICMP},
        {"192.0.2.1", NULL, AF_INET, SOCK_RAW, 0, 0},
        {"192.0.2.1", "80", AF_INET, SOCK_RAW, 0, 0},
        {"192.0.2.1", "80", AF_INET, 99, 0, 0},
        {"192.0.2.1", "80", AF_INET, SOCK_STREAM, 0, IPPROTO_UDP},
        {"192.0.2.1", "80", AF_INET, SOCK_DGRAM, 0, IPPROTO_TCP},
        {"192.0.2.1", "80", AF_INET, SOCK_SEQPACKET, 0, 0},
        {"192.0.2.1", "80", AF_INET, SOCK_STREAM, 0x10000, 0},
        {NULL, "80", AF_INET, SOCK_STREAM, AI_CANONNAME, 0},
        {"192.0.2.1", "80", 12345, SOCK_STREAM, 0x10000, 0},
        {"192.0.2.1", "x", AF_INET, 99, 0, 0},
        {NULL, NULL, AF_INET, 99, 0x10000, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        struct addrinfo hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = cases[i].family;
        hints.ai_socktype = cases[i].socktype;
        hints.ai_flags = cases[i].flags;
        hints.ai_protocol = cases[i].protocol;
        struct addrinfo *found = NULL;
        const int r = getaddrinfo(cases[i].host, cases[i].service, &hints, &found);
        const char *name = r == 0                ? "0"
                           : r == EAI_NONAME     ? "EAI_NONAME"
                           : r == EAI_SERVICE    ? "EAI_SERVICE"
                           : r == EAI_FAMILY     ? "EAI_FAMILY"
                           : r == EAI_FAIL       ? "EAI_FAIL"
                           : r == EAI_SOCKTYPE   ? "EAI_SOCKTYPE"
                           : r == EAI_BADFLAGS   ? "EAI_BADFLAGS"
                                                 : NULL;
        printf("getaddrinfo %zu: %s", i, name != NULL ? name : "other");
        if (name == NULL) printf(" %d", r);
        for (const struct addrinfo *a = found; a != NULL; a = a->ai_next) {
            struct sockaddr_storage copy;
            memset(&copy, 0, sizeof copy);
            memcpy(&copy, a->ai_addr, a->ai_addrlen < sizeof copy ? a->ai_addrlen : sizeof copy);
            char text[INET6_ADDRSTRLEN] = "?";
            unsigned port = 0;
            if (copy.ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)&copy;
                inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
                port = ntohs(in->sin_port);
            } else if (copy.ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&copy;
                inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
                port = ntohs(in6->sin6_port);
            }
            printf("; family %d socktype %d protocol %d %s port %u length %u", a->ai_family, a->ai_socktype,
                   a->ai_protocol, text, port, (unsigned)a->ai_addrlen);
        }
        printf("\n");
        if (found != NULL) freeaddrinfo(found);
    }
}

/* A UDP socket on 0.0.0.0 or `ip`, port 6500, shared (SO_REUSEADDR). */
static int group_socket(const char *step, const char *ip)
{
    int u = new_fd(step, socket(AF_INET, SOCK_DGRAM, 0));
    (void)set_int(u, SOL_SOCKET, SO_REUSEADDR, 1);
    if (bind_to(u, ip, 6500) != 0) result(step, -1);
    return u;
}

static int membership(int u, int option, const char *group)
{
    struct ip_mreq m;
    memset(&m, 0, sizeof m);
    inet_pton(AF_INET, group, &m.imr_multiaddr);
    inet_pton(AF_INET, self, &m.imr_interface);
    return setsockopt(u, IPPROTO_IP, option, &m, sizeof m);
}

/* Asks the peer to send one datagram to `to`:6500, then shows what each
 * of the sockets got (after a pause that lets every copy arrive). */
static void datagram_to(const char *step, const char *to, int asker, const int *sockets, size_t count)
{
    char request[64];
    snprintf(request, sizeof request, "%s 6500", to);
    struct sockaddr_in sender = address(peer, 7006);
    (void)sendto(asker, request, strlen(request), 0, (struct sockaddr *)&sender, sizeof sender);
    struct pollfd p[8];
    for (size_t i = 0; i < count && i < 8; ++i) {
        p[i].fd = sockets[i];
        p[i].events = POLLIN;
        p[i].revents = 0;
    }
    (void)poll(p, (nfds_t)(count < 8 ? count : 8), 3000);  /* the first copy (none may come) */
    pause_ms(200);  /* the others come with it */
    printf("%s:", step);
    for (size_t i = 0; i < count; ++i) {
        char buffer[64] = {0};
        struct sockaddr_in from;
        memset(&from, 0, sizeof from);
        socklen_t length = sizeof from;
        const ssize_t n = recvfrom(sockets[i], buffer, sizeof buffer - 1, MSG_DONTWAIT, (struct sockaddr *)&from,
                                   &length);
        if (n < 0) {
            printf(" [%zu] -1 %s", i, strerrorname_np(errno));
        } else {
            char source[INET_ADDRSTRLEN] = "?";
            inet_ntop(AF_INET, &from.sin_addr, source, sizeof source);
            printf(" [%zu] %zd \"%s\" from %s:%u", i, n, buffer, source, ntohs(from.sin_port));
        }
    }
    printf("\n");
}

/* sendmsg/recvmsg with several pieces, over TCP and UDP. */
static void messages(void)
{
    int l = local_listener("message listener", 6600);
    int c, a;
    local_pair("message pair", l, 6600, &c, &a);
    struct iovec out[3] = {{"one", 3}, {"", 0}, {"two", 3}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = out;
    m.msg_iovlen = 3;
    result("message sendmsg tcp", sendmsg(c, &m, 0));
    poll_one("message poll", a, POLLIN, 5000);
    wait_bytes(a, 6);
    char first[4] = {0}, second[8] = {0};
    struct iovec in[2] = {{first, 2}, {second, sizeof second}};
    struct sockaddr_in from;
    memset(&m, 0, sizeof m);
    m.msg_iov = in;
    m.msg_iovlen = 2;
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_flags = 0x7fff;
    ssize_t n = recvmsg(a, &m, MSG_PEEK);
    printf("message recvmsg tcp peek: %zd \"%.2s|%.4s\" flags 0x%x\n", n, first, second, (unsigned)m.msg_flags);
    m.msg_flags = 0x7fff;
    m.msg_namelen = sizeof from;
    n = recvmsg(a, &m, 0);
    printf("message recvmsg tcp: %zd \"%.2s|%.4s\" flags 0x%x namelen %u\n", n, first, second, (unsigned)m.msg_flags,
           (unsigned)m.msg_namelen);
    /* A destination on a connected TCP socket goes unused. */
    struct sockaddr_in elsewhere = address("192.0.2.77", 9);
    struct msghdr addressed;
    memset(&addressed, 0, sizeof addressed);
    addressed.msg_iov = out;
    addressed.msg_iovlen = 1;
    addressed.msg_name = &elsewhere;
    addressed.msg_namelen = sizeof elsewhere;
    result("message sendmsg tcp with a name", sendmsg(c, &addressed, 0));
    wait_bytes(a, 3);
    read_exactly("message recv what sendmsg sent", a, 3);
    m.msg_iovlen = 0;
    result("message recvmsg no pieces", recvmsg(a, &m, MSG_DONTWAIT));
    m.msg_iov = NULL;
    m.msg_iovlen = 1;
    result("message recvmsg null pieces", recvmsg(a, &m, MSG_DONTWAIT));
    close(c);
    close(a);
    close(l);

    int u = new_fd("message udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("message udp bind", bind_to(u, "127.0.0.1", 6601));
    struct sockaddr_in to = address("127.0.0.1", 6601);
    memset(&m, 0, sizeof m);
    m.msg_iov = out;
    m.msg_iovlen = 3;
    m.msg_name = &to;
    m.msg_namelen = sizeof to;
    result("message sendmsg udp", sendmsg(u, &m, 0));
    m.msg_namelen = 3;
    result("message sendmsg udp short name", sendmsg(u, &m, 0));
    poll_one("message udp poll", u, POLLIN, 5000);
    memset(first, 0, sizeof first);
    memset(second, 0, sizeof second);
    memset(&m, 0, sizeof m);
    m.msg_iov = in;
    m.msg_iovlen = 2;
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    n = recvmsg(u, &m, 0);
    char source[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &from.sin_addr, source, sizeof source);
    printf("message recvmsg udp: %zd \"%.2s|%.4s\" flags 0x%x from %s:%u namelen %u\n", n, first, second,
           (unsigned)m.msg_flags, source, ntohs(from.sin_port), (unsigned)m.msg_namelen);
    close(u);
}

/* Null pointers where the calls take memory: EFAULT (or what Linux
 * says), never a crash. The pointers go through a volatile, so that the
 * compiler neither warns nor assumes. */
static void null_pointers(void)
{
    void *volatile null = NULL;
    char buffer[8];
    int l = local_listener("null listener", 6700);
    int c, a;
    local_pair("null pair", l, 6700, &c, &a);
    int u = new_fd("null udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    socklen_t length = 16;
    int value = 0;
    socklen_t value_length = sizeof value;
    result("null getsockopt value", getsockopt(c, SOL_SOCKET, SO_TYPE, null, &value_length));
    result("null getsockopt length", getsockopt(c, SOL_SOCKET, SO_TYPE, &value, null));
    result("null setsockopt value", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, null, sizeof value));
    result("null setsockopt value length 0", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, null, 0));
    result("null getsockname address", getsockname(c, null, &length));
    result("null getsockname length", getsockname(c, (struct sockaddr *)&value, null));
    result("null getpeername address", getpeername(c, null, &length));
    result("null bind", bind(u, null, sizeof(struct sockaddr_in)));
    result("null connect", connect(u, null, sizeof(struct sockaddr_in)));
    result("null send", send(c, null, 4, 0));
    result("null send 0", send(c, null, 0, 0));
    /* (Linux looks at the data last, after the destination and the route:
     * on a connected socket, so that both find nothing else wrong first.) */
    struct sockaddr_in discard = address("127.0.0.1", 9);
    (void)connect(u, (struct sockaddr *)&discard, sizeof discard);
    result("null send on a connected udp socket", send(u, null, 4, 0));
    struct sockaddr_in to = address("127.0.0.1", 9);
    int u2 = new_fd("null udp socket 2", socket(AF_INET, SOCK_DGRAM, 0));
    result("null sendto address length", sendto(u2, "x", 1, 0, null, sizeof to));
    result("null recvfrom length", recvfrom(u, &value, sizeof value, MSG_DONTWAIT, (struct sockaddr *)&to, null));
    /* With something to read: Linux takes it, then finds no length. */
    int loop = new_fd("null udp receiver", socket(AF_INET, SOCK_DGRAM, 0));
    result("null udp receiver bind", bind_to(loop, "127.0.0.1", 6710));
    struct sockaddr_in receiver = address("127.0.0.1", 6710);
    (void)sendto(loop, "ab", 2, 0, (struct sockaddr *)&receiver, sizeof receiver);
    (void)sendto(loop, "cd", 2, 0, (struct sockaddr *)&receiver, sizeof receiver);
    wait_ready(loop, POLLIN);
    result("null recvfrom length with data", recvfrom(loop, buffer, sizeof buffer, 0, (struct sockaddr *)&to, null));
    result("null recvfrom length peek", recvfrom(loop, buffer, sizeof buffer, MSG_PEEK, (struct sockaddr *)&to, null));
    socklen_t negative = (socklen_t)-1;
    result("null recvfrom negative length", recvfrom(loop, buffer, sizeof buffer, 0, (struct sockaddr *)&to, &negative));
    result("null recvfrom after", recv(loop, buffer, sizeof buffer, MSG_DONTWAIT));
    socklen_t zero = 0;
    memset(&to, 0xee, sizeof to);
    (void)sendto(loop, "ef", 2, 0, (struct sockaddr *)&receiver, sizeof receiver);
    wait_ready(loop, POLLIN);
    const ssize_t got = recvfrom(loop, buffer, sizeof buffer, 0, (struct sockaddr *)&to, &zero);
    printf("null recvfrom length 0: %zd length %u family untouched %d\n", got, (unsigned)zero, to.sin_family == 0xeeee);
    struct iovec piece = {buffer, sizeof buffer};
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &piece;
    message.msg_iovlen = 1;
    message.msg_name = &to;
    message.msg_namelen = (socklen_t)-1;
    (void)sendto(loop, "gh", 2, 0, (struct sockaddr *)&receiver, sizeof receiver);
    wait_ready(loop, POLLIN);
    result("null recvmsg negative name length", recvmsg(loop, &message, 0));
    message.msg_namelen = 0;
    const ssize_t taken = recvmsg(loop, &message, MSG_DONTWAIT);
    printf("null recvmsg name length 0: %zd length %u\n", taken, (unsigned)message.msg_namelen);
    message.msg_name = &receiver;
    message.msg_namelen = (socklen_t)-1;
    result("null sendmsg negative name length", sendmsg(loop, &message, 0));
    close(loop);
    (void)send(c, "xyz", 3, 0);
    wait_bytes(a, 3);
    result("null tcp recvfrom length", recvfrom(a, buffer, 1, 0, (struct sockaddr *)&to, null));
    result("null tcp recv after", recv(a, buffer, sizeof buffer, MSG_DONTWAIT));
    zero = 0;
    result("null getsockname address length 0", getsockname(c, null, &zero));
    printf("null getsockname address length 0 after: %u\n", (unsigned)zero);
    zero = 0;
    result("null getpeername address length 0", getpeername(c, null, &zero));
    printf("null getpeername address length 0 after: %u\n", (unsigned)zero);
    negative = (socklen_t)-1;
    result("null getsockname negative length", getsockname(c, (struct sockaddr *)&to, &negative));
    negative = (socklen_t)-1;
    result("null getpeername negative length", getpeername(c, (struct sockaddr *)&to, &negative));
    negative = (socklen_t)-1;
    result("null getpeername unconnected negative length", getpeername(u2, (struct sockaddr *)&to, &negative));
    nonblocking(l);  /* nothing to accept: only the arguments are looked at */
    result("null accept length", accept(l, (struct sockaddr *)&to, null));
    result("null ioctl FIONREAD", ioctl(a, FIONREAD, null));
    result("null ioctl FIONBIO", ioctl(a, FIONBIO, null));
    result("null poll", poll(null, 1, 0));
    result("null sendmsg", sendmsg(c, null, 0));
    result("null recvmsg", recvmsg(a, null, MSG_DONTWAIT));
    result("null writev", writev(c, null, 1));
    result("null readv", readv(a, null, 1));
    int c2 = socket(AF_INET, SOCK_STREAM, 0);
    (void)connect_to(c2, "127.0.0.1", 6700);
    wait_ready(l, POLLIN);
    negative = (socklen_t)-1;
    result("null accept negative length", accept(l, (struct sockaddr *)&to, &negative));
    close(c2);
    close(u2);
    close(u);
    close(c);
    close(a);
    close(l);
}

/* A server's port with a connection in TIME-WAIT (the server closed
 * first): taken again only with SO_REUSEADDR. */
static void time_wait_port(void)
{
    int l = local_listener("time-wait listener", 6800);
    int c, a;
    local_pair("time-wait pair", l, 6800, &c, &a);
    result("time-wait server closes first", close(a));
    poll_one("time-wait client poll for the end", c, POLLIN, 5000);
    result("time-wait client recv the end", recv(c, (char[4]){0}, 4, 0));
    result("time-wait client close", close(c));
    pause_ms(100);
    result("time-wait listener close", close(l));
    int b = new_fd("time-wait rebind socket", socket(AF_INET, SOCK_STREAM, 0));
    result("time-wait bind without SO_REUSEADDR", bind_to(b, "127.0.0.1", 6800));
    result("time-wait SO_REUSEADDR", set_int(b, SOL_SOCKET, SO_REUSEADDR, 1));
    result("time-wait bind with SO_REUSEADDR", bind_to(b, "127.0.0.1", 6800));
    result("time-wait listen again", listen(b, 2));
    int other = new_fd("time-wait second listener socket", socket(AF_INET, SOCK_STREAM, 0));
    result("time-wait second SO_REUSEADDR", set_int(other, SOL_SOCKET, SO_REUSEADDR, 1));
    result("time-wait second bind on a listening port", bind_to(other, "127.0.0.1", 6800));
    close(other);
    close(b);
}

/* Options at the ends of their ranges, and timeouts that run out. */
static void limits(void)
{
    int t = new_fd("limit socket", socket(AF_INET, SOCK_STREAM, 0));
    result("limit TCP_KEEPIDLE 32767", set_int(t, IPPROTO_TCP, TCP_KEEPIDLE, 32767));
    result("limit TCP_KEEPIDLE 32768", set_int(t, IPPROTO_TCP, TCP_KEEPIDLE, 32768));
    result("limit TCP_KEEPINTVL 32767", set_int(t, IPPROTO_TCP, TCP_KEEPINTVL, 32767));
    result("limit TCP_KEEPINTVL 32768", set_int(t, IPPROTO_TCP, TCP_KEEPINTVL, 32768));
    result("limit TCP_KEEPCNT 127", set_int(t, IPPROTO_TCP, TCP_KEEPCNT, 127));
    result("limit TCP_KEEPCNT 128", set_int(t, IPPROTO_TCP, TCP_KEEPCNT, 128));
    int_option("limit TCP_KEEPINTVL", t, IPPROTO_TCP, TCP_KEEPINTVL);
    int_option("limit TCP_KEEPCNT", t, IPPROTO_TCP, TCP_KEEPCNT);
    result("limit IP_TTL -1", set_int(t, IPPROTO_IP, IP_TTL, -1));
    int_option("limit IP_TTL after -1", t, IPPROTO_IP, IP_TTL);
    result("limit IP_TTL 255", set_int(t, IPPROTO_IP, IP_TTL, 255));
    result("limit IP_TOS 256", set_int(t, IPPROTO_IP, IP_TOS, 256));
    int_option("limit IP_TOS after 256", t, IPPROTO_IP, IP_TOS);
    result("limit SO_BROADCAST on TCP", set_int(t, SOL_SOCKET, SO_BROADCAST, 1));
    struct linger l = {1, 5};
    result("limit SO_LINGER short", setsockopt(t, SOL_SOCKET, SO_LINGER, &l, 4));
    struct timeval negative = {-1, 0};
    result("limit SO_RCVTIMEO negative", setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &negative, sizeof negative));
    struct timeval got = {7, 7};
    socklen_t length = sizeof got;
    result("limit getsockopt SO_RCVTIMEO", getsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &got, &length));
    printf("limit SO_RCVTIMEO after negative: %ld %ld\n", (long)got.tv_sec, (long)got.tv_usec);
    /* A connect that its SO_SNDTIMEO ends (nobody answers for 192.0.2.99). */
    struct timeval short_wait = {0, 200000};
    result("limit SO_SNDTIMEO", setsockopt(t, SOL_SOCKET, SO_SNDTIMEO, &short_wait, sizeof short_wait));
    result("limit connect timed out", connect_to(t, "192.0.2.99", 7001));
    int_option("limit SO_ERROR after the timeout", t, SOL_SOCKET, SO_ERROR);
    result("limit connect again", connect_to(t, "192.0.2.99", 7001));
    close(t);

    int u = new_fd("limit udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("limit IP_MULTICAST_TTL -1", set_int(u, IPPROTO_IP, IP_MULTICAST_TTL, -1));
    int_option("limit IP_MULTICAST_TTL after -1", u, IPPROTO_IP, IP_MULTICAST_TTL);
    result("limit IP_MULTICAST_TTL 256", set_int(u, IPPROTO_IP, IP_MULTICAST_TTL, 256));
    result("limit IP_MULTICAST_LOOP 0", set_int(u, IPPROTO_IP, IP_MULTICAST_LOOP, 0));
    int_option("limit IP_MULTICAST_LOOP after 0", u, IPPROTO_IP, IP_MULTICAST_LOOP);
    result("limit udp bind", bind_to(u, "127.0.0.1", 6900));
    struct sockaddr_in here = address("127.0.0.1", 6900);
    result("limit udp send 3", sendto(u, "abc", 3, 0, (struct sockaddr *)&here, sizeof here));
    result("limit udp send 5", sendto(u, "defgh", 5, 0, (struct sockaddr *)&here, sizeof here));
    poll_one("limit udp poll", u, POLLIN, 5000);
    pause_ms(50);
    int pending = -1;
    result("limit udp FIONREAD", ioctl(u, FIONREAD, &pending));
    printf("limit udp FIONREAD value: %d\n", pending);
    close(u);

    /* Timeouts of blocking calls: accept, and a send into a full buffer. */
    int listener = local_listener("limit listener", 6901);
    struct timeval wait = {0, 150000};
    result("limit accept SO_RCVTIMEO", setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait));
    result("limit accept timed out", accept(listener, NULL, NULL));
    int c, a;
    local_pair("limit pair", listener, 6901, &c, &a);
    result("limit send SO_SNDTIMEO", setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait));
    static char big[8 << 20];
    const ssize_t n = send(c, big, sizeof big, 0);
    /* (How much more fits later depends on the buffers' sizes, which
     * differ: not compared.) */
    printf("limit send into a full buffer: some %d all %d\n", n > 0, n == (ssize_t)sizeof big);
    close(c);
    close(a);
    close(listener);
}

/* Multicast groups and broadcasts reaching shared sockets. */
static void groups(void)
{
    int any1 = group_socket("group socket any 1", "0.0.0.0");
    int any2 = group_socket("group socket any 2", "0.0.0.0");
    int own = group_socket("group socket own address", self);
    int asker = new_fd("group asker", socket(AF_INET, SOCK_DGRAM, 0));
    const int all[] = {any1, any2, own};
    result("group join 1", membership(any1, IP_ADD_MEMBERSHIP, "239.1.2.3"));
    result("group join 2", membership(any2, IP_ADD_MEMBERSHIP, "239.1.2.3"));
    datagram_to("group both joined", "239.1.2.3", asker, all, 3);
    result("group drop 2", membership(any2, IP_DROP_MEMBERSHIP, "239.1.2.3"));
    datagram_to("group one joined", "239.1.2.3", asker, all, 3);
    datagram_to("group not joined", "239.1.2.4", asker, all, 3);
    datagram_to("group subnet broadcast", "192.0.2.255", asker, all, 3);
    datagram_to("group unicast", self, asker, all, 3);
    struct in_addr interface;
    socklen_t length = sizeof interface;
    memset(&interface, 0xee, sizeof interface);
    const int r = getsockopt(any1, IPPROTO_IP, IP_MULTICAST_IF, &interface, &length);
    char text[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &interface, text, sizeof text);
    printf("group IP_MULTICAST_IF: %d %s length %u\n", r, r == 0 ? text : "-", (unsigned)length);
    struct in_addr mine;
    inet_pton(AF_INET, self, &mine);
    result("group set IP_MULTICAST_IF", setsockopt(any1, IPPROTO_IP, IP_MULTICAST_IF, &mine, sizeof mine));
    length = sizeof interface;
    const int r2 = getsockopt(any1, IPPROTO_IP, IP_MULTICAST_IF, &interface, &length);
    inet_ntop(AF_INET, &interface, text, sizeof text);
    printf("group IP_MULTICAST_IF after: %d %s length %u\n", r2, r2 == 0 ? text : "-", (unsigned)length);
    inet_pton(AF_INET, "203.0.113.1", &mine);
    result("group set IP_MULTICAST_IF foreign", setsockopt(any1, IPPROTO_IP, IP_MULTICAST_IF, &mine, sizeof mine));
    close(any1);
    close(any2);
    close(own);
    close(asker);
}

/* Flags in socket()'s type, FIONBIO, MSG_OOB, calls a UDP socket cannot
 * make, option levels a socket lacks, and the keepalive interval an
 * accepted socket takes from its listener. */
static void flags_and_inheritance(void)
{
    int t = new_fd("flag SOCK_NONBLOCK socket", socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    printf("flag SOCK_NONBLOCK O_NONBLOCK: %d\n", (fcntl(t, F_GETFL, 0) & O_NONBLOCK) != 0);
    result("flag SOCK_NONBLOCK connect", connect_to(t, peer, 7001));
    wait_ready(t, POLLOUT);
    int_option("flag SOCK_NONBLOCK SO_ERROR", t, SOL_SOCKET, SO_ERROR);
    close(t);
    int u = new_fd("flag SOCK_CLOEXEC socket", socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    result("flag FIONBIO on", ioctl(u, FIONBIO, &(int){1}));
    printf("flag FIONBIO O_NONBLOCK: %d\n", (fcntl(u, F_GETFL, 0) & O_NONBLOCK) != 0);
    result("flag FIONBIO off", ioctl(u, FIONBIO, &(int){0}));
    printf("flag FIONBIO off O_NONBLOCK: %d\n", (fcntl(u, F_GETFL, 0) & O_NONBLOCK) != 0);
    result("flag udp listen", listen(u, 1));
    result("flag udp accept", accept(u, NULL, NULL));
    result("flag udp IP_TOS", set_int(u, IPPROTO_IP, IP_TOS, 0x28));
    int_option("flag udp IP_TOS value", u, IPPROTO_IP, IP_TOS);
    int_option("flag udp SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    result("flag getsockopt unknown level", getsockopt(u, 9999, 1, &(int){0}, &(socklen_t){sizeof(int)}));
    result("flag setsockopt unknown level", set_int(u, 9999, 1, 1));
    int_option("flag udp getsockopt TCP_NODELAY", u, IPPROTO_TCP, TCP_NODELAY);
    int_option("flag udp getsockopt IPV6_V6ONLY", u, IPPROTO_IPV6, IPV6_V6ONLY);
    int_option("flag udp getsockopt unknown UDP option", u, IPPROTO_UDP, 9999);
    result("flag setsockopt unknown SOL_SOCKET name", set_int(u, SOL_SOCKET, 9999, 1));
    result("flag udp recv MSG_OOB", recv(u, &(char){0}, 1, MSG_OOB | MSG_DONTWAIT));
    int u6 = new_fd("flag udp6 socket", socket(AF_INET6, SOCK_DGRAM, 0));
    int_option("flag udp6 getsockopt unknown level", u6, 9999, 1);
    int_option("flag udp6 getsockopt TCP_NODELAY", u6, IPPROTO_TCP, TCP_NODELAY);
    close(u6);
    result("flag setsockopt int with a longer length", setsockopt(u, SOL_SOCKET, SO_BROADCAST, (long long[]){1}, 8));
    int_option("flag SO_BROADCAST after a longer length", u, SOL_SOCKET, SO_BROADCAST);
    close(u);

    /* (SO_KEEPALIVE and TCP_NODELAY inherited: local_connections.) */
    int l = local_listener("flag listener", 6450);
    result("flag listener TCP_KEEPINTVL", set_int(l, IPPROTO_TCP, TCP_KEEPINTVL, 33));
    int c, a;
    local_pair("flag pair", l, 6450, &c, &a);
    int_option("flag accepted TCP_KEEPINTVL", a, IPPROTO_TCP, TCP_KEEPINTVL);
    int_option("flag tcp getsockopt unknown level", a, 9999, 1);
    int_option("flag tcp getsockopt UDP level", a, IPPROTO_UDP, 1);
    char buffer[8] = {0};
    result("flag recv MSG_OOB", recv(a, buffer, sizeof buffer, MSG_OOB | MSG_DONTWAIT));
    struct sockaddr_in elsewhere = address("192.0.2.77", 9);
    result("flag sendto connected tcp with an address",
           sendto(c, "to", 2, 0, (struct sockaddr *)&elsewhere, sizeof elsewhere));
    wait_bytes(a, 2);
    read_exactly("flag recv what sendto sent", a, 2);
    close(c);
    close(a);
    close(l);
}

/* Addresses a call may not use the ordinary way: broadcast and multicast
 * for TCP, binding to them, the wildcard as a destination, and select()'s
 * and poll()'s counts. */
static void special_addresses(void)
{
    int t = new_fd("special tcp socket", socket(AF_INET, SOCK_STREAM, 0));
    result("special tcp connect broadcast", connect_to(t, "192.0.2.255", 7001));
    result("special tcp connect limited broadcast", connect_to(t, "255.255.255.255", 7001));
    result("special tcp connect multicast", connect_to(t, "239.1.2.3", 7001));
    close(t);
    t = new_fd("special tcp socket 2", socket(AF_INET, SOCK_STREAM, 0));
    result("special tcp bind multicast", bind_to(t, "239.1.2.3", 6460));
    close(t);
    t = new_fd("special tcp socket 3", socket(AF_INET, SOCK_STREAM, 0));
    result("special tcp bind broadcast", bind_to(t, "192.0.2.255", 6460));
    close(t);
    int u = new_fd("special udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("special udp bind multicast", bind_to(u, "239.1.2.3", 6461));
    local_name("special udp bound to multicast", u);
    close(u);
    u = new_fd("special udp socket 2", socket(AF_INET, SOCK_DGRAM, 0));
    (void)set_int(u, SOL_SOCKET, SO_REUSEADDR, 1);
    result("special udp bind subnet broadcast", bind_to(u, "192.0.2.255", 6500));
    local_name("special udp bound to the broadcast", u);
    int asker = new_fd("special udp asker", socket(AF_INET, SOCK_DGRAM, 0));
    datagram_to("special udp bound to the broadcast, a broadcast", "192.0.2.255", asker, &u, 1);
    datagram_to("special udp bound to the broadcast, a unicast", self, asker, &u, 1);
    close(asker);
    close(u);
    u = new_fd("special udp socket 3", socket(AF_INET, SOCK_DGRAM, 0));
    local_name("special udp unbound", u);
    struct sockaddr_in echo = address(peer, 7004);
    result("special udp sendto echo", sendto(u, "e", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    struct sockaddr_in name;
    socklen_t length = sizeof name;
    const int r = getsockname(u, (struct sockaddr *)&name, &length);
    printf("special udp bound by sendto: %d port nonzero %d address %s\n", r, ntohs(name.sin_port) != 0,
           name.sin_addr.s_addr == htonl(INADDR_ANY) ? "any" : "other");
    wait_ready(u, POLLIN);
    char buffer[8];
    result("special udp recv echo", recv(u, buffer, sizeof buffer, 0));
    result("special udp connect echo", connect_to(u, peer, 7004));
    struct sockaddr_in closed_port = address(peer, 7003);
    result("special udp sendto elsewhere while connected",
           sendto(u, "f", 1, 0, (struct sockaddr *)&closed_port, sizeof closed_port));
    pause_ms(100);  /* the port unreachable, if it concerns this socket */
    result("special udp recv after sending elsewhere", recv(u, buffer, sizeof buffer, MSG_DONTWAIT));
    fd_set readable;
    FD_ZERO(&readable);
    struct timeval zero = {0, 0};
    result("special select negative count", select(-1, &readable, NULL, NULL, &zero));
    struct timeval negative = {-1, 0};
    result("special select negative timeout", select(u + 1, &readable, NULL, NULL, &negative));
    /* More entries than RLIMIT_NOFILE allows (lowered for the step, so that
     * the array stays the caller's: a sanitizer reads every entry first). */
    struct pollfd p[65];
    for (size_t i = 0; i < 65; ++i) {
        p[i].fd = -1;
        p[i].events = POLLIN;
        p[i].revents = 0;
    }
    p[0].fd = u;
    struct rlimit before;
    if (getrlimit(RLIMIT_NOFILE, &before) == 0) {
        struct rlimit lowered = before;
        lowered.rlim_cur = 64;
        (void)setrlimit(RLIMIT_NOFILE, &lowered);
        result("special poll more entries than descriptors", poll(p, 65, 0));
        result("special poll as many entries as descriptors", poll(p, 64, 0));
        (void)setrlimit(RLIMIT_NOFILE, &before);
    }
    close(u);
}

/* The local address of a socket whose port the stack picked: the address,
 * and only whether there is a port (its number differs between the runs). */
static void picked_name(const char *step, int fd)
{
    struct sockaddr_storage a;
    memset(&a, 0xff, sizeof a);
    socklen_t length = sizeof a;
    const int r = getsockname(fd, (struct sockaddr *)&a, &length);
    if (r < 0) {
        result(step, r);
        return;
    }
    char text[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (a.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        port = ntohs(in6->sin6_port);
    } else {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&a;
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        port = ntohs(in->sin_port);
    }
    printf("%s: %d family %d %s port %s length %u\n", step, r, a.ss_family, text, port == 0 ? "0" : "picked",
           (unsigned)length);
}

static int disconnect(int fd)
{
    struct sockaddr unspecified;
    memset(&unspecified, 0, sizeof unspecified);
    unspecified.sa_family = AF_UNSPEC;
    return connect(fd, &unspecified, sizeof unspecified);
}

/* connect(AF_UNSPEC) on UDP gives back a port the socket did not bind()
 * to a number (connect(), sendto() or bind() of port 0 picked it), and
 * keeps an address bind() named. */
static void disconnecting(void)
{
    int u = new_fd("disconnect udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("disconnect connect", connect_to(u, peer, 7004));
    picked_name("disconnect connected", u);
    result("disconnect", disconnect(u));
    picked_name("disconnect after", u);
    result("disconnect again", disconnect(u));
    picked_name("disconnect after again", u);
    result("disconnect bind after", bind_to(u, self, 6490));
    local_name("disconnect bound after", u);
    close(u);

    u = new_fd("disconnect udp socket 2", socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in echo = address(peer, 7004);
    result("disconnect 2 sendto", sendto(u, "s", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    result("disconnect 2", disconnect(u));
    picked_name("disconnect 2 after", u);
    result("disconnect 2 sendto again", sendto(u, "s", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    picked_name("disconnect 2 after sendto again", u);
    close(u);

    u = new_fd("disconnect udp socket 3", socket(AF_INET, SOCK_DGRAM, 0));
    result("disconnect 3 bind port 0", bind_to(u, "0.0.0.0", 0));
    result("disconnect 3 connect", connect_to(u, peer, 7004));
    result("disconnect 3", disconnect(u));
    picked_name("disconnect 3 after", u);
    close(u);

    u = new_fd("disconnect udp socket 4", socket(AF_INET, SOCK_DGRAM, 0));
    result("disconnect 4 bind address", bind_to(u, self, 0));
    result("disconnect 4 connect", connect_to(u, peer, 7004));
    result("disconnect 4", disconnect(u));
    picked_name("disconnect 4 after", u);
    result("disconnect 4 connect again", connect_to(u, peer, 7004));
    picked_name("disconnect 4 connected again", u);
    close(u);

    u = new_fd("disconnect udp socket 5", socket(AF_INET, SOCK_DGRAM, 0));
    result("disconnect 5 bind port", bind_to(u, "0.0.0.0", 6491));
    result("disconnect 5 connect", connect_to(u, peer, 7004));
    result("disconnect 5", disconnect(u));
    local_name("disconnect 5 after", u);
    close(u);

    u = new_fd("disconnect udp6 socket", socket(AF_INET6, SOCK_DGRAM, 0));
    result("disconnect 6 connect", connect_to(u, "2001:db8::1", 7014));
    picked_name("disconnect 6 connected", u);
    result("disconnect 6", disconnect(u));
    picked_name("disconnect 6 after", u);
    result("disconnect 6 connect mapped", connect_to(u, "::ffff:192.0.2.1", 7004));
    picked_name("disconnect 6 connected mapped", u);
    result("disconnect 6 again", disconnect(u));
    picked_name("disconnect 6 after mapped", u);
    close(u);
}

/* Arguments in forms the other steps do not use: an address without its
 * length, option values shorter or of another struct, ip_mreqn. */
static void argument_forms(void)
{
    int l = local_listener("form listener", 6470);
    int c = new_fd("form client", socket(AF_INET, SOCK_STREAM, 0));
    result("form connect", connect_to(c, "127.0.0.1", 6470));
    wait_ready(l, POLLIN);
    struct sockaddr_in from;
    socklen_t *volatile no_length = NULL;  /* through a volatile: the compiler neither warns nor assumes */
    result("form accept address without length", accept(l, (struct sockaddr *)&from, no_length));
    nonblocking(l);
    int lost = accept(l, NULL, NULL);
    result("form accept after the one without length", lost < 0 ? -1 : 0);
    if (lost >= 0) close(lost);
    int c2 = new_fd("form client 2", socket(AF_INET, SOCK_STREAM, 0));
    result("form connect 2", connect_to(c2, "127.0.0.1", 6470));
    wait_ready(l, POLLIN);
    int a = new_fd("form accept", accept(l, NULL, NULL));
    close(c2);
    char one = 1;
    result("form TCP_NODELAY one byte", setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, 1));
    result("form SO_KEEPALIVE one byte", setsockopt(a, SOL_SOCKET, SO_KEEPALIVE, &one, 1));
    int_option("form TCP_NODELAY", a, IPPROTO_TCP, TCP_NODELAY);
    close(c);
    close(a);
    close(l);

    int u = new_fd("form udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    struct ip_mreqn by_address;
    memset(&by_address, 0, sizeof by_address);
    inet_pton(AF_INET, self, &by_address.imr_address);
    result("form IP_MULTICAST_IF ip_mreqn", setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &by_address, sizeof by_address));
    struct in_addr chosen;
    socklen_t length = sizeof chosen;
    const int r = getsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &chosen, &length);
    char text[INET_ADDRSTRLEN] = "-";
    if (r == 0) inet_ntop(AF_INET, &chosen, text, sizeof text);
    printf("form IP_MULTICAST_IF after ip_mreqn: %d %s length %u\n", r, text, (unsigned)length);
    struct ip_mreqn join;
    memset(&join, 0, sizeof join);
    inet_pton(AF_INET, "239.1.2.5", &join.imr_multiaddr);
    inet_pton(AF_INET, self, &join.imr_address);
    result("form IP_ADD_MEMBERSHIP ip_mreqn", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join));
    result("form IP_DROP_MEMBERSHIP ip_mreqn", setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &join, sizeof join));
    result("form IP_ADD_MEMBERSHIP short", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, 4));
    result("form IP_MULTICAST_LOOP one byte", setsockopt(u, IPPROTO_IP, IP_MULTICAST_LOOP, &(char){0}, 1));
    int_option("form IP_MULTICAST_LOOP", u, IPPROTO_IP, IP_MULTICAST_LOOP);
    close(u);
}

#ifdef CONFORMANCE_PACKET_INFO
/* recvmsg() with room for `room` bytes of control data: the datagram's
 * size, MSG_CTRUNC, and each control message (IP_PKTINFO's addresses; its
 * interface index is the stack's own numbering, so not printed). */
static void receive_with_info(const char *step, int u, size_t room)
{
    char buffer[64] = {0};
    union {
        char bytes[256];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec piece = {buffer, sizeof buffer - 1};
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &piece;
    message.msg_iovlen = 1;
    message.msg_control = room == 0 ? NULL : control.bytes;
    message.msg_controllen = room;
    const ssize_t n = recvmsg(u, &message, MSG_DONTWAIT);
    if (n < 0) {
        printf("%s: -1 %s\n", step, strerrorname_np(errno));
        return;
    }
    printf("%s: %zd \"%s\" MSG_CTRUNC %d controllen %zu", step, n, buffer, (message.msg_flags & MSG_CTRUNC) != 0,
           (size_t)message.msg_controllen);
    for (struct cmsghdr *c = message.msg_controllen == 0 ? NULL : CMSG_FIRSTHDR(&message); c != NULL;
         c = CMSG_NXTHDR(&message, c)) {
        printf(" [level %d type %d len %zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof info);
            char spec[INET_ADDRSTRLEN] = "?", header[INET_ADDRSTRLEN] = "?";
            inet_ntop(AF_INET, &info.ipi_spec_dst, spec, sizeof spec);
            inet_ntop(AF_INET, &info.ipi_addr, header, sizeof header);
            printf(" spec_dst %s addr %s", spec, header);
        }
        printf("]");
    }
    printf("\n");
}

/* IP_PKTINFO through recvmsg() (CONFIG_LWIP_NETBUF_RECVINFO) for unicast,
 * broadcast and multicast datagrams, with too little room for it and with
 * the option off again. */
static void packet_info(void)
{
    int u = group_socket("pktinfo socket", "0.0.0.0");
    int_option("pktinfo IP_PKTINFO default", u, IPPROTO_IP, IP_PKTINFO);
    result("pktinfo IP_PKTINFO on", set_int(u, IPPROTO_IP, IP_PKTINFO, 1));
    int_option("pktinfo IP_PKTINFO value", u, IPPROTO_IP, IP_PKTINFO);
    result("pktinfo SO_BROADCAST", set_int(u, SOL_SOCKET, SO_BROADCAST, 1));
    result("pktinfo join", membership(u, IP_ADD_MEMBERSHIP, "239.1.2.4"));
    const char *const targets[] = {self, "192.0.2.255", "239.1.2.4"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; ++i) {
        char step[64];
        snprintf(step, sizeof step, "pktinfo to %s", targets[i]);
        char request[64];
        snprintf(request, sizeof request, "%s 6500", targets[i]);
        struct sockaddr_in sender = address(peer, 7006);
        (void)sendto(u, request, strlen(request), 0, (struct sockaddr *)&sender, sizeof sender);
        wait_ready(u, POLLIN);
        receive_with_info(step, u, 256);
    }
    struct sockaddr_in sender = address(peer, 7006);
    const char *const unicast = "192.0.2.2 6500";
    (void)sendto(u, unicast, strlen(unicast), 0, (struct sockaddr *)&sender, sizeof sender);
    wait_ready(u, POLLIN);
    receive_with_info("pktinfo control too short", u, sizeof(struct cmsghdr));
    (void)sendto(u, unicast, strlen(unicast), 0, (struct sockaddr *)&sender, sizeof sender);
    wait_ready(u, POLLIN);
    receive_with_info("pktinfo control short of its data", u, CMSG_LEN(sizeof(struct in_pktinfo)) - 4);
    (void)sendto(u, unicast, strlen(unicast), 0, (struct sockaddr *)&sender, sizeof sender);
    wait_ready(u, POLLIN);
    receive_with_info("pktinfo control short of its padding", u, CMSG_LEN(sizeof(struct in_pktinfo)) + 2);
    (void)sendto(u, unicast, strlen(unicast), 0, (struct sockaddr *)&sender, sizeof sender);
    wait_ready(u, POLLIN);
    receive_with_info("pktinfo control shorter than a header", u, sizeof(struct cmsghdr) - 1);
    (void)sendto(u, unicast, strlen(unicast), 0, (struct sockaddr *)&sender, sizeof sender);
    wait_ready(u, POLLIN);
    receive_with_info("pktinfo no control buffer", u, 0);
    result("pktinfo IP_PKTINFO off", set_int(u, IPPROTO_IP, IP_PKTINFO, 0));
    (void)sendto(u, unicast, strlen(unicast), 0, (struct sockaddr *)&sender, sizeof sender);
    wait_ready(u, POLLIN);
    receive_with_info("pktinfo option off", u, 256);
    close(u);
    int t = new_fd("pktinfo tcp socket", socket(AF_INET, SOCK_STREAM, 0));
    result("pktinfo IP_PKTINFO on tcp", set_int(t, IPPROTO_IP, IP_PKTINFO, 1));
    close(t);
}
#endif

static void mixed_descriptors(void)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        result("pipe", -1);
        return;
    }
    int u = new_fd("mixed udp socket", socket(AF_INET, SOCK_DGRAM, 0));
    result("mixed pipe write", write(pipe_fds[1], "p", 1));
    struct pollfd p[2] = {{pipe_fds[0], POLLIN, 0}, {u, POLLIN, 0}};
    const int r = poll(p, 2, 0);
    printf("mixed poll: %d revents 0x%x 0x%x\n", r, (unsigned)p[0].revents, (unsigned)p[1].revents);
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(pipe_fds[0], &readable);
    FD_SET(u, &readable);
    struct timeval timeout = {0, 0};
    const int maximum = pipe_fds[0] > u ? pipe_fds[0] : u;
    const int s = select(maximum + 1, &readable, NULL, NULL, &timeout);
    printf("mixed select: %d pipe %d socket %d\n", s, FD_ISSET(pipe_fds[0], &readable) ? 1 : 0,
           FD_ISSET(u, &readable) ? 1 : 0);
    char byte = 0;
    result("mixed pipe read", read(pipe_fds[0], &byte, 1));
    result("mixed pipe close", close(pipe_fds[0]));
    close(pipe_fds[1]);
    close(u);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: conformance_probe TAP CIDR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef CONFORMANCE_KERNEL
    (void)argv;
#else
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) {
        fprintf(stderr, "conformance_probe: lwnet_tap_up: %s\n", strerror(errno));
        return 1;
    }
    if (lwnet_ip6_add(argv[1], "2001:db8::2/64") != 0) {
        fprintf(stderr, "conformance_probe: lwnet_ip6_add: %s\n", strerror(errno));
        return 1;
    }
#endif
    address_text();
    numeric_names();
    socket_arguments();
    fresh_tcp_socket();
    binding_and_listening();
    connecting();
    connecting_without_blocking();
    accepting();
    datagrams();
    raw_icmp();
    local_connections();
    ipv6_sockets();
    edges();
    messages();
    null_pointers();
    time_wait_port();
    limits();
    groups();
    mixed_descriptors();
    flags_and_inheritance();
    special_addresses();
    disconnecting();
    argument_forms();
#ifdef CONFORMANCE_PACKET_INFO
    packet_info();
#endif
#ifndef CONFORMANCE_KERNEL
    lwnet_shutdown();
#endif
    return 0;
}
