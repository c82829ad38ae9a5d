// Routing with stack A in the middle of two pipes (B on one, C on the
// other): subnets, longest prefix, the default netif's gateway, and
// ESP-IDF's source-based routing.
#include <gtest/gtest.h>

#include <array>

#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::routing_test {
namespace {

constexpr Ipv4Address far_away = Ipv4Address::of(203, 0, 113, 5);

struct Side {
  Ipv4Address a;
  Ipv4Address peer;
  std::uint8_t prefix_len;
  std::optional<Ipv4Address> a_gateway;
};

struct ThreeHosts {
  ThreeHosts(const Side& one, const Side& two) {
    a1 = *a.add_netif(pipe1.a(), netif_config("a1", mac_a, one.a, one.prefix_len, one.a_gateway), sim.now());
    a2 = *a.add_netif(pipe2.a(), netif_config("a2", MacAddress{{0x02, 0, 0, 0, 0, 0x1a}}, two.a,
                                              two.prefix_len, two.a_gateway),
                      sim.now());
    b_if = *b.add_netif(pipe1.b(), netif_config("b0", mac_b, one.peer, one.prefix_len), sim.now());
    c_if = *c.add_netif(pipe2.b(), netif_config("c0", mac_c, two.peer, two.prefix_len), sim.now());
    sim.add(a);
    sim.add(b);
    sim.add(c);
    sim.settle();
    log1.clear();
    log2.clear();
  }
  // IPv4 frames A sent on each pipe.
  std::vector<FrameLog::Frame> sent_on_1() const { return log1.with_ethertype(ipv4_type, 0); }
  std::vector<FrameLog::Frame> sent_on_2() const { return log2.with_ethertype(ipv4_type, 0); }
  void expect_no_buffers() const {
    EXPECT_EQ(a.pools().in_use(), 0U);
    EXPECT_EQ(b.pools().in_use(), 0U);
    EXPECT_EQ(c.pools().in_use(), 0U);
  }

  PipePair pipe1;
  PipePair pipe2;
  FrameLog log1{pipe1};
  FrameLog log2{pipe2};
  Stack a{StackConfig{1}};
  Stack b{StackConfig{2}};
  Stack c{StackConfig{3}};
  NetifId a1, a2, b_if, c_if;
  Simulation sim;
};

// Pings `to` from A and returns who answered (unspecified when nobody did).
IpAddress ping_from_a(ThreeHosts& net, Ipv4Address to) {
  PingHandle h = *net.a.ping_open(0x77);
  EXPECT_OK(net.a.ping_send(h, to, 1, pattern(16), 0, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 16> buf{};
  Result<EchoReply> r = net.a.ping_receive(h, buf);
  net.a.ping_close(h);
  return r ? r->from : IpAddress{};
}

TEST(RoutingSim, EachSubnetLeavesThroughItsNetif) {
  ThreeHosts net({ip_a, ip_b, 24, std::nullopt},
                 {Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2), 24, std::nullopt});
  EXPECT_EQ(ping_from_a(net, ip_b), IpAddress(ip_b));
  EXPECT_EQ(net.sent_on_1().size(), 1U);
  EXPECT_TRUE(net.sent_on_2().empty());
  EXPECT_EQ(ping_from_a(net, Ipv4Address::of(198, 51, 100, 2)), IpAddress(Ipv4Address::of(198, 51, 100, 2)));
  ASSERT_EQ(net.sent_on_2().size(), 1U);
  // The source is the address of the netif the packet leaves through.
  EXPECT_EQ(frame_ip_source(net.sent_on_2()[0].bytes), Ipv4Address::of(198, 51, 100, 1));
  EXPECT_EQ(net.sent_on_1().size(), 1U);
  net.expect_no_buffers();
}

TEST(RoutingSim, LongestPrefixWins) {
  // 198.51.100.0/24 on one side, 198.51.100.128/25 inside it on the other.
  ThreeHosts net({Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2), 24, std::nullopt},
                 {Ipv4Address::of(198, 51, 100, 129), Ipv4Address::of(198, 51, 100, 130), 25, std::nullopt});
  EXPECT_EQ(ping_from_a(net, Ipv4Address::of(198, 51, 100, 130)),
            IpAddress(Ipv4Address::of(198, 51, 100, 130)));
  EXPECT_EQ(net.sent_on_2().size(), 1U);
  EXPECT_TRUE(net.sent_on_1().empty());
  EXPECT_TRUE(net.log1.with_ethertype(0x0806, 0).empty());  // not even an ARP request there
  EXPECT_EQ(ping_from_a(net, Ipv4Address::of(198, 51, 100, 2)), IpAddress(Ipv4Address::of(198, 51, 100, 2)));
  EXPECT_EQ(net.sent_on_1().size(), 1U);
  net.expect_no_buffers();
}

TEST(RoutingSim, OffLinkGoesToTheDefaultNetifsGatewayAndOtherHostsDropIt) {
  ThreeHosts net({ip_a, ip_b, 24, ip_b},
                 {Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2), 24,
                  Ipv4Address::of(198, 51, 100, 2)});
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(8), {far_away, 9}, net.sim.now()));
  net.sim.settle();
  // The first netif added is the default one.
  ASSERT_EQ(net.sent_on_1().size(), 1U);
  EXPECT_TRUE(net.sent_on_2().empty());
  EXPECT_EQ(frame_destination_mac(net.sent_on_1()[0].bytes), mac_b);
  EXPECT_EQ(frame_ip_destination(net.sent_on_1()[0].bytes), far_away);
  // B is no router: a datagram for another host is counted and dropped.
  EXPECT_EQ(net.b.stats().ipv4.drop_not_for_us, 1U);
  EXPECT_EQ(net.b.stats().icmp.tx, 0U);

  net.a.set_default_netif(net.a2);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(8), {far_away, 9}, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(net.sent_on_2().size(), 1U);
  EXPECT_EQ(frame_destination_mac(net.sent_on_2()[0].bytes), mac_c);
  EXPECT_EQ(frame_ip_source(net.sent_on_2()[0].bytes), Ipv4Address::of(198, 51, 100, 1));
  EXPECT_EQ(net.c.stats().ipv4.drop_not_for_us, 1U);
  net.a.udp_close(tx);
  net.expect_no_buffers();
}

TEST(RoutingSim, SourceAddressPicksItsNetif) {
  ThreeHosts net({ip_a, ip_b, 24, ip_b},
                 {Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2), 24,
                  Ipv4Address::of(198, 51, 100, 2)});
  UdpHandle bound = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(bound, {Ipv4Address::of(198, 51, 100, 1), 0}));
  UdpHandle unbound = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(bound, pattern(8), {far_away, 9}, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(net.sent_on_2().size(), 1U);
  EXPECT_TRUE(net.sent_on_1().empty());
  EXPECT_EQ(frame_destination_mac(net.sent_on_2()[0].bytes), mac_c);

  ASSERT_OK(net.a.udp_send_to(unbound, pattern(8), {far_away, 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.sent_on_1().size(), 1U);

  // Even a destination on the other netif's subnet leaves through the
  // source's netif, to its gateway (ESP-IDF's ip4_route_src hook).
  ASSERT_OK(net.a.udp_send_to(bound, pattern(8), {ip_b, 9}, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(net.sent_on_2().size(), 2U);
  EXPECT_EQ(frame_destination_mac(net.sent_on_2()[1].bytes), mac_c);
  EXPECT_EQ(frame_ip_destination(net.sent_on_2()[1].bytes), ip_b);
  net.a.udp_close(bound);
  net.a.udp_close(unbound);
  net.expect_no_buffers();
}

TEST(RoutingSim, NoGatewayMeansNoRoute) {
  ThreeHosts net({ip_a, ip_b, 24, std::nullopt},
                 {Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2), 24, std::nullopt});
  UdpHandle tx = *net.a.udp_open();
  EXPECT_ERROR(net.a.udp_send_to(tx, pattern(8), {far_away, 9}, net.sim.now()), Error::NoRoute);
  EXPECT_EQ(net.a.stats().ipv4.drop_no_route, 1U);
  PingHandle p = *net.a.ping_open(1);
  EXPECT_ERROR(net.a.ping_send(p, far_away, 1, pattern(8), 0, net.sim.now()), Error::NoRoute);
  net.a.ping_close(p);
  net.a.udp_close(tx);
  net.expect_no_buffers();
}

TEST(RoutingSim, DownNetifIsSkipped) {
  ThreeHosts net({Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2), 24, std::nullopt},
                 {Ipv4Address::of(198, 51, 100, 129), Ipv4Address::of(198, 51, 100, 130), 25, std::nullopt});
  ASSERT_OK(net.a.set_up(net.a2, false, net.sim.now()));
  // The /25 is down: the /24 covers .130 now (and nobody answers there).
  EXPECT_EQ(ping_from_a(net, Ipv4Address::of(198, 51, 100, 130)), IpAddress{});
  EXPECT_TRUE(net.sent_on_2().empty());
  EXPECT_EQ(net.log1.with_ethertype(0x0806, 0).size(), 1U);
  net.sim.run_for(Duration::seconds(5));
  net.expect_no_buffers();
}

}  // namespace
}  // namespace lwnet::test::routing_test
