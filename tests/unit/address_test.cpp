#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "wire/address.h"

namespace lwnet::address_test {
namespace {

std::string format(const IpAddress& a) {
  std::array<char, 46> buffer{};
  return std::string(format_ip_address(a, buffer));
}

Ipv6Address v6(std::initializer_list<std::uint16_t> groups) {
  Ipv6Address a;
  std::size_t i = 0;
  for (std::uint16_t g : groups) {
    a.octets[i++] = static_cast<std::uint8_t>(g >> 8);
    a.octets[i++] = static_cast<std::uint8_t>(g);
  }
  return a;
}

TEST(Address, ParsesDottedQuads) {
  auto a = parse_ip_address("192.0.2.1");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->is_v4());
  EXPECT_EQ(a->v4(), Ipv4Address::of(192, 0, 2, 1));
  EXPECT_EQ(a->v4().value, 0xc0000201U);
  EXPECT_EQ(parse_ip_address("0.0.0.0"), IpAddress(Ipv4Address::any()));
  EXPECT_EQ(parse_ip_address("255.255.255.255"), IpAddress(Ipv4Address::broadcast()));
}

TEST(Address, RejectsBadDottedQuads) {
  for (std::string_view text :
       {"", "192.0.2", "192.0.2.1.5", "192.0.2.256", "192.0.2.-1", "192.0.2.01", "192..2.1",
        ".192.0.2.1", "192.0.2.1.", "192.0.2.1 ", " 192.0.2.1", "192.0.2.a", "1000.0.0.1",
        "4294967297.0.0.1", "192.0.2.1/24", "0x7f.0.0.1"}) {
    EXPECT_FALSE(parse_ip_address(text)) << text;
  }
}

TEST(Address, ParsesIpv6Forms) {
  struct Case {
    std::string_view text;
    Ipv6Address address;
  };
  const Case cases[] = {
      {"2001:db8::1", v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})},
      {"2001:DB8:0:0:0:0:0:1", v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1})},
      {"::", v6({0, 0, 0, 0, 0, 0, 0, 0})},
      {"::1", v6({0, 0, 0, 0, 0, 0, 0, 1})},
      {"1::", v6({1, 0, 0, 0, 0, 0, 0, 0})},
      {"fe80::ff:fe00:1", v6({0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 1})},
      {"2001:db8:1:2:3:4:5::", v6({0x2001, 0xdb8, 1, 2, 3, 4, 5, 0})},  // "::" for one group
      {"::2001:db8:1:2:3:4:5", v6({0, 0x2001, 0xdb8, 1, 2, 3, 4, 5})},
      {"::ffff:192.0.2.1", v6({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201})},
      {"::192.0.2.1", v6({0, 0, 0, 0, 0, 0, 0xc000, 0x0201})},
      {"1:2:3:4:5:6:192.0.2.1", v6({1, 2, 3, 4, 5, 6, 0xc000, 0x0201})},
      {"64:ff9b::192.0.2.33", v6({0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221})},
  };
  for (const Case& c : cases) {
    auto a = parse_ip_address(c.text);
    ASSERT_TRUE(a) << c.text;
    ASSERT_TRUE(a->is_v6()) << c.text;
    EXPECT_EQ(a->v6(), c.address) << c.text;
  }
}

TEST(Address, RejectsBadIpv6Forms) {
  for (std::string_view text :
       {":", ":::", "1:2", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::2", "1::2:",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::1", "::ffff:192.0.2",
        "::ffff:192.0.2.256", "::192.0.2.1:1", "1:2:3:4:5:6:7:192.0.2.1", "fe80::1%eth0",
        "1:2:3:4:5:6:7:8 ", "[::1]", "::-1", ":::1"}) {
    EXPECT_FALSE(parse_ip_address(text)) << text;
  }
}

TEST(Address, FormatsIpv6PerRfc5952) {
  struct Case {
    Ipv6Address address;
    std::string_view text;
  };
  const Case cases[] = {
      {v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), "2001:db8::1"},
      {v6({0, 0, 0, 0, 0, 0, 0, 0}), "::"},
      {v6({0, 0, 0, 0, 0, 0, 0, 1}), "::1"},
      {v6({1, 0, 0, 0, 0, 0, 0, 0}), "1::"},
      // 4.2.2: a single zero group is not shortened.
      {v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}), "2001:db8:0:1:1:1:1:1"},
      // 4.2.3: the longest run is shortened; with a tie, the first.
      {v6({0x2001, 0, 0, 1, 0, 0, 0, 1}), "2001:0:0:1::1"},
      {v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), "2001:db8::1:0:0:1"},
      // 4.3: lower case; 4.1: no leading zeros.
      {v6({0x2001, 0x0db8, 0xabcd, 0x0012, 0, 0, 0x00ef, 0x0a00}), "2001:db8:abcd:12::ef:a00"},
      {v6({0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 1}), "fe80::ff:fe00:1"},
      // 5: IPv4-mapped addresses end in dotted decimal.
      {v6({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}), "::ffff:192.0.2.1"},
      {v6({0, 0, 0, 0, 0, 0xffff, 0, 0}), "::ffff:0.0.0.0"},
      {v6({1, 2, 3, 4, 5, 6, 7, 8}), "1:2:3:4:5:6:7:8"},
      {v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}),
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(format(c.address), c.text);
    // And the text reads back as the same address.
    EXPECT_EQ(parse_ip_address(c.text), IpAddress(c.address)) << c.text;
  }
}

TEST(Address, TextRoundTrips) {
  for (std::string_view text : {"192.0.2.1", "0.0.0.0", "255.255.255.255", "10.0.0.255",
                                "2001:db8::1", "::", "::1", "fe80::1", "2001:db8:0:1::",
                                "::ffff:198.51.100.7", "ff02::1:ff00:2"}) {
    auto a = parse_ip_address(text);
    ASSERT_TRUE(a) << text;
    EXPECT_EQ(format(*a), text);
  }
  // Every IPv4 address whose octets are 0, 1, 9, 10, 99, 100, 199, 200 or 255.
  const std::uint8_t octets[] = {0, 1, 9, 10, 99, 100, 199, 200, 255};
  for (std::uint8_t a : octets) {
    for (std::uint8_t b : octets) {
      for (std::uint8_t d : octets) {
        IpAddress ip = Ipv4Address::of(a, b, 2, d);
        EXPECT_EQ(parse_ip_address(format(ip)), ip) << format(ip);
      }
    }
  }
}

TEST(Address, FormatRefusesASmallBuffer) {
  std::array<char, 8> small{};
  EXPECT_TRUE(format_ip_address(Ipv4Address::of(192, 0, 2, 1), small).empty());
  std::array<char, 9> exact{};
  EXPECT_EQ(format_ip_address(Ipv4Address::of(10, 0, 0, 1), exact), "10.0.0.1");
  std::array<char, 38> one_short{};
  auto longest = v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff});
  EXPECT_TRUE(format_ip_address(longest, one_short).empty());
  std::array<char, 16> mac_short{};
  EXPECT_TRUE(format_mac_address(MacAddress::broadcast(), mac_short).empty());
  // With room to spare, the text is NUL-terminated for C callers.
  std::array<char, 46> roomy;
  roomy.fill('x');
  EXPECT_EQ(format_ip_address(longest, roomy).size(), 39U);
  EXPECT_EQ(roomy[39], '\0');
  std::array<char, 39> exact_v6;
  exact_v6.fill('x');
  EXPECT_EQ(format_ip_address(longest, exact_v6), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(Address, MacTextForms) {
  auto mac = parse_mac_address("02:00:00:00:00:01");
  ASSERT_TRUE(mac);
  EXPECT_EQ(*mac, (MacAddress{{0x02, 0, 0, 0, 0, 0x01}}));
  EXPECT_EQ(parse_mac_address("FF-ff-FF-ff-FF-ff"), MacAddress::broadcast());
  for (std::string_view text : {"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02:00:00:00:00:1",
                                "02:00:00:00:00:0g", "02:00-00:00:00:01", "02.00.00.00.00.01",
                                "0200.0000.0001", "02:00:00:00:00:001"}) {
    EXPECT_FALSE(parse_mac_address(text)) << text;
  }
  std::array<char, 18> buffer{};
  EXPECT_EQ(format_mac_address(MacAddress{{0x02, 0xab, 0, 0x0c, 0xde, 0xff}}, buffer),
            "02:ab:00:0c:de:ff");
}

TEST(Address, CidrParse) {
  auto cidr = parse_ip_cidr("192.0.2.2/24");
  ASSERT_TRUE(cidr);
  EXPECT_EQ(cidr->address, IpAddress(Ipv4Address::of(192, 0, 2, 2)));
  EXPECT_EQ(cidr->prefix_len, 24);
  auto v6cidr = parse_ip_cidr("2001:db8::2/64");
  ASSERT_TRUE(v6cidr);
  EXPECT_TRUE(v6cidr->address.is_v6());
  EXPECT_EQ(v6cidr->prefix_len, 64);
  EXPECT_TRUE(parse_ip_cidr("0.0.0.0/0"));
  EXPECT_TRUE(parse_ip_cidr("::/128"));
  for (std::string_view text : {"192.0.2.2", "192.0.2.2/", "192.0.2.2/33", "192.0.2.2/024",
                                "192.0.2.2/-1", "192.0.2.2/24/1", "/24", "2001:db8::/129",
                                "192.0.2.2/2a", "192.0.2.2 /24"}) {
    EXPECT_FALSE(parse_ip_cidr(text)) << text;
  }
}

TEST(Address, CidrContains) {
  IpCidr net{Ipv4Address::of(192, 0, 2, 2), 24};
  EXPECT_TRUE(net.contains(Ipv4Address::of(192, 0, 2, 0)));
  EXPECT_TRUE(net.contains(Ipv4Address::of(192, 0, 2, 255)));
  EXPECT_FALSE(net.contains(Ipv4Address::of(192, 0, 3, 1)));
  EXPECT_FALSE(net.contains(Ipv4Address::of(198, 51, 100, 1)));
  // Another family is never inside.
  EXPECT_FALSE(net.contains(*parse_ip_address("::ffff:192.0.2.1")));
  IpCidr all{Ipv4Address::any(), 0};
  EXPECT_TRUE(all.contains(Ipv4Address::of(203, 0, 113, 9)));
  IpCidr host{Ipv4Address::of(192, 0, 2, 2), 32};
  EXPECT_TRUE(host.contains(Ipv4Address::of(192, 0, 2, 2)));
  EXPECT_FALSE(host.contains(Ipv4Address::of(192, 0, 2, 3)));
  IpCidr odd{Ipv4Address::of(192, 0, 2, 130), 25};
  EXPECT_TRUE(odd.contains(Ipv4Address::of(192, 0, 2, 255)));
  EXPECT_FALSE(odd.contains(Ipv4Address::of(192, 0, 2, 127)));

  IpCidr net6 = *parse_ip_cidr("2001:db8:1::/48");
  EXPECT_TRUE(net6.contains(*parse_ip_address("2001:db8:1:ffff::1")));
  EXPECT_FALSE(net6.contains(*parse_ip_address("2001:db8:2::1")));
  EXPECT_FALSE(net6.contains(Ipv4Address::of(192, 0, 2, 2)));
  IpCidr net6_odd = *parse_ip_cidr("2001:db8::/33");  // a prefix ending inside a byte
  EXPECT_TRUE(net6_odd.contains(*parse_ip_address("2001:db8:7fff::1")));
  EXPECT_FALSE(net6_odd.contains(*parse_ip_address("2001:db8:8000::1")));
  EXPECT_TRUE(parse_ip_cidr("::/0")->contains(*parse_ip_address("2001:db8::1")));
  IpCidr host6 = *parse_ip_cidr("2001:db8::1/128");
  EXPECT_TRUE(host6.contains(*parse_ip_address("2001:db8::1")));
  EXPECT_FALSE(host6.contains(*parse_ip_address("2001:db8::2")));
}

TEST(Address, NetmaskAndBroadcast) {
  struct Case {
    std::uint8_t prefix;
    Ipv4Address netmask;
    Ipv4Address broadcast;
  };
  const Case cases[] = {
      {0, Ipv4Address::of(0, 0, 0, 0), Ipv4Address::of(255, 255, 255, 255)},
      {1, Ipv4Address::of(128, 0, 0, 0), Ipv4Address::of(255, 255, 255, 255)},
      {8, Ipv4Address::of(255, 0, 0, 0), Ipv4Address::of(192, 255, 255, 255)},
      {24, Ipv4Address::of(255, 255, 255, 0), Ipv4Address::of(192, 0, 2, 255)},
      {25, Ipv4Address::of(255, 255, 255, 128), Ipv4Address::of(192, 0, 2, 127)},
      {30, Ipv4Address::of(255, 255, 255, 252), Ipv4Address::of(192, 0, 2, 3)},
      // /31 (RFC 3021) and /32 have no subnet broadcast.
      {31, Ipv4Address::of(255, 255, 255, 254), Ipv4Address::broadcast()},
      {32, Ipv4Address::of(255, 255, 255, 255), Ipv4Address::broadcast()},
  };
  for (const Case& c : cases) {
    IpCidr cidr{Ipv4Address::of(192, 0, 2, 2), c.prefix};
    EXPECT_EQ(cidr.netmask_v4(), c.netmask) << int{c.prefix};
    EXPECT_EQ(cidr.broadcast_v4(), c.broadcast) << int{c.prefix};
  }
}

TEST(Address, V4Mapped) {
  auto mapped = parse_ip_address("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->v6().is_v4_mapped());
  EXPECT_EQ(Ipv4Address::from_bytes(ConstBytes(mapped->v6().octets).subspan(12)),
            Ipv4Address::of(192, 0, 2, 1));
  EXPECT_FALSE(parse_ip_address("::192.0.2.1")->v6().is_v4_mapped());
  EXPECT_FALSE(parse_ip_address("::1:ffff:c000:201")->v6().is_v4_mapped());
  EXPECT_FALSE(parse_ip_address("::fffe:c000:201")->v6().is_v4_mapped());
  // Mapped and plain IPv4 are different addresses.
  EXPECT_NE(*mapped, IpAddress(Ipv4Address::of(192, 0, 2, 1)));
}

TEST(Address, Classes) {
  EXPECT_TRUE(parse_ip_address("224.0.0.1")->is_multicast());
  EXPECT_TRUE(parse_ip_address("239.255.255.255")->is_multicast());
  EXPECT_FALSE(parse_ip_address("240.0.0.1")->is_multicast());
  EXPECT_TRUE(parse_ip_address("127.0.0.1")->is_loopback());
  EXPECT_TRUE(parse_ip_address("169.254.1.1")->v4().is_link_local());
  EXPECT_TRUE(parse_ip_address("ff02::1")->is_multicast());
  EXPECT_TRUE(parse_ip_address("::1")->is_loopback());
  EXPECT_TRUE(parse_ip_address("::")->is_unspecified());
  EXPECT_TRUE(parse_ip_address("febf::1")->v6().is_link_local());
  EXPECT_FALSE(parse_ip_address("fec0::1")->v6().is_link_local());
  EXPECT_TRUE(IpAddress{}.is_v4());
  EXPECT_TRUE(IpAddress{}.is_unspecified());
}

// In a dual-stack build the core's family checks are the address's own
// (tests/config/lwip_sizes_check.cpp checks the IPv4-only build's).
TEST(Address, CoreFamilyChecksFollowTheVersionWithIpv6) {
  const IpAddress v4 = *parse_ip_address("192.0.2.1");
  const IpAddress v6 = *parse_ip_address("2001:db8::1");
  EXPECT_TRUE(core_is_v4(v4));
  EXPECT_FALSE(core_is_v6(v4));
  EXPECT_FALSE(core_is_v4(v6));
  EXPECT_TRUE(core_is_v6(v6));
  EXPECT_FALSE(parse_ip_address("::ffff:0.0.0.0")->is_unspecified());
  EXPECT_FALSE(parse_ip_address("::ffff:224.0.0.1")->is_multicast());
  EXPECT_FALSE(parse_ip_address("::ffff:127.0.0.1")->is_loopback());
}

}  // namespace
}  // namespace lwnet::address_test
