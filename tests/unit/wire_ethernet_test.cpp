#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/ethernet.h"

namespace lwnet::wire_ethernet_test {
namespace {

using test::hex;

// Captured with tcpdump on a veth pair (02:00:00:00:00:01 = 192.0.2.1,
// 02:00:00:00:00:02 = 192.0.2.2): the broadcast ARP request Linux sent before
// `ping 192.0.2.2`.
const std::vector<std::uint8_t> arp_request_frame = hex(
    "ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01"
    "00 00 00 00 00 00 c0 00 02 02");

// `arping -c 1 192.0.2.2`: arping pads its request with 16 zero bytes.
const std::vector<std::uint8_t> arping_request_frame = hex(
    "ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01"
    "00 00 00 00 00 00 c0 00 02 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");

// `nc -6 -u 2001:db8::2 7` sending "hello v6\n": an IPv6 frame.
const std::vector<std::uint8_t> udp6_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 01 16 99 00 11 11 40 20 01 0d b8 00 00 00 00 00 00"
    "00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 9c 42 00 07 00 11 43 e5 68 65"
    "6c 6c 6f 20 76 36 0a");

constexpr MacAddress mac1{{0x02, 0, 0, 0, 0, 0x01}};
constexpr MacAddress mac2{{0x02, 0, 0, 0, 0, 0x02}};

TEST(WireEthernet, ParsesBroadcastArpRequest) {
  auto eth = EthernetRepr::parse(arp_request_frame);
  ASSERT_TRUE(eth.ok());
  EXPECT_EQ(eth->destination, MacAddress::broadcast());
  EXPECT_TRUE(eth->destination.is_broadcast());
  EXPECT_EQ(eth->source, mac1);
  EXPECT_EQ(eth->ethertype, static_cast<std::uint16_t>(EtherType::Arp));
  ASSERT_EQ(eth->payload.size(), 28U);
  EXPECT_EQ(eth->payload.data(), arp_request_frame.data() + 14);  // a view, not a copy
}

TEST(WireEthernet, PayloadKeepsTrailingPadding) {
  auto eth = EthernetRepr::parse(arping_request_frame);
  ASSERT_TRUE(eth.ok());
  EXPECT_EQ(eth->payload.size(), 44U);
}

TEST(WireEthernet, ParsesIpv6Frame) {
  auto eth = EthernetRepr::parse(udp6_frame);
  ASSERT_TRUE(eth.ok());
  EXPECT_EQ(eth->destination, mac2);
  EXPECT_EQ(eth->source, mac1);
  EXPECT_EQ(eth->ethertype, static_cast<std::uint16_t>(EtherType::Ipv6));
  EXPECT_EQ(eth->payload.size(), udp6_frame.size() - 14);
}

TEST(WireEthernet, EmitReproducesCapturedHeaders) {
  for (const auto* frame : {&arp_request_frame, &arping_request_frame, &udp6_frame}) {
    auto eth = EthernetRepr::parse(*frame);
    ASSERT_TRUE(eth.ok());
    std::vector<std::uint8_t> out(*frame);
    for (std::size_t i = 0; i < EthernetRepr::header_len; ++i) out[i] = 0xaa;
    eth->emit(out);
    EXPECT_EQ(out, *frame);
  }
}

TEST(WireEthernet, EmitFromFields) {
  EthernetRepr eth;
  eth.destination = MacAddress::broadcast();
  eth.source = mac1;
  eth.ethertype = static_cast<std::uint16_t>(EtherType::Arp);
  std::vector<std::uint8_t> out(arp_request_frame.size(), 0);
  std::copy(arp_request_frame.begin() + 14, arp_request_frame.end(), out.begin() + 14);
  eth.emit(out);
  EXPECT_EQ(out, arp_request_frame);
}

TEST(WireEthernet, TruncatedAtEveryLengthBelowHeader) {
  for (std::size_t n = 0; n < EthernetRepr::header_len; ++n) {
    auto eth = EthernetRepr::parse(ConstBytes(arp_request_frame).first(n));
    ASSERT_FALSE(eth.ok()) << n;
    EXPECT_EQ(eth.error(), Error::Truncated) << n;
  }
  auto header_only = EthernetRepr::parse(ConstBytes(arp_request_frame).first(14));
  ASSERT_TRUE(header_only.ok());
  EXPECT_TRUE(header_only->payload.empty());
}

TEST(WireEthernet, LengthFieldsAreUnsupported) {
  for (std::uint16_t type : std::initializer_list<std::uint16_t>{0x0000, 0x002e, 0x05dc, 0x05ff}) {
    std::vector<std::uint8_t> frame(arp_request_frame);
    store_be16(frame, 12, type);
    auto eth = EthernetRepr::parse(frame);
    ASSERT_FALSE(eth.ok()) << type;
    EXPECT_EQ(eth.error(), Error::Unsupported) << type;
  }
  // 0x0600 is the first EtherType; unknown types parse (the caller counts them).
  for (std::uint16_t type : std::initializer_list<std::uint16_t>{0x0600, 0x88cc, 0xffff}) {
    std::vector<std::uint8_t> frame(arp_request_frame);
    store_be16(frame, 12, type);
    auto eth = EthernetRepr::parse(frame);
    ASSERT_TRUE(eth.ok()) << type;
    EXPECT_EQ(eth->ethertype, type);
  }
}

TEST(WireEthernet, MacAddressClasses) {
  EXPECT_TRUE(MacAddress::broadcast().is_multicast());
  EXPECT_FALSE(MacAddress::broadcast().is_unicast());
  EXPECT_TRUE(mac1.is_unicast());
  EXPECT_FALSE(MacAddress{}.is_unicast());
  EXPECT_TRUE((MacAddress{{0x33, 0x33, 0, 0, 0, 1}}).is_multicast());
}

}  // namespace
}  // namespace lwnet::wire_ethernet_test
