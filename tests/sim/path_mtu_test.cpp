// Packet Too Big and the path MTU (RFC 8201), and ICMPv6 errors reaching
// the transports (RFC 4443 3.1, RFC 5927): a raw peer answers A's packets
// with forged errors, frame by frame.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <span>
#include <vector>

#include "config/options.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/icmp_error_checks.h"
#include "support/status.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

namespace lwnet::test::path_mtu_test {
namespace {

#if CONFIG_LWIP_IPV6 && CONFIG_LWIP_IP6_FRAG

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address address_a = v6("2001:db8::1");
const Ipv6Address address_peer = v6("2001:db8::99");
const Ipv6Address address_router = v6("2001:db8::fe");

// An IPv6 packet (header included) from `source` to `destination`.
ByteVector ipv6_packet(const Ipv6Address& source, const Ipv6Address& destination, std::uint8_t next_header,
                       ConstBytes payload) {
  ByteVector packet(Ipv6Repr::header_len + payload.size());
  Ipv6Repr ip;
  ip.source = source;
  ip.destination = destination;
  ip.next_header = next_header;
  ip.hop_limit = 64;
  ip.payload_len = payload.size();
  ip.emit(packet);
  std::copy(payload.begin(), payload.end(), packet.begin() + Ipv6Repr::header_len);
  return packet;
}

// An ICMPv6 error from `from` to A quoting `offending` (cut to fit 1280
// bytes); `parameter`: the MTU of a Packet Too Big, the pointer of a
// Parameter Problem.
ByteVector icmpv6_error(const Ipv6Address& from, Icmpv6Type type, std::uint8_t code, std::uint32_t parameter,
                        ConstBytes offending) {
  ByteVector message(Icmpv6Repr::error_len(offending.size()));
  Icmpv6Repr error;
  error.type = static_cast<std::uint8_t>(type);
  error.code = code;
  error.mtu = parameter;
  error.pointer = parameter;
  EXPECT_TRUE(error.emit_error(message, offending, from, address_a).ok());
  return ethernet_frame(mac_a, mac_peer, ipv6_type, ipv6_packet(from, address_a, 58, message));
}

ByteVector packet_too_big(std::uint32_t mtu, ConstBytes offending, const Ipv6Address& from = address_router) {
  return icmpv6_error(from, Icmpv6Type::PacketTooBig, 0, mtu, offending);
}

// A (2001:db8::1/64, DAD done) facing the raw peer 2001:db8::99, a static
// neighbor; a UDP endpoint [::]:5000 connected to the peer's port 9.
struct PathMtuSim : ::testing::Test {
  PathMtuSim() {
    EXPECT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{address_a, 64}, net.sim.now()));
    net.sim.run_for(Duration::seconds(2));
    EXPECT_OK(net.a.nd_add_static(net.a_if, address_peer, mac_peer, net.sim.now()));
    udp = *net.a.udp_open();
    EXPECT_OK(net.a.udp_bind(udp, {Ipv6Address{}, 5000}));
    EXPECT_OK(net.a.udp_connect(udp, {address_peer, 9}));
    (void)net.received();
  }
  ~PathMtuSim() override {
    net.a.udp_close(udp);
    net.sim.settle();
    EXPECT_EQ(net.a.pools().in_use(), 0U);
  }
  // The IPv6 packets (no link header) A sent to the peer since the last
  // call, but for ND and MLD.
  std::vector<ByteVector> sent() {
    std::vector<ByteVector> out;
    for (const ByteVector& f : net.received()) {
      if (frame_ethertype(f) != ipv6_type || f[20] == 0 || (f[20] == 58 && f[54] >= 130)) continue;
      out.emplace_back(f.begin() + 14, f.end());
    }
    return out;
  }
  // Sends `size` bytes on the connected endpoint; returns the packets.
  std::vector<ByteVector> send_udp(std::size_t size) {
    EXPECT_OK(net.a.udp_send(udp, pattern(size, 3), net.sim.now()));
    net.sim.settle();
    return sent();
  }
  const Icmpv6Stats& icmpv6() { return net.a.stats().icmpv6; }
  const Ipv6Stats& ipv6() { return net.a.stats().ipv6; }
  HostAndPeer net;
  UdpHandle udp;
};

TEST_F(PathMtuSim, PacketTooBigLowersThePathMtuAndFragmentsFollowIt) {
  const std::vector<ByteVector> whole = send_udp(1400);
  ASSERT_EQ(whole.size(), 1U);
  ASSERT_EQ(whole[0].size(), 40U + 8U + 1400U);
  EXPECT_EQ(whole[0][6], 17);  // no fragment header: it fits the link
  net.inject(packet_too_big(1300, whole[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), 1300U);
  EXPECT_EQ(icmpv6().rx_packet_too_big, 1U);
  EXPECT_EQ(ipv6().pmtu_learned, 1U);
  // A Packet Too Big is no error for the endpoint.
  EXPECT_FALSE(net.a.udp_has_error(udp));

  // Now in two fragments of at most 1300 bytes: 1248 bytes (the most that
  // is a multiple of 8 behind 48 bytes of headers), then the other 160.
  const std::vector<ByteVector> pieces = send_udp(1400);
  ASSERT_EQ(pieces.size(), 2U);
  ASSERT_EQ(pieces[0].size(), 48U + 1248U);
  ASSERT_EQ(pieces[1].size(), 48U + 160U);
  const ConstBytes identification = ConstBytes(pieces[0]).subspan(44, 4);
  EXPECT_EQ(to_hex(ConstBytes(pieces[0]).first(8)), to_hex(hex("60 00 00 00 04 e8 2c 40")));
  EXPECT_EQ(to_hex(ConstBytes(pieces[0]).subspan(40, 4)), to_hex(hex("11 00 00 01")));
  EXPECT_EQ(to_hex(ConstBytes(pieces[1]).first(8)), to_hex(hex("60 00 00 00 00 a8 2c 40")));
  EXPECT_EQ(to_hex(ConstBytes(pieces[1]).subspan(40, 4)), to_hex(hex("11 00 04 e0")));
  EXPECT_EQ(to_hex(ConstBytes(pieces[1]).subspan(44, 4)), to_hex(identification));
  // Both fragments carry the addresses; their data is the datagram whole.
  EXPECT_EQ(to_hex(ConstBytes(pieces[1]).subspan(8, 32)), to_hex(ConstBytes(whole[0]).subspan(8, 32)));
  ByteVector data(pieces[0].begin() + 48, pieces[0].end());
  data.insert(data.end(), pieces[1].begin() + 48, pieces[1].end());
  EXPECT_EQ(data, ByteVector(whole[0].begin() + 40, whole[0].end()));
  EXPECT_EQ(ipv6().frag_tx, 2U);
  EXPECT_EQ(ipv6().frag_tx_datagrams, 1U);

  // Never raised by a Packet Too Big (RFC 8201 4), only lowered further.
  net.inject(packet_too_big(1400, whole[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), 1300U);
  net.inject(packet_too_big(1290, whole[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), 1290U);
  EXPECT_EQ(ipv6().pmtu_learned, 2U);
}

TEST_F(PathMtuSim, AnMtuUnderTheMinimumIsRaisedTo1280) {
  const std::vector<ByteVector> whole = send_udp(1400);
  ASSERT_EQ(whole.size(), 1U);
  net.inject(packet_too_big(576, whole[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), 1280U);
  EXPECT_EQ(icmpv6().pmtu_clamped, 1U);
  const std::vector<ByteVector> pieces = send_udp(1400);
  ASSERT_EQ(pieces.size(), 2U);
  EXPECT_EQ(pieces[0].size(), 48U + 1232U);
  EXPECT_EQ(pieces[1].size(), 48U + 1408U - 1232U);
}

TEST_F(PathMtuSim, AnMtuNoSmallerThanTheLinksTeachesNothing) {
  const std::vector<ByteVector> whole = send_udp(1400);
  ASSERT_EQ(whole.size(), 1U);
  net.inject(packet_too_big(1500, whole[0]));
  net.inject(packet_too_big(9000, whole[0]));
  net.sim.settle();
  EXPECT_EQ(icmpv6().rx_packet_too_big, 2U);
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), std::nullopt);
  EXPECT_EQ(ipv6().pmtu_learned, 0U);
}

TEST_F(PathMtuSim, AForgedPacketTooBigWhoseQuoteIsNotOursIsIgnored) {
  const std::vector<ByteVector> whole = send_udp(1400);
  ASSERT_EQ(whole.size(), 1U);
  // The same packet, but from an address A does not have.
  ByteVector forged = whole[0];
  forged[8 + 15] = 0x77;
  net.inject(packet_too_big(1280, forged));
  // A quote too short to hold an IPv6 header.
  net.inject(packet_too_big(1280, ConstBytes(whole[0]).first(39)));
  net.sim.settle();
  EXPECT_EQ(icmpv6().drop_not_ours, 2U);
  EXPECT_EQ(icmpv6().rx_packet_too_big, 0U);
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), std::nullopt);
  EXPECT_EQ(send_udp(1400).size(), 1U);
}

TEST_F(PathMtuSim, TheLearnedMtuExpiresAfterTenMinutes) {
  const std::vector<ByteVector> whole = send_udp(1400);
  ASSERT_EQ(whole.size(), 1U);
  net.inject(packet_too_big(1280, whole[0]));
  net.sim.settle();
  ASSERT_EQ(net.a.ipv6_path_mtu(address_peer), 1280U);
  net.sim.run_for(Duration::seconds(599));
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), 1280U);
  EXPECT_EQ(send_udp(1400).size(), 2U);
  net.sim.run_for(Duration::seconds(2));
  EXPECT_EQ(net.a.ipv6_path_mtu(address_peer), std::nullopt);
  EXPECT_EQ(ipv6().pmtu_expired, 1U);
  // The link's MTU again: the path is probed with full-sized packets.
  const std::vector<ByteVector> after = send_udp(1400);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].size(), 1448U);
}

TEST_F(PathMtuSim, PortUnreachableReachesTheConnectedUdpEndpoint) {
  const std::vector<ByteVector> packets = send_udp(20);
  ASSERT_EQ(packets.size(), 1U);
  // Address unreachable is soft: nothing for a UDP endpoint (as Linux).
  net.inject(icmpv6_error(address_router, Icmpv6Type::DestinationUnreachable, 3, 0, packets[0]));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_has_error(udp));
  // Port unreachable from the peer: ECONNREFUSED on the next call.
  net.inject(icmpv6_error(address_peer, Icmpv6Type::DestinationUnreachable, 4, 0, packets[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.udp_take_error(udp), Error::ConnectionRefused);
  EXPECT_EQ(net.a.udp_take_error(udp), std::nullopt);
  EXPECT_EQ(icmpv6().errors_to_transport, 2U);
  // A quote for another of the peer's ports matches no endpoint.
  ByteVector other = packets[0];
  other[40 + 3] = 10;
  net.inject(icmpv6_error(address_peer, Icmpv6Type::DestinationUnreachable, 4, 0, other));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_has_error(udp));
}

// A Parameter Problem (any code) is fatal, as on Linux
// (icmpv6_err_convert: EPROTO): the connected endpoint keeps it for its next
// call. One quoting another port, or from a quote that is not ours,
// changes nothing.
TEST_F(PathMtuSim, ParameterProblemReachesTheConnectedUdpEndpoint) {
  const std::vector<ByteVector> packets = send_udp(20);
  ASSERT_EQ(packets.size(), 1U);
  constexpr std::uint32_t next_header_field = 6;
  ByteVector other_peer_port = packets[0];
  other_peer_port[40 + 3] = 10;
  net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 1, next_header_field, other_peer_port));
  ByteVector other_local_port = packets[0];
  other_local_port[40 + 1] = 0x89;
  net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 1, next_header_field, other_local_port));
  ByteVector not_ours = packets[0];
  not_ours[8 + 15] = 0x77;  // the source: 2001:db8::77
  net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 1, next_header_field, not_ours));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_has_error(udp));
  EXPECT_EQ(icmpv6().drop_not_ours, 1U);

  net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 1, next_header_field, packets[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.udp_take_error(udp), Error::Protocol);
  EXPECT_EQ(net.a.udp_take_error(udp), std::nullopt);
  // Erroneous header field (code 0) is as fatal as an unknown next header.
  net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 0, 4, packets[0]));
  net.sim.settle();
  EXPECT_EQ(net.a.udp_take_error(udp), Error::Protocol);
  EXPECT_EQ(icmpv6().errors_to_transport, 4U);
  EXPECT_TRUE(sent().empty());
}

// ICMPv6's port unreachable and soft errors for TCP, checked as ICMP's
// (support/icmp_error_checks.h).
IcmpErrorScript script_for(PathMtuSim& t) {
  return IcmpErrorScript{t.net,
                         IpAddress(address_peer),
                         40,
                         [&t] { return t.sent(); },
                         [&t](const ByteVector& packet) {
                           t.net.inject(icmpv6_error(address_peer, Icmpv6Type::DestinationUnreachable, 4, 0, packet));
                         },
                         IpAddress(address_a),
                         [&t](const ByteVector& segment) {
                           t.net.inject(ethernet_frame(mac_a, mac_peer, ipv6_type,
                                                       ipv6_packet(address_peer, address_a, 6, segment)));
                         }};
}

TEST_F(PathMtuSim, PortUnreachableRefusesATcpConnectInSynSent) {
  expect_port_unreachable_refuses_syn_sent(script_for(*this));
}

TEST_F(PathMtuSim, ParameterProblemEndsATcpConnectInSynSentWithProtocolError) {
  expect_hard_error_ends_syn_sent(
      script_for(*this),
      [this](const ByteVector& packet) {
        net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 1, 6, packet));
      },
      Error::Protocol);
}

TEST_F(PathMtuSim, PortUnreachableDropsAHalfOpenTcpConnection) {
  expect_port_unreachable_drops_syn_received(script_for(*this));
}

TEST_F(PathMtuSim, ParameterProblemDropsAHalfOpenTcpConnection) {
  expect_hard_error_drops_syn_received(script_for(*this), [this](const ByteVector& packet) {
    net.inject(icmpv6_error(address_router, Icmpv6Type::ParameterProblem, 1, 6, packet));
  });
}

TEST_F(PathMtuSim, UnreachableAndTimeExceededAreSoftErrorsForTcp) {
  const IcmpErrorScript script = script_for(*this);
  ByteVector syn;
  const TcpHandle c = connect_for_soft_errors(script, syn);
  ASSERT_FALSE(syn.empty());
  ASSERT_EQ(syn[6], 6);
  net.inject(icmpv6_error(address_router, Icmpv6Type::DestinationUnreachable, 1, 0, syn));
  net.sim.settle();
  EXPECT_EQ(net.a.tcp_connection(c)->soft_error(), Error::HostUnreachable);
  net.inject(icmpv6_error(address_router, Icmpv6Type::DestinationUnreachable, 0, 0, syn));
  net.sim.settle();
  EXPECT_EQ(net.a.tcp_connection(c)->soft_error(), Error::NoRoute);
  net.inject(icmpv6_error(address_router, Icmpv6Type::TimeExceeded, 0, 0, syn));
  net.sim.settle();
  expect_connect_ends_with_soft_error(script, c, Error::HostUnreachable);
  EXPECT_EQ(icmpv6().errors_to_transport, 3U);
}

// IPv6's counterpart of RawIcmpSim's: a neighbour that never answers
// solicitations ends a connect with a host unreachable after the three
// solicitations (3 s), as Linux's EHOSTUNREACH.
TEST_F(PathMtuSim, ANeighbourThatNeverAnswersEndsAConnectWithHostUnreachable) {
  const Instant start = net.sim.now();
  Result<TcpHandle> c = net.a.tcp_connect({IpAddress(v6("2001:db8::77")), 80}, start);
  ASSERT_OK(c);
  net.sim.run_until(start + Duration::millis(2990));
  ASSERT_NE(net.a.tcp_connection(*c), nullptr);
  EXPECT_EQ(net.a.tcp_connection(*c)->state(), TcpState::SynSent);
  EXPECT_TRUE(sent().empty());  // only solicitations went out
  net.sim.run_until(start + Duration::millis(3010));
  const TcpConnection* conn = net.a.tcp_connection(*c);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->state(), TcpState::Closed);
  EXPECT_EQ(conn->error(), Error::HostUnreachable);
  // The SYN and its retransmission after 1 s both waited.
  EXPECT_EQ(net.a.stats().nd.drop_unresolved, 2U);
  EXPECT_EQ(icmpv6().errors_to_transport, 2U);
  net.a.tcp_close(*c, net.sim.now());
}

TEST_F(PathMtuSim, ErrorsWeSendAreRateLimited) {
  // Fifteen datagrams at one instant to a port nobody holds: the first ten
  // (CONFIG_LWNET_ICMP_ERRORS_PER_SECOND's burst) get a port unreachable.
  for (int i = 0; i < 15; ++i) {
    ByteVector datagram(8 + 4);
    UdpRepr header;
    header.source_port = 1234;
    header.destination_port = 9;
    header.emit(datagram, address_peer, address_a, true);
    net.inject(ethernet_frame(mac_a, mac_peer, ipv6_type, ipv6_packet(address_peer, address_a, 17, datagram)));
  }
  net.sim.settle();
  std::size_t unreachable = 0;
  for (const ByteVector& p : sent()) {
    if (p[6] == 58 && p[40] == 1 && p[41] == 4) ++unreachable;
  }
  constexpr std::size_t burst = config::icmp_errors_per_second < 15 ? config::icmp_errors_per_second : 15;
  EXPECT_EQ(unreachable, burst);
  EXPECT_EQ(icmpv6().rate_limited, 15U - burst);
}

// A TCP connection between two stacks over IPv6, whose path shrinks to
// 1280 bytes under it: a "router" on the pipe drops A's larger packets and
// answers the first with a Packet Too Big.
TEST(PathMtuTcpSim, PacketTooBigMakesTcpResendInSmallerSegmentsAtOnce) {
  TwoHosts net;
  const Ipv6Address address_b = v6("2001:db8::2");
  ASSERT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{address_a, 64}, net.sim.now()));
  ASSERT_OK(net.b.add_ipv6_address(net.b_if, IpCidr{address_b, 64}, net.sim.now()));
  net.sim.run_for(Duration::seconds(2));
  Result<TcpHandle> listener = net.b.tcp_listen({Ipv6Address{}, 8080}, 4);
  ASSERT_OK(listener);
  Result<TcpHandle> client = net.a.tcp_connect({address_b, 8080}, net.sim.now());
  ASSERT_OK(client);
  net.sim.run_for(Duration::millis(100));
  Result<TcpHandle> server = net.b.tcp_accept(*listener);
  ASSERT_OK(server);
  const std::size_t mss_before = net.a.tcp_connection(*client)->send_mss();
  ASSERT_GT(mss_before, 1280U - 60U);

  std::vector<ByteVector> dropped;
  std::size_t largest_after = 0;
  bool shrunk = false;
  net.log.set_filter([&](int from, ConstBytes frame) {
    if (from != 0 || load_be16(frame, 12) != ipv6_type) return true;
    if (shrunk) largest_after = std::max(largest_after, frame.size() - 14);
    if (frame.size() - 14 <= 1280) return true;
    dropped.emplace_back(frame.begin() + 14, frame.end());
    return false;
  });
  const ByteVector data = pattern(3000, 9);
  ASSERT_OK(net.a.tcp_send(*client, data, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(dropped.size(), 2U);  // two full segments; the 144-byte tail passed

  shrunk = true;
  const Instant told = net.sim.now();
  ByteVector quote(dropped[0].begin(), dropped[0].begin() + icmpv6_max_quote_len);
  ByteVector message(Icmpv6Repr::error_len(quote.size()));
  Icmpv6Repr error;
  error.type = static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig);
  error.mtu = 1280;
  ASSERT_TRUE(error.emit_error(message, quote, address_router, address_a).ok());
  (void)net.pipe.b().transmit(
      ethernet_frame(mac_a, mac_b, ipv6_type, ipv6_packet(address_router, address_a, 58, message)), told);
  // Well within the first retransmission timeout: no waiting for it.
  net.sim.run_for(Duration::millis(200));
  EXPECT_EQ(net.a.ipv6_path_mtu(address_b), 1280U);
  EXPECT_EQ(net.a.tcp_connection(*client)->send_mss(), 1280U - 60U - 12U);
  EXPECT_EQ(largest_after, 1280U);
  EXPECT_EQ(dropped.size(), 2U);
  // TCP cut its segments to fit: IPv6 had nothing to fragment.
  EXPECT_EQ(net.a.stats().ipv6.frag_tx, 0U);
  std::array<std::uint8_t, 4096> buf{};
  Result<std::size_t> got = net.b.tcp_receive(*server, buf, net.sim.now());
  ASSERT_OK(got);
  ASSERT_EQ(*got, data.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 3000), data);
  // The congestion window did not pay for it (RFC 1191 6.5).
  EXPECT_GE(net.a.tcp_connection(*client)->congestion_window(), 3000U);

  // New data leaves in the smaller segments too.
  const ByteVector more = pattern(3000, 4);
  ASSERT_OK(net.a.tcp_send(*client, more, net.sim.now()));
  net.sim.run_for(Duration::millis(200));
  EXPECT_EQ(dropped.size(), 2U);
  got = net.b.tcp_receive(*server, buf, net.sim.now());
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got)), more);
  net.log.set_filter(nullptr);
  net.a.tcp_abort(*client, net.sim.now());
  net.b.tcp_abort(*server, net.sim.now());
  net.b.tcp_close(*listener, net.sim.now());
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

#endif

}  // namespace
}  // namespace lwnet::test::path_mtu_test
