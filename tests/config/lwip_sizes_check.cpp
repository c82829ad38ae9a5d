// The core in the Cortex-M size check's configuration (tests/size/lwip_sizes.h
// with CONFIG_LWIP_IPV6=0, the row compared with lwIP's minimal
// configuration), built for the host: what that header compiles out must
// leave a stack that still works, and behaves as its options say. TCP
// offers neither SACK nor timestamps and still carries data both ways;
// IPv4 groups cannot be joined (no IGMP); packets to the stack's own
// address are dropped, not queued (no loopback queue); there are no raw
// endpoints or ping sessions, yet echo requests are answered; TCP sends
// without DF and a Fragmentation Needed changes nothing (no IPv4 path MTU
// discovery); ICMP errors stop at ICMP; an IpAddress has no room for IPv6
// octets; no applications can be attached.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "config/options.h"
#include "core/stack_stats.h"
#include "support/frames.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/sim.h"
#include "transport/tcp/congestion.h"
#include "util/stat_counter.h"
#include "wire/icmpv4.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

namespace lwnet::test::lwip_sizes_check {

static_assert(!config::ipv6 && !config::igmp && !config::netif_loopback && !config::tcp_sack_in &&
                  !config::tcp_syn_cookies && !config::tcp_cubic && !config::tcp_timestamps &&
                  !config::device_offload,
              "built with tests/size/lwip_sizes.h and CONFIG_LWIP_IPV6=0");
// Without CUBIC a connection's congestion control is NewReno's five words
// (algorithm, MSS, window, threshold, acknowledged bytes): no CUBIC state.
static_assert(sizeof(CongestionControl) == 5 * sizeof(std::size_t), "no CUBIC state without CONFIG_LWNET_TCP_CUBIC");
static_assert(sizeof(StatCounter) == 4, "lwip_sizes.h: 32-bit counters (CONFIG_LWNET_STATS_COUNTER_BITS 32)");
static_assert(config::max_raw_pcbs == 0 && !config::ip4_path_mtu_discovery && !config::path_mtu_table &&
                  !config::icmp_errors_to_transports && !config::tcp_isn_rfc6528 &&
                  !config::tcp_connection_index && !config::tcp_window_scaling_built &&
                  !config::tcp_sack_out_built,
              "lwip_sizes.h: no raw pcbs, IPv4 path MTU discovery, ICMP errors to transports, RFC 6528 ISNs "
              "or TCP connection indexes, window scaling or SACK output");
static_assert(sizeof(IpAddress) == 8, "an IPv4-only build keeps no IPv6 octets");

namespace {

constexpr std::uint8_t protocol_tcp = 6;

// The TCP header of an Ethernet + IPv4 frame, or nullopt for any other frame.
std::optional<TcpRepr> tcp_of(const ByteVector& frame) {
  if (frame_ethertype(frame) != 0x0800 || frame_ip_protocol(frame) != protocol_tcp) return std::nullopt;
  Result<Ipv4Repr> ip = Ipv4Repr::parse(ConstBytes(frame).subspan(14), false);
  if (!ip) return std::nullopt;
  Result<TcpRepr> tcp = TcpRepr::parse(ip->payload, IpAddress(ip->source), IpAddress(ip->destination), true);
  if (!tcp) return std::nullopt;
  return *tcp;
}

// `data` from A's end of a connection to B's: each step() sends what A's
// send buffer takes and reads all B has; true once B has it all.
struct OneWay {
  OneWay(TwoHosts& hosts, TcpHandle from, TcpHandle to, ByteVector bytes)
      : net(hosts), sender(from), receiver(to), data(std::move(bytes)) {}

  TwoHosts& net;
  TcpHandle sender;
  TcpHandle receiver;
  ByteVector data;
  std::size_t sent = 0;
  ByteVector got;
  std::array<std::uint8_t, 1024> buffer{};

  bool step() {
    if (sent < data.size()) {
      Result<std::size_t> n = net.a.tcp_send(sender, ConstBytes(data).subspan(sent), net.sim.now());
      if (n) sent += *n;
    }
    while (true) {
      Result<std::size_t> n = net.b.tcp_receive(receiver, buffer, net.sim.now());
      if (!n || *n == 0) break;
      got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return got.size() == data.size();
  }
};

TEST(LwipSizes, TcpCarriesDataWithoutSackOrTimestamps) {
  TwoHosts net;
  const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001);
  ASSERT_TRUE(pair.has_value());
  OneWay stream{net, pair->client, pair->server, pattern(20000, 3)};
  ASSERT_TRUE(net.sim.run_until([&] { return stream.step(); }, Duration::seconds(60)));
  EXPECT_EQ(stream.got, stream.data);

  std::size_t syns = 0;
  for (const FrameLog::Frame& f : net.log.frames()) {
    const std::optional<TcpRepr> tcp = tcp_of(f.bytes);
    if (!tcp) continue;
    EXPECT_FALSE(tcp->timestamp.has_value());
    EXPECT_EQ(tcp->sack_count, 0U);
    if (tcp->has(tcp_flags::syn)) {
      ++syns;
      EXPECT_FALSE(tcp->sack_permitted);
      EXPECT_TRUE(tcp->mss.has_value());
    }
  }
  EXPECT_EQ(syns, 2U);  // the SYN and the SYN-ACK
}

TEST(LwipSizes, Ipv4GroupsCannotBeJoined) {
  TwoHosts net;
  EXPECT_EQ(net.a.igmp_join(net.a_if, Ipv4Address::of(224, 0, 0, 251), net.sim.now()).error(),
            Error::Unsupported);
  EXPECT_FALSE(net.a.igmp_is_member(net.a_if, Ipv4Address::of(224, 0, 0, 1)));
}

TEST(LwipSizes, PacketsToOurOwnAddressAreDropped) {
  TwoHosts net;
  net.sim.settle();
  Result<UdpHandle> socket = net.a.udp_open();
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(net.a.udp_bind(*socket, {IpAddress(ip_a), 7000}).ok());
  const ByteVector payload = pattern(32, 1);
  (void)net.a.udp_send_to(*socket, payload, {IpAddress(ip_a), 7000}, net.sim.now());
  net.sim.run_for(Duration::seconds(1));
  std::array<std::uint8_t, 64> buffer{};
  EXPECT_FALSE(net.a.udp_receive(*socket, buffer).ok());
  // Nothing went out on the wire instead.
  for (const FrameLog::Frame& f : net.log.frames()) {
    if (frame_ethertype(f.bytes) == 0x0800) {
      EXPECT_NE(frame_ip_destination(f.bytes), ip_a);
    }
  }
}

// Five connection slots (lwIP's MEMP_NUM_TCP_PCB), buffers for four at once
// (CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS): a fifth live connection is
// refused; one in TIME-WAIT lends its buffers to the next.
TEST(LwipSizes, FiveConnectionsShareFourBufferPairs) {
  static_assert(config::max_active_tcp == 5 && config::tcp_buffered_connections == 4);
  TwoHosts net;
  std::vector<TcpPair> pairs;
  for (std::uint16_t port = 5001; port <= 5004; ++port) {
    const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, port);
    ASSERT_TRUE(pair.has_value());
    pairs.push_back(*pair);
  }
  Result<TcpHandle> fifth = net.a.tcp_connect({IpAddress(ip_b), 5001}, net.sim.now());
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error(), Error::TableFull);
  EXPECT_EQ(net.a.stats().tcp_table.drop_no_buffers, 1U);

  // A closes the first connection first: its end waits in TIME-WAIT.
  net.a.tcp_close(pairs[0].client, net.sim.now());
  ASSERT_TRUE(net.sim.run_until(
      [&] { return net.b.tcp_connection(pairs[0].server)->state() == TcpState::CloseWait; }, Duration::seconds(5)));
  net.b.tcp_close(pairs[0].server, net.sim.now());
  net.sim.run_for(Duration::seconds(1));
  EXPECT_EQ(net.a.stats().tcp_table.buffers_lent, 0U);

  fifth = net.a.tcp_connect({IpAddress(ip_b), 5001}, net.sim.now());
  ASSERT_TRUE(fifth.ok());
  EXPECT_EQ(net.a.stats().tcp_table.buffers_lent, 1U);
  ASSERT_TRUE(net.sim.run_until(
      [&] { return net.a.tcp_connection(*fifth)->state() == TcpState::Established; }, Duration::seconds(5)));
  // The lent buffers carry a stream larger than both of them, whole.
  const ByteVector data = pattern(5000, 4);
  std::optional<TcpHandle> server;
  std::size_t sent = 0;
  ByteVector got;
  std::array<std::uint8_t, 1024> buffer{};
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        if (sent < data.size()) {
          Result<std::size_t> n = net.a.tcp_send(*fifth, ConstBytes(data).subspan(sent), net.sim.now());
          if (n) sent += *n;
        }
        if (!server) {
          Result<TcpHandle> accepted = net.b.tcp_accept(pairs[0].listener);
          if (accepted) server = *accepted;
        }
        while (server) {
          Result<std::size_t> n = net.b.tcp_receive(*server, buffer, net.sim.now());
          if (!n || *n == 0) break;
          got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        return got.size() == data.size();
      },
      Duration::seconds(30)));
  EXPECT_EQ(got, data);
}

}  // namespace
}  // namespace lwnet::test::lwip_sizes_check

namespace lwnet::test::lwip_sizes_check {
namespace {

// An IPv6 address made by an application in an IPv4-only build stays an
// IPv6 address, with no octets (it reads as ::), and the Stack refuses it.
TEST(LwipSizes, AnIpv6AddressHasNoOctets) {
  Ipv6Address v6;
  v6.octets[0] = 0x20;
  v6.octets[1] = 0x01;
  const IpAddress a(v6);
  EXPECT_TRUE(a.is_v6());
  EXPECT_TRUE(a.is_unspecified());
  EXPECT_EQ(a.v6(), Ipv6Address{});
  EXPECT_FALSE(a == IpAddress(Ipv4Address{}));
  EXPECT_EQ(IpAddress(ip_b).v4(), ip_b);
  // Its IPv4 octets are 0.0.0.0: the address classes read as ::'s, and the
  // core's family checks (behind the Stack's refusal) take it for IPv4.
  Ipv6Address group;
  group.octets[0] = 0xff;
  group.octets[15] = 1;
  EXPECT_FALSE(IpAddress(group).is_multicast());
  EXPECT_FALSE(IpAddress(Ipv6Address::loopback()).is_loopback());
  EXPECT_EQ(a.v4(), Ipv4Address{});
  static_assert(core_is_v4(IpAddress(Ipv6Address::loopback())) && !core_is_v6(IpAddress(Ipv6Address::loopback())));
  TwoHosts net;
  Result<UdpHandle> socket = net.a.udp_open();
  ASSERT_TRUE(socket.ok());
  EXPECT_EQ(net.a.udp_send_to(*socket, pattern(8), {a, 9}, net.sim.now()).error(), Error::Unsupported);
}

// No raw endpoints (lwIP's LWIP_RAW 0) and so no ping sessions: both are
// refused as a full table is; echo requests are still answered.
TEST(LwipSizes, NoRawEndpointsOrPingSessionsYetPingsAreAnswered) {
  HostAndPeer net;
  ASSERT_TRUE(net.a.arp_add_static(net.a_if, ip_peer, mac_peer).ok());
  EXPECT_EQ(net.a.raw_open(1).error(), Error::TableFull);
  EXPECT_EQ(net.a.ping_open(0x1234).error(), Error::TableFull);
  ByteVector echo(Icmpv4Repr::header_len + 4);
  echo[Icmpv4Repr::header_len] = 0xab;
  Icmpv4Repr request;
  request.type = static_cast<std::uint8_t>(Icmpv4Type::EchoRequest);
  request.identifier = 0x1234;
  request.sequence = 7;
  request.emit(echo);
  Ipv4Repr ip;
  ip.source = ip_peer;
  ip.destination = ip_a;
  ip.protocol = 1;
  net.inject_ipv4(ipv4_packet(ip, echo));
  net.sim.run_for(Duration::seconds(1));
  std::size_t replies = 0;
  for (const ByteVector& frame : net.received()) {
    if (frame_ethertype(frame) != 0x0800) continue;
    ASSERT_EQ(frame_ip_protocol(frame), 1U);
    Result<Ipv4Repr> reply_ip = Ipv4Repr::parse(ConstBytes(frame).subspan(14), true);
    ASSERT_TRUE(reply_ip.ok());
    Result<Icmpv4Repr> reply = Icmpv4Repr::parse(reply_ip->payload, true);
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->type, static_cast<std::uint8_t>(Icmpv4Type::EchoReply));
    EXPECT_EQ(reply->identifier, 0x1234U);
    EXPECT_EQ(reply->sequence, 7U);
    EXPECT_EQ(to_hex(reply_ip->payload.subspan(Icmpv4Repr::header_len)), "ab 00 00 00");
    ++replies;
  }
  EXPECT_EQ(replies, 1U);
  EXPECT_EQ(net.a.stats().icmp.tx_echo_reply, 1U);
}

// Without IPv4 path MTU discovery (lwIP has none) TCP's segments leave
// without DF, and a Fragmentation Needed quoting one of them is dropped as
// not ours: the path MTU and the MSS stay, the stream arrives whole.
TEST(LwipSizes, TcpSendsWithoutDfAndFragmentationNeededChangesNothing) {
  TwoHosts net;
  const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001);
  ASSERT_TRUE(pair.has_value());
  const std::size_t mss = net.a.tcp_connection(pair->client)->send_mss();
  OneWay stream{net, pair->client, pair->server, pattern(3000, 6)};
  ASSERT_TRUE(net.sim.run_until([&] { return stream.step() || stream.got.size() >= 1000; }, Duration::seconds(30)));
  std::optional<ByteVector> segment;
  std::size_t segments = 0;
  for (const FrameLog::Frame& f : net.log.frames()) {
    if (f.from != 0 || frame_ethertype(f.bytes) != 0x0800 || frame_ip_protocol(f.bytes) != protocol_tcp) continue;
    EXPECT_EQ(frame_ip_fragment_word(f.bytes), 0U);  // neither DF nor a fragment
    ++segments;
    if (f.bytes.size() > 14 + 40 && !segment) segment = ByteVector(f.bytes.begin() + 14, f.bytes.end());
  }
  EXPECT_GT(segments, 3U);
  ASSERT_TRUE(segment.has_value());

  // A router's Fragmentation Needed (Next-Hop MTU 576) quoting a data segment.
  ByteVector message(Icmpv4Repr::header_len + 28);
  std::copy_n(segment->begin(), 28, message.begin() + Icmpv4Repr::header_len);
  Icmpv4Repr icmp;
  icmp.type = static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable);
  icmp.code = static_cast<std::uint8_t>(Icmpv4Unreachable::FragmentationNeeded);
  icmp.next_hop_mtu = 576;
  icmp.emit(message);
  Ipv4Repr ip;
  ip.source = Ipv4Address::of(192, 0, 2, 254);
  ip.destination = ip_a;
  ip.protocol = 1;
  (void)net.pipe.b().transmit(ethernet_frame(mac_a, mac_b, 0x0800, ipv4_packet(ip, message)), net.sim.now());
  ASSERT_TRUE(net.sim.run_until([&] { return stream.step(); }, Duration::seconds(30)));
  EXPECT_EQ(stream.got, stream.data);
  EXPECT_EQ(net.a.stats().icmp.rx_fragmentation_needed, 1U);
  EXPECT_EQ(net.a.stats().icmp.drop_not_ours, 1U);
  EXPECT_EQ(net.a.stats().ipv4.pmtu_learned, 0U);
  EXPECT_FALSE(net.a.path_mtu(IpAddress(ip_b)).has_value());
  EXPECT_EQ(net.a.tcp_connection(pair->client)->send_mss(), mss);
}

// ICMP errors stop at ICMP (lwIP passes none up): a port unreachable or a
// parameter problem about a connected UDP endpoint's datagram leaves it
// without an error.
TEST(LwipSizes, IcmpErrorsStopAtIcmp) {
  TwoHosts net;
  net.sim.settle();
  Result<UdpHandle> socket = net.a.udp_open();
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(net.a.udp_bind(*socket, {IpAddress(ip_a), 7000}).ok());
  ASSERT_TRUE(net.a.udp_connect(*socket, {IpAddress(ip_b), 9}).ok());
  ASSERT_TRUE(net.a.udp_send(*socket, pattern(16), net.sim.now()).ok());
  net.sim.run_for(Duration::seconds(1));
  // B has nobody on port 9 and says so.
  std::size_t unreachable = 0;
  for (const FrameLog::Frame& f : net.log.frames()) {
    if (f.from == 1 && frame_ethertype(f.bytes) == 0x0800 && frame_ip_protocol(f.bytes) == 1) ++unreachable;
  }
  EXPECT_EQ(unreachable, 1U);
  // And a parameter problem (which lwnet passes up too, when it passes
  // any) quoting the same datagram.
  std::optional<ByteVector> datagram;
  for (const FrameLog::Frame& f : net.log.frames()) {
    if (f.from == 0 && frame_ethertype(f.bytes) == 0x0800 && frame_ip_protocol(f.bytes) == 17) {
      datagram = ByteVector(f.bytes.begin() + 14, f.bytes.end());
    }
  }
  ASSERT_TRUE(datagram.has_value());
  ByteVector message(Icmpv4Repr::header_len + 28);
  std::copy_n(datagram->begin(), 28, message.begin() + Icmpv4Repr::header_len);
  Icmpv4Repr icmp;
  icmp.type = static_cast<std::uint8_t>(Icmpv4Type::ParameterProblem);
  icmp.emit(message);
  Ipv4Repr ip;
  ip.source = ip_b;
  ip.destination = ip_a;
  ip.protocol = 1;
  (void)net.pipe.b().transmit(ethernet_frame(mac_a, mac_b, 0x0800, ipv4_packet(ip, message)), net.sim.now());
  net.sim.settle();
  EXPECT_EQ(net.a.stats().icmp.rx, 2U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 0U);
  EXPECT_FALSE(net.a.udp_has_error(*socket));
  EXPECT_EQ(net.a.udp_take_error(*socket), std::nullopt);
  // The endpoint goes on working.
  EXPECT_TRUE(net.a.udp_send(*socket, pattern(16), net.sim.now()).ok());
}

// No applications in the core (lwIP's minimal configuration has no DHCP,
// DNS or SNTP): attaching one is refused as a full table is, and polls
// and deadlines go on without.
TEST(LwipSizes, NoAppsCanBeAttached) {
  static_assert(config::max_stack_apps == 0);
  struct Idle final : StackApp {
    void poll(Stack&, Instant) override { ++polls; }
    Instant next_deadline() const override { return Instant{}; }
    int polls = 0;
  } app;
  TwoHosts net;
  EXPECT_EQ(net.a.attach_app(app).error(), Error::TableFull);
  net.sim.run_for(Duration::seconds(1));
  EXPECT_EQ(app.polls, 0);
  EXPECT_GT(net.a.next_deadline(), net.sim.now());
}

// Without SACK input, timestamps and window scaling their options are
// skipped by their length, as unknown ones are (lwIP's way): what the
// default build drops as malformed (WireTcp.BadOptionLengthsAreMalformed)
// passes, and the options after them are still read.
TEST(LwipSizes, SackTimestampAndWindowScaleOptionsAreSkippedAsUnknown) {
  static_assert(!config::tcp_sack_in && !config::tcp_timestamps && !config::tcp_window_scaling_built);
  std::vector<std::uint8_t> segment = hex(
      "04 d2 00 50 00 00 00 01 00 00 00 00 c0 02 ff ff 00 00 00 00"  // data offset 12, SYN
      "05 07 00 00 00 01 00"                                          // SACK, length 7
      "08 0a 00 00 00 05 00 00 00 06"                                 // timestamps
      "03 04 07 00"                                                   // window scale, length 4
      "02 04 03 e8 00 00 00");                                        // MSS 1000, end
  ASSERT_EQ(segment.size(), 48U);
  const Result<TcpRepr> tcp = TcpRepr::parse(segment, IpAddress{}, IpAddress{}, false);
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->sack_count, 0);
  EXPECT_FALSE(tcp->timestamp.has_value());
  EXPECT_FALSE(tcp->window_scale.has_value());
  EXPECT_EQ(tcp->mss, std::optional<std::uint16_t>(1000));
  EXPECT_EQ(tcp->flags, tcp_flags::syn);
}

// Without CONFIG_LWNET_TCP_RUNTIME_OPTIONS, window scaling and SACK blocks
// are what CONFIG_LWIP_WND_SCALE / CONFIG_LWIP_TCP_SACK_OUT (both off here)
// make them: a connection whose settings ask for them offers no window
// scale, and a header carrying either emits exactly the MSS option.
TEST(LwipSizes, WindowScalingAndSackOutAreCompiledOut) {
  TcpSettings settings;
  settings.window_scaling = true;
  settings.sack_out = true;
  EXPECT_FALSE(offers_window_scaling(settings));
  TcpRepr h;
  h.source_port = 1234;
  h.destination_port = 80;
  h.sequence = 1;
  h.flags = tcp_flags::syn;
  h.window = 0xffff;
  h.mss = 1000;
  h.window_scale = 7;
  h.sack_blocks[0] = {5, 9};
  h.sack_count = 1;
  ASSERT_EQ(h.header_len(), 24U);
  std::vector<std::uint8_t> out(h.header_len());
  h.emit(out, IpAddress{}, IpAddress{});
  out[16] = out[17] = 0;  // checksum
  EXPECT_EQ(out, hex("04 d2 00 50 00 00 00 01 00 00 00 00 60 02 ff ff 00 00 00 00 02 04 03 e8"));
}

// 32-bit counters wrap instead of trapping or saturating, as lwIP's do.
TEST(LwipSizes, CountersAreThirtyTwoBitsAndWrap) {
  StatCounter counter = 0xfffffffeU;
  count(counter, 3);
  EXPECT_EQ(counter, 1U);
  StackStats stats;
  EXPECT_EQ(sizeof stats.ethernet.rx, 4U);
}

}  // namespace
}  // namespace lwnet::test::lwip_sizes_check
