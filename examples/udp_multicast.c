/* UDP multicast, the job of ESP-IDF's protocols/sockets/udp_multicast
 * example, in two modes:
 *
 *   udp_multicast TAP CIDR GROUP PORT send COUNT
 *     sends COUNT datagrams "lwnet multicast N" to GROUP:PORT, 200 ms apart,
 *     from the TAP's netif (IP_MULTICAST_IF), with TTL 1
 *     (IP_MULTICAST_TTL) and no copy to itself (IP_MULTICAST_LOOP 0);
 *   udp_multicast TAP CIDR GROUP PORT receive COUNT
 *     joins GROUP on the TAP's netif (IP_ADD_MEMBERSHIP), prints each of
 *     COUNT datagrams with its sender, then leaves (IP_DROP_MEMBERSHIP).
 *
 *   udp_multicast lw0 192.0.2.2/24 239.255.0.1 3333 receive 3
 *
 * With -6 CIDR6 first, the netif gets the IPv6 address CIDR6 too and GROUP
 * is an IPv6 group: the socket is AF_INET6, the interface is the TAP's
 * index (if_nametoindex), sending uses IPV6_MULTICAST_IF, hop limit 5
 * (IPV6_MULTICAST_HOPS) and IPV6_MULTICAST_LOOP 0, receiving
 * IPV6_JOIN_GROUP and IPV6_LEAVE_GROUP (struct ipv6_mreq):
 *
 *   udp_multicast -6 2001:db8::2/64 lw0 192.0.2.2/24 ff0e::db8:1 3333 receive 3
 *
 * Standard socket calls only: <lwip/sockets.h> maps socket(), setsockopt(),
 * recvfrom(), ... to lwnet, <lwip/if_api.h> if_nametoindex(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lwip/if_api.h>
#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

static int fail(const char *call)
{
    fprintf(stderr, "udp_multicast: %s: %s\n", call, strerror(errno));
    return 1;
}

static int usage(const char *program)
{
    fprintf(stderr, "usage: %s [-6 CIDR6] TAP CIDR GROUP PORT send|receive COUNT\n", program);
    return 2;
}

/* `to`: the group and port, a sockaddr_in or sockaddr_in6. */
static int send_datagrams(int sock, const struct sockaddr *to, socklen_t to_length, int count)
{
    for (int i = 1; i <= count; i++) {
        char message[64];
        int length = snprintf(message, sizeof message, "lwnet multicast %d", i);
        if (sendto(sock, message, (size_t)length, 0, to, to_length) != length)
            return fail("sendto");
        printf("sent %d bytes: %s\n", length, message);
        fflush(stdout);
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

static int receive_datagrams(int sock, int count)
{
    for (int received = 0; received < count; received++) {
        char buffer[1500];
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        ssize_t n = recvfrom(sock, buffer, sizeof buffer - 1, 0, (struct sockaddr *)&peer, &peer_length);
        if (n < 0) return fail("recvfrom");
        buffer[n] = '\0';
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
        printf("%zd bytes from %s:%d: %s\n", n, peer_text, peer_port, buffer);
        fflush(stdout);
    }
    return 0;
}

/* The IPv6 mode: sends to or receives from `group` on the netif `tap`. */
static int run_ipv6(const char *tap, const char *group_text, int port, int sending, int count)
{
    struct in6_addr group;
    if (inet_pton(AF_INET6, group_text, &group) != 1 || !IN6_IS_ADDR_MULTICAST(&group)) {
        fprintf(stderr, "udp_multicast: %s is not an IPv6 multicast group\n", group_text);
        return 2;
    }
    unsigned int interface = if_nametoindex(tap);
    if (interface == 0) return fail("if_nametoindex");
    int sock = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    if (sock < 0) return fail("socket");
    int status;
    if (sending) {
        int hops = 5;
        int loop = 0;
        int index = (int)interface;
        if (setsockopt(sock, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0)
            return fail("setsockopt(IPV6_MULTICAST_HOPS)");
        if (setsockopt(sock, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop) != 0)
            return fail("setsockopt(IPV6_MULTICAST_LOOP)");
        if (setsockopt(sock, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0)
            return fail("setsockopt(IPV6_MULTICAST_IF)");
        struct sockaddr_in6 to;
        memset(&to, 0, sizeof to);
        to.sin6_family = AF_INET6;
        to.sin6_addr = group;
        to.sin6_port = htons((uint16_t)port);
        printf("sending to [%s]:%d on interface %u\n", group_text, port, interface);
        fflush(stdout);
        status = send_datagrams(sock, (const struct sockaddr *)&to, sizeof to, count);
    } else {
        int reuse = 1;
        if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) != 0)
            return fail("setsockopt(SO_REUSEADDR)");
        struct sockaddr_in6 address;
        memset(&address, 0, sizeof address);
        address.sin6_family = AF_INET6;
        address.sin6_addr = in6addr_any;
        address.sin6_port = htons((uint16_t)port);
        if (bind(sock, (struct sockaddr *)&address, sizeof address) != 0) return fail("bind");
        struct ipv6_mreq membership;
        memset(&membership, 0, sizeof membership);
        membership.ipv6mr_multiaddr = group;
        membership.ipv6mr_interface = interface;
        if (setsockopt(sock, IPPROTO_IPV6, IPV6_JOIN_GROUP, &membership, sizeof membership) != 0)
            return fail("setsockopt(IPV6_JOIN_GROUP)");
        printf("listening on [::]:%d group %s interface %u\n", port, group_text, interface);
        fflush(stdout);
        status = receive_datagrams(sock, count);
        if (status == 0 && setsockopt(sock, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &membership, sizeof membership) != 0)
            return fail("setsockopt(IPV6_LEAVE_GROUP)");
        if (status == 0) {
            printf("left group %s\n", group_text);
            fflush(stdout);
        }
    }
    close(sock);
    return status;
}

int main(int argc, char **argv)
{
    const char *program = argv[0];
    const char *cidr6 = NULL;
    if (argc == 9 && strcmp(argv[1], "-6") == 0) {
        cidr6 = argv[2];
        argc -= 2;
        argv += 2;
    }
    if (argc != 7 || atoi(argv[4]) <= 0 || atoi(argv[6]) <= 0) return usage(program);
    const int port = atoi(argv[4]);
    const int count = atoi(argv[6]);
    const int sending = strcmp(argv[5], "send") == 0;
    if (!sending && strcmp(argv[5], "receive") != 0) return usage(program);
    if (cidr6 != NULL) {
        struct in6_addr group6;
        if (inet_pton(AF_INET6, argv[3], &group6) != 1 || !IN6_IS_ADDR_MULTICAST(&group6)) {
            fprintf(stderr, "udp_multicast: %s is not an IPv6 multicast group\n", argv[3]);
            return 2;
        }
        if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");
        if (lwnet_ip6_add(argv[1], cidr6) != 0) return fail("lwnet_ip6_add");
        const int status = run_ipv6(argv[1], argv[3], port, sending, count);
        lwnet_shutdown();
        return status;
    }
    struct in_addr group;
    if (inet_pton(AF_INET, argv[3], &group) != 1 || !IN_MULTICAST(ntohl(group.s_addr))) {
        fprintf(stderr, "udp_multicast: %s is not an IPv4 multicast group\n", argv[3]);
        return 2;
    }
    /* The CIDR up to the '/' is our address: the interface to use. */
    char own[INET_ADDRSTRLEN];
    snprintf(own, sizeof own, "%.*s", (int)strcspn(argv[2], "/"), argv[2]);
    struct in_addr interface;
    if (inet_pton(AF_INET, own, &interface) != 1) return usage(program);
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) return fail("lwnet_tap_up");

    int sock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (sock < 0) return fail("socket");
    int status;
    if (sending) {
        unsigned char ttl = 1;
        unsigned char loop = 0;
        if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0)
            return fail("setsockopt(IP_MULTICAST_TTL)");
        if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0)
            return fail("setsockopt(IP_MULTICAST_LOOP)");
        if (setsockopt(sock, IPPROTO_IP, IP_MULTICAST_IF, &interface, sizeof interface) != 0)
            return fail("setsockopt(IP_MULTICAST_IF)");
        printf("sending to %s:%d from %s\n", argv[3], port, own);
        fflush(stdout);
        struct sockaddr_in to;
        memset(&to, 0, sizeof to);
        to.sin_family = AF_INET;
        to.sin_addr = group;
        to.sin_port = htons((uint16_t)port);
        status = send_datagrams(sock, (const struct sockaddr *)&to, sizeof to, count);
    } else {
        int reuse = 1;
        if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) != 0)
            return fail("setsockopt(SO_REUSEADDR)");
        struct sockaddr_in address;
        memset(&address, 0, sizeof address);
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        address.sin_port = htons((uint16_t)port);
        if (bind(sock, (struct sockaddr *)&address, sizeof address) != 0) return fail("bind");
        struct ip_mreq membership;
        membership.imr_multiaddr = group;
        membership.imr_interface = interface;
        if (setsockopt(sock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership) != 0)
            return fail("setsockopt(IP_ADD_MEMBERSHIP)");
        printf("listening on %s:%d group %s\n", own, port, argv[3]);
        fflush(stdout);
        status = receive_datagrams(sock, count);
        if (status == 0 && setsockopt(sock, IPPROTO_IP, IP_DROP_MEMBERSHIP, &membership, sizeof membership) != 0)
            return fail("setsockopt(IP_DROP_MEMBERSHIP)");
        if (status == 0) {
            printf("left group %s\n", argv[3]);
            fflush(stdout);
        }
    }
    close(sock);
    lwnet_shutdown();
    return status;
}
