// The lwnet side of socket_options.sh: a TCP/IP thread on a TAP and the
// socket layer, doing one thing per run with the options under test. Built
// on the tests' checked copy of the stack, which has IP_PKTINFO
// (CONFIG_LWIP_NETBUF_RECVINFO) on.
//
//   socket_options_probe TAP CIDR udp-send DEST PORT TOS TTL
//       one datagram "tos-ttl" with IP_TOS and IP_TTL set
//   socket_options_probe TAP CIDR tcp-send DEST PORT TOS TTL
//       connects with IP_TOS and IP_TTL set, sends "tos-ttl", waits for the
//       peer's end of stream
//   socket_options_probe TAP CIDR pktinfo PORT COUNT
//       prints "listening on IP:PORT", then for each of COUNT datagrams
//       "N bytes to ADDRESS ifindex I"
//   socket_options_probe TAP CIDR burst DEST PORT COUNT
//       the TAP has a transmit queue of 4 frames at 100 kB/s: sends COUNT
//       datagrams back to back, printing "burst sent S enomem E", then after
//       a pause 10 more, 20 ms apart, retrying none: "after sent S enomem E"
//
// Exit status 0 when every call did what it should, 1 otherwise (the
// failing call on stderr), 2 for wrong arguments.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "api/socket_layer.h"
#include "api/tcpip_thread.h"
#include "link/linux/tap_device.h"
#include "wire/address.h"

namespace {

using lwnet::api::SocketLayer;

int usage() {
  std::fprintf(stderr,
               "usage: socket_options_probe TAP CIDR udp-send|tcp-send DEST PORT TOS TTL\n"
               "       socket_options_probe TAP CIDR pktinfo PORT COUNT\n"
               "       socket_options_probe TAP CIDR burst DEST PORT COUNT\n");
  return 2;
}

int failed(const char* what) {
  std::fprintf(stderr, "socket_options_probe: %s: %s\n", what, std::strerror(errno));
  return 1;
}

sockaddr_in address_of(const char* ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}
const sockaddr* sa(const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); }

int set_int(SocketLayer& l, int s, int level, int name, int v) { return l.setsockopt(s, level, name, &v, sizeof v); }

int send_with_options(SocketLayer& l, bool tcp, const char* dest, int port, int tos, int ttl) {
  const int s = l.socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (s < 0) return failed("socket");
  if (set_int(l, s, IPPROTO_IP, IP_TOS, tos) != 0) return failed("setsockopt IP_TOS");
  if (set_int(l, s, IPPROTO_IP, IP_TTL, ttl) != 0) return failed("setsockopt IP_TTL");
  const sockaddr_in to = address_of(dest, port);
  if (l.connect(s, sa(to), sizeof to) != 0) return failed("connect");
  if (l.send(s, "tos-ttl", 7, 0) != 7) return failed("send");
  if (tcp) {
    if (l.shutdown(s, SHUT_WR) != 0) return failed("shutdown");
    char byte = 0;
    if (l.recv(s, &byte, 1, 0) != 0) return failed("recv (end of stream)");
  }
  if (l.close(s) != 0) return failed("close");
  return 0;
}

int packet_info(SocketLayer& l, const std::string& own_ip, int port, int count) {
  const int s = l.socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return failed("socket");
  const sockaddr_in any = address_of("0.0.0.0", port);
  if (l.bind(s, sa(any), sizeof any) != 0) return failed("bind");
  if (set_int(l, s, IPPROTO_IP, IP_PKTINFO, 1) != 0) return failed("setsockopt IP_PKTINFO");
  std::printf("listening on %s:%d\n", own_ip.c_str(), port);
  std::fflush(stdout);
  for (int i = 0; i < count; ++i) {
    char data[512];
    iovec part{data, sizeof data};
    alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in_pktinfo))];
    msghdr m{};
    m.msg_iov = &part;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    const ssize_t n = l.recvmsg(s, &m, 0);
    if (n < 0) return failed("recvmsg");
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    if (c == nullptr || c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO) {
      std::fprintf(stderr, "socket_options_probe: no IP_PKTINFO control message\n");
      return 1;
    }
    in_pktinfo info{};
    std::memcpy(&info, CMSG_DATA(c), sizeof info);
    char to[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &info.ipi_addr, to, sizeof to);
    std::printf("%zd bytes to %s ifindex %d\n", n, to, info.ipi_ifindex);
    std::fflush(stdout);
  }
  return l.close(s) == 0 ? 0 : failed("close");
}

int burst(SocketLayer& l, const char* dest, int port, int count) {
  const int s = l.socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return failed("socket");
  const sockaddr_in to = address_of(dest, port);
  if (l.connect(s, sa(to), sizeof to) != 0) return failed("connect");
  // One datagram first, so that the peer's address is resolved before the
  // burst (frames waiting for ARP fill a queue of their own).
  if (l.send(s, "warm-up", 7, 0) != 7) return failed("send (warm-up)");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  char payload[1000];
  std::memset(payload, 'b', sizeof payload);
  int sent = 0;
  int no_memory = 0;
  for (int i = 0; i < count; ++i) {
    if (l.send(s, payload, sizeof payload, 0) == static_cast<ssize_t>(sizeof payload)) {
      ++sent;
    } else if (errno == ENOMEM) {
      ++no_memory;
    } else {
      return failed("send (burst)");
    }
  }
  std::printf("burst sent %d enomem %d\n", sent, no_memory);
  // The guide's advice: after ENOMEM, wait a little and send again.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sent = no_memory = 0;
  for (int i = 0; i < 10; ++i) {
    std::snprintf(payload, sizeof payload, "after-%d", i);
    const std::size_t size = std::strlen(payload);
    if (l.send(s, payload, size, 0) == static_cast<ssize_t>(size)) {
      ++sent;
    } else if (errno == ENOMEM) {
      ++no_memory;
    } else {
      return failed("send (after)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("after sent %d enomem %d\n", sent, no_memory);
  std::fflush(stdout);
  // Let the queue drain before the process goes.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return l.close(s) == 0 ? 0 : failed("close");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lwnet;
  if (argc < 5) return usage();
  const std::string mode = argv[3];
  const std::optional<IpCidr> cidr = parse_ip_cidr(argv[2]);
  if (!cidr || !cidr->address.is_v4()) return usage();

  TapConfig tap_config;
  tap_config.name = argv[1];
  tap_config.mode = TapConfig::Mode::Attach;
  if (mode == "burst") {
    tap_config.tx_queue_frames = 4;
    tap_config.tx_rate_bytes_per_second = 100000;
  }
  OsResult<TapDevice> tap = TapDevice::open(tap_config);
  if (!tap) {
    std::fprintf(stderr, "socket_options_probe: %s\n", tap.os_error().message().c_str());
    return 1;
  }
  api::TcpipThread thread{api::TcpipConfig{}};
  if (!thread.start()) return failed("TCP/IP thread");
  NetifConfig netif;
  netif.name = "en0";
  netif.mac = MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
  netif.ipv4 = *cidr;
  const Result<NetifId> id = thread.add_netif(*tap, tap->fd(), netif);
  if (!id) return failed("add_netif");
  thread.call([&](Stack& stack, Instant) { stack.set_default_netif(*id); });
  int status = 2;
  {
    SocketLayer layer(thread);
    if ((mode == "udp-send" || mode == "tcp-send") && argc == 8) {
      status = send_with_options(layer, mode == "tcp-send", argv[4], std::atoi(argv[5]), std::atoi(argv[6]),
                                 std::atoi(argv[7]));
    } else if (mode == "pktinfo" && argc == 6) {
      char text[64];
      const std::string own(format_ip_address(cidr->address, text));
      status = packet_info(layer, own, std::atoi(argv[4]), std::atoi(argv[5]));
    } else if (mode == "burst" && argc == 7) {
      status = burst(layer, argv[4], std::atoi(argv[5]), std::atoi(argv[6]));
    } else {
      status = usage();
    }
    if (status == 0) {
      const std::uint64_t busy = thread.call([](Stack& s, Instant) { return s.stats().ethernet.drop_device_busy; });
      std::printf("device busy drops %llu\n", static_cast<unsigned long long>(busy));
    }
  }
  thread.stop();
  return status;
}
