// Socket options and limits of the BSD layer, in both core modes: IP_TOS,
// IP_TTL (TCP too), IP_PKTINFO, SO_BINDTODEVICE (get, set, errors, and what
// they do on the loopback netif and on a second netif over a socketpair),
// TCP bind semantics (ports taken at bind time), and the per-socket mailbox
// limits (UDP receive queue, accept queue; what bounds TCP receiving).
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/socket_layer.h"
#include "api/tcpip_thread.h"
#include "datagram_device.h"
#include "socket_fixture.h"
#include "support/frames.h"
#include "support/hosts.h"

namespace lwnet::test::socket_options_test {
namespace {

using namespace sockets;

class SocketOptionsTest : public SocketLayerFixture<Mode> {
 protected:
  SocketOptionsTest() : SocketLayerFixture(GetParam().core_locking, 11, GetParam().spin, GetParam().input) {}
  void SetUp() override { start_layer(); }

  int get_int(int s, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(s, level, name, &v, &len), 0) << level << "/" << name << ": " << std::strerror(errno);
    return v;
  }
  int set_int(int s, int level, int name, int v) { return l().setsockopt(s, level, name, &v, sizeof v); }
  std::uint16_t local_port(int s) {
    sockaddr_in name{};
    socklen_t len = in_len;
    EXPECT_EQ(l().getsockname(s, sa(name), &len), 0);
    return ntohs(name.sin_port);
  }
  // Until `done()` holds (checked every millisecond), at most 5 s.
  template <class Done>
  bool eventually(Done&& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }
};

INSTANTIATE_TEST_SUITE_P(Modes, SocketOptionsTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

// ---- TCP bind ---------------------------------------------------------------------

TEST_P(SocketOptionsTest, TcpBindTakesThePortAtBindTime) {
  const int first = l().socket(AF_INET, SOCK_STREAM, 0);
  const int second = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in a = loopback(5100);
  ASSERT_EQ(l().bind(first, sa(a), in_len), 0);
  // Bound but idle already holds the port, also against a wildcard bind.
  EXPECT_EQ(l().bind(second, sa(a), in_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  const sockaddr_in any = address(INADDR_ANY, 5100);
  EXPECT_EQ(l().bind(second, sa(any), in_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  // A core connection cannot take it either.
  const bool refused = thread_.call([](Stack& stack, Instant) {
    const Result<TcpHandle> h = stack.tcp_listen({Ipv4Address::loopback(), 5100}, 1);
    return !h.ok() && h.error() == Error::AddressInUse;
  });
  EXPECT_TRUE(refused);
  // Closing the bound socket lets the port go.
  ASSERT_EQ(l().close(first), 0);
  ASSERT_EQ(l().bind(second, sa(a), in_len), 0);
  ASSERT_EQ(l().listen(second, 2), 0);
  EXPECT_EQ(local_port(second), 5100);

  // An address that is not ours.
  const int other = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in foreign = address(0xc0000263, 5101);  // 192.0.2.99
  EXPECT_EQ(l().bind(other, sa(foreign), in_len), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  // Bound sockets connect from their port.
  const sockaddr_in from = loopback(5102);
  ASSERT_EQ(l().bind(other, sa(from), in_len), 0);
  ASSERT_EQ(l().connect(other, sa(a), in_len), 0) << std::strerror(errno);
  EXPECT_EQ(local_port(other), 5102);
  const int accepted = l().accept(second, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(l().close(accepted), 0);
  EXPECT_EQ(l().close(other), 0);
  EXPECT_EQ(l().close(second), 0);
}

TEST_P(SocketOptionsTest, TcpPortZeroAndUnboundListenPickEphemeralPorts) {
  const int bound = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in zero = loopback(0);
  ASSERT_EQ(l().bind(bound, sa(zero), in_len), 0);
  const std::uint16_t picked = local_port(bound);
  EXPECT_GE(picked, 49152);
  ASSERT_EQ(l().listen(bound, 1), 0);
  EXPECT_EQ(local_port(bound), picked);

  const int unbound = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().listen(unbound, 1), 0);
  const std::uint16_t listened = local_port(unbound);
  EXPECT_GE(listened, 49152);
  EXPECT_NE(listened, picked);
  // Both listen where getsockname() says.
  for (const auto& [listener, port] : {std::pair{bound, picked}, std::pair{unbound, listened}}) {
    const int c = l().socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in to = loopback(port);
    ASSERT_EQ(l().connect(c, sa(to), in_len), 0) << std::strerror(errno);
    const int a = l().accept(listener, nullptr, nullptr);
    ASSERT_GE(a, 0);
    EXPECT_EQ(l().close(a), 0);
    EXPECT_EQ(l().close(c), 0);
  }
  EXPECT_EQ(l().close(bound), 0);
  EXPECT_EQ(l().close(unbound), 0);
}

TEST_P(SocketOptionsTest, ReuseAddressBindsOverTimeWaitOnly) {
  const int listener = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in a = loopback(5110);
  ASSERT_EQ(l().bind(listener, sa(a), in_len), 0);
  ASSERT_EQ(l().listen(listener, 1), 0);
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().connect(c, sa(a), in_len), 0);
  const int server = l().accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  // The server side closes first: its end (port 5110) goes to TIME-WAIT.
  ASSERT_EQ(l().close(server), 0);
  char byte = 0;
  ASSERT_EQ(l().recv(c, &byte, 1, 0), 0);
  ASSERT_EQ(l().close(c), 0);
  ASSERT_EQ(l().close(listener), 0);

  // Without SO_REUSEADDR the closing connection keeps the port (for the
  // 2 MSL of TIME-WAIT); with it, a bind succeeds once only TIME-WAIT is left.
  const int again = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(l().bind(again, sa(a), in_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  ASSERT_EQ(set_int(again, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  ASSERT_TRUE(eventually([&] { return l().bind(again, sa(a), in_len) == 0; }));
  // Another socket, even with SO_REUSEADDR, still cannot take the bound port.
  const int third = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(set_int(third, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  EXPECT_EQ(l().bind(third, sa(a), in_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  ASSERT_EQ(l().listen(again, 1), 0);
  EXPECT_EQ(l().close(third), 0);
  EXPECT_EQ(l().close(again), 0);
}

// ---- IP_TOS, IP_TTL -------------------------------------------------------------

TEST_P(SocketOptionsTest, TosAndTtlGetAndSet) {
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int r = l().socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  for (int s : {t, u, r}) {
    EXPECT_EQ(get_int(s, IPPROTO_IP, IP_TOS), 0);
    EXPECT_EQ(get_int(s, IPPROTO_IP, IP_TTL), config::ip_default_ttl);
  }
  ASSERT_EQ(set_int(u, IPPROTO_IP, IP_TOS, 0xb9), 0);
  EXPECT_EQ(get_int(u, IPPROTO_IP, IP_TOS), 0xb9);
  ASSERT_EQ(set_int(r, IPPROTO_IP, IP_TOS, 0x20), 0);
  EXPECT_EQ(get_int(r, IPPROTO_IP, IP_TOS), 0x20);
  // TCP keeps the ECN bits to itself, as Linux.
  ASSERT_EQ(set_int(t, IPPROTO_IP, IP_TOS, 0xbb), 0);
  EXPECT_EQ(get_int(t, IPPROTO_IP, IP_TOS), 0xb8);
  ASSERT_EQ(set_int(t, IPPROTO_IP, IP_TTL, 9), 0);
  EXPECT_EQ(get_int(t, IPPROTO_IP, IP_TTL), 9);
  for (int bad : {0, 256, -2}) {
    EXPECT_EQ(set_int(t, IPPROTO_IP, IP_TTL, bad), -1);
    EXPECT_EQ(errno, EINVAL);
  }
  ASSERT_EQ(set_int(t, IPPROTO_IP, IP_TTL, -1), 0);  // Linux: back to the default
  EXPECT_EQ(get_int(t, IPPROTO_IP, IP_TTL), config::ip_default_ttl);
  // Linux's ranges of the keepalive options.
  EXPECT_EQ(set_int(t, IPPROTO_TCP, TCP_KEEPIDLE, 32767), 0);
  EXPECT_EQ(set_int(t, IPPROTO_TCP, TCP_KEEPINTVL, 32767), 0);
  EXPECT_EQ(set_int(t, IPPROTO_TCP, TCP_KEEPCNT, 127), 0);
  for (const int name : {TCP_KEEPIDLE, TCP_KEEPINTVL}) {
    EXPECT_EQ(set_int(t, IPPROTO_TCP, name, 32768), -1);
    EXPECT_EQ(errno, EINVAL);
  }
  EXPECT_EQ(set_int(t, IPPROTO_TCP, TCP_KEEPCNT, 128), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(get_int(t, IPPROTO_TCP, TCP_KEEPCNT), 127);
  char small = 0;
  EXPECT_EQ(l().setsockopt(u, IPPROTO_IP, IP_TOS, &small, sizeof small), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(l().close(t), 0);
  EXPECT_EQ(l().close(u), 0);
  EXPECT_EQ(l().close(r), 0);
}

// A level the socket's protocols lack: getsockopt() answers as Linux's IP
// layers do (EOPNOTSUPP on AF_INET, ENOPROTOOPT on AF_INET6); setsockopt()
// says ENOPROTOOPT on both. (conformance.sh compares these with the kernel.)
TEST_P(SocketOptionsTest, ALevelTheSocketLacksGetsLinuxsError) {
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int u6 = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const auto get_error = [&](int s, int level, int name) {
    int v = 0;
    socklen_t len = sizeof v;
    errno = 0;
    return l().getsockopt(s, level, name, &v, &len) == -1 ? errno : 0;
  };
  EXPECT_EQ(get_error(t, 9999, 1), EOPNOTSUPP);
  EXPECT_EQ(get_error(t, IPPROTO_UDP, 1), EOPNOTSUPP);
  EXPECT_EQ(get_error(u, IPPROTO_TCP, TCP_NODELAY), EOPNOTSUPP);
  EXPECT_EQ(get_error(u, IPPROTO_IPV6, IPV6_V6ONLY), EOPNOTSUPP);
  EXPECT_EQ(get_error(u, IPPROTO_UDP, 9999), ENOPROTOOPT);  // a UDP option it does not know
  if constexpr (config::ipv6) {
    EXPECT_EQ(get_error(u6, 9999, 1), ENOPROTOOPT);
    EXPECT_EQ(get_error(u6, IPPROTO_TCP, TCP_NODELAY), ENOPROTOOPT);
    EXPECT_EQ(l().close(u6), 0);
  }
  EXPECT_EQ(set_int(u, 9999, 1, 1), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(set_int(u, IPPROTO_TCP, TCP_NODELAY, 1), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(t), 0);
  EXPECT_EQ(l().close(u), 0);
}

TEST_P(SocketOptionsTest, TcpConnectionsInheritTtlAndTosFromTheListener) {
  const int listener = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(set_int(listener, IPPROTO_IP, IP_TTL, 21), 0);
  ASSERT_EQ(set_int(listener, IPPROTO_IP, IP_TOS, 0x48), 0);
  const sockaddr_in a = loopback(5120);
  ASSERT_EQ(l().bind(listener, sa(a), in_len), 0);
  ASSERT_EQ(l().listen(listener, 1), 0);
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().connect(c, sa(a), in_len), 0);
  const int server = l().accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  EXPECT_EQ(get_int(server, IPPROTO_IP, IP_TTL), 21);
  EXPECT_EQ(get_int(server, IPPROTO_IP, IP_TOS), 0x48);
  EXPECT_EQ(get_int(c, IPPROTO_IP, IP_TTL), config::ip_default_ttl);
  // On a live connection the option changes the connection's own
  // settings (getsockopt reads them back from the core).
  ASSERT_EQ(set_int(c, IPPROTO_IP, IP_TTL, 3), 0);
  EXPECT_EQ(get_int(c, IPPROTO_IP, IP_TTL), 3);
  EXPECT_EQ(l().close(server), 0);
  EXPECT_EQ(l().close(c), 0);
  EXPECT_EQ(l().close(listener), 0);
}

// ---- IP_PKTINFO ----------------------------------------------------------------

TEST_P(SocketOptionsTest, PacketInfoIsUdpOnlyAndNeedsNetbufRecvinfo) {
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  EXPECT_EQ(set_int(t, IPPROTO_IP, IP_PKTINFO, 1), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  if constexpr (config::netbuf_recvinfo) {
    EXPECT_EQ(get_int(u, IPPROTO_IP, IP_PKTINFO), 0);
    ASSERT_EQ(set_int(u, IPPROTO_IP, IP_PKTINFO, 1), 0);
    EXPECT_EQ(get_int(u, IPPROTO_IP, IP_PKTINFO), 1);
  } else {
    // CONFIG_LWIP_NETBUF_RECVINFO off (ESP-IDF's default): refused.
    EXPECT_EQ(set_int(u, IPPROTO_IP, IP_PKTINFO, 1), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    int v = 0;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(u, IPPROTO_IP, IP_PKTINFO, &v, &len), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
  }
  EXPECT_EQ(l().close(t), 0);
  EXPECT_EQ(l().close(u), 0);
}

// recvmsg() without IP_PKTINFO: no control message, whatever room there is.
TEST_P(SocketOptionsTest, RecvmsgWithoutPacketInfoHasNoControlMessage) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in a = loopback(5130);
  ASSERT_EQ(l().bind(u, sa(a), in_len), 0);
  ASSERT_EQ(l().sendto(u, "ping", 4, 0, sa(a), in_len), 4);
  std::array<char, 16> data{};
  iovec part{data.data(), data.size()};
  alignas(cmsghdr) std::array<char, 64> control{};
  msghdr m{};
  m.msg_iov = &part;
  m.msg_iovlen = 1;
  m.msg_control = control.data();
  m.msg_controllen = control.size();
  ASSERT_EQ(l().recvmsg(u, &m, 0), 4);
  EXPECT_EQ(m.msg_controllen, 0U);
  EXPECT_EQ(m.msg_flags, 0);
  EXPECT_EQ(l().close(u), 0);
}

// ---- SO_BINDTODEVICE --------------------------------------------------------------

TEST_P(SocketOptionsTest, BindToDeviceGetSetAndErrors) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  const int r = l().socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  std::array<char, IFNAMSIZ> name{};
  socklen_t len = name.size();
  ASSERT_EQ(l().getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, name.data(), &len), 0);
  EXPECT_EQ(len, 0U);  // not bound
  EXPECT_EQ(l().setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "nope0", 5), -1);
  EXPECT_EQ(errno, ENODEV);
  ASSERT_EQ(l().setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), 0);
  len = name.size();
  ASSERT_EQ(l().getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, name.data(), &len), 0);
  EXPECT_EQ(len, 3U);
  EXPECT_STREQ(name.data(), "lo");
  // Too small for the name and its NUL.
  len = 2;
  EXPECT_EQ(l().getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, name.data(), &len), -1);
  EXPECT_EQ(errno, EINVAL);
  // An empty name unbinds.
  ASSERT_EQ(l().setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "", 0 + 1), 0);
  len = name.size();
  ASSERT_EQ(l().getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, name.data(), &len), 0);
  EXPECT_EQ(len, 0U);
  // A struct ifreq works too (the name comes first), on TCP as well.
  ifreq request{};
  std::strcpy(request.ifr_name, "lo");
  ASSERT_EQ(l().setsockopt(t, SOL_SOCKET, SO_BINDTODEVICE, &request, sizeof request), 0);
  len = name.size();
  ASSERT_EQ(l().getsockopt(t, SOL_SOCKET, SO_BINDTODEVICE, name.data(), &len), 0);
  EXPECT_STREQ(name.data(), "lo");
  EXPECT_EQ(l().setsockopt(r, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(u), 0);
  EXPECT_EQ(l().close(t), 0);
  EXPECT_EQ(l().close(r), 0);
}

// A socketpair device whose transmit() refuses the next `refusals` frames,
// as a full transmit queue does.
class RefusingDevice final : public Device {
 public:
  explicit RefusingDevice(DatagramDevice& inner) : inner_(inner) {}
  DeviceCapabilities capabilities() const override { return inner_.capabilities(); }
  std::optional<std::size_t> receive(Bytes into, Instant now) override { return inner_.receive(into, now); }
  bool transmit(ConstBytes frame, Instant now) override {
    int left = refusals.load();
    while (left > 0) {
      if (refusals.compare_exchange_weak(left, left - 1)) return false;
    }
    return inner_.transmit(frame, now);
  }
  const DeviceStats& stats() const override { return inner_.stats(); }
  std::atomic<int> refusals{0};

 private:
  DatagramDevice& inner_;
};

// A second netif (en0, 192.0.2.1/24) on a socketpair, the test being the
// peer 192.0.2.99 behind it.
class NetifOptionsTest : public SocketOptionsTest {
 protected:
  void SetUp() override {
    SocketOptionsTest::SetUp();
    ASSERT_GE(wire_.stack_fd, 0);
    const Result<NetifId> id = thread_.add_netif(wire_.device, wire_.stack_fd, netif_config("en0", mac_a, ip_a, 24));
    ASSERT_TRUE(id.ok());
    en0_ = *id;
    ASSERT_TRUE(thread_.call([&](Stack& s, Instant) { return s.arp_add_static(en0_, ip_peer, mac_peer).ok(); }));
    // The gratuitous ARP of the new netif.
    while (wire_.next_frame(100)) {
    }
  }
  void TearDown() override {
    SocketOptionsTest::TearDown();
  }
  // The next IPv4 frame the stack sent to the peer.
  std::optional<ByteVector> next_ipv4() {
    for (int i = 0; i < 10; ++i) {
      std::optional<ByteVector> f = wire_.next_frame(5000);
      if (!f) return std::nullopt;
      if (frame_ethertype(*f) == 0x0800) return f;
    }
    return std::nullopt;
  }
  DatagramWire wire_;
  NetifId en0_;
  // For a third netif, added by the test that needs it.
  DatagramWire second_;
  RefusingDevice refusing_{second_.device};
};

INSTANTIATE_TEST_SUITE_P(Modes, NetifOptionsTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"},
                                           locking_spinning_mode),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(NetifOptionsTest, TosAndTtlAppearInTheHeadersSent) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(set_int(u, IPPROTO_IP, IP_TOS, 0xb8), 0);
  ASSERT_EQ(set_int(u, IPPROTO_IP, IP_TTL, 7), 0);
  const sockaddr_in peer = address(ip_peer.value, 9);
  ASSERT_EQ(l().sendto(u, "x", 1, 0, sa(peer), in_len), 1);
  std::optional<ByteVector> f = next_ipv4();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ((*f)[14], 0x45);
  EXPECT_EQ((*f)[15], 0xb8);
  EXPECT_EQ((*f)[22], 7);
  EXPECT_EQ((*f)[23], IPPROTO_UDP);

  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(set_int(t, IPPROTO_IP, IP_TOS, 0x28), 0);
  ASSERT_EQ(set_int(t, IPPROTO_IP, IP_TTL, 13), 0);
  int on = 1;
  ASSERT_EQ(l().ioctl(t, FIONBIO, &on), 0);
  const sockaddr_in web = address(ip_peer.value, 80);
  EXPECT_EQ(l().connect(t, sa(web), in_len), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  f = next_ipv4();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ((*f)[15], 0x28);
  EXPECT_EQ((*f)[22], 13);
  EXPECT_EQ((*f)[23], IPPROTO_TCP);
  EXPECT_EQ((*f)[14 + 20 + 13], 0x02);  // SYN
  EXPECT_EQ(l().close(t), 0);
  EXPECT_EQ(l().close(u), 0);
}

TEST_P(NetifOptionsTest, UdpBoundToADeviceReceivesOnlyWhatArrivedOnIt) {
  const int on_en0 = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int on_lo = l().socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(set_int(on_en0, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  ASSERT_EQ(l().setsockopt(on_en0, SOL_SOCKET, SO_BINDTODEVICE, "en0", 3), 0);
  ASSERT_EQ(l().setsockopt(on_lo, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), 0);
  const sockaddr_in any5140 = address(INADDR_ANY, 5140);
  const sockaddr_in any5141 = address(INADDR_ANY, 5141);
  ASSERT_EQ(l().bind(on_en0, sa(any5140), in_len), 0);
  ASSERT_EQ(l().bind(on_lo, sa(any5141), in_len), 0);
  // Over loopback to both: only the socket bound to lo takes it.
  const int sender = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in lo5140 = loopback(5140);
  const sockaddr_in lo5141 = loopback(5141);
  ASSERT_EQ(l().sendto(sender, "a", 1, 0, sa(lo5140), in_len), 1);
  ASSERT_EQ(l().sendto(sender, "b", 1, 0, sa(lo5141), in_len), 1);
  char byte = 0;
  const timeval wait{1, 0};
  ASSERT_EQ(l().setsockopt(on_lo, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
  ASSERT_EQ(l().recv(on_lo, &byte, 1, 0), 1);
  EXPECT_EQ(byte, 'b');
  const timeval short_wait{0, 200000};
  ASSERT_EQ(l().setsockopt(on_en0, SOL_SOCKET, SO_RCVTIMEO, &short_wait, sizeof short_wait), 0);
  EXPECT_EQ(l().recv(on_en0, &byte, 1, 0), -1);
  EXPECT_EQ(errno, EAGAIN);
  // From the peer on en0: taken.
  const ByteVector payload{'c'};
  Ipv4Repr ip;
  ip.source = ip_peer;
  ip.destination = ip_a;
  ip.protocol = IPPROTO_UDP;
  ASSERT_TRUE(wire_.send_frame(ethernet_frame(mac_a, mac_peer, 0x0800,
                                              ipv4_packet(ip, udp_datagram(ip_peer, ip_a, 7, 5140, payload)))));
  ASSERT_EQ(l().setsockopt(on_en0, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
  ASSERT_EQ(l().recv(on_en0, &byte, 1, 0), 1);
  EXPECT_EQ(byte, 'c');
  // Sends leave by en0.
  const sockaddr_in peer = address(ip_peer.value, 9);
  ASSERT_EQ(l().sendto(on_en0, "d", 1, 0, sa(peer), in_len), 1);
  const std::optional<ByteVector> f = next_ipv4();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(frame_ip_source(*f), ip_a);
  // A socket bound to lo cannot reach the peer.
  EXPECT_EQ(l().sendto(on_lo, "e", 1, 0, sa(peer), in_len), -1);
  EXPECT_EQ(errno, ENETUNREACH);
  EXPECT_EQ(l().close(sender), 0);
  EXPECT_EQ(l().close(on_en0), 0);
  EXPECT_EQ(l().close(on_lo), 0);
}

// As on Linux: sockets bound to different devices (SO_BINDTODEVICE before
// bind) share a port, each taking what arrives on its device; a socket
// bound to no device conflicts with them.
TEST_P(NetifOptionsTest, UdpSocketsOnOnePortBoundToDifferentDevices) {
  const int on_en0 = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int on_lo = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int unbound = l().socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(l().setsockopt(on_en0, SOL_SOCKET, SO_BINDTODEVICE, "en0", 3), 0);
  ASSERT_EQ(l().setsockopt(on_lo, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), 0);
  const sockaddr_in any5142 = address(INADDR_ANY, 5142);
  ASSERT_EQ(l().bind(on_en0, sa(any5142), in_len), 0);
  ASSERT_EQ(l().bind(on_lo, sa(any5142), in_len), 0) << std::strerror(errno);
  EXPECT_EQ(l().bind(unbound, sa(any5142), in_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  const timeval wait{1, 0};
  ASSERT_EQ(l().setsockopt(on_lo, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
  ASSERT_EQ(l().setsockopt(on_en0, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
  const sockaddr_in lo5142 = loopback(5142);
  ASSERT_EQ(l().sendto(unbound, "l", 1, 0, sa(lo5142), in_len), 1);
  Ipv4Repr ip;
  ip.source = ip_peer;
  ip.destination = ip_a;
  ip.protocol = IPPROTO_UDP;
  ASSERT_TRUE(wire_.send_frame(ethernet_frame(
      mac_a, mac_peer, 0x0800, ipv4_packet(ip, udp_datagram(ip_peer, ip_a, 7, 5142, ByteVector{'e'})))));
  char byte = 0;
  ASSERT_EQ(l().recv(on_lo, &byte, 1, 0), 1);
  EXPECT_EQ(byte, 'l');
  ASSERT_EQ(l().recv(on_en0, &byte, 1, 0), 1);
  EXPECT_EQ(byte, 'e');
  int pending = -1;
  ASSERT_EQ(l().ioctl(on_lo, FIONREAD, &pending), 0);
  EXPECT_EQ(pending, 0);
  ASSERT_EQ(l().ioctl(on_en0, FIONREAD, &pending), 0);
  EXPECT_EQ(pending, 0);
  for (const int fd : {on_en0, on_lo, unbound}) EXPECT_EQ(l().close(fd), 0);
}

TEST_P(NetifOptionsTest, TcpBoundToADeviceConnectsAndListensThroughIt) {
  // Bound to en0, a connect to 127.0.0.1 has no route.
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().setsockopt(t, SOL_SOCKET, SO_BINDTODEVICE, "en0", 3), 0);
  const sockaddr_in local = loopback(5150);
  EXPECT_EQ(l().connect(t, sa(local), in_len), -1);
  EXPECT_EQ(errno, ENETUNREACH);
  EXPECT_EQ(l().close(t), 0);
  // A listener bound to en0 does not take loopback connections.
  const int listener = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().setsockopt(listener, SOL_SOCKET, SO_BINDTODEVICE, "en0", 3), 0);
  const sockaddr_in any = address(INADDR_ANY, 5150);
  ASSERT_EQ(l().bind(listener, sa(any), in_len), 0);
  ASSERT_EQ(l().listen(listener, 1), 0);
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(l().connect(c, sa(local), in_len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(l().close(c), 0);
  // Rebound to lo while it listens, it takes them from now on; unbound, too.
  ASSERT_EQ(l().setsockopt(listener, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), 0);
  const int c2 = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(l().connect(c2, sa(local), in_len), 0) << std::strerror(errno);
  const int a2 = l().accept(listener, nullptr, nullptr);
  EXPECT_GE(a2, 0);
  // And back to en0: refused again.
  ASSERT_EQ(l().setsockopt(listener, SOL_SOCKET, SO_BINDTODEVICE, "en0", 3), 0);
  const int c3 = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(l().connect(c3, sa(local), in_len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  ASSERT_EQ(l().setsockopt(listener, SOL_SOCKET, SO_BINDTODEVICE, "", 1), 0);
  const int c4 = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(l().connect(c4, sa(local), in_len), 0) << std::strerror(errno);
  const int a4 = l().accept(listener, nullptr, nullptr);
  EXPECT_GE(a4, 0);
  for (const int fd : {c2, a2, c3, c4, a4}) EXPECT_EQ(l().close(fd), 0);
  EXPECT_EQ(l().close(listener), 0);
}

// ---- Transmit pressure ---------------------------------------------------------

TEST_P(NetifOptionsTest, UdpSendRefusedByTheDeviceFailsWithEnomemThenRecovers) {
  DatagramWire& second = second_;
  ASSERT_GE(second.stack_fd, 0);
  RefusingDevice& device = refusing_;
  constexpr Ipv4Address ip_en1 = Ipv4Address::of(203, 0, 113, 1);
  constexpr Ipv4Address ip_far = Ipv4Address::of(203, 0, 113, 99);
  const Result<NetifId> en1 = thread_.add_netif(device, second.stack_fd, netif_config("en1", mac_b, ip_en1, 24));
  ASSERT_TRUE(en1.ok());
  ASSERT_TRUE(thread_.call([&](Stack& s, Instant) { return s.arp_add_static(*en1, ip_far, mac_peer).ok(); }));
  while (second.next_frame(100)) {
  }
  const auto busy = [&] { return thread_.call([](Stack& s, Instant) { return s.stats().ethernet.drop_device_busy; }); };
  const std::uint64_t busy_before = busy();

  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in far = address(ip_far.value, 9);
  device.refusals = 2;
  EXPECT_EQ(l().sendto(u, "one", 3, 0, sa(far), in_len), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(l().send(u, "two", 3, 0), -1);  // not connected yet
  EXPECT_EQ(errno, EDESTADDRREQ);
  ASSERT_EQ(l().connect(u, sa(far), in_len), 0);
  EXPECT_EQ(l().send(u, "two", 3, 0), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(busy(), busy_before + 2);
  // The device takes frames again: the retry goes out, and so does the rest.
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(l().send(u, "two", 3, 0), 3);
  ASSERT_EQ(l().send(u, "three", 5, 0), 5);
  for (const char* expected : {"two", "three"}) {
    std::optional<ByteVector> f = second.next_frame(5000);
    ASSERT_TRUE(f.has_value());
    ASSERT_EQ(frame_ethertype(*f), 0x0800);
    const std::size_t size = std::strlen(expected);
    ASSERT_EQ(f->size(), 14U + 20U + 8U + size);
    EXPECT_EQ(std::string(f->begin() + 42, f->end()), expected);
  }
  EXPECT_EQ(busy(), busy_before + 2);
  EXPECT_EQ(l().close(u), 0);
}

// Datagrams waiting for ARP fill a queue of CONFIG_LWNET_ARP_QUEUE_LEN: the
// next send fails with ENOMEM; once the neighbour answers, the queued ones
// leave and sending works again.
TEST_P(NetifOptionsTest, UdpSendWhileArpPendingQueueIsFullFailsWithEnomem) {
  constexpr Ipv4Address unresolved = Ipv4Address::of(192, 0, 2, 50);
  constexpr MacAddress mac_unresolved{{0x02, 0x00, 0x00, 0x00, 0x00, 0x50}};
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = address(unresolved.value, 9);
  ASSERT_EQ(l().connect(u, sa(to), in_len), 0);
  for (std::size_t i = 0; i < config::arp_queue_len; ++i) ASSERT_EQ(l().send(u, "q", 1, 0), 1) << i;
  EXPECT_EQ(l().send(u, "q", 1, 0), -1);
  EXPECT_EQ(errno, ENOMEM);
  // The request went out; answer it.
  std::optional<ByteVector> request;
  for (int i = 0; i < 10 && !request; ++i) {
    std::optional<ByteVector> f = wire_.next_frame(5000);
    ASSERT_TRUE(f.has_value());
    if (frame_ethertype(*f) == 0x0806) request = f;
  }
  ASSERT_TRUE(request.has_value());
  ASSERT_TRUE(wire_.send_frame(ethernet_frame(
      mac_a, mac_unresolved, 0x0806, arp_packet(ArpOperation::Reply, mac_unresolved, unresolved, mac_a, ip_a))));
  for (std::size_t i = 0; i < config::arp_queue_len; ++i) {
    std::optional<ByteVector> f = next_ipv4();
    ASSERT_TRUE(f.has_value()) << i;
    EXPECT_EQ(frame_destination_mac(*f), mac_unresolved);
  }
  ASSERT_EQ(l().send(u, "r", 1, 0), 1);
  std::optional<ByteVector> f = next_ipv4();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->back(), 'r');
  EXPECT_EQ(l().close(u), 0);
}

// ---- Mailbox limits --------------------------------------------------------------

TEST_P(SocketOptionsTest, UdpReceiveQueueHoldsRecvmboxSizeDatagrams) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in a = loopback(5160);
  ASSERT_EQ(l().bind(u, sa(a), in_len), 0);
  const int sender = l().socket(AF_INET, SOCK_DGRAM, 0);
  const auto dropped_before = thread_.call([](Stack& s, Instant) { return s.stats().udp.drop_queue_full; });
  for (std::size_t i = 0; i <= config::udp_recvmbox_size; ++i) {
    const char byte = static_cast<char>('0' + i);
    ASSERT_EQ(l().sendto(sender, &byte, 1, 0, sa(a), in_len), 1);
  }
  ASSERT_TRUE(eventually([&] {
    return thread_.call([](Stack& s, Instant) { return s.stats().udp.drop_queue_full; }) == dropped_before + 1;
  }));
  int flag = 1;
  ASSERT_EQ(l().ioctl(u, FIONBIO, &flag), 0);
  for (std::size_t i = 0; i < config::udp_recvmbox_size; ++i) {
    char byte = 0;
    ASSERT_EQ(l().recv(u, &byte, 1, 0), 1) << i;
    EXPECT_EQ(byte, static_cast<char>('0' + i));  // the first N, in order
  }
  char byte = 0;
  EXPECT_EQ(l().recv(u, &byte, 1, 0), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(l().close(sender), 0);
  EXPECT_EQ(l().close(u), 0);
}

TEST_P(SocketOptionsTest, AcceptQueueHoldsAcceptmboxSizeConnections) {
  const int listener = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in a = loopback(5170);
  ASSERT_EQ(l().bind(listener, sa(a), in_len), 0);
  ASSERT_EQ(l().listen(listener, 1000), 0);  // capped at CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE
  // Clients straight on the core (sockets are scarcer than connections).
  const std::size_t clients = config::tcp_acceptmbox_size + 1;
  std::vector<TcpHandle> handles;
  for (std::size_t i = 0; i < clients; ++i) {
    Result<TcpHandle> h = thread_.call([](Stack& s, Instant now) {
      return s.tcp_connect({Ipv4Address::loopback(), 5170}, now);
    });
    ASSERT_TRUE(h.ok());
    handles.push_back(*h);
  }
  // The one past the cap is reset (its SYN, or its SYN cookie's ACK).
  ASSERT_TRUE(eventually([&] {
    return thread_.call([&](Stack& s, Instant) {
      std::size_t refused = 0;
      for (TcpHandle h : handles) {
        const TcpConnection* c = s.tcp_connection(h);
        refused += c != nullptr && c->error().has_value() ? 1U : 0U;
      }
      return refused;
    }) == 1U;
  }));
  int flag = 1;
  ASSERT_EQ(l().ioctl(listener, FIONBIO, &flag), 0);
  std::vector<int> accepted;
  for (;;) {
    const int fd = l().accept(listener, nullptr, nullptr);
    if (fd < 0) break;
    accepted.push_back(fd);
  }
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(accepted.size(), config::tcp_acceptmbox_size);
  for (int fd : accepted) EXPECT_EQ(l().close(fd), 0);
  thread_.call([&](Stack& s, Instant now) {
    for (TcpHandle h : handles) s.tcp_abort(h, now);
  });
  EXPECT_EQ(l().close(listener), 0);
}

// lwnet's TCP receives into a byte ring, not a mailbox of pbufs: what a
// socket that does not read holds is bounded by its receive buffer
// (SO_RCVBUF, the window it advertises); CONFIG_LWIP_TCP_RECVMBOX_SIZE
// bounds nothing more (src/config/options.h).
TEST_P(SocketOptionsTest, TcpReceivingIsBoundedByTheReceiveBuffer) {
  const int listener = l().socket(AF_INET, SOCK_STREAM, 0);
  const int receive_buffer = 4096;
  ASSERT_EQ(set_int(listener, SOL_SOCKET, SO_RCVBUF, receive_buffer), 0);
  const sockaddr_in a = loopback(5180);
  ASSERT_EQ(l().bind(listener, sa(a), in_len), 0);
  ASSERT_EQ(l().listen(listener, 1), 0);
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().connect(c, sa(a), in_len), 0);
  const int server = l().accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  int flag = 1;
  ASSERT_EQ(l().ioctl(c, FIONBIO, &flag), 0);
  // Many more small writes than any mailbox of 6 (or 64) would hold.
  std::size_t sent = 0;
  const char chunk[100] = {};
  for (int i = 0; i < 2000; ++i) {
    const ssize_t n = l().send(c, chunk, sizeof chunk, 0);
    if (n < 0) {
      ASSERT_EQ(errno, EAGAIN);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    sent += static_cast<std::size_t>(n);
  }
  EXPECT_GT(sent, static_cast<std::size_t>(receive_buffer));
  int pending = 0;
  ASSERT_TRUE(eventually([&] {
    EXPECT_EQ(l().ioctl(server, FIONREAD, &pending), 0);
    return pending > 0;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(l().ioctl(server, FIONREAD, &pending), 0);
  EXPECT_GT(pending, static_cast<int>(config::tcp_recvmbox_size));
  EXPECT_LE(pending, receive_buffer);
  EXPECT_EQ(l().close(server), 0);
  EXPECT_EQ(l().close(c), 0);
  EXPECT_EQ(l().close(listener), 0);
}

// Without CONFIG_LWIP_SO_RCVBUF (ESP-IDF's default, this build's), SO_RCVBUF
// on a UDP socket is refused as lwIP refuses it; TCP takes it either way.
TEST_P(SocketOptionsTest, SoRcvbufOnUdpNeedsTheOption) {
  static_assert(!config::so_rcvbuf, "this build is expected to have CONFIG_LWIP_SO_RCVBUF off");
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const int size = 4096;
  EXPECT_EQ(l().setsockopt(u, SOL_SOCKET, SO_RCVBUF, &size, sizeof size), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  int value = 0;
  socklen_t length = sizeof value;
  EXPECT_EQ(l().getsockopt(u, SOL_SOCKET, SO_RCVBUF, &value, &length), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(l().setsockopt(t, SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
  EXPECT_EQ(l().close(u), 0);
  EXPECT_EQ(l().close(t), 0);
}

}  // namespace
}  // namespace lwnet::test::socket_options_test
