/* Non-blocking TCP echo server for several clients at once, built on one
 * select() loop. The same select() also watches standard input (an ordinary
 * OS descriptor, next to lwnet's sockets): a line "quit" ends the server.
 *
 *   select_server TAP CIDR PORT
 *   select_server lw0 192.0.2.2/24 3333
 *
 * Standard socket calls only: <lwip/sockets.h> maps socket(), select(),
 * fcntl(), read(), close(), ... to lwnet, and passes descriptors that are not
 * lwnet sockets (stdin here) on to the C library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

#define MAX_CLIENTS 8

static int fail(const char *call)
{
    fprintf(stderr, "select_server: %s: %s\n", call, strerror(errno));
    return 1;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int main(int argc, char **argv)
{
    if (argc != 4 || atoi(argv[3]) <= 0) {
        fprintf(stderr, "usage: %s TAP CIDR PORT\n", argv[0]);
        return 2;
    }
    const int port = atoi(argv[3]);
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");

    int listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener < 0) return fail("socket");
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons((uint16_t)port);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) return fail("bind");
    if (listen(listener, MAX_CLIENTS) != 0) return fail("listen");
    if (set_nonblocking(listener) != 0) return fail("fcntl");
    printf("listening on %.*s:%d\n", (int)strcspn(argv[2], "/"), argv[2], port);
    fflush(stdout);

    int clients[MAX_CLIENTS];
    for (int i = 0; i < MAX_CLIENTS; i++) clients[i] = -1;
    char line[64];
    size_t line_length = 0;
    int watch_stdin = 1;

    for (;;) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(listener, &readable);
        int highest = listener;
        if (watch_stdin) FD_SET(STDIN_FILENO, &readable);
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] < 0) continue;
            FD_SET(clients[i], &readable);
            if (clients[i] > highest) highest = clients[i];
        }
        if (select(highest + 1, &readable, NULL, NULL, NULL) < 0) return fail("select");

        if (watch_stdin && FD_ISSET(STDIN_FILENO, &readable)) {
            char c;
            ssize_t got = read(STDIN_FILENO, &c, 1);
            if (got < 0) return fail("read stdin");
            if (got == 0) watch_stdin = 0; /* stdin closed: only Ctrl-C ends us now */
            else if (c != '\n' && line_length < sizeof line - 1) line[line_length++] = c;
            else if (c == '\n') {
                line[line_length] = '\0';
                line_length = 0;
                if (strcmp(line, "quit") == 0) break;
            }
        }
        if (FD_ISSET(listener, &readable)) {
            struct sockaddr_in peer;
            socklen_t peer_length = sizeof peer;
            int client = accept(listener, (struct sockaddr *)&peer, &peer_length);
            int slot = 0;
            while (slot < MAX_CLIENTS && clients[slot] >= 0) slot++;
            if (client < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK) return fail("accept");
            } else if (slot == MAX_CLIENTS || set_nonblocking(client) != 0) {
                close(client); /* full: turn the client away */
            } else {
                clients[slot] = client;
                char peer_text[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &peer.sin_addr, peer_text, sizeof peer_text);
                printf("client %d: %s:%d\n", slot, peer_text, ntohs(peer.sin_port));
                fflush(stdout);
            }
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] < 0 || !FD_ISSET(clients[i], &readable)) continue;
            char buffer[1024];
            ssize_t received = recv(clients[i], buffer, sizeof buffer, 0);
            if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
            /* An echo that does not fit the send buffer at once ends the client
             * (plainer than keeping the rest until the socket is writable). */
            if (received > 0 && send(clients[i], buffer, (size_t)received, 0) == received) continue;
            if (received < 0) fprintf(stderr, "select_server: recv: %s\n", strerror(errno));
            printf("client %d: closed\n", i);
            fflush(stdout);
            close(clients[i]);
            clients[i] = -1;
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i] >= 0) close(clients[i]);
    close(listener);
    printf("quit\n");
    lwnet_shutdown();
    return 0;
}
