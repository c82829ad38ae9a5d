/* A C program built against an installed lwnet with nothing but
 * `pkg-config --cflags --libs lwnet`: the TCP/IP thread from <lwip/tcpip.h>,
 * then UDP and TCP over the stack's loopback netif with the standard socket
 * names of <lwip/sockets.h>. Exits 0 when every byte came back. */
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(void) {
  tcpip_init(NULL, NULL);
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons(7007);
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
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
  close(client);
  close(server);
  close(listener);
  printf("loopback_echo: udp and tcp echoed\n");
  return 0;
}
