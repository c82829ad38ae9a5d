#include <gtest/gtest.h>

#include <vector>

#include "apps/address_selection.h"

namespace lwnet::address_selection_test {
namespace {

IpAddress ip(const char* text) { return *parse_ip_address(text); }

std::vector<IpAddress> ordered(std::vector<IpAddress> addresses, const SourceAddresses& sources) {
  order_destinations(addresses, sources);
  return addresses;
}

TEST(AddressSelection, WithoutIpv6SourcesIpv4ComesFirst) {
  const SourceAddresses v4_only{.ipv4 = true};
  EXPECT_EQ(ordered({ip("2001:db8::1"), ip("192.0.2.1"), ip("2001:db8::2"), ip("198.51.100.1")}, v4_only),
            (std::vector<IpAddress>{ip("192.0.2.1"), ip("198.51.100.1"), ip("2001:db8::1"), ip("2001:db8::2")}));
}

TEST(AddressSelection, WithAGlobalIpv6SourceIpv6ComesFirst) {
  // RFC 6724 10.2's example: 2001:db8:1::1 and 198.51.100.121 with both
  // kinds of source: IPv6 first (precedence 40 over 35).
  const SourceAddresses dual{.ipv4 = true, .ipv6_global = true, .ipv6_link_local = true};
  EXPECT_EQ(ordered({ip("198.51.100.121"), ip("2001:db8:1::1")}, dual),
            (std::vector<IpAddress>{ip("2001:db8:1::1"), ip("198.51.100.121")}));
}

TEST(AddressSelection, OnlyLinkLocalIpv6PrefersIpv4ForGlobalNames) {
  // Rule 2: a global IPv6 destination from a link-local source is a scope
  // mismatch; IPv4 from a global IPv4 source matches.
  const SourceAddresses link_local{.ipv4 = true, .ipv6_link_local = true};
  EXPECT_EQ(ordered({ip("2001:db8::1"), ip("192.0.2.1")}, link_local),
            (std::vector<IpAddress>{ip("192.0.2.1"), ip("2001:db8::1")}));
  EXPECT_EQ(ordered({ip("2001:db8::1"), ip("fe80::1")}, link_local),
            (std::vector<IpAddress>{ip("fe80::1"), ip("2001:db8::1")}));
}

TEST(AddressSelection, Ipv6OnlyHostsPutIpv4Last) {
  const SourceAddresses v6_only{.ipv6_global = true};
  EXPECT_EQ(ordered({ip("192.0.2.1"), ip("2001:db8::1")}, v6_only),
            (std::vector<IpAddress>{ip("2001:db8::1"), ip("192.0.2.1")}));
}

TEST(AddressSelection, PrecedenceAndScopeBreakTies) {
  const SourceAddresses dual{.ipv4 = true, .ipv6_global = true};
  // Rule 6: native IPv6 (40) before 6to4 (30), unique local (3) and Teredo (5).
  EXPECT_EQ(ordered({ip("fd00::1"), ip("2002:c000:201::1"), ip("2001:0:1::1"), ip("2001:db8::1")}, dual),
            (std::vector<IpAddress>{ip("2001:db8::1"), ip("2002:c000:201::1"), ip("2001:0:1::1"), ip("fd00::1")}));
  // Loopback: ::1 has precedence 50, once the host speaks IPv6; 127.0.0.1
  // is always there.
  EXPECT_EQ(ordered({ip("127.0.0.1"), ip("::1")}, dual),
            (std::vector<IpAddress>{ip("::1"), ip("127.0.0.1")}));
  EXPECT_EQ(ordered({ip("::1"), ip("127.0.0.1")}, SourceAddresses{}),
            (std::vector<IpAddress>{ip("127.0.0.1"), ip("::1")}));
  // Rule 10: equal addresses keep the resolver's order.
  EXPECT_EQ(ordered({ip("198.51.100.2"), ip("192.0.2.9")}, dual),
            (std::vector<IpAddress>{ip("198.51.100.2"), ip("192.0.2.9")}));
}

// Rule 5: a unique local source's label (13) matches no global IPv6
// destination (label 1), while IPv4's matches IPv4's: with only a unique
// local IPv6 address, IPv4 comes first; a unique local destination has
// its matching source and so comes before a global one, after IPv4
// (precedence 3 against 35).
TEST(AddressSelection, OnlyAUniqueLocalIpv6SourcePrefersIpv4ForGlobalNames) {
  const SourceAddresses unique_local{.ipv4 = true, .ipv6_unique_local = true, .ipv6_link_local = true};
  EXPECT_EQ(ordered({ip("2001:db8::1"), ip("192.0.2.1")}, unique_local),
            (std::vector<IpAddress>{ip("192.0.2.1"), ip("2001:db8::1")}));
  EXPECT_EQ(ordered({ip("2001:db8::1"), ip("192.0.2.1"), ip("fd00:1::1")}, unique_local),
            (std::vector<IpAddress>{ip("192.0.2.1"), ip("fd00:1::1"), ip("2001:db8::1")}));
  // With a global source too, the global destination takes it and leads.
  const SourceAddresses both{.ipv4 = true, .ipv6_global = true, .ipv6_unique_local = true};
  EXPECT_EQ(ordered({ip("192.0.2.1"), ip("fd00:1::1"), ip("2001:db8::1")}, both),
            (std::vector<IpAddress>{ip("2001:db8::1"), ip("192.0.2.1"), ip("fd00:1::1")}));
}

}  // namespace
}  // namespace lwnet::address_selection_test
