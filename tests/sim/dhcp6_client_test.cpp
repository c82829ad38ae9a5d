// The stateless DHCPv6 client (apps/dhcp6_client.h) on stack A facing the
// test at mac_peer / fe80::1, which plays both the router (RAs with the O
// and M flags) and the DHCPv6 server, in virtual time: the exact
// Information-request, its delay and retransmissions (RFC 8415 15 and
// 18.2.6), Replies taken and published, the Information Refresh Time,
// Replies that are not ours dropped and counted, and no request at all
// while the RA has neither O nor M.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "apps/dhcp6_client.h"
#include "support/dhcp6_frames.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::dhcp6_client_test {
namespace {

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address router_ll = v6("fe80::1");
const Ipv6Address a_link_local = v6("fe80::ff:fe00:a");  // modified EUI-64 of mac_a
constexpr MacAddress dhcp_servers_mac{{0x33, 0x33, 0, 1, 0, 2}};

// An Information-request A sent, and when.
struct Request : Dhcpv6Sent {
  Instant at;
  std::uint16_t elapsed_time() const { return elapsed.value_or(0xffff); }
};
using ReplyContent = Dhcpv6ReplyContent;

struct Dhcp6Net : HostAndPeer {
  Dhcp6Client client{a_if};

  Dhcp6Net() {
    sim.run_for(Duration::millis(1100));  // A's link-local address through DAD
    EXPECT_OK(client.start(a, sim.now()));
    (void)received();
  }
  ~Dhcp6Net() { client.stop(a); }

  void advertise(bool managed, bool other) {
    inject(router_advertisement_frame(mac_peer, router_ll, managed, other));
    sim.settle();
  }

  // Runs up to `limit` and returns the Information-requests A sent meanwhile
  // (other frames, RSs and MLD reports, are left aside).
  std::vector<Request> requests_for(Duration limit) {
    std::vector<Request> out;
    const Instant end = sim.now() + limit;
    while (sim.now() < end) {
      step(end);
      take(out);
    }
    return out;
  }

  // The first Information-request within `limit`.
  std::optional<Request> next_request(Duration limit) {
    const Instant end = sim.now() + limit;
    std::vector<Request> got;
    while (sim.now() < end && got.empty()) {
      step(end);
      take(got);
    }
    if (got.empty()) return std::nullopt;
    return got.front();
  }

  // To A's next deadline (at most `end`), so that what A sends there is
  // taken at the instant it left.
  void step(Instant end) {
    Instant next = a.next_deadline();
    if (next <= sim.now()) next = sim.now() + Duration::micros(1);
    sim.run_until(std::min(next, end));
  }

  void take(std::vector<Request>& out) {
    for (const ByteVector& frame : received()) {
      std::optional<Dhcpv6Sent> sent = dhcpv6_sent_of(frame);
      if (!sent) continue;
      Request r;
      static_cast<Dhcpv6Sent&>(r) = *sent;
      r.at = sim.now();
      out.push_back(r);
    }
  }

  void reply(const Request& request, const ReplyContent& content) {
    reply_message(dhcpv6_reply_message(request, content));
  }
  void reply_message(const ByteVector& message) {
    inject(dhcpv6_reply_frame(mac_peer, router_ll, mac_a, a_link_local, message));
    sim.settle();
  }

  std::vector<IpAddress> dns() const {
    const auto s = a.learned_dns_servers().servers();
    return {s.begin(), s.end()};
  }
  std::vector<IpAddress> ntp() const {
    const auto s = a.learned_ntp_servers().servers();
    return {s.begin(), s.end()};
  }
};

TEST(Dhcp6ClientSim, InformationRequestAfterAnRaWithTheOtherFlag) {
  Dhcp6Net net;
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::WaitingForRouter);
  const Instant ra_at = net.sim.now();
  net.advertise(false, true);
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::Requesting);
  const std::optional<Request> r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  // RFC 8415 18.2.6: delayed by a random 0..INF_MAX_DELAY.
  EXPECT_LE(r->at - ra_at, Duration::seconds(1));
  EXPECT_EQ(r->source, a_link_local);
  EXPECT_EQ(r->destination, dhcpv6_all_relay_agents_and_servers);
  EXPECT_EQ(r->destination_mac, dhcp_servers_mac);
  EXPECT_EQ(r->hop_limit, 1);
  EXPECT_EQ(r->source_port, 546);
  EXPECT_EQ(r->destination_port, 547);
  ByteVector expected = hex(
      "0b 00 00 00"                                    // Information-request, xid below
      "00 01 00 0a  00 03 00 01 02 00 00 00 00 0a"     // client id: DUID-LL, Ethernet, mac_a
      "00 08 00 02  00 00"                             // elapsed time 0
      "00 06 00 08  00 17 00 1f 00 20 00 38");         // ORO: 23, 31, 32, 56
  expected[1] = static_cast<std::uint8_t>(r->transaction_id >> 16);
  expected[2] = static_cast<std::uint8_t>(r->transaction_id >> 8);
  expected[3] = static_cast<std::uint8_t>(r->transaction_id);
  EXPECT_EQ(to_hex(r->message), to_hex(expected));
  EXPECT_EQ(to_hex(net.client.duid()), to_hex(hex("00 03 00 01 02 00 00 00 00 0a")));
  EXPECT_EQ(net.client.stats().tx_information_request, 1U);
}

TEST(Dhcp6ClientSim, NothingWithoutTheOtherOrManagedFlag) {
  Dhcp6Net net;
  net.advertise(false, false);
  EXPECT_TRUE(net.requests_for(Duration::seconds(120)).empty());
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::WaitingForRouter);
  EXPECT_EQ(net.client.stats().tx_information_request, 0U);
  EXPECT_EQ(net.client.next_deadline(), Instant::max());
  // Nor before any RA.
  Dhcp6Net quiet;
  EXPECT_TRUE(quiet.requests_for(Duration::seconds(120)).empty());
}

TEST(Dhcp6ClientSim, RetransmissionsDoubleFromOneSecondUpToAnHour) {
  Dhcp6Net net;
  net.advertise(false, true);
  const std::vector<Request> sent = net.requests_for(Duration::seconds(5 * 3600));
  ASSERT_GE(sent.size(), 14U);
  Duration previous = sent[1].at - sent[0].at;
  // RT = IRT + RAND IRT, RAND in [-0.1, 0.1].
  EXPECT_GE(previous, Duration::millis(900));
  EXPECT_LE(previous, Duration::millis(1100));
  bool capped = false;
  const Duration max_rt = Duration::seconds(3600);
  for (std::size_t i = 2; i < sent.size(); ++i) {
    const Duration rt = sent[i].at - sent[i - 1].at;
    // RT = 2 RTprev + RAND RTprev while that stays within MRT, else
    // RT = MRT + RAND MRT (RAND in [-0.1, 0.1]; a microsecond of rounding).
    const bool doubled = rt >= previous * 2 - previous / 10 - Duration::micros(1) &&
                         rt <= previous * 2 + previous / 10 + Duration::micros(1) && rt <= max_rt;
    const bool at_max = previous * 2 + previous / 10 > max_rt && rt >= max_rt - max_rt / 10 &&
                        rt <= max_rt + max_rt / 10;
    EXPECT_TRUE(doubled || at_max) << i << ": " << rt.total_micros() << " us after " << previous.total_micros();
    if (at_max && !doubled) capped = true;
    previous = rt;
  }
  EXPECT_TRUE(capped);
  for (const Request& r : sent) {
    // One exchange: one transaction id; elapsed time in hundredths, capped.
    EXPECT_EQ(r.transaction_id, sent[0].transaction_id);
    const std::int64_t hundredths = (r.at - sent[0].at).total_millis() / 10;
    EXPECT_EQ(r.elapsed_time(), static_cast<std::uint16_t>(std::min<std::int64_t>(hundredths, 0xffff)));
  }
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(Dhcp6ClientSim, ReplyPublishesDnsAndNtpServers) {
  Dhcp6Net net;
  net.advertise(false, true);
  const std::optional<Request> r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  ReplyContent content;
  content.dns = {v6("2001:db8::53"), v6("2001:db8::54")};
  content.ntp = {v6("2001:db8::123")};
  content.sntp = {v6("2001:db8::124"), v6("2001:db8::123")};  // the second: already there
  net.reply(*r, content);
  EXPECT_EQ(net.client.stats().rx_reply, 1U);
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::Informed);
  EXPECT_EQ(net.dns(), (std::vector<IpAddress>{v6("2001:db8::53"), v6("2001:db8::54")}));
  EXPECT_EQ(net.a.learned_dns_servers().source(), ServerSource::Dhcp6);
  EXPECT_EQ(net.ntp(), (std::vector<IpAddress>{v6("2001:db8::123"), v6("2001:db8::124")}));
  ASSERT_TRUE(net.client.information().has_value());
  EXPECT_EQ(net.client.information()->server, IpAddress(router_ll));
  EXPECT_EQ(net.client.information()->refresh_seconds, 86400U);  // IRT_DEFAULT: no option 32
  EXPECT_EQ(net.client.refresh_at(), net.sim.now() + Duration::seconds(86400));
  // Answered: no more retransmissions.
  EXPECT_TRUE(net.requests_for(Duration::seconds(3600)).empty());
  // A second Reply to the same exchange is late.
  net.reply(*r, content);
  EXPECT_EQ(net.client.stats().drop_unexpected, 1U);
  net.client.stop(net.a);
  EXPECT_TRUE(net.dns().empty());
  EXPECT_TRUE(net.ntp().empty());
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::Stopped);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(Dhcp6ClientSim, RefreshTimeIsHonouredWithItsMinimum) {
  Dhcp6Net net;
  net.advertise(false, true);
  std::optional<Request> r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  ReplyContent content;
  content.dns = {v6("2001:db8::53")};
  content.refresh = 700;
  net.reply(*r, content);
  const Instant informed = net.sim.now();
  EXPECT_EQ(net.client.information()->refresh_seconds, 700U);
  const std::optional<Request> again = net.next_request(Duration::seconds(800));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->at - informed, Duration::seconds(700));  // no delay: not a new link
  EXPECT_NE(again->transaction_id, r->transaction_id);   // a new exchange
  EXPECT_EQ(again->elapsed_time(), 0);
  // The servers stay published while the refresh runs.
  EXPECT_EQ(net.dns(), (std::vector<IpAddress>{v6("2001:db8::53")}));

  // Below IRT_MINIMUM: 600 s.
  content.refresh = 100;
  content.dns = {v6("2001:db8::55")};
  net.reply(*again, content);
  EXPECT_EQ(net.dns(), (std::vector<IpAddress>{v6("2001:db8::55")}));
  EXPECT_EQ(net.client.information()->refresh_seconds, 600U);
  const Instant second = net.sim.now();
  const std::optional<Request> third = net.next_request(Duration::seconds(700));
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->at - second, Duration::seconds(600));

  // Infinity: never again.
  content.refresh = 0xffffffffU;
  net.reply(*third, content);
  EXPECT_EQ(net.client.refresh_at(), Instant::max());
  EXPECT_EQ(net.client.next_deadline(), Instant::max());
}

TEST(Dhcp6ClientSim, RepliesThatAreNotOursAreDroppedAndCounted) {
  Dhcp6Net net;
  net.advertise(false, true);
  const std::optional<Request> r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  ReplyContent good;
  good.dns = {v6("2001:db8::53")};

  ReplyContent other_xid = good;
  other_xid.transaction_id = (r->transaction_id + 1) & 0xffffffU;
  net.reply(*r, other_xid);
  ReplyContent other_client = good;
  other_client.client_duid = hex("00 03 00 01 02 00 00 00 00 0b");
  net.reply(*r, other_client);
  ReplyContent no_client = good;
  no_client.client_id = false;
  net.reply(*r, no_client);
  EXPECT_EQ(net.client.stats().drop_not_ours, 3U);

  ReplyContent no_server = good;
  no_server.server_id = false;
  net.reply(*r, no_server);
  EXPECT_EQ(net.client.stats().drop_no_server_id, 1U);

  ReplyContent failure = good;
  failure.status = Dhcpv6Status::UnspecifiedFailure;
  net.reply(*r, failure);
  EXPECT_EQ(net.client.stats().drop_error_status, 1U);

  // Truncated (an option past the end), and not a Reply at all.
  net.reply_message(hex("07 00 00 00 00 17 00 10 20 01"));
  ByteVector advertise = r->message;
  advertise[0] = static_cast<std::uint8_t>(Dhcpv6MessageType::Advertise);
  net.reply_message(advertise);
  EXPECT_EQ(net.client.stats().drop_malformed, 1U);
  EXPECT_EQ(net.client.stats().drop_unexpected, 1U);

  EXPECT_EQ(net.client.stats().rx_reply, 0U);
  EXPECT_TRUE(net.dns().empty());
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::Requesting);
  // Still asking, and the good Reply then counts.
  const std::optional<Request> again = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->transaction_id, r->transaction_id);
  net.reply(*again, good);
  EXPECT_EQ(net.client.stats().rx_reply, 1U);
  EXPECT_EQ(net.dns(), (std::vector<IpAddress>{v6("2001:db8::53")}));
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(Dhcp6ClientSim, ManagedFlagIsCountedAsUnsupportedAndOtherConfigurationIsAskedFor) {
  Dhcp6Net net;
  net.advertise(true, false);
  EXPECT_TRUE(net.client.stateful_requested());
  EXPECT_EQ(net.client.stats().stateful_not_supported, 1U);
  const std::optional<Request> r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  // Still an Information-request: no IA_NA, no Solicit.
  EXPECT_EQ(r->message[0], static_cast<std::uint8_t>(Dhcpv6MessageType::InformationRequest));
  net.advertise(true, true);  // M stays on: counted once
  EXPECT_EQ(net.client.stats().stateful_not_supported, 1U);
  net.advertise(false, true);
  EXPECT_FALSE(net.client.stateful_requested());
  // Requesting throughout: no second exchange for a flag change within O|M.
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::Requesting);
}

TEST(Dhcp6ClientSim, RaWithoutFlagsWithdrawsAndTheNextOneAsksAgain) {
  Dhcp6Net net;
  net.advertise(false, true);
  std::optional<Request> r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  ReplyContent content;
  content.dns = {v6("2001:db8::53")};
  net.reply(*r, content);
  ASSERT_EQ(net.dns().size(), 1U);
  net.advertise(false, false);
  EXPECT_TRUE(net.dns().empty());
  EXPECT_FALSE(net.client.information().has_value());
  EXPECT_EQ(net.client.state(), Dhcp6ClientState::WaitingForRouter);
  EXPECT_TRUE(net.requests_for(Duration::seconds(100000)).empty());
  net.advertise(false, true);
  r = net.next_request(Duration::seconds(2));
  ASSERT_TRUE(r.has_value());
  net.reply(*r, content);
  EXPECT_EQ(net.dns().size(), 1U);
}

TEST(Dhcp6ClientSim, StartRefusesTheLoopbackNetif) {
  HostAndPeer net;
  Dhcp6Client client(net.a.loopback_netif());
  EXPECT_ERROR(client.start(net.a, net.sim.now()), Error::InvalidArgument);
  Dhcp6Client unknown(NetifId{7});
  EXPECT_ERROR(unknown.start(net.a, net.sim.now()), Error::InvalidArgument);
}

}  // namespace
}  // namespace lwnet::test::dhcp6_client_test
