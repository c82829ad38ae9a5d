/* The bench's sockets-API services on lwnet: what the lwIP anchor bench
 * (bench_server.c) runs on lwIP's sockets, written again here with standard
 * socket calls so that the "lwnet sockets" column of tests/bench/run.sh does
 * the same work as its "lwIP sockets" column:
 *
 *   BASE     discard: a thread per connection reads 64 KiB at a time until
 *            the peer closes (iperf 2 sends here)
 *   BASE+1   source:  a thread per connection sends 64 KiB of zeros at a time
 *            until a send fails (the peer closed or reset)
 *   BASE+2   CRR:     inline in the accept loop: read up to 64 bytes, send
 *            them back, read until end of file, close
 *
 * One thread per service runs its accept loop, with blocking calls, as the
 * anchor does. Each finished discard/source connection prints
 *   discard bytes=N secs=S mbit=M      (secs from the first byte)
 *   source bytes=N secs=S mbit=M       (secs from the accept)
 * SIGTERM/SIGINT print "exit VmHWM_kB=N" and end the process.
 *
 *   socket_bench_server TAP CIDR [BASE_PORT [BUFFER_BYTES]]
 *   socket_bench_server lwb-tap3 192.0.2.2/24
 *   socket_bench_server lwb-tap4 192.0.2.2/24 5001 65535
 *
 * BASE_PORT defaults to 5001. BUFFER_BYTES, when given, is set as SO_RCVBUF
 * and SO_SNDBUF on the listeners, which their connections inherit: 65535
 * matches lwIP's TCP_WND and TCP_SND_BUF in Debian's build. Without it the
 * connections get the build's defaults. The ready line shows what the
 * listeners have:
 *   listening on ADDRESS:BASE-BASE+2 SO_RCVBUF=N SO_SNDBUF=N
 *
 * Threads: main, one accept loop per service, one per discard/source
 * connection; the TCP/IP thread is lwnet's (lwnet_tap_up). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lwip/sockets.h>
#include <lwnet/lwnet.h>

#define BUFFER_SIZE 65536
#define CRR_REQUEST_MAX 64
#define THREAD_STACK_SIZE (256 * 1024)

enum service_kind { SERVICE_DISCARD, SERVICE_SOURCE, SERVICE_CRR };

struct service {
    enum service_kind kind;
    int port;
    int listener;
};

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* One line per connection; stdout is shared by the connection threads, and
 * printf locks it for the whole line. */
static void report(const char *service, unsigned long long bytes, double seconds)
{
    printf("%s bytes=%llu secs=%.3f mbit=%.1f\n", service, bytes, seconds,
           seconds > 0 ? (double)bytes * 8.0 / seconds / 1e6 : 0.0);
    fflush(stdout);
}

static void die(const char *call)
{
    fprintf(stderr, "socket_bench_server: %s: %s\n", call, strerror(errno));
    exit(1);
}

static int listen_on(int port, int buffer_bytes)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) die("socket");
    int yes = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0) die("setsockopt");
    if (buffer_bytes > 0) {
        if (setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes) != 0)
            die("setsockopt SO_RCVBUF");
        if (setsockopt(listener, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes) != 0)
            die("setsockopt SO_SNDBUF");
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) die("bind");
    if (listen(listener, 128) != 0) die("listen");
    return listener;
}

static void *discard_connection(void *argument)
{
    int connection = (int)(intptr_t)argument;
    char *buffer = malloc(BUFFER_SIZE);
    if (buffer == NULL) die("malloc");
    unsigned long long bytes = 0;
    double first_byte = 0;
    ssize_t received;
    while ((received = recv(connection, buffer, BUFFER_SIZE, 0)) > 0) {
        if (bytes == 0) first_byte = now_seconds();
        bytes += (unsigned long long)received;
    }
    double end = now_seconds();
    close(connection);
    free(buffer);
    report("discard", bytes, bytes > 0 ? end - first_byte : 0.0);
    return NULL;
}

static void *source_connection(void *argument)
{
    int connection = (int)(intptr_t)argument;
    char *zeros = calloc(1, BUFFER_SIZE);
    if (zeros == NULL) die("calloc");
    unsigned long long bytes = 0;
    double start = now_seconds();
    ssize_t sent;
    while ((sent = send(connection, zeros, BUFFER_SIZE, 0)) > 0) bytes += (unsigned long long)sent;
    close(connection);
    free(zeros);
    report("source", bytes, now_seconds() - start);
    return NULL;
}

static void serve_crr(int connection)
{
    char request[CRR_REQUEST_MAX];
    ssize_t received = recv(connection, request, sizeof request, 0);
    if (received > 0) send(connection, request, (size_t)received, 0);
    while (recv(connection, request, sizeof request, 0) > 0) {
    }
    close(connection);
}

static void start_detached(void *(*body)(void *), void *argument)
{
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, THREAD_STACK_SIZE);
    pthread_t thread;
    int status = pthread_create(&thread, &attributes, body, argument);
    pthread_attr_destroy(&attributes);
    if (status != 0) {
        errno = status;
        die("pthread_create");
    }
}

static void *accept_loop(void *argument)
{
    const struct service *service = argument;
    for (;;) {
        int connection = accept(service->listener, NULL, NULL);
        if (connection < 0) {
            /* As the anchor: a failed accept (e.g. out of sockets) is
             * reported and the loop goes on. */
            fprintf(stderr, "socket_bench_server: accept on %d: %s\n", service->port, strerror(errno));
            continue;
        }
        switch (service->kind) {
        case SERVICE_DISCARD: start_detached(discard_connection, (void *)(intptr_t)connection); break;
        case SERVICE_SOURCE: start_detached(source_connection, (void *)(intptr_t)connection); break;
        case SERVICE_CRR: serve_crr(connection); break;
        }
    }
    return NULL;
}

static long peak_rss_kilobytes(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL) return -1;
    char line[256];
    long value = -1;
    while (fgets(line, sizeof line, status) != NULL)
        if (sscanf(line, "VmHWM: %ld", &value) == 1) break;
    fclose(status);
    return value;
}

/* fopen and snprintf are not async-signal-safe; the anchor reports its
 * peak the same way, and the process ends right after. */
static void on_terminate(int signal_number)
{
    (void)signal_number;
    char message[64];
    int length = snprintf(message, sizeof message, "exit VmHWM_kB=%ld\n", peak_rss_kilobytes());
    if (length > 0 && lwip_write(1, message, (size_t)length) < 0) {
    }
    _exit(0);
}

static int usage(const char *program)
{
    fprintf(stderr, "usage: %s TAP CIDR [BASE_PORT [BUFFER_BYTES]]\n", program);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) return usage(argv[0]);
    int base_port = argc >= 4 ? atoi(argv[3]) : 5001;
    int buffer_bytes = argc == 5 ? atoi(argv[4]) : 0;
    if (base_port <= 0 || base_port > 65533 || (argc == 5 && buffer_bytes <= 0)) return usage(argv[0]);
    if (lwnet_tap_up(argv[1], argv[2], NULL) != 0) die("lwnet_tap_up");

    signal(SIGTERM, on_terminate);
    signal(SIGINT, on_terminate);
    signal(SIGPIPE, SIG_IGN);

    static struct service services[3];
    for (int i = 0; i < 3; i++) {
        services[i].kind = (enum service_kind)i;
        services[i].port = base_port + i;
        services[i].listener = listen_on(base_port + i, buffer_bytes);
    }
    /* What the connections will get, so the bench can show the windows. */
    int receive_buffer = 0, send_buffer = 0;
    socklen_t length = sizeof receive_buffer;
    if (getsockopt(services[0].listener, SOL_SOCKET, SO_RCVBUF, &receive_buffer, &length) != 0)
        die("getsockopt SO_RCVBUF");
    length = sizeof send_buffer;
    if (getsockopt(services[0].listener, SOL_SOCKET, SO_SNDBUF, &send_buffer, &length) != 0)
        die("getsockopt SO_SNDBUF");
    for (int i = 0; i < 3; i++) {
        pthread_t thread;
        int status = pthread_create(&thread, NULL, accept_loop, &services[i]);
        if (status != 0) {
            errno = status;
            die("pthread_create");
        }
    }
    /* The listeners exist: connections from now on are queued. */
    printf("listening on %.*s:%d-%d SO_RCVBUF=%d SO_SNDBUF=%d\n", (int)strcspn(argv[2], "/"), argv[2],
           base_port, base_port + 2, receive_buffer, send_buffer);
    fflush(stdout);
    for (;;) pause();
}
