#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "support/hex.h"
#include "wire/ip.h"
#include "wire/tcp.h"

namespace lwnet::wire_tcp_test {
namespace {

using test::hex;

// Frames captured with tcpdump on a veth pair between two Linux namespaces
// (192.0.2.1 / 2001:db8::1 and 192.0.2.2 / 2001:db8::2).

// `printf 'hello tcp\n' | nc -N -p 40003 192.0.2.2 5000` against `nc -l -p 5000`:
// the SYN (MSS 1460, SACK-permitted, timestamps, NOP, window scale 10) ...
const std::vector<std::uint8_t> syn_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 3c e6 d2 40 00 40 06 cf e5 c0 00 02 01 c0 00"
    "02 02 9c 43 13 88 ef 8b b8 31 00 00 00 00 a0 02 fa f0 35 17 00 00 02 04 05 b4 04 02 08 0a e2 35"
    "5a 32 00 00 00 00 01 03 03 0a");
// ... the SYN-ACK ...
const std::vector<std::uint8_t> syn_ack_frame = hex(
    "02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 3c 00 00 40 00 40 06 b6 b8 c0 00 02 02 c0 00"
    "02 01 13 88 9c 43 fe 88 d4 fd ef 8b b8 32 a0 12 fe 88 01 fd 00 00 02 04 05 b4 04 02 08 0a dd 33"
    "7e b6 e2 35 5a 32 01 03 03 0a");
// ... the ACK (NOP NOP timestamps) ...
const std::vector<std::uint8_t> ack_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 34 e6 d3 40 00 40 06 cf ec c0 00 02 01 c0 00"
    "02 02 9c 43 13 88 ef 8b b8 32 fe 88 d4 fe 80 10 00 3f 2f 16 00 00 01 01 08 0a e2 35 5a 32 dd 33"
    "7e b6");
// ... the data segment (PSH ACK, "hello tcp\n") ...
const std::vector<std::uint8_t> data_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 3e e6 d4 40 00 40 06 cf e1 c0 00 02 01 c0 00"
    "02 02 9c 43 13 88 ef 8b b8 32 fe 88 d4 fe 80 18 00 3f 06 a4 00 00 01 01 08 0a e2 35 5a 32 dd 33"
    "7e b6 68 65 6c 6c 6f 20 74 63 70 0a");
// ... and the client's FIN.
const std::vector<std::uint8_t> fin_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 34 e6 d5 40 00 40 06 cf ea c0 00 02 01 c0 00"
    "02 02 9c 43 13 88 ef 8b b8 3c fe 88 d4 fe 80 11 00 3f 2f 0b 00 00 01 01 08 0a e2 35 5a 32 dd 33"
    "7e b6");

// Linux (192.0.2.2, `nc -l -p 5002`) receiving out-of-order data from a raw
// socket posing as 192.0.2.3: its duplicate ACKs carry 1, 2 and 3 SACK blocks.
const std::vector<std::uint8_t> sack1_frame = hex(
    "02 00 00 00 00 03 02 00 00 00 00 02 08 00 45 00 00 40 f9 e4 40 00 40 06 bc cd c0 00 02 02 c0 00"
    "02 03 13 8a 9c 45 7a ce ee a5 00 0f 42 41 b0 10 00 40 6c 43 00 00 01 01 08 0a 32 3b 28 f9 00 00"
    "13 88 01 01 05 0a 00 0f 42 a5 00 0f 43 09");
const std::vector<std::uint8_t> sack2_frame = hex(
    "02 00 00 00 00 03 02 00 00 00 00 02 08 00 45 00 00 48 f9 e5 40 00 40 06 bc c4 c0 00 02 02 c0 00"
    "02 03 13 8a 9c 45 7a ce ee a5 00 0f 42 41 d0 10 00 40 c4 0d 00 00 01 01 08 0a 32 3b 29 c2 00 00"
    "13 88 01 01 05 12 00 0f 43 6d 00 0f 43 d1 00 0f 42 a5 00 0f 43 09");
const std::vector<std::uint8_t> sack3_frame = hex(
    "02 00 00 00 00 03 02 00 00 00 00 02 08 00 45 00 00 50 f9 e6 40 00 40 06 bc bb c0 00 02 02 c0 00"
    "02 03 13 8a 9c 45 7a ce ee a5 00 0f 42 41 f0 10 00 40 1a 49 00 00 01 01 08 0a 32 3b 2a 8a 00 00"
    "13 88 01 01 05 1a 00 0f 44 35 00 0f 44 99 00 0f 43 6d 00 0f 43 d1 00 0f 42 a5 00 0f 43 09");
// The same capture: the RST that the raw-socket script sent to end it (no options).
const std::vector<std::uint8_t> rst_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 03 08 00 45 00 00 28 10 06 40 00 40 06 a6 c4 c0 00 02 03 c0 00"
    "02 02 9c 45 13 8a 00 0f 42 41 7a ce ee a5 50 04 fa f0 d5 55 00 00");

// `nc -6 -N -p 40004 2001:db8::2 5001`: the SYN over IPv6 (MSS 1440) and its SYN-ACK.
const std::vector<std::uint8_t> syn6_frame = hex(
    "02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 08 f3 82 00 28 06 40 20 01 0d b8 00 00 00 00 00 00"
    "00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 9c 44 13 89 e7 c1 84 82 00 00"
    "00 00 a0 02 fd 20 fa be 00 00 02 04 05 a0 04 02 08 0a 34 82 a4 28 00 00 00 00 01 03 03 0a");
const std::vector<std::uint8_t> syn_ack6_frame = hex(
    "02 00 00 00 00 01 02 00 00 00 00 02 86 dd 60 03 2e 29 00 28 06 40 20 01 0d b8 00 00 00 00 00 00"
    "00 00 00 00 00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 13 89 9c 44 67 51 a6 66 e7 c1"
    "84 83 a0 12 fb 04 f4 d0 00 00 02 04 05 a0 04 02 08 0a e0 ff 19 41 34 82 a4 28 01 03 03 0a");

// A captured segment with its addresses, as the IP layer hands it over.
struct Segment {
  ConstBytes bytes;
  IpAddress source;
  IpAddress destination;
};

Segment segment_of(const std::vector<std::uint8_t>& frame) {
  ConstBytes f(frame);
  if (load_be16(f, 12) == 0x86dd) {
    return {f.subspan(54), Ipv6Address::from_bytes(f.subspan(22, 16)),
            Ipv6Address::from_bytes(f.subspan(38, 16))};
  }
  std::size_t ip_header_len = std::size_t{f[14] & 0x0fU} * 4;
  return {f.subspan(14 + ip_header_len), Ipv4Address::from_bytes(f.subspan(26, 4)),
          Ipv4Address::from_bytes(f.subspan(30, 4))};
}

std::vector<std::uint8_t> copy(ConstBytes b) { return {b.begin(), b.end()}; }

Result<TcpRepr> parse(const Segment& s, bool verify = true) {
  return TcpRepr::parse(s.bytes, s.source, s.destination, verify);
}

// Builds a segment the way the stack does: payload in place behind
// header_len() bytes, then emit().
std::vector<std::uint8_t> build(const TcpRepr& tcp, ConstBytes payload, const IpAddress& source,
                                const IpAddress& destination) {
  std::vector<std::uint8_t> out(tcp.header_len(), 0xaa);
  out.insert(out.end(), payload.begin(), payload.end());
  tcp.emit(out, source, destination);
  return out;
}

const std::vector<const std::vector<std::uint8_t>*> all_frames = {
    &syn_frame,   &syn_ack_frame, &ack_frame,  &data_frame, &fin_frame,  &sack1_frame,
    &sack2_frame, &sack3_frame,   &rst_frame,  &syn6_frame, &syn_ack6_frame};

TEST(WireTcp, ParsesCapturedSyn) {
  auto tcp = parse(segment_of(syn_frame));
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->source_port, 40003);
  EXPECT_EQ(tcp->destination_port, 5000);
  EXPECT_EQ(tcp->sequence, 0xef8bb831U);
  EXPECT_EQ(tcp->acknowledgment, 0U);
  EXPECT_EQ(tcp->flags, tcp_flags::syn);
  EXPECT_TRUE(tcp->has(tcp_flags::syn));
  EXPECT_FALSE(tcp->has(tcp_flags::ack));
  EXPECT_EQ(tcp->window, 64240);
  EXPECT_EQ(tcp->urgent_pointer, 0);
  EXPECT_EQ(tcp->mss, std::optional<std::uint16_t>(1460));
  EXPECT_EQ(tcp->window_scale, std::optional<std::uint8_t>(10));
  EXPECT_TRUE(tcp->sack_permitted);
  EXPECT_EQ(tcp->timestamp, (TcpTimestamp{0xe2355a32U, 0}));
  EXPECT_EQ(tcp->sack_count, 0);
  EXPECT_TRUE(tcp->payload.empty());
  EXPECT_EQ(tcp->header_len(), 40U);
}

TEST(WireTcp, ParsesCapturedSynAck) {
  auto tcp = parse(segment_of(syn_ack_frame));
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(tcp->sequence, 0xfe88d4fdU);
  EXPECT_EQ(tcp->acknowledgment, 0xef8bb832U);
  EXPECT_EQ(tcp->window, 65160);
  EXPECT_EQ(tcp->timestamp, (TcpTimestamp{0xdd337eb6U, 0xe2355a32U}));
}

TEST(WireTcp, ParsesCapturedDataSegment) {
  auto tcp = parse(segment_of(data_frame));
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->flags, tcp_flags::psh | tcp_flags::ack);
  EXPECT_EQ(tcp->window, 63);
  EXPECT_FALSE(tcp->mss);
  EXPECT_FALSE(tcp->window_scale);
  EXPECT_FALSE(tcp->sack_permitted);
  EXPECT_EQ(tcp->timestamp, (TcpTimestamp{0xe2355a32U, 0xdd337eb6U}));
  std::string_view text(reinterpret_cast<const char*>(tcp->payload.data()),  // NOLINT
                        tcp->payload.size());
  EXPECT_EQ(text, "hello tcp\n");
  EXPECT_EQ(tcp->payload.data(), data_frame.data() + 34 + 32);
}

TEST(WireTcp, ParsesCapturedSackBlocks) {
  auto one = parse(segment_of(sack1_frame));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->sack_count, 1);
  EXPECT_EQ(one->sack_blocks[0], (TcpSackBlock{0x000f42a5, 0x000f4309}));
  EXPECT_EQ(one->acknowledgment, 0x000f4241U);

  auto three = parse(segment_of(sack3_frame));
  ASSERT_TRUE(three.ok());
  ASSERT_EQ(three->sack_count, 3);
  EXPECT_EQ(three->sack_blocks[0], (TcpSackBlock{0x000f4435, 0x000f4499}));
  EXPECT_EQ(three->sack_blocks[1], (TcpSackBlock{0x000f436d, 0x000f43d1}));
  EXPECT_EQ(three->sack_blocks[2], (TcpSackBlock{0x000f42a5, 0x000f4309}));
  EXPECT_EQ(three->timestamp, (TcpTimestamp{0x323b2a8a, 0x00001388}));
  EXPECT_EQ(three->header_len(), 60U);
}

TEST(WireTcp, ParsesCapturedIpv6Syn) {
  Segment s = segment_of(syn6_frame);
  ASSERT_TRUE(s.source.is_v6());
  auto tcp = parse(s);
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->mss, std::optional<std::uint16_t>(1440));
  EXPECT_EQ(tcp->source_port, 40004);
  EXPECT_EQ(tcp->destination_port, 5001);
}

TEST(WireTcp, RoundTripOfEveryCaptureIsByteExact) {
  for (const auto* frame : all_frames) {
    Segment s = segment_of(*frame);
    auto tcp = parse(s);
    ASSERT_TRUE(tcp.ok()) << test::to_hex(s.bytes);
    EXPECT_EQ(tcp->header_len(), std::size_t{s.bytes[12]} / 16 * 4);
    EXPECT_EQ(test::to_hex(build(*tcp, tcp->payload, s.source, s.destination)),
              test::to_hex(s.bytes));
  }
}

TEST(WireTcp, EmitSynFromFields) {
  TcpRepr tcp;
  tcp.source_port = 40003;
  tcp.destination_port = 5000;
  tcp.sequence = 0xef8bb831U;
  tcp.flags = tcp_flags::syn;
  tcp.window = 64240;
  tcp.mss = 1460;
  tcp.sack_permitted = true;
  tcp.timestamp = TcpTimestamp{0xe2355a32U, 0};
  tcp.window_scale = 10;
  Segment s = segment_of(syn_frame);
  EXPECT_EQ(build(tcp, {}, s.source, s.destination), copy(s.bytes));
}

TEST(WireTcp, EmitSackFromFields) {
  Segment s = segment_of(sack2_frame);
  TcpRepr tcp;
  tcp.source_port = 5002;
  tcp.destination_port = 40005;
  tcp.sequence = 0x7aceeea5U;
  tcp.acknowledgment = 0x000f4241U;
  tcp.flags = tcp_flags::ack;
  tcp.window = 64;
  tcp.timestamp = TcpTimestamp{0x323b29c2U, 0x1388U};
  tcp.sack_blocks[0] = {0x000f436d, 0x000f43d1};
  tcp.sack_blocks[1] = {0x000f42a5, 0x000f4309};
  tcp.sack_count = 2;
  EXPECT_EQ(build(tcp, {}, s.source, s.destination), copy(s.bytes));
}

TEST(WireTcp, OptionLayoutsWithoutTimestamps) {
  const IpAddress a = Ipv4Address::of(192, 0, 2, 1);
  const IpAddress b = Ipv4Address::of(192, 0, 2, 2);
  TcpRepr tcp;
  tcp.flags = tcp_flags::syn;
  tcp.mss = 536;
  tcp.sack_permitted = true;
  tcp.window_scale = 7;
  // MSS, NOP NOP SACK-permitted, NOP window scale: 12 option bytes.
  std::vector<std::uint8_t> out = build(tcp, {}, a, b);
  ASSERT_EQ(out.size(), 32U);
  EXPECT_EQ(test::to_hex(ConstBytes(out).subspan(20)), "02 04 02 18 01 01 04 02 01 03 03 07");
  EXPECT_EQ(out[12], 0x80);
  auto parsed = TcpRepr::parse(out, a, b, true);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->mss, std::optional<std::uint16_t>(536));
  EXPECT_TRUE(parsed->sack_permitted);
  EXPECT_EQ(parsed->window_scale, std::optional<std::uint8_t>(7));
  EXPECT_FALSE(parsed->timestamp);
}

TEST(WireTcp, HeaderLenMatchesEmitForEveryOptionCombination) {
  const IpAddress a = Ipv4Address::of(192, 0, 2, 1);
  const IpAddress b = Ipv4Address::of(192, 0, 2, 2);
  for (unsigned mask = 0; mask < 16; ++mask) {
    for (std::uint8_t sacks = 0; sacks <= 4; ++sacks) {
      TcpRepr tcp;
      tcp.source_port = 1;
      tcp.destination_port = 2;
      tcp.flags = tcp_flags::ack;
      if (mask & 1U) tcp.mss = 1460;
      if (mask & 2U) tcp.sack_permitted = true;
      if (mask & 4U) tcp.timestamp = TcpTimestamp{7, 9};
      if (mask & 8U) tcp.window_scale = 14;
      for (std::uint8_t i = 0; i < sacks; ++i) {
        tcp.sack_blocks[i] = {1000U * i, 1000U * i + 500};
      }
      tcp.sack_count = sacks;
      const std::vector<std::uint8_t> payload = {1, 2, 3};
      std::vector<std::uint8_t> out = build(tcp, payload, a, b);
      std::size_t header_len = tcp.header_len();
      SCOPED_TRACE(test::to_hex(out));
      ASSERT_EQ(out.size(), header_len + 3);
      EXPECT_EQ(header_len % 4, 0U);
      EXPECT_LE(header_len, TcpRepr::max_header_len);
      EXPECT_EQ(std::size_t{out[12]} / 16 * 4, header_len);
      auto parsed = TcpRepr::parse(out, a, b, true);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(parsed->mss, tcp.mss);
      EXPECT_EQ(parsed->sack_permitted, tcp.sack_permitted);
      EXPECT_EQ(parsed->timestamp, tcp.timestamp);
      EXPECT_EQ(parsed->window_scale, tcp.window_scale);
      // SACK blocks that fit are all kept, the first ones first.
      std::size_t room = 40U - (tcp.mss ? 4U : 0U) -
                         (tcp.timestamp ? 12U : tcp.sack_permitted ? 4U : 0U) -
                         (tcp.window_scale ? 4U : 0U);
      std::size_t fit = room >= 12 ? (room - 4) / 8 : 0;
      ASSERT_EQ(parsed->sack_count, std::min<std::size_t>(sacks, fit));
      for (std::size_t i = 0; i < parsed->sack_count; ++i) {
        EXPECT_EQ(parsed->sack_blocks[i], tcp.sack_blocks[i]);
      }
      EXPECT_EQ(copy(parsed->payload), payload);
    }
  }
}

TEST(WireTcp, UnknownOptionsAreSkipped) {
  const IpAddress a = Ipv4Address::of(192, 0, 2, 1);
  const IpAddress b = Ipv4Address::of(192, 0, 2, 2);
  // Data offset 8: a 6-byte experimental option (kind 254), MSS, NOP NOP,
  // then END followed by bytes that would be malformed if they were read.
  std::vector<std::uint8_t> segment = hex(
      "00 01 00 02 00 00 00 00 00 00 00 00 80 02 10 00 00 00 00 00"
      "fe 06 f9 89 aa bb 02 04 05 b4 01 01 00 05 00 ff");
  auto tcp = TcpRepr::parse(segment, a, b, false);
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->mss, std::optional<std::uint16_t>(1460));
  EXPECT_EQ(tcp->sack_count, 0);
}

TEST(WireTcp, TruncatedAtEveryLengthBelowHeader) {
  Segment s = segment_of(sack3_frame);  // a 60-byte header
  for (std::size_t n = 0; n < 60; ++n) {
    for (bool verify : {true, false}) {
      auto tcp = TcpRepr::parse(s.bytes.first(n), s.source, s.destination, verify);
      ASSERT_FALSE(tcp.ok()) << n;
      EXPECT_EQ(tcp.error(), Error::Truncated) << n;
    }
  }
  // TCP has no length field: a data segment cut after its header parses
  // with less payload, and only the checksum notices.
  Segment d = segment_of(data_frame);
  for (std::size_t n = 32; n < d.bytes.size(); ++n) {
    auto cut = TcpRepr::parse(d.bytes.first(n), d.source, d.destination, true);
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_EQ(cut.error(), Error::BadChecksum) << n;
    auto unverified = TcpRepr::parse(d.bytes.first(n), d.source, d.destination, false);
    ASSERT_TRUE(unverified.ok()) << n;
    EXPECT_EQ(unverified->payload.size(), n - 32) << n;
  }
}

TEST(WireTcp, DataOffsetBelowFiveIsMalformed) {
  for (std::uint8_t offset = 0; offset < 5; ++offset) {
    std::vector<std::uint8_t> segment = copy(segment_of(rst_frame).bytes);
    segment[12] = static_cast<std::uint8_t>(offset << 4);
    auto tcp = TcpRepr::parse(segment, IpAddress{}, IpAddress{}, false);
    ASSERT_FALSE(tcp.ok()) << int{offset};
    EXPECT_EQ(tcp.error(), Error::Malformed) << int{offset};
  }
  // Beyond the segment: Truncated.
  std::vector<std::uint8_t> segment = copy(segment_of(rst_frame).bytes);
  segment[12] = 0x60;
  auto tcp = TcpRepr::parse(segment, IpAddress{}, IpAddress{}, false);
  ASSERT_FALSE(tcp.ok());
  EXPECT_EQ(tcp.error(), Error::Truncated);
}

TEST(WireTcp, BadOptionLengthsAreMalformed) {
  // Each case replaces the 20 option bytes of the captured SYN.
  const char* const cases[] = {
      "02 03 05 b4 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // MSS length 3
      "02 05 05 b4 00 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // MSS length 5
      "03 04 0a 00 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // window scale length 4
      "03 02 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // window scale length 2
      "04 03 00 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // SACK-permitted length 3
      "08 08 00 00 00 01 00 00 01 01 01 01 01 01 01 01 01 01 01 01",  // timestamps length 8
      "08 0b 00 00 00 01 00 00 00 02 00 01 01 01 01 01 01 01 01 01",  // timestamps length 11
      "05 02 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // SACK without a block
      "05 0b 00 00 00 01 00 00 00 02 00 01 01 01 01 01 01 01 01 01",  // SACK length 11
      "05 1a 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04 00 01",  // 3 SACK blocks in 20 bytes
      "fe 00 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // unknown, length 0
      "fe 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01",  // unknown, length 1
      "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 fe 03",  // runs past the header
      "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 fe",  // no length byte
  };
  Segment s = segment_of(syn_frame);
  for (const char* options : cases) {
    std::vector<std::uint8_t> segment = copy(s.bytes);
    std::vector<std::uint8_t> bytes = hex(options);
    ASSERT_EQ(bytes.size(), 20U);
    std::copy(bytes.begin(), bytes.end(), segment.begin() + 20);
    auto tcp = TcpRepr::parse(segment, s.source, s.destination, false);
    ASSERT_FALSE(tcp.ok()) << options;
    EXPECT_EQ(tcp.error(), Error::Malformed) << options;
  }
}

TEST(WireTcp, SackWithFiveBlocksIsMalformed) {
  // Five blocks need 42 bytes: more than a header can hold, so the option
  // always runs past it.
  std::vector<std::uint8_t> segment(60, 0);
  segment[12] = 0xf0;
  segment[20] = 5;
  segment[21] = 42;
  auto tcp = TcpRepr::parse(segment, IpAddress{}, IpAddress{}, false);
  ASSERT_FALSE(tcp.ok());
  EXPECT_EQ(tcp.error(), Error::Malformed);
  // Four blocks (34 bytes) fit and parse.
  segment[21] = 34;
  auto four = TcpRepr::parse(segment, IpAddress{}, IpAddress{}, false);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(four->sack_count, 4);
}

TEST(WireTcp, BadChecksums) {
  Segment s = segment_of(data_frame);
  for (std::size_t i = 0; i < s.bytes.size(); ++i) {
    std::vector<std::uint8_t> segment = copy(s.bytes);
    segment[i] ^= 0x01;
    auto tcp = TcpRepr::parse(segment, s.source, s.destination, true);
    ASSERT_FALSE(tcp.ok()) << i;
    EXPECT_EQ(tcp.error(), Error::BadChecksum) << i;
  }
  Segment v6 = segment_of(syn6_frame);
  auto wrong_address = TcpRepr::parse(v6.bytes, v6.destination, v6.destination, true);
  ASSERT_FALSE(wrong_address.ok());
  EXPECT_EQ(wrong_address.error(), Error::BadChecksum);
}

}  // namespace
}  // namespace lwnet::wire_tcp_test
