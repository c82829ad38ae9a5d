#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/icmpv4.h"
#include "wire/ipv4.h"

namespace lwnet::wire_icmpv4_test {
namespace {

using test::hex;

// ICMP messages captured with tcpdump on a veth pair between two namespaces
// (192.0.2.1 and 192.0.2.2), Ethernet and IPv4 headers removed.

// `ping -c 1 -p 6c776e6574 192.0.2.2`: echo request, id 0x12f7, seq 1, 56
// bytes of data (timestamp, then the pattern "lwnet" repeated).
const std::vector<std::uint8_t> echo_request = hex(
    "08 00 95 a9 12 f7 00 01 95 45 05 6b 00 00 00 00 f8 fc 0b 00 00 00 00 00 77 6e 65 74 6c 77"
    "6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65"
    "74 6c");
// ... and 192.0.2.2's echo reply.
const std::vector<std::uint8_t> echo_reply = hex(
    "00 00 9d a9 12 f7 00 01 95 45 05 6b 00 00 00 00 f8 fc 0b 00 00 00 00 00 77 6e 65 74 6c 77"
    "6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65"
    "74 6c");
// `nc -u 192.0.2.2 9` with nothing listening: port unreachable, quoting the
// IPv4 header and the UDP datagram "anyone?\n".
const std::vector<std::uint8_t> port_unreachable = hex(
    "03 03 81 22 00 00 00 00 45 00 00 24 31 dc 40 00 40 11 84 e9 c0 00 02 01 c0 00 02 02 9c 41"
    "00 09 00 10 57 32 61 6e 79 6f 6e 65 3f 0a");

std::vector<std::uint8_t> emit_over(const Icmpv4Repr& repr,
                                    const std::vector<std::uint8_t>& message) {
  std::vector<std::uint8_t> out(message);
  for (std::size_t i = 0; i < Icmpv4Repr::header_len; ++i) out[i] = 0xaa;
  repr.emit(out);
  return out;
}

TEST(WireIcmpv4, ParsesCapturedEchoRequest) {
  auto icmp = Icmpv4Repr::parse(echo_request, true);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp->type, static_cast<std::uint8_t>(Icmpv4Type::EchoRequest));
  EXPECT_EQ(icmp->code, 0);
  EXPECT_EQ(icmp->identifier, 0x12f7);
  EXPECT_EQ(icmp->sequence, 1);
  EXPECT_EQ(icmp->next_hop_mtu, 0);
  ASSERT_EQ(icmp->data.size(), 56U);
  EXPECT_EQ(icmp->data.data(), echo_request.data() + 8);
}

TEST(WireIcmpv4, ParsesCapturedEchoReply) {
  auto icmp = Icmpv4Repr::parse(echo_reply, true);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp->type, static_cast<std::uint8_t>(Icmpv4Type::EchoReply));
  EXPECT_EQ(icmp->identifier, 0x12f7);
  EXPECT_EQ(icmp->sequence, 1);
  EXPECT_TRUE(std::equal(icmp->data.begin(), icmp->data.end(), echo_request.begin() + 8));
}

TEST(WireIcmpv4, ParsesCapturedPortUnreachable) {
  auto icmp = Icmpv4Repr::parse(port_unreachable, true);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp->type, static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable));
  EXPECT_EQ(icmp->code, static_cast<std::uint8_t>(Icmpv4Unreachable::Port));
  EXPECT_EQ(icmp->identifier, 0);
  EXPECT_EQ(icmp->sequence, 0);
  ASSERT_EQ(icmp->data.size(), 36U);
  auto quoted = Ipv4Repr::parse(icmp->data, true);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->destination, Ipv4Address::of(192, 0, 2, 2));
  EXPECT_EQ(load_be16(quoted->payload, 2), 9);  // the UDP destination port
}

TEST(WireIcmpv4, RoundTripIsByteExact) {
  for (const auto* message : {&echo_request, &echo_reply, &port_unreachable}) {
    auto icmp = Icmpv4Repr::parse(*message, true);
    ASSERT_TRUE(icmp.ok());
    EXPECT_EQ(test::to_hex(emit_over(*icmp, *message)), test::to_hex(*message));
  }
}

TEST(WireIcmpv4, EmitEchoReplyFromFields) {
  Icmpv4Repr icmp;
  icmp.type = static_cast<std::uint8_t>(Icmpv4Type::EchoReply);
  icmp.identifier = 0x12f7;
  icmp.sequence = 1;
  EXPECT_EQ(emit_over(icmp, echo_reply), echo_reply);
}

TEST(WireIcmpv4, FragmentationNeededCarriesTheMtu) {
  Icmpv4Repr icmp;
  icmp.type = static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable);
  icmp.code = static_cast<std::uint8_t>(Icmpv4Unreachable::FragmentationNeeded);
  icmp.next_hop_mtu = 1400;
  icmp.identifier = 0x1234;  // ignored outside echo
  std::vector<std::uint8_t> message(port_unreachable);
  icmp.emit(message);
  EXPECT_EQ(test::to_hex(ConstBytes(message).first(8)), "03 04 7b a9 00 00 05 78");
  auto parsed = Icmpv4Repr::parse(message, true);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->next_hop_mtu, 1400);
  EXPECT_EQ(parsed->identifier, 0);
  // Port unreachable has no MTU: the field is written as zero.
  icmp.code = static_cast<std::uint8_t>(Icmpv4Unreachable::Port);
  icmp.emit(message);
  EXPECT_EQ(message, port_unreachable);
}

TEST(WireIcmpv4, UnknownTypesParse) {
  std::vector<std::uint8_t> message(echo_request);
  message[0] = 42;
  auto icmp = Icmpv4Repr::parse(message, false);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp->type, 42);
  EXPECT_EQ(icmp->data.size(), 56U);
}

TEST(WireIcmpv4, TruncatedAtEveryLengthBelowHeader) {
  for (std::size_t n = 0; n < Icmpv4Repr::header_len; ++n) {
    for (bool verify : {true, false}) {
      auto icmp = Icmpv4Repr::parse(ConstBytes(echo_request).first(n), verify);
      ASSERT_FALSE(icmp.ok()) << n;
      EXPECT_EQ(icmp.error(), Error::Truncated) << n;
    }
  }
  // Cut anywhere after the header, the checksum no longer matches.
  for (std::size_t n = Icmpv4Repr::header_len; n < echo_request.size(); ++n) {
    auto icmp = Icmpv4Repr::parse(ConstBytes(echo_request).first(n), true);
    ASSERT_FALSE(icmp.ok()) << n;
    EXPECT_EQ(icmp.error(), Error::BadChecksum) << n;
  }
}

TEST(WireIcmpv4, AnyCorruptedByteFailsTheChecksum) {
  for (std::size_t i = 0; i < echo_request.size(); ++i) {
    std::vector<std::uint8_t> message(echo_request);
    message[i] ^= 0x01;
    auto icmp = Icmpv4Repr::parse(message, true);
    ASSERT_FALSE(icmp.ok()) << i;
    EXPECT_EQ(icmp.error(), Error::BadChecksum) << i;
    EXPECT_TRUE(Icmpv4Repr::parse(message, false).ok()) << i;
  }
}

}  // namespace
}  // namespace lwnet::wire_icmpv4_test
