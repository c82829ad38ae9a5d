// IPv4 path MTU discovery (RFC 1191): TCP segments leave with DF, and a
// Fragmentation Needed quoting one of them lowers the path MTU, which TCP's
// segments and IPv4's fragments then follow. Frame by frame: a "router" on
// the pipe drops A's larger packets and answers with forged messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "ip/path_mtu_table.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/bytes.h"
#include "wire/icmpv4.h"
#include "wire/ipv4.h"

namespace lwnet::test::path_mtu4_test {
namespace {

constexpr Ipv4Address ip_router = Ipv4Address::of(192, 0, 2, 254);

// A Fragmentation Needed from `from` to A, quoting the header and first 8
// payload bytes of `offending` (an IPv4 packet, no link header), with
// `mtu` as its Next-Hop MTU.
ByteVector fragmentation_needed(std::uint16_t mtu, ConstBytes offending, Ipv4Address from = ip_router) {
  const std::size_t quote = std::min<std::size_t>(offending.size(), 28);
  ByteVector message(Icmpv4Repr::header_len + quote);
  std::copy_n(offending.begin(), quote, message.begin() + Icmpv4Repr::header_len);
  Icmpv4Repr icmp;
  icmp.type = static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable);
  icmp.code = static_cast<std::uint8_t>(Icmpv4Unreachable::FragmentationNeeded);
  icmp.next_hop_mtu = mtu;
  icmp.emit(message);
  Ipv4Repr ip;
  ip.source = from;
  ip.destination = ip_a;
  ip.protocol = 1;
  return ethernet_frame(mac_a, mac_b, ipv4_type, ipv4_packet(ip, message));
}

// A and B over IPv4 with a TCP connection A -> B:8080. Until shrink() the
// pipe passes everything; after it, A's IPv4 packets longer than `mtu` are
// dropped (kept in `dropped`) as a narrower hop would.
struct PathMtu4Sim : ::testing::Test {
  PathMtu4Sim() {
    std::optional<TcpPair> opened = open_tcp_pair(net.sim, net.a, net.b, ip_b, 8080);
    EXPECT_TRUE(opened.has_value());
    if (opened) pair = *opened;
    net.log.set_filter([this](int from, ConstBytes frame) {
      if (from != 0 || load_be16(frame, 12) != ipv4_type) return true;
      const ConstBytes packet = frame.subspan(14);
      sent.emplace_back(packet.begin(), packet.end());
      if (packet.size() <= mtu) return true;
      dropped.emplace_back(packet.begin(), packet.end());
      return false;
    });
  }
  ~PathMtu4Sim() override {
    net.log.set_filter(nullptr);
    net.a.tcp_abort(pair.client, net.sim.now());
    net.b.tcp_abort(pair.server, net.sim.now());
    net.b.tcp_close(pair.listener, net.sim.now());
    net.sim.settle();
    EXPECT_EQ(net.a.pools().in_use(), 0U);
    EXPECT_EQ(net.b.pools().in_use(), 0U);
  }
  void inject(const ByteVector& frame) { (void)net.pipe.b().transmit(frame, net.sim.now()); }
  // Sends `data` from A and lets the pipe carry what fits.
  void send(const ByteVector& data) {
    ASSERT_OK(net.a.tcp_send(pair.client, data, net.sim.now()));
    net.sim.run_for(Duration::millis(50));
  }
  ByteVector receive_all() {
    ByteVector out;
    std::array<std::uint8_t, 8192> buf{};
    for (;;) {
      Result<std::size_t> got = net.b.tcp_receive(pair.server, buf, net.sim.now());
      if (!got || *got == 0) return out;
      out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got));
    }
  }
  std::size_t largest_sent() const {
    std::size_t largest = 0;
    for (const ByteVector& p : sent) largest = std::max(largest, p.size());
    return largest;
  }
  const TcpConnection& client() { return *net.a.tcp_connection(pair.client); }

  TwoHosts net;
  TcpPair pair{};
  std::size_t mtu = 1500;
  std::vector<ByteVector> sent;
  std::vector<ByteVector> dropped;
};

// The flags and fragment offset word of an IPv4 packet.
std::uint16_t flags_of(const ByteVector& packet) { return load_be16(packet, 6); }

TEST_F(PathMtu4Sim, TcpSegmentsCarryDfAndFragmentationNeededShrinksThemAtOnce) {
  const std::size_t mss_before = client().send_mss();
  ASSERT_GT(mss_before, 1000U - 40U);
  mtu = 1000;
  const ByteVector data = pattern(3000, 5);
  send(data);
  ASSERT_FALSE(dropped.empty());
  // As Linux: DF on every segment, no fragment offset.
  for (const ByteVector& p : sent) EXPECT_EQ(flags_of(p), 0x4000U);
  const std::size_t lost = dropped.size();
  sent.clear();
  inject(fragmentation_needed(1000, dropped[0]));
  // Well within the first retransmission timeout: no waiting for it.
  net.sim.run_for(Duration::millis(100));
  EXPECT_EQ(net.a.path_mtu(ip_b), 1000U);
  EXPECT_EQ(net.a.stats().icmp.rx_fragmentation_needed, 1U);
  EXPECT_EQ(net.a.stats().ipv4.pmtu_learned, 1U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 0U);  // no error for the connection
  EXPECT_LT(client().send_mss(), mss_before);
  EXPECT_LE(client().send_mss(), 1000U - 40U);
  EXPECT_EQ(dropped.size(), lost);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(largest_sent(), 1000U);
  // The first segment sent again: 1000 bytes, DF, TCP, from A to B.
  const ByteVector& resent = sent[0];
  EXPECT_EQ(to_hex(ConstBytes(resent).first(4)), to_hex(hex("45 00 03 e8")));
  EXPECT_EQ(to_hex(ConstBytes(resent).subspan(6, 4)), to_hex(hex("40 00 40 06")));
  EXPECT_EQ(to_hex(ConstBytes(resent).subspan(12, 8)), to_hex(hex("c0 00 02 01 c0 00 02 02")));
  // TCP cut its segments: IPv4 had nothing to fragment.
  EXPECT_EQ(net.a.stats().ipv4.frag_tx, 0U);
  EXPECT_EQ(receive_all(), data);
  // The congestion window did not pay for it (RFC 1191 6.5).
  EXPECT_GE(client().congestion_window(), 3000U);

  // Never raised by such a message, and forgotten after ten minutes.
  inject(fragmentation_needed(1200, dropped[0]));
  net.sim.run_for(Duration::millis(10));
  EXPECT_EQ(net.a.path_mtu(ip_b), 1000U);
  net.sim.run_for(PathMtuTable::lifetime);
  EXPECT_EQ(net.a.path_mtu(ip_b), std::nullopt);
  EXPECT_EQ(net.a.stats().ipv4.pmtu_expired, 1U);
}

TEST_F(PathMtu4Sim, AForgedFragmentationNeededIsIgnored) {
  mtu = 1000;
  send(pattern(2000, 2));
  ASSERT_FALSE(dropped.empty());
  // A quote without DF: we never sent it so, no router would answer it.
  ByteVector no_df = dropped[0];
  no_df[6] = 0;
  inject(fragmentation_needed(1000, no_df));
  // A quote of a packet from an address that is not ours.
  ByteVector not_from_us = dropped[0];
  store_be32(not_from_us, 12, Ipv4Address::of(192, 0, 2, 77).value);
  inject(fragmentation_needed(1000, not_from_us));
  // And one cut short of an IPv4 header.
  inject(fragmentation_needed(1000, ConstBytes(dropped[0]).first(12)));
  net.sim.run_for(Duration::millis(10));
  EXPECT_EQ(net.a.path_mtu(ip_b), std::nullopt);
  EXPECT_EQ(net.a.stats().icmp.rx_fragmentation_needed, 3U);
  EXPECT_EQ(net.a.stats().icmp.drop_not_ours, 3U);
  EXPECT_GT(client().send_mss(), 1000U - 40U);
  mtu = 1500;  // the retransmissions get through: the stream ends whole
  net.sim.run_for(Duration::seconds(2));
  EXPECT_EQ(receive_all(), pattern(2000, 2));
}

// RFC 1191 5 and 7: a router that predates it says 0; the host takes the
// next plateau below the length it sent (1492 for 1500).
TEST_F(PathMtu4Sim, AZeroNextHopMtuMeansTheNextPlateauDown) {
  mtu = 1000;
  send(pattern(1460, 3));
  ASSERT_FALSE(dropped.empty());
  // Quoted as 1500 bytes long (A's segments here are a little shorter).
  ByteVector quoted = dropped[0];
  store_be16(quoted, 2, 1500);
  inject(fragmentation_needed(0, quoted));
  net.sim.run_for(Duration::millis(10));
  EXPECT_EQ(net.a.path_mtu(ip_b), 1492U);
  // One that claims what would have fit counts as a 0 too: 1006 below 1492.
  store_be16(quoted, 2, 1492);
  inject(fragmentation_needed(1600, quoted));
  net.sim.run_for(Duration::millis(10));
  EXPECT_EQ(net.a.path_mtu(ip_b), 1006U);
}

// Below 576 a hop is not believed (an attacker could shrink every segment
// to a few bytes): the path MTU stops at 576, and from there the segments
// go without DF, for routers to fragment if the path really is narrower.
TEST_F(PathMtu4Sim, AnMtuUnder576IsRaisedTo576AndDfIsDropped) {
  mtu = 300;
  send(pattern(1000, 4));
  ASSERT_FALSE(dropped.empty());
  inject(fragmentation_needed(296, dropped[0]));
  sent.clear();
  net.sim.run_for(Duration::millis(10));
  EXPECT_EQ(net.a.path_mtu(ip_b), ipv4_min_path_mtu);
  EXPECT_EQ(net.a.stats().icmp.pmtu_clamped, 1U);
  EXPECT_LE(client().send_mss(), 576U - 40U);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(largest_sent(), 576U);
  for (const ByteVector& p : sent) EXPECT_EQ(flags_of(p), 0U);
}

// UDP sets no DF, but IPv4 fragments to the path MTU learned for its
// destination, not to the link's.
TEST_F(PathMtu4Sim, UdpDatagramsAreFragmentedToTheLearnedPathMtu) {
  mtu = 1000;
  send(pattern(1460, 6));
  ASSERT_FALSE(dropped.empty());
  inject(fragmentation_needed(1000, dropped[0]));
  net.sim.run_for(Duration::millis(10));
  ASSERT_EQ(net.a.path_mtu(ip_b), 1000U);
  UdpHandle u = *net.a.udp_open();
  sent.clear();
  ASSERT_OK(net.a.udp_send_to(u, pattern(1400, 1), {ip_b, 9}, net.sim.now()));
  net.sim.run_for(Duration::millis(10));
  std::vector<ByteVector> udp;
  for (const ByteVector& p : sent) {
    if (p[9] == 17) udp.push_back(p);
  }
  ASSERT_EQ(udp.size(), 2U);
  // 976 bytes (a multiple of 8 behind 20) and the other 432 of 1408.
  EXPECT_EQ(udp[0].size(), 996U);
  EXPECT_EQ(flags_of(udp[0]), 0x2000U);  // more fragments, no DF
  EXPECT_EQ(udp[1].size(), 20U + 432U);
  EXPECT_EQ(flags_of(udp[1]), 976U / 8);
  net.a.udp_close(u);
}

}  // namespace
}  // namespace lwnet::test::path_mtu4_test
