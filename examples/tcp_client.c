/* TCP client: connects to HOST:PORT, sends MESSAGE, closes its sending side
 * and prints everything the server sends back until it closes.
 *
 *   tcp_client [-6 CIDR6] TAP CIDR HOST PORT MESSAGE
 *   tcp_client lw0 192.0.2.2/24 192.0.2.1 3333 "hello"
 *   tcp_client -6 2001:db8::2/64 lw0 192.0.2.2/24 2001:db8::1 3333 "hello"
 *
 * With -6 the netif gets the IPv6 address CIDR6 too, and the socket is
 * AF_INET6: HOST is an IPv6 address, or an IPv4-mapped one
 * (::ffff:192.0.2.1) to reach an IPv4 server through the same socket.
 *
 * Standard socket calls only: <lwip/sockets.h> maps socket(), connect(),
 * send(), recv(), close(), ... to lwnet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

static int fail(const char *call)
{
    fprintf(stderr, "tcp_client: %s: %s\n", call, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    const char *cidr6 = NULL;
    if (argc == 8 && strcmp(argv[1], "-6") == 0) {
        cidr6 = argv[2];
        argc -= 2;
        argv += 2;
    }
    const int addr_family = cidr6 != NULL ? AF_INET6 : AF_INET;
    struct sockaddr_storage server;
    memset(&server, 0, sizeof server);
    socklen_t server_length;
    int parsed;
    if (addr_family == AF_INET6) {
        struct sockaddr_in6 *server6 = (struct sockaddr_in6 *)&server;
        server6->sin6_family = AF_INET6;
        parsed = argc == 6 && inet_pton(AF_INET6, argv[3], &server6->sin6_addr) == 1;
        if (parsed) server6->sin6_port = htons((uint16_t)atoi(argv[4]));
        server_length = sizeof *server6;
    } else {
        struct sockaddr_in *server4 = (struct sockaddr_in *)&server;
        server4->sin_family = AF_INET;
        parsed = argc == 6 && inet_pton(AF_INET, argv[3], &server4->sin_addr) == 1;
        if (parsed) server4->sin_port = htons((uint16_t)atoi(argv[4]));
        server_length = sizeof *server4;
    }
    if (!parsed || atoi(argv[4]) <= 0) {
        fprintf(stderr, "usage: tcp_client [-6 CIDR6] TAP CIDR HOST PORT MESSAGE\n");
        return 2;
    }
    const char *message = argv[5];
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");
    if (cidr6 != NULL && lwnet_ip6_add(argv[1], cidr6) != 0) return fail("lwnet_ip6_add");

    int sock = socket(addr_family, SOCK_STREAM, IPPROTO_TCP);
    if (sock < 0) return fail("socket");
    if (connect(sock, (struct sockaddr *)&server, server_length) != 0) return fail("connect");
    printf("connected to %s:%s\n", argv[3], argv[4]);
    fflush(stdout);

    size_t length = strlen(message);
    size_t done = 0;
    while (done < length) {
        ssize_t sent = send(sock, message + done, length - done, 0);
        if (sent < 0) return fail("send");
        done += (size_t)sent;
    }
    /* Tell the server we are done sending; it closes after its reply. */
    if (shutdown(sock, SHUT_WR) != 0) return fail("shutdown");

    char reply[1024];
    size_t total = 0;
    while (total < sizeof reply - 1) {
        ssize_t received = recv(sock, reply + total, sizeof reply - 1 - total, 0);
        if (received < 0) return fail("recv");
        if (received == 0) break; /* the server closed */
        total += (size_t)received;
    }
    reply[total] = '\0';
    printf("received %zu bytes: %s\n", total, reply);
    close(sock);
    lwnet_shutdown();
    return 0;
}
