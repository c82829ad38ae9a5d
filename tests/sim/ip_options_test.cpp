// Per-endpoint IP options in the core: TOS and TTL in the IPv4 header of
// every UDP datagram, raw packet and TCP segment (SYN retransmissions, pure
// ACKs and accepted connections included), and endpoints bound to one netif
// (SO_BINDTODEVICE): what they receive, and which netif they send through.
#include <gtest/gtest.h>

#include <array>

#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::ip_options_test {
namespace {

constexpr MacAddress mac_gateway{{0x02, 0x00, 0x00, 0x00, 0x00, 0x77}};
constexpr MacAddress mac_other{{0x02, 0x00, 0x00, 0x00, 0x00, 0x1a}};
constexpr Ipv4Address ip_other = Ipv4Address::of(198, 51, 100, 1);
constexpr Ipv4Address ip_gateway = Ipv4Address::of(198, 51, 100, 254);

// The IPv4 header bytes behind a 14-byte Ethernet header.
std::uint8_t tos_of(const ByteVector& frame) { return frame.at(15); }
std::uint8_t ttl_of(const ByteVector& frame) { return frame.at(22); }

// A fixed header's other bytes: version/IHL, protocol, and a valid checksum.
void expect_plain_header(const ByteVector& frame, std::uint8_t protocol) {
  ASSERT_GE(frame.size(), 34U);
  EXPECT_EQ(frame[14], 0x45);
  EXPECT_EQ(frame[23], protocol);
  std::uint32_t sum = 0;
  for (std::size_t i = 14; i < 34; i += 2) sum += (std::uint32_t{frame[i]} << 8) | frame[i + 1];
  while ((sum >> 16) != 0) sum = (sum & 0xffffU) + (sum >> 16);
  EXPECT_EQ(sum, 0xffffU);  // the header checksum covers the TOS and TTL we set
}

ByteVector tcp_frame(const MacAddress& to_mac, const MacAddress& from_mac, const IpEndpoint& source,
                     const IpEndpoint& destination, const TcpRepr& header) {
  ByteVector segment(header.header_len());
  header.emit(segment, source.address, destination.address);
  Ipv4Repr ip;
  ip.source = source.address.v4();
  ip.destination = destination.address.v4();
  ip.protocol = static_cast<std::uint8_t>(IpProtocol::Tcp);
  return ethernet_frame(to_mac, from_mac, ipv4_type, ipv4_packet(ip, segment));
}

ByteVector syn_to(const MacAddress& to_mac, Ipv4Address to, std::uint16_t port) {
  TcpRepr syn;
  syn.source_port = 40000;
  syn.destination_port = port;
  syn.sequence = 1000;
  syn.flags = tcp_flags::syn;
  syn.window = 64240;
  syn.mss = 1460;
  return tcp_frame(to_mac, mac_peer, {ip_peer, 40000}, {to, port}, syn);
}

std::uint8_t tcp_flags_of(const ByteVector& frame) { return frame.at(14 + 20 + 13); }

TEST(IpOptionsSim, UdpDatagramsCarryTheEndpointsTosAndTtl) {
  HostAndPeer net;
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  net.sim.settle();
  (void)net.received();
  UdpHandle u = *net.a.udp_open();
  net.a.udp_set_tos(u, 0xb8);  // DSCP EF
  net.a.udp_set_ttl(u, 7);
  const ByteVector payload = pattern(5);
  ASSERT_OK(net.a.udp_send_to(u, payload, {ip_peer, 53}, net.sim.now()));
  // The default endpoint: TOS 0, the configured default TTL.
  UdpHandle plain = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(plain, payload, {ip_peer, 53}, net.sim.now()));
  net.sim.settle();
  const std::vector<ByteVector> frames = net.received();
  ASSERT_EQ(frames.size(), 2U);
  expect_plain_header(frames[0], 17);
  EXPECT_EQ(tos_of(frames[0]), 0xb8);
  EXPECT_EQ(ttl_of(frames[0]), 7);
  expect_plain_header(frames[1], 17);
  EXPECT_EQ(tos_of(frames[1]), 0);
  EXPECT_EQ(ttl_of(frames[1]), config::ip_default_ttl);
  net.a.udp_close(u);
  net.a.udp_close(plain);
}

TEST(IpOptionsSim, RawPacketsCarryTheirTos) {
  HostAndPeer net;
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  net.sim.settle();
  (void)net.received();
  RawHandle r = *net.a.raw_open(1);
  const ByteVector echo{8, 0, 0xf7, 0xff, 0, 0, 0, 0};
  ASSERT_OK(net.a.raw_send_to(r, echo, IpAddress(ip_peer), 3, net.sim.now(), 0x20));
  net.sim.settle();
  const std::vector<ByteVector> frames = net.received();
  ASSERT_EQ(frames.size(), 1U);
  expect_plain_header(frames[0], 1);
  EXPECT_EQ(tos_of(frames[0]), 0x20);
  EXPECT_EQ(ttl_of(frames[0]), 3);
  net.a.raw_close(r);
}

TEST(IpOptionsSim, SynRetransmissionsKeepTheConnectionsTosAndTtl) {
  HostAndPeer net;
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  net.sim.settle();
  (void)net.received();
  TcpSettings settings;
  settings.ip.tos = 0x28;
  settings.ip.ttl = 5;
  Result<TcpHandle> c = net.a.tcp_connect({ip_peer, 80}, net.sim.now(), {}, &settings);
  ASSERT_OK(c);
  net.sim.run_for(Duration::seconds(10));  // the peer never answers
  std::vector<ByteVector> frames;
  // MLD speaks for the IPv6 link-local address meanwhile: IPv4 frames only.
  for (ByteVector& f : net.received()) {
    if (frame_ethertype(f) == ipv4_type) frames.push_back(std::move(f));
  }
  ASSERT_GE(frames.size(), 3U);  // the SYN and at least two retransmissions
  for (const ByteVector& f : frames) {
    expect_plain_header(f, 6);
    EXPECT_EQ(tcp_flags_of(f), tcp_flags::syn);
    EXPECT_EQ(tos_of(f), 0x28);
    EXPECT_EQ(ttl_of(f), 5);
  }
  net.a.tcp_abort(*c, net.sim.now());
}

TEST(IpOptionsSim, EverySegmentOfAConnectionCarriesItsTosAndTtlAcceptedOnesTheListeners) {
  TwoHosts net;
  net.sim.settle();
  TcpSettings server_settings;
  server_settings.ip.tos = 0x48;
  server_settings.ip.ttl = 17;
  Result<TcpHandle> listener = net.b.tcp_listen({IpAddress{}, 8080}, 1, false, &server_settings);
  ASSERT_OK(listener);
  TcpSettings client_settings;
  client_settings.ip.tos = 0xb8;
  client_settings.ip.ttl = 9;
  net.log.clear();
  Result<TcpHandle> client = net.a.tcp_connect({ip_b, 8080}, net.sim.now(), {}, &client_settings);
  ASSERT_OK(client);
  TcpHandle server{};
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        Result<TcpHandle> r = net.b.tcp_accept(*listener);
        if (r) server = *r;
        return r.ok();
      },
      Duration::seconds(5)));
  ASSERT_EQ(net.b.tcp_connection(server)->settings().ip.ttl, 17);
  // Data both ways, then both close: SYNs, data, pure ACKs and FINs.
  const ByteVector data = pattern(3000);
  ASSERT_OK(net.a.tcp_send(*client, data, net.sim.now()));
  ASSERT_OK(net.b.tcp_send(server, pattern(100), net.sim.now()));
  net.sim.run_for(Duration::seconds(1));
  std::array<std::uint8_t, 4096> into{};
  ASSERT_OK(net.b.tcp_receive(server, into, net.sim.now()));
  ASSERT_OK(net.a.tcp_receive(*client, into, net.sim.now()));
  net.a.tcp_close(*client, net.sim.now());
  net.b.tcp_close(server, net.sim.now());
  net.sim.run_for(Duration::seconds(1));

  int pure_acks[2] = {0, 0};
  int segments[2] = {0, 0};
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv4_type)) {
    const ByteVector& bytes = f.bytes;
    ASSERT_EQ(bytes.at(23), 6);
    expect_plain_header(bytes, 6);
    EXPECT_EQ(tos_of(bytes), f.from == 0 ? 0xb8 : 0x48);
    EXPECT_EQ(ttl_of(bytes), f.from == 0 ? 9 : 17);
    ++segments[f.from];
    const std::size_t total = (std::size_t{bytes[16]} << 8) | bytes[17];
    const std::size_t tcp_header = (bytes[14 + 20 + 12] >> 4) * 4U;
    if (tcp_flags_of(bytes) == tcp_flags::ack && total == 20 + tcp_header) ++pure_acks[f.from];
  }
  EXPECT_GE(segments[0], 4);
  EXPECT_GE(segments[1], 4);
  EXPECT_GE(pure_acks[0], 1);
  EXPECT_GE(pure_acks[1], 1);
  net.b.tcp_close(*listener, net.sim.now());
}

// A with two netifs: a0 (192.0.2.1/24, the default) towards the peer, and
// a1 (198.51.100.1/24, gateway 198.51.100.254) on a second wire.
struct TwoNetifs {
  // a1_mtu: a1's MTU (0: the device's).
  explicit TwoNetifs(std::size_t a1_mtu = 0) {
    a0 = *a.add_netif(first.a(), netif_config("a0", mac_a, ip_a, 24), sim.now());
    NetifConfig second_config = netif_config("a1", mac_other, ip_other, 24, ip_gateway);
    second_config.mtu = a1_mtu;
    a1 = *a.add_netif(second.a(), second_config, sim.now());
    a.set_default_netif(a0);
    EXPECT_OK(a.arp_add_static(a0, ip_peer, mac_peer));
    EXPECT_OK(a.arp_add_static(a1, ip_gateway, mac_gateway));
    sim.add(a);
    sim.settle();
    (void)drain(first.b(), sim.now());
    (void)drain(second.b(), sim.now());
  }
  PipePair first;
  PipePair second;
  Stack a{StackConfig{1}};
  NetifId a0;
  NetifId a1;
  Simulation sim;
};

// A UDP datagram from the peer (port 1000) to `to`:5353, in a frame to `mac`.
ByteVector datagram_from_peer(Ipv4Address to, const MacAddress& mac, const ByteVector& payload) {
  Ipv4Repr ip;
  ip.source = ip_peer;
  ip.destination = to;
  ip.protocol = 17;
  return ethernet_frame(mac, mac_peer, ipv4_type, ipv4_packet(ip, udp_datagram(ip_peer, to, 1000, 5353, payload)));
}

TEST(IpOptionsSim, UdpBoundToANetifReceivesOnlyFromItAndSendsThroughIt) {
  TwoNetifs net;
  EXPECT_EQ(net.a.netif_find("a1"), net.a1);
  EXPECT_EQ(net.a.netif_find("lo"), net.a.loopback_netif());
  EXPECT_FALSE(net.a.netif_find("a2").has_value());
  UdpHandle u = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(u, {IpAddress{}, 5353}));
  ASSERT_OK(net.a.udp_bind_netif(u, net.a1));
  EXPECT_EQ(net.a.udp_bound_netif(u), net.a1);
  EXPECT_ERROR(net.a.udp_bind_netif(u, NetifId{9}), Error::InvalidArgument);

  // Arriving on a0: not for this endpoint (the port is closed there).
  const ByteVector hello = pattern(4);
  const auto datagram_to = [&](Ipv4Address to, const MacAddress& mac) { return datagram_from_peer(to, mac, hello); };
  (void)net.first.b().transmit(datagram_to(ip_a, mac_a), net.sim.now());
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_readable(u));
  EXPECT_EQ(net.a.stats().udp.drop_no_port, 1U);
  // Arriving on a1: taken.
  (void)net.second.b().transmit(datagram_to(ip_other, mac_other), net.sim.now());
  net.sim.settle();
  std::array<std::uint8_t, 16> into{};
  Result<UdpReceived> got = net.a.udp_receive(u, into);
  ASSERT_OK(got);
  EXPECT_EQ(got->netif, net.a1);
  EXPECT_EQ(got->to, IpAddress(ip_other));

  // To the peer, on a0's subnet: through a1 all the same, to its gateway,
  // from a1's address.
  (void)drain(net.first.b(), net.sim.now());
  ASSERT_OK(net.a.udp_send_to(u, hello, {ip_peer, 1000}, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(drain(net.first.b(), net.sim.now()).empty());
  std::vector<ByteVector> out = drain(net.second.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(frame_destination_mac(out[0]), mac_gateway);
  EXPECT_EQ(frame_ip_source(out[0]), ip_other);
  EXPECT_EQ(frame_ip_destination(out[0]), ip_peer);

  // Unbound: the routing table again (a0, straight to the peer).
  ASSERT_OK(net.a.udp_bind_netif(u, std::nullopt));
  ASSERT_OK(net.a.udp_send_to(u, hello, {ip_peer, 1000}, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(drain(net.second.b(), net.sim.now()).empty());
  out = drain(net.first.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(frame_destination_mac(out[0]), mac_peer);
  EXPECT_EQ(frame_ip_source(out[0]), ip_a);
  net.a.udp_close(u);
}

// Linux's rule: two endpoints on one port conflict unless they are bound
// to different netifs (SO_BINDTODEVICE before bind). Each then takes its
// own netif's datagrams; an endpoint bound to no netif still conflicts.
TEST(IpOptionsSim, UdpEndpointsOnOnePortBoundToDifferentNetifs) {
  TwoNetifs net;
  UdpHandle on_a0 = *net.a.udp_open();
  UdpHandle on_a1 = *net.a.udp_open();
  UdpHandle unbound = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind_netif(on_a0, net.a0));
  ASSERT_OK(net.a.udp_bind_netif(on_a1, net.a1));
  ASSERT_OK(net.a.udp_bind(on_a0, {IpAddress{}, 5353}));
  ASSERT_OK(net.a.udp_bind(on_a1, {IpAddress{}, 5353}));
  EXPECT_ERROR(net.a.udp_bind(unbound, {IpAddress{}, 5353}), Error::AddressInUse);
  UdpHandle also_a1 = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind_netif(also_a1, net.a1));
  EXPECT_ERROR(net.a.udp_bind(also_a1, {IpAddress{}, 5353}), Error::AddressInUse);

  const ByteVector hello = pattern(4);
  const auto datagram_to = [&](Ipv4Address to, const MacAddress& mac) { return datagram_from_peer(to, mac, hello); };
  (void)net.first.b().transmit(datagram_to(ip_a, mac_a), net.sim.now());
  net.sim.settle();
  EXPECT_TRUE(net.a.udp_readable(on_a0));
  EXPECT_FALSE(net.a.udp_readable(on_a1));
  std::array<std::uint8_t, 16> into{};
  ASSERT_OK(net.a.udp_receive(on_a0, into));
  (void)net.second.b().transmit(datagram_to(ip_other, mac_other), net.sim.now());
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_readable(on_a0));
  Result<UdpReceived> got = net.a.udp_receive(on_a1, into);
  ASSERT_OK(got);
  EXPECT_EQ(got->netif, net.a1);
  for (UdpHandle h : {on_a0, on_a1, unbound, also_a1}) net.a.udp_close(h);
}

// Linux's order, whichever binds first: an endpoint bound to no netif
// conflicts with one bound to a netif on the same port.
TEST(IpOptionsSim, UdpEndpointBoundToNoNetifFirstConflictsWithANetifBoundOne) {
  TwoNetifs net;
  UdpHandle unbound = *net.a.udp_open();
  UdpHandle on_a0 = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(unbound, {IpAddress{}, 5353}));
  ASSERT_OK(net.a.udp_bind_netif(on_a0, net.a0));
  EXPECT_ERROR(net.a.udp_bind(on_a0, {IpAddress{}, 5353}), Error::AddressInUse);
  // A specific address on one netif and any address on another: no overlap.
  UdpHandle on_a1 = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind_netif(on_a1, net.a1));
  ASSERT_OK(net.a.udp_bind(on_a0, {IpAddress{ip_a}, 5354}));
  ASSERT_OK(net.a.udp_bind(on_a1, {IpAddress{}, 5354}));
  for (UdpHandle h : {unbound, on_a0, on_a1}) net.a.udp_close(h);
}

// With SO_REUSEADDR on both, the endpoint bound to the netif a datagram
// came in on takes it before an unbound one bound earlier (Linux scores the
// netif as it scores the address).
// Needs SO_REUSEADDR (CONFIG_LWIP_SO_REUSE); not built without it.
#if CONFIG_LWIP_SO_REUSE
TEST(IpOptionsSim, UdpEndpointBoundToTheArrivalNetifWinsOverAnUnboundOne) {
  TwoNetifs net;
  UdpHandle unbound = *net.a.udp_open();
  UdpHandle on_a1 = *net.a.udp_open();
  net.a.udp_set_reuse_address(unbound, true);
  net.a.udp_set_reuse_address(on_a1, true);
  ASSERT_OK(net.a.udp_bind(unbound, {IpAddress{}, 5353}));
  ASSERT_OK(net.a.udp_bind_netif(on_a1, net.a1));
  ASSERT_OK(net.a.udp_bind(on_a1, {IpAddress{}, 5353}));
  (void)net.second.b().transmit(datagram_from_peer(ip_other, mac_other, pattern(3)), net.sim.now());
  net.sim.settle();
  EXPECT_TRUE(net.a.udp_readable(on_a1));
  EXPECT_FALSE(net.a.udp_readable(unbound));
  // On a0 only the unbound one matches.
  (void)net.first.b().transmit(datagram_from_peer(ip_a, mac_a, pattern(3)), net.sim.now());
  net.sim.settle();
  EXPECT_TRUE(net.a.udp_readable(unbound));
  for (UdpHandle h : {unbound, on_a1}) net.a.udp_close(h);
}
#endif  // CONFIG_LWIP_SO_REUSE

// A listener bound to a netif answers a SYN through it, with the MSS of
// its MTU, though the route back to the client leaves by another netif.
TEST(IpOptionsSim, TcpListenerBoundToANetifOffersThatNetifsMss) {
  TwoNetifs net(1280);
  TcpSettings settings;
  settings.ip.netif = net.a1;
  ASSERT_OK(net.a.tcp_listen({IpAddress{}, 80}, 2, false, &settings));
  (void)net.second.b().transmit(syn_to(mac_other, ip_other, 80), net.sim.now());
  net.sim.settle();
  EXPECT_TRUE(drain(net.first.b(), net.sim.now()).empty());
  const std::vector<ByteVector> out = drain(net.second.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  const ByteVector& syn_ack = out[0];
  ASSERT_GE(syn_ack.size(), 14U + 20 + 24);
  EXPECT_EQ(tcp_flags_of(syn_ack), tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(syn_ack[14 + 20 + 20], 2);  // the MSS option first
  EXPECT_EQ((std::size_t{syn_ack[14 + 20 + 22]} << 8) | syn_ack[14 + 20 + 23], 1280U - 40);
}

// A TCP connection bound to a netif (SO_BINDTODEVICE) offers the MSS of
// that netif's MTU, not of the netif the routing table would pick.
TEST(IpOptionsSim, TcpBoundToANetifOffersThatNetifsMss) {
  TwoNetifs net(1280);
  TcpSettings settings;
  settings.ip.netif = net.a1;
  ASSERT_OK(net.a.tcp_connect({ip_peer, 80}, net.sim.now(), {}, &settings));
  net.sim.settle();
  EXPECT_TRUE(drain(net.first.b(), net.sim.now()).empty());
  const std::vector<ByteVector> out = drain(net.second.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  const ByteVector& syn = out[0];
  ASSERT_GE(syn.size(), 14U + 20 + 24);
  EXPECT_EQ(tcp_flags_of(syn), tcp_flags::syn);
  EXPECT_EQ(syn[14 + 20 + 20], 2);  // the MSS option first
  EXPECT_EQ((std::size_t{syn[14 + 20 + 22]} << 8) | syn[14 + 20 + 23], 1280U - 40);
}

TEST(IpOptionsSim, UdpBoundToANetifWithoutAddressBroadcastsFromZero) {
  // The DHCP client's case: a1 is up with no address; a0 is the default.
  PipePair first;
  PipePair second;
  Stack a{StackConfig{1}};
  Simulation sim;
  const NetifId a0 = *a.add_netif(first.a(), netif_config("a0", mac_a, ip_a, 24), sim.now());
  NetifConfig bare;
  bare.name = "a1";
  bare.mac = mac_other;
  const NetifId a1 = *a.add_netif(second.a(), bare, sim.now());
  a.set_default_netif(a0);
  sim.add(a);
  sim.settle();
  (void)drain(first.b(), sim.now());
  (void)drain(second.b(), sim.now());

  UdpHandle u = *a.udp_open();
  ASSERT_OK(a.udp_bind(u, {IpAddress{}, 68}));
  a.udp_set_broadcast(u, true);
  ASSERT_OK(a.udp_bind_netif(u, a1));
  ASSERT_OK(a.udp_send_to(u, pattern(8), {Ipv4Address::broadcast(), 67}, sim.now()));
  // A unicast cannot leave a netif that has no address.
  EXPECT_ERROR(a.udp_send_to(u, pattern(8), {ip_peer, 67}, sim.now()), Error::NoRoute);
  sim.settle();
  EXPECT_TRUE(drain(first.b(), sim.now()).empty());
  const std::vector<ByteVector> out = drain(second.b(), sim.now());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(frame_destination_mac(out[0]), MacAddress::broadcast());
  EXPECT_EQ(frame_ip_source(out[0]), Ipv4Address{});
  EXPECT_EQ(frame_ip_destination(out[0]), Ipv4Address::broadcast());
  a.udp_close(u);
}

TEST(IpOptionsSim, TcpBoundToANetifListensAndConnectsThroughItOnly) {
  TwoNetifs net;
  TcpSettings on_a1;
  on_a1.ip.netif = net.a1;
  Result<TcpHandle> listener = net.a.tcp_listen({IpAddress{}, 80}, 2, false, &on_a1);
  ASSERT_OK(listener);
  // A SYN on a0 finds no listener: RST.
  (void)net.first.b().transmit(syn_to(mac_a, ip_a, 80), net.sim.now());
  net.sim.settle();
  std::vector<ByteVector> out = drain(net.first.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(tcp_flags_of(out[0]), tcp_flags::rst | tcp_flags::ack);
  // On a1: SYN-ACK, back through a1 (to its gateway: the peer is off a1's link).
  (void)net.second.b().transmit(syn_to(mac_other, ip_other, 80), net.sim.now());
  net.sim.settle();
  out = drain(net.second.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(tcp_flags_of(out[0]), tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(frame_destination_mac(out[0]), mac_gateway);
  EXPECT_TRUE(drain(net.first.b(), net.sim.now()).empty());

  // connect() through a1 to the peer that a0 reaches directly.
  Result<TcpHandle> c = net.a.tcp_connect({ip_peer, 443}, net.sim.now(), {}, &on_a1);
  ASSERT_OK(c);
  net.sim.settle();
  EXPECT_EQ(net.a.tcp_connection(*c)->local().address, IpAddress(ip_other));
  out = drain(net.second.b(), net.sim.now());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(tcp_flags_of(out[0]), tcp_flags::syn);
  EXPECT_EQ(frame_destination_mac(out[0]), mac_gateway);
  EXPECT_EQ(frame_ip_source(out[0]), ip_other);
  EXPECT_TRUE(drain(net.first.b(), net.sim.now()).empty());
  net.a.tcp_abort(*c, net.sim.now());
  net.a.tcp_close(*listener, net.sim.now());
}

}  // namespace
}  // namespace lwnet::test::ip_options_test
