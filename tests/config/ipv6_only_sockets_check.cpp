// The BSD sockets over the IPv6-only core (CONFIG_LWIP_IPV4=0, issue 10):
// the api layer and the OS glue built in that configuration
// (tests/config/CMakeLists.txt) serve TCP and UDP over ::1 in both ways into
// the core, and AF_INET is no family at all (EAFNOSUPPORT, as Linux says
// for a family its kernel was built without).
#include "api/socket_fixture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "config/options.h"

namespace lwnet::test {
namespace {

using namespace sockets;

static_assert(!config::ipv4 && config::ipv6, "this check runs in the IPv6-only build");

sockaddr_in6 loopback6(std::uint16_t port) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  a.sin6_addr = in6addr_loopback;
  return a;
}
const sockaddr* sa6(const sockaddr_in6& a) { return reinterpret_cast<const sockaddr*>(&a); }
sockaddr* sa6(sockaddr_in6& a) { return reinterpret_cast<sockaddr*>(&a); }

class Ipv6OnlySockets : public SocketLayerFixture<bool> {
 protected:
  Ipv6OnlySockets() : SocketLayerFixture(GetParam(), 23) {}
  void SetUp() override { start_layer(); }
};

INSTANTIATE_TEST_SUITE_P(Modes, Ipv6OnlySockets, ::testing::Values(false, true),
                         [](const auto& test_info) { return std::string(test_info.param ? "CoreLocking" : "MessagePassing"); });

TEST_P(Ipv6OnlySockets, AnIpv4SocketIsNoFamily) {
  for (const int type : {SOCK_STREAM, SOCK_DGRAM}) {
    errno = 0;
    EXPECT_EQ(l().socket(AF_INET, type, 0), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT);
  }
}

TEST_P(Ipv6OnlySockets, TcpOverTheIpv6Loopback) {
  const int server = l().socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(server, 0) << std::strerror(errno);
  const sockaddr_in6 at = loopback6(7000);
  ASSERT_EQ(l().bind(server, sa6(at), sizeof at), 0) << std::strerror(errno);
  ASSERT_EQ(l().listen(server, 2), 0) << std::strerror(errno);
  const int client = l().socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  ASSERT_EQ(l().connect(client, sa6(at), sizeof at), 0) << std::strerror(errno);
  sockaddr_in6 peer{};
  socklen_t peer_len = sizeof peer;
  const int accepted = l().accept(server, sa6(peer), &peer_len);
  ASSERT_GE(accepted, 0) << std::strerror(errno);
  EXPECT_EQ(peer.sin6_family, AF_INET6);
  EXPECT_EQ(std::memcmp(&peer.sin6_addr, &in6addr_loopback, sizeof peer.sin6_addr), 0);

  const std::string request = "over IPv6 only";
  ASSERT_EQ(l().send(client, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::array<char, 64> got{};
  ASSERT_EQ(l().recv(accepted, got.data(), request.size(), MSG_WAITALL), static_cast<ssize_t>(request.size()));
  EXPECT_EQ(std::string(got.data(), request.size()), request);
  ASSERT_EQ(l().send(accepted, got.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::array<char, 64> back{};
  ASSERT_EQ(l().recv(client, back.data(), request.size(), MSG_WAITALL), static_cast<ssize_t>(request.size()));
  EXPECT_EQ(std::string(back.data(), request.size()), request);

  EXPECT_EQ(l().close(client), 0);
  std::array<char, 8> end{};
  EXPECT_EQ(l().recv(accepted, end.data(), end.size(), 0), 0);  // the client's FIN
  EXPECT_EQ(l().close(accepted), 0);
  EXPECT_EQ(l().close(server), 0);
}

TEST_P(Ipv6OnlySockets, UdpOverTheIpv6Loopback) {
  const int receiver = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_GE(receiver, 0) << std::strerror(errno);
  const sockaddr_in6 at = loopback6(7001);
  ASSERT_EQ(l().bind(receiver, sa6(at), sizeof at), 0) << std::strerror(errno);
  const int sender = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_GE(sender, 0);
  const std::string datagram = "one datagram";
  ASSERT_EQ(l().sendto(sender, datagram.data(), datagram.size(), 0, sa6(at), sizeof at),
            static_cast<ssize_t>(datagram.size()))
      << std::strerror(errno);
  std::array<char, 64> got{};
  sockaddr_in6 from{};
  socklen_t from_len = sizeof from;
  ASSERT_EQ(l().recvfrom(receiver, got.data(), got.size(), 0, sa6(from), &from_len),
            static_cast<ssize_t>(datagram.size()));
  EXPECT_EQ(std::string(got.data(), datagram.size()), datagram);
  EXPECT_EQ(from.sin6_family, AF_INET6);
  EXPECT_EQ(std::memcmp(&from.sin6_addr, &in6addr_loopback, sizeof from.sin6_addr), 0);
  EXPECT_EQ(l().close(sender), 0);
  EXPECT_EQ(l().close(receiver), 0);
}

}  // namespace
}  // namespace lwnet::test
