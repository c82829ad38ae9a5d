/* Cost of a blocking socket call through the TCP/IP thread: a 1-byte
 * ping-pong between two threads of one process, over the stack's own
 * loopback, timed around every send() and recv().
 *
 * One source, two builds:
 *   - lwnet (CMake target socket_call_cost): lwnet's sockets, 127.0.0.1 on
 *     lwnet's loopback netif; only the TCP/IP thread of tcpip_init(), no TAP.
 *   - lwIP (-DCALL_COST_LWIP, built by tests/bench/run.sh against Debian's
 *     liblwip): lwIP's sockets; Debian's build has no 127.0.0.1 netif
 *     (LWIP_HAVE_LOOPIF 0) but loops back what a netif sends to its own
 *     address (LWIP_NETIF_LOOPBACK 1), so the program adds a netif without a
 *     device, 192.0.2.2/24, and connects to that address.
 * In both, a segment goes from the sending socket into the TCP/IP thread,
 * through the loopback queue, back into the TCP/IP thread as input, and
 * wakes the blocked recv() of the other thread.
 *
 * The client (main thread) sends byte i, the server thread reads it and
 * sends it back, the client reads it and checks it. TCP_NODELAY on both
 * ends. After a warm-up, ROUND_TRIPS of them are timed with CLOCK_MONOTONIC:
 *   rtt_us          one round trip seen by the client: 2 sends, 2 recvs,
 *                   2 segments (and their ACK handling) through the stack
 *   send_us         mean time inside the client's 1-byte send() (the call
 *                   hands the data to the TCP/IP thread and returns)
 *   recv_us         mean time the client's 1-byte recv() blocks (the rest
 *                   of the round trip: the server's recv wake-up and send)
 *   server_send_us  mean time inside the server's send()
 *   round_trips_per_s
 *   empty_recv_us   then, the connection idle: mean time of a
 *                   recv(MSG_DONTWAIT) that finds nothing (EAGAIN)
 * One line: "call_cost stack=... round_trips=N rtt_us=... send_us=...
 * recv_us=... server_send_us=... round_trips_per_s=...". Exit 1 on any
 * failed call or a wrong byte.
 *
 *   socket_call_cost [ROUND_TRIPS]      (20000)
 *
 * Threads: main (client), the server thread, the stack's TCP/IP thread. */
#ifdef CALL_COST_LWIP
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"
#else
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#endif

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PORT 5099
#define WARM_UP_ROUND_TRIPS 1000

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void die(const char *call)
{
    fprintf(stderr, "socket_call_cost: %s: %s\n", call, strerror(errno));
    exit(1);
}

#ifdef CALL_COST_LWIP
#define STACK_NAME "lwIP-" LWIP_VERSION_STRING
#define SERVER_ADDRESS "192.0.2.2"

static struct netif loop_only_netif;

/* Nothing leaves this netif: all traffic is to its own address, which lwIP
 * loops back before any output function. */
static err_t drop_ip_output(struct netif *netif, struct pbuf *packet, const ip4_addr_t *next_hop)
{
    (void)netif;
    (void)packet;
    (void)next_hop;
    return ERR_OK;
}

static err_t drop_link_output(struct netif *netif, struct pbuf *packet)
{
    (void)netif;
    (void)packet;
    return ERR_OK;
}

static err_t loop_only_netif_init(struct netif *netif)
{
    netif->name[0] = 'l';
    netif->name[1] = 'p';
    netif->output = drop_ip_output;
    netif->linkoutput = drop_link_output;
    netif->mtu = 1500;
    netif->flags = 0;
    return ERR_OK;
}

/* On the TCP/IP thread (tcpip_init's callback), where the core is ours. */
static void add_netif(void *semaphore)
{
    ip4_addr_t address, mask, gateway;
    ip4addr_aton(SERVER_ADDRESS, &address);
    ip4addr_aton("255.255.255.0", &mask);
    ip4_addr_set_zero(&gateway);
    if (netif_add(&loop_only_netif, &address, &mask, &gateway, NULL, loop_only_netif_init, tcpip_input) == NULL) {
        fprintf(stderr, "socket_call_cost: netif_add failed\n");
        exit(1);
    }
    netif_set_default(&loop_only_netif);
    netif_set_up(&loop_only_netif);
    netif_set_link_up(&loop_only_netif);
    sys_sem_signal((sys_sem_t *)semaphore);
}

static void bring_up(void)
{
    sys_sem_t ready;
    if (sys_sem_new(&ready, 0) != ERR_OK) die("sys_sem_new");
    tcpip_init(add_netif, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);
}
#else
#define STACK_NAME "lwnet"
#define SERVER_ADDRESS "127.0.0.1"

static void bring_up(void) { tcpip_init(NULL, NULL); }
#endif

static void set_no_delay(int socket_descriptor)
{
    int yes = 1;
    if (lwip_setsockopt(socket_descriptor, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes) != 0)
        die("setsockopt TCP_NODELAY");
}

static struct sockaddr_in server_address(void)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(PORT);
    address.sin_addr.s_addr = inet_addr(SERVER_ADDRESS);
    return address;
}

struct server {
    int listener;
    double send_seconds; /* timed round trips only */
    long timed_from;     /* the round trip the client starts timing at */
};

static void *serve(void *argument)
{
    struct server *server = argument;
    int connection = lwip_accept(server->listener, NULL, NULL);
    if (connection < 0) die("accept");
    set_no_delay(connection);
    for (long round_trip = 0;; round_trip++) {
        unsigned char byte;
        ssize_t received = lwip_recv(connection, &byte, 1, 0);
        if (received == 0) break;
        if (received != 1) die("server recv");
        double start = now_seconds();
        if (lwip_send(connection, &byte, 1, 0) != 1) die("server send");
        if (round_trip >= server->timed_from) server->send_seconds += now_seconds() - start;
    }
    lwip_close(connection);
    return NULL;
}

int main(int argc, char **argv)
{
    long round_trips = argc > 1 ? atol(argv[1]) : 20000;
    if (argc > 2 || round_trips <= 0) {
        fprintf(stderr, "usage: %s [ROUND_TRIPS]\n", argv[0]);
        return 2;
    }
    bring_up();

    struct sockaddr_in address = server_address();
    struct server server = {.listener = lwip_socket(AF_INET, SOCK_STREAM, 0),
                            .timed_from = WARM_UP_ROUND_TRIPS};
    if (server.listener < 0) die("socket");
    if (lwip_bind(server.listener, (struct sockaddr *)&address, sizeof address) != 0) die("bind");
    if (lwip_listen(server.listener, 1) != 0) die("listen");
    pthread_t server_thread;
    int status = pthread_create(&server_thread, NULL, serve, &server);
    if (status != 0) {
        errno = status;
        die("pthread_create");
    }

    int client = lwip_socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0) die("socket");
    if (lwip_connect(client, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
    set_no_delay(client);

    double send_seconds = 0, recv_seconds = 0, timed_start = 0;
    long total = WARM_UP_ROUND_TRIPS + round_trips;
    for (long round_trip = 0; round_trip < total; round_trip++) {
        if (round_trip == WARM_UP_ROUND_TRIPS) timed_start = now_seconds();
        unsigned char byte = (unsigned char)round_trip;
        double before_send = now_seconds();
        if (lwip_send(client, &byte, 1, 0) != 1) die("client send");
        double after_send = now_seconds();
        unsigned char echo = 0;
        if (lwip_recv(client, &echo, 1, 0) != 1) die("client recv");
        double after_recv = now_seconds();
        if (echo != byte) {
            fprintf(stderr, "socket_call_cost: round trip %ld: sent %u, got %u back\n", round_trip, byte, echo);
            return 1;
        }
        if (round_trip >= WARM_UP_ROUND_TRIPS) {
            send_seconds += after_send - before_send;
            recv_seconds += after_recv - after_send;
        }
    }
    double elapsed = now_seconds() - timed_start;
    /* A non-blocking recv() that finds nothing, the call that ends every
     * read loop of a select()-driven server. The last ACKs settle first. */
    struct timespec settle = {0, 10 * 1000 * 1000};
    nanosleep(&settle, NULL);
    double empty_start = now_seconds();
    for (long i = 0; i < round_trips; i++) {
        unsigned char none;
        if (lwip_recv(client, &none, 1, MSG_DONTWAIT) != -1 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            die("non-blocking recv on an empty socket");
        }
    }
    double empty_seconds = now_seconds() - empty_start;
    /* The server reads end of file after its last send, so its sum is final
     * once it has exited. */
    if (lwip_shutdown(client, SHUT_WR) != 0) die("shutdown");
    pthread_join(server_thread, NULL);
    lwip_close(client);
    lwip_close(server.listener);

    double per_call = 1e6 / (double)round_trips;
    printf("call_cost stack=%s round_trips=%ld rtt_us=%.2f send_us=%.2f recv_us=%.2f server_send_us=%.2f "
           "round_trips_per_s=%.0f empty_recv_us=%.3f\n",
           STACK_NAME, round_trips, elapsed * per_call, send_seconds * per_call, recv_seconds * per_call,
           server.send_seconds * per_call, (double)round_trips / elapsed, empty_seconds * per_call);
    return 0;
}
