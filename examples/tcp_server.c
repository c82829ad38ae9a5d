/* TCP echo server: accepts COUNT connections one after another, sends back
 * everything each client sends until it closes, then exits.
 *
 *   tcp_server [-6|-6only CIDR6] TAP CIDR PORT COUNT
 *   tcp_server lw0 192.0.2.2/24 3333 2
 *   tcp_server -6 2001:db8::2/64 lw0 192.0.2.2/24 3333 2
 *
 * With -6 the netif gets the IPv6 address CIDR6 too, and the server is an
 * AF_INET6 socket bound to :: with IPV6_V6ONLY off (-6only: on, IPv6 only), as ESP-IDF's IPv6
 * example: it serves IPv6 clients and IPv4 ones (seen as ::ffff:a.b.c.d).
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
    const char *cidr6 = NULL;
    int v6only = 0;
    if (argc == 7 && (strcmp(argv[1], "-6") == 0 || strcmp(argv[1], "-6only") == 0)) {
        v6only = strcmp(argv[1], "-6only") == 0;
        cidr6 = argv[2];
        argc -= 2;
        argv += 2;
    }
    if (argc != 5 || atoi(argv[3]) <= 0 || atoi(argv[4]) <= 0) {
        fprintf(stderr, "usage: tcp_server [-6|-6only CIDR6] TAP CIDR PORT COUNT\n");
        return 2;
    }
    const int port = atoi(argv[3]);
    const int count = atoi(argv[4]);
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");
    if (cidr6 != NULL && lwnet_ip6_add(argv[1], cidr6) != 0) return fail("lwnet_ip6_add");
    const int addr_family = cidr6 != NULL ? AF_INET6 : AF_INET;

    int listener = socket(addr_family, SOCK_STREAM, IPPROTO_TCP);
    if (listener < 0) return fail("socket");
    int yes = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0) return fail("setsockopt");
    struct sockaddr_storage address;
    memset(&address, 0, sizeof address);
    socklen_t address_length;
    if (addr_family == AF_INET6) {
        /* Both families on one socket (IPv4 clients arrive mapped) unless -6only. */
        if (setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0) return fail("setsockopt");
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
    if (bind(listener, (struct sockaddr *)&address, address_length) != 0) return fail("bind");
    if (listen(listener, 1) != 0) return fail("listen");

    /* The CIDR up to the '/' is our address. */
    printf("listening on %.*s:%d\n", (int)strcspn(argv[2], "/"), argv[2], port);
    fflush(stdout);

    for (int served = 0; served < count; served++) {
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        int client = accept(listener, (struct sockaddr *)&peer, &peer_length);
        if (client < 0) return fail("accept");
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
        printf("connection from %s:%d\n", peer_text, peer_port);
        fflush(stdout);
        int status = echo_connection(client);
        close(client);
        if (status != 0) return status;
        printf("connection from %s:%d closed\n", peer_text, peer_port);
        fflush(stdout);
    }
    close(listener);
    lwnet_shutdown();
    return 0;
}
