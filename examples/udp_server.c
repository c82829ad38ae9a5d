/* UDP echo server: sends each datagram back to its sender, printing who sent
 * it, and exits after COUNT datagrams.
 *
 *   udp_server TAP CIDR PORT COUNT
 *   udp_server lw0 192.0.2.2/24 3333 3
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
    if (argc != 5 || atoi(argv[3]) <= 0 || atoi(argv[4]) <= 0) {
        fprintf(stderr, "usage: %s TAP CIDR PORT COUNT\n", argv[0]);
        return 2;
    }
    const int port = atoi(argv[3]);
    const int count = atoi(argv[4]);
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");

    int sock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (sock < 0) return fail("socket");
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons((uint16_t)port);
    if (bind(sock, (struct sockaddr *)&address, sizeof address) != 0) return fail("bind");

    /* The CIDR up to the '/' is our address. */
    printf("listening on %.*s:%d\n", (int)strcspn(argv[2], "/"), argv[2], port);
    fflush(stdout);

    for (int served = 0; served < count; served++) {
        char buffer[1500];
        struct sockaddr_in peer;
        socklen_t peer_length = sizeof peer;
        ssize_t received = recvfrom(sock, buffer, sizeof buffer, 0, (struct sockaddr *)&peer, &peer_length);
        if (received < 0) return fail("recvfrom");
        char peer_text[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, &peer.sin_addr, peer_text, sizeof peer_text) == NULL) return fail("inet_ntop");
        printf("%zd bytes from %s:%d\n", received, peer_text, ntohs(peer.sin_port));
        fflush(stdout);
        if (sendto(sock, buffer, (size_t)received, 0, (struct sockaddr *)&peer, peer_length) != received)
            return fail("sendto");
    }
    close(sock);
    lwnet_shutdown();
    return 0;
}
