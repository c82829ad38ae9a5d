// Router discovery, SLAAC and RDNSS: stack A facing a scripted router (the
// test, at mac_peer / fe80::1) over a pipe, in virtual time. Router
// solicitations' timing and count, RAs into the router list, SLAAC
// addresses and their lifetimes (the two-hour rule), off-link traffic to
// the router's MAC, RDNSS, and bad RAs dropped and counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/ipv6.h"
#include "wire/ndisc.h"

namespace lwnet::test::router_discovery_test {
namespace {

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address router_ll = v6("fe80::1");
const Ipv6Address all_nodes = v6("ff02::1");
const Ipv6Address prefix_1 = v6("2001:db8:1::");
const Ipv6Address slaac_a = v6("2001:db8:1::ff:fe00:a");
constexpr MacAddress all_nodes_mac{{0x33, 0x33, 0, 0, 0, 1}};

struct Ra {
  std::uint16_t router_lifetime = 1800;
  std::uint8_t current_hop_limit = 0;
  bool managed = false;
  bool other = false;
  NdiscPreference preference = NdiscPreference::Medium;
  std::vector<NdiscPrefixInformation> prefixes;
  std::optional<std::uint32_t> mtu;
  std::vector<Ipv6Address> rdnss;
  std::uint32_t rdnss_lifetime = 600;
  std::vector<NdiscRouteInformation> routes;
  bool source_link_address = true;
  Ipv6Address source = router_ll;
  MacAddress source_mac = mac_peer;
  std::uint8_t ip_hop_limit = 255;
  ByteVector raw_options;  // appended as they are
};

NdiscPrefixInformation prefix_info(const Ipv6Address& prefix, std::uint32_t valid,
                                   std::uint32_t preferred, bool autonomous = true) {
  NdiscPrefixInformation p;
  p.prefix = prefix;
  p.prefix_len = 64;
  p.on_link = true;
  p.autonomous = autonomous;
  p.valid_lifetime = valid;
  p.preferred_lifetime = preferred;
  return p;
}

ByteVector ra_frame(const Ra& ra) {
  NdiscRepr r;
  r.type = static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement);
  r.current_hop_limit = ra.current_hop_limit;
  r.managed = ra.managed;
  r.other = ra.other;
  r.router_preference = ra.preference;
  r.router_lifetime = ra.router_lifetime;
  const std::size_t fixed = NdiscRepr::fixed_len(r.type);
  ByteVector message(fixed + 512);
  NdiscOptionWriter writer(Bytes(message).subspan(fixed));
  if (ra.source_link_address) {
    EXPECT_OK(writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, ra.source_mac));
  }
  if (ra.mtu) {
    EXPECT_OK(writer.mtu(*ra.mtu));
  }
  for (const NdiscPrefixInformation& p : ra.prefixes) EXPECT_OK(writer.prefix_information(p));
  if (!ra.rdnss.empty()) {
    EXPECT_OK(writer.rdnss(ra.rdnss_lifetime, ra.rdnss));
  }
  for (const NdiscRouteInformation& route : ra.routes) EXPECT_OK(writer.route_information(route));
  message.resize(fixed + writer.written());
  message.insert(message.end(), ra.raw_options.begin(), ra.raw_options.end());
  r.emit(message, ra.source, all_nodes);
  Ipv6Repr ip;
  ip.source = ra.source;
  ip.destination = all_nodes;
  ip.next_header = ipv6_next_header::icmpv6;
  ip.hop_limit = ra.ip_hop_limit;
  ip.payload_len = message.size();
  ByteVector packet(Ipv6Repr::header_len);
  ip.emit(packet);
  packet.insert(packet.end(), message.begin(), message.end());
  return ethernet_frame(all_nodes_mac, ra.source_mac, ipv6_type, packet);
}

std::uint8_t icmpv6_type_of(const ByteVector& frame) {
  return frame.size() > 14 + 40 && frame_ethertype(frame) == ipv6_type && frame[14 + 6] == 58
             ? frame[14 + 40]
             : 0;
}

// A copy: the slots come back by value.
std::optional<Ipv6NetifAddress> slot_of(const Stack& stack, NetifId id, const Ipv6Address& a) {
  const auto slots = stack.ipv6_addresses(id);
  for (const Ipv6NetifAddress& s : *slots) {
    if (s.state != Ipv6AddressState::Invalid && s.address == a) return s;
  }
  return std::nullopt;
}

std::size_t router_count(const Stack& s) {
  const auto& routers = s.router_list().routers();
  return static_cast<std::size_t>(
      std::count_if(routers.begin(), routers.end(), [](const auto& r) { return r.has_value(); }));
}

// A with SLAAC on, its link-local address through DAD.
struct Router : HostAndPeer {
  Router() {
    a.set_slaac(true);
    sim.run_for(Duration::millis(1100));
  }
  Ipv6AddressState state(const Ipv6Address& address) {
    const std::optional<Ipv6NetifAddress> s = slot_of(a, a_if, address);
    return s ? s->state : Ipv6AddressState::Invalid;
  }
  void advertise(const Ra& ra) {
    inject(ra_frame(ra));
    sim.settle();
  }
};

TEST(RouterDiscoverySim, ThreeSolicitationsFourSecondsApartAfterTheLinkLocalAddress) {
  HostAndPeer net;
  net.sim.run_for(Duration::seconds(30));
  std::vector<FrameLog::Frame> rs;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (icmpv6_type_of(f.bytes) == 133) rs.push_back(f);
  }
  ASSERT_EQ(rs.size(), 3U);
  // DAD of the link-local address ends a second after start; the first
  // solicitation follows within MAX_RTR_SOLICITATION_DELAY (1 s).
  const Instant dad_done = Instant::from_seconds(2);
  EXPECT_GE(rs[0].at, dad_done);
  EXPECT_LT(rs[0].at, dad_done + Duration::seconds(1));
  EXPECT_EQ(rs[1].at, rs[0].at + Duration::seconds(4));
  EXPECT_EQ(rs[2].at, rs[1].at + Duration::seconds(4));
  // To all-routers from the link-local address, hop limit 255, with A's MAC.
  EXPECT_EQ(to_hex(ConstBytes(rs[0].bytes).first(6)), to_hex(hex("33 33 00 00 00 02")));
  EXPECT_EQ(to_hex(ConstBytes(rs[0].bytes).subspan(14, 40)),
            to_hex(hex("60 00 00 00 00 10 3a ff"
                       "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 0a"
                       "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 02")));
  EXPECT_EQ(to_hex(ConstBytes(rs[0].bytes).subspan(14 + 40 + 4)),
            to_hex(hex("00 00 00 00 01 01 02 00 00 00 00 0a")));
  EXPECT_EQ(net.a.stats().nd.tx_router_solicitation, 3U);
}

TEST(RouterDiscoverySim, AnAdvertisementStopsTheSolicitations) {
  HostAndPeer net;
  net.sim.run_for(Duration::seconds(3));
  EXPECT_EQ(net.a.stats().nd.tx_router_solicitation, 1U);
  net.inject(ra_frame(Ra{}));
  net.sim.run_for(Duration::seconds(20));
  EXPECT_EQ(net.a.stats().nd.tx_router_solicitation, 1U);
  EXPECT_EQ(net.a.stats().nd.rx_router_advertisement, 1U);
  EXPECT_TRUE(net.a.router_advertisement(net.a_if).received);
}

TEST(RouterDiscoverySim, AdvertisementGivesRouterPrefixAndSlaacAddress) {
  Router net;
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  ra.current_hop_limit = 32;
  ra.mtu = 1400;
  net.advertise(ra);
  ASSERT_EQ(router_count(net.a), 1U);
  const DefaultRouter& router = *net.a.router_list().routers()[0];
  EXPECT_EQ(router.address, router_ll);
  EXPECT_EQ(router.expires, net.sim.now() + Duration::seconds(1800));
  const OnLinkPrefix& prefix = *net.a.router_list().prefixes()[0];
  EXPECT_EQ(prefix.prefix, prefix_1);
  EXPECT_EQ(prefix.prefix_len, 64);
  // The router's MAC came with its source link-layer address option.
  EXPECT_EQ(net.a.nd_lookup(net.a_if, router_ll), mac_peer);
  EXPECT_EQ(net.state(slaac_a), Ipv6AddressState::Tentative);
  net.sim.run_for(Duration::millis(1100));
  EXPECT_EQ(net.state(slaac_a), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.a.netif_info(net.a_if)->mtu, 1400U);
  EXPECT_EQ(net.a.router_advertisement(net.a_if).current_hop_limit, 32);
}

TEST(RouterDiscoverySim, SlaacOffFormsNoAddress) {
  HostAndPeer net;
  net.a.set_slaac(false);
  net.sim.run_for(Duration::millis(1100));
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  net.inject(ra_frame(ra));
  net.sim.run_for(Duration::seconds(2));
  EXPECT_FALSE(slot_of(net.a, net.a_if, slaac_a).has_value());
  EXPECT_EQ(router_count(net.a), 1U);
}

TEST(RouterDiscoverySim, OffLinkTrafficGoesToTheRoutersMacWithItsHopLimit) {
  Router net;
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  ra.current_hop_limit = 40;
  net.advertise(ra);
  net.sim.run_for(Duration::millis(1100));
  (void)net.received();
  PingHandle ping = *net.a.ping_open(5);
  const Ipv6Address far = v6("2001:db8:99::7");
  ASSERT_OK(net.a.ping_send(ping, far, 1, {}, 0, net.sim.now()));
  net.sim.settle();
  std::vector<ByteVector> frames = net.received();
  std::erase_if(frames, [](const ByteVector& f) { return icmpv6_type_of(f) != 128; });
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frame_destination_mac(frames[0]), mac_peer);
  EXPECT_EQ(frames[0][14 + 7], 40);  // the RA's Cur Hop Limit
  // From the SLAAC address, to the far host.
  EXPECT_EQ(Ipv6Address::from_bytes(ConstBytes(frames[0]).subspan(14 + 8, 16)), slaac_a);
  EXPECT_EQ(Ipv6Address::from_bytes(ConstBytes(frames[0]).subspan(14 + 24, 16)), far);
  net.a.ping_close(ping);
}

// The RA's Cur Hop Limit replaces the stack's default, not a hop limit the
// sender chose that happens to equal it (IPV6_UNICAST_HOPS 64 stays 64).
TEST(RouterDiscoverySim, AChosenHopLimitEqualToTheDefaultStays) {
  Router net;
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  ra.current_hop_limit = 40;
  net.advertise(ra);
  net.sim.run_for(Duration::millis(1100));
  (void)net.received();
  PingHandle ping = *net.a.ping_open(5);
  const Ipv6Address far = v6("2001:db8:99::7");
  ASSERT_OK(net.a.ping_send(ping, far, 1, {}, config::ip_default_ttl, net.sim.now()));
  ASSERT_OK(net.a.ping_send(ping, far, 2, {}, 0, net.sim.now()));
  net.sim.settle();
  std::vector<ByteVector> frames = net.received();
  std::erase_if(frames, [](const ByteVector& f) { return icmpv6_type_of(f) != 128; });
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0][14 + 7], config::ip_default_ttl);  // chosen
  EXPECT_EQ(frames[1][14 + 7], 40);                      // the default: the RA's
  net.a.ping_close(ping);
}

TEST(RouterDiscoverySim, NoRouterNoRouteOffLink) {
  Router net;
  PingHandle ping = *net.a.ping_open(5);
  EXPECT_FALSE(net.a.ping_send(ping, v6("2001:db8:99::7"), 1, {}, 0, net.sim.now()));
  net.a.ping_close(ping);
}

TEST(RouterDiscoverySim, RouterLifetimeZeroWithdrawsTheRouter) {
  Router net;
  net.advertise(Ra{});
  ASSERT_EQ(router_count(net.a), 1U);
  Ra goodbye;
  goodbye.router_lifetime = 0;
  net.advertise(goodbye);
  EXPECT_EQ(router_count(net.a), 0U);
}

TEST(RouterDiscoverySim, LifetimesDeprecateThenRemoveTheAddressAndExpireTheRouter) {
  Router net;
  int status_calls = 0;
  net.a.set_status_callback([](void* c, NetifId) { ++*static_cast<int*>(c); }, &status_calls);
  Ra ra;
  ra.router_lifetime = 20;
  ra.prefixes.push_back(prefix_info(prefix_1, 30, 10));
  net.advertise(ra);
  const Instant at = net.sim.now();
  net.sim.run_until(at + Duration::millis(9900));
  EXPECT_EQ(net.state(slaac_a), Ipv6AddressState::Preferred);
  net.sim.run_until(at + Duration::millis(10100));
  EXPECT_EQ(net.state(slaac_a), Ipv6AddressState::Deprecated);
  EXPECT_EQ(router_count(net.a), 1U);
  net.sim.run_until(at + Duration::millis(20100));
  EXPECT_EQ(router_count(net.a), 0U);
  net.sim.run_until(at + Duration::millis(30100));
  EXPECT_EQ(net.state(slaac_a), Ipv6AddressState::Invalid);
  EXPECT_FALSE(net.a.router_list().prefixes()[0].has_value());
  // Added (tentative), preferred, deprecated, removed.
  if constexpr (config::netif_status_callback) {
    EXPECT_EQ(status_calls, 4);
  }
}

TEST(RouterDiscoverySim, TwoHourRuleKeepsALongValidLifetime) {
  Router net;
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 3 * 3600, 3600));
  net.advertise(ra);
  // A shorter valid lifetime (60 s) cuts the remaining 3 h to 2 h, no less.
  Ra forged;
  forged.prefixes.push_back(prefix_info(prefix_1, 60, 30));
  net.advertise(forged);
  std::optional<Ipv6NetifAddress> s = slot_of(net.a, net.a_if, slaac_a);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->valid_until, net.sim.now() + Duration::seconds(7200));
  EXPECT_EQ(s->preferred_until, net.sim.now() + Duration::seconds(30));
  // With 2 h or less left, a shorter one is ignored.
  net.sim.run_for(Duration::seconds(600));
  const Instant kept = slot_of(net.a, net.a_if, slaac_a)->valid_until;
  net.advertise(forged);
  EXPECT_EQ(slot_of(net.a, net.a_if, slaac_a)->valid_until, kept);
  // A longer one is always taken.
  Ra renewed;
  renewed.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  net.advertise(renewed);
  s = slot_of(net.a, net.a_if, slaac_a);
  EXPECT_EQ(s->valid_until, net.sim.now() + Duration::seconds(86400));
  EXPECT_EQ(s->state, Ipv6AddressState::Preferred);
}

#if CONFIG_LWIP_IPV6_RDNSS_MAX_DNS_SERVERS > 0
TEST(RouterDiscoverySim, RdnssServersArePublishedAndExpire) {
  Router net;
  Ra ra;
  ra.rdnss = {v6("2001:db8:1::53")};
  ra.rdnss_lifetime = 20;
  net.advertise(ra);
  const LearnedServers& dns = net.a.learned_dns_servers();
  ASSERT_EQ(dns.servers().size(), 1U);
  EXPECT_EQ(dns.servers()[0], IpAddress(v6("2001:db8:1::53")));
  EXPECT_EQ(dns.source(), ServerSource::RouterAdvertisement);
  net.sim.run_for(Duration::seconds(21));
  EXPECT_TRUE(net.a.learned_dns_servers().servers().empty());
}
#else
// ESP-IDF's default (0): RDNSS options are ignored, nothing is published.
TEST(RouterDiscoverySim, RdnssIsIgnoredWhenOff) {
  Router net;
  Ra ra;
  ra.rdnss = {v6("2001:db8:1::53")};
  ra.rdnss_lifetime = 20;
  net.advertise(ra);
  EXPECT_TRUE(net.a.learned_dns_servers().servers().empty());
}
#endif

TEST(RouterDiscoverySim, OtherFlagRaisesTheCallback) {
  Router net;
  std::vector<bool> other_seen;
  net.a.set_router_advertisement_callback(
      [](void* c, NetifId) { static_cast<std::vector<bool>*>(c)->push_back(true); }, &other_seen);
  net.advertise(Ra{});
  EXPECT_EQ(other_seen.size(), 1U);  // the first RA
  net.advertise(Ra{});
  EXPECT_EQ(other_seen.size(), 1U);  // nothing changed
  Ra with_o;
  with_o.other = true;
  net.advertise(with_o);
  EXPECT_EQ(other_seen.size(), 2U);
  EXPECT_TRUE(net.a.router_advertisement(net.a_if).other);
  EXPECT_FALSE(net.a.router_advertisement(net.a_if).managed);
}

#if CONFIG_LWIP_IPV6_ND6_ROUTE_INFO_OPTION_SUPPORT
TEST(RouterDiscoverySim, RouteInformationSteersItsPrefixToItsRouter) {
  Router net;
  constexpr MacAddress second_mac{{0x02, 0, 0, 0, 0, 0x22}};
  net.advertise(Ra{});  // fe80::1: the default router
  Ra second;
  second.source = v6("fe80::2");
  second.source_mac = second_mac;
  second.router_lifetime = 0;  // not a default router
  NdiscRouteInformation route;
  route.prefix = v6("2001:db8:77::");
  route.prefix_len = 48;
  route.lifetime = 600;
  second.routes.push_back(route);
  net.advertise(second);
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  net.advertise(ra);
  net.sim.run_for(Duration::millis(1100));
  (void)net.received();
  PingHandle ping = *net.a.ping_open(5);
  ASSERT_OK(net.a.ping_send(ping, v6("2001:db8:77:1::1"), 1, {}, 0, net.sim.now()));
  ASSERT_OK(net.a.ping_send(ping, v6("2001:db8:99::1"), 2, {}, 0, net.sim.now()));
  net.sim.settle();
  std::vector<ByteVector> frames = net.received();
  std::erase_if(frames, [](const ByteVector& f) { return icmpv6_type_of(f) != 128; });
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frame_destination_mac(frames[0]), second_mac);
  EXPECT_EQ(frame_destination_mac(frames[1]), mac_peer);
  net.a.ping_close(ping);
}
#endif

TEST(RouterDiscoverySim, BadAdvertisementsAreDroppedAndCounted) {
  Router net;
  Ra global_source;
  global_source.source = v6("2001:db8:1::1");
  net.advertise(global_source);
  Ra hop_limit;
  hop_limit.ip_hop_limit = 254;
  net.advertise(hop_limit);
  Ra zero_length_option;
  zero_length_option.raw_options = hex("03 00 00 00 00 00 00 00");
  net.advertise(zero_length_option);
  Ra truncated_option;
  truncated_option.raw_options = hex("19 03 00 00");
  net.advertise(truncated_option);
  EXPECT_EQ(net.a.stats().nd.drop_malformed, 4U);
  EXPECT_EQ(net.a.stats().nd.rx_router_advertisement, 0U);
  EXPECT_EQ(router_count(net.a), 0U);
  EXPECT_FALSE(net.a.router_advertisement(net.a_if).received);
}

TEST(RouterDiscoverySim, TinyAndHugeLifetimesAndBadOptionsNeverBreakTheStack) {
  Router net;
  Ra ra;
  ra.router_lifetime = 0xffff;
  ra.mtu = 1000;  // below IPv6's minimum: ignored
  ra.prefixes.push_back(prefix_info(prefix_1, 0xfffffffe, 0xfffffffe));
  ra.prefixes.push_back(prefix_info(v6("2001:db8:2::"), 1, 1));
  ra.prefixes.push_back(prefix_info(v6("2001:db8:3::"), 10, 20));  // preferred > valid
  ra.prefixes.push_back(prefix_info(v6("fe80::"), 100, 100));      // link-local: ignored
  net.advertise(ra);
  Ra huge_mtu;
  huge_mtu.mtu = 65535;  // above the link's: ignored
  net.advertise(huge_mtu);
  EXPECT_EQ(net.a.netif_info(net.a_if)->mtu, 1500U);
  EXPECT_GE(net.a.stats().nd.ra_option_ignored, 4U);
  net.sim.run_for(Duration::seconds(5));
  EXPECT_EQ(net.state(slaac_a), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.state(v6("2001:db8:2::ff:fe00:a")), Ipv6AddressState::Invalid);
  EXPECT_EQ(net.state(v6("2001:db8:3::ff:fe00:a")), Ipv6AddressState::Invalid);
  EXPECT_EQ(router_count(net.a), 1U);
}

TEST(RouterDiscoverySim, FullTablesAreCounted) {
  Router net;
  for (std::uint8_t i = 1; i <= config::ipv6_nd6_num_routers + 1; ++i) {
    Ra ra;
    ra.source = router_ll;
    ra.source.octets[15] = i;
    ra.source_mac.octets[5] = i;
    net.advertise(ra);
  }
  EXPECT_EQ(router_count(net.a), config::ipv6_nd6_num_routers);
  EXPECT_EQ(net.a.stats().nd.drop_router_table_full, 1U);
  // SLAAC: one slot is the link-local address; the others fill up.
  Ra many;
  for (std::uint8_t i = 0; i < config::ipv6_num_addresses; ++i) {
    Ipv6Address prefix = prefix_1;
    prefix.octets[5] = static_cast<std::uint8_t>(0x10 + i);
    many.prefixes.push_back(prefix_info(prefix, 600, 600));
  }
  net.advertise(many);
  EXPECT_EQ(net.a.stats().nd.slaac_table_full, 1U);
}

// RFC 4861 6.3.6: with no router known reachable, routers are tried in
// turn. The first router (fe80::1, its RA without a source link-layer
// address) never answers a solicitation; the second (fe80::2) does. Once
// resolving the first failed, traffic goes to the second's MAC (before,
// the first was chosen for its whole lifetime and every packet dropped).
TEST(RouterDiscoverySim, ADeadRouterIsPassedOverForALiveOne) {
  static_assert(config::ipv6_nd6_num_routers >= 2);
  Router net;
  constexpr MacAddress second_mac{{0x02, 0, 0, 0, 0, 0x22}};
  const Ipv6Address second_ll = v6("fe80::2");
  Ra dead;
  dead.source_link_address = false;
  dead.prefixes.push_back(prefix_info(prefix_1, 86400, 14400));
  net.advertise(dead);
  Ra live;
  live.source = second_ll;
  live.source_mac = second_mac;
  live.source_link_address = false;
  net.advertise(live);
  net.sim.run_for(Duration::millis(1100));
  ASSERT_EQ(router_count(net.a), 2U);
  (void)net.received();
  PingHandle ping = *net.a.ping_open(5);
  const Ipv6Address far = v6("2001:db8:99::7");
  std::vector<Ipv6Address> solicited;
  std::vector<MacAddress> echo_to;
  for (std::uint16_t sequence = 1; sequence <= 8; ++sequence) {
    EXPECT_OK(net.a.ping_send(ping, far, sequence, {}, 0, net.sim.now()));
    net.sim.run_for(Duration::seconds(1));
    for (const ByteVector& f : net.received()) {
      if (icmpv6_type_of(f) == 128) echo_to.push_back(frame_destination_mac(f));
      if (icmpv6_type_of(f) != 135) continue;
      const Ipv6Address target = Ipv6Address::from_bytes(ConstBytes(f).subspan(14 + 40 + 8, 16));
      solicited.push_back(target);
      if (!(target == second_ll)) continue;
      NdiscRepr na;
      na.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement);
      na.target = second_ll;
      na.solicited = true;
      na.override = true;
      na.router = true;
      const std::size_t fixed = NdiscRepr::fixed_len(na.type);
      ByteVector message(fixed + NdiscOptionWriter::link_layer_address_len);
      NdiscOptionWriter writer(Bytes(message).subspan(fixed));
      EXPECT_OK(writer.link_layer_address(NdiscOptionType::TargetLinkLayerAddress, second_mac));
      const Ipv6Address to = Ipv6Address::from_bytes(ConstBytes(f).subspan(14 + 8, 16));
      na.emit(message, second_ll, to);
      Ipv6Repr ip;
      ip.source = second_ll;
      ip.destination = to;
      ip.next_header = ipv6_next_header::icmpv6;
      ip.hop_limit = 255;
      ip.payload_len = message.size();
      ByteVector packet(Ipv6Repr::header_len);
      ip.emit(packet);
      packet.insert(packet.end(), message.begin(), message.end());
      net.inject(ethernet_frame(mac_a, second_mac, ipv6_type, packet));
      net.sim.settle();
    }
  }
  // Three solicitations for the dead router (RFC 4861 7.3.3's
  // MAX_MULTICAST_SOLICIT), then the live one, which answers.
  ASSERT_GE(solicited.size(), 4U);
  EXPECT_EQ(std::count(solicited.begin(), solicited.end(), router_ll), 3);
  EXPECT_EQ(solicited.back(), second_ll);
  // Every echo request that left went to the live router, the ones sent
  // after the first router failed included.
  ASSERT_GE(echo_to.size(), 4U);
  for (const MacAddress& mac : echo_to) EXPECT_EQ(mac, second_mac);
  net.a.ping_close(ping);
}

// RFC 4861 6.3.4: an RA's MTU may lower the netif's MTU, never raise it
// above the one the netif was given (set_mtu, NetifConfig::mtu), which the
// device and the frame buffers bound: a larger one is ignored and counted.
TEST(RouterDiscoverySim, AnAdvertisedMtuNeverRaisesTheConfiguredOne) {
  Router net;
  ASSERT_OK(net.a.set_mtu(net.a_if, 1400));
  const auto advertise_mtu = [&](std::uint32_t mtu) {
    Ra ra;
    ra.mtu = mtu;
    net.advertise(ra);
    return net.a.netif_info(net.a_if)->mtu;
  };
  EXPECT_EQ(advertise_mtu(1500), 1400U);
  EXPECT_EQ(net.a.stats().nd.ra_option_ignored, 1U);
  EXPECT_EQ(advertise_mtu(1300), 1300U);
  EXPECT_EQ(advertise_mtu(1400), 1400U);  // back up, to the configured MTU
  EXPECT_EQ(advertise_mtu(1401), 1400U);
  EXPECT_EQ(net.a.stats().nd.ra_option_ignored, 2U);
}

// An address whose valid lifetime ran out leaves its solicited-node group,
// as a removed one does: here the link-local address shares the group
// (ff02::1:ff00:a), so once that is removed too, the group must be gone
// (a reference the expired address kept would hold it for ever).
TEST(RouterDiscoverySim, AnExpiredAddressLeavesItsSolicitedNodeGroup) {
  Router net;
  const IpAddress solicited_node(v6("ff02::1:ff00:a"));
  Ra ra;
  ra.prefixes.push_back(prefix_info(prefix_1, 30, 10));
  net.advertise(ra);
  net.sim.run_for(Duration::seconds(31));
  ASSERT_EQ(net.state(slaac_a), Ipv6AddressState::Invalid);
  EXPECT_TRUE(net.a.mld_is_member(net.a_if, solicited_node));
  ASSERT_OK(net.a.remove_ipv6_address(net.a_if, IpAddress(v6("fe80::ff:fe00:a")), net.sim.now()));
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, solicited_node));
}

}  // namespace
}  // namespace lwnet::test::router_discovery_test
