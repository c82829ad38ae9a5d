// CONFIG_LWIP_IPV6=0 (issue 10): the core holds no IPv6 state, sends no
// IPv6 (no DAD, MLD or router solicitation when a netif comes up), drops
// and counts IPv6 frames, and refuses every IPv6 call with Unsupported.
#include <gtest/gtest.h>

#include <array>
#include <tuple>
#include <type_traits>
#include <utility>

#include "apps/dns_resolver.h"
#include "config/options.h"
#include "ip/nd_cache.h"
#include "ip/netif.h"
#include "ip/router_list.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/ethernet.h"

namespace lwnet::test::ipv4_only_check {

static_assert(!config::ipv6, "built with CONFIG_LWIP_IPV6=0");
// The TCP sim tests linked in here run on scans instead (tests/config/CMakeLists.txt).
static_assert(!config::tcp_connection_index, "built with CONFIG_LWNET_TCP_CONNECTION_INDEX=0");
// No IPv6 storage: address slots, neighbor cache, router list.
static_assert(std::tuple_size_v<decltype(Netif::ipv6)> == 0);
static_assert(std::tuple_size_v<std::remove_cvref_t<decltype(std::declval<NdCache>().entries())>> == 0);
static_assert(RouterList::max_routers == 0 && RouterList::max_prefixes == 0 &&
              RouterList::max_routes == 0 && RouterList::max_rdnss == 0);

namespace {

constexpr std::uint16_t ethertype_ipv6 = 0x86dd;

// An ICMPv6 echo request from fe80::ee to fe80::a (the addresses do not
// matter: nothing may parse it), 40-byte header plus 8 bytes.
ByteVector ipv6_echo_request() {
  ByteVector p(48, 0);
  p[0] = 0x60;
  p[5] = 8;     // payload length
  p[6] = 58;    // ICMPv6
  p[7] = 255;   // hop limit
  p[8] = 0xfe;
  p[9] = 0x80;
  p[23] = 0xee;
  p[24] = 0xfe;
  p[25] = 0x80;
  p[39] = 0x0a;
  p[40] = 128;  // echo request
  return p;
}

TEST(Ipv4Only, Ipv6FramesAreDroppedAndCounted) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  const EthernetStats before = net.a.stats().ethernet;
  // To A's MAC: an unknown ethertype. To all-nodes (33:33::1): a group
  // the netif never joined.
  net.inject(ethernet_frame(mac_a, mac_peer, ethertype_ipv6, ipv6_echo_request()));
  net.inject(ethernet_frame(MacAddress{{0x33, 0x33, 0, 0, 0, 1}}, mac_peer, ethertype_ipv6,
                            ipv6_echo_request()));
  net.sim.settle();
  const StackStats& after = net.a.stats();
  EXPECT_EQ(after.ethernet.rx, before.rx + 2);
  EXPECT_EQ(after.ethernet.drop_unknown_ethertype, before.drop_unknown_ethertype + 1);
  EXPECT_EQ(after.ethernet.drop_multicast_filtered, before.drop_multicast_filtered + 1);
  EXPECT_EQ(after.ipv6.rx, 0U);
  EXPECT_EQ(after.icmpv6.rx, 0U);
  EXPECT_TRUE(net.received().empty());  // no answer of any kind
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(Ipv4Only, NetifsSendNoIpv6) {
  TwoHosts net;
  // Long enough for DAD, MLD reports and router solicitations, were they
  // built in.
  net.sim.run_for(Duration::seconds(30));
  ASSERT_FALSE(net.log.frames().empty());  // gratuitous ARP at least
  for (const FrameLog::Frame& f : net.log.frames()) {
    EXPECT_NE(frame_ethertype(f.bytes), ethertype_ipv6);
  }
  EXPECT_EQ(net.a.stats().ipv6.tx, 0U);
  EXPECT_EQ(net.a.stats().mld.tx, 0U);
  EXPECT_EQ(net.a.stats().nd.tx_solicitation, 0U);
}

TEST(Ipv4Only, Ipv6CallsAreUnsupported) {
  TwoHosts net;
  net.sim.settle();
  Stack& s = net.a;
  const Instant now = net.sim.now();
  const IpAddress global = *parse_ip_address("2001:db8::1");
  const IpAddress group = *parse_ip_address("ff02::1:3");
  EXPECT_ERROR(s.add_ipv6_address(net.a_if, IpCidr{global, 64}, now), Error::Unsupported);
  EXPECT_ERROR(s.remove_ipv6_address(net.a_if, global), Error::Unsupported);
  EXPECT_ERROR(s.nd_add_static(net.a_if, global, mac_b, now), Error::Unsupported);
  EXPECT_FALSE(s.nd_lookup(net.a_if, global));
  EXPECT_ERROR(s.mld_join(net.a_if, group, now), Error::Unsupported);
  EXPECT_FALSE(s.mld_is_member(net.a_if, *parse_ip_address("ff02::1")));
  EXPECT_FALSE(s.router_advertisement(net.a_if).received);
  const auto slots = s.ipv6_addresses(net.a_if);
  ASSERT_OK(slots);
  EXPECT_EQ(slots->size(), 0U);

  EXPECT_ERROR(s.raw_open(58), Error::Unsupported);  // ICMPv6
  const PingHandle ping = *s.ping_open(7);
  EXPECT_ERROR(s.ping_send(ping, global, 1, pattern(8), 0, now), Error::Unsupported);
  s.ping_close(ping);

  const UdpHandle udp = *s.udp_open();
  EXPECT_ERROR(s.udp_join_group_v6(udp, group, std::nullopt, now), Error::Unsupported);
  EXPECT_ERROR(s.udp_send_to(udp, pattern(8), {global, 9}, now), Error::Unsupported);
  EXPECT_ERROR(s.udp_bind(udp, {global, 7}), Error::Unsupported);
  EXPECT_ERROR(s.udp_connect(udp, {global, 9}), Error::Unsupported);
  s.udp_close(udp);
  EXPECT_ERROR(s.tcp_connect({global, 80}, now), Error::Unsupported);
  // An IPv6 local endpoint with an IPv4 peer: refused too, nothing opened.
  EXPECT_ERROR(s.tcp_connect({*parse_ip_address("192.0.2.2"), 80}, now, {global, 0}),
               Error::Unsupported);
  EXPECT_ERROR(s.tcp_listen({global, 80}, 1), Error::Unsupported);
  EXPECT_ERROR(s.tcp_reserve({global, 80}, false, false), Error::Unsupported);

  DnsResolver resolver;
  EXPECT_ERROR(resolver.lookup(s, "host.example", DnsRecordType::AAAA, nullptr, nullptr, now),
               Error::Unsupported);
  net.sim.settle();
  EXPECT_EQ(s.stats().ipv6.tx, 0U);
  EXPECT_EQ(s.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::ipv4_only_check
