#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "support/hex.h"
#include "wire/ip.h"
#include "wire/udp.h"

namespace lwnet::wire_udp_test {
namespace {

using test::hex;

// Frames captured with tcpdump on a veth pair between two namespaces
// (192.0.2.1 / 2001:db8::1 and 192.0.2.2 / 2001:db8::2).

// `printf 'hello lwnet\n' | nc -u -p 40000 192.0.2.2 7`.
const std::vector<std::uint8_t> udp4_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 28 9c 75 40 00 40 11 1a 4c c0 00 02 01 c0 00"
    "02 02 9c 40 00 07 00 14 4c a1 68 65 6c 6c 6f 20 6c 77 6e 65 74 0a");
// `printf 'anyone?\n' | nc -u -p 40001 192.0.2.2 9`.
const std::vector<std::uint8_t> udp4_port9_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 24 31 dc 40 00 40 11 84 e9 c0 00 02 01 c0 00"
    "02 02 9c 41 00 09 00 10 57 32 61 6e 79 6f 6e 65 3f 0a");
// `printf 'hello v6\n' | nc -6 -u -p 40002 2001:db8::2 7`.
const std::vector<std::uint8_t> udp6_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 01 16 99 00 11 11 40 20 01 0d b8 00 00 00 00 00 00"
    "00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 9c 42 00 07 00 11 43 e5 68 65"
    "6c 6c 6f 20 76 36 0a");

const IpAddress ip1 = Ipv4Address::of(192, 0, 2, 1);
const IpAddress ip2 = Ipv4Address::of(192, 0, 2, 2);
const IpAddress ip6_1 = Ipv6Address::from_bytes(ConstBytes(udp6_frame).subspan(22, 16));
const IpAddress ip6_2 = Ipv6Address::from_bytes(ConstBytes(udp6_frame).subspan(38, 16));

ConstBytes udp4_part(const std::vector<std::uint8_t>& frame) {
  return ConstBytes(frame).subspan(34);
}
ConstBytes udp6_part() { return ConstBytes(udp6_frame).subspan(54); }
std::string_view text(ConstBytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT: test output only
}
std::vector<std::uint8_t> copy(ConstBytes b) { return {b.begin(), b.end()}; }

TEST(WireUdp, ParsesCapturedIpv4Datagram) {
  auto udp = UdpRepr::parse(udp4_part(udp4_frame), ip1, ip2, true);
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(udp->source_port, 40000);
  EXPECT_EQ(udp->destination_port, 7);
  EXPECT_EQ(text(udp->payload), "hello lwnet\n");
  EXPECT_EQ(udp->payload.data(), udp4_frame.data() + 42);
}

TEST(WireUdp, ParsesCapturedIpv6Datagram) {
  ASSERT_TRUE(ip6_1.is_v6());
  auto udp = UdpRepr::parse(udp6_part(), ip6_1, ip6_2, true);
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(udp->source_port, 40002);
  EXPECT_EQ(udp->destination_port, 7);
  EXPECT_EQ(text(udp->payload), "hello v6\n");
}

TEST(WireUdp, EmitReproducesCapturedDatagrams) {
  struct Case {
    ConstBytes datagram;
    IpAddress source, destination;
  };
  for (const Case& c : {Case{udp4_part(udp4_frame), ip1, ip2},
                        Case{udp4_part(udp4_port9_frame), ip1, ip2},
                        Case{udp6_part(), ip6_1, ip6_2}}) {
    auto udp = UdpRepr::parse(c.datagram, c.source, c.destination, true);
    ASSERT_TRUE(udp.ok());
    std::vector<std::uint8_t> out = copy(c.datagram);
    ASSERT_GE(out.size(), UdpRepr::header_len);
    for (std::size_t i = 0; i < UdpRepr::header_len; ++i) out[i] = 0xaa;
    udp->emit(out, c.source, c.destination, true);
    EXPECT_EQ(test::to_hex(out), test::to_hex(c.datagram));
  }
}

TEST(WireUdp, EmitFromFields) {
  UdpRepr udp;
  udp.source_port = 40000;
  udp.destination_port = 7;
  std::vector<std::uint8_t> out(8);
  const std::string_view payload = "hello lwnet\n";
  out.insert(out.end(), payload.begin(), payload.end());
  udp.emit(out, ip1, ip2, true);
  EXPECT_EQ(out, copy(udp4_part(udp4_frame)));
}

TEST(WireUdp, EmitWithoutChecksumOverIpv4WritesZero) {
  auto udp = UdpRepr::parse(udp4_part(udp4_frame), ip1, ip2, true);
  ASSERT_TRUE(udp.ok());
  std::vector<std::uint8_t> out = copy(udp4_part(udp4_frame));
  udp->emit(out, ip1, ip2, false);
  EXPECT_EQ(load_be16(out, 6), 0);
  // Over IPv4 zero means "no checksum": accepted even when verifying.
  auto parsed = UdpRepr::parse(out, ip1, ip2, true);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(text(parsed->payload), "hello lwnet\n");
}

TEST(WireUdp, Ipv6AlwaysGetsAChecksumAndRefusesZero) {
  auto udp = UdpRepr::parse(udp6_part(), ip6_1, ip6_2, true);
  ASSERT_TRUE(udp.ok());
  std::vector<std::uint8_t> out = copy(udp6_part());
  udp->emit(out, ip6_1, ip6_2, false);
  EXPECT_EQ(out, copy(udp6_part()));
  store_be16(out, 6, 0);
  for (bool verify : {true, false}) {
    auto zero = UdpRepr::parse(out, ip6_1, ip6_2, verify);
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.error(), Error::Malformed);
  }
}

TEST(WireUdp, ComputedZeroChecksumIsSentAsFfff) {
  // Choose the last two payload bytes so that the datagram sums to zero.
  std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));  // 20 bytes, even
  store_be16(datagram, 6, 0);
  store_be16(datagram, 18, 0);
  Checksum sum = pseudo_header_checksum(ip1, ip2, IpProtocol::Udp, 20);
  std::uint16_t rest = sum.add(datagram).folded();
  store_be16(datagram, 18, static_cast<std::uint16_t>(~rest));
  UdpRepr udp;
  udp.source_port = 40000;
  udp.destination_port = 7;
  udp.emit(datagram, ip1, ip2, true);
  EXPECT_EQ(load_be16(datagram, 6), 0xffff);
  EXPECT_TRUE(UdpRepr::parse(datagram, ip1, ip2, true).ok());
}

TEST(WireUdp, TrailingBytesBeyondLengthAreNotPayload) {
  std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));
  datagram.resize(datagram.size() + 6, 0);  // Ethernet padding
  auto udp = UdpRepr::parse(datagram, ip1, ip2, true);
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(text(udp->payload), "hello lwnet\n");
}

TEST(WireUdp, TruncatedAtEveryLength) {
  ConstBytes datagram = udp4_part(udp4_frame);
  for (std::size_t n = 0; n < datagram.size(); ++n) {
    for (bool verify : {true, false}) {
      auto udp = UdpRepr::parse(datagram.first(n), ip1, ip2, verify);
      ASSERT_FALSE(udp.ok()) << n;
      EXPECT_EQ(udp.error(), Error::Truncated) << n;
    }
  }
}

TEST(WireUdp, LengthFieldMismatch) {
  // Below the header: Malformed.
  for (std::uint16_t length : std::initializer_list<std::uint16_t>{0, 1, 7}) {
    std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));
    store_be16(datagram, 4, length);
    auto udp = UdpRepr::parse(datagram, ip1, ip2, false);
    ASSERT_FALSE(udp.ok()) << length;
    EXPECT_EQ(udp.error(), Error::Malformed) << length;
  }
  // Beyond the datagram: Truncated.
  for (std::uint16_t length : std::initializer_list<std::uint16_t>{21, 1000, 0xffff}) {
    std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));
    store_be16(datagram, 4, length);
    auto udp = UdpRepr::parse(datagram, ip1, ip2, false);
    ASSERT_FALSE(udp.ok()) << length;
    EXPECT_EQ(udp.error(), Error::Truncated) << length;
  }
  // Shorter than the datagram: the rest is cut off, and the checksum (which
  // covered it) no longer matches.
  std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));
  store_be16(datagram, 4, 10);
  auto unverified = UdpRepr::parse(datagram, ip1, ip2, false);
  ASSERT_TRUE(unverified.ok());
  EXPECT_EQ(text(unverified->payload), "he");
  auto verified = UdpRepr::parse(datagram, ip1, ip2, true);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error(), Error::BadChecksum);
}

TEST(WireUdp, DestinationPortZeroIsMalformed) {
  std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));
  store_be16(datagram, 2, 0);
  auto udp = UdpRepr::parse(datagram, ip1, ip2, false);
  ASSERT_FALSE(udp.ok());
  EXPECT_EQ(udp.error(), Error::Malformed);
  // Source port 0 is allowed (RFC 768: "no reply expected").
  datagram = copy(udp4_part(udp4_frame));
  store_be16(datagram, 0, 0);
  EXPECT_TRUE(UdpRepr::parse(datagram, ip1, ip2, false).ok());
}

TEST(WireUdp, BadChecksums) {
  for (std::size_t i = 0; i < udp4_part(udp4_frame).size(); ++i) {
    if (i == 4 || i == 5) continue;  // the length field fails earlier
    std::vector<std::uint8_t> datagram = copy(udp4_part(udp4_frame));
    ASSERT_GT(datagram.size(), std::max<std::size_t>(i, 7));
    datagram[i] ^= 0x01;
    if (load_be16(datagram, 6) == 0) continue;
    auto udp = UdpRepr::parse(datagram, ip1, ip2, true);
    ASSERT_FALSE(udp.ok()) << i;
    EXPECT_EQ(udp.error(), Error::BadChecksum) << i;
  }
  // The pseudo-header counts: the same datagram to another address fails.
  auto wrong_destination =
      UdpRepr::parse(udp4_part(udp4_frame), ip1, Ipv4Address::of(192, 0, 2, 3), true);
  ASSERT_FALSE(wrong_destination.ok());
  EXPECT_EQ(wrong_destination.error(), Error::BadChecksum);
  auto wrong_v6_source = UdpRepr::parse(udp6_part(), ip6_2, ip6_2, true);
  ASSERT_FALSE(wrong_v6_source.ok());
  EXPECT_EQ(wrong_v6_source.error(), Error::BadChecksum);
}

TEST(WirePseudoHeader, MatchesTheExplicitHeaders) {
  // RFC 768: source, destination, zero, protocol, UDP length.
  std::vector<std::uint8_t> v4 = hex("c0 00 02 01 c0 00 02 02 00 11 00 14");
  EXPECT_EQ(pseudo_header_checksum(ip1, ip2, IpProtocol::Udp, 20).folded(),
            Checksum{}.add(v4).folded());
  // RFC 8200 8.1: source, destination, 32-bit length, three zeros, next header.
  std::vector<std::uint8_t> v6 = hex(
      "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02"
      "00 01 00 11 00 00 00 06");
  EXPECT_EQ(pseudo_header_checksum(ip6_1, ip6_2, IpProtocol::Tcp, 0x10011).folded(),
            Checksum{}.add(v6).folded());
}

}  // namespace
}  // namespace lwnet::wire_udp_test
