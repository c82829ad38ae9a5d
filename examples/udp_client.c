/* UDP client: sends MESSAGE to HOST:PORT and prints the reply and who sent
 * it. Datagrams can be lost: it waits a second for the reply and sends again,
 * up to 5 times.
 *
 *   udp_client [-6 CIDR6] TAP CIDR HOST PORT MESSAGE
 *   udp_client lw0 192.0.2.2/24 192.0.2.1 3333 "hello"
 *   udp_client -6 2001:db8::2/64 lw0 192.0.2.2/24 2001:db8::1 3333 "hello"
 *
 * With -6 the netif gets the IPv6 address CIDR6 too, and the socket is
 * AF_INET6: HOST is an IPv6 address, or an IPv4-mapped one
 * (::ffff:192.0.2.1) to reach an IPv4 server through the same socket.
 *
 * Standard socket calls only: <lwip/sockets.h> maps socket(), sendto(),
 * recvfrom(), setsockopt(), ... to lwnet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

static int fail(const char *call)
{
    fprintf(stderr, "udp_client: %s: %s\n", call, strerror(errno));
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
        fprintf(stderr, "usage: udp_client [-6 CIDR6] TAP CIDR HOST PORT MESSAGE\n");
        return 2;
    }
    const char *message = argv[5];
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");
    if (cidr6 != NULL && lwnet_ip6_add(argv[1], cidr6) != 0) return fail("lwnet_ip6_add");

    int sock = socket(addr_family, SOCK_DGRAM, IPPROTO_UDP);
    if (sock < 0) return fail("socket");
    struct timeval timeout = {.tv_sec = 1, .tv_usec = 0};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) return fail("setsockopt");
    printf("sending to %s:%s\n", argv[3], argv[4]);
    fflush(stdout);

    for (int attempt = 1; attempt <= 5; attempt++) {
        size_t length = strlen(message);
        if (sendto(sock, message, length, 0, (struct sockaddr *)&server, server_length) != (ssize_t)length)
            return fail("sendto");
        char reply[1500];
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        ssize_t received = recvfrom(sock, reply, sizeof reply - 1, 0, (struct sockaddr *)&peer, &peer_length);
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            fprintf(stderr, "udp_client: no reply within 1 s (attempt %d)\n", attempt);
            continue;
        }
        if (received < 0) return fail("recvfrom");
        reply[received] = '\0';
        char peer_text[INET6_ADDRSTRLEN];
        int peer_port;
        if (peer.ss_family == AF_INET6) {
            const struct sockaddr_in6 *peer6 = (const struct sockaddr_in6 *)&peer;
            inet_ntop(AF_INET6, &peer6->sin6_addr, peer_text, sizeof peer_text);
            peer_port = ntohs(peer6->sin6_port);
        } else {
            const struct sockaddr_in *peer4 = (const struct sockaddr_in *)&peer;
            inet_ntop(AF_INET, &peer4->sin_addr, peer_text, sizeof peer_text);
            peer_port = ntohs(peer4->sin_port);
        }
        printf("received %zd bytes from %s:%d: %s\n", received, peer_text, peer_port, reply);
        close(sock);
        lwnet_shutdown();
        return 0;
    }
    errno = ETIMEDOUT;
    return fail("recvfrom");
}
