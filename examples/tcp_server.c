/* TCP echo server: accepts COUNT connections one after another, sends back
 * everything each client sends until it closes, then exits.
 *
 *   tcp_server TAP CIDR PORT COUNT
 *   tcp_server lw0 192.0.2.2/24 3333 2
 *
 * Standard socket calls only: <lwip/sockets.h> maps socket(), accept(),
 * recv(), close(), ... to lwnet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

static int fail(const char *call)
{
    fprintf(stderr, "tcp_server: %s: %s\n", call, strerror(errno));
    return 1;
}

/* Echoes what the client sends until it closes its side. */
static int echo_connection(int client)
{
    char buffer[1024];
    for (;;) {
        ssize_t received = recv(client, buffer, sizeof buffer, 0);
        if (received < 0) return fail("recv");
        if (received == 0) return 0; /* the client closed */
        ssize_t done = 0;
        while (done < received) {
            ssize_t sent = send(client, buffer + done, (size_t)(received - done), 0);
            if (sent < 0) return fail("send");
            done += sent;
        }
    }
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

    int listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener < 0) return fail("socket");
    int yes = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0) return fail("setsockopt");
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons((uint16_t)port);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) return fail("bind");
    if (listen(listener, 1) != 0) return fail("listen");

    /* The CIDR up to the '/' is our address. */
    printf("listening on %.*s:%d\n", (int)strcspn(argv[2], "/"), argv[2], port);
    fflush(stdout);

    for (int served = 0; served < count; served++) {
        struct sockaddr_in peer;
        socklen_t peer_length = sizeof peer;
        int client = accept(listener, (struct sockaddr *)&peer, &peer_length);
        if (client < 0) return fail("accept");
        char peer_text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &peer.sin_addr, peer_text, sizeof peer_text);
        printf("connection from %s:%d\n", peer_text, ntohs(peer.sin_port));
        fflush(stdout);
        int status = echo_connection(client);
        close(client);
        if (status != 0) return status;
        printf("connection from %s:%d closed\n", peer_text, ntohs(peer.sin_port));
        fflush(stdout);
    }
    close(listener);
    lwnet_shutdown();
    return 0;
}
