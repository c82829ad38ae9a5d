// IPv6 multicast through the BSD socket layer, in both ways into the core,
// on a stack with an Ethernet netif over a socketpair (netif 1: interface
// index 2, link-local fe80::ff:fe00:a; the test plays the link): the
// IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP memberships with Linux's errors and
// their MLDv2 reports on the wire, datagrams to the group delivered to a
// socket bound to the group's port, IPV6_MULTICAST_HOPS / _LOOP / _IF get
// and set, the hop limit on the wire and the looped copies.
//
// lwip/sockets.h comes first: struct ipv6_mreq and the option names must
// come with it, as lwIP's do.
#define LWIP_COMPAT_SOCKETS 0
#include "lwip/sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

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
#include "wire/ipv6.h"
#include "wire/udp.h"

namespace lwnet::test::socket_multicast6_test {
namespace {

using namespace sockets;

constexpr NetifId netif{1};
constexpr unsigned int netif_index = 2;  // lwnet's netif number plus one
const Ipv6Address group = parse_ip_address("ff0e::db8:1")->v6();
const Ipv6Address other_group = parse_ip_address("ff0e::db8:2")->v6();
const Ipv6Address own_link_local = parse_ip_address("fe80::ff:fe00:a")->v6();
const Ipv6Address peer_link_local = parse_ip_address("fe80::2")->v6();
constexpr MacAddress peer_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0xee}};
// RFC 2464 7: 33:33 and the group's low 32 bits.
constexpr MacAddress group_mac{{0x33, 0x33, 0x0d, 0xb8, 0x00, 0x01}};

// MLDv2 (RFC 3810 5.2.12) record types.
constexpr std::uint8_t change_to_include = 3;
constexpr std::uint8_t change_to_exclude = 4;

// Offsets in an Ethernet + IPv6 frame.
constexpr std::size_t next_header_at = 14 + 6;
constexpr std::size_t hop_limit_at = 14 + 7;
constexpr std::size_t destination_at = 14 + 24;
// An MLD message sits behind the 8-byte hop-by-hop header of Router Alert.
constexpr std::size_t mld_at = 14 + 40 + 8;

ipv6_mreq membership(const Ipv6Address& g, unsigned int interface = 0) {
  ipv6_mreq m{};
  std::memcpy(m.ipv6mr_multiaddr.s6_addr, g.octets.data(), 16);
  m.ipv6mr_interface = interface;
  return m;
}

sockaddr_in6 address6(const Ipv6Address& a, std::uint16_t port) {
  sockaddr_in6 out{};
  out.sin6_family = AF_INET6;
  out.sin6_port = htons(port);
  std::memcpy(out.sin6_addr.s6_addr, a.octets.data(), 16);
  return out;
}
const sockaddr* sa6(const sockaddr_in6& a) { return reinterpret_cast<const sockaddr*>(&a); }
sockaddr* sa6(sockaddr_in6& a) { return reinterpret_cast<sockaddr*>(&a); }
constexpr socklen_t in6_len = sizeof(sockaddr_in6);

Ipv6Address ipv6_at(const ByteVector& frame, std::size_t offset) {
  Ipv6Address a{};
  std::copy_n(frame.begin() + static_cast<std::ptrdiff_t>(offset), 16, a.octets.begin());
  return a;
}

// A UDP datagram from the peer's link-local address to `to`, as a frame to
// the group's MAC.
ByteVector datagram_to_group(const Ipv6Address& to, std::uint16_t port, const std::string& text) {
  ByteVector udp(UdpRepr::header_len + text.size());
  std::copy(text.begin(), text.end(), udp.begin() + UdpRepr::header_len);
  UdpRepr header;
  header.source_port = 40000;
  header.destination_port = port;
  header.emit(udp, IpAddress(peer_link_local), IpAddress(to), true);
  ByteVector packet(Ipv6Repr::header_len);
  Ipv6Repr ip;
  ip.source = peer_link_local;
  ip.destination = to;
  ip.next_header = 17;
  ip.hop_limit = 1;
  ip.payload_len = udp.size();
  ip.emit(packet);
  packet.insert(packet.end(), udp.begin(), udp.end());
  const MacAddress mac{{0x33, 0x33, to.octets[12], to.octets[13], to.octets[14], to.octets[15]}};
  return ethernet_frame(mac, peer_mac, 0x86dd, packet);
}

class SocketMulticast6Test : public SocketLayerFixture<Mode> {
 protected:
  SocketMulticast6Test() : SocketLayerFixture(GetParam().core_locking, 13) {}
  void SetUp() override {
    ASSERT_GE(wire_.stack_fd, 0);
    start_layer();
    ASSERT_OK(thread_.add_netif(wire_.device, wire_.stack_fd, netif_config("en0", mac_a, ip_a, 24)));
    // Sending waits for the link-local address (DAD: up to 1 s of random
    // delay, then 1 s for the probe).
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!link_local_preferred()) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "DAD did not finish";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  bool link_local_preferred() {
    return thread_.call([](Stack& stack, Instant) {
      auto addresses = stack.ipv6_addresses(netif);
      return addresses && (*addresses)[0].address == own_link_local &&
             (*addresses)[0].state == Ipv6AddressState::Preferred;
    });
  }

  int udp6() {
    const int s = l().socket(AF_INET6, SOCK_DGRAM, 0);
    EXPECT_GE(s, 0);
    return s;
  }
  int set_membership(int s, int name, const ipv6_mreq& m) {
    return l().setsockopt(s, IPPROTO_IPV6, name, &m, sizeof m);
  }
  int set_int(int s, int name, int v) { return l().setsockopt(s, IPPROTO_IPV6, name, &v, sizeof v); }
  int get_int(int s, int name) {
    int v = -7;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(s, IPPROTO_IPV6, name, &v, &len), 0) << std::strerror(errno);
    EXPECT_EQ(len, sizeof v);
    return v;
  }
  bool member(const Ipv6Address& g) {
    return thread_.call([&](Stack& stack, Instant) { return stack.mld_is_member(netif, IpAddress(g)); });
  }
  // The next MLDv2 report the stack sent whose first record is about `g`
  // (the solicited-node groups' reports are skipped); the whole frame.
  std::optional<ByteVector> next_report_about(const Ipv6Address& g, int timeout_ms) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < give_up) {
      std::optional<ByteVector> f = wire_.next_frame(50);
      if (!f || frame_ethertype(*f) != 0x86dd || f->size() < mld_at + 28) continue;
      if ((*f)[next_header_at] != 0 || (*f)[mld_at] != 143) continue;
      if (ipv6_at(*f, mld_at + 12) == g) return f;
    }
    return std::nullopt;
  }
  // The next UDP datagram the stack sent (no extension header).
  std::optional<ByteVector> next_udp(int timeout_ms) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < give_up) {
      std::optional<ByteVector> f = wire_.next_frame(50);
      if (f && frame_ethertype(*f) == 0x86dd && (*f)[next_header_at] == 17) return f;
    }
    return std::nullopt;
  }
  // A datagram that arrives within `timeout_ms`: its text and sender.
  std::optional<std::pair<std::string, sockaddr_in6>> receive(int s, int timeout_ms) {
    pollfd p{s, POLLIN, 0};
    if (l().poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    std::array<char, 128> buffer{};
    sockaddr_in6 from{};
    socklen_t from_len = in6_len;
    const ssize_t n = l().recvfrom(s, buffer.data(), buffer.size(), 0, sa6(from), &from_len);
    if (n < 0) return std::nullopt;
    return std::pair{std::string(buffer.data(), static_cast<std::size_t>(n)), from};
  }

  DatagramWire wire_;
};

INSTANTIATE_TEST_SUITE_P(Modes, SocketMulticast6Test,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

// The report a join sends and the one a leave sends, exactly: from the
// link-local address to all MLDv2 routers with hop limit 1 and Router
// Alert, one record about the group.
void expect_report(const ByteVector& f, std::uint8_t record_type, const Ipv6Address& g) {
  EXPECT_EQ(frame_destination_mac(f), (MacAddress{{0x33, 0x33, 0x00, 0x00, 0x00, 0x16}}));
  EXPECT_EQ(f[hop_limit_at], 1);
  EXPECT_EQ(ipv6_at(f, 14 + 8), own_link_local);
  EXPECT_EQ(ipv6_at(f, destination_at), parse_ip_address("ff02::16")->v6());
  // Hop-by-hop: next header ICMPv6, Router Alert (type 5, length 2, value 0), PadN.
  const ByteVector hop_by_hop(f.begin() + 54, f.begin() + 62);
  EXPECT_EQ(hop_by_hop, (ByteVector{58, 0, 5, 2, 0, 0, 1, 0}));
  EXPECT_EQ(load_be16(f, mld_at + 6), 1);  // records
  EXPECT_EQ(f[mld_at + 8], record_type);
  EXPECT_EQ(f[mld_at + 9], 0);             // aux data
  EXPECT_EQ(load_be16(f, mld_at + 10), 0);  // sources
  EXPECT_EQ(ipv6_at(f, mld_at + 12), g);
  EXPECT_EQ(f.size(), mld_at + 8 + 20);
}

TEST_P(SocketMulticast6Test, JoinAndLeaveWithLinuxErrorsAndTheirMldReports) {
  const int s = udp6();
  ASSERT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(group)), 0) << std::strerror(errno);
  EXPECT_TRUE(member(group));
  std::optional<ByteVector> report = next_report_about(group, 5000);
  ASSERT_TRUE(report.has_value());
  expect_report(*report, change_to_exclude, group);

  // The same group again, on the default netif or by its index (and by
  // IPV6_ADD_MEMBERSHIP, the other name of the option).
  EXPECT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(group)), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  EXPECT_EQ(set_membership(s, IPV6_ADD_MEMBERSHIP, membership(group, netif_index)), -1);
  EXPECT_EQ(errno, EADDRINUSE);
  // Not a group; an interface nobody has; too short.
  EXPECT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(own_link_local)), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(other_group, 9)), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(other_group, 0xffffffffU)), -1);
  EXPECT_EQ(errno, ENODEV);
  const ipv6_mreq m = membership(other_group);
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m - 1), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_FALSE(member(other_group));
  // Leaving a group this socket did not join, on an interface nobody has,
  // or an address that is no group.
  EXPECT_EQ(set_membership(s, IPV6_LEAVE_GROUP, membership(other_group)), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  EXPECT_EQ(set_membership(s, IPV6_LEAVE_GROUP, membership(group, 9)), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  EXPECT_EQ(set_membership(s, IPV6_DROP_MEMBERSHIP, membership(own_link_local)), -1);
  EXPECT_EQ(errno, EINVAL);
  // Memberships cannot be read back; TCP and AF_INET sockets have none.
  ipv6_mreq back{};
  socklen_t len = sizeof back;
  EXPECT_EQ(l().getsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP, &back, &len), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  const int t = l().socket(AF_INET6, SOCK_STREAM, 0);
  EXPECT_EQ(set_membership(t, IPV6_JOIN_GROUP, membership(other_group)), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(t), 0);
  const int four = l().socket(AF_INET, SOCK_DGRAM, 0);
  EXPECT_EQ(set_membership(four, IPV6_JOIN_GROUP, membership(other_group)), -1);
  EXPECT_EQ(errno, ENOPROTOOPT);
  EXPECT_EQ(l().close(four), 0);
  EXPECT_FALSE(member(other_group));

  // Another socket's membership keeps the group when this one leaves it
  // (by the netif's index), and nothing goes out then.
  const int other = udp6();
  ASSERT_EQ(set_membership(other, IPV6_JOIN_GROUP, membership(group, netif_index)), 0);
  ASSERT_EQ(set_membership(s, IPV6_LEAVE_GROUP, membership(group, netif_index)), 0);
  EXPECT_TRUE(member(group));
  EXPECT_EQ(set_membership(s, IPV6_LEAVE_GROUP, membership(group)), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  // close() leaves the last membership: MLDv2's leave, a change to INCLUDE {}.
  EXPECT_EQ(l().close(other), 0);
  EXPECT_FALSE(member(group));
  do {
    report = next_report_about(group, 5000);
  } while (report && (*report)[mld_at + 8] != change_to_include);
  ASSERT_TRUE(report.has_value());
  expect_report(*report, change_to_include, group);
  EXPECT_EQ(l().close(s), 0);
}

TEST_P(SocketMulticast6Test, IndexZeroWithNoNetifUpIsNoDevice) {
  const int s = udp6();
  ASSERT_TRUE(thread_.call([&](Stack& stack, Instant now) { return stack.set_up(netif, false, now).ok(); }));
  // Linux: no route to the group, so no device to join it on.
  EXPECT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(group)), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_FALSE(member(group));
  // Naming the netif still joins: the membership waits for it to come up.
  EXPECT_EQ(set_membership(s, IPV6_JOIN_GROUP, membership(group, netif_index)), 0) << std::strerror(errno);
  EXPECT_TRUE(member(group));
  EXPECT_EQ(l().close(s), 0);
}

TEST_P(SocketMulticast6Test, ASocketBoundToTheGroupsPortGetsWhatIsSentToTheGroup) {
  const int rx = udp6();
  const sockaddr_in6 bound = address6(group, 7000);
  ASSERT_EQ(l().bind(rx, sa6(bound), in6_len), 0) << std::strerror(errno);
  const int any = udp6();
  const sockaddr_in6 wildcard = address6(Ipv6Address{}, 7001);
  ASSERT_EQ(l().bind(any, sa6(wildcard), in6_len), 0) << std::strerror(errno);

  // Not joined yet: the link's datagram is not for us.
  ASSERT_TRUE(wire_.send_frame(datagram_to_group(group, 7000, "early")));
  EXPECT_FALSE(receive(rx, 200).has_value());

  ASSERT_EQ(set_membership(rx, IPV6_JOIN_GROUP, membership(group, netif_index)), 0);
  ASSERT_TRUE(wire_.send_frame(datagram_to_group(group, 7000, "to the group")));
  auto got = receive(rx, 5000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, "to the group");
  Ipv6Address from{};
  std::memcpy(from.octets.data(), got->second.sin6_addr.s6_addr, 16);
  EXPECT_EQ(from, peer_link_local);
  EXPECT_EQ(ntohs(got->second.sin6_port), 40000);
  EXPECT_EQ(got->second.sin6_scope_id, netif_index);  // a link-local sender's netif

  // A socket on [::] gets the group's datagrams to its port too, once one
  // socket joined the group on the netif.
  ASSERT_TRUE(wire_.send_frame(datagram_to_group(group, 7001, "to the wildcard")));
  got = receive(any, 5000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, "to the wildcard");
  // Another group: its MAC is filtered.
  ASSERT_TRUE(wire_.send_frame(datagram_to_group(other_group, 7001, "other group")));
  EXPECT_FALSE(receive(any, 200).has_value());

  // Left: nothing more.
  ASSERT_EQ(set_membership(rx, IPV6_LEAVE_GROUP, membership(group)), 0);
  ASSERT_TRUE(wire_.send_frame(datagram_to_group(group, 7000, "late")));
  EXPECT_FALSE(receive(rx, 200).has_value());
  EXPECT_EQ(l().close(rx), 0);
  EXPECT_EQ(l().close(any), 0);
}

TEST_P(SocketMulticast6Test, HopsLoopAndInterfaceGetAndSet) {
  const int s = udp6();
  auto get_byte = [&](int name) {
    unsigned char v = 0xee;
    socklen_t len = sizeof v;
    EXPECT_EQ(l().getsockopt(s, IPPROTO_IPV6, name, &v, &len), 0);
    EXPECT_EQ(len, 1U);
    return static_cast<int>(v);
  };
  auto set_byte = [&](int name, unsigned char v) { return l().setsockopt(s, IPPROTO_IPV6, name, &v, sizeof v); };

  // Defaults: hop limit 1, loop on, the route's interface.
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_HOPS), 1);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_LOOP), 1);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), 0);

  ASSERT_EQ(set_int(s, IPV6_MULTICAST_HOPS, 32), 0);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_HOPS), 32);
  EXPECT_EQ(get_byte(IPV6_MULTICAST_HOPS), 32);
  ASSERT_EQ(set_byte(IPV6_MULTICAST_HOPS, 200), 0);  // ESP-IDF passes a u8_t
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_HOPS), 200);
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_HOPS, 0), 0);  // this host only
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_HOPS), 0);
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_HOPS, -1), 0);  // Linux: the default
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_HOPS), 1);
  EXPECT_EQ(set_int(s, IPV6_MULTICAST_HOPS, 256), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(set_int(s, IPV6_MULTICAST_HOPS, -2), -1);
  EXPECT_EQ(errno, EINVAL);
  const int v = 3;
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &v, 2), -1);
  EXPECT_EQ(errno, EINVAL);
  // The core keeps one multicast hop limit: IP_MULTICAST_TTL reads it too.
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_HOPS, 7), 0);
  int ttl = 0;
  socklen_t len = sizeof ttl;
  ASSERT_EQ(l().getsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, &len), 0);
  EXPECT_EQ(ttl, 7);

  ASSERT_EQ(set_int(s, IPV6_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_LOOP), 0);
  ASSERT_EQ(set_byte(IPV6_MULTICAST_LOOP, 1), 0);
  EXPECT_EQ(get_byte(IPV6_MULTICAST_LOOP), 1);
  EXPECT_EQ(set_int(s, IPV6_MULTICAST_LOOP, 5), -1);  // Linux takes 0 and 1 only
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_LOOP), 1);

  // IPV6_MULTICAST_IF: an index (int or byte), or one of our addresses.
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_IF, static_cast<int>(netif_index)), 0);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), static_cast<int>(netif_index));
  EXPECT_EQ(set_int(s, IPV6_MULTICAST_IF, 9), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(set_int(s, IPV6_MULTICAST_IF, -3), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), static_cast<int>(netif_index));
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_IF, 0), 0);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), 0);
  ASSERT_EQ(set_byte(IPV6_MULTICAST_IF, static_cast<unsigned char>(netif_index)), 0);
  EXPECT_EQ(get_byte(IPV6_MULTICAST_IF), static_cast<int>(netif_index));
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_IF, 0), 0);
  in6_addr by_address{};
  std::memcpy(by_address.s6_addr, own_link_local.octets.data(), 16);
  ASSERT_EQ(l().setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &by_address, sizeof by_address), 0);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), static_cast<int>(netif_index));
  const Ipv6Address not_ours = parse_ip_address("2001:db8::99")->v6();
  std::memcpy(by_address.s6_addr, not_ours.octets.data(), 16);
  EXPECT_EQ(l().setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &by_address, sizeof by_address), -1);
  EXPECT_EQ(errno, EADDRNOTAVAIL);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), static_cast<int>(netif_index));
  std::memset(by_address.s6_addr, 0, 16);
  ASSERT_EQ(l().setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &by_address, sizeof by_address), 0);
  EXPECT_EQ(get_int(s, IPV6_MULTICAST_IF), 0);
  // Bound to the loopback netif (index 1): no other interface (Linux's EINVAL).
  ASSERT_EQ(l().setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3), 0) << std::strerror(errno);
  EXPECT_EQ(set_int(s, IPV6_MULTICAST_IF, static_cast<int>(netif_index)), -1);
  EXPECT_EQ(errno, EINVAL);
  ASSERT_EQ(set_int(s, IPV6_MULTICAST_IF, 1), 0);

  // TCP and AF_INET sockets: none of them. getsockopt() on an AF_INET
  // socket, which has no IPv6 level, says so as Linux's IP layer does
  // (EOPNOTSUPP).
  for (const auto& [family, type] : {std::pair{AF_INET6, SOCK_STREAM}, std::pair{AF_INET, SOCK_DGRAM}}) {
    const int t = l().socket(family, type, 0);
    int x = 1;
    EXPECT_EQ(l().setsockopt(t, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &x, sizeof x), -1);
    EXPECT_EQ(errno, ENOPROTOOPT);
    len = sizeof x;
    EXPECT_EQ(l().getsockopt(t, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &x, &len), -1);
    EXPECT_EQ(errno, family == AF_INET ? EOPNOTSUPP : ENOPROTOOPT);
    EXPECT_EQ(l().close(t), 0);
  }
  EXPECT_EQ(l().close(s), 0);
}

TEST_P(SocketMulticast6Test, HopLimitOnTheWireAndLoopedCopiesFollowTheOptions) {
  const int rx = udp6();
  const sockaddr_in6 wildcard = address6(Ipv6Address{}, 7002);
  ASSERT_EQ(l().bind(rx, sa6(wildcard), in6_len), 0);
  ASSERT_EQ(set_membership(rx, IPV6_JOIN_GROUP, membership(group, netif_index)), 0);
  const int tx = udp6();
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_IF, static_cast<int>(netif_index)), 0);
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_HOPS, 5), 0);
  const sockaddr_in6 to = address6(group, 7002);
  auto send = [&](const std::string& text) {
    return l().sendto(tx, text.data(), text.size(), 0, sa6(to), in6_len) == static_cast<ssize_t>(text.size());
  };

  // On the wire with hop limit 5 to the group's MAC, from the link-local
  // address; and a copy for our own member (IPV6_MULTICAST_LOOP is on).
  ASSERT_TRUE(send("hops 5"));
  std::optional<ByteVector> frame = next_udp(5000);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ((*frame)[hop_limit_at], 5);
  EXPECT_EQ(frame_destination_mac(*frame), group_mac);
  EXPECT_EQ(ipv6_at(*frame, 14 + 8), own_link_local);
  EXPECT_EQ(ipv6_at(*frame, destination_at), group);
  auto got = receive(rx, 5000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, "hops 5");

  // Loop off: the datagram leaves, no copy comes back.
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_LOOP, 0), 0);
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_HOPS, 255), 0);
  ASSERT_TRUE(send("no loop"));
  frame = next_udp(5000);
  ASSERT_TRUE(frame.has_value());  // sent, and only then checked for a copy
  EXPECT_EQ((*frame)[hop_limit_at], 255);
  EXPECT_FALSE(receive(rx, 200).has_value());

  // Hop limit 0: for this host only; the looped copy still comes.
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_LOOP, 1), 0);
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_HOPS, 0), 0);
  ASSERT_TRUE(send("host only"));
  got = receive(rx, 5000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, "host only");
  EXPECT_FALSE(next_udp(200).has_value());

  // Unicast keeps its own hop limit (IPV6_UNICAST_HOPS), the default 64.
  ASSERT_EQ(set_int(tx, IPV6_MULTICAST_HOPS, 9), 0);
  ASSERT_EQ(thread_.call([](Stack& stack, Instant now) {
    return stack.nd_add_static(netif, IpAddress(peer_link_local), peer_mac, now).ok();
  }), true);
  sockaddr_in6 peer = address6(peer_link_local, 40000);
  peer.sin6_scope_id = netif_index;
  ASSERT_EQ(l().sendto(tx, "u", 1, 0, sa6(peer), in6_len), 1) << std::strerror(errno);
  frame = next_udp(5000);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ((*frame)[hop_limit_at], config::ip_default_ttl);
  EXPECT_EQ(ipv6_at(*frame, destination_at), peer_link_local);
  EXPECT_EQ(l().close(tx), 0);
  EXPECT_EQ(l().close(rx), 0);
}

// As Linux's inet6_bind: a UDP or TCP bind() to a link-local address, or
// to a group of link or interface scope, needs the link: a scope id (which
// then binds the socket to that netif, as SO_BINDTODEVICE) or a device the
// socket is bound to already. Without one it is EINVAL; a scope id of no
// netif is ENODEV; a unicast address must be the link's own.
TEST_P(SocketMulticast6Test, LinkScopedBindNeedsTheLink) {
  for (const int type : {SOCK_DGRAM, SOCK_STREAM}) {
    SCOPED_TRACE(type == SOCK_DGRAM ? "udp" : "tcp");
    const int s = l().socket(AF_INET6, type, 0);
    ASSERT_GE(s, 0);
    sockaddr_in6 own = address6(own_link_local, 7000);
    EXPECT_EQ(l().bind(s, sa6(own), in6_len), -1);
    EXPECT_EQ(errno, EINVAL);
    own.sin6_scope_id = 200;
    EXPECT_EQ(l().bind(s, sa6(own), in6_len), -1);
    EXPECT_EQ(errno, ENODEV);
    own.sin6_scope_id = 1;  // the loopback netif: not its address
    EXPECT_EQ(l().bind(s, sa6(own), in6_len), -1);
    EXPECT_EQ(errno, EADDRNOTAVAIL);
    // Nothing stuck from the failures: the socket is bound to no device.
    std::array<char, 16> device{};
    socklen_t device_len = device.size();
    ASSERT_EQ(l().getsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, device.data(), &device_len), 0);
    EXPECT_EQ(device_len, 0U);
    own.sin6_scope_id = netif_index;
    ASSERT_EQ(l().bind(s, sa6(own), in6_len), 0) << std::strerror(errno);
    device_len = device.size();
    ASSERT_EQ(l().getsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, device.data(), &device_len), 0);
    EXPECT_EQ(std::string(device.data()), "en0");
    sockaddr_in6 name{};
    socklen_t name_len = in6_len;
    ASSERT_EQ(l().getsockname(s, sa6(name), &name_len), 0);
    EXPECT_EQ(std::memcmp(name.sin6_addr.s6_addr, own_link_local.octets.data(), 16), 0);
    EXPECT_EQ(name.sin6_scope_id, netif_index);
    EXPECT_EQ(l().close(s), 0);
  }
  // A socket bound to the device already needs no scope id.
  const int bound = udp6();
  ASSERT_EQ(l().setsockopt(bound, SOL_SOCKET, SO_BINDTODEVICE, "en0", 4), 0);
  const sockaddr_in6 own = address6(own_link_local, 7001);
  EXPECT_EQ(l().bind(bound, sa6(own), in6_len), 0) << std::strerror(errno);
  // Groups: link scope needs the link, a wider scope does not.
  const int link_group = udp6();
  sockaddr_in6 all_nodes = address6(parse_ip_address("ff02::1")->v6(), 7002);
  EXPECT_EQ(l().bind(link_group, sa6(all_nodes), in6_len), -1);
  EXPECT_EQ(errno, EINVAL);
  all_nodes.sin6_scope_id = netif_index;
  EXPECT_EQ(l().bind(link_group, sa6(all_nodes), in6_len), 0) << std::strerror(errno);
  const int wide_group = udp6();
  const sockaddr_in6 global_group = address6(group, 7003);
  EXPECT_EQ(l().bind(wide_group, sa6(global_group), in6_len), 0) << std::strerror(errno);
  // The bound device holds: a datagram to the link-scoped group arrives.
  ASSERT_TRUE(wire_.send_frame(datagram_to_group(parse_ip_address("ff02::1")->v6(), 7002, "to all nodes")));
  const auto got = receive(link_group, 2000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, "to all nodes");
  for (const int s : {bound, link_group, wide_group}) EXPECT_EQ(l().close(s), 0);
}

}  // namespace
}  // namespace lwnet::test::socket_multicast6_test
