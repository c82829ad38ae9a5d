// Multicast through the BSD socket layer, in both ways into the core, on a
// stack with an Ethernet netif (192.0.2.1/24 over a socketpair, the
// default netif): IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP with Linux's
// errors, IP_MULTICAST_TTL / _LOOP / _IF get and set (int and byte values),
// SO_REUSEADDR on UDP, and memberships dropped by close().
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "api/socket_layer.h"
#include "api/tcpip_thread.h"
#include "datagram_device.h"
#include "socket_fixture.h"
#include "support/frames.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::socket_multicast_test {
namespace {

using namespace sockets;

constexpr std::uint32_t group = 0xef010203;  // 239.1.2.3
constexpr std::uint32_t own_address = 0xc0000201;  // 192.0.2.1

ip_mreq membership(std::uint32_t multiaddr, std::uint32_t interface = INADDR_ANY) {
  ip_mreq m{};
  m.imr_multiaddr.s_addr = htonl(multiaddr);
  m.imr_interface.s_addr = htonl(interface);
  return m;
}


class SocketMulticastTest : public SocketLayerFixture<Mode> {
 protected:
  SocketMulticastTest() : SocketLayerFixture(GetParam().core_locking, 11) {}
  void SetUp() override {
    ASSERT_GE(wire_.stack_fd, 0);
    start_layer();
    ASSERT_OK(thread_.add_netif(wire_.device, wire_.stack_fd, netif_config("en0", mac_a, ip_a, 24)));
  }

  int udp() {
    const int s = l().socket(AF_INET, SOCK_DGRAM, 0);
    EXPECT_GE(s, 0);
    return s;
  }
  int set_membership(int s, int name, const ip_mreq& m) {
    return l().setsockopt(s, IPPROTO_IP, name, &m, sizeof m);
  }
  bool member(std::uint32_t g) {
    return thread_.call([&](Stack& stack, Instant) { return stack.igmp_is_member(NetifId{1}, Ipv4Address{g}); });
  }
  // The next IGMP message the stack sent on the wire (type, group), skipping
  // ARP; nullopt after `timeout_ms` without one.
  std::optional<std::pair<std::uint8_t, Ipv4Address>> next_igmp(int timeout_ms) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < give_up) {
      std::optional<ByteVector> f = wire_.next_frame(50);
      if (!f || frame_ethertype(*f) != 0x0800 || frame_ip_protocol(*f) != 2) continue;
      // IPv4 header of 24 bytes (Router Alert), then IGMP.
      return std::pair{f->at(14 + 24), Ipv4Address{load_be32(*f, 14 + 24 + 4)}};
    }
    return std::nullopt;
  }

  DatagramWire wire_;
};

INSTANTIATE_TEST_SUITE_P(Modes, SocketMulticastTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(SocketMulticastTest, AddAndDropMembershipWithLinuxErrors) {
  const int s = udp();
  ASSERT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(group)), 0) << std::strerror(errno);
  EXPECT_TRUE(member(group));
  const auto report = next_igmp(5000);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->first, 0x16);
  EXPECT_EQ(report->second, Ipv4Address{group});

  // The same group again on this socket, by address or by default netif.
  EXPECT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(group)), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(group, own_address)), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  // Not a group; an interface nobody has; too short.
  EXPECT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(own_address)), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(0xef000009, 0xcb007105)), -1);
  EXPECT_EQ(errno, ENODEV);
  const ip_mreq m = membership(0xef000009);
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m - 1), -1);
  EXPECT_EQ(errno, EINVAL);
  // Dropping a group this socket did not join.
  EXPECT_EQ(set_membership(s, IP_DROP_MEMBERSHIP, membership(0xef000009)), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  EXPECT_EQ(set_membership(s, IP_DROP_MEMBERSHIP, membership(own_address)), -1);
  EXPECT_EQ(errno, EINVAL);
  // Memberships cannot be read back; TCP sockets have none.
  ip_mreq back{};
  socklen_t len = sizeof back;
  EXPECT_EQ(l().getsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &back, &len), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(set_membership(t, IP_ADD_MEMBERSHIP, membership(group)), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(t), 0);

  // Another socket's membership keeps the group when this one drops it.
  const int other = udp();
  ASSERT_EQ(set_membership(other, IP_ADD_MEMBERSHIP, membership(group)), 0);
  ASSERT_EQ(set_membership(s, IP_DROP_MEMBERSHIP, membership(group)), 0);
  EXPECT_TRUE(member(group));
  EXPECT_EQ(set_membership(s, IP_DROP_MEMBERSHIP, membership(group)), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  // close() drops the last membership: a leave goes out.
  EXPECT_EQ(l().close(other), 0);
  EXPECT_FALSE(member(group));
  std::optional<std::pair<std::uint8_t, Ipv4Address>> leave;
  do {
    leave = next_igmp(5000);
  } while (leave && leave->first != 0x17);
  ASSERT_TRUE(leave.has_value());
  EXPECT_EQ(leave->second, Ipv4Address{group});
  EXPECT_EQ(l().close(s), 0);
}

TEST_P(SocketMulticastTest, MembershipByInterfaceIndexAndTheGroupTableLimit) {
  const int s = udp();
  // ip_mreqn with lwnet's interface index (netif 1 + 1) instead of an address.
  ip_mreqn n{};
  n.imr_multiaddr.s_addr = htonl(group);
  n.imr_ifindex = 2;
  ASSERT_EQ(l().setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &n, sizeof n), 0) << std::strerror(errno);
  EXPECT_TRUE(member(group));
  n.imr_ifindex = 9;
  n.imr_multiaddr.s_addr = htonl(0xef000001);
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &n, sizeof n), -1);
  EXPECT_EQ(errno, ENODEV);
  // The rest of the group table, then ENOBUFS.
  for (std::uint32_t i = 1; i < config::igmp_max_groups; ++i) {
    ASSERT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(0xef000000 + i)), 0) << i;
  }
  EXPECT_EQ(set_membership(s, IP_ADD_MEMBERSHIP, membership(0xef0000ff)), -1);
  EXPECT_EQ(errno, ENOBUFS);
  EXPECT_EQ(l().close(s), 0);
  EXPECT_FALSE(member(group));
  EXPECT_FALSE(member(0xef000001));
}

TEST_P(SocketMulticastTest, TtlLoopAndInterfaceGetAndSet) {
  const int s = udp();
  auto get_int = [&](int name) {
    int v = -7;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(s, IPPROTO_IP, name, &v, &len), 0);
    EXPECT_EQ(len, sizeof v);
    return v;
  };
  auto get_byte = [&](int name) {
    unsigned char v = 0xee;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(s, IPPROTO_IP, name, &v, &len), 0);
    EXPECT_EQ(len, 1U);
    return static_cast<int>(v);
  };
  auto set_int = [&](int name, int v) { return l().setsockopt(s, IPPROTO_IP, name, &v, sizeof v); };
  auto set_byte = [&](int name, unsigned char v) { return l().setsockopt(s, IPPROTO_IP, name, &v, sizeof v); };

  // Defaults: TTL 1, loop on, the default netif.
  EXPECT_EQ(get_int(IP_MULTICAST_TTL), 1);
  EXPECT_EQ(get_int(IP_MULTICAST_LOOP), 1);
  in_addr interface{};
  socklen_t len = sizeof interface;
  ASSERT_EQ(l().getsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &interface, &len), 0);
  EXPECT_EQ(len, sizeof interface);
  EXPECT_EQ(interface.s_addr, htonl(INADDR_ANY));

  ASSERT_EQ(set_int(IP_MULTICAST_TTL, 32), 0);
  EXPECT_EQ(get_int(IP_MULTICAST_TTL), 32);
  EXPECT_EQ(get_byte(IP_MULTICAST_TTL), 32);
  ASSERT_EQ(set_byte(IP_MULTICAST_TTL, 200), 0);
  EXPECT_EQ(get_int(IP_MULTICAST_TTL), 200);
  ASSERT_EQ(set_int(IP_MULTICAST_TTL, -1), 0);  // Linux: back to the default
  EXPECT_EQ(get_int(IP_MULTICAST_TTL), 1);
  EXPECT_EQ(set_int(IP_MULTICAST_TTL, 256), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(set_int(IP_MULTICAST_TTL, -2), -1);
  EXPECT_EQ(errno, EINVAL);
  const int v = 3;
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &v, 0), -1);
  EXPECT_EQ(errno, EINVAL);

  ASSERT_EQ(set_byte(IP_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ(get_int(IP_MULTICAST_LOOP), 0);
  ASSERT_EQ(set_int(IP_MULTICAST_LOOP, 5), 0);
  EXPECT_EQ(get_byte(IP_MULTICAST_LOOP), 1);

  // IP_MULTICAST_IF: an in_addr, an ip_mreq (its interface), an ip_mreqn.
  interface.s_addr = htonl(own_address);
  ASSERT_EQ(l().setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &interface, sizeof interface), 0);
  in_addr back{};
  len = sizeof back;
  ASSERT_EQ(l().getsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &back, &len), 0);
  EXPECT_EQ(back.s_addr, htonl(own_address));
  interface.s_addr = htonl(0xcb007105);  // 203.0.113.5: not ours
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &interface, sizeof interface), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  const ip_mreq by_mreq = membership(0, INADDR_ANY);
  ASSERT_EQ(l().setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &by_mreq, sizeof by_mreq), 0);
  ASSERT_EQ(l().getsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &back, &len), 0);
  EXPECT_EQ(back.s_addr, htonl(INADDR_ANY));
  ip_mreqn by_index{};
  by_index.imr_ifindex = 2;
  ASSERT_EQ(l().setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &by_index, sizeof by_index), 0);
  ASSERT_EQ(l().getsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &back, &len), 0);
  EXPECT_EQ(back.s_addr, htonl(own_address));
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &interface, 2), -1);
  EXPECT_EQ(errno, EINVAL);
  socklen_t short_len = 2;
  EXPECT_EQ(l().getsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &back, &short_len), -1);
  EXPECT_EQ(errno, EINVAL);

  // TCP sockets: none of them.
  const int t = l().socket(AF_INET, SOCK_STREAM, 0);
  int x = 1;
  EXPECT_EQ(l().setsockopt(t, IPPROTO_IP, IP_MULTICAST_TTL, &x, sizeof x), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  len = sizeof x;
  EXPECT_EQ(l().getsockopt(t, IPPROTO_IP, IP_MULTICAST_LOOP, &x, &len), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(t), 0);
  EXPECT_EQ(l().close(s), 0);
}

TEST_P(SocketMulticastTest, ReuseSocketsBothReceiveTheLoopedCopyUnlessLoopIsOff) {
  const int on = 1;
  std::array<int, 2> rx{};
  for (int& r : rx) {
    r = udp();
    ASSERT_EQ(l().setsockopt(r, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), 0);
    const sockaddr_in any = address(INADDR_ANY, 7000);
    ASSERT_EQ(l().bind(r, sa(any), in_len), 0) << std::strerror(errno);
  }
  int reuse = 0;
  socklen_t len = sizeof reuse;
  ASSERT_EQ(l().getsockopt(rx[0], SOL_SOCKET, SO_REUSEADDR, &reuse, &len), 0);
  EXPECT_EQ(reuse, 1);
  // Without SO_REUSEADDR the port is taken.
  const int plain = udp();
  const sockaddr_in any = address(INADDR_ANY, 7000);
  EXPECT_EQ(l().bind(plain, sa(any), in_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(l().close(plain), 0);
  ASSERT_EQ(set_membership(rx[0], IP_ADD_MEMBERSHIP, membership(group)), 0);

  const int tx = udp();
  const sockaddr_in to = address(group, 7000);
  const std::string message = "to the group";
  ASSERT_EQ(l().sendto(tx, message.data(), message.size(), 0, sa(to), in_len),
            static_cast<ssize_t>(message.size()));
  for (int r : rx) {
    pollfd p{r, POLLIN, 0};
    ASSERT_EQ(l().poll(&p, 1, 5000), 1);
    std::array<char, 64> buffer{};
    ASSERT_EQ(l().recv(r, buffer.data(), buffer.size(), 0), static_cast<ssize_t>(message.size()));
    EXPECT_EQ(std::string(buffer.data(), message.size()), message);
  }
  // On the wire: one datagram to the group's MAC with TTL 1.
  std::optional<ByteVector> frame;
  do {
    frame = wire_.next_frame(5000);
  } while (frame && (frame_ethertype(*frame) != 0x0800 || frame_ip_protocol(*frame) != 17));
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(frame_ip_ttl(*frame), 1);
  EXPECT_EQ(frame_destination_mac(*frame), (MacAddress{{0x01, 0x00, 0x5e, 0x01, 0x02, 0x03}}));

  const unsigned char off = 0;
  ASSERT_EQ(l().setsockopt(tx, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off), 0);
  ASSERT_EQ(l().sendto(tx, message.data(), message.size(), 0, sa(to), in_len),
            static_cast<ssize_t>(message.size()));
  do {
    frame = wire_.next_frame(5000);
  } while (frame && (frame_ethertype(*frame) != 0x0800 || frame_ip_protocol(*frame) != 17));
  ASSERT_TRUE(frame.has_value());  // sent, and only then checked for a copy
  for (int r : rx) {
    pollfd p{r, POLLIN, 0};
    EXPECT_EQ(l().poll(&p, 1, 100), 0);
  }
  for (int r : rx) EXPECT_EQ(l().close(r), 0);
  EXPECT_EQ(l().close(tx), 0);
}

}  // namespace
}  // namespace lwnet::test::socket_multicast_test
