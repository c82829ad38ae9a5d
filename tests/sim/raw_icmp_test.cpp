// Raw ICMP endpoints (Stack::raw_*) and ICMP errors handed to UDP and TCP,
// against a scripted peer: exact bytes both ways.
#include <gtest/gtest.h>

#include <array>

#include "config/options.h"
#include "support/hosts.h"
#include "support/icmp_error_checks.h"
#include "support/status.h"
#include "util/checksum.h"
#include "wire/tcp.h"

namespace lwnet::test::raw_icmp_test {
namespace {

constexpr std::uint8_t icmp_protocol = 1;

// An ICMP message (type, code, 4 bytes of rest, data) with its checksum.
ByteVector icmp_message(std::uint8_t type, std::uint8_t code, std::uint32_t rest, ConstBytes data) {
  // Filled in place, with the size checked first: GCC 12 at -O2 reports
  // bogus overflows for a vector grown by insert here.
  ByteVector m(8 + data.size(), 0);
  if (m.size() < 8) return m;
  m[0] = type;
  m[1] = code;
  for (std::size_t i = 0; i < 4; ++i) m[4 + i] = static_cast<std::uint8_t>(rest >> (24 - 8 * i));
  for (std::size_t i = 0; i < data.size(); ++i) m[8 + i] = data[i];
  const std::uint16_t sum = internet_checksum(m);
  m[2] = static_cast<std::uint8_t>(sum >> 8);
  m[3] = static_cast<std::uint8_t>(sum);
  return m;
}

ByteVector icmp_packet(const ByteVector& message, Ipv4Address from = ip_peer) {
  Ipv4Repr h;
  h.source = from;
  h.destination = ip_a;
  h.protocol = icmp_protocol;
  h.ttl = 50;
  return ipv4_packet(h, message);
}

// The IPv4 packets A sent to the peer (Ethernet header cut off).
std::vector<ByteVector> sent_packets(HostAndPeer& net) {
  std::vector<ByteVector> out;
  for (const ByteVector& f : net.received()) {
    if (frame_ethertype(f) == ipv4_type) out.emplace_back(f.begin() + 14, f.end());
  }
  return out;
}

struct RawIcmpSim : ::testing::Test {
  RawIcmpSim() {
    net.sim.settle();
    EXPECT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
    (void)net.received();
  }
  HostAndPeer net;
};

TEST_F(RawIcmpSim, EveryIcmpMessageIsCopiedWithItsIpHeader) {
  RawHandle raw = *net.a.raw_open(icmp_protocol);
  EXPECT_ERROR(net.a.raw_open(17), Error::Unsupported);
  // An echo request to A (answered by A as well), then an unknown type.
  const ByteVector request = icmp_packet(icmp_message(8, 0, 0x77770003, pattern(20)));
  const ByteVector odd = icmp_packet(icmp_message(42, 1, 0, pattern(3)));
  net.inject_ipv4(request);
  net.inject_ipv4(odd);
  net.sim.settle();
  EXPECT_TRUE(net.a.raw_readable(raw));
  EXPECT_EQ(net.a.raw_pending_bytes(raw), request.size());

  std::array<std::uint8_t, 128> buf{};
  Result<RawReceived> r = net.a.raw_receive(raw, buf, /*peek=*/true);
  ASSERT_OK(r);
  EXPECT_EQ(r->size, request.size());
  r = net.a.raw_receive(raw, buf);
  ASSERT_OK(r);
  EXPECT_EQ(r->from, IpAddress(ip_peer));
  ASSERT_EQ(r->copied, request.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r->copied)), request);
  r = net.a.raw_receive(raw, buf);
  ASSERT_OK(r);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r->copied)), odd);
  EXPECT_ERROR(net.a.raw_receive(raw, buf), Error::WouldBlock);
  EXPECT_EQ(net.a.stats().icmp.raw_delivered, 2U);
  // The request was still answered.
  EXPECT_EQ(net.a.stats().icmp.tx_echo_reply, 1U);
  // A short buffer truncates.
  net.inject_ipv4(request);
  net.sim.settle();
  std::array<std::uint8_t, 10> small{};
  r = net.a.raw_receive(raw, small);
  ASSERT_OK(r);
  EXPECT_EQ(r->size, request.size());
  EXPECT_EQ(r->copied, 10U);
  EXPECT_EQ(ByteVector(small.begin(), small.end()), ByteVector(request.begin(), request.begin() + 10));
  net.a.raw_close(raw);
  EXPECT_ERROR(net.a.raw_receive(raw, buf), Error::Closed);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST_F(RawIcmpSim, QueueIsBoundedAndFiltersApply) {
  RawHandle any = *net.a.raw_open(icmp_protocol);
  RawHandle from_other = *net.a.raw_open(icmp_protocol);
  ASSERT_OK(net.a.raw_connect(from_other, Ipv4Address::of(192, 0, 2, 50)));
  EXPECT_ERROR(net.a.raw_bind(any, Ipv4Address::of(10, 9, 9, 9)), Error::AddressNotAvailable);
  int events = 0;
  net.a.set_raw_event_callback([](void* c, RawHandle) { ++*static_cast<int*>(c); }, &events);
  const std::size_t extra = 2;
  for (std::size_t i = 0; i < config::udp_recvmbox_size + extra; ++i) {
    net.inject_ipv4(icmp_packet(icmp_message(0, 0, static_cast<std::uint32_t>(i), {})));
  }
  net.sim.settle();
  EXPECT_EQ(events, static_cast<int>(config::udp_recvmbox_size));
  EXPECT_EQ(net.a.stats().icmp.raw_delivered, config::udp_recvmbox_size);
  EXPECT_EQ(net.a.stats().icmp.raw_dropped, extra);
  EXPECT_FALSE(net.a.raw_readable(from_other));
  std::array<std::uint8_t, 64> buf{};
  for (std::size_t i = 0; i < config::udp_recvmbox_size; ++i) {
    Result<RawReceived> r = net.a.raw_receive(any, buf);
    ASSERT_OK(r);
    EXPECT_EQ(load_be32(buf, 20 + 4), i);  // in order
  }
  net.a.set_raw_event_callback(nullptr, nullptr);
  net.a.raw_close(any);
  net.a.raw_close(from_other);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST_F(RawIcmpSim, SendPutsTheMessageUnchangedBehindAnIpHeader) {
  RawHandle raw = *net.a.raw_open(icmp_protocol);
  // The checksum is the caller's: a wrong one goes out as given.
  const ByteVector message{8, 0, 0xbe, 0xef, 0x12, 0x34, 0x00, 0x05, 'a', 'b', 'c'};
  ASSERT_OK(net.a.raw_send_to(raw, message, IpAddress(ip_peer), 17, net.sim.now()));
  net.sim.settle();
  const auto packets = sent_packets(net);
  ASSERT_EQ(packets.size(), 1U);
  const ByteVector& p = packets[0];
  ASSERT_EQ(p.size(), 20U + message.size());
  EXPECT_EQ(p[0], 0x45);
  EXPECT_EQ(load_be16(p, 2), p.size());
  EXPECT_EQ(p[8], 17);  // TTL
  EXPECT_EQ(p[9], icmp_protocol);
  EXPECT_EQ(Ipv4Address::from_bytes(ConstBytes(p).subspan(12)), ip_a);
  EXPECT_EQ(Ipv4Address::from_bytes(ConstBytes(p).subspan(16)), ip_peer);
  EXPECT_EQ(internet_checksum(ConstBytes(p).first(20)), 0);
  EXPECT_EQ(ByteVector(p.begin() + 20, p.end()), message);
  EXPECT_ERROR(net.a.raw_send_to(raw, message, IpAddress(Ipv4Address::of(10, 1, 1, 1)), 0, net.sim.now()),
               Error::NoRoute);
  net.a.raw_close(raw);
  EXPECT_ERROR(net.a.raw_send_to(raw, message, IpAddress(ip_peer), 0, net.sim.now()), Error::Closed);
}

// An ICMP error (type, code) quoting `offending` (its IP header + 8 bytes);
// `rest`: the 4 bytes behind the checksum (a parameter problem's pointer).
ByteVector error_about(const ByteVector& offending, std::uint8_t type, std::uint8_t code,
                       std::uint32_t rest = 0) {
  return icmp_packet(icmp_message(type, code, rest, ConstBytes(offending).first(28)));
}

constexpr std::uint8_t parameter_problem = 12;
// A parameter problem pointing at the quoted header's protocol field.
ByteVector parameter_problem_about(const ByteVector& offending) {
  return error_about(offending, parameter_problem, 0, 9U << 24);
}

// Two UDP endpoints, one connected to the peer's port 9 from 5000, one
// unconnected on 5001, and the datagram each sent there (packets[0] the
// connected one's); `events` counts the UDP events that follow.
struct ConnectedAndOther {
  UdpHandle connected{};
  UdpHandle other{};
  int events = 0;
  std::vector<ByteVector> packets;

  void open(HostAndPeer& net) {
    connected = *net.a.udp_open();
    other = *net.a.udp_open();
    ASSERT_OK(net.a.udp_bind(connected, {IpAddress{}, 5000}));
    ASSERT_OK(net.a.udp_connect(connected, {ip_peer, 9}));
    ASSERT_OK(net.a.udp_bind(other, {IpAddress{}, 5001}));
    net.a.set_udp_event_callback([](void* c, UdpHandle) { ++*static_cast<int*>(c); }, &events);
    ASSERT_OK(net.a.udp_send(connected, pattern(5), net.sim.now()));
    ASSERT_OK(net.a.udp_send_to(other, pattern(5), {ip_peer, 9}, net.sim.now()));
    net.sim.settle();
    packets = sent_packets(net);
    ASSERT_EQ(packets.size(), 2U);
  }
};

TEST_F(RawIcmpSim, PortUnreachableReachesOnlyTheConnectedUdpEndpoint) {
  ConnectedAndOther endpoints;
  ASSERT_NO_FATAL_FAILURE(endpoints.open(net));
  const UdpHandle connected = endpoints.connected;
  const UdpHandle other = endpoints.other;
  const int& events = endpoints.events;
  const std::vector<ByteVector>& packets = endpoints.packets;

  // Host unreachable is soft: a connected UDP endpoint keeps nothing (Linux).
  net.inject_ipv4(error_about(packets[0], 3, 1));
  // Port unreachable about the unconnected endpoint's datagram: ignored.
  net.inject_ipv4(error_about(packets[1], 3, 3));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_has_error(connected));
  EXPECT_FALSE(net.a.udp_has_error(other));
  EXPECT_EQ(events, 0);

  net.inject_ipv4(error_about(packets[0], 3, 3));
  net.sim.settle();
  EXPECT_EQ(events, 1);
  EXPECT_TRUE(net.a.udp_has_error(connected));
  EXPECT_EQ(net.a.udp_take_error(connected), Error::ConnectionRefused);
  EXPECT_EQ(net.a.udp_take_error(connected), std::nullopt);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 3U);

  // A quote for another peer port does not match.
  ByteVector wrong = packets[0];
  wrong[20 + 3] = 10;
  net.inject_ipv4(error_about(wrong, 3, 3));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_has_error(connected));
  net.a.set_udp_event_callback(nullptr, nullptr);
  net.a.udp_close(connected);
  net.a.udp_close(other);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// A parameter problem is fatal, as on Linux (icmp_err_convert: EPROTO): a
// connected UDP endpoint keeps it for its next call, as a port unreachable.
// One about another endpoint's datagram, or quoting another port, changes
// nothing.
TEST_F(RawIcmpSim, ParameterProblemReachesOnlyTheConnectedUdpEndpoint) {
  ConnectedAndOther endpoints;
  ASSERT_NO_FATAL_FAILURE(endpoints.open(net));
  const UdpHandle connected = endpoints.connected;
  const UdpHandle other = endpoints.other;
  const int& events = endpoints.events;
  const std::vector<ByteVector>& packets = endpoints.packets;

  net.inject_ipv4(parameter_problem_about(packets[1]));
  ByteVector other_peer_port = packets[0];
  other_peer_port[20 + 3] = 10;
  net.inject_ipv4(parameter_problem_about(other_peer_port));
  ByteVector other_local_port = packets[0];
  other_local_port[20 + 1] = 0x89;  // 5001: the unconnected endpoint's
  net.inject_ipv4(parameter_problem_about(other_local_port));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_has_error(connected));
  EXPECT_FALSE(net.a.udp_has_error(other));
  EXPECT_EQ(events, 0);

  net.inject_ipv4(parameter_problem_about(packets[0]));
  net.sim.settle();
  EXPECT_EQ(events, 1);
  EXPECT_FALSE(net.a.udp_has_error(other));
  EXPECT_EQ(net.a.udp_take_error(connected), Error::Protocol);
  EXPECT_EQ(net.a.udp_take_error(connected), std::nullopt);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 4U);
  // Nothing was sent in answer.
  EXPECT_TRUE(sent_packets(net).empty());
  net.a.set_udp_event_callback(nullptr, nullptr);
  net.a.udp_close(connected);
  net.a.udp_close(other);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// Anyone can forge an error: one whose quote is not of a datagram from one
// of our addresses (another source, or too short or malformed to tell)
// reaches no transport and is counted, whatever its type, as ICMPv6 does.
TEST_F(RawIcmpSim, ErrorsQuotingNoDatagramOfOursAreCountedAndIgnored) {
  ConnectedAndOther endpoints;
  ASSERT_NO_FATAL_FAILURE(endpoints.open(net));
  const ByteVector& packet = endpoints.packets[0];
  ByteVector other_source = packet;
  other_source[12 + 3] = 77;  // 192.0.2.77: on the link, not ours
  ByteVector other_version = packet;
  other_version[0] = 0x65;
  ByteVector short_header = packet;
  short_header[0] = 0x44;  // a 16-byte header
  net.inject_ipv4(error_about(other_source, 3, 3));                // port unreachable
  net.inject_ipv4(error_about(other_source, 11, 0));               // time exceeded
  net.inject_ipv4(parameter_problem_about(other_source));
  net.inject_ipv4(error_about(other_version, 3, 3));
  net.inject_ipv4(error_about(short_header, 3, 3));
  // Cut inside the quoted header: no source address to check.
  net.inject_ipv4(icmp_packet(icmp_message(3, 3, 0, ConstBytes(packet).first(12))));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().icmp.rx, 6U);
  EXPECT_EQ(net.a.stats().icmp.drop_not_ours, 6U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 0U);
  EXPECT_FALSE(net.a.udp_has_error(endpoints.connected));
  EXPECT_EQ(endpoints.events, 0);

  // The same error quoting the datagram as sent reaches the endpoint.
  net.inject_ipv4(error_about(packet, 3, 3));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().icmp.drop_not_ours, 6U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 1U);
  EXPECT_EQ(net.a.udp_take_error(endpoints.connected), Error::ConnectionRefused);
  EXPECT_TRUE(sent_packets(net).empty());
  net.a.set_udp_event_callback(nullptr, nullptr);
  net.a.udp_close(endpoints.connected);
  net.a.udp_close(endpoints.other);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// ICMP's port unreachable and host unreachable for TCP, checked as ICMPv6's
// (support/icmp_error_checks.h).
IcmpErrorScript script_for(HostAndPeer& net) {
  return IcmpErrorScript{net,
                         IpAddress(ip_peer),
                         20,
                         [&net] { return sent_packets(net); },
                         [&net](const ByteVector& packet) { net.inject_ipv4(error_about(packet, 3, 3)); },
                         IpAddress(ip_a),
                         [&net](const ByteVector& segment) {
                           Ipv4Repr h;
                           h.source = ip_peer;
                           h.destination = ip_a;
                           h.protocol = static_cast<std::uint8_t>(IpProtocol::Tcp);
                           net.inject_ipv4(ipv4_packet(h, segment));
                         }};
}

TEST_F(RawIcmpSim, PortUnreachableRefusesATcpConnectInSynSent) {
  expect_port_unreachable_refuses_syn_sent(script_for(net));
}

TEST_F(RawIcmpSim, ParameterProblemEndsATcpConnectInSynSentWithProtocolError) {
  expect_hard_error_ends_syn_sent(
      script_for(net), [this](const ByteVector& packet) { net.inject_ipv4(parameter_problem_about(packet)); },
      Error::Protocol);
}

TEST_F(RawIcmpSim, PortUnreachableDropsAHalfOpenTcpConnection) {
  expect_port_unreachable_drops_syn_received(script_for(net));
}

TEST_F(RawIcmpSim, ParameterProblemDropsAHalfOpenTcpConnection) {
  expect_hard_error_drops_syn_received(
      script_for(net), [this](const ByteVector& packet) { net.inject_ipv4(parameter_problem_about(packet)); });
}

TEST_F(RawIcmpSim, HostUnreachableIsASoftErrorReportedWhenTheConnectTimesOut) {
  const IcmpErrorScript script = script_for(net);
  ByteVector syn;
  const TcpHandle c = connect_for_soft_errors(script, syn);
  ASSERT_FALSE(syn.empty());
  net.inject_ipv4(error_about(syn, 3, 1));
  net.sim.settle();
  expect_connect_ends_with_soft_error(script, c, Error::HostUnreachable);
}

// A next hop that never answers ARP: after the three requests (3 s) the
// SYN that waited is dropped and reported to TCP as a host unreachable,
// which ends the connect at once (Linux: EHOSTUNREACH), where a soft error
// would have kept it trying for minutes. A connected UDP endpoint whose
// datagram waited the same way keeps no error (as Linux's, without
// IP_RECVERR).
TEST_F(RawIcmpSim, ANextHopThatNeverAnswersEndsAConnectWithHostUnreachable) {
  const Ipv4Address nobody = Ipv4Address::of(192, 0, 2, 77);
  const Instant start = net.sim.now();
  Result<TcpHandle> c = net.a.tcp_connect({IpAddress(nobody), 80}, start);
  ASSERT_OK(c);
  const UdpHandle udp = *net.a.udp_open();
  ASSERT_OK(net.a.udp_connect(udp, {IpAddress(Ipv4Address::of(192, 0, 2, 78)), 9}));
  ASSERT_OK(net.a.udp_send(udp, ConstBytes(), start));
  net.sim.run_until(start + Duration::millis(2990));
  ASSERT_NE(net.a.tcp_connection(*c), nullptr);
  EXPECT_EQ(net.a.tcp_connection(*c)->state(), TcpState::SynSent);
  std::size_t requests = 0;
  for (const ByteVector& f : net.received()) {
    ASSERT_NE(frame_ethertype(f), ipv4_type);  // nothing went out over IPv4 (IPv6's own chatter may)
    if (frame_ethertype(f) == arp_type) ++requests;
  }
  EXPECT_EQ(requests, 6U);  // three for each address
  net.sim.run_until(start + Duration::millis(3010));
  expect_connect_failed(net.a, *c, Error::HostUnreachable);
  EXPECT_FALSE(net.a.udp_has_error(udp));
  // The SYN, its retransmission after 1 s (both waited) and the datagram.
  EXPECT_EQ(net.a.stats().arp.drop_unresolved, 3U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 3U);
  for (const ByteVector& f : net.received()) EXPECT_NE(frame_ethertype(f), ipv4_type);  // no ICMP went out
  net.a.tcp_close(*c, net.sim.now());
  net.a.udp_close(udp);
}

}  // namespace
}  // namespace lwnet::test::raw_icmp_test
