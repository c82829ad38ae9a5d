// The link probe of the Cortex-M size check's socket-API row
// (tests/size/run.sh, configuration "sockets"): a program written the way
// ESP-IDF's protocols/sockets examples are, on the guide's API: tcpip_init,
// one Ethernet netif (its driver is the probe's, as ethernetif.c is an
// application's), the DHCP client, getaddrinfo (DNS), and TCP, UDP and raw
// sockets with the calls and options those examples use, select and poll.
// It is only linked, never run: lwnet's socket layer runs on POSIX threads
// (src/port/ has no RTOS port yet), so this row is built with Debian's
// armhf Linux cross compiler generating the same Cortex-M4 Thumb-2 code as
// the other rows, and only lwnet's own objects are counted. Every input
// comes from a volatile, so nothing folds away.
#include <cstdint>
#include <cstring>

#include "api/tcpip_c.h"
#include "core/stack.h"
#include "link/device.h"
#include "probe_device.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "lwnet/dhcp.h"

namespace {

using lwnet::size_probe::frames_out;
using lwnet::size_probe::ProbeDevice;

volatile int choice = 0;
ProbeDevice device;

// ESP-IDF's tcp_server example: listen, accept, echo until the peer closes.
void tcp_server() {
  const int listener = lwip_socket(AF_INET6, SOCK_STREAM, IPPROTO_IPV6);
  const int yes = 1;
  (void)lwip_setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(3333);
  (void)lwip_bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  (void)lwip_listen(listener, 1);
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  const int connection = lwip_accept(listener, reinterpret_cast<sockaddr*>(&peer), &length);
  (void)lwip_setsockopt(connection, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof yes);
  (void)lwip_setsockopt(connection, IPPROTO_TCP, TCP_KEEPIDLE, &yes, sizeof yes);
  (void)lwip_setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  char text[128];
  ssize_t n = 0;
  while ((n = lwip_recv(connection, text, sizeof text, 0)) > 0) {
    char address_text[INET6_ADDRSTRLEN];
    (void)lwip_inet_ntop(AF_INET6, &address.sin6_addr, address_text, sizeof address_text);
    (void)lwip_send(connection, text, static_cast<std::size_t>(n), 0);
  }
  (void)lwip_shutdown(connection, SHUT_RDWR);
  (void)lwip_close(connection);
  (void)lwip_close(listener);
}

// ESP-IDF's tcp_client example, non-blocking connect as its select example does.
void tcp_client() {
  const int s = lwip_socket(AF_INET, SOCK_STREAM, IPPROTO_IP);
  (void)lwip_fcntl(s, F_SETFL, lwip_fcntl(s, F_GETFL, 0) | O_NONBLOCK);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(3333);
  (void)lwip_inet_pton(AF_INET, "192.0.2.1", &to.sin_addr);
  (void)lwip_connect(s, reinterpret_cast<sockaddr*>(&to), sizeof to);
  fd_set writable;
  FD_ZERO(&writable);
  FD_SET(s, &writable);
  timeval timeout{1, 0};
  (void)lwip_select(s + 1, nullptr, &writable, nullptr, &timeout);
  int error = 0;
  socklen_t length = sizeof error;
  (void)lwip_getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &length);
  sockaddr_in local{};
  length = sizeof local;
  (void)lwip_getsockname(s, reinterpret_cast<sockaddr*>(&local), &length);
  (void)lwip_getpeername(s, reinterpret_cast<sockaddr*>(&local), &length);
  const char message[] = "Message from ESP32 ";
  (void)lwip_write(s, message, sizeof message);
  char reply[128];
  pollfd readable{s, POLLIN, 0};
  (void)lwip_poll(&readable, 1, 1000);
  int pending = 0;
  (void)lwip_ioctl(s, FIONREAD, &pending);
  (void)lwip_read(s, reply, sizeof reply);
  (void)lwip_close(s);
}

// ESP-IDF's udp_server / udp_client / udp_multicast examples.
void udp() {
  const int s = lwip_socket(AF_INET, SOCK_DGRAM, IPPROTO_IP);
  timeval timeout{10, 0};
  (void)lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const int yes = 1;
  (void)lwip_setsockopt(s, IPPROTO_IP, IP_PKTINFO, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(3333);
  (void)lwip_bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ip_mreq group{};
  group.imr_multiaddr.s_addr = htonl(0xe8010203);  // 232.1.2.3
  (void)lwip_setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group);
  const unsigned char ttl = 1;
  (void)lwip_setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  char text[128];
  iovec vector{text, sizeof text};
  alignas(cmsghdr) char control[64];
  sockaddr_storage from{};
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t n = lwip_recvmsg(s, &message, 0);
  if (n > 0) {
    (void)lwip_sendto(s, text, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                      message.msg_namelen);
  }
  socklen_t length = sizeof from;
  (void)lwip_recvfrom(s, text, sizeof text, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &length);
  (void)lwip_setsockopt(s, IPPROTO_IP, IP_DROP_MEMBERSHIP, &group, sizeof group);
  (void)lwip_close(s);
}

// ESP-IDF's ping: a raw ICMP socket.
void ping() {
  const int s = lwip_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  std::uint8_t echo[16] = {8};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(0xc0000201);  // 192.0.2.1
  (void)lwip_sendto(s, echo, sizeof echo, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  (void)lwip_recv(s, echo, sizeof echo, 0);
  (void)lwip_close(s);
}

void resolve() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (lwip_getaddrinfo("example.test", "80", &hints, &found) == 0) lwip_freeaddrinfo(found);
}

}  // namespace

int main() {
  tcpip_init(nullptr, nullptr);
  lwnet::api::TcpipThread& thread = *lwnet::api::default_tcpip();
  lwnet::NetifConfig config;
  config.name = "en0";
  config.mac = lwnet::MacAddress{{0x02, 0, 0, 0, 0, 1}};
  auto netif = thread.add_netif(device, -1, config);
  if (!netif) return 1;
  const lwnet::NetifId id = *netif;
  thread.call([id](lwnet::Stack& stack, lwnet::Instant) { stack.set_default_netif(id); });
  (void)lwnet_dhcp_start("en0");
  switch (choice) {
    case 0: tcp_server(); break;
    case 1: tcp_client(); break;
    case 2: udp(); break;
    case 3: ping(); break;
    default: resolve(); break;
  }
  return static_cast<int>(frames_out & 1U);
}
