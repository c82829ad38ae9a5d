// CONFIG_LWIP_IPV4=0 (issue 10): the core holds no IPv4 state (ARP cache,
// reassembly, IGMP groups), sends no ARP, IPv4 or IGMP, drops and counts
// ARP and IPv4 frames, refuses every IPv4 call with Unsupported, and still
// carries TCP and UDP over IPv6, wildcard (0.0.0.0 meaning ::) bindings
// included. Built in the same copy as CONFIG_LWIP_IP6_FRAG=0 and
// CONFIG_LWIP_ESP_LWIP_ASSERT=0 (the core's checks compiled out: its sim
// tests run without them).
#include <gtest/gtest.h>

#include <array>
#include <type_traits>
#include <utility>

#include "apps/dhcp_client.h"
#include "apps/dhcp_server.h"
#include "apps/dns_resolver.h"
#include "apps/netbios_responder.h"
#include "config/options.h"
#include "ip/arp_cache.h"
#include "ip/multicast_groups.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/assert.h"
#include "wire/ethernet.h"

namespace lwnet::test::ipv6_only_check {

static_assert(!config::ipv4 && config::ipv6, "built with CONFIG_LWIP_IPV4=0");
static_assert(!config::ip6_frag, "built with CONFIG_LWIP_IP6_FRAG=0");
// Neighbor Discovery's hop limit as the default: a router's Cur Hop Limit
// must still not replace ND's 255 (neighbor_discovery_test.cpp).
static_assert(config::ip_default_ttl == 255, "built with CONFIG_LWIP_IP_DEFAULT_TTL=255");
// No IPv4 storage: ARP cache, IGMP's share of the group table.
static_assert(std::tuple_size_v<std::remove_cvref_t<decltype(std::declval<ArpCache>().entries())>> == 0);
static_assert(MulticastGroups::capacity == config::mld6_max_groups);
static_assert(!config::esp_lwip_assert && !assertions, "built with CONFIG_LWIP_ESP_LWIP_ASSERT=0");

namespace {

// ESP-IDF's LWIP_NOASSERT: a check is compiled, never evaluated.
TEST(Ipv6Only, CoreChecksAreCompiledOut) {
  int evaluated = 0;
  LWNET_ASSERT(++evaluated == 5);
  EXPECT_EQ(evaluated, 0);
}

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_arp = 0x0806;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

// An ICMP echo request from 192.0.2.99 to 192.0.2.1 (nothing may parse it).
ByteVector ipv4_echo_request() {
  Ipv4Repr ip;
  ip.source = ip_peer;
  ip.destination = ip_a;
  ip.protocol = static_cast<std::uint8_t>(IpProtocol::Icmp);
  ip.ttl = 64;
  return ipv4_packet(ip, hex("08 00 f7 fe 00 01 00 00"));
}

TEST(Ipv6Only, ArpAndIpv4FramesAreDroppedAndCounted) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  const EthernetStats before = net.a.stats().ethernet;
  // Broadcast ARP request for 192.0.2.1, an IPv4 echo request to A's MAC,
  // and one to the all-hosts group's MAC (01:00:5e:00:00:01: not accepted).
  net.inject(ethernet_frame(MacAddress::broadcast(), mac_peer, ethertype_arp,
                            arp_packet(ArpOperation::Request, mac_peer, ip_peer, MacAddress{}, ip_a)));
  net.inject(ethernet_frame(mac_a, mac_peer, ethertype_ipv4, ipv4_echo_request()));
  net.inject(ethernet_frame(MacAddress{{0x01, 0x00, 0x5e, 0, 0, 1}}, mac_peer, ethertype_ipv4,
                            ipv4_echo_request()));
  net.sim.settle();
  const StackStats& after = net.a.stats();
  EXPECT_EQ(after.ethernet.rx, before.rx + 3);
  EXPECT_EQ(after.ethernet.drop_unknown_ethertype, before.drop_unknown_ethertype + 2);
  EXPECT_EQ(after.ethernet.drop_multicast_filtered, before.drop_multicast_filtered + 1);
  EXPECT_EQ(after.arp.rx_request, 0U);
  EXPECT_EQ(after.ipv4.rx, 0U);
  EXPECT_EQ(after.icmp.rx, 0U);
  for (const ByteVector& f : net.received()) {  // no answer (IPv6 ND/MLD may still run)
    EXPECT_EQ(frame_ethertype(f), ethertype_ipv6);
  }
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(Ipv6Only, NetifsSendNoIpv4) {
  TwoHosts net;
  // Long enough for gratuitous ARP and IGMP reports, were they built in.
  net.sim.run_for(Duration::seconds(30));
  ASSERT_FALSE(net.log.frames().empty());  // DAD, MLD and router solicitations
  for (const FrameLog::Frame& f : net.log.frames()) {
    EXPECT_EQ(frame_ethertype(f.bytes), ethertype_ipv6);
  }
  const StackStats& s = net.a.stats();
  EXPECT_EQ(s.arp.tx_gratuitous + s.arp.tx_request, 0U);
  EXPECT_EQ(s.ipv4.tx, 0U);
  EXPECT_EQ(s.igmp.tx, 0U);
  EXPECT_GT(s.mld.tx, 0U);
  EXPECT_FALSE(net.a.netif_info(net.a_if)->ipv4);
  EXPECT_FALSE(net.a.netif_info(net.a.loopback_netif())->ipv4);  // no 127.0.0.1
}

TEST(Ipv6Only, Ipv4CallsAreUnsupported) {
  TwoHosts net;
  net.sim.settle();
  Stack& s = net.a;
  const Instant now = net.sim.now();
  const IpAddress peer(ip_b);
  const IpAddress mapped = *parse_ip_address("::ffff:192.0.2.2");
  EXPECT_ERROR(s.set_ipv4(net.a_if, IpCidr{IpAddress(ip_a), 24}, std::nullopt, now), Error::Unsupported);
  EXPECT_ERROR(s.arp_add_static(net.a_if, ip_b, mac_b), Error::Unsupported);
  EXPECT_ERROR(s.arp_probe(net.a_if, ip_b, now), Error::Unsupported);
  EXPECT_ERROR(s.arp_announce(net.a_if, now), Error::Unsupported);
  EXPECT_FALSE(s.arp_lookup(net.a_if, ip_b));
  EXPECT_ERROR(s.igmp_join(net.a_if, Ipv4Address::of(239, 1, 2, 3), now), Error::Unsupported);
  EXPECT_FALSE(s.igmp_is_member(net.a_if, Ipv4Address::of(224, 0, 0, 1)));
  EXPECT_ERROR(s.raw_open(1), Error::Unsupported);  // ICMP
  PipePair other;
  NetifConfig with_ipv4;
  with_ipv4.name = "x0";
  with_ipv4.ipv4 = IpCidr{IpAddress(ip_peer), 24};
  EXPECT_ERROR(s.add_netif(other.a(), with_ipv4, now), Error::Unsupported);

  const PingHandle ping = *s.ping_open(7);
  EXPECT_ERROR(s.ping_send(ping, peer, 1, pattern(8), 0, now), Error::Unsupported);
  s.ping_close(ping);

  const UdpHandle udp = *s.udp_open();
  EXPECT_ERROR(s.udp_bind(udp, {IpAddress(ip_a), 7}), Error::Unsupported);
  EXPECT_ERROR(s.udp_send_to(udp, pattern(8), {peer, 9}, now), Error::Unsupported);
  EXPECT_ERROR(s.udp_send_to(udp, pattern(8), {mapped, 9}, now), Error::Unsupported);
  EXPECT_ERROR(s.udp_connect(udp, {peer, 9}), Error::Unsupported);
  EXPECT_ERROR(s.udp_join_group(udp, Ipv4Address::of(239, 1, 2, 3), Ipv4Address{}, now),
               Error::Unsupported);
  s.udp_close(udp);
  EXPECT_ERROR(s.tcp_connect({peer, 80}, now), Error::Unsupported);
  EXPECT_ERROR(s.tcp_connect({mapped, 80}, now), Error::Unsupported);
  EXPECT_ERROR(s.tcp_listen({IpAddress(ip_a), 80}, 1), Error::Unsupported);
  EXPECT_ERROR(s.tcp_reserve({mapped, 80}, false, false), Error::Unsupported);

  // The apps that need IPv4.
  DhcpClient dhcp(net.a_if);
  EXPECT_ERROR(dhcp.start(s, now), Error::Unsupported);
  DhcpServer dhcp_server(net.a_if);
  EXPECT_ERROR(dhcp_server.start(s, DhcpServerConfig{}, now), Error::Unsupported);
  NetbiosResponder netbios;
  ASSERT_OK(netbios.set_name("lwnet"));
  EXPECT_ERROR(netbios.start(s), Error::Unsupported);
  DnsResolver resolver;
  EXPECT_ERROR(resolver.lookup(s, "host.example", DnsRecordType::A, nullptr, nullptr, now),
               Error::Unsupported);

  net.sim.settle();
  EXPECT_EQ(s.stats().ipv4.tx, 0U);
  EXPECT_EQ(s.stats().arp.tx_request, 0U);
  EXPECT_EQ(s.pools().in_use(), 0U);
}

// Bound to 0.0.0.0 (IpAddress{}, what apps pass when they mean "any"), a
// UDP endpoint and a TCP listener take IPv6: :: is the only wildcard here.
// The SYN is checked byte by byte up to the MSS option.
TEST(Ipv6Only, WildcardBindingsCarryUdpAndTcpOverIpv6) {
  TwoHosts net;
  const Ipv6Address global_a = v6("2001:db8::1");
  const Ipv6Address global_b = v6("2001:db8::2");
  ASSERT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{global_a, 64}, net.sim.now()));
  ASSERT_OK(net.b.add_ipv6_address(net.b_if, IpCidr{global_b, 64}, net.sim.now()));
  net.sim.run_for(Duration::seconds(2));  // DAD
  net.log.clear();

  const UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  EXPECT_EQ(net.b.udp_local(rx)->address, IpAddress(Ipv6Address{}));
  const UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(100), {global_b, 7}, net.sim.now()));
  net.sim.settle();
  ByteVector buf(200);
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->copied, 100U);
  EXPECT_EQ(got->from.address, IpAddress(global_a));
  net.a.udp_close(tx);
  net.b.udp_close(rx);

  Result<TcpHandle> listener = net.b.tcp_listen({IpAddress{}, 8080}, 1);
  ASSERT_OK(listener);
  net.log.clear();
  Result<TcpHandle> client = net.a.tcp_connect({global_b, 8080}, net.sim.now());
  ASSERT_OK(client);
  ASSERT_TRUE(net.sim.run_until([&] { return net.b.tcp_accept(*listener).ok(); }, Duration::seconds(1)));
  const std::vector<FrameLog::Frame> sent = net.log.with_ethertype(ethertype_ipv6, 0);
  ASSERT_FALSE(sent.empty());
  const ByteVector& syn = sent.front().bytes;
  ASSERT_GE(syn.size(), 14U + 40 + 24);
  // IPv6: version 6, payload length 36 (the TCP header and its options), next
  // header TCP, the default hop limit (255 in this build), 2001:db8::1 to
  // 2001:db8::2.
  EXPECT_EQ(to_hex(ConstBytes(syn).subspan(14, 40)),
            to_hex(hex("60 00 00 00 00 24 06 ff"
                       "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
                       "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02")));
  EXPECT_EQ(load_be16(syn, 14 + 40 + 2), 8080);
  EXPECT_EQ(syn[14 + 40 + 13], 0x02);  // SYN alone
  // The MSS of a 1500-byte link over IPv6: 1500 - 40 - 20.
  EXPECT_EQ(to_hex(ConstBytes(syn).subspan(14 + 40 + 20, 4)), to_hex(hex("02 04 05 a0")));
  net.a.tcp_abort(*client, net.sim.now());
  net.b.tcp_close(*listener, net.sim.now());
  net.sim.settle();
}

}  // namespace
}  // namespace lwnet::test::ipv6_only_check
