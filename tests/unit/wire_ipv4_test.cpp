#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "util/checksum.h"
#include "wire/icmpv4.h"
#include "wire/ipv4.h"

namespace lwnet::wire_ipv4_test {
namespace {

using test::hex;

// Frames captured with tcpdump on a veth pair between two namespaces
// (02:00:00:00:00:01 = 192.0.2.1, 02:00:00:00:00:02 = 192.0.2.2).

// `ping -c 1 -p 6c776e6574 192.0.2.2`: the echo request (DF set, id 0xc080).
const std::vector<std::uint8_t> ping_request_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 54 c0 80 40 00 40 01 f6 24 c0 00 02 01 c0 00"
    "02 02 08 00 95 a9 12 f7 00 01 95 45 05 6b 00 00 00 00 f8 fc 0b 00 00 00 00 00 77 6e 65 74 6c 77"
    "6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65"
    "74 6c");
// ... and the echo reply (no DF, id 0x147b).
const std::vector<std::uint8_t> ping_reply_frame = hex(
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 54 14 7b 00 00 40 01 e2 2a c0 00 02 02 c0 00"
    "02 01 00 00 9d a9 12 f7 00 01 95 45 05 6b 00 00 00 00 f8 fc 0b 00 00 00 00 00 77 6e 65 74 6c 77"
    "6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65 74 6c 77 6e 65"
    "74 6c");
// `nc -u 192.0.2.2 9` (nothing listening): Linux's ICMP port unreachable,
// TOS 0xc0 (network control).
const std::vector<std::uint8_t> port_unreachable_frame = hex(
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 c0 00 40 19 af 00 00 40 01 dc 4a c0 00 02 02 c0 00"
    "02 01 03 03 81 22 00 00 00 00 45 00 00 24 31 dc 40 00 40 11 84 e9 c0 00 02 01 c0 00 02 02 9c 41"
    "00 09 00 10 57 32 61 6e 79 6f 6e 65 3f 0a");
// `ping -R -c 1 192.0.2.2`: IHL 15, options NOP + record route (length 39).
const std::vector<std::uint8_t> record_route_request_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 4f 00 00 7c d0 6b 40 00 40 01 f2 00 c0 00 02 01 c0 00"
    "02 02 01 07 27 08 c0 00 02 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 08 00 ed 5b 14 fc 00 01 c8 45 05 6b 00 00 00 00 65 23 04 00 00 00"
    "00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d"
    "2e 2f 30 31 32 33 34 35 36 37");
// ... and its reply: record route then END.
const std::vector<std::uint8_t> record_route_reply_frame = hex(
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 4f 00 00 7c 33 9a 00 00 40 01 9a 76 c0 00 02 02 c0 00"
    "02 01 07 27 10 c0 00 02 01 c0 00 02 02 c0 00 02 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 f5 5b 14 fc 00 01 c8 45 05 6b 00 00 00 00 65 23 04 00 00 00"
    "00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d"
    "2e 2f 30 31 32 33 34 35 36 37");

// `ping -c 1 -s 3000 192.0.2.2`: three fragments of id 0xc83e. Their ICMP
// data is a 16-byte timestamp and then ping's pattern (byte i of the data
// is i mod 256), so the two full-size fragments are written as their headers
// plus the generated pattern; fragments_match_the_ping_pattern below proves
// the result is the captured datagram (its ICMP checksum verifies).
const std::vector<std::uint8_t> fragment0_prefix = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 05 dc c8 3e 20 00 40 01 08 df c0 00 02 01 c0 00"
    "02 02 08 00 91 53 13 70 00 01 a9 45 05 6b 00 00 00 00 c3 dc 01 00 00 00 00 00");
const std::vector<std::uint8_t> fragment1_prefix = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 05 dc c8 3e 20 b9 40 01 08 26 c0 00 02 01 c0 00"
    "02 02");
const std::vector<std::uint8_t> fragment2_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 44 c8 3e 01 72 40 01 2d 05 c0 00 02 01 c0 00"
    "02 02 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5"
    "a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7");

// Completes a fragment: ICMP message bytes from `first_icmp_byte` on follow
// the prefix until the frame is 1514 bytes long.
std::vector<std::uint8_t> full_fragment(const std::vector<std::uint8_t>& prefix,
                                        std::size_t first_icmp_byte) {
  std::vector<std::uint8_t> frame(prefix);
  for (std::size_t k = first_icmp_byte; frame.size() < 1514; ++k) {
    frame.push_back(static_cast<std::uint8_t>((k - 8) & 0xff));
  }
  return frame;
}

ConstBytes ip_part(const std::vector<std::uint8_t>& frame) { return ConstBytes(frame).subspan(14); }

constexpr Ipv4Address ip1 = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address ip2 = Ipv4Address::of(192, 0, 2, 2);

// Recomputes the header checksum after a test changed a header byte.
void fix_checksum(std::vector<std::uint8_t>& packet) {
  std::size_t header_len = std::size_t{packet[0] & 0x0fU} * 4;
  store_be16(packet, 10, 0);
  store_be16(packet, 10, internet_checksum(ConstBytes(packet).first(header_len)));
}

// Emits `repr` over a copy of `packet` whose header bytes were wiped, with
// the payload left in place, and returns the result.
std::vector<std::uint8_t> emit_over(const Ipv4Repr& repr, ConstBytes packet) {
  std::vector<std::uint8_t> out(packet.begin(), packet.end());
  for (std::size_t i = 0; i < Ipv4Repr::min_header_len; ++i) out[i] = 0xaa;
  repr.emit(out);
  return out;
}

TEST(WireIpv4, ParsesCapturedEchoRequest) {
  auto ip = Ipv4Repr::parse(ip_part(ping_request_frame), true);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->source, ip1);
  EXPECT_EQ(ip->destination, ip2);
  EXPECT_EQ(ip->protocol, static_cast<std::uint8_t>(IpProtocol::Icmp));
  EXPECT_EQ(ip->ttl, 64);
  EXPECT_EQ(ip->tos, 0);
  EXPECT_EQ(ip->identification, 0xc080);
  EXPECT_TRUE(ip->dont_fragment);
  EXPECT_FALSE(ip->more_fragments);
  EXPECT_EQ(ip->fragment_offset, 0);
  EXPECT_FALSE(ip->is_fragment());
  EXPECT_EQ(ip->header_len, 20U);
  EXPECT_EQ(ip->payload.size(), 64U);
  EXPECT_EQ(ip->payload_len, 64U);
  EXPECT_EQ(ip->payload.data(), ping_request_frame.data() + 34);
}

TEST(WireIpv4, ParsesCapturedEchoReplyAndIcmpError) {
  auto reply = Ipv4Repr::parse(ip_part(ping_reply_frame), true);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->source, ip2);
  EXPECT_EQ(reply->destination, ip1);
  EXPECT_EQ(reply->identification, 0x147b);
  EXPECT_FALSE(reply->dont_fragment);

  auto error = Ipv4Repr::parse(ip_part(port_unreachable_frame), true);
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->tos, 0xc0);
  EXPECT_EQ(error->identification, 0x19af);
  EXPECT_EQ(error->payload.size(), 44U);
  // The quoted datagram inside is itself a valid IPv4 header (its UDP part cut).
  auto quoted = Ipv4Repr::parse(error->payload.subspan(8), true);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->protocol, static_cast<std::uint8_t>(IpProtocol::Udp));
  EXPECT_EQ(quoted->identification, 0x31dc);
}

TEST(WireIpv4, EmitReproducesCapturedHeaders) {
  for (const auto* frame : {&ping_request_frame, &ping_reply_frame, &port_unreachable_frame,
                            &fragment2_frame}) {
    ConstBytes packet = ip_part(*frame);
    auto ip = Ipv4Repr::parse(packet, true);
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(test::to_hex(emit_over(*ip, packet)), test::to_hex(packet));
  }
}

TEST(WireIpv4, EmitFromFieldsMatchesCapture) {
  Ipv4Repr ip;
  ip.source = ip1;
  ip.destination = ip2;
  ip.protocol = static_cast<std::uint8_t>(IpProtocol::Icmp);
  ip.ttl = 64;
  ip.identification = 0xc080;
  ip.dont_fragment = true;
  ip.payload_len = 64;
  ConstBytes packet = ip_part(ping_request_frame);
  EXPECT_EQ(emit_over(ip, packet), std::vector<std::uint8_t>(packet.begin(), packet.end()));
}

TEST(WireIpv4, FragmentsParseAndEmit) {
  const std::vector<std::uint8_t> frames[3] = {full_fragment(fragment0_prefix, 24),
                                               full_fragment(fragment1_prefix, 1480),
                                               fragment2_frame};
  const std::uint16_t offsets[3] = {0, 1480, 2960};
  const std::size_t sizes[3] = {1480, 1480, 48};
  for (int i = 0; i < 3; ++i) {
    ConstBytes packet = ip_part(frames[i]);
    auto ip = Ipv4Repr::parse(packet, true);
    ASSERT_TRUE(ip.ok()) << i;
    EXPECT_EQ(ip->identification, 0xc83e);
    EXPECT_FALSE(ip->dont_fragment);
    EXPECT_EQ(ip->more_fragments, i != 2) << i;
    EXPECT_EQ(ip->fragment_offset, offsets[i]) << i;
    EXPECT_TRUE(ip->is_fragment()) << i;
    EXPECT_EQ(ip->payload.size(), sizes[i]) << i;
    EXPECT_EQ(emit_over(*ip, packet), std::vector<std::uint8_t>(packet.begin(), packet.end())) << i;
  }
}

TEST(WireIpv4, FragmentsMatchThePingPattern) {
  // Reassembled by hand, the three payloads are a 3008-byte echo request
  // whose checksum verifies: the generated fragments are the captured ones.
  std::vector<std::uint8_t> datagram;
  for (const auto& frame : {full_fragment(fragment0_prefix, 24),
                            full_fragment(fragment1_prefix, 1480), fragment2_frame}) {
    auto ip = Ipv4Repr::parse(ip_part(frame), true);
    ASSERT_TRUE(ip.ok());
    datagram.insert(datagram.end(), ip->payload.begin(), ip->payload.end());
  }
  ASSERT_EQ(datagram.size(), 3008U);
  auto icmp = Icmpv4Repr::parse(datagram, true);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp->type, static_cast<std::uint8_t>(Icmpv4Type::EchoRequest));
  EXPECT_EQ(icmp->identifier, 0x1370);
}

TEST(WireIpv4, OptionsAreSkipped) {
  for (const auto* frame : {&record_route_request_frame, &record_route_reply_frame}) {
    auto ip = Ipv4Repr::parse(ip_part(*frame), true);
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip->header_len, 60U);
    EXPECT_EQ(ip->payload.size(), 64U);
    EXPECT_EQ(ip->payload.data(), frame->data() + 14 + 60);
    EXPECT_EQ(ip->protocol, static_cast<std::uint8_t>(IpProtocol::Icmp));
    EXPECT_TRUE(Icmpv4Repr::parse(ip->payload, true).ok());
  }
}

TEST(WireIpv4, EmitWritesNoOptions) {
  // Forwarding a datagram with options rebuilds a plain 20-byte header
  // that still describes the same payload.
  auto ip = Ipv4Repr::parse(ip_part(record_route_request_frame), true);
  ASSERT_TRUE(ip.ok());
  std::vector<std::uint8_t> out(20 + ip->payload.size());
  std::copy(ip->payload.begin(), ip->payload.end(), out.begin() + 20);
  ip->emit(out);
  EXPECT_EQ(test::to_hex(ConstBytes(out).first(20)),
            "45 00 00 54 d0 6b 40 00 40 01 e6 39 c0 00 02 01 c0 00 02 02");
  auto again = Ipv4Repr::parse(out, true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->header_len, 20U);
  EXPECT_TRUE(std::equal(again->payload.begin(), again->payload.end(), ip->payload.begin(),
                         ip->payload.end()));
}

TEST(WireIpv4, EthernetPaddingIsCutOff) {
  // The UDP datagram of `nc -u 192.0.2.2 9` is 36 bytes; padded to a
  // minimum-size frame it arrives with 10 more.
  std::vector<std::uint8_t> packet = hex(
      "45 00 00 24 31 dc 40 00 40 11 84 e9 c0 00 02 01 c0 00 02 02 9c 41 00 09 00 10 57 32 61 6e 79 6f"
      "6e 65 3f 0a");
  packet.resize(46, 0);
  auto ip = Ipv4Repr::parse(packet, true);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->payload.size(), 16U);
}

TEST(WireIpv4, TruncatedAtEveryLength) {
  ConstBytes packet = ip_part(ping_request_frame);
  for (std::size_t n = 0; n < packet.size(); ++n) {
    for (bool verify : {true, false}) {
      auto ip = Ipv4Repr::parse(packet.first(n), verify);
      ASSERT_FALSE(ip.ok()) << n;
      EXPECT_EQ(ip.error(), Error::Truncated) << n;
    }
  }
  // Options: cut inside the 60-byte header.
  ConstBytes with_options = ip_part(record_route_request_frame);
  for (std::size_t n = 20; n < 60; ++n) {
    auto ip = Ipv4Repr::parse(with_options.first(n), false);
    ASSERT_FALSE(ip.ok()) << n;
    EXPECT_EQ(ip.error(), Error::Truncated) << n;
  }
}

TEST(WireIpv4, OtherVersionsAreUnsupported) {
  for (std::uint8_t first : std::initializer_list<std::uint8_t>{0x05, 0x35, 0x65, 0xf5}) {
    std::vector<std::uint8_t> packet(ping_request_frame.begin() + 14, ping_request_frame.end());
    packet[0] = first;
    auto ip = Ipv4Repr::parse(packet, false);
    ASSERT_FALSE(ip.ok()) << int{first};
    EXPECT_EQ(ip.error(), Error::Unsupported) << int{first};
  }
}

TEST(WireIpv4, HeaderLengthBelowFiveIsMalformed) {
  for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
    std::vector<std::uint8_t> packet(ping_request_frame.begin() + 14, ping_request_frame.end());
    packet[0] = static_cast<std::uint8_t>(0x40 | ihl);
    auto ip = Ipv4Repr::parse(packet, false);
    ASSERT_FALSE(ip.ok()) << int{ihl};
    EXPECT_EQ(ip.error(), Error::Malformed) << int{ihl};
  }
}

TEST(WireIpv4, TotalLengthChecks) {
  std::vector<std::uint8_t> base(ping_request_frame.begin() + 14, ping_request_frame.end());
  // Shorter than the header: Malformed.
  for (std::uint16_t total : std::initializer_list<std::uint16_t>{0, 1, 19}) {
    std::vector<std::uint8_t> packet(base);
    store_be16(packet, 2, total);
    fix_checksum(packet);
    auto ip = Ipv4Repr::parse(packet, true);
    ASSERT_FALSE(ip.ok()) << total;
    EXPECT_EQ(ip.error(), Error::Malformed) << total;
  }
  // Shorter than an options header: Malformed.
  std::vector<std::uint8_t> options(record_route_request_frame.begin() + 14,
                                    record_route_request_frame.end());
  store_be16(options, 2, 59);
  fix_checksum(options);
  auto short_total = Ipv4Repr::parse(options, true);
  ASSERT_FALSE(short_total.ok());
  EXPECT_EQ(short_total.error(), Error::Malformed);
  // Longer than what arrived: Truncated.
  for (std::uint16_t total : std::initializer_list<std::uint16_t>{85, 1500, 0xffff}) {
    std::vector<std::uint8_t> packet(base);
    store_be16(packet, 2, total);
    fix_checksum(packet);
    auto ip = Ipv4Repr::parse(packet, true);
    ASSERT_FALSE(ip.ok()) << total;
    EXPECT_EQ(ip.error(), Error::Truncated) << total;
  }
  // Exactly the header: an empty payload.
  std::vector<std::uint8_t> packet(base);
  store_be16(packet, 2, 20);
  fix_checksum(packet);
  auto empty = Ipv4Repr::parse(packet, true);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->payload.empty());
}

TEST(WireIpv4, EveryCorruptedHeaderByteFailsTheChecksum) {
  for (std::size_t i = 0; i < 20; ++i) {
    if (i == 0 || i == 2 || i == 3) continue;  // version/IHL and total length fail earlier
    std::vector<std::uint8_t> packet(ping_request_frame.begin() + 14, ping_request_frame.end());
    packet[i] ^= 0x01;
    auto ip = Ipv4Repr::parse(packet, true);
    ASSERT_FALSE(ip.ok()) << i;
    EXPECT_EQ(ip.error(), Error::BadChecksum) << i;
    EXPECT_TRUE(Ipv4Repr::parse(packet, false).ok()) << i;
  }
}

TEST(WireIpv4, BadOptionLengthsAreMalformed) {
  // Record route's length byte is at header offset 22 (after a NOP).
  for (std::uint8_t length : std::initializer_list<std::uint8_t>{0, 1, 40, 41, 0xff}) {
    std::vector<std::uint8_t> packet(record_route_request_frame.begin() + 14,
                                     record_route_request_frame.end());
    packet[22] = length;
    fix_checksum(packet);
    auto ip = Ipv4Repr::parse(packet, true);
    ASSERT_FALSE(ip.ok()) << int{length};
    EXPECT_EQ(ip.error(), Error::Malformed) << int{length};
  }
  // 39 (as captured) fills the header exactly after the NOP.
  std::vector<std::uint8_t> packet(record_route_request_frame.begin() + 14,
                                   record_route_request_frame.end());
  EXPECT_EQ(packet[22], 39);
  EXPECT_TRUE(Ipv4Repr::parse(packet, true).ok());
}

TEST(WireIpv4, OptionWithoutLengthByteIsMalformed) {
  // IHL 6: NOP NOP NOP and a record-route kind in the last option byte.
  std::vector<std::uint8_t> packet = hex(
      "46 00 00 18 00 01 00 00 40 01 00 00 c0 00 02 01 c0 00 02 02 01 01 01 07");
  fix_checksum(packet);
  auto ip = Ipv4Repr::parse(packet, true);
  ASSERT_FALSE(ip.ok());
  EXPECT_EQ(ip.error(), Error::Malformed);
  // The same with END first: nothing after END is read.
  packet[20] = 0;
  fix_checksum(packet);
  EXPECT_TRUE(Ipv4Repr::parse(packet, true).ok());
}

TEST(WireIpv4, FragmentEndingPast65535IsMalformed) {
  std::vector<std::uint8_t> packet(fragment2_frame.begin() + 14, fragment2_frame.end());
  // Offset 8186 * 8 = 65488: 48 bytes of data end at 65536 plus a header.
  store_be16(packet, 6, 8186);
  fix_checksum(packet);
  auto ip = Ipv4Repr::parse(packet, true);
  ASSERT_FALSE(ip.ok());
  EXPECT_EQ(ip.error(), Error::Malformed);
  // The last offset whose data still fits: 65535 - 20 - 48 = 65467 -> 8183 * 8 = 65464.
  store_be16(packet, 6, 8183);
  fix_checksum(packet);
  auto fits = Ipv4Repr::parse(packet, true);
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->fragment_offset, 65464);
}

}  // namespace
}  // namespace lwnet::wire_ipv4_test
