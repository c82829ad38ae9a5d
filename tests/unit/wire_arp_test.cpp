#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/arp.h"

namespace lwnet::wire_arp_test {
namespace {

using test::hex;

// Captured with tcpdump on a veth pair (02:00:00:00:00:01 = 192.0.2.1,
// 02:00:00:00:00:02 = 192.0.2.2), Ethernet header removed.
// Linux asking for 192.0.2.2 before `ping 192.0.2.2`.
const std::vector<std::uint8_t> request = hex(
    "00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01 00 00 00 00 00 00 c0 00 02 02");
// 192.0.2.2's reply.
const std::vector<std::uint8_t> reply = hex(
    "00 01 08 00 06 04 00 02 02 00 00 00 00 02 c0 00 02 02 02 00 00 00 00 01 c0 00 02 01");
// `arping -c 1 192.0.2.2`: the request with arping's 16 bytes of padding.
const std::vector<std::uint8_t> arping_request = hex(
    "00 01 08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01 00 00 00 00 00 00 c0 00 02 02"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");

constexpr MacAddress mac1{{0x02, 0, 0, 0, 0, 0x01}};
constexpr MacAddress mac2{{0x02, 0, 0, 0, 0, 0x02}};
constexpr Ipv4Address ip1 = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address ip2 = Ipv4Address::of(192, 0, 2, 2);

TEST(WireArp, ParsesCapturedRequest) {
  auto arp = ArpRepr::parse(request);
  ASSERT_TRUE(arp.ok());
  EXPECT_EQ(arp->operation, ArpOperation::Request);
  EXPECT_EQ(arp->sender_mac, mac1);
  EXPECT_EQ(arp->sender_ip, ip1);
  EXPECT_EQ(arp->target_mac, MacAddress{});
  EXPECT_EQ(arp->target_ip, ip2);
}

TEST(WireArp, ParsesCapturedReply) {
  auto arp = ArpRepr::parse(reply);
  ASSERT_TRUE(arp.ok());
  EXPECT_EQ(arp->operation, ArpOperation::Reply);
  EXPECT_EQ(arp->sender_mac, mac2);
  EXPECT_EQ(arp->sender_ip, ip2);
  EXPECT_EQ(arp->target_mac, mac1);
  EXPECT_EQ(arp->target_ip, ip1);
}

TEST(WireArp, IgnoresTrailingPadding) {
  auto arp = ArpRepr::parse(arping_request);
  ASSERT_TRUE(arp.ok());
  EXPECT_EQ(arp->operation, ArpOperation::Request);
  EXPECT_EQ(arp->target_ip, ip2);
}

TEST(WireArp, EmitFromFieldsMatchesCapture) {
  ArpRepr arp;
  arp.operation = ArpOperation::Reply;
  arp.sender_mac = mac2;
  arp.sender_ip = ip2;
  arp.target_mac = mac1;
  arp.target_ip = ip1;
  std::vector<std::uint8_t> out(ArpRepr::packet_len, 0xee);
  arp.emit(out);
  EXPECT_EQ(out, reply);
}

TEST(WireArp, RoundTripIsByteExact) {
  for (const auto* packet : {&request, &reply, &arping_request}) {
    auto arp = ArpRepr::parse(*packet);
    ASSERT_TRUE(arp.ok());
    std::vector<std::uint8_t> out(ArpRepr::packet_len, 0xee);
    arp->emit(out);
    EXPECT_EQ(out, std::vector<std::uint8_t>(packet->begin(), packet->begin() + 28));
  }
}

TEST(WireArp, TruncatedAtEveryLength) {
  for (std::size_t n = 0; n < ArpRepr::packet_len; ++n) {
    auto arp = ArpRepr::parse(ConstBytes(request).first(n));
    ASSERT_FALSE(arp.ok()) << n;
    EXPECT_EQ(arp.error(), Error::Truncated) << n;
  }
}

TEST(WireArp, OtherHardwareOrProtocolIsUnsupported) {
  struct Case {
    std::size_t offset;
    std::uint8_t value;
  };
  // Hardware type 6 (IEEE 802), protocol 0x86dd, hardware length 8,
  // protocol length 16.
  for (Case c : {Case{1, 6}, Case{2, 0x86}, Case{3, 0xdd}, Case{4, 8}, Case{5, 16}, Case{5, 0}}) {
    std::vector<std::uint8_t> packet(request);
    packet[c.offset] = c.value;
    auto arp = ArpRepr::parse(packet);
    ASSERT_FALSE(arp.ok()) << c.offset;
    EXPECT_EQ(arp.error(), Error::Unsupported) << c.offset;
  }
}

TEST(WireArp, ShortPacketOfOtherHardwareIsUnsupportedNotTruncated) {
  // An ARP for a hardware type with 2-byte addresses is shorter than ours;
  // its type, not its length, is the reason to drop it.
  std::vector<std::uint8_t> packet =
      hex("00 07 08 00 02 04 00 01 aa bb c0 00 02 01 cc dd c0 00 02 02");
  auto arp = ArpRepr::parse(packet);
  ASSERT_FALSE(arp.ok());
  EXPECT_EQ(arp.error(), Error::Unsupported);
}

TEST(WireArp, UnknownOperationIsMalformed) {
  for (std::uint16_t op : std::initializer_list<std::uint16_t>{0, 3, 4, 0x0100, 0xffff}) {
    std::vector<std::uint8_t> packet(request);
    store_be16(packet, 6, op);
    auto arp = ArpRepr::parse(packet);
    ASSERT_FALSE(arp.ok()) << op;
    EXPECT_EQ(arp.error(), Error::Malformed) << op;
  }
}

}  // namespace
}  // namespace lwnet::wire_arp_test
