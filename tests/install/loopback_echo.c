/* A C program built against an installed lwnet with nothing but
 * `pkg-config --cflags --libs lwnet`: the TCP/IP thread from <lwip/tcpip.h>,
 * the address from getaddrinfo (<lwip/netdb.h>), then UDP and TCP over the
 * stack's loopback netif with the standard socket names of <lwip/sockets.h>,
 * and the helpers of <lwip/inet.h>, <lwip/ip_addr.h>, <lwip/err.h> and
 * <lwip/sys.h>. Compiled as strict C11. Exits 0 when every byte came back
 * and every helper gave the expected answer. */
#include <lwip/err.h>
#include <lwip/inet.h>
#include <lwip/ip_addr.h>
#include <lwip/netdb.h>
#include <lwip/opt.h>
#include <lwip/sockets.h>
#include <lwip/sys.h>
#include <lwip/tcpip.h>
#include <stdio.h>
#include <string.h>

static int check(int ok, const char *what) {
  if (!ok) fprintf(stderr, "loopback_echo: %s failed\n", what);
  return ok;
}

/* The address helpers and the resolver, without the stack. */
static int helpers(void) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  struct addrinfo *result = NULL;
  if (!check(getaddrinfo("no.such.host", "7007", &hints, &result) == EAI_NONAME, "getaddrinfo EAI_NONAME")) return 0;
  if (!check(getaddrinfo("localhost", "x", &hints, &result) == EAI_SERVICE, "getaddrinfo EAI_SERVICE")) return 0;
  struct hostent *host = gethostbyname("localhost");
  if (!check(host != NULL && host->h_addrtype == AF_INET, "gethostbyname(localhost)")) return 0;
  struct in_addr loopback;
  memcpy(&loopback, host->h_addr, sizeof loopback);
  if (!check(strcmp(inet_ntoa(loopback), "127.0.0.1") == 0, "inet_ntoa")) return 0;
  if (!check(gethostbyname("no.such.host") == NULL, "gethostbyname failure")) return 0;

  ip_addr_t address;
  IP_ADDR4(&address, 192, 0, 2, 1);
  if (!check(strcmp(ipaddr_ntoa(&address), "192.0.2.1") == 0, "ipaddr_ntoa")) return 0;
  if (!check(strcmp(ip4addr_ntoa(ip_2_ip4(&address)), "192.0.2.1") == 0, "ip4addr_ntoa")) return 0;
  ip4_addr_t parsed;
  if (!check(ip4addr_aton("10.0.0.1", &parsed) == 1 && ip4_addr_get_u32(&parsed) == lwip_htonl(0x0a000001UL),
             "ip4addr_aton")) return 0;
  if (!check(ip4addr_aton("10.0.0.300", &parsed) == 0, "ip4addr_aton failure")) return 0;
  if (!check(inet_addr("10.0.0.1") == ip4_addr_get_u32(&parsed), "inet_addr")) return 0;
  if (!check(lwip_strerr(ERR_MEM) != NULL && ERR_VAL == -6, "lwip_strerr")) return 0;
  u32_t start = sys_now();
  sys_msleep(5);
  return check(sys_now() - start >= 5, "sys_now/sys_msleep");
}

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(void) {
  if (!helpers()) return 1;
  tcpip_init(NULL, NULL);
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  struct addrinfo *result = NULL;
  int error = getaddrinfo("127.0.0.1", "7007", &hints, &result);
  if (error != 0 || result == NULL || result->ai_addrlen != sizeof(struct sockaddr_in)) {
    fprintf(stderr, "loopback_echo: getaddrinfo: %d\n", error);
    return 1;
  }
  struct sockaddr_in address;
  memcpy(&address, result->ai_addr, sizeof address);
  freeaddrinfo(result);
  if (!check(address.sin_port == htons(7007) && strcmp(inet_ntoa(address.sin_addr), "127.0.0.1") == 0,
             "getaddrinfo(127.0.0.1, 7007)")) return 1;
  const struct sockaddr *to = (const struct sockaddr *)&address;

  int receiver = socket(AF_INET, SOCK_DGRAM, 0);
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  if (receiver < 0 || sender < 0) return fail("socket");
  if (bind(receiver, to, sizeof address) != 0) return fail("bind");
  if (sendto(sender, "udp", 3, 0, to, sizeof address) != 3) return fail("sendto");
  char buffer[16] = {0};
  if (recv(receiver, buffer, sizeof buffer, 0) != 3 || memcmp(buffer, "udp", 3) != 0) return fail("recv");
  close(receiver);
  close(sender);

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(listener, to, sizeof address) != 0 || listen(listener, 1) != 0) return fail("bind/listen");
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(client, to, sizeof address) != 0) return fail("connect");
  int server = accept(listener, NULL, NULL);
  if (server < 0) return fail("accept");
  if (write(client, "tcp", 3) != 3) return fail("write");
  memset(buffer, 0, sizeof buffer);
  if (read(server, buffer, 3) != 3 || memcmp(buffer, "tcp", 3) != 0) return fail("read");
  struct sockaddr_in peer;
  socklen_t peer_length = sizeof peer;
  if (getpeername(server, (struct sockaddr *)&peer, &peer_length) != 0) return fail("getpeername");
  ip4_addr_t peer_address;
  inet_addr_to_ip4addr(&peer_address, &peer.sin_addr);
  if (!check(strcmp(ip4addr_ntoa(&peer_address), "127.0.0.1") == 0, "ip4addr_ntoa of the peer")) return 1;
  close(client);
  close(server);
  close(listener);
  printf("loopback_echo: udp and tcp echoed; resolver and address helpers work\n");
  return 0;
}
