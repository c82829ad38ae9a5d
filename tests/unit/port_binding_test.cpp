// Dual-stack port binding rules (transport/port_binding.h), as Linux has them.
#include <gtest/gtest.h>

#include "transport/port_binding.h"

namespace lwnet::port_binding_test {
namespace {

const IpAddress any4 = Ipv4Address{};
const IpAddress any6 = Ipv6Address{};
const IpAddress host4 = Ipv4Address::of(192, 0, 2, 2);
const IpAddress other4 = Ipv4Address::of(192, 0, 2, 3);
const IpAddress host6 = *parse_ip_address("2001:db8::2");
const IpAddress other6 = *parse_ip_address("2001:db8::3");
const IpAddress mapped4 = *parse_ip_address("::ffff:192.0.2.2");

TEST(PortBinding, UnmapGivesTheIpv4AddressOfAMappedOne) {
  EXPECT_EQ(unmap_v4(mapped4), host4);
  EXPECT_TRUE(unmap_v4(mapped4).is_v4());
  EXPECT_EQ(unmap_v4(host6), host6);
  EXPECT_EQ(unmap_v4(host4), host4);
  EXPECT_TRUE(unmap_v4(any6).is_v6());  // :: is not mapped
}

TEST(PortBinding, SameFamilyOverlapsOnWildcardOrEqualAddress) {
  EXPECT_TRUE(bindings_overlap(any4, false, host4, false));
  EXPECT_TRUE(bindings_overlap(host4, false, any4, false));
  EXPECT_TRUE(bindings_overlap(host4, false, host4, false));
  EXPECT_FALSE(bindings_overlap(host4, false, other4, false));
  EXPECT_TRUE(bindings_overlap(any6, true, host6, true));
  EXPECT_TRUE(bindings_overlap(host6, false, host6, true));
  EXPECT_FALSE(bindings_overlap(host6, false, other6, false));
}

TEST(PortBinding, DualStackWildcardTakesTheIpv4SideToo) {
  // :: without IPV6_V6ONLY conflicts with 0.0.0.0 and with any IPv4 address.
  EXPECT_TRUE(bindings_overlap(any6, false, any4, false));
  EXPECT_TRUE(bindings_overlap(any4, false, any6, false));
  EXPECT_TRUE(bindings_overlap(host4, false, any6, false));
  // With IPV6_V6ONLY the families are separate.
  EXPECT_FALSE(bindings_overlap(any6, true, any4, false));
  EXPECT_FALSE(bindings_overlap(any4, false, any6, true));
  // A specific IPv6 address never covers IPv4.
  EXPECT_FALSE(bindings_overlap(host6, false, any4, false));
  EXPECT_FALSE(bindings_overlap(any4, false, host6, false));
}

TEST(PortBinding, MappedAddressIsAnIpv4Binding) {
  EXPECT_TRUE(bindings_overlap(mapped4, false, host4, false));
  EXPECT_TRUE(bindings_overlap(mapped4, false, any4, false));
  EXPECT_FALSE(bindings_overlap(mapped4, false, other4, false));
  EXPECT_TRUE(bindings_overlap(mapped4, false, any6, false));
  EXPECT_FALSE(bindings_overlap(mapped4, false, any6, true));
}

TEST(PortBinding, AcceptsByFamilyAndV6Only) {
  EXPECT_TRUE(binding_accepts(any4, false, host4));
  EXPECT_FALSE(binding_accepts(any4, false, host6));
  EXPECT_TRUE(binding_accepts(any6, false, host6));
  EXPECT_TRUE(binding_accepts(any6, false, host4));
  EXPECT_FALSE(binding_accepts(any6, true, host4));
  EXPECT_TRUE(binding_accepts(any6, true, host6));
  EXPECT_TRUE(binding_accepts(mapped4, false, host4));
  EXPECT_FALSE(binding_accepts(mapped4, false, other4));
  EXPECT_TRUE(binding_accepts(host6, false, host6));
  EXPECT_FALSE(binding_accepts(host6, false, other6));
}

}  // namespace
}  // namespace lwnet::port_binding_test
