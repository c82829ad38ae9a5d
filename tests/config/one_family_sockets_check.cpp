// The BSD sockets over a one-family core (issue 10): the api layer and the
// OS glue built IPv6-only (CONFIG_LWIP_IPV4=0) or IPv4-only
// (CONFIG_LWIP_IPV6=0) with that core (tests/config/CMakeLists.txt) serve
// TCP and UDP over the family's loopback address (::1 or 127.0.0.1) in both
// ways into the core, and the other family is no family at all
// (EAFNOSUPPORT, as Linux says for a family its kernel was built without).
#include "api/socket_fixture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "config/options.h"

namespace lwnet::test::one_family_sockets_check {
namespace {

using namespace sockets;

static_assert(config::ipv4 != config::ipv6, "this check runs in a one-family build");
constexpr int present_family = config::ipv4 ? AF_INET : AF_INET6;
constexpr int absent_family = config::ipv4 ? AF_INET6 : AF_INET;

// The family's loopback address and `port`, with its length.
struct Loopback {
  sockaddr_storage storage{};
  socklen_t length = 0;
  explicit Loopback(std::uint16_t port) {
    if constexpr (config::ipv4) {
      sockaddr_in& a = *reinterpret_cast<sockaddr_in*>(&storage);
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof a;
    } else {
      sockaddr_in6& a = *reinterpret_cast<sockaddr_in6*>(&storage);
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      a.sin6_addr = in6addr_loopback;
      length = sizeof a;
    }
  }
  const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// True when `a` is the family's loopback address.
bool is_loopback(const sockaddr_storage& a) {
  if (a.ss_family != present_family) return false;
  if constexpr (config::ipv4) {
    return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  } else {
    const in6_addr& address = reinterpret_cast<const sockaddr_in6&>(a).sin6_addr;
    return std::memcmp(&address, &in6addr_loopback, sizeof address) == 0;
  }
}

class OneFamilySockets : public SocketLayerFixture<bool> {
 protected:
  OneFamilySockets() : SocketLayerFixture(GetParam(), 23) {}
  void SetUp() override { start_layer(); }
};

INSTANTIATE_TEST_SUITE_P(Modes, OneFamilySockets, ::testing::Values(false, true),
                         [](const auto& test_info) { return std::string(test_info.param ? "CoreLocking" : "MessagePassing"); });

TEST_P(OneFamilySockets, TheOtherFamilyIsNoFamily) {
  for (const int type : {SOCK_STREAM, SOCK_DGRAM}) {
    errno = 0;
    EXPECT_EQ(l().socket(absent_family, type, 0), -1);
    EXPECT_EQ(errno, EAFNOSUPPORT);
  }
}

TEST_P(OneFamilySockets, TcpOverTheLoopback) {
  const int server = l().socket(present_family, SOCK_STREAM, 0);
  ASSERT_GE(server, 0) << std::strerror(errno);
  const Loopback at(7000);
  ASSERT_EQ(l().bind(server, at.address(), at.length), 0) << std::strerror(errno);
  ASSERT_EQ(l().listen(server, 2), 0) << std::strerror(errno);
  const int client = l().socket(present_family, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  ASSERT_EQ(l().connect(client, at.address(), at.length), 0) << std::strerror(errno);
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof peer;
  const int accepted = l().accept(server, reinterpret_cast<sockaddr*>(&peer), &peer_len);
  ASSERT_GE(accepted, 0) << std::strerror(errno);
  EXPECT_TRUE(is_loopback(peer));

  const std::string request = "over one family";
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

TEST_P(OneFamilySockets, UdpOverTheLoopback) {
  const int receiver = l().socket(present_family, SOCK_DGRAM, 0);
  ASSERT_GE(receiver, 0) << std::strerror(errno);
  const Loopback at(7001);
  ASSERT_EQ(l().bind(receiver, at.address(), at.length), 0) << std::strerror(errno);
  const int sender = l().socket(present_family, SOCK_DGRAM, 0);
  ASSERT_GE(sender, 0);
  const std::string datagram = "one datagram";
  ASSERT_EQ(l().sendto(sender, datagram.data(), datagram.size(), 0, at.address(), at.length),
            static_cast<ssize_t>(datagram.size()))
      << std::strerror(errno);
  std::array<char, 64> got{};
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  ASSERT_EQ(l().recvfrom(receiver, got.data(), got.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len),
            static_cast<ssize_t>(datagram.size()));
  EXPECT_EQ(std::string(got.data(), datagram.size()), datagram);
  EXPECT_TRUE(is_loopback(from));
  EXPECT_EQ(l().close(sender), 0);
  EXPECT_EQ(l().close(receiver), 0);
}

}  // namespace
}  // namespace lwnet::test::one_family_sockets_check
