// AF_INET6 sockets over the stack's loopback netif (::1 and 127.0.0.1), in
// every way into the core: TCP and UDP with sockaddr_in6 in every call,
// IPv4-mapped addresses (a dual-stack socket serving and reaching IPv4
// peers), IPV6_V6ONLY (refusing IPv4, EINVAL after bind), Linux's
// EADDRINUSE rules for :: against 0.0.0.0, the address errors, the
// IPv6-level options, ICMPv6 port unreachable as ECONNREFUSED, and
// datagrams over the MTU through fragmentation.
#include "socket_fixture.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <gtest/gtest.h>

#include <vector>

#include "api/socket_internal.h"
#include "config/options.h"

namespace lwnet::test::socket_ipv6_test {
namespace {

using namespace sockets;

sockaddr_in6 address6(const char* text, std::uint16_t port, std::uint32_t scope = 0) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  a.sin6_scope_id = scope;
  EXPECT_EQ(::inet_pton(AF_INET6, text, &a.sin6_addr), 1) << text;
  return a;
}
const sockaddr* sa6(const sockaddr_in6& a) { return reinterpret_cast<const sockaddr*>(&a); }
sockaddr* sa6(sockaddr_in6& a) { return reinterpret_cast<sockaddr*>(&a); }
constexpr socklen_t in6_len = sizeof(sockaddr_in6);

std::string text_of(const sockaddr_in6& a) {
  std::array<char, INET6_ADDRSTRLEN> out{};
  ::inet_ntop(AF_INET6, &a.sin6_addr, out.data(), out.size());
  return out.data();
}

class SocketIpv6Test : public SocketLayerFixture<Mode> {
 protected:
  SocketIpv6Test() : SocketLayerFixture(GetParam().core_locking, 11, GetParam().spin) {}
  void SetUp() override { start_layer(); }

  int set_int(int s, int level, int name, int value) {
    return l().setsockopt(s, level, name, &value, sizeof value);
  }
  int get_int(int s, int level, int name) {
    int value = -7;
    socklen_t len = sizeof value;
    EXPECT_EQ(l().getsockopt(s, level, name, &value, &len), 0) << std::strerror(errno);
    return value;
  }
  // An AF_INET6 TCP listener on `text`:port (IPV6_V6ONLY as given).
  int listener6(const char* text, std::uint16_t port, bool v6only = false) {
    const int s = l().socket(AF_INET6, SOCK_STREAM, 0);
    EXPECT_GE(s, 0);
    EXPECT_EQ(set_int(s, IPPROTO_IPV6, IPV6_V6ONLY, v6only ? 1 : 0), 0);
    const sockaddr_in6 a = address6(text, port);
    EXPECT_EQ(l().bind(s, sa6(a), in6_len), 0) << std::strerror(errno);
    EXPECT_EQ(l().listen(s, 4), 0);
    return s;
  }
  // A datagram that arrives within a second, or nothing.
  ssize_t receive_within(int s, std::array<char, 64>& buffer, sockaddr* from, socklen_t* from_len) {
    pollfd readable{s, POLLIN, 0};
    if (l().poll(&readable, 1, 1000) != 1) return -1;
    return l().recvfrom(s, buffer.data(), buffer.size(), 0, from, from_len);
  }
};

INSTANTIATE_TEST_SUITE_P(Modes, SocketIpv6Test,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}, spinning_mode),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(SocketIpv6Test, TcpOverIpv6LoopbackWithSockaddrIn6Everywhere) {
  const int server = listener6("::1", 6000);
  const int c = l().socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(c, 0);
  const sockaddr_in6 to = address6("::1", 6000);
  ASSERT_EQ(l().connect(c, sa6(to), in6_len), 0) << std::strerror(errno);
  sockaddr_in6 peer{};
  socklen_t len = in6_len;
  const int a = l().accept(server, sa6(peer), &len);
  ASSERT_GE(a, 0) << std::strerror(errno);
  EXPECT_EQ(len, in6_len);
  EXPECT_EQ(peer.sin6_family, AF_INET6);
  EXPECT_EQ(text_of(peer), "::1");
  sockaddr_in6 client_name{};
  len = in6_len;
  ASSERT_EQ(l().getsockname(c, sa6(client_name), &len), 0);
  EXPECT_EQ(len, in6_len);
  EXPECT_EQ(client_name.sin6_port, peer.sin6_port);
  EXPECT_EQ(text_of(client_name), "::1");
  sockaddr_in6 server_name{};
  len = in6_len;
  ASSERT_EQ(l().getpeername(c, sa6(server_name), &len), 0);
  EXPECT_EQ(ntohs(server_name.sin6_port), 6000);
  EXPECT_EQ(text_of(server_name), "::1");
  len = in6_len;
  ASSERT_EQ(l().getsockname(server, sa6(server_name), &len), 0);
  EXPECT_EQ(server_name.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(server_name.sin6_port), 6000);

  ASSERT_EQ(l().send(c, "ping6", 5, 0), 5);
  std::array<char, 16> buffer{};
  ASSERT_EQ(l().recv(a, buffer.data(), 5, MSG_WAITALL), 5);
  EXPECT_EQ(std::string(buffer.data(), 5), "ping6");
  ASSERT_EQ(l().send(a, "pong6", 5, 0), 5);
  ASSERT_EQ(l().recv(c, buffer.data(), 5, MSG_WAITALL), 5);
  EXPECT_EQ(std::string(buffer.data(), 5), "pong6");
  EXPECT_EQ(l().close(c), 0);
  EXPECT_EQ(l().close(a), 0);
  EXPECT_EQ(l().close(server), 0);
}

TEST_P(SocketIpv6Test, DualStackListenerServesAnIpv4ClientThroughAMappedAddress) {
  const int server = listener6("::", 6001);
  EXPECT_EQ(get_int(server, IPPROTO_IPV6, IPV6_V6ONLY), 0);
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in to = loopback(6001);
  ASSERT_EQ(l().connect(c, sa(to), in_len), 0) << std::strerror(errno);
  sockaddr_in6 peer{};
  socklen_t len = in6_len;
  const int a = l().accept(server, sa6(peer), &len);
  ASSERT_GE(a, 0);
  EXPECT_EQ(len, in6_len);
  EXPECT_EQ(text_of(peer), "::ffff:127.0.0.1");
  sockaddr_in client_name{};
  socklen_t client_len = in_len;
  ASSERT_EQ(l().getsockname(c, sa(client_name), &client_len), 0);
  EXPECT_EQ(peer.sin6_port, client_name.sin_port);
  sockaddr_in6 local{};
  len = in6_len;
  ASSERT_EQ(l().getsockname(a, sa6(local), &len), 0);
  EXPECT_EQ(text_of(local), "::ffff:127.0.0.1");
  EXPECT_EQ(ntohs(local.sin6_port), 6001);
  len = in6_len;
  ASSERT_EQ(l().getpeername(a, sa6(peer), &len), 0);
  EXPECT_EQ(text_of(peer), "::ffff:127.0.0.1");

  ASSERT_EQ(l().send(c, "four", 4, 0), 4);
  std::array<char, 16> buffer{};
  ASSERT_EQ(l().recv(a, buffer.data(), 4, MSG_WAITALL), 4);
  EXPECT_EQ(std::string(buffer.data(), 4), "four");
  ASSERT_EQ(l().send(a, "six", 3, 0), 3);
  ASSERT_EQ(l().recv(c, buffer.data(), 3, MSG_WAITALL), 3);
  EXPECT_EQ(std::string(buffer.data(), 3), "six");
  EXPECT_EQ(l().close(c), 0);
  EXPECT_EQ(l().close(a), 0);
  EXPECT_EQ(l().close(server), 0);
}

TEST_P(SocketIpv6Test, V6OnlyListenerRefusesAnIpv4Client) {
  const int server = listener6("::", 6002, true);
  EXPECT_EQ(get_int(server, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in to = loopback(6002);
  EXPECT_EQ(l().connect(c, sa(to), in_len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(l().close(c), 0);
  // IPv6 clients still get in.
  const int c6 = l().socket(AF_INET6, SOCK_STREAM, 0);
  const sockaddr_in6 to6 = address6("::1", 6002);
  EXPECT_EQ(l().connect(c6, sa6(to6), in6_len), 0) << std::strerror(errno);
  const int a = l().accept(server, nullptr, nullptr);
  EXPECT_GE(a, 0);
  EXPECT_EQ(l().close(a), 0);
  EXPECT_EQ(l().close(c6), 0);
  EXPECT_EQ(l().close(server), 0);
}

TEST_P(SocketIpv6Test, Ipv6SocketConnectsToAnIpv4ListenerThroughAMappedAddress) {
  const int server = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in here = loopback(6003);
  ASSERT_EQ(l().bind(server, sa(here), in_len), 0);
  ASSERT_EQ(l().listen(server, 2), 0);
  const int c = l().socket(AF_INET6, SOCK_STREAM, 0);
  const sockaddr_in6 mapped = address6("::ffff:127.0.0.1", 6003);
  ASSERT_EQ(l().connect(c, sa6(mapped), in6_len), 0) << std::strerror(errno);
  sockaddr_in peer4{};
  socklen_t len4 = in_len;
  const int a = l().accept(server, sa(peer4), &len4);
  ASSERT_GE(a, 0);
  EXPECT_EQ(ntohl(peer4.sin_addr.s_addr), INADDR_LOOPBACK);  // plain IPv4 on the IPv4 side
  sockaddr_in6 name{};
  socklen_t len = in6_len;
  ASSERT_EQ(l().getsockname(c, sa6(name), &len), 0);
  EXPECT_EQ(text_of(name), "::ffff:127.0.0.1");
  EXPECT_EQ(name.sin6_port, peer4.sin_port);
  len = in6_len;
  ASSERT_EQ(l().getpeername(c, sa6(name), &len), 0);
  EXPECT_EQ(text_of(name), "::ffff:127.0.0.1");
  EXPECT_EQ(ntohs(name.sin6_port), 6003);
  ASSERT_EQ(l().send(c, "m", 1, 0), 1);
  char byte = 0;
  ASSERT_EQ(l().recv(a, &byte, 1, 0), 1);
  EXPECT_EQ(byte, 'm');
  EXPECT_EQ(l().close(a), 0);
  EXPECT_EQ(l().close(c), 0);

  // With IPV6_V6ONLY a mapped address is out of reach (Linux: ENETUNREACH).
  const int only6 = l().socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_EQ(set_int(only6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ(l().connect(only6, sa6(mapped), in6_len), -1);
  EXPECT_EQ(errno, ENETUNREACH);
  EXPECT_EQ(l().close(only6), 0);
  EXPECT_EQ(l().close(server), 0);
}

TEST_P(SocketIpv6Test, BindingToAMappedAddressIsAnIpv4Binding) {
  // [::ffff:127.0.0.1]:6004 collides with an IPv4 binding of the port.
  const int v4 = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in here = loopback(6004);
  ASSERT_EQ(l().bind(v4, sa(here), in_len), 0);
  const int v6 = l().socket(AF_INET6, SOCK_STREAM, 0);
  const sockaddr_in6 mapped = address6("::ffff:127.0.0.1", 6004);
  EXPECT_EQ(l().bind(v6, sa6(mapped), in6_len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(l().close(v4), 0);
  // Free again: it binds, listens, and takes IPv4 clients.
  ASSERT_EQ(l().bind(v6, sa6(mapped), in6_len), 0) << std::strerror(errno);
  ASSERT_EQ(l().listen(v6, 2), 0);
  sockaddr_in6 name{};
  socklen_t len = in6_len;
  ASSERT_EQ(l().getsockname(v6, sa6(name), &len), 0);
  EXPECT_EQ(text_of(name), "::ffff:127.0.0.1");
  const int c = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(l().connect(c, sa(here), in_len), 0) << std::strerror(errno);
  const int a = l().accept(v6, sa6(name), &len);
  ASSERT_GE(a, 0);
  EXPECT_EQ(text_of(name), "::ffff:127.0.0.1");
  EXPECT_EQ(l().close(a), 0);
  EXPECT_EQ(l().close(c), 0);
  EXPECT_EQ(l().close(v6), 0);
  // With IPV6_V6ONLY a mapped address cannot be bound.
  const int only6 = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_EQ(set_int(only6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ(l().bind(only6, sa6(mapped), in6_len), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  EXPECT_EQ(l().close(only6), 0);
}

// Linux's rules: :: without IPV6_V6ONLY overlaps 0.0.0.0 on the same port
// (either way round); with it, both bind. TCP and UDP alike.
TEST_P(SocketIpv6Test, WildcardBindingsOfBothFamiliesOverlapUnlessV6Only) {
  for (const int type : {SOCK_STREAM, SOCK_DGRAM}) {
    SCOPED_TRACE(type == SOCK_STREAM ? "TCP" : "UDP");
    const sockaddr_in any4 = address(INADDR_ANY, 6005);
    const sockaddr_in6 any6 = address6("::", 6005);
    const int v4 = l().socket(AF_INET, type, 0);
    ASSERT_EQ(l().bind(v4, sa(any4), in_len), 0);
    const int dual = l().socket(AF_INET6, type, 0);
    EXPECT_EQ(l().bind(dual, sa6(any6), in6_len), -1);
    EXPECT_EQ(errno, EADDRINUSE);
    const int only6 = l().socket(AF_INET6, type, 0);
    ASSERT_EQ(set_int(only6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
    EXPECT_EQ(l().bind(only6, sa6(any6), in6_len), 0) << std::strerror(errno);
    EXPECT_EQ(l().close(only6), 0);
    EXPECT_EQ(l().close(v4), 0);
    // The other way round: :: first, then 0.0.0.0.
    ASSERT_EQ(l().bind(dual, sa6(any6), in6_len), 0) << std::strerror(errno);
    const int second4 = l().socket(AF_INET, type, 0);
    EXPECT_EQ(l().bind(second4, sa(any4), in_len), -1);
    EXPECT_EQ(errno, EADDRINUSE);
    // And two IPv6 wildcards clash whatever their IPV6_V6ONLY.
    const int second6 = l().socket(AF_INET6, type, 0);
    ASSERT_EQ(set_int(second6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
    EXPECT_EQ(l().bind(second6, sa6(any6), in6_len), -1);
    EXPECT_EQ(errno, EADDRINUSE);
    EXPECT_EQ(l().close(second6), 0);
    EXPECT_EQ(l().close(second4), 0);
    EXPECT_EQ(l().close(dual), 0);
  }
}

TEST_P(SocketIpv6Test, AddressArgumentsGetLinuxsErrors) {
  const int tcp6 = l().socket(AF_INET6, SOCK_STREAM, 0);
  const int udp6 = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const int tcp4 = l().socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(tcp6, 0);
  ASSERT_GE(udp6, 0);
  const sockaddr_in four = loopback(6006);
  sockaddr_in6 six = address6("::1", 6006);
  // A sockaddr_in is too short for an AF_INET6 socket...
  EXPECT_EQ(l().bind(tcp6, sa(four), in_len), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(l().connect(tcp6, sa(four), in_len), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(l().bind(udp6, sa6(six), 20), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(l().bind(udp6, nullptr, in6_len), -1);
  EXPECT_EQ(errno, EFAULT);  // no memory under the length (conformance.sh has the kernel's)
  // ... a long enough one of another family is EAFNOSUPPORT, both ways.
  six.sin6_family = AF_INET;
  EXPECT_EQ(l().bind(tcp6, sa6(six), in6_len), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  six.sin6_family = AF_INET6;
  EXPECT_EQ(l().bind(tcp4, sa6(six), in6_len), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  EXPECT_EQ(l().connect(tcp4, sa6(six), in6_len), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  // The RFC 2133 length (no scope id) is enough.
  const sockaddr_in6 any6 = address6("::", 0);
  EXPECT_EQ(l().bind(udp6, sa6(any6), 24), 0) << std::strerror(errno);
  // An unbound AF_INET6 socket is [::]:0.
  sockaddr_in6 name{};
  socklen_t len = in6_len;
  ASSERT_EQ(l().getsockname(tcp6, sa6(name), &len), 0);
  EXPECT_EQ(len, in6_len);
  EXPECT_EQ(name.sin6_family, AF_INET6);
  EXPECT_EQ(text_of(name), "::");
  EXPECT_EQ(name.sin6_port, 0);
  // A raw socket of AF_INET6 takes ICMPv6 only.
  EXPECT_EQ(l().socket(AF_INET6, SOCK_RAW, IPPROTO_ICMP), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
  EXPECT_EQ(l().socket(AF_PACKET, SOCK_DGRAM, 0), -1);
  EXPECT_EQ(errno, EAFNOSUPPORT);
  EXPECT_EQ(l().close(tcp6), 0);
  EXPECT_EQ(l().close(udp6), 0);
  EXPECT_EQ(l().close(tcp4), 0);
}

TEST_P(SocketIpv6Test, UdpOverIpv6WithSendtoRecvfromAndMessageNames) {
  const int server = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const sockaddr_in6 here = address6("::1", 6007);
  ASSERT_EQ(l().bind(server, sa6(here), in6_len), 0);
  const int client = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_EQ(l().sendto(client, "hello6", 6, 0, sa6(here), in6_len), 6) << std::strerror(errno);
  std::array<char, 64> buffer{};
  sockaddr_in6 from{};
  socklen_t from_len = in6_len;
  ASSERT_EQ(receive_within(server, buffer, sa6(from), &from_len), 6);
  EXPECT_EQ(std::string(buffer.data(), 6), "hello6");
  EXPECT_EQ(from_len, in6_len);
  EXPECT_EQ(text_of(from), "::1");
  sockaddr_in6 client_name{};
  socklen_t len = in6_len;
  ASSERT_EQ(l().getsockname(client, sa6(client_name), &len), 0);
  EXPECT_EQ(from.sin6_port, client_name.sin6_port);
  EXPECT_NE(client_name.sin6_port, 0);
  // The answer through sendmsg to the msg_name; recvmsg fills it.
  iovec out{const_cast<char*>("reply"), 5};
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = from_len;
  message.msg_iov = &out;
  message.msg_iovlen = 1;
  ASSERT_EQ(l().sendmsg(server, &message, 0), 5) << std::strerror(errno);
  pollfd readable{client, POLLIN, 0};
  ASSERT_EQ(l().poll(&readable, 1, 1000), 1);
  sockaddr_in6 source{};
  iovec in{buffer.data(), buffer.size()};
  msghdr received{};
  received.msg_name = &source;
  received.msg_namelen = in6_len;
  received.msg_iov = &in;
  received.msg_iovlen = 1;
  ASSERT_EQ(l().recvmsg(client, &received, 0), 5);
  EXPECT_EQ(std::string(buffer.data(), 5), "reply");
  EXPECT_EQ(received.msg_namelen, in6_len);
  EXPECT_EQ(text_of(source), "::1");
  EXPECT_EQ(ntohs(source.sin6_port), 6007);
  // connect() with a sockaddr_in6, then send() and getpeername().
  ASSERT_EQ(l().connect(client, sa6(here), in6_len), 0);
  sockaddr_in6 peer{};
  len = in6_len;
  ASSERT_EQ(l().getpeername(client, sa6(peer), &len), 0);
  EXPECT_EQ(text_of(peer), "::1");
  ASSERT_EQ(l().send(client, "again", 5, 0), 5);
  ASSERT_EQ(receive_within(server, buffer, nullptr, nullptr), 5);
  EXPECT_EQ(l().close(client), 0);
  EXPECT_EQ(l().close(server), 0);
}

TEST_P(SocketIpv6Test, ConnectedUdp6SocketGetsEconnrefusedFromPortUnreachable) {
  const int c = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_GE(c, 0);
  const timeval timeout{2, 0};
  ASSERT_EQ(l().setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), 0);
  const sockaddr_in6 closed = address6("::1", 6013);
  ASSERT_EQ(l().connect(c, sa6(closed), in6_len), 0);
  ASSERT_EQ(l().send(c, "anyone?", 7, 0), 7);
  std::array<char, 32> buffer{};
  // The stack answers with ICMPv6 port unreachable; the next recv reports it.
  EXPECT_EQ(l().recv(c, buffer.data(), buffer.size(), 0), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(l().recv(c, buffer.data(), buffer.size(), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  // An unconnected socket hears nothing of it (Linux).
  const int u = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_EQ(l().sendto(u, "x", 1, 0, sa6(closed), in6_len), 1);
  EXPECT_EQ(l().recv(u, buffer.data(), buffer.size(), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(l().close(u), 0);
  EXPECT_EQ(l().close(c), 0);
}

#if CONFIG_LWIP_IP6_FRAG && CONFIG_LWIP_IP6_REASSEMBLY
TEST_P(SocketIpv6Test, Udp6DatagramLargerThanTheMtuArrivesWholeThroughFragments) {
  const int server = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const sockaddr_in6 here = address6("::1", 6014);
  ASSERT_EQ(l().bind(server, sa6(here), in6_len), 0);
  const int client = l().socket(AF_INET6, SOCK_DGRAM, 0);
  std::vector<char> data(3000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 % 251);
  ASSERT_EQ(l().sendto(client, data.data(), data.size(), 0, sa6(here), in6_len), 3000) << std::strerror(errno);
  pollfd readable{server, POLLIN, 0};
  ASSERT_EQ(l().poll(&readable, 1, 1000), 1);
  std::vector<char> got(4000);
  ASSERT_EQ(l().recv(server, got.data(), got.size(), 0), 3000);
  got.resize(3000);
  EXPECT_EQ(got, data);
  EXPECT_EQ(l().close(client), 0);
  EXPECT_EQ(l().close(server), 0);
}
#endif

TEST_P(SocketIpv6Test, DualStackUdpSocketTalksToIpv4PeersThroughMappedAddresses) {
  const int dual = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const sockaddr_in6 any6 = address6("::", 6008);
  ASSERT_EQ(l().bind(dual, sa6(any6), in6_len), 0);
  const int v4 = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = loopback(6008);
  ASSERT_EQ(l().sendto(v4, "v4", 2, 0, sa(to), in_len), 2);
  std::array<char, 64> buffer{};
  sockaddr_in6 from{};
  socklen_t from_len = in6_len;
  ASSERT_EQ(receive_within(dual, buffer, sa6(from), &from_len), 2);
  EXPECT_EQ(text_of(from), "::ffff:127.0.0.1");
  // Back to the mapped address: over IPv4 to the AF_INET socket.
  ASSERT_EQ(l().sendto(dual, "back", 4, 0, sa6(from), from_len), 4) << std::strerror(errno);
  sockaddr_in from4{};
  socklen_t from4_len = in_len;
  ASSERT_EQ(receive_within(v4, buffer, sa(from4), &from4_len), 4);
  EXPECT_EQ(std::string(buffer.data(), 4), "back");
  EXPECT_EQ(ntohs(from4.sin_port), 6008);
  EXPECT_EQ(ntohl(from4.sin_addr.s_addr), INADDR_LOOPBACK);
  // Linux also takes a sockaddr_in on an AF_INET6 datagram socket.
  sockaddr_in v4_name{};
  socklen_t v4_len = in_len;
  ASSERT_EQ(l().getsockname(v4, sa(v4_name), &v4_len), 0);
  v4_name.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(l().sendto(dual, "plain", 5, 0, sa(v4_name), in_len), 5) << std::strerror(errno);
  ASSERT_EQ(receive_within(v4, buffer, nullptr, nullptr), 5);
  EXPECT_EQ(l().close(v4), 0);
  EXPECT_EQ(l().close(dual), 0);
}

TEST_P(SocketIpv6Test, UnboundDualStackUdpSocketStaysDualStackAfterSendingToIpv4) {
  const int v4 = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in v4_here = loopback(6009);
  ASSERT_EQ(l().bind(v4, sa(v4_here), in_len), 0);
  const int v6 = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const sockaddr_in6 v6_here = address6("::1", 6010);
  ASSERT_EQ(l().bind(v6, sa6(v6_here), in6_len), 0);
  const int client = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const sockaddr_in6 mapped = address6("::ffff:127.0.0.1", 6009);
  ASSERT_EQ(l().sendto(client, "a", 1, 0, sa6(mapped), in6_len), 1) << std::strerror(errno);
  ASSERT_EQ(l().sendto(client, "b", 1, 0, sa6(v6_here), in6_len), 1) << std::strerror(errno);
  std::array<char, 64> buffer{};
  EXPECT_EQ(receive_within(v4, buffer, nullptr, nullptr), 1);
  EXPECT_EQ(receive_within(v6, buffer, nullptr, nullptr), 1);
  sockaddr_in6 name{};
  socklen_t len = in6_len;
  ASSERT_EQ(l().getsockname(client, sa6(name), &len), 0);
  EXPECT_EQ(text_of(name), "::");
  EXPECT_NE(name.sin6_port, 0);
  EXPECT_EQ(l().close(client), 0);
  EXPECT_EQ(l().close(v6), 0);
  EXPECT_EQ(l().close(v4), 0);
}

TEST_P(SocketIpv6Test, V6OnlyUdpSocketGetsNoIpv4AndCannotSendToMappedAddresses) {
  const int only6 = l().socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_EQ(set_int(only6, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ(get_int(only6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  const sockaddr_in6 any6 = address6("::", 6011);
  ASSERT_EQ(l().bind(only6, sa6(any6), in6_len), 0);
  // Bound: IPV6_V6ONLY can no longer change (Linux: EINVAL).
  EXPECT_EQ(set_int(only6, IPPROTO_IPV6, IPV6_V6ONLY, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  const int v4 = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = loopback(6011);
  ASSERT_EQ(l().sendto(v4, "lost", 4, 0, sa(to), in_len), 4);
  const int v6 = l().socket(AF_INET6, SOCK_DGRAM, 0);
  const sockaddr_in6 to6 = address6("::1", 6011);
  ASSERT_EQ(l().sendto(v6, "kept", 4, 0, sa6(to6), in6_len), 4);
  std::array<char, 64> buffer{};
  // Only the IPv6 datagram arrives (the IPv4 one, sent first, is not queued).
  ASSERT_EQ(receive_within(only6, buffer, nullptr, nullptr), 4);
  EXPECT_EQ(std::string(buffer.data(), 4), "kept");
  EXPECT_EQ(l().recv(only6, buffer.data(), buffer.size(), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  const sockaddr_in6 mapped = address6("::ffff:127.0.0.1", 6011);
  EXPECT_EQ(l().sendto(only6, "x", 1, 0, sa6(mapped), in6_len), -1);
  EXPECT_EQ(errno, ENETUNREACH);
  EXPECT_EQ(l().connect(only6, sa6(mapped), in6_len), -1);
  EXPECT_EQ(errno, ENETUNREACH);
  EXPECT_EQ(l().close(v6), 0);
  EXPECT_EQ(l().close(v4), 0);
  EXPECT_EQ(l().close(only6), 0);
}

TEST_P(SocketIpv6Test, Ipv6LevelOptionsAndIpv4OnesOnAnIpv6Socket) {
  for (const int type : {SOCK_STREAM, SOCK_DGRAM}) {
    SCOPED_TRACE(type == SOCK_STREAM ? "TCP" : "UDP");
    const int s = l().socket(AF_INET6, type, 0);
    EXPECT_EQ(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    EXPECT_EQ(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9), 0);
    EXPECT_EQ(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 9);
    EXPECT_EQ(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1), 0);
    EXPECT_EQ(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
    EXPECT_EQ(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 256), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(set_int(s, IPPROTO_IPV6, IPV6_TCLASS, 0xb8), 0);
    EXPECT_EQ(get_int(s, IPPROTO_IPV6, IPV6_TCLASS), 0xb8);
    // IPv4's TTL and TOS are IPV6_UNICAST_HOPS and IPV6_TCLASS here.
    EXPECT_EQ(set_int(s, IPPROTO_IP, IP_TTL, 5), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    int v = 0;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(s, IPPROTO_IP, IP_TOS, &v, &len), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    EXPECT_EQ(set_int(s, IPPROTO_IPV6, 9999, 1), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    EXPECT_EQ(get_int(s, SOL_SOCKET, SO_TYPE), type);
    EXPECT_EQ(l().close(s), 0);
    // No IPv6 level on an AF_INET socket.
    const int s4 = l().socket(AF_INET, type, 0);
    EXPECT_EQ(set_int(s4, IPPROTO_IPV6, IPV6_V6ONLY, 1), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    EXPECT_EQ(l().close(s4), 0);
  }
  // A TCP socket bound already keeps its IPV6_V6ONLY.
  const int t = l().socket(AF_INET6, SOCK_STREAM, 0);
  const sockaddr_in6 any6 = address6("::", 6012);
  ASSERT_EQ(l().bind(t, sa6(any6), in6_len), 0);
  EXPECT_EQ(set_int(t, IPPROTO_IPV6, IPV6_V6ONLY, 1), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(get_int(t, IPPROTO_IPV6, IPV6_V6ONLY), 0);
  EXPECT_EQ(l().close(t), 0);
}

// RFC 3542 raw ICMPv6: the stack fills the checksum of what is sent, and
// every accepted ICMPv6 message comes back from its ICMPv6 header on (here
// the echo request to ::1 and the stack's reply), filtered by ICMP6_FILTER.
TEST_P(SocketIpv6Test, RawIcmpv6SocketPingsLoopbackWithFilterAndChecksumRules) {
  const int r = l().socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  ASSERT_GE(r, 0) << std::strerror(errno);
  EXPECT_EQ(get_int(r, IPPROTO_IPV6, IPV6_CHECKSUM), 2);
  EXPECT_EQ(set_int(r, IPPROTO_IPV6, IPV6_CHECKSUM, 4), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(set_int(r, IPPROTO_IPV6, IPV6_CHECKSUM, -1), -1);
  EXPECT_EQ(errno, EINVAL);
  const sockaddr_in6 to = address6("::1", 0);
  // Echo request: type 128, code 0, checksum left 0 for the stack, id, seq, data.
  const std::array<std::uint8_t, 12> request{128, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g'};
  ASSERT_EQ(l().sendto(r, request.data(), request.size(), 0, sa6(to), in6_len), 12) << std::strerror(errno);
  std::array<char, 64> buffer{};
  sockaddr_in6 from{};
  socklen_t from_len = in6_len;
  ASSERT_EQ(receive_within(r, buffer, sa6(from), &from_len), 12);
  EXPECT_EQ(static_cast<std::uint8_t>(buffer[0]), 128);  // our request, no IPv6 header before it
  EXPECT_EQ(text_of(from), "::1");
  EXPECT_EQ(from_len, in6_len);
  EXPECT_TRUE(buffer[2] != 0 || buffer[3] != 0);  // the checksum the stack computed
  from_len = in6_len;
  ASSERT_EQ(receive_within(r, buffer, sa6(from), &from_len), 12);
  EXPECT_EQ(static_cast<std::uint8_t>(buffer[0]), 129);  // the stack's echo reply
  EXPECT_EQ(std::string(buffer.data() + 8, 4), "ping");
  EXPECT_EQ(buffer[4], 0x12);
  EXPECT_EQ(buffer[7], 0x01);

  // ICMP6_FILTER: only echo replies from now on.
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  ASSERT_EQ(l().setsockopt(r, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter), 0);
  icmp6_filter read_back{};
  socklen_t len = sizeof read_back;
  ASSERT_EQ(l().getsockopt(r, IPPROTO_ICMPV6, ICMP6_FILTER, &read_back, &len), 0);
  EXPECT_EQ(len, sizeof read_back);
  EXPECT_TRUE(ICMP6_FILTER_WILLPASS(ICMP6_ECHO_REPLY, &read_back));
  EXPECT_TRUE(ICMP6_FILTER_WILLBLOCK(ICMP6_ECHO_REQUEST, &read_back));
  ASSERT_EQ(l().connect(r, sa6(to), in6_len), 0);
  ASSERT_EQ(l().send(r, request.data(), request.size(), 0), 12) << std::strerror(errno);
  ASSERT_EQ(receive_within(r, buffer, nullptr, nullptr), 12);
  EXPECT_EQ(static_cast<std::uint8_t>(buffer[0]), 129);
  EXPECT_EQ(l().recv(r, buffer.data(), buffer.size(), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  // Too short to hold a checksum.
  EXPECT_EQ(l().send(r, request.data(), 3, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  // Not on the other sockets.
  const int u = l().socket(AF_INET6, SOCK_DGRAM, 0);
  EXPECT_EQ(l().setsockopt(u, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(set_int(u, IPPROTO_IPV6, IPV6_CHECKSUM, 2), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(u), 0);
  EXPECT_EQ(l().close(r), 0);
  // An AF_INET raw socket still takes ICMP only.
  EXPECT_EQ(l().socket(AF_INET, SOCK_RAW, IPPROTO_ICMPV6), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
}

// The address conversions (socket_internal.h): scope ids name the netif of
// link-local addresses and survive the round trip; other addresses drop them.
TEST(SocketAddressConversion, ScopeIdsAndMappedAddresses) {
  using namespace api::socket_detail;
  int error = 0;
  const sockaddr_in6 link_local = address6("fe80::1", 7, 3);
  auto endpoint = endpoint_from(sa6(link_local), in6_len, AF_INET6, error);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->scope_id, 3U);
  EXPECT_EQ(netif_of_index(endpoint->scope_id), (NetifId{2}));
  EXPECT_EQ(interface_index(NetifId{2}), 3U);
  EXPECT_FALSE(netif_of_index(0));
  sockaddr_in6 back{};
  socklen_t len = in6_len;
  endpoint_to(*endpoint, AF_INET6, sa6(back), &len);
  EXPECT_EQ(back.sin6_scope_id, 3U);
  EXPECT_EQ(text_of(back), "fe80::1");
  const sockaddr_in6 global = address6("2001:db8::1", 7, 3);
  endpoint = endpoint_from(sa6(global), in6_len, AF_INET6, error);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->scope_id, 0U);
  // An IPv4 endpoint on an AF_INET6 socket is shown mapped; a short buffer
  // gets what fits and the full length.
  const IpEndpoint v4{IpAddress(Ipv4Address::of(192, 0, 2, 1)), 80};
  len = in6_len;
  endpoint_to(v4, AF_INET6, sa6(back), &len);
  EXPECT_EQ(text_of(back), "::ffff:192.0.2.1");
  EXPECT_EQ(ntohs(back.sin6_port), 80);
  sockaddr_in6 small{};
  len = 8;
  endpoint_to(v4, AF_INET6, sa6(small), &len);
  EXPECT_EQ(len, in6_len);
  EXPECT_EQ(small.sin6_addr.s6_addr[15], 0);  // not written past 8 bytes
  // A sockaddr_in on an AF_INET6 datagram socket becomes the mapped address.
  const sockaddr_in four = address(0xc0000201U, 53);
  endpoint = endpoint_from(sa(four), in_len, AF_INET6, error, true);
  ASSERT_TRUE(endpoint);
  EXPECT_TRUE(endpoint->address.is_v6() && endpoint->address.v6().is_v4_mapped());
  EXPECT_FALSE(endpoint_from(sa(four), in_len, AF_INET6, error, false));
  EXPECT_EQ(error, EINVAL);
}

}  // namespace
}  // namespace lwnet::test::socket_ipv6_test
