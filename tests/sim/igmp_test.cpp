// IGMPv2 host behaviour (RFC 2236) of one stack, frame by frame: the test is
// the router and the other hosts on the link.
#include <gtest/gtest.h>

#include <array>

#include "ip/igmp.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/checksum.h"
#include "wire/igmp.h"

namespace lwnet::test::igmp_test {
namespace {

constexpr Ipv4Address group = Ipv4Address::of(239, 1, 2, 3);
constexpr Ipv4Address group2 = Ipv4Address::of(224, 0, 1, 200);
constexpr Ipv4Address router = Ipv4Address::of(192, 0, 2, 254);
const MacAddress group_mac{{0x01, 0x00, 0x5e, 0x01, 0x02, 0x03}};

// The frame A sends for an IGMP message: Ethernet to the group's MAC,
// IPv4 with IHL 6, TTL 1, protocol 2 and Router Alert, from 192.0.2.1. The
// identification is A's (read from the frame); the checksums are worked out
// here, not taken from the stack.
ByteVector expected_frame(const ByteVector& sent, const std::string& mac, const std::string& ip_destination,
                          const std::string& igmp) {
  ByteVector frame = hex(mac + " 02 00 00 00 00 0a 08 00" + " 46 00 00 20 00 00 00 00 01 02 00 00 c0 00 02 01 " +
                         ip_destination + " 94 04 00 00 " + igmp);
  if (sent.size() >= 20) {
    frame[18] = sent[18];
    frame[19] = sent[19];
  }
  store_be16(frame, 24, internet_checksum(ConstBytes(frame).subspan(14, 24)));
  return frame;
}

ByteVector report_frame(const ByteVector& sent) {
  return expected_frame(sent, "01 00 5e 01 02 03", "ef 01 02 03", "16 00 f8 fa ef 01 02 03");
}
ByteVector leave_frame(const ByteVector& sent) {
  return expected_frame(sent, "01 00 5e 00 00 02", "e0 00 00 02", "17 00 f7 fa ef 01 02 03");
}

// An IGMP message from the peer (the router, or another host) to `destination`.
ByteVector igmp_frame(std::uint8_t type, std::uint8_t max_response, Ipv4Address igmp_group,
                      Ipv4Address destination, Ipv4Address source = router) {
  ByteVector message(IgmpRepr::header_len);
  IgmpRepr{type, max_response, igmp_group}.emit(message);
  Ipv4Repr ip;
  ip.source = source;
  ip.destination = destination;
  ip.protocol = 2;
  ip.ttl = 1;
  ip.router_alert = true;
  const MacAddress mac{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>((destination.value >> 16) & 0x7f),
                        static_cast<std::uint8_t>(destination.value >> 8),
                        static_cast<std::uint8_t>(destination.value)}};
  return ethernet_frame(mac, mac_peer, ipv4_type, ipv4_packet(ip, message));
}

constexpr std::uint8_t query = 0x11;
constexpr std::uint8_t v2_report = 0x16;

// The IGMP frames A sent (protocol 2), with their instants.
std::vector<FrameLog::Frame> igmp_sent(const FrameLog& log) {
  std::vector<FrameLog::Frame> out;
  for (const FrameLog::Frame& f : log.with_ethertype(ipv4_type, 0)) {
    if (frame_ip_protocol(f.bytes) == 2) out.push_back(f);
  }
  return out;
}

struct Igmp : ::testing::Test {
  Igmp() {
    net.sim.settle();
    net.log.clear();
    (void)net.received();
  }
  HostAndPeer net;
};

TEST_F(Igmp, JoinSendsTwoReportsTenSecondsApart) {
  const Instant joined = net.sim.now();
  ASSERT_OK(net.a.igmp_join(net.a_if, group, joined));
  EXPECT_TRUE(net.a.igmp_is_member(net.a_if, group));
  net.sim.run_for(Duration::seconds(30));
  const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].at, joined);
  EXPECT_EQ(sent[1].at, joined + Duration::seconds(10));
  for (const FrameLog::Frame& f : sent) EXPECT_EQ(to_hex(f.bytes), to_hex(report_frame(f.bytes)));
  EXPECT_EQ(net.a.stats().igmp.tx_report, 2U);
  // Nothing else went out over IPv4: no periodic reports without a query
  // (MLD speaks for the IPv6 link-local address meanwhile).
  EXPECT_EQ(net.log.with_ethertype(ipv4_type, 0).size(), 2U);
}

TEST_F(Igmp, AllHostsIsJoinedAndNeverReported) {
  EXPECT_TRUE(net.a.igmp_is_member(net.a_if, igmp_all_hosts));
  ASSERT_OK(net.a.igmp_join(net.a_if, igmp_all_hosts, net.sim.now()));
  ASSERT_OK(net.a.igmp_leave(net.a_if, igmp_all_hosts, net.sim.now()));
  net.inject(igmp_frame(query, 100, Ipv4Address{}, igmp_all_hosts));
  net.sim.run_for(Duration::seconds(20));
  EXPECT_TRUE(igmp_sent(net.log).empty());
  EXPECT_EQ(net.a.stats().igmp.rx_general_query, 1U);
  EXPECT_TRUE(net.a.igmp_is_member(net.a_if, igmp_all_hosts));
}

TEST_F(Igmp, GeneralQueryIsAnsweredWithinMaxResponseTime) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  ASSERT_OK(net.a.igmp_join(net.a_if, group2, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  net.log.clear();
  const Instant asked = net.sim.now();
  // Max Resp Time 2.5 s.
  net.inject(igmp_frame(query, 25, Ipv4Address{}, igmp_all_hosts));
  net.sim.run_for(Duration::seconds(20));
  const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);
  std::array<Ipv4Address, 2> reported{};
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_GE(sent[i].at, asked);
    EXPECT_LE(sent[i].at, asked + Duration::millis(2500));
    reported[i] = frame_ip_destination(sent[i].bytes);
    EXPECT_EQ(frame_ip_ttl(sent[i].bytes), 1);
  }
  EXPECT_TRUE((reported == std::array{group, group2}) || (reported == std::array{group2, group}));
  for (const FrameLog::Frame& f : sent) {
    if (frame_ip_destination(f.bytes) == group) {
      EXPECT_EQ(to_hex(f.bytes), to_hex(report_frame(f.bytes)));
    }
  }
  EXPECT_EQ(net.a.stats().igmp.rx_general_query, 1U);
}

TEST_F(Igmp, QueriesSpreadTheirAnswersOverTheMaxResponseTime) {
  // The delay is random, not always the same instant: over several queries
  // the answers do not all land at the same offset.
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  std::vector<std::int64_t> offsets;
  for (int i = 0; i < 5; ++i) {
    net.log.clear();
    const Instant asked = net.sim.now();
    net.inject(igmp_frame(query, 100, Ipv4Address{}, igmp_all_hosts));
    net.sim.run_for(Duration::seconds(11));
    const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
    ASSERT_EQ(sent.size(), 1U);
    EXPECT_LE(sent[0].at, asked + Duration::seconds(10));
    offsets.push_back((sent[0].at - asked).total_micros());
  }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_NE(offsets.front(), offsets.back());
}

TEST_F(Igmp, GroupSpecificQueryAsksForThatGroupOnly) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  ASSERT_OK(net.a.igmp_join(net.a_if, group2, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  net.log.clear();
  const Instant asked = net.sim.now();
  net.inject(igmp_frame(query, 10, group, group));
  net.sim.run_for(Duration::seconds(20));
  const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_LE(sent[0].at, asked + Duration::seconds(1));
  EXPECT_EQ(to_hex(sent[0].bytes), to_hex(report_frame(sent[0].bytes)));
  EXPECT_EQ(net.a.stats().igmp.rx_group_query, 1U);

  // A query for a group A is not in reaches A only through a MAC it
  // filters, or (same MAC) is answered with nothing.
  net.log.clear();
  const Ipv4Address same_mac = Ipv4Address::of(239, 129, 2, 3);
  net.inject(igmp_frame(query, 10, same_mac, same_mac));
  net.sim.run_for(Duration::seconds(2));
  EXPECT_TRUE(igmp_sent(net.log).empty());
}

// RFC 2236 4: after a v1 query (Max Resp Time 0) the host answers with
// v1 reports and sends no leave, for 400 s after the last v1 query; then
// it speaks v2 again.
TEST_F(Igmp, AnIgmpv1RouterGetsV1ReportsAndNoLeaves) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  net.log.clear();
  const Instant asked = net.sim.now();
  net.inject(igmp_frame(query, 0, Ipv4Address{}, igmp_all_hosts));
  net.sim.run_for(Duration::seconds(11));
  std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_LE(sent[0].at, asked + igmp_timing::v1_max_response);
  EXPECT_EQ(to_hex(sent[0].bytes),
            to_hex(expected_frame(sent[0].bytes, "01 00 5e 01 02 03", "ef 01 02 03", "12 00 fc fa ef 01 02 03")));
  // Leaving while the v1 router is there: silence.
  net.log.clear();
  ASSERT_OK(net.a.igmp_leave(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(1));
  EXPECT_TRUE(igmp_sent(net.log).empty());

  // 400 s after that query the router is taken for gone: v2 again.
  net.sim.run_for(igmp_timing::v1_router_present_timeout - Duration::seconds(20));
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.settle();
  sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].bytes[14 + 24], 0x12);  // still inside the 400 s
  net.log.clear();
  net.sim.run_for(Duration::seconds(11));  // the repeat comes after the timeout
  sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(to_hex(sent[0].bytes), to_hex(report_frame(sent[0].bytes)));
  net.log.clear();
  ASSERT_OK(net.a.igmp_leave(net.a_if, group, net.sim.now()));
  net.sim.settle();
  sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(to_hex(sent[0].bytes), to_hex(leave_frame(sent[0].bytes)));
}

TEST_F(Igmp, AnotherHostsReportSuppressesOursAndItsLeave) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  net.log.clear();
  net.inject(igmp_frame(query, 100, Ipv4Address{}, igmp_all_hosts));
  net.inject(igmp_frame(v2_report, 0, group, group, Ipv4Address::of(192, 0, 2, 77)));
  net.sim.run_for(Duration::seconds(20));
  EXPECT_TRUE(igmp_sent(net.log).empty());
  EXPECT_EQ(net.a.stats().igmp.reports_suppressed, 1U);
  EXPECT_EQ(net.a.stats().igmp.rx_report, 1U);
  // The router heard the other host last: our leave would tell it nothing.
  ASSERT_OK(net.a.igmp_leave(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(1));
  EXPECT_TRUE(igmp_sent(net.log).empty());
  EXPECT_FALSE(net.a.igmp_is_member(net.a_if, group));
}

TEST_F(Igmp, ReportDuringTheUnsolicitedDelaySuppressesTheRepeat) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.settle();
  net.inject(igmp_frame(v2_report, 0, group, group, Ipv4Address::of(192, 0, 2, 77)));
  net.sim.run_for(Duration::seconds(20));
  EXPECT_EQ(igmp_sent(net.log).size(), 1U);  // the first report only
}

TEST_F(Igmp, LastLeaveSendsALeaveToAllRouters) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));  // a second reference
  net.sim.run_for(Duration::seconds(11));
  net.log.clear();
  ASSERT_OK(net.a.igmp_leave(net.a_if, group, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(igmp_sent(net.log).empty());
  EXPECT_TRUE(net.a.igmp_is_member(net.a_if, group));
  const Instant left = net.sim.now();
  ASSERT_OK(net.a.igmp_leave(net.a_if, group, left));
  net.sim.run_for(Duration::seconds(20));
  const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].at, left);
  EXPECT_EQ(to_hex(sent[0].bytes), to_hex(leave_frame(sent[0].bytes)));
  EXPECT_EQ(net.a.stats().igmp.tx_leave, 1U);
  EXPECT_FALSE(net.a.igmp_is_member(net.a_if, group));
  EXPECT_ERROR(net.a.igmp_leave(net.a_if, group, net.sim.now()), Error::AddressNotAvailable);
}

TEST_F(Igmp, LeaveBeforeTheRepeatCancelsIt) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(1));
  ASSERT_OK(net.a.igmp_leave(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(20));
  const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);  // report, leave; no second report
  EXPECT_EQ(sent[1].bytes[14 + 24], 0x17);
}

TEST_F(Igmp, GroupsAreReportedAgainWhenTheLinkComesBack) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  ASSERT_OK(net.a.set_link_up(net.a_if, false, net.sim.now()));
  net.sim.run_for(Duration::seconds(5));
  net.log.clear();
  const Instant back = net.sim.now();
  ASSERT_OK(net.a.set_link_up(net.a_if, true, back));
  net.sim.run_for(Duration::seconds(20));
  const std::vector<FrameLog::Frame> sent = igmp_sent(net.log);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].at, back);
  EXPECT_EQ(to_hex(sent[0].bytes), to_hex(report_frame(sent[0].bytes)));
  EXPECT_TRUE(net.a.igmp_is_member(net.a_if, group));
}

TEST_F(Igmp, JoinErrorsAndTheTableLimit) {
  EXPECT_ERROR(net.a.igmp_join(net.a_if, Ipv4Address::of(192, 0, 2, 5), net.sim.now()),
               Error::InvalidArgument);
  EXPECT_ERROR(net.a.igmp_join(NetifId{9}, group, net.sim.now()), Error::InvalidArgument);
  for (std::size_t i = 0; i < config::igmp_max_groups; ++i) {
    ASSERT_OK(net.a.igmp_join(net.a_if, Ipv4Address::of(239, 0, 0, static_cast<std::uint8_t>(i + 1)),
                              net.sim.now()));
  }
  EXPECT_ERROR(net.a.igmp_join(net.a_if, group, net.sim.now()), Error::TableFull);
  EXPECT_EQ(net.a.stats().igmp.join_table_full, 1U);
  // A group already there only gains a reference.
  EXPECT_OK(net.a.igmp_join(net.a_if, Ipv4Address::of(239, 0, 0, 1), net.sim.now()));
}

TEST_F(Igmp, MalformedMessagesAreCountedAndDropped) {
  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(11));
  net.log.clear();
  ByteVector bad_checksum = igmp_frame(query, 100, Ipv4Address{}, igmp_all_hosts);
  bad_checksum.back() ^= 0x01;
  net.inject(bad_checksum);
  // Four bytes of IGMP only.
  Ipv4Repr ip;
  ip.source = router;
  ip.destination = igmp_all_hosts;
  ip.protocol = 2;
  ip.ttl = 1;
  const ByteVector short_message = hex("11 64 ee 9b");
  net.inject(ethernet_frame(MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}, mac_peer, ipv4_type,
                            ipv4_packet(ip, short_message)));
  // A report naming a unicast address.
  net.inject(igmp_frame(v2_report, 0, Ipv4Address::of(192, 0, 2, 9), igmp_all_hosts));
  // An unknown type.
  net.inject(igmp_frame(0x22, 0, Ipv4Address{}, igmp_all_hosts));
  net.sim.run_for(Duration::seconds(20));
  EXPECT_TRUE(igmp_sent(net.log).empty());
  const IgmpStats& s = net.a.stats().igmp;
  EXPECT_EQ(s.drop_bad_checksum, 1U);
  EXPECT_EQ(s.drop_truncated, 1U);
  EXPECT_EQ(s.drop_malformed, 1U);
  EXPECT_EQ(s.drop_unknown_type, 1U);
  EXPECT_EQ(s.rx, 4U);
}

TEST_F(Igmp, EthernetTakesOnlyTheMulticastMacsOfJoinedGroups) {
  UdpHandle u = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(u, {IpAddress{}, 5353}));
  auto udp_to = [&](Ipv4Address destination, const MacAddress& mac) {
    Ipv4Repr ip;
    ip.source = ip_peer;
    ip.destination = destination;
    ip.protocol = 17;
    ip.ttl = 1;
    return ethernet_frame(mac, mac_peer, ipv4_type,
                          ipv4_packet(ip, udp_datagram(ip_peer, destination, 4000, 5353, pattern(8))));
  };
  std::array<std::uint8_t, 64> buf{};

  net.inject(udp_to(group, group_mac));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ethernet.drop_multicast_filtered, 1U);
  EXPECT_FALSE(net.a.udp_readable(u));

  ASSERT_OK(net.a.igmp_join(net.a_if, group, net.sim.now()));
  net.inject(udp_to(group, group_mac));
  net.sim.settle();
  Result<UdpReceived> got = net.a.udp_receive(u, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->to, IpAddress(group));
  EXPECT_EQ(got->from, (IpEndpoint{ip_peer, 4000}));

  // The same MAC carries 239.129.2.3 too: past the filter, refused by IP.
  const std::uint64_t not_for_us = net.a.stats().ipv4.drop_not_for_us;
  net.inject(udp_to(Ipv4Address::of(239, 129, 2, 3), group_mac));
  // The MAC of an IPv6 group A never joined (ff02::fb), and an IPv4 one.
  net.inject(udp_to(group, MacAddress{{0x33, 0x33, 0x00, 0x00, 0x00, 0xfb}}));
  net.inject(udp_to(group2, MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x01, 0xc8}}));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.drop_not_for_us, not_for_us + 1);
  EXPECT_EQ(net.a.stats().ethernet.drop_multicast_filtered, 3U);
  EXPECT_FALSE(net.a.udp_readable(u));
  // No ICMP error answers a multicast, even with nobody on the port.
  net.inject(udp_to(group, group_mac));
  net.a.udp_close(u);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().icmp.tx_unreachable, 0U);

  // All-hosts passes without a join, broadcast too.
  UdpHandle v = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(v, {IpAddress{}, 5353}));
  net.inject(udp_to(igmp_all_hosts, MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}));
  net.inject(udp_to(Ipv4Address::broadcast(), MacAddress::broadcast()));
  net.sim.settle();
  EXPECT_OK(net.a.udp_receive(v, buf));
  EXPECT_OK(net.a.udp_receive(v, buf));
  net.a.udp_close(v);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::igmp_test
