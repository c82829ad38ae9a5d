// Route selection over a netif table, without packets.
#include <gtest/gtest.h>

#include <initializer_list>
#include <tuple>

#include "ip/routing.h"
#include "link/loopback.h"
#include "link/pipe.h"
#include "support/status.h"

namespace lwnet::routing_test {
namespace {

IpCidr cidr(Ipv4Address a, std::uint8_t prefix) { return IpCidr{a, prefix}; }

struct RoutingTest : ::testing::Test {
  RoutingTest() {
    NetifConfig lo;
    lo.name = "lo";
    lo.ipv4 = cidr(Ipv4Address::loopback(), 8);
    (void)table.add(loopback, lo, true);
  }
  NetifId add(PipeEnd& end, std::uint8_t mac, Ipv4Address a, std::uint8_t prefix,
              std::optional<Ipv4Address> gateway = {}) {
    NetifConfig c;
    c.mac = MacAddress{{0x02, 0, 0, 0, 0, mac}};
    c.ipv4 = cidr(a, prefix);
    c.gateway = gateway;
    Result<NetifId> id = table.add(end, c, false);
    EXPECT_TRUE(id.ok());
    return *id;
  }
  Loopback loopback;
  PipePair p1, p2, p3;
  NetifTable table;
};

const Ipv4Address a1 = Ipv4Address::of(198, 51, 100, 1);
const Ipv4Address a2 = Ipv4Address::of(198, 51, 100, 129);
const Ipv4Address far = Ipv4Address::of(203, 0, 113, 9);

TEST_F(RoutingTest, LongestPrefixThenDefaultGateway) {
  const NetifId wide = add(p1.a(), 1, a1, 24, Ipv4Address::of(198, 51, 100, 254));
  const NetifId narrow = add(p2.a(), 2, a2, 25);
  table.set_default(wide);

  Result<IpRoute> r = route_ipv4(table, Ipv4Address::of(198, 51, 100, 200), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, narrow);
  EXPECT_EQ(r->source, a2);
  EXPECT_EQ(r->next_hop, Ipv4Address::of(198, 51, 100, 200));
  EXPECT_FALSE(r->broadcast);

  r = route_ipv4(table, Ipv4Address::of(198, 51, 100, 20), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, wide);

  r = route_ipv4(table, far, {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, wide);
  EXPECT_EQ(r->next_hop, Ipv4Address::of(198, 51, 100, 254));
  EXPECT_EQ(r->source, a1);

  // Subnet broadcast of the /25, limited broadcast via the default netif.
  r = route_ipv4(table, Ipv4Address::of(198, 51, 100, 255), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, narrow);
  EXPECT_TRUE(r->broadcast);
  r = route_ipv4(table, Ipv4Address::broadcast(), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, wide);
  EXPECT_TRUE(r->broadcast);
}

TEST_F(RoutingTest, SourceAddressSelectsTheNetif) {
  const NetifId one = add(p1.a(), 1, a1, 25, Ipv4Address::of(198, 51, 100, 126));
  const NetifId two = add(p2.a(), 2, a2, 25, Ipv4Address::of(198, 51, 100, 254));
  table.set_default(one);
  Result<IpRoute> r = route_ipv4(table, far, a2);
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, two);
  EXPECT_EQ(r->next_hop, Ipv4Address::of(198, 51, 100, 254));
  EXPECT_EQ(r->source, a2);
  // Even towards the other netif's subnet.
  r = route_ipv4(table, Ipv4Address::of(198, 51, 100, 5), a2);
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, two);
  EXPECT_EQ(r->next_hop, Ipv4Address::of(198, 51, 100, 254));
}

TEST_F(RoutingTest, LoopbackAndOwnAddresses) {
  const NetifId one = add(p1.a(), 1, a1, 24);
  table.set_default(one);
  Result<IpRoute> r = route_ipv4(table, Ipv4Address::of(127, 0, 0, 5), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, NetifId{0});
  EXPECT_EQ(r->source, Ipv4Address::loopback());
  r = route_ipv4(table, a1, {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, NetifId{0});
  EXPECT_EQ(r->source, a1);
  EXPECT_ERROR(route_ipv4(table, far, Ipv4Address::loopback()), Error::NoRoute);
  EXPECT_ERROR(route_ipv4(table, Ipv4Address{}, {}), Error::InvalidArgument);
}

TEST_F(RoutingTest, UnusableNetifsAndMissingGatewaysGiveNoRoute) {
  const NetifId one = add(p1.a(), 1, a1, 24);
  table.set_default(one);
  EXPECT_ERROR(route_ipv4(table, far, {}), Error::NoRoute);  // no gateway
  table[one].link_up = false;
  EXPECT_ERROR(route_ipv4(table, Ipv4Address::of(198, 51, 100, 7), {}), Error::NoRoute);
  table[one].link_up = true;
  table[one].up = false;
  EXPECT_ERROR(route_ipv4(table, Ipv4Address::of(198, 51, 100, 7), {}), Error::NoRoute);
  // A down netif's address is not ours any more.
  EXPECT_FALSE(table.is_local(a1));
}

TEST_F(RoutingTest, NetifWithoutAddressOnlySendsLimitedBroadcast) {
  NetifConfig c;
  c.mac = MacAddress{{0x02, 0, 0, 0, 0, 3}};
  const NetifId bare = *table.add(p3.a(), c, false);
  table.set_default(bare);
  Result<IpRoute> r = route_ipv4(table, Ipv4Address::broadcast(), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, bare);
  EXPECT_TRUE(r->source.is_unspecified());  // the DHCP client's DISCOVER
  EXPECT_ERROR(route_ipv4(table, far, {}), Error::NoRoute);
}

TEST_F(RoutingTest, TableRefusesBadNetifs) {
  NetifConfig no_mac;
  EXPECT_ERROR(table.add(p1.a(), no_mac, false), Error::InvalidArgument);
  NetifConfig tiny;
  tiny.mac = MacAddress{{0x02, 0, 0, 0, 0, 4}};
  tiny.mtu = 40;
  EXPECT_ERROR(table.add(p1.a(), tiny, false), Error::InvalidArgument);
  NetifConfig ok;
  ok.mac = tiny.mac;
  while (table.size() < NetifTable::capacity) ASSERT_OK(table.add(p1.a(), ok, false));
  EXPECT_ERROR(table.add(p1.a(), ok, false), Error::TableFull);
}

TEST_F(RoutingTest, ViaOneNetifIgnoresTheTable) {
  const NetifId wide = add(p1.a(), 1, a1, 24, Ipv4Address::of(198, 51, 100, 254));
  const NetifId narrow = add(p2.a(), 2, a2, 25);
  table.set_default(wide);
  // The table would take the /25; via `wide`, the destination is on its link.
  Result<IpRoute> r = route_ipv4_via(table, wide, Ipv4Address::of(198, 51, 100, 200), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, wide);
  EXPECT_EQ(r->source, a1);
  EXPECT_EQ(r->next_hop, Ipv4Address::of(198, 51, 100, 200));
  // Off `narrow`'s link and no gateway there: no route, though `wide` has one.
  EXPECT_ERROR(route_ipv4_via(table, narrow, far, {}), Error::NoRoute);
  r = route_ipv4_via(table, wide, far, {});
  ASSERT_OK(r);
  EXPECT_EQ(r->next_hop, Ipv4Address::of(198, 51, 100, 254));
  // Loopback only reaches our own addresses; an unknown or down netif nothing.
  EXPECT_ERROR(route_ipv4_via(table, NetifId{0}, far, {}), Error::NoRoute);
  r = route_ipv4_via(table, NetifId{0}, Ipv4Address::loopback(), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->netif, NetifId{0});
  EXPECT_ERROR(route_ipv4_via(table, NetifId{9}, far, {}), Error::NoRoute);
  table[narrow].up = false;
  EXPECT_ERROR(route_ipv4_via(table, narrow, Ipv4Address::of(198, 51, 100, 130), {}), Error::NetDown);
}

// A source that is none of our addresses (a socket bound to one the netif
// has since lost, a group or broadcast address) is refused, as lwIP
// (ERR_RTE) and Linux (EINVAL) refuse it, instead of leaving on whatever
// netif routes the destination.
TEST_F(RoutingTest, ASourceThatIsNotOursIsRefused) {
  const NetifId one = add(p1.a(), 1, a1, 24, Ipv4Address::of(198, 51, 100, 254));
  table.set_default(one);
  const Ipv4Address gone = Ipv4Address::of(198, 51, 100, 77);
  EXPECT_ERROR(route_ipv4(table, Ipv4Address::of(198, 51, 100, 9), gone), Error::NoRoute);
  EXPECT_ERROR(route_ipv4(table, far, gone), Error::NoRoute);
  EXPECT_ERROR(route_ipv4(table, a1, gone), Error::NoRoute);  // to ourselves too
  EXPECT_ERROR(route_ipv4(table, far, Ipv4Address::of(224, 0, 0, 1)), Error::NoRoute);
  EXPECT_ERROR(route_ipv4(table, far, Ipv4Address::of(198, 51, 100, 255)), Error::NoRoute);
  EXPECT_ERROR(route_ipv4_via(table, one, far, gone), Error::NoRoute);
  // Our own addresses, 127/8 included, still do.
  ASSERT_OK(route_ipv4(table, far, a1));
  Result<IpRoute> r = route_ipv4(table, a1, Ipv4Address::of(127, 0, 0, 1));
  ASSERT_OK(r);
  EXPECT_EQ(r->source, Ipv4Address::of(127, 0, 0, 1));
  ASSERT_OK(route_ipv4_via(table, one, far, a1));
}

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

// A netif holding `addresses` (address, prefix length, state) in its slots.
Netif netif_with(std::initializer_list<std::tuple<const char*, std::uint8_t, Ipv6AddressState>> addresses) {
  Netif n;
  std::size_t slot = 0;
  for (const auto& [text, prefix_len, state] : addresses) {
    n.ipv6[slot].address = v6(text);
    n.ipv6[slot].prefix_len = prefix_len;
    n.ipv6[slot].state = state;
    ++slot;
  }
  return n;
}

constexpr Ipv6AddressState preferred = Ipv6AddressState::Preferred;
constexpr Ipv6AddressState deprecated = Ipv6AddressState::Deprecated;

// RFC 6724 rule 6: a global destination gets the global source, a unique
// local one the unique local source, whichever slot comes first.
TEST(Ipv6SourceSelection, MatchingLabelKeepsUniqueLocalAndGlobalApart) {
  static_assert(config::ipv6_num_addresses >= 3);
  const Netif n = netif_with({{"fe80::2", 64, preferred}, {"fd00:1::2", 64, preferred}, {"2001:db8:1::2", 64, preferred}});
  EXPECT_EQ(select_ipv6_source(n, v6("2001:db8:ff::1")), v6("2001:db8:1::2"));
  EXPECT_EQ(select_ipv6_source(n, v6("fd00:2::1")), v6("fd00:1::2"));
  // Rule 2: a link-scope destination takes the link-local source; a global
  // group a global one.
  EXPECT_EQ(select_ipv6_source(n, v6("fe80::9")), v6("fe80::2"));
  EXPECT_EQ(select_ipv6_source(n, v6("ff02::1")), v6("fe80::2"));
  EXPECT_EQ(select_ipv6_source(n, v6("ff0e::1")), v6("2001:db8:1::2"));
  // Rule 1: the destination itself.
  EXPECT_EQ(select_ipv6_source(n, v6("2001:db8:1::2")), v6("2001:db8:1::2"));
}

// Rule 8: the longest prefix shared with the destination, counted up to the
// source's prefix length; rule 3 (avoid deprecated) comes before it.
TEST(Ipv6SourceSelection, LongestMatchingPrefixAfterDeprecation) {
  const Netif n = netif_with({{"fe80::2", 64, preferred}, {"2001:db8:1::2", 64, preferred}, {"2001:db8:2::2", 64, preferred}});
  EXPECT_EQ(select_ipv6_source(n, v6("2001:db8:2:5::1")), v6("2001:db8:2::2"));  // 61 bits against 46
  EXPECT_EQ(select_ipv6_source(n, v6("2001:db8:1:5::1")), v6("2001:db8:1::2"));
  // Both share 64 bits and more with 2001:db8:2::3, but the prefix length
  // caps the count: equal, so the first slot's stays.
  const Netif capped = netif_with({{"2001:db8:2::4", 48, preferred}, {"2001:db8:2::2", 48, preferred}});
  EXPECT_EQ(select_ipv6_source(capped, v6("2001:db8:2::3")), v6("2001:db8:2::4"));
  const Netif old = netif_with({{"fe80::2", 64, preferred}, {"2001:db8:1::2", 64, preferred}, {"2001:db8:2::2", 64, deprecated}});
  EXPECT_EQ(select_ipv6_source(old, v6("2001:db8:2:5::1")), v6("2001:db8:1::2"));
  // A deprecated global address still beats a link-local one for a global
  // destination (rule 2 before rule 3).
  const Netif only_deprecated = netif_with({{"fe80::2", 64, preferred}, {"2001:db8:2::2", 64, deprecated}});
  EXPECT_EQ(select_ipv6_source(only_deprecated, v6("2001:db8:9::1")), v6("2001:db8:2::2"));
}

}  // namespace
}  // namespace lwnet::routing_test
