/* UDP client: sends MESSAGE to HOST:PORT and prints the reply and who sent
 * it. Datagrams can be lost: it waits a second for the reply and sends again,
 * up to 5 times.
 *
 *   udp_client TAP CIDR HOST PORT MESSAGE
 *   udp_client lw0 192.0.2.2/24 192.0.2.1 3333 "hello"
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
    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    if (argc != 6 || atoi(argv[4]) <= 0 || inet_pton(AF_INET, argv[3], &server.sin_addr) != 1) {
        fprintf(stderr, "usage: %s TAP CIDR HOST PORT MESSAGE\n", argv[0]);
        return 2;
    }
    server.sin_port = htons((uint16_t)atoi(argv[4]));
    const char *message = argv[5];
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");

    int sock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (sock < 0) return fail("socket");
    struct timeval timeout = {.tv_sec = 1, .tv_usec = 0};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) return fail("setsockopt");
    printf("sending to %s:%s\n", argv[3], argv[4]);
    fflush(stdout);

    for (int attempt = 1; attempt <= 5; attempt++) {
        size_t length = strlen(message);
        if (sendto(sock, message, length, 0, (struct sockaddr *)&server, sizeof server) != (ssize_t)length)
            return fail("sendto");
        char reply[1500];
        struct sockaddr_in peer;
        socklen_t peer_length = sizeof peer;
        ssize_t received = recvfrom(sock, reply, sizeof reply - 1, 0, (struct sockaddr *)&peer, &peer_length);
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            fprintf(stderr, "udp_client: no reply within 1 s (attempt %d)\n", attempt);
            continue;
        }
        if (received < 0) return fail("recvfrom");
        reply[received] = '\0';
        char peer_text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &peer.sin_addr, peer_text, sizeof peer_text);
        printf("received %zd bytes from %s:%d: %s\n", received, peer_text, ntohs(peer.sin_port), reply);
        close(sock);
        lwnet_shutdown();
        return 0;
    }
    errno = ETIMEDOUT;
    return fail("recvfrom");
}
