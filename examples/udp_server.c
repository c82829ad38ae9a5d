/* UDP echo server: sends each datagram back to its sender, printing who sent
 * it, and exits after COUNT datagrams.
 *
 *   udp_server [-6|-6only CIDR6] TAP CIDR PORT COUNT
 *   udp_server lw0 192.0.2.2/24 3333 3
 *   udp_server -6 2001:db8::2/64 lw0 192.0.2.2/24 3333 3
 *
 * With -6 the netif gets the IPv6 address CIDR6 too, and the socket is
 * AF_INET6 on :: with IPV6_V6ONLY off (-6only: on, IPv6 only): IPv6 senders and IPv4 ones (seen as
 * ::ffff:a.b.c.d) alike.
 *
 * Standard socket calls only: <lwip/sockets.h> maps socket(), recvfrom(),
 * sendto(), inet_ntop(), ... to lwnet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

static int fail(const char *call)
{
    fprintf(stderr, "udp_server: %s: %s\n", call, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    const char *cidr6 = NULL;
    int v6only = 0;
    if (argc == 7 && (strcmp(argv[1], "-6") == 0 || strcmp(argv[1], "-6only") == 0)) {
        v6only = strcmp(argv[1], "-6only") == 0;
        cidr6 = argv[2];
        argc -= 2;
        argv += 2;
    }
    if (argc != 5 || atoi(argv[3]) <= 0 || atoi(argv[4]) <= 0) {
        fprintf(stderr, "usage: udp_server [-6|-6only CIDR6] TAP CIDR PORT COUNT\n");
        return 2;
    }
    const int port = atoi(argv[3]);
    const int count = atoi(argv[4]);
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");
    if (cidr6 != NULL && lwnet_ip6_add(argv[1], cidr6) != 0) return fail("lwnet_ip6_add");
    const int addr_family = cidr6 != NULL ? AF_INET6 : AF_INET;

    int sock = socket(addr_family, SOCK_DGRAM, IPPROTO_UDP);
    if (sock < 0) return fail("socket");
    struct sockaddr_storage address;
    memset(&address, 0, sizeof address);
    socklen_t address_length;
    if (addr_family == AF_INET6) {
        /* Both families on one socket (IPv4 senders arrive mapped) unless -6only. */
        if (setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0) return fail("setsockopt");
        struct sockaddr_in6 *any6 = (struct sockaddr_in6 *)&address;
        any6->sin6_family = AF_INET6;
        any6->sin6_addr = in6addr_any;
        any6->sin6_port = htons((uint16_t)port);
        address_length = sizeof *any6;
    } else {
        struct sockaddr_in *any4 = (struct sockaddr_in *)&address;
        any4->sin_family = AF_INET;
        any4->sin_addr.s_addr = htonl(INADDR_ANY);
        any4->sin_port = htons((uint16_t)port);
        address_length = sizeof *any4;
    }
    if (bind(sock, (struct sockaddr *)&address, address_length) != 0) return fail("bind");

    /* The CIDR up to the '/' is our address. */
    printf("listening on %.*s:%d\n", (int)strcspn(argv[2], "/"), argv[2], port);
    fflush(stdout);

    for (int served = 0; served < count; served++) {
        char buffer[1500];
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        ssize_t received = recvfrom(sock, buffer, sizeof buffer, 0, (struct sockaddr *)&peer, &peer_length);
        if (received < 0) return fail("recvfrom");
        char peer_text[INET6_ADDRSTRLEN];
        int peer_port;
        if (peer.ss_family == AF_INET6) {
            const struct sockaddr_in6 *peer6 = (const struct sockaddr_in6 *)&peer;
            if (inet_ntop(AF_INET6, &peer6->sin6_addr, peer_text, sizeof peer_text) == NULL) return fail("inet_ntop");
            peer_port = ntohs(peer6->sin6_port);
        } else {
            const struct sockaddr_in *peer4 = (const struct sockaddr_in *)&peer;
            if (inet_ntop(AF_INET, &peer4->sin_addr, peer_text, sizeof peer_text) == NULL) return fail("inet_ntop");
            peer_port = ntohs(peer4->sin_port);
        }
        printf("%zd bytes from %s:%d\n", received, peer_text, peer_port);
        fflush(stdout);
        if (sendto(sock, buffer, (size_t)received, 0, (struct sockaddr *)&peer, peer_length) != received)
            return fail("sendto");
    }
    close(sock);
    lwnet_shutdown();
    return 0;
}
