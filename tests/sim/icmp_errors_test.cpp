// ICMP errors: port and protocol unreachable, when they must not be sent
// (RFC 1122 3.2.2), their rate limit; and what IPv4 input drops.
#include <gtest/gtest.h>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/checksum.h"
#include "wire/icmpv4.h"

namespace lwnet::test::icmp_errors_test {
namespace {

std::vector<FrameLog::Frame> icmp_from(const FrameLog& log, int from) {
  std::vector<FrameLog::Frame> out;
  for (const auto& f : log.with_ethertype(ipv4_type, from)) {
    if (frame_ip_protocol(f.bytes) == 1) out.push_back(f);
  }
  return out;
}

TEST(IcmpErrorsSim, PortUnreachableQuotesTheDatagram) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(tx, {IpAddress{}, 5000}));
  ASSERT_OK(net.a.udp_send_to(tx, pattern(100), {ip_b, 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.b.stats().udp.drop_no_port, 1U);
  EXPECT_EQ(net.b.stats().icmp.tx_unreachable, 1U);
  const auto sent = net.log.with_ethertype(ipv4_type, 0);
  const auto errors = icmp_from(net.log, 1);
  ASSERT_EQ(sent.size(), 1U);
  ASSERT_EQ(errors.size(), 1U);
  const ByteVector& e = errors[0].bytes;
  EXPECT_EQ(frame_ip_source(e), ip_b);
  EXPECT_EQ(frame_ip_destination(e), ip_a);
  const ByteVector icmp(e.begin() + 34, e.end());
  ASSERT_EQ(icmp.size(), 8U + 28U);
  EXPECT_EQ(icmp[0], 3);  // destination unreachable
  EXPECT_EQ(icmp[1], 3);  // port
  EXPECT_EQ(load_be32(icmp, 4), 0U);
  EXPECT_EQ(internet_checksum(icmp), 0);
  EXPECT_EQ(ByteVector(icmp.begin() + 8, icmp.end()),
            ByteVector(sent[0].bytes.begin() + 14, sent[0].bytes.begin() + 14 + 28));
  EXPECT_EQ(net.a.stats().icmp.rx, 1U);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

// After the handshake a parameter problem is a soft error as the others
// are (as Linux, which keeps it in sk_err_soft): the connection goes on,
// and the error is what a timeout would report.
TEST(IcmpErrorsSim, ParameterProblemIsASoftErrorOnceConnected) {
  if constexpr (!config::icmp_errors_to_transports) return;
  TwoHosts net;
  net.sim.settle();
  const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001);
  ASSERT_TRUE(pair.has_value());
  net.log.clear();
  ASSERT_OK(net.a.tcp_send(pair->client, pattern(100), net.sim.now()));
  // The segment left inside the call: the error about it reaches A before
  // B's acknowledgment does.
  std::optional<ByteVector> segment;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv4_type, 0)) {
    if (frame_ip_protocol(f.bytes) == 6 && f.bytes.size() > 14 + 60 && !segment) {
      segment = ByteVector(f.bytes.begin() + 14, f.bytes.end());
    }
  }
  ASSERT_TRUE(segment.has_value());
  ByteVector message(Icmpv4Repr::header_len + 28);
  std::copy_n(segment->begin(), 28, message.begin() + Icmpv4Repr::header_len);
  Icmpv4Repr icmp;
  icmp.type = static_cast<std::uint8_t>(Icmpv4Type::ParameterProblem);
  icmp.emit(message);
  Ipv4Repr ip;
  ip.source = ip_b;
  ip.destination = ip_a;
  ip.protocol = 1;
  (void)net.pipe.b().transmit(ethernet_frame(mac_a, mac_b, ipv4_type, ipv4_packet(ip, message)), net.sim.now());
  net.sim.settle();
  const TcpConnection* conn = net.a.tcp_connection(pair->client);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->state(), TcpState::Established);
  EXPECT_EQ(conn->soft_error(), Error::Protocol);
  EXPECT_FALSE(conn->error());
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 1U);
  // Data still flows.
  std::array<std::uint8_t, 128> got{};
  Result<std::size_t> n = net.b.tcp_receive(pair->server, got, net.sim.now());
  ASSERT_OK(n);
  EXPECT_EQ(*n, 100U);
  net.a.tcp_abort(pair->client, net.sim.now());
  net.b.tcp_abort(pair->server, net.sim.now());
  net.b.tcp_close(pair->listener, net.sim.now());
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(IcmpErrorsSim, ErrorsAreRateLimited) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle tx = *net.a.udp_open();
  const std::size_t burst = config::icmp_errors_per_second;
  const std::size_t sent = burst + 15;
  for (std::size_t i = 0; i < sent; ++i) {
    ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_b, 9}, net.sim.now()));
    if (i == 0) net.sim.settle();  // let ARP resolve before the burst
  }
  net.sim.settle();
  EXPECT_EQ(net.b.stats().udp.drop_no_port, sent);
  EXPECT_EQ(net.b.stats().icmp.tx_unreachable, burst);
  EXPECT_EQ(net.b.stats().icmp.rate_limited, sent - burst);
  // A tenth of a second later one more may go, a second later a full burst.
  net.sim.run_for(Duration::millis(1000 / static_cast<std::int64_t>(burst)));
  for (int i = 0; i < 2; ++i) ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_b, 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.b.stats().icmp.tx_unreachable, burst + 1);
  net.sim.run_for(Duration::seconds(1));
  for (std::size_t i = 0; i < sent; ++i) {
    ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_b, 9}, net.sim.now()));
  }
  net.sim.settle();
  EXPECT_EQ(net.b.stats().icmp.tx_unreachable, 2 * burst + 1);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(IcmpErrorsSim, NoErrorForBroadcasts) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle tx = *net.a.udp_open();
  net.a.udp_set_broadcast(tx, true);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {Ipv4Address::of(192, 0, 2, 255), 9}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {Ipv4Address::broadcast(), 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.b.stats().udp.drop_no_port, 2U);
  EXPECT_EQ(net.b.stats().icmp.tx, 0U);
  EXPECT_TRUE(icmp_from(net.log, 1).empty());
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(IcmpErrorsSim, UnicastInALinkBroadcastGetsNoError) {
  HostAndPeer net;
  net.sim.settle();
  Ipv4Repr h;
  h.source = ip_peer;
  h.destination = ip_a;
  h.protocol = 17;
  const ByteVector packet = ipv4_packet(h, udp_datagram(ip_peer, ip_a, 1, 9, pattern(4)));
  net.inject(ethernet_frame(MacAddress::broadcast(), mac_peer, ipv4_type, packet));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().udp.drop_no_port, 1U);
  EXPECT_EQ(net.a.stats().icmp.tx, 0U);
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(IcmpErrorsSim, UnknownProtocolGetsProtocolUnreachable) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  Ipv4Repr h;
  h.source = ip_peer;
  h.destination = ip_a;
  h.protocol = 253;  // RFC 3692 experimentation
  const ByteVector packet = ipv4_packet(h, pattern(12));
  net.inject_ipv4(packet);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.drop_unknown_protocol, 1U);
  const auto frames = net.received();
  ASSERT_EQ(frames.size(), 1U);
  const ByteVector& e = frames[0];
  EXPECT_EQ(frame_ip_protocol(e), 1);
  EXPECT_EQ(frame_ip_destination(e), ip_peer);
  EXPECT_EQ(e.at(34), 3);
  EXPECT_EQ(e.at(35), 2);  // protocol unreachable
  EXPECT_EQ(ByteVector(e.begin() + 42, e.end()), ByteVector(packet.begin(), packet.begin() + 28));
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(IcmpErrorsSim, InputDropsWhatIsNotForUs) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  auto packet_to = [](Ipv4Address source, Ipv4Address destination) {
    Ipv4Repr h;
    h.source = source;
    h.destination = destination;
    h.protocol = 17;
    return ipv4_packet(h, udp_datagram(source, destination, 1, 9, pattern(4)));
  };
  // Another host's address, in a frame for our MAC.
  net.inject_ipv4(packet_to(ip_peer, Ipv4Address::of(192, 0, 2, 200)));
  // Multicast (no groups joined yet).
  net.inject_ipv4(packet_to(ip_peer, Ipv4Address::of(224, 0, 0, 9)));
  // Impossible sources.
  net.inject_ipv4(packet_to(Ipv4Address::broadcast(), ip_a));
  net.inject_ipv4(packet_to(Ipv4Address::of(192, 0, 2, 255), ip_a));
  net.inject_ipv4(packet_to(Ipv4Address::loopback(), ip_a));
  // A frame for another MAC.
  net.inject(ethernet_frame(MacAddress{{0x02, 0, 0, 0, 0, 0x99}}, mac_peer, ipv4_type,
                            packet_to(ip_peer, ip_a)));
  // Unknown EtherType, and a runt.
  net.inject(ethernet_frame(mac_a, mac_peer, 0x88b5, pattern(46)));
  net.inject(ByteVector{0x02, 0, 0, 0});
  net.sim.settle();
  const StackStats& s = net.a.stats();
  EXPECT_EQ(s.ipv4.drop_not_for_us, 2U);
  EXPECT_EQ(s.ipv4.drop_bad_source, 3U);
  EXPECT_EQ(s.ethernet.drop_not_for_us, 1U);
  EXPECT_EQ(s.ethernet.drop_unknown_ethertype, 1U);
  EXPECT_EQ(s.ethernet.drop_truncated, 1U);
  EXPECT_EQ(s.udp.rx, 0U);
  EXPECT_EQ(s.icmp.tx, 0U);
  EXPECT_TRUE(net.received().empty());
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// A datagram from the link that claims one of our addresses as its source
// is forged or looped back (Linux drops it as a martian). Taken in, every
// answer to it goes to ourselves through the loopback netif: an echo
// request's reply, a closed port's ICMP error, and for two ports that echo
// what they get (the land attack), one datagram that bounces for ever.
TEST(IcmpErrorsSim, OwnAddressAsSourceFromTheLinkIsDropped) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  Ipv4Repr h;
  h.source = ip_a;
  h.destination = ip_a;
  h.protocol = 17;
  net.inject_ipv4(ipv4_packet(h, udp_datagram(ip_a, ip_a, 9, 9, pattern(4))));
  ByteVector echo(8 + 4);
  Icmpv4Repr request;
  request.type = static_cast<std::uint8_t>(Icmpv4Type::EchoRequest);
  request.identifier = 5;
  request.sequence = 1;
  request.emit(echo);
  h.protocol = 1;
  net.inject_ipv4(ipv4_packet(h, echo));
  net.sim.settle();
  const StackStats& s = net.a.stats();
  EXPECT_EQ(s.ipv4.drop_bad_source, 2U);
  EXPECT_EQ(s.ipv4.rx, 2U);  // nothing came back through the loopback netif
  EXPECT_EQ(s.ipv4.tx, 0U);
  EXPECT_EQ(s.udp.rx, 0U);
  EXPECT_EQ(s.icmp.rx, 0U);
  EXPECT_EQ(s.icmp.tx, 0U);
  EXPECT_TRUE(net.received().empty());
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(IcmpErrorsSim, MalformedIpv4IsCountedByReason) {
  HostAndPeer net;
  net.sim.settle();
  Ipv4Repr h;
  h.source = ip_peer;
  h.destination = ip_a;
  h.protocol = 17;
  const ByteVector good = ipv4_packet(h, udp_datagram(ip_peer, ip_a, 1, 9, pattern(4)));
  ByteVector bad_version = good;
  bad_version[0] = 0x65;
  ByteVector short_total = good;
  store_be16(short_total, 2, 19);  // shorter than its header
  ByteVector long_total = good;
  store_be16(long_total, 2, 400);  // longer than the frame
  net.inject_ipv4(bad_version);
  net.inject_ipv4(short_total);
  net.inject_ipv4(long_total);
  net.sim.settle();
  const StackStats& s = net.a.stats();
  EXPECT_EQ(s.ipv4.drop_bad_version, 1U);
  EXPECT_EQ(s.ipv4.drop_malformed, 1U);
  EXPECT_EQ(s.ipv4.drop_truncated, 1U);
  if constexpr (config::checksum_check_ip) {
    ByteVector bad_checksum = good;
    bad_checksum[10] ^= 0xff;
    net.inject_ipv4(bad_checksum);
    net.sim.settle();
    EXPECT_EQ(s.ipv4.drop_bad_checksum, 1U);
  }
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::icmp_errors_test
