// IGMPv2 messages (RFC 2236) and the IPv4 Router Alert option (RFC 2113)
// they travel with: exact bytes both ways, and every malformed variant.
#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/igmp.h"
#include "wire/ipv4.h"

namespace lwnet::wire_igmp_test {
namespace {

using test::hex;

constexpr Ipv4Address group = Ipv4Address::of(239, 1, 2, 3);

// Laid out by hand from RFC 2236 2 (checksums worked out separately): a v2
// membership report for 239.1.2.3; the leave for the same group; a router's
// general query (Max Resp Time 10 s), and a group-specific one (1 s).
const std::vector<std::uint8_t> report = hex("16 00 f8 fa ef 01 02 03");
const std::vector<std::uint8_t> leave = hex("17 00 f7 fa ef 01 02 03");
const std::vector<std::uint8_t> general_query = hex("11 64 ee 9b 00 00 00 00");
const std::vector<std::uint8_t> group_query = hex("11 0a fd f0 ef 01 02 03");

std::vector<std::uint8_t> emitted(const IgmpRepr& repr) {
  std::vector<std::uint8_t> out(IgmpRepr::header_len, 0xaa);
  repr.emit(out);
  return out;
}

TEST(WireIgmp, ParsesEachMessage) {
  Result<IgmpRepr> r = IgmpRepr::parse(report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, static_cast<std::uint8_t>(IgmpType::V2MembershipReport));
  EXPECT_EQ(r->max_response_time, 0);
  EXPECT_EQ(r->group, group);

  Result<IgmpRepr> l = IgmpRepr::parse(leave);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->type, static_cast<std::uint8_t>(IgmpType::LeaveGroup));
  EXPECT_EQ(l->group, group);

  Result<IgmpRepr> q = IgmpRepr::parse(general_query);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->type, static_cast<std::uint8_t>(IgmpType::MembershipQuery));
  EXPECT_EQ(q->max_response_time, 100);
  EXPECT_TRUE(q->group.is_unspecified());

  Result<IgmpRepr> g = IgmpRepr::parse(group_query);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->max_response_time, 10);
  EXPECT_EQ(g->group, group);
}

TEST(WireIgmp, EmitsExactBytes) {
  EXPECT_EQ(emitted({static_cast<std::uint8_t>(IgmpType::V2MembershipReport), 0, group}), report);
  EXPECT_EQ(emitted({static_cast<std::uint8_t>(IgmpType::LeaveGroup), 0, group}), leave);
  EXPECT_EQ(emitted({static_cast<std::uint8_t>(IgmpType::MembershipQuery), 100, Ipv4Address{}}),
            general_query);
  EXPECT_EQ(emitted({static_cast<std::uint8_t>(IgmpType::MembershipQuery), 10, group}), group_query);
}

TEST(WireIgmp, Igmpv3QueryParsesAsItsFirstEightBytes) {
  // RFC 3376 7.1: a v2 host takes a v3 general query (12 bytes and more)
  // as a v2 one. Resv/S/QRV 0x02, QQIC 125, no sources.
  const std::vector<std::uint8_t> v3 = hex("11 64 ec 1e 00 00 00 00 02 7d 00 00");
  Result<IgmpRepr> q = IgmpRepr::parse(v3);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->type, 0x11);
  EXPECT_EQ(q->max_response_time, 100);
  EXPECT_TRUE(q->group.is_unspecified());
}

TEST(WireIgmp, MalformedVariantsAreRefused) {
  for (std::size_t n = 0; n < IgmpRepr::header_len; ++n) {
    EXPECT_EQ(IgmpRepr::parse(ConstBytes(report).first(n)).error(), Error::Truncated) << n;
  }
  std::vector<std::uint8_t> bad = report;
  bad[7] ^= 1;
  EXPECT_EQ(IgmpRepr::parse(bad).error(), Error::BadChecksum);
  bad = report;
  bad[2] = 0;
  bad[3] = 0;
  EXPECT_EQ(IgmpRepr::parse(bad).error(), Error::BadChecksum);

  // A report or leave for a unicast address; a query for one.
  auto with_group = [](std::uint8_t type, std::uint8_t time, Ipv4Address g) {
    return emitted({type, time, g});
  };
  const Ipv4Address unicast = Ipv4Address::of(192, 0, 2, 1);
  EXPECT_EQ(IgmpRepr::parse(with_group(0x16, 0, unicast)).error(), Error::Malformed);
  EXPECT_EQ(IgmpRepr::parse(with_group(0x12, 0, unicast)).error(), Error::Malformed);
  EXPECT_EQ(IgmpRepr::parse(with_group(0x17, 0, Ipv4Address{})).error(), Error::Malformed);
  EXPECT_EQ(IgmpRepr::parse(with_group(0x11, 10, unicast)).error(), Error::Malformed);

  // Unknown types parse: the stack counts them.
  Result<IgmpRepr> unknown = IgmpRepr::parse(with_group(0x22, 0, Ipv4Address{}));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->type, 0x22);
}

// The IPv4 header of that report: IHL 6, TTL 1, protocol 2, Router Alert.
const std::vector<std::uint8_t> report_header =
    hex("46 00 00 20 12 34 00 00 01 02 5f 9e c0 00 02 01 ef 01 02 03 94 04 00 00");

TEST(WireIgmp, RouterAlertHeaderExactBytes) {
  Ipv4Repr ip;
  ip.source = Ipv4Address::of(192, 0, 2, 1);
  ip.destination = group;
  ip.protocol = 2;
  ip.ttl = 1;
  ip.identification = 0x1234;
  ip.router_alert = true;
  ip.payload_len = IgmpRepr::header_len;
  EXPECT_EQ(ip.emitted_header_len(), 24U);
  std::vector<std::uint8_t> packet(24 + 8, 0xaa);
  std::copy(report.begin(), report.end(), packet.begin() + 24);
  ip.emit(packet);
  EXPECT_EQ(std::vector<std::uint8_t>(packet.begin(), packet.begin() + 24), report_header);

  Result<Ipv4Repr> parsed = Ipv4Repr::parse(packet, true);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->router_alert);
  EXPECT_EQ(parsed->header_len, 24U);
  EXPECT_EQ(parsed->ttl, 1);
  EXPECT_EQ(std::vector<std::uint8_t>(parsed->payload.begin(), parsed->payload.end()), report);

  // Without the option the header stays 20 bytes and says so.
  ip.router_alert = false;
  EXPECT_EQ(ip.emitted_header_len(), 20U);
  std::vector<std::uint8_t> plain(20 + 8, 0);
  ip.emit(plain);
  EXPECT_EQ(plain[0], 0x45);
  Result<Ipv4Repr> again = Ipv4Repr::parse(plain, true);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->router_alert);
}

TEST(WireIgmp, RouterAlertWithAWrongLengthIsNotOne) {
  // Option 148 of length 2 (a NOP after it pads the header): well formed,
  // but not the 4-byte Router Alert.
  std::vector<std::uint8_t> packet =
      hex("46 00 00 20 12 34 00 00 01 02 00 00 c0 00 02 01 ef 01 02 03 94 02 01 00");
  packet.insert(packet.end(), report.begin(), report.end());
  Result<Ipv4Repr> parsed = Ipv4Repr::parse(packet, false);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->router_alert);
}

}  // namespace
}  // namespace lwnet::wire_igmp_test
