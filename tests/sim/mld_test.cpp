// MLD host behaviour (RFC 3810 v2, RFC 2710 v1) of one stack, frame by
// frame: the test is the querier and the other hosts on the link.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/checksum.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/mld.h"

namespace lwnet::test::mld_test {
namespace {

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address group = v6("ff05::1:3");
const Ipv6Address solicited_a = v6("ff02::1:ff00:a");
const Ipv6Address link_local_a = v6("fe80::ff:fe00:a");
const Ipv6Address querier = v6("fe80::ee");
const Ipv6Address other_host = v6("fe80::77");
const Ipv6Address all_nodes = v6("ff02::1");

// The MLD frames A sent: IPv6 with a hop-by-hop header first.
std::vector<FrameLog::Frame> mld_sent(const FrameLog& log) {
  std::vector<FrameLog::Frame> out;
  for (const FrameLog::Frame& f : log.with_ethertype(ipv6_type, 0)) {
    if (f.bytes.size() > 62 && f.bytes[20] == 0 && f.bytes[54] == 58) out.push_back(f);
  }
  return out;
}
std::uint8_t mld_type(const FrameLog::Frame& f) { return f.bytes[62]; }

// The ICMPv6 checksum worked out here from the pseudo-header (RFC 8200 8.1),
// not taken from the stack.
void fill_checksum(ByteVector& frame) {
  const std::size_t at = 62;  // Ethernet 14, IPv6 40, hop-by-hop 8
  const std::size_t length = frame.size() - at;
  ByteVector pseudo(frame.begin() + 22, frame.begin() + 54);  // source, destination
  const ByteVector tail = hex("00 00 00 00 00 00 00 3a");
  pseudo.insert(pseudo.end(), tail.begin(), tail.end());
  store_be16(pseudo, 34, static_cast<std::uint16_t>(length));
  frame[at + 2] = 0;
  frame[at + 3] = 0;
  pseudo.insert(pseudo.end(), frame.begin() + static_cast<std::ptrdiff_t>(at), frame.end());
  store_be16(frame, at + 2, internet_checksum(pseudo));
}

// Ethernet, IPv6 (hop limit 1) and the hop-by-hop header with Router
// Alert 0 (RFC 2711) in front of `message`, from A's link-local address.
ByteVector mld_frame(const std::string& mac, const std::string& destination, const std::string& message) {
  const ByteVector body = hex(message);
  ByteVector frame = hex(mac + " 02 00 00 00 00 0a 86 dd 60 00 00 00 00 00 00 01 "
                         "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 0a " + destination +
                         " 3a 00 05 02 00 00 01 00");
  store_be16(frame, 18, static_cast<std::uint16_t>(8 + body.size()));
  frame.insert(frame.end(), body.begin(), body.end());
  fill_checksum(frame);
  return frame;
}
const std::string to_v2_routers = "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 16";
const std::string v2_routers_mac = "33 33 00 00 00 16";

// An MLD message from the peer (hop limit and source as given).
ByteVector peer_frame(const Ipv6Address& source, const Ipv6Address& destination, ByteVector message,
                      std::uint8_t hop_limit = 1) {
  icmpv6_fill_checksum(message, source, destination);
  Ipv6Repr ip;
  ip.source = source;
  ip.destination = destination;
  ip.next_header = ipv6_next_header::hop_by_hop;
  ip.hop_limit = hop_limit;
  ip.payload_len = 8 + message.size();
  ByteVector frame = hex("33 33 00 00 00 00 02 00 00 00 00 ee 86 dd");
  std::copy(destination.octets.begin() + 12, destination.octets.end(), frame.begin() + 2);
  frame.resize(14 + 48);
  ip.emit(Bytes(frame).subspan(14, 40));
  Ipv6OptionsHeader hop_by_hop;
  hop_by_hop.next_header = 58;
  hop_by_hop.router_alert = std::uint16_t{0};
  hop_by_hop.emit(Bytes(frame).subspan(54, 8));
  frame.insert(frame.end(), message.begin(), message.end());
  return frame;
}
ByteVector v1_message(std::uint8_t type, std::uint16_t max_delay_ms, const Ipv6Address& address) {
  ByteVector m(MldRepr::header_len);
  MldRepr repr;
  repr.type = type;
  repr.max_response_delay = max_delay_ms;
  repr.multicast_address = address;
  repr.emit(m, Ipv6Address{}, Ipv6Address{});  // the checksum is redone by peer_frame
  return m;
}
ByteVector v2_query(std::uint16_t max_response_code, const Ipv6Address& address) {
  ByteVector m(Mldv2QueryRepr::min_len);
  Mldv2QueryRepr q;
  q.max_response_code = max_response_code;
  q.multicast_address = address;
  q.robustness = 2;
  q.query_interval_code = 125;
  q.emit(m, {}, Ipv6Address{}, Ipv6Address{});
  return m;
}

struct Mld : ::testing::Test {
  Mld() {
    // DAD over: the link-local address is preferred and reports leave from it.
    net.sim.run_for(Duration::seconds(3));
    net.log.clear();
    (void)net.received();
    start = net.sim.now();
  }
  HostAndPeer net;
  Instant start;
};

TEST(MldStart, TheSolicitedNodeGroupIsReportedFromUnspecifiedDuringDad) {
  HostAndPeer net;
  const Instant added = net.sim.now();
  net.sim.run_for(Duration::seconds(3));
  const std::vector<FrameLog::Frame> sent = mld_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);
  // RFC 3590: from :: while the link-local address is tentative (the
  // second report too: it fires in the same instant as DAD's end, first).
  ByteVector first = mld_frame(v2_routers_mac, to_v2_routers,
                               "8f 00 00 00 00 00 00 01 04 00 00 00 ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 0a");
  std::fill(first.begin() + 22, first.begin() + 38, std::uint8_t{0});
  fill_checksum(first);
  EXPECT_EQ(sent[0].at, added);
  EXPECT_EQ(to_hex(sent[0].bytes), to_hex(first));
  EXPECT_EQ(sent[1].at, added + Duration::seconds(1));
  EXPECT_EQ(to_hex(sent[1].bytes), to_hex(first));
  EXPECT_TRUE(net.a.mld_is_member(net.a_if, solicited_a));
}

TEST_F(Mld, JoinSendsTwoV2ReportsOneSecondApart) {
  const std::uint64_t reports_before = net.a.stats().mld.tx_v2_report;
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  EXPECT_TRUE(net.a.mld_is_member(net.a_if, group));
  net.sim.run_for(Duration::seconds(5));
  const std::vector<FrameLog::Frame> sent = mld_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].at, start);
  EXPECT_EQ(sent[1].at, start + Duration::seconds(1));
  const ByteVector expected = mld_frame(
      v2_routers_mac, to_v2_routers,
      "8f 00 00 00 00 00 00 01 04 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03");
  for (const FrameLog::Frame& f : sent) EXPECT_EQ(to_hex(f.bytes), to_hex(expected));
  EXPECT_EQ(net.a.stats().mld.tx_v2_report - reports_before, 2U);
}

TEST_F(Mld, AllNodesIsJoinedAndNeverReported) {
  EXPECT_TRUE(net.a.mld_is_member(net.a_if, all_nodes));
  ASSERT_OK(net.a.mld_join(net.a_if, all_nodes, start));
  ASSERT_OK(net.a.mld_leave(net.a_if, all_nodes, start));
  net.sim.run_for(Duration::seconds(5));
  EXPECT_TRUE(mld_sent(net.log).empty());
  EXPECT_EQ(net.a.mld_join(net.a_if, IpAddress(ip_a), start).error(), Error::InvalidArgument);
  EXPECT_EQ(net.a.mld_leave(net.a_if, group, start).error(), Error::AddressNotAvailable);
}

TEST_F(Mld, LeaveInV2ModeChangesToInclude) {
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  net.sim.run_for(Duration::seconds(5));
  net.log.clear();
  ASSERT_OK(net.a.mld_leave(net.a_if, group, net.sim.now()));
  EXPECT_TRUE(mld_sent(net.log).empty());  // one reference left
  const Instant left = net.sim.now();
  ASSERT_OK(net.a.mld_leave(net.a_if, group, left));
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, group));
  // RFC 3810 6.1: the state change report goes out robustness (2) times,
  // Unsolicited Report Interval (1 s) apart.
  net.sim.run_for(Duration::seconds(5));
  const std::vector<FrameLog::Frame> sent = mld_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].at, left);
  EXPECT_EQ(sent[1].at, left + Duration::seconds(1));
  for (const FrameLog::Frame& f : sent) {
    EXPECT_EQ(to_hex(f.bytes),
              to_hex(mld_frame(v2_routers_mac, to_v2_routers,
                               "8f 00 00 00 00 00 00 01 03 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03")));
  }
  // Joined again before the leave's repeat: the repeat would be a lie, and
  // stays unsent; the join's own reports go out instead.
  ASSERT_OK(net.a.mld_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(5));
  net.log.clear();
  ASSERT_OK(net.a.mld_leave(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::millis(500));
  ASSERT_OK(net.a.mld_join(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(5));
  std::vector<std::uint8_t> record_types;
  for (const FrameLog::Frame& f : mld_sent(net.log)) record_types.push_back(f.bytes[62 + 8]);
  // CHANGE_TO_INCLUDE (3) once, then CHANGE_TO_EXCLUDE (4) twice.
  EXPECT_EQ(record_types, (std::vector<std::uint8_t>{3, 4, 4}));
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST_F(Mld, V1QueryTurnsTheHostToV1AndIsAnsweredWithinItsDelay) {
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  net.sim.run_for(Duration::seconds(5));
  net.log.clear();
  const Instant asked = net.sim.now();
  net.inject(peer_frame(querier, all_nodes, v1_message(130, 2000, Ipv6Address{})));
  net.sim.run_for(Duration::seconds(5));
  EXPECT_TRUE(net.a.mld_v1_mode(net.a_if, net.sim.now()));
  const std::vector<FrameLog::Frame> sent = mld_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);  // the group and the solicited-node group
  bool group_seen = false;
  for (const FrameLog::Frame& f : sent) {
    EXPECT_EQ(mld_type(f), 131);
    EXPECT_GE(f.at, asked);
    EXPECT_LE(f.at, asked + Duration::seconds(2));
    if (f.bytes[38 + 15] == 0x03) {
      group_seen = true;
      EXPECT_EQ(to_hex(f.bytes),
                to_hex(mld_frame("33 33 00 01 00 03", "ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03",
                                 "83 00 00 00 00 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03")));
    }
  }
  EXPECT_TRUE(group_seen);
  EXPECT_EQ(net.a.stats().mld.rx_v1_query, 1U);
  EXPECT_EQ(net.a.stats().mld.tx_v1_report, 2U);

  // In v1 mode the last reporter's leave is a Done to all routers, once
  // (RFC 2710 4 repeats no Done).
  net.log.clear();
  ASSERT_OK(net.a.mld_leave(net.a_if, group, net.sim.now()));
  net.sim.run_for(Duration::seconds(5));
  const std::vector<FrameLog::Frame> done = mld_sent(net.log);
  ASSERT_EQ(done.size(), 1U);
  EXPECT_EQ(to_hex(done[0].bytes),
            to_hex(mld_frame("33 33 00 00 00 02", "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 02",
                             "84 00 00 00 00 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03")));
  // v1 mode lasts the Older Version Querier Present Timeout (260 s).
  EXPECT_TRUE(net.a.mld_v1_mode(net.a_if, asked + Duration::seconds(259)));
  EXPECT_FALSE(net.a.mld_v1_mode(net.a_if, asked + Duration::seconds(260)));
}

TEST_F(Mld, AnotherHostsV1ReportSuppressesOursAndItsDone) {
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  net.sim.run_for(Duration::seconds(5));
  // A group-specific v1 query with 10 s to answer, then another host's report.
  net.inject(peer_frame(querier, group, v1_message(130, 10000, group)));
  net.sim.settle();
  net.log.clear();
  net.inject(peer_frame(other_host, group, v1_message(131, 0, group)));
  net.sim.run_for(Duration::seconds(15));
  EXPECT_TRUE(mld_sent(net.log).empty());
  EXPECT_EQ(net.a.stats().mld.reports_suppressed, 1U);
  EXPECT_EQ(net.a.stats().mld.rx_group_query, 1U);
  // Not the last reporter: the leave says nothing.
  ASSERT_OK(net.a.mld_leave(net.a_if, group, net.sim.now()));
  EXPECT_TRUE(mld_sent(net.log).empty());
}

TEST_F(Mld, V2GeneralQueryIsAnsweredWithModeIsExcludeWithinItsDelay) {
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  net.sim.run_for(Duration::seconds(5));
  net.log.clear();
  const Instant asked = net.sim.now();
  net.inject(peer_frame(querier, all_nodes, v2_query(1000, Ipv6Address{})));
  net.sim.run_for(Duration::seconds(3));
  const std::vector<FrameLog::Frame> sent = mld_sent(net.log);
  ASSERT_EQ(sent.size(), 2U);
  for (const FrameLog::Frame& f : sent) {
    EXPECT_EQ(mld_type(f), 143);
    EXPECT_EQ(f.bytes[70], 2);  // MODE_IS_EXCLUDE
    EXPECT_LE(f.at, asked + Duration::seconds(1));
  }
  EXPECT_FALSE(net.a.mld_v1_mode(net.a_if, net.sim.now()));
  EXPECT_EQ(net.a.stats().mld.rx_general_query, 1U);
}

TEST_F(Mld, InvalidQueriesAreDroppedAndCounted) {
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  net.sim.run_for(Duration::seconds(5));
  net.log.clear();
  // Not link-local, hop limit 2, and a length neither version has (26).
  net.inject(peer_frame(v6("2001:db8::ee"), all_nodes, v1_message(130, 100, Ipv6Address{})));
  net.inject(peer_frame(querier, all_nodes, v1_message(130, 100, Ipv6Address{}), 2));
  ByteVector odd = v1_message(130, 100, Ipv6Address{});
  odd.resize(26);
  net.inject(peer_frame(querier, all_nodes, odd));
  net.sim.run_for(Duration::seconds(5));
  EXPECT_TRUE(mld_sent(net.log).empty());
  EXPECT_EQ(net.a.stats().mld.drop_invalid_query, 3U);
  EXPECT_FALSE(net.a.mld_v1_mode(net.a_if, net.sim.now()));
}

TEST_F(Mld, EveryJoinedGroupIsReportedAgainEveryFortySeconds) {
  ASSERT_OK(net.a.mld_join(net.a_if, group, start));
  net.sim.run_for(Duration::seconds(100));
  std::vector<FrameLog::Frame> periodic;
  for (const FrameLog::Frame& f : mld_sent(net.log)) {
    if (mld_type(f) == 143 && f.bytes[70] == 2) periodic.push_back(f);
  }
  if constexpr (config::esp_mldv6_report) {
    ASSERT_GE(periodic.size(), 2U);
    EXPECT_EQ(periodic[1].at - periodic[0].at, Duration::seconds(config::mldv6_tmr_interval_seconds));
    // One report with both groups: the solicited-node group, then ours.
    EXPECT_EQ(load_be16(periodic[0].bytes, 68), 2);
    EXPECT_EQ(net.a.stats().mld.tx_periodic, periodic.size());
  } else {
    EXPECT_TRUE(periodic.empty());
  }
}

TEST_F(Mld, AJoinedGroupsMacPassesTheFilter) {
  const ByteVector to_group = peer_frame(querier, group, v1_message(130, 100, group));
  net.inject(to_group);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ethernet.drop_multicast_filtered, 1U);
  ASSERT_OK(net.a.mld_join(net.a_if, group, net.sim.now()));
  net.inject(to_group);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ethernet.drop_multicast_filtered, 1U);
  EXPECT_EQ(net.a.stats().mld.rx_group_query, 1U);
}

}  // namespace
}  // namespace lwnet::test::mld_test
