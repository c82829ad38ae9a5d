/* TCP client: connects to HOST:PORT, sends MESSAGE, closes its sending side
 * and prints everything the server sends back until it closes.
 *
 *   tcp_client TAP CIDR HOST PORT MESSAGE
 *   tcp_client lw0 192.0.2.2/24 192.0.2.1 3333 "hello"
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

    int sock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (sock < 0) return fail("socket");
    if (connect(sock, (struct sockaddr *)&server, sizeof server) != 0) return fail("connect");
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
