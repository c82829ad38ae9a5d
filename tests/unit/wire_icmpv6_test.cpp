// ICMPv6 (RFC 4443): echo and every error message, from frames captured
// from Linux (ping -6 between two namespaces, a UDP datagram to a closed
// port, packets Linux answered with parameter problems, and through a
// forwarding namespace: hop limit exceeded, packet too big, fragment
// reassembly timeout). Each is parsed, re-emitted byte for byte (errors by
// emit_error from the packet Linux quoted), and malformed variants refused.
#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"

namespace lwnet::wire_icmpv6_test {
namespace {

using test::hex;

const std::vector<std::uint8_t> echo_request = hex(
    "60 07 dc c4 00 18 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 80 00 3d bf 37 db 00 01 "
    "77 91 12 6b 00 00 00 00 1e 8c 06 00 00 00 00 00");
const std::vector<std::uint8_t> echo_reply = hex(
    "60 07 e7 34 00 18 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 81 00 3c bf 37 db 00 01 "
    "77 91 12 6b 00 00 00 00 1e 8c 06 00 00 00 00 00");
const std::vector<std::uint8_t> udp_to_closed_port = hex(
    "60 02 33 d7 00 0b 11 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b e8 03 27 0f 00 0b 5b a5 "
    "68 69 0a");
const std::vector<std::uint8_t> port_unreachable = hex(
    "60 07 bd c9 00 3b 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 01 04 c5 22 00 00 00 00 "
    "60 02 33 d7 00 0b 11 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b e8 03 27 0f 00 0b 5b a5 "
    "68 69 0a");
const std::vector<std::uint8_t> unknown_next_header = hex(
    "60 00 00 00 00 08 fd 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 00 00 00 00 00 00 00 00");
const std::vector<std::uint8_t> unknown_next_header_problem = hex(
    "60 0c d3 bd 00 38 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 04 01 e7 2a 00 00 00 06 "
    "60 00 00 00 00 08 fd 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 00 00 00 00 00 00 00 00");
const std::vector<std::uint8_t> unknown_destination_option = hex(
    "60 00 00 00 00 10 3c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 80 04 00 00 00 00 "
    "80 00 24 2c 00 07 00 01");
const std::vector<std::uint8_t> unknown_option_problem = hex(
    "60 04 48 60 00 40 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 04 02 49 bd 00 00 00 2a "
    "60 00 00 00 00 10 3c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 80 04 00 00 00 00 "
    "80 00 24 2c 00 07 00 01");
const std::vector<std::uint8_t> routing_type0 = hex(
    "60 00 00 00 00 20 2b 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 02 00 01 00 00 00 00 "
    "20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 0c "
    "80 00 24 2a 00 08 00 01");
const std::vector<std::uint8_t> routing_type0_problem = hex(
    "60 0e fb 2c 00 50 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 04 00 ac db 00 00 00 2a "
    "60 00 00 00 00 20 2b 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 02 00 01 00 00 00 00 "
    "20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 0c "
    "80 00 24 2a 00 08 00 01");
const std::vector<std::uint8_t> hop_limit_one = hex(
    "60 07 69 73 00 40 3a 01 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 02 00 00 "
    "00 00 00 00 00 00 00 0b 80 00 1d 6d 41 ba 00 01 "
    "50 92 12 6b 00 00 00 00 a3 02 00 00 00 00 00 00 "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37");
const std::vector<std::uint8_t> hop_limit_exceeded = hex(
    "60 0d 1b 89 00 70 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 01 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 03 00 9d 94 00 00 00 00 "
    "60 07 69 73 00 40 3a 01 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 02 00 00 "
    "00 00 00 00 00 00 00 0b 80 00 1d 6d 41 ba 00 01 "
    "50 92 12 6b 00 00 00 00 a3 02 00 00 00 00 00 00 "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37");
const std::vector<std::uint8_t> too_big_request = hex(
    "60 07 69 73 05 80 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 02 00 00 "
    "00 00 00 00 00 00 00 0b 80 00 be 63 41 bb 00 01 "
    "50 92 12 6b 00 00 00 00 50 81 00 00 00 00 00 00 "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f "
    "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f "
    "50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f "
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f "
    "70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f "
    "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f "
    "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f "
    "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f "
    "50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f "
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f "
    "70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f "
    "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f "
    "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f "
    "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f "
    "50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f "
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f "
    "70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f "
    "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f "
    "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f "
    "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f "
    "50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f "
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f "
    "70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f "
    "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f "
    "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f "
    "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f "
    "50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f "
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f "
    "70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d 7e 7f "
    "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f "
    "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f "
    "40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f "
    "50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f "
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f "
    "70 71 72 73 74 75 76 77");
const std::vector<std::uint8_t> lone_first_fragment = hex(
    "60 00 00 00 00 30 2c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 02 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 00 01 00 00 12 34 "
    "80 00 9c 81 00 09 00 01 78 78 78 78 78 78 78 78 "
    "78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 "
    "78 78 78 78 78 78 78 78");
const std::vector<std::uint8_t> reassembly_timeout = hex(
    "60 07 c9 64 00 60 3a 3f 20 01 0d b8 00 02 00 00 "
    "00 00 00 00 00 00 00 0b 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 03 01 c8 97 00 00 00 00 "
    "60 00 00 00 00 30 2c 3f 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 02 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 00 01 00 00 12 34 "
    "80 00 9c 81 00 09 00 01 78 78 78 78 78 78 78 78 "
    "78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 "
    "78 78 78 78 78 78 78 78");
// The first 48 bytes of the 1280-byte packet too big; the rest quotes
// the first 1232 bytes of too_big_request.
const std::vector<std::uint8_t> packet_too_big_start = hex(
    "60 0d 4f 38 04 d8 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 01 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 02 00 6e 32 00 00 05 00");

struct Captured {
  Ipv6Repr ip;
  Icmpv6Repr icmp;
};

Captured parse_captured(const std::vector<std::uint8_t>& frame) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(frame);
  EXPECT_TRUE(ip.ok());
  if (!ip.ok()) return {};
  EXPECT_EQ(ip->next_header, ipv6_next_header::icmpv6);
  Result<Icmpv6Repr> icmp = Icmpv6Repr::parse(ip->payload, ip->source, ip->destination, true);
  EXPECT_TRUE(icmp.ok());
  if (!icmp.ok()) return {};
  return {*ip, *icmp};
}

// The ICMPv6 message of a captured frame (after the 40-byte header).
std::vector<std::uint8_t> message_of(const std::vector<std::uint8_t>& frame) {
  return {frame.begin() + 40, frame.end()};
}

// Re-emits an error from the packet it quotes, as Linux did.
void expect_error_reemitted(const std::vector<std::uint8_t>& error_frame,
                            const std::vector<std::uint8_t>& offending) {
  Captured c = parse_captured(error_frame);
  EXPECT_EQ(c.icmp.data.size(), offending.size());
  EXPECT_TRUE(std::equal(c.icmp.data.begin(), c.icmp.data.end(), offending.begin()));
  std::vector<std::uint8_t> out(Icmpv6Repr::error_len(offending.size()), 0xaa);
  Icmpv6Repr repr;
  repr.type = c.icmp.type;
  repr.code = c.icmp.code;
  repr.mtu = c.icmp.mtu;
  repr.pointer = c.icmp.pointer;
  Result<std::size_t> n = repr.emit_error(out, offending, c.ip.source, c.ip.destination);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, out.size());
  EXPECT_EQ(out, message_of(error_frame));
}

TEST(WireIcmpv6, EchoRequestAndReply) {
  Captured request = parse_captured(echo_request);
  EXPECT_EQ(request.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::EchoRequest));
  EXPECT_EQ(request.icmp.code, 0);
  EXPECT_EQ(request.icmp.identifier, 0x37db);
  EXPECT_EQ(request.icmp.sequence, 1);
  EXPECT_EQ(request.icmp.data.size(), 16U);
  EXPECT_EQ(request.icmp.whole_message.size(), 24U);

  Captured reply = parse_captured(echo_reply);
  EXPECT_EQ(reply.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::EchoReply));
  EXPECT_EQ(reply.icmp.identifier, 0x37db);
  EXPECT_EQ(reply.icmp.sequence, 1);

  // The reply Linux sent: the request's data behind a reply header.
  std::vector<std::uint8_t> out(8 + request.icmp.data.size(), 0xaa);
  std::copy(request.icmp.data.begin(), request.icmp.data.end(), out.begin() + 8);
  Icmpv6Repr repr;
  repr.type = static_cast<std::uint8_t>(Icmpv6Type::EchoReply);
  repr.identifier = 0x37db;
  repr.sequence = 1;
  repr.emit(out, reply.ip.source, reply.ip.destination);
  EXPECT_EQ(out, message_of(echo_reply));
  // And the request, in place over a copy of itself.
  std::vector<std::uint8_t> again = message_of(echo_request);
  std::fill(again.begin(), again.begin() + 8, std::uint8_t{0x55});
  repr.type = static_cast<std::uint8_t>(Icmpv6Type::EchoRequest);
  repr.emit(again, request.ip.source, request.ip.destination);
  EXPECT_EQ(again, message_of(echo_request));
}

TEST(WireIcmpv6, PortUnreachable) {
  Captured c = parse_captured(port_unreachable);
  EXPECT_EQ(c.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::DestinationUnreachable));
  EXPECT_EQ(c.icmp.code, static_cast<std::uint8_t>(Icmpv6Unreachable::Port));
  EXPECT_TRUE(icmpv6_is_error(c.icmp.type));
  expect_error_reemitted(port_unreachable, udp_to_closed_port);
  // The quoted packet parses as the IPv6 packet that caused it.
  Result<Ipv6Repr> quoted = Ipv6Repr::parse(c.icmp.data);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->next_header, 17);
}

TEST(WireIcmpv6, ParameterProblems) {
  Captured next_header = parse_captured(unknown_next_header_problem);
  EXPECT_EQ(next_header.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::ParameterProblem));
  EXPECT_EQ(next_header.icmp.code,
            static_cast<std::uint8_t>(Icmpv6ParameterProblem::UnrecognizedNextHeader));
  EXPECT_EQ(next_header.icmp.pointer, 6U);
  expect_error_reemitted(unknown_next_header_problem, unknown_next_header);

  Captured option = parse_captured(unknown_option_problem);
  EXPECT_EQ(option.icmp.code, static_cast<std::uint8_t>(Icmpv6ParameterProblem::UnrecognizedOption));
  EXPECT_EQ(option.icmp.pointer, 42U);
  expect_error_reemitted(unknown_option_problem, unknown_destination_option);

  Captured routing = parse_captured(routing_type0_problem);
  EXPECT_EQ(routing.icmp.code,
            static_cast<std::uint8_t>(Icmpv6ParameterProblem::ErroneousHeaderField));
  EXPECT_EQ(routing.icmp.pointer, 42U);  // the Routing Type byte
  expect_error_reemitted(routing_type0_problem, routing_type0);
}

TEST(WireIcmpv6, HopLimitExceededFromARouter) {
  Captured c = parse_captured(hop_limit_exceeded);
  EXPECT_EQ(c.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::TimeExceeded));
  EXPECT_EQ(c.icmp.code, static_cast<std::uint8_t>(Icmpv6TimeExceeded::HopLimitExceeded));
  expect_error_reemitted(hop_limit_exceeded, hop_limit_one);
}

TEST(WireIcmpv6, ReassemblyTimeoutQuotesTheFirstFragment) {
  Captured c = parse_captured(reassembly_timeout);
  EXPECT_EQ(c.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::TimeExceeded));
  EXPECT_EQ(c.icmp.code, static_cast<std::uint8_t>(Icmpv6TimeExceeded::ReassemblyTimeout));
  // The far host quotes the fragment as it arrived: one router later.
  std::vector<std::uint8_t> as_received = lone_first_fragment;
  as_received[7] = 63;
  expect_error_reemitted(reassembly_timeout, as_received);
  // What it quotes is a first fragment: offset 0, more fragments.
  Result<Ipv6Repr> quoted = Ipv6Repr::parse(c.icmp.data);
  ASSERT_TRUE(quoted.ok());
  Result<Ipv6FragmentHeader> fragment = Ipv6FragmentHeader::parse(quoted->payload);
  ASSERT_TRUE(fragment.ok());
  EXPECT_EQ(fragment->fragment_offset, 0);
  EXPECT_TRUE(fragment->more_fragments);
  EXPECT_EQ(fragment->identification, 0x1234U);
}

TEST(WireIcmpv6, PacketTooBigQuotesWhatFitsIn1280Bytes) {
  ASSERT_EQ(too_big_request.size(), 1448U);
  std::vector<std::uint8_t> frame = packet_too_big_start;
  frame.insert(frame.end(), too_big_request.begin(), too_big_request.begin() + 1232);
  ASSERT_EQ(frame.size(), ipv6_minimum_mtu);
  Captured c = parse_captured(frame);
  EXPECT_EQ(c.icmp.type, static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig));
  EXPECT_EQ(c.icmp.code, 0);
  EXPECT_EQ(c.icmp.mtu, 1280U);
  EXPECT_EQ(c.icmp.data.size(), icmpv6_max_quote_len);

  EXPECT_EQ(Icmpv6Repr::error_len(too_big_request.size()), 1240U);
  std::vector<std::uint8_t> out(1240, 0xaa);
  Icmpv6Repr repr;
  repr.type = static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig);
  repr.mtu = 1280;
  Result<std::size_t> n = repr.emit_error(out, too_big_request, c.ip.source, c.ip.destination);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1240U);
  EXPECT_EQ(out, message_of(frame));

  // The quote may already be in place (an offending packet moved 8 bytes
  // down in its own buffer): nothing is copied, the same bytes come out.
  std::vector<std::uint8_t> in_place(8 + too_big_request.size(), 0x55);
  std::copy(too_big_request.begin(), too_big_request.end(), in_place.begin() + 8);
  n = repr.emit_error(in_place, ConstBytes(in_place).subspan(8), c.ip.source, c.ip.destination);
  ASSERT_TRUE(n.ok());
  in_place.resize(*n);
  EXPECT_EQ(in_place, message_of(frame));
}

TEST(WireIcmpv6, EmitErrorRefusesWhatItCannotSend) {
  Captured c = parse_captured(hop_limit_exceeded);
  Icmpv6Repr repr;
  repr.type = static_cast<std::uint8_t>(Icmpv6Type::TimeExceeded);
  std::vector<std::uint8_t> small(Icmpv6Repr::error_len(hop_limit_one.size()) - 1);
  EXPECT_EQ(repr.emit_error(small, hop_limit_one, c.ip.source, c.ip.destination).error(),
            Error::TooBig);
  std::vector<std::uint8_t> room(Icmpv6Repr::error_len(hop_limit_one.size()));
  repr.type = static_cast<std::uint8_t>(Icmpv6Type::EchoReply);
  EXPECT_EQ(repr.emit_error(room, hop_limit_one, c.ip.source, c.ip.destination).error(),
            Error::InvalidArgument);
  // An empty quote is still a valid 8-byte error.
  repr.type = static_cast<std::uint8_t>(Icmpv6Type::DestinationUnreachable);
  Result<std::size_t> n = repr.emit_error(room, ConstBytes{}, c.ip.source, c.ip.destination);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 8U);
  EXPECT_TRUE(icmpv6_checksum_ok(ConstBytes(room).first(8), c.ip.source, c.ip.destination));
}

TEST(WireIcmpv6, MalformedMessagesAreRefused) {
  Captured c = parse_captured(echo_request);
  const std::vector<std::uint8_t> message = message_of(echo_request);
  for (std::size_t n = 0; n < Icmpv6Repr::header_len; ++n) {
    EXPECT_EQ(Icmpv6Repr::parse(ConstBytes(message).first(n), c.ip.source, c.ip.destination, true)
                  .error(),
              Error::Truncated)
        << n;
  }
  // Any flipped bit, in the message or in the pseudo-header, fails the checksum.
  for (std::size_t i = 0; i < message.size(); ++i) {
    std::vector<std::uint8_t> bad = message;
    bad[i] ^= 0x10;
    EXPECT_EQ(Icmpv6Repr::parse(bad, c.ip.source, c.ip.destination, true).error(),
              Error::BadChecksum)
        << i;
    EXPECT_TRUE(Icmpv6Repr::parse(bad, c.ip.source, c.ip.destination, false).ok());
  }
  Ipv6Address other = c.ip.destination;
  other.octets[15] ^= 1;
  EXPECT_EQ(Icmpv6Repr::parse(message, c.ip.source, other, true).error(), Error::BadChecksum);
  // A message cut short no longer verifies either (the length is summed).
  EXPECT_EQ(Icmpv6Repr::parse(ConstBytes(message).first(message.size() - 2), c.ip.source,
                              c.ip.destination, true)
                .error(),
            Error::BadChecksum);
}

}  // namespace
}  // namespace lwnet::wire_icmpv6_test
