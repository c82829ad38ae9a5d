// UDP over IPv6 multicast between two stacks: IPV6_JOIN_GROUP's membership
// (MLD report, the 33:33 filter), delivery to members only, IPV6_MULTICAST_IF
// by netif and by address, the hop limit, and IPV6_MULTICAST_LOOP's copy.
#include <gtest/gtest.h>

#include <array>

#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::udp_multicast6_test {
namespace {

IpAddress ip6(const char* text) { return *parse_ip_address(text); }

const IpAddress group = ip6("ff15::1234");
const IpAddress link_local_a = ip6("fe80::ff:fe00:a");

struct Multicast6 : ::testing::Test {
  Multicast6() { net.sim.run_for(Duration::seconds(3)); }  // DAD over on both
  // Binds a fresh endpoint of `stack` to [::]:5000.
  UdpHandle listener(Stack& stack) {
    UdpHandle h = *stack.udp_open();
    EXPECT_OK(stack.udp_bind(h, IpEndpoint{ip6("::"), 5000}));
    return h;
  }
  std::size_t received(Stack& stack, UdpHandle h) {
    std::size_t n = 0;
    std::array<std::uint8_t, 64> buf{};
    while (stack.udp_receive(h, buf)) ++n;
    return n;
  }
  TwoHosts net;
};

TEST_F(Multicast6, OnlyJoinedMembersGetTheDatagram) {
  UdpHandle rx = listener(net.b);
  UdpHandle tx = *net.a.udp_open();
  const std::array<std::uint8_t, 3> data{1, 2, 3};
  ASSERT_OK(net.a.udp_send_to(tx, data, {group, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(received(net.b, rx), 0U);  // B's filter drops the group's MAC
  EXPECT_GE(net.b.stats().ethernet.drop_multicast_filtered, 1U);

  ASSERT_OK(net.b.udp_join_group_v6(rx, group, net.b_if, net.sim.now()));
  EXPECT_TRUE(net.b.mld_is_member(net.b_if, group));
  net.log.clear();
  ASSERT_OK(net.a.udp_send_to(tx, data, {group, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(received(net.b, rx), 1U);
  // Hop limit 1 by default (IPV6_MULTICAST_HOPS), to 33:33:00:00:12:34.
  bool seen = false;
  for (const FrameLog::Frame& f : net.log.with_ethertype(0x86dd, 0)) {
    if (f.bytes[20] != 17) continue;
    seen = true;
    EXPECT_EQ(f.bytes[21], 1);
    EXPECT_EQ(f.bytes[0], 0x33);
    EXPECT_EQ(f.bytes[4], 0x12);
    EXPECT_EQ(f.bytes[5], 0x34);
  }
  EXPECT_TRUE(seen);

  ASSERT_OK(net.b.udp_leave_group_v6(rx, group, std::nullopt, net.sim.now()));
  EXPECT_FALSE(net.b.mld_is_member(net.b_if, group));
  EXPECT_ERROR(net.b.udp_leave_group_v6(rx, group, std::nullopt, net.sim.now()), Error::AddressNotAvailable);
  net.a.udp_close(tx);
  net.b.udp_close(rx);
}

TEST_F(Multicast6, JoinErrors) {
  UdpHandle h = *net.a.udp_open();
  EXPECT_ERROR(net.a.udp_join_group_v6(h, ip6("2001:db8::1"), std::nullopt, net.sim.now()),
               Error::InvalidArgument);
  EXPECT_ERROR(net.a.udp_join_group_v6(h, IpAddress(ip_a), std::nullopt, net.sim.now()), Error::InvalidArgument);
  EXPECT_ERROR(net.a.udp_join_group_v6(h, group, NetifId{9}, net.sim.now()), Error::NoRoute);
  ASSERT_OK(net.a.udp_join_group_v6(h, group, std::nullopt, net.sim.now()));
  EXPECT_ERROR(net.a.udp_join_group_v6(h, group, net.a_if, net.sim.now()), Error::AddressInUse);
  EXPECT_ERROR(net.a.udp_set_multicast_netif_v6(h, NetifId{9}), Error::NoRoute);
  EXPECT_ERROR(net.a.udp_set_multicast_interface_v6(h, ip6("2001:db8::99")), Error::AddressNotAvailable);
  ASSERT_OK(net.a.udp_set_multicast_interface_v6(h, link_local_a));
  ASSERT_OK(net.a.udp_set_multicast_netif_v6(h, net.a_if));
  net.a.udp_close(h);
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, group));
}

TEST_F(Multicast6, LoopGivesTheSenderACopyUnlessTurnedOff) {
  UdpHandle rx = listener(net.a);
  ASSERT_OK(net.a.udp_join_group_v6(rx, group, net.a_if, net.sim.now()));
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_set_multicast_netif_v6(tx, net.a_if));
  net.a.udp_set_multicast_ttl(tx, 5);
  const std::array<std::uint8_t, 3> data{1, 2, 3};
  net.log.clear();
  ASSERT_OK(net.a.udp_send_to(tx, data, {group, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(received(net.a, rx), 1U);
  for (const FrameLog::Frame& f : net.log.with_ethertype(0x86dd, 0)) {
    if (f.bytes[20] == 17) {
      EXPECT_EQ(f.bytes[21], 5);
    }
  }
  net.a.udp_set_multicast_loop(tx, false);
  ASSERT_OK(net.a.udp_send_to(tx, data, {group, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(received(net.a, rx), 0U);
  net.a.udp_close(tx);
  net.a.udp_close(rx);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// IPV6_JOIN_GROUP with interface index 0 on a host with two netifs: the
// membership goes where the route to the group goes, as on Linux: the
// default netif while it is up, else the other netif that is up; datagrams
// to the group without IPV6_MULTICAST_IF leave the same way.
TEST(Multicast6TwoNetifs, IndexZeroJoinsOnTheNetifOfTheRouteToTheGroup) {
  PipePair second;  // outlives the stacks
  TwoHosts net;
  const Result<NetifId> added = net.a.add_netif(
      second.a(), netif_config("a1", mac_c, Ipv4Address::of(198, 51, 100, 1), 24), net.sim.now());
  ASSERT_OK(added);
  const NetifId a1 = *added;
  net.sim.run_for(Duration::seconds(3));  // DAD on both netifs
  UdpHandle h = *net.a.udp_open();
  ASSERT_OK(net.a.udp_join_group_v6(h, group, std::nullopt, net.sim.now()));
  EXPECT_TRUE(net.a.mld_is_member(net.a_if, group));  // the default netif
  EXPECT_FALSE(net.a.mld_is_member(a1, group));

  ASSERT_OK(net.a.set_up(net.a_if, false, net.sim.now()));
  const IpAddress other = ip6("ff15::5678");
  ASSERT_OK(net.a.udp_join_group_v6(h, other, std::nullopt, net.sim.now()));
  EXPECT_TRUE(net.a.mld_is_member(a1, other));
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, other));
  net.sim.settle();
  (void)drain(second.b(), net.sim.now());
  const std::array<std::uint8_t, 3> data{1, 2, 3};
  ASSERT_OK(net.a.udp_send_to(h, data, {other, 5000}, net.sim.now()));
  net.sim.settle();
  std::size_t to_group = 0;
  for (const ByteVector& f : drain(second.b(), net.sim.now())) {
    // RFC 2464 7: 33:33 and the group's low 32 bits.
    if (frame_destination_mac(f) == MacAddress{{0x33, 0x33, 0, 0, 0x56, 0x78}}) ++to_group;
  }
  EXPECT_EQ(to_group, 1U);

  // With no netif up, index 0 has no route to the group (Linux: ENODEV);
  // naming a netif still works, down or not.
  ASSERT_OK(net.a.set_up(a1, false, net.sim.now()));
  const IpAddress third = ip6("ff15::9abc");
  EXPECT_ERROR(net.a.udp_join_group_v6(h, third, std::nullopt, net.sim.now()), Error::NoRoute);
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, third));
  EXPECT_FALSE(net.a.mld_is_member(a1, third));
  ASSERT_OK(net.a.udp_join_group_v6(h, third, a1, net.sim.now()));
  EXPECT_TRUE(net.a.mld_is_member(a1, third));
  net.a.udp_close(h);
  net.sim.settle();
}

}  // namespace
}  // namespace lwnet::test::udp_multicast6_test
