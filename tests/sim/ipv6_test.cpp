// IPv6 between two stacks over a pipe: link-local addresses and DAD, ND
// resolution, ping6, UDP and TCP over IPv6, a DAD conflict, and which of
// a raw peer's packets get ICMPv6 errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/bytes.h"
#include "util/checksum.h"
#include "wire/icmpv6.h"

namespace lwnet::test::ipv6_test {
namespace {

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address link_local_a = v6("fe80::ff:fe00:a");
const Ipv6Address global_a = v6("2001:db8::1");
const Ipv6Address global_b = v6("2001:db8::2");

Ipv6AddressState state_of(const Stack& s, NetifId id, const Ipv6Address& a) {
  const Result<std::array<Ipv6NetifAddress, config::ipv6_num_addresses>> slots = s.ipv6_addresses(id);
  for (const Ipv6NetifAddress& slot : *slots) {
    if (slot.state != Ipv6AddressState::Invalid && slot.address == a) return slot.state;
  }
  return Ipv6AddressState::Invalid;
}

// Two stacks with 2001:db8::1/64 and ::2/64, DAD finished.
struct Ipv6Hosts {
  Ipv6Hosts() {
    EXPECT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{global_a, 64}, net.sim.now()));
    EXPECT_OK(net.b.add_ipv6_address(net.b_if, IpCidr{global_b, 64}, net.sim.now()));
    net.sim.run_for(Duration::seconds(2));
  }
  TwoHosts net;
};

TEST(Ipv6Sim, LinkLocalFromTheMacPassesDadWithOneProbe) {
  TwoHosts net;
  EXPECT_EQ(state_of(net.a, net.a_if, link_local_a), Ipv6AddressState::Tentative);
  net.sim.settle();
  // The probe: from ::, to the solicited-node group of the address, hop
  // limit 255, no link-layer address option (RFC 4862 5.4.2) but a Nonce
  // option (RFC 7527 4.1), whose six random bytes (and with them the
  // checksum) are taken from the frame and the checksum then proven. (The
  // MLD report for that group goes out too: its next header is hop-by-hop.)
  std::vector<FrameLog::Frame> sent;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (f.bytes.size() > 20 && f.bytes[20] == 58) sent.push_back(f);
  }
  ASSERT_EQ(sent.size(), 1U);
  const ByteVector& probe = sent[0].bytes;
  ASSERT_EQ(probe.size(), 14U + 40 + 32);
  ByteVector expected = hex(
      "33 33 ff 00 00 0a 02 00 00 00 00 0a 86 dd"
      "60 00 00 00 00 20 3a ff"
      "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      "ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 0a"
      "87 00 00 00 00 00 00 00"
      "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 0a"
      "0e 01 00 00 00 00 00 00");
  std::copy_n(probe.begin() + 14 + 40 + 2, 2, expected.begin() + 14 + 40 + 2);
  std::copy_n(probe.begin() + 14 + 40 + 26, 6, expected.begin() + 14 + 40 + 26);
  EXPECT_EQ(to_hex(probe), to_hex(expected));
  EXPECT_TRUE(icmpv6_checksum_ok(ConstBytes(probe).subspan(14 + 40), Ipv6Address{}, v6("ff02::1:ff00:a")));
  EXPECT_NE(ByteVector(probe.begin() + 14 + 40 + 26, probe.end()), ByteVector(6, 0));
  net.sim.run_for(Duration::millis(999));
  EXPECT_EQ(state_of(net.a, net.a_if, link_local_a), Ipv6AddressState::Tentative);
  net.sim.run_for(Duration::millis(2));
  EXPECT_EQ(state_of(net.a, net.a_if, link_local_a), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.a.stats().nd.tx_solicitation, 1U);
}

TEST(Ipv6Sim, PingResolvesTheNeighborThenEchoes) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  net.log.clear();
  PingHandle ping = *net.a.ping_open(0x1234);
  const std::array<std::uint8_t, 4> data{1, 2, 3, 4};
  ASSERT_OK(net.a.ping_send(ping, global_b, 7, data, 0, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 16> buf{};
  Result<EchoReply> reply = net.a.ping_receive(ping, buf);
  ASSERT_OK(reply);
  EXPECT_EQ(reply->from, IpAddress(global_b));
  EXPECT_EQ(reply->sequence, 7);
  EXPECT_EQ(reply->ttl, config::ip_default_ttl);
  EXPECT_EQ(reply->copied, 4U);
  EXPECT_EQ(buf[3], 4);
  // NS (A), NA (B), echo request (A), echo reply (B): B learned A's MAC
  // from the NS and needed no NS of its own.
  const std::vector<FrameLog::Frame> frames = net.log.with_ethertype(ipv6_type);
  ASSERT_EQ(frames.size(), 4U);
  EXPECT_EQ(frames[0].bytes[14 + 40], 135);
  EXPECT_EQ(frames[1].bytes[14 + 40], 136);
  EXPECT_EQ(frames[2].bytes[14 + 40], 128);
  EXPECT_EQ(frames[3].bytes[14 + 40], 129);
  // The NS asks the solicited-node group of 2001:db8::2 with A's MAC.
  EXPECT_EQ(to_hex(ConstBytes(frames[0].bytes).first(6)), to_hex(hex("33 33 ff 00 00 02")));
  EXPECT_EQ(to_hex(ConstBytes(frames[0].bytes).subspan(14 + 40 + 24)),
            to_hex(hex("01 01 02 00 00 00 00 0a")));
  // The NA: solicited and override, to A's address, with B's MAC.
  EXPECT_EQ(frames[1].bytes[14 + 40 + 4], 0x60);
  EXPECT_EQ(to_hex(ConstBytes(frames[1].bytes).subspan(14 + 40 + 24)),
            to_hex(hex("02 01 02 00 00 00 00 0b")));
  EXPECT_EQ(net.a.nd_lookup(net.a_if, global_b), mac_b);
  EXPECT_EQ(net.b.nd_lookup(net.b_if, global_a), mac_a);
  net.a.ping_close(ping);
}

TEST(Ipv6Sim, PingToTheLinkLocalAddressAndToLoopback) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  PingHandle ping = *net.b.ping_open(9);
  ASSERT_OK(net.b.ping_send(ping, link_local_a, 1, {}, 0, net.sim.now()));
  ASSERT_OK(net.b.ping_send(ping, Ipv6Address::loopback(), 2, {}, 0, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 4> buf{};
  Result<EchoReply> first = net.b.ping_receive(ping, buf);
  Result<EchoReply> second = net.b.ping_receive(ping, buf);
  ASSERT_OK(first);
  ASSERT_OK(second);
  // ::1 answers through the loopback netif at once; A after ND.
  EXPECT_EQ(first->from, IpAddress(Ipv6Address::loopback()));
  EXPECT_EQ(second->from, IpAddress(link_local_a));
  net.b.ping_close(ping);
}

// An echo request to all-nodes: with CONFIG_LWIP_MULTICAST_PING off
// (ESP-IDF's default, as lwIP) no answer and a counted drop; with it on (the
// IPv6-only check's build) one unicast answer from B's link-local address,
// the source the route picks for A's link-local one, once B has resolved
// A's link-layer address.
TEST(Ipv6Sim, MulticastPingIsAnsweredOnlyWhenConfigured) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  net.log.clear();
  PingHandle ping = *net.a.ping_open(0x77);
  ASSERT_OK(net.a.ping_send(ping, v6("ff02::1"), 3, {}, 0, net.sim.now()));
  net.sim.settle();
  std::vector<FrameLog::Frame> requests;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (f.bytes[14 + 6] == 58 && f.bytes[14 + 40] == 128) requests.push_back(f);
  }
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(to_hex(ConstBytes(requests[0].bytes).first(6)), to_hex(hex("33 33 00 00 00 01")));
  const std::vector<FrameLog::Frame> answers = net.log.with_ethertype(ipv6_type, 1);
  std::array<std::uint8_t, 4> buf{};
  if constexpr (config::multicast_ping) {
    // B first asks for A's link-layer address (a neighbor solicitation;
    // A's advertisement is B's second ICMPv6 message), then answers.
    EXPECT_EQ(net.b.stats().icmpv6.rx, 2U);
    EXPECT_EQ(net.b.stats().icmpv6.drop_multicast_ping, 0U);
    EXPECT_EQ(net.b.stats().icmpv6.tx_echo_reply, 1U);
    ASSERT_EQ(answers.size(), 2U);
    EXPECT_EQ(answers[0].bytes[14 + 40], 135);
    const ByteVector& reply = answers[1].bytes;
    ASSERT_EQ(reply.size(), 14U + 40 + 8);
    EXPECT_EQ(to_hex(ConstBytes(reply).first(6)), to_hex(hex("02 00 00 00 00 0a")));
    EXPECT_EQ(to_hex(ConstBytes(reply).subspan(14 + 8, 32)),
              to_hex(hex("fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 0b"
                         "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 0a")));
    EXPECT_EQ(reply[14 + 40], 129);
    Result<EchoReply> r = net.a.ping_receive(ping, buf);
    ASSERT_OK(r);
    EXPECT_EQ(r->from, IpAddress(v6("fe80::ff:fe00:b")));
    EXPECT_EQ(r->sequence, 3);
  } else {
    EXPECT_EQ(net.b.stats().icmpv6.rx, 1U);
    EXPECT_EQ(net.b.stats().icmpv6.drop_multicast_ping, 1U);
    EXPECT_EQ(net.b.stats().icmpv6.rx_echo_request, 0U);
    EXPECT_EQ(net.b.stats().icmpv6.tx_echo_reply, 0U);
    EXPECT_TRUE(answers.empty());
  }
  EXPECT_ERROR(net.a.ping_receive(ping, buf), Error::WouldBlock);
  net.a.ping_close(ping);
}

TEST(Ipv6Sim, UdpOverIpv6BothWaysAndPortUnreachable) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  UdpHandle server = *net.b.udp_open();
  ASSERT_OK(net.b.udp_set_v6only(server, true));
  ASSERT_OK(net.b.udp_bind(server, {Ipv6Address{}, 7000}));
  UdpHandle client = *net.a.udp_open();
  ASSERT_OK(net.a.udp_connect(client, {global_b, 7000}));
  const ByteVector data = pattern(100, 5);
  ASSERT_OK(net.a.udp_send(client, data, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 200> buf{};
  Result<UdpReceived> got = net.b.udp_receive(server, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->copied, 100U);
  EXPECT_EQ(got->from.address, IpAddress(global_a));
  EXPECT_EQ(got->to, IpAddress(global_b));
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 100), data);
  ASSERT_OK(net.b.udp_send_to(server, data, got->from, net.sim.now()));
  net.sim.settle();
  Result<UdpReceived> back = net.a.udp_receive(client, buf);
  ASSERT_OK(back);
  EXPECT_EQ(back->from.address, IpAddress(global_b));

  // Nobody on 7001: ICMPv6 port unreachable, which the connected socket reports.
  UdpHandle nowhere = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(nowhere, data, {global_b, 7001}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.b.stats().udp.drop_no_port, 1U);
  EXPECT_EQ(net.b.stats().icmpv6.tx_error, 1U);
  net.a.udp_close(client);
  net.a.udp_close(nowhere);
  net.b.udp_close(server);
}

TEST(Ipv6Sim, TcpOverIpv6CarriesDataBothWays) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  Result<TcpHandle> listener = net.b.tcp_listen({Ipv6Address{}, 8080}, 4);
  ASSERT_OK(listener);
  Result<TcpHandle> client = net.a.tcp_connect({global_b, 8080}, net.sim.now());
  ASSERT_OK(client);
  net.sim.run_for(Duration::millis(100));
  Result<TcpHandle> server = net.b.tcp_accept(*listener);
  ASSERT_OK(server);
  const ByteVector data = pattern(3000, 1);
  Result<std::size_t> sent = net.a.tcp_send(*client, data, net.sim.now());
  ASSERT_OK(sent);
  EXPECT_EQ(*sent, data.size());
  net.sim.run_for(Duration::millis(500));
  std::array<std::uint8_t, 4096> buf{};
  Result<std::size_t> got = net.b.tcp_receive(*server, buf, net.sim.now());
  ASSERT_OK(got);
  EXPECT_EQ(*got, data.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 3000), data);
  // The MSS of a 1500-byte link over IPv6: 1500 - 40 - 20.
  bool saw_mss = false;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (f.bytes[14 + 6] == 6 && (f.bytes[14 + 40 + 13] & 0x02) != 0) {
      EXPECT_EQ(to_hex(ConstBytes(f.bytes).subspan(14 + 40 + 20, 4)), to_hex(hex("02 04 05 a0")));
      saw_mss = true;
    }
  }
  EXPECT_TRUE(saw_mss);
  net.a.tcp_abort(*client, net.sim.now());
  net.b.tcp_abort(*server, net.sim.now());
  net.b.tcp_close(*listener, net.sim.now());
  net.sim.settle();
}

TEST(Ipv6Sim, DadFindsAnAddressAnotherHostHolds) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  ASSERT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{global_b, 64}, net.sim.now()));
  net.sim.run_for(Duration::seconds(2));
  EXPECT_EQ(state_of(net.a, net.a_if, global_b), Ipv6AddressState::Duplicated);
  EXPECT_EQ(state_of(net.b, net.b_if, global_b), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.a.stats().nd.dad_duplicates, 1U);
  // A duplicated address is never used as a source or answered for.
  EXPECT_EQ(net.b.stats().nd.tx_advertisement, 1U);
}

TEST(Ipv6Sim, AProbeForOurTentativeAddressMakesUsGiveItUp) {
  TwoHosts net;
  net.sim.run_for(Duration::seconds(2));
  ASSERT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{global_a, 64}, net.sim.now()));
  ASSERT_OK(net.b.add_ipv6_address(net.b_if, IpCidr{global_a, 64}, net.sim.now()));
  net.sim.run_for(Duration::seconds(2));
  // A polls first and probes; B, still tentative, sees a probe from :: for
  // the address (RFC 4862 5.4.3) and gives it up without probing itself.
  EXPECT_EQ(state_of(net.a, net.a_if, global_a), Ipv6AddressState::Preferred);
  EXPECT_EQ(state_of(net.b, net.b_if, global_a), Ipv6AddressState::Duplicated);
  EXPECT_EQ(net.b.stats().nd.dad_duplicates, 1U);
  EXPECT_EQ(net.b.stats().nd.tx_solicitation, 1U);  // its link-local's probe only
}

TEST(Ipv6Sim, UnreachableNeighborDropsItsQueuedPackets) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  UdpHandle u = *net.a.udp_open();
  const Ipv6Address nobody = v6("2001:db8::99");
  const ByteVector data = pattern(10, 2);
  for (int i = 0; i < 4; ++i) {
    const Status s = net.a.udp_send_to(u, data, {nobody, 9}, net.sim.now());
    if (i < 3) EXPECT_OK(s);
    else EXPECT_ERROR(s, Error::WouldBlock);  // CONFIG_LWIP_IPV6_MEMP_NUM_ND6_QUEUE
  }
  net.sim.run_for(Duration::seconds(5));
  // Two DAD probes (link-local and global), then three for the neighbor.
  EXPECT_EQ(net.a.stats().nd.tx_solicitation, 2U + 3U);
  EXPECT_EQ(net.a.stats().nd.drop_unresolved, 3U);
  EXPECT_EQ(net.a.stats().nd.drop_queue_full, 1U);
  net.a.udp_close(u);
}

// A resolution pushed out of a neighbor cache full of resolutions gives up
// as one whose solicitations ran out: the SYN that waited on it is reported
// to TCP as an address unreachable, which ends the connect at once (not
// after three solicitations, nor a SYN timeout later), from the next poll.
// Counted once, as nd.drop_unresolved.
TEST(Ipv6Sim, AnEvictedResolutionFailsTheConnectThatWaitedOnIt) {
  if constexpr (!config::icmp_errors_to_transports) return;
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  net.sim.settle();
  const Instant start = net.sim.now();
  Result<TcpHandle> c = net.a.tcp_connect({v6("2001:db8::77"), 80}, start);
  ASSERT_OK(c);
  net.sim.run_for(Duration::millis(100));
  // Every other entry goes to another address being resolved (none of them
  // answers): the table is full of resolutions, the SYN's the oldest.
  UdpHandle tx = *net.a.udp_open();
  for (std::size_t i = 0; i + 1 < config::ipv6_nd6_num_neighbors; ++i) {
    Ipv6Address to = v6("2001:db8::100");
    to.octets[15] = static_cast<std::uint8_t>(i);
    ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {to, 9}, net.sim.now()));
  }
  net.sim.settle();
  EXPECT_EQ(net.a.stats().nd.cache_evictions, 0U);
  EXPECT_EQ(net.a.tcp_connection(*c)->state(), TcpState::SynSent);
  net.log.clear();

  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {v6("2001:db8::120"), 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.sim.now(), start + Duration::millis(100));
  EXPECT_EQ(net.a.stats().nd.cache_evictions, 1U);
  EXPECT_EQ(net.a.stats().nd.drop_unresolved, 1U);
  EXPECT_EQ(net.a.stats().icmpv6.errors_to_transport, 1U);
  expect_connect_failed(net.a, *c, Error::HostUnreachable);
  // Only the new address's solicitation went out: no TCP segment.
  const std::vector<FrameLog::Frame> sent = net.log.with_ethertype(ipv6_type, 0);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].bytes[14 + 6], 58);  // ICMPv6

  // The resolutions left give up in turn: their packets are reported as
  // well (an unconnected UDP endpoint keeps nothing).
  net.sim.run_for(Duration::seconds(4));
  EXPECT_EQ(net.a.stats().nd.drop_unresolved, 1U + config::ipv6_nd6_num_neighbors);
  EXPECT_EQ(net.a.stats().icmpv6.errors_to_transport, 1U + config::ipv6_nd6_num_neighbors);
  EXPECT_FALSE(net.a.udp_has_error(tx));
  net.a.tcp_close(*c, net.sim.now());
  net.a.udp_close(tx);
  net.sim.settle();
}

// ---- ICMPv6 errors a raw peer's packets may and may not get ---------------

const Ipv6Address address_peer = v6("2001:db8::99");
constexpr std::uint8_t next_destination_options = 60;
constexpr std::uint8_t next_icmpv6 = 58;
constexpr std::uint8_t next_udp = 17;

// A with 2001:db8::1 facing the test at 2001:db8::99, whose MAC A knows
// (a static entry: errors leave at once).
struct RawPeer {
  RawPeer() {
    EXPECT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{global_a, 64}, net.sim.now()));
    EXPECT_OK(net.a.nd_add_static(net.a_if, IpAddress(address_peer), mac_peer, net.sim.now()));
    net.sim.run_for(Duration::seconds(2));
    (void)net.received();
  }
  // An IPv6 packet from the peer to A's global address in a frame to `mac`.
  void inject(std::uint8_t next_header, const ByteVector& payload, const MacAddress& mac = mac_a) {
    inject_from(address_peer, global_a, next_header, payload, mac);
  }
  // The same from any source to any destination, with any hop limit.
  void inject_from(const Ipv6Address& source, const Ipv6Address& destination,
                   std::uint8_t next_header, const ByteVector& payload,
                   const MacAddress& mac = mac_a, std::uint8_t hop_limit = 64) {
    ByteVector ip(40);
    ip[0] = 0x60;
    store_be16(ip, 4, static_cast<std::uint16_t>(payload.size()));
    ip[6] = next_header;
    ip[7] = hop_limit;
    std::copy(source.octets.begin(), source.octets.end(), ip.begin() + 8);
    std::copy(destination.octets.begin(), destination.octets.end(), ip.begin() + 24);
    ip.insert(ip.end(), payload.begin(), payload.end());
    net.inject(ethernet_frame(mac, mac_peer, ipv6_type, ip));
    net.sim.settle();
  }
  // The type and code of each ICMPv6 error A sent since the last call.
  std::vector<std::pair<std::uint8_t, std::uint8_t>> errors() {
    std::vector<std::pair<std::uint8_t, std::uint8_t>> out;
    for (const ByteVector& f : net.received()) {
      if (f.size() >= 14 + 40 + 8 && frame_ethertype(f) == ipv6_type && f[14 + 6] == next_icmpv6 &&
          f[14 + 40] < 128) {
        out.emplace_back(f[14 + 40], f[14 + 41]);
      }
    }
    return out;
  }
  HostAndPeer net;
};

// A destination options header (RFC 8200 4.6) holding one option of type
// 0x80, which no host knows and whose top bits (10) ask for a parameter
// problem (code 2) even when the destination is a group.
ByteVector unknown_option_header(std::uint8_t next_header) {
  return ByteVector{next_header, 0, 0x80, 4, 0, 0, 0, 0};
}

// A UDP datagram from the peer to A's port 9 (nobody's), with its checksum.
ByteVector udp_to_port_9() {
  ByteVector udp{0x04, 0xd2, 0x00, 0x09, 0x00, 0x0c, 0, 0, 1, 2, 3, 4};
  ByteVector pseudo(address_peer.octets.begin(), address_peer.octets.end());
  pseudo.insert(pseudo.end(), global_a.octets.begin(), global_a.octets.end());
  const ByteVector tail{0, 0, 0, 12, 0, 0, 0, next_udp};
  pseudo.insert(pseudo.end(), tail.begin(), tail.end());
  pseudo.insert(pseudo.end(), udp.begin(), udp.end());
  store_be16(udp, 6, internet_checksum(pseudo));
  return udp;
}

// RFC 4443 2.4 (e.1, e.2): no error about an ICMPv6 error or a Redirect,
// also when an extension header comes before it (the decision reads the
// last Next Header, not the first). An echo request behind the same header
// is answered.
TEST(Ipv6ErrorsSim, NoErrorAboutAnIcmpv6ErrorOrRedirectBehindExtensionHeaders) {
  RawPeer p;
  const auto behind_options = [](std::uint8_t icmpv6_type) {
    ByteVector packet = unknown_option_header(next_icmpv6);
    const ByteVector message{icmpv6_type, 0, 0, 0, 0, 0, 0, 0};
    packet.insert(packet.end(), message.begin(), message.end());
    return packet;
  };
  p.inject(next_destination_options, behind_options(1));    // destination unreachable
  p.inject(next_destination_options, behind_options(137));  // redirect
  EXPECT_TRUE(p.errors().empty());
  p.inject(next_destination_options, behind_options(128));  // echo request
  const std::vector<std::pair<std::uint8_t, std::uint8_t>> expected{{4, 2}};
  EXPECT_EQ(p.errors(), expected);
  EXPECT_EQ(p.net.a.stats().ipv6.drop_bad_extension, 3U);
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);
}

// RFC 4443 2.4 (e.4, e.5): a packet to our unicast address that came in a
// link-layer broadcast or multicast frame gets no error, but a parameter
// problem code 2 (which even a group's packet gets); in a unicast frame the
// same port unreachable is sent.
TEST(Ipv6ErrorsSim, APacketInALinkMulticastFrameGetsNoPortUnreachable) {
  RawPeer p;
  constexpr MacAddress all_nodes_mac{{0x33, 0x33, 0, 0, 0, 1}};
  p.inject(next_udp, udp_to_port_9(), all_nodes_mac);
  p.inject(next_udp, udp_to_port_9(), MacAddress::broadcast());
  EXPECT_EQ(p.net.a.stats().udp.drop_no_port, 2U);
  EXPECT_TRUE(p.errors().empty());
  ByteVector with_option = unknown_option_header(next_udp);
  const ByteVector udp = udp_to_port_9();
  with_option.insert(with_option.end(), udp.begin(), udp.end());
  p.inject(next_destination_options, with_option, all_nodes_mac);
  p.inject(next_udp, udp_to_port_9());
  const std::vector<std::pair<std::uint8_t, std::uint8_t>> expected{{4, 2}, {1, 4}};
  EXPECT_EQ(p.errors(), expected);
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);
}

// `message` (UDP or ICMPv6) with its checksum, at `at`, over RFC 8200 8.1's
// pseudo-header.
ByteVector with_checksum(const Ipv6Address& source, const Ipv6Address& destination,
                         std::uint8_t next_header, ByteVector message, std::size_t at) {
  ByteVector pseudo(source.octets.begin(), source.octets.end());
  pseudo.insert(pseudo.end(), destination.octets.begin(), destination.octets.end());
  const ByteVector tail{0, 0, 0, static_cast<std::uint8_t>(message.size()), 0, 0, 0, next_header};
  pseudo.insert(pseudo.end(), tail.begin(), tail.end());
  pseudo.insert(pseudo.end(), message.begin(), message.end());
  store_be16(message, at, internet_checksum(pseudo));
  return message;
}

// A packet from the link with one of our addresses as its source is forged
// or looped back: taken in, every answer goes to ourselves through the
// loopback netif (an echo reply, a closed port's error; two echoing ports
// bounce one datagram for ever): dropped as a bad source. A group is never
// a source (RFC 4291 2.7): the header's parse refuses it (malformed). An NA
// that claims our address from that address still reaches ND (RFC 4862
// 5.4.4: a duplicate found after DAD).
TEST(Ipv6ErrorsSim, OwnOrMulticastSourceFromTheLinkIsDropped) {
  RawPeer p;
  const Ipv6Address group = v6("ff02::1");
  constexpr MacAddress all_nodes_mac{{0x33, 0x33, 0, 0, 0, 1}};
  const ByteVector udp{0x04, 0xd2, 0x00, 0x09, 0x00, 0x0c, 0, 0, 1, 2, 3, 4};
  const ByteVector echo{128, 0, 0, 0, 0x12, 0x34, 0, 1, 5, 6, 7, 8};
  const StackStats& s = p.net.a.stats();
  const auto ipv6_rx = s.ipv6.rx, ipv6_tx = s.ipv6.tx, icmpv6_rx = s.icmpv6.rx;
  const auto malformed = s.ipv6.drop_malformed;
  const auto icmpv6_tx = s.icmpv6.tx;
  p.inject_from(global_a, global_a, next_udp, with_checksum(global_a, global_a, next_udp, udp, 6));
  p.inject_from(global_a, global_a, next_icmpv6,
                with_checksum(global_a, global_a, next_icmpv6, echo, 2));
  p.inject_from(group, global_a, next_udp, with_checksum(group, global_a, next_udp, udp, 6));
  p.inject_from(group, global_a, next_icmpv6, with_checksum(group, global_a, next_icmpv6, echo, 2));
  EXPECT_EQ(s.ipv6.drop_bad_source, 2U);
  EXPECT_EQ(s.ipv6.drop_malformed - malformed, 2U);
  EXPECT_EQ(s.ipv6.rx - ipv6_rx, 4U);  // nothing came back through the loopback netif
  EXPECT_EQ(s.ipv6.tx - ipv6_tx, 0U);
  EXPECT_EQ(s.udp.rx, 0U);
  EXPECT_EQ(s.udp.drop_no_port, 0U);
  EXPECT_EQ(s.icmpv6.rx - icmpv6_rx, 0U);
  EXPECT_EQ(s.icmpv6.tx - icmpv6_tx, 0U);
  EXPECT_TRUE(p.net.received().empty());

  // Another host that holds our preferred address too (hop limit 255, to
  // all nodes, its link-layer address for the target).
  ByteVector na{136, 0, 0, 0, 0x20, 0, 0, 0};
  na.insert(na.end(), global_a.octets.begin(), global_a.octets.end());
  const ByteVector option{2, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0xee};
  na.insert(na.end(), option.begin(), option.end());
  p.inject_from(global_a, group, next_icmpv6, with_checksum(global_a, group, next_icmpv6, na, 2),
                all_nodes_mac, 255);
  EXPECT_EQ(s.ipv6.drop_bad_source, 2U);
  EXPECT_EQ(s.nd.rx_advertisement, 1U);
  EXPECT_EQ(s.nd.dad_duplicates, 1U);
  EXPECT_EQ(state_of(p.net.a, p.net.a_if, global_a), Ipv6AddressState::Preferred);
  EXPECT_TRUE(p.net.received().empty());
  EXPECT_EQ(p.net.a.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::ipv6_test
