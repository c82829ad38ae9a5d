// Neighbor Discovery as a host (RFC 4861): stack A facing a scripted router
// and neighbor (the test, at mac_peer) over a pipe, in virtual time. The
// neighbor timing an RA sets (6.3.4): Retrans Timer spaces address
// resolution's and DAD's solicitations; Reachable Time, drawn between 0.5
// and 1.5 times the RA's base, ends a confirmation's Reachable state;
// out-of-range values are ignored and counted, tiny ones raised to a
// floor. The IsRouter flag (7.2.5): a router whose NA says it is one no
// more leaves the default router list; our own NAs say we are a host.
// Enhanced DAD (RFC 7527): every probe carries a nonce, and our own probe
// sent back by the link does not make us give the address up. DAD is per
// address: one added during another's DAD leaves that one's attempt alone,
// while the link coming back starts every tentative address's DAD over.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/ndisc.h"

namespace lwnet::test::neighbor_discovery_test {
namespace {

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address router_ll = v6("fe80::1");
const Ipv6Address neighbor_ll = v6("fe80::2");
const Ipv6Address nobody_ll = v6("fe80::99");
const Ipv6Address link_local_a = v6("fe80::ff:fe00:a");
const Ipv6Address all_nodes = v6("ff02::1");

// An ICMPv6 ND message from `source` in an Ethernet frame to `mac`.
ByteVector nd_frame(NdiscRepr r, const Ipv6Address& source, const Ipv6Address& destination,
                    const MacAddress& mac, NdiscOptionType option) {
  const std::size_t fixed = NdiscRepr::fixed_len(r.type);
  ByteVector message(fixed + NdiscOptionWriter::link_layer_address_len);
  NdiscOptionWriter writer(Bytes(message).subspan(fixed));
  EXPECT_OK(writer.link_layer_address(option, mac_peer));
  r.emit(message, source, destination);
  Ipv6Repr ip;
  ip.source = source;
  ip.destination = destination;
  ip.next_header = ipv6_next_header::icmpv6;
  ip.hop_limit = 255;
  ip.payload_len = message.size();
  ByteVector packet(Ipv6Repr::header_len);
  ip.emit(packet);
  packet.insert(packet.end(), message.begin(), message.end());
  return ethernet_frame(mac, mac_peer, ipv6_type, packet);
}

ByteVector ra_frame(std::uint32_t reachable_time_ms, std::uint32_t retrans_timer_ms) {
  NdiscRepr r;
  r.type = static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement);
  r.router_lifetime = 1800;
  r.reachable_time = reachable_time_ms;
  r.retrans_timer = retrans_timer_ms;
  return nd_frame(r, router_ll, all_nodes, MacAddress{{0x33, 0x33, 0, 0, 0, 1}},
                  NdiscOptionType::SourceLinkLayerAddress);
}

// The neighbor's answer for `target`: solicited and override unless told
// otherwise, R clear (a host) unless told otherwise.
ByteVector na_frame(const Ipv6Address& target, bool solicited = true, bool override = true,
                    bool router = false) {
  NdiscRepr r;
  r.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement);
  r.target = target;
  r.solicited = solicited;
  r.override = override;
  r.router = router;
  return nd_frame(r, target, link_local_a, mac_a, NdiscOptionType::TargetLinkLayerAddress);
}

std::size_t router_count(const Stack& s) {
  std::size_t n = 0;
  for (const auto& r : s.router_list().routers()) n += r.has_value() ? 1U : 0U;
  return n;
}

// A with its link-local address through DAD, pinging as the test asks.
struct NdTimers : HostAndPeer {
  NdTimers() {
    sim.run_for(Duration::millis(1100));
    ping = *a.ping_open(77);
  }
  ~NdTimers() { a.ping_close(ping); }
  void advertise(std::uint32_t reachable_time_ms, std::uint32_t retrans_timer_ms) {
    inject(ra_frame(reachable_time_ms, retrans_timer_ms));
    sim.settle();
  }
  void ping_to(const Ipv6Address& to) {
    EXPECT_OK(a.ping_send(ping, IpAddress(to), sequence++, {}, 0, sim.now()));
    sim.settle();
  }
  // When A sent neighbor solicitations for `target` (multicast or unicast).
  std::vector<Instant> solicitations_for(const Ipv6Address& target) const {
    std::vector<Instant> at;
    for (const FrameLog::Frame& f : log.with_ethertype(ipv6_type, 0)) {
      if (f.bytes.size() < 14 + 40 + 24 || f.bytes[14 + 6] != 58 || f.bytes[14 + 40] != 135) continue;
      Ipv6Address t;
      std::copy_n(f.bytes.begin() + 14 + 40 + 8, 16, t.octets.begin());
      if (t == target) at.push_back(f.at);
    }
    return at;
  }
  Ipv6AddressState state_of(const Ipv6Address& address) const {
    const auto slots = a.ipv6_addresses(a_if);
    for (const Ipv6NetifAddress& s : *slots) {
      if (s.state != Ipv6AddressState::Invalid && s.address == address) return s.state;
    }
    return Ipv6AddressState::Invalid;
  }
  // The neighbor solicitations A sent for `target`, whole frames.
  std::vector<ByteVector> solicitation_frames_for(const Ipv6Address& target) const {
    std::vector<ByteVector> frames;
    for (const FrameLog::Frame& f : log.with_ethertype(ipv6_type, 0)) {
      if (f.bytes.size() < 14 + 40 + 24 || f.bytes[14 + 6] != 58 || f.bytes[14 + 40] != 135) continue;
      if (std::equal(target.octets.begin(), target.octets.end(), f.bytes.begin() + 14 + 40 + 8)) {
        frames.push_back(f.bytes);
      }
    }
    return frames;
  }
  // Adds `address` and runs until just after DAD's probe; the probe's time.
  Instant start_dad(const Ipv6Address& address) {
    EXPECT_OK(a.add_ipv6_address(a_if, IpCidr{address, 64}, sim.now()));
    sim.settle();
    const std::vector<Instant> probes = solicitations_for(address);
    EXPECT_EQ(probes.size(), 1U);
    return probes.empty() ? sim.now() : probes[0];
  }

  PingHandle ping{};
  std::uint16_t sequence = 1;
};

TEST(NdTimersSim, RetransTimerSpacesResolutionAndDad) {
  NdTimers net;
  net.advertise(0, 250);
  net.log.clear();
  net.ping_to(nobody_ll);
  net.sim.run_for(Duration::seconds(3));
  // Three multicast solicitations 250 ms apart, then the entry is given up
  // 250 ms after the last (the host constant would be 1 s each).
  const std::vector<Instant> sent = net.solicitations_for(nobody_ll);
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[1] - sent[0], Duration::millis(250));
  EXPECT_EQ(sent[2] - sent[1], Duration::millis(250));
  EXPECT_EQ(net.a.stats().nd.drop_unresolved, 1U);

  // DAD waits RetransTimer after its probe (RFC 4862 5.4).
  const Ipv6Address global = v6("2001:db8::5");
  const Instant probe = net.start_dad(global);
  net.sim.run_until(probe + Duration::millis(249));
  EXPECT_EQ(net.state_of(global), Ipv6AddressState::Tentative);
  net.sim.run_for(Duration::millis(2));
  EXPECT_EQ(net.state_of(global), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.a.stats().nd.ra_option_ignored, 0U);
}

// Resolves the neighbor at once (its NA answers the first solicitation);
// returns when it became Reachable.
Instant resolve_neighbor(NdTimers& net) {
  net.ping_to(neighbor_ll);
  EXPECT_EQ(net.solicitations_for(neighbor_ll).size(), 1U);
  net.inject(na_frame(neighbor_ll));
  net.sim.settle();
  EXPECT_EQ(net.a.nd_lookup(net.a_if, IpAddress(neighbor_ll)), mac_peer);
  return net.sim.now();
}

// Pings the neighbor at `reachable_at + before` (still Reachable: nothing
// follows) and at `reachable_at + after` (Stale by then: Delay, and a
// unicast probe 5 s later, RFC 4861 7.3.3); the probes A sent after the
// first resolution.
std::vector<Instant> probes_after_pings(NdTimers& net, Instant reachable_at, Duration before, Duration after) {
  net.log.clear();
  net.sim.run_until(reachable_at + before);
  net.ping_to(neighbor_ll);
  net.sim.run_until(reachable_at + after);
  net.ping_to(neighbor_ll);
  net.sim.run_for(Duration::millis(5100));
  return net.solicitations_for(neighbor_ll);
}

TEST(NdTimersSim, ReachableTimeIsDrawnAroundTheAdvertisedBase) {
  NdTimers net;
  net.advertise(4000, 0);  // ReachableTime in [2 s, 6 s]
  const Instant reachable_at = resolve_neighbor(net);
  const Instant second_ping = reachable_at + Duration::millis(6100);
  const std::vector<Instant> probes =
      probes_after_pings(net, reachable_at, Duration::millis(1900), Duration::millis(6100));
  // Only the second ping found the entry Stale: one unicast probe, 5 s on.
  ASSERT_EQ(probes.size(), 1U);
  EXPECT_EQ(probes[0], second_ping + Duration::seconds(5));
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (f.at == probes[0] && f.bytes[14 + 40] == 135) {
      EXPECT_EQ(frame_destination_mac(f.bytes), mac_peer);  // unicast, to the cached MAC
    }
  }
}

// RFC 4861 6.3.4: ReachableTime is drawn again every two hours even when
// no RA changes its base (an RA repeating the base keeps the draw), and
// the neighbor cache uses the new draw.
TEST(NdTimersSim, ReachableTimeIsDrawnAgainEveryTwoHours) {
  NdTimers net;
  net.advertise(4000, 0);
  const Instant first_draw = net.sim.now();
  const auto drawn = [&] { return net.a.router_advertisement(net.a_if).drawn_reachable_time_ms; };
  std::vector<std::uint32_t> draws{drawn()};
  net.advertise(4000, 0);
  EXPECT_EQ(drawn(), draws[0]);
  const Duration redraw = Duration::seconds(2 * 3600);
  for (int i = 1; i <= 3; ++i) {
    net.sim.run_until(first_draw + redraw * i - Duration::millis(1));
    EXPECT_EQ(drawn(), draws.back());
    net.sim.run_until(first_draw + redraw * i);
    draws.push_back(drawn());
  }
  for (const std::uint32_t d : draws) {
    EXPECT_GE(d, 2000U);
    EXPECT_LE(d, 6000U);
  }
  std::sort(draws.begin(), draws.end());
  EXPECT_EQ(std::unique(draws.begin(), draws.end()), draws.end());  // four different draws

  // A neighbor confirmed now stays Reachable for the last draw exactly.
  const std::uint32_t last = drawn();
  (void)net.received();  // hours of MLD reports fill the pipe
  const Instant reachable_at = resolve_neighbor(net);
  const std::vector<Instant> probes = probes_after_pings(net, reachable_at, Duration::millis(last - 1),
                                                         Duration::millis(last + 1));
  ASSERT_EQ(probes.size(), 1U);
  EXPECT_EQ(probes[0], reachable_at + Duration::millis(last + 1) + Duration::seconds(5));
}

TEST(NdTimersSim, WithoutAnRaReachableTimeStaysThirtySeconds) {
  NdTimers net;
  const Instant reachable_at = resolve_neighbor(net);
  // The same pings: both find the entry Reachable, nothing is probed.
  EXPECT_TRUE(probes_after_pings(net, reachable_at, Duration::millis(1900), Duration::millis(6100)).empty());
  // Until 30 s: then Stale, and the next ping probes.
  net.sim.run_until(reachable_at + Duration::millis(30001));
  net.ping_to(neighbor_ll);
  net.sim.run_for(Duration::millis(5100));
  EXPECT_EQ(net.solicitations_for(neighbor_ll).size(), 1U);
}

TEST(NdTimersSim, TimersAboveAnHourAreIgnoredAndTinyOnesRaised) {
  NdTimers net;
  net.advertise(3600001, 0xffffffffU);
  EXPECT_EQ(net.a.stats().nd.ra_option_ignored, 1U);
  // Still the host constant: DAD takes 1 s.
  const Ipv6Address global = v6("2001:db8::6");
  const Instant probe = net.start_dad(global);
  net.sim.run_until(probe + Duration::millis(999));
  EXPECT_EQ(net.state_of(global), Ipv6AddressState::Tentative);
  net.sim.run_for(Duration::millis(2));
  EXPECT_EQ(net.state_of(global), Ipv6AddressState::Preferred);

  // 1 ms between solicitations becomes 10 ms.
  net.advertise(0, 1);
  net.log.clear();
  net.ping_to(nobody_ll);
  net.sim.run_for(Duration::seconds(1));
  const std::vector<Instant> sent = net.solicitations_for(nobody_ll);
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[1] - sent[0], Duration::millis(10));
  EXPECT_EQ(sent[2] - sent[1], Duration::millis(10));
}

TEST(NdRouterFlagSim, ARouterWhoseAdvertisementDropsTheRFlagLeavesTheDefaultRouterList) {
  NdTimers net;
  net.advertise(0, 0);
  ASSERT_EQ(router_count(net.a), 1U);
  // Still a router: nothing changes.
  net.inject(na_frame(router_ll, false, false, true));
  net.sim.settle();
  EXPECT_EQ(router_count(net.a), 1U);
  // R clear: a host now (RFC 4861 7.2.5).
  net.inject(na_frame(router_ll, false, false, false));
  net.sim.settle();
  EXPECT_EQ(router_count(net.a), 0U);
  EXPECT_EQ(net.a.nd_lookup(net.a_if, IpAddress(router_ll)), mac_peer);  // still a neighbor
  // A host's NA about itself leaves the list alone (it was never in it).
  resolve_neighbor(net);
  net.inject(na_frame(neighbor_ll, false, false, false));
  net.sim.settle();
  EXPECT_EQ(router_count(net.a), 0U);
}

TEST(NdRouterFlagSim, OurAdvertisementsSayWeAreAHost) {
  NdTimers net;
  NdiscRepr ns;
  ns.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborSolicitation);
  ns.target = link_local_a;
  const Ipv6Address solicited_node = v6("ff02::1:ff00:a");
  net.log.clear();
  net.inject(nd_frame(ns, neighbor_ll, solicited_node, MacAddress{{0x33, 0x33, 0xff, 0x00, 0x00, 0x0a}},
                      NdiscOptionType::SourceLinkLayerAddress));
  net.sim.settle();
  std::size_t answers = 0;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (f.bytes.size() < 14 + 40 + 8 || f.bytes[14 + 6] != 58 || f.bytes[14 + 40] != 136) continue;
    ++answers;
    // R clear, S and O set (CONFIG_LWIP_FORCE_ROUTER_FORWARDING off).
    EXPECT_EQ(f.bytes[14 + 40 + 4], config::force_router_forwarding ? 0xe0 : 0x60);
    EXPECT_EQ(frame_destination_mac(f.bytes), mac_peer);
  }
  EXPECT_EQ(answers, 1U);
}

// RFC 4861 7.1.2: a peer drops Neighbor Discovery with a hop limit under
// 255. A router's Cur Hop Limit replaces only the default hop limit, even
// when the default is 255 itself (CONFIG_LWIP_IP_DEFAULT_TTL=255, as the
// IPv6-only check builds the core): the NA answering a unicast NS and the
// NS of address resolution keep 255; an echo request (the default) takes
// the RA's 64.
TEST(NdHopLimitSim, NeighborDiscoveryKeeps255AfterAnAdvertisedCurHopLimit) {
  NdTimers net;
  NdiscRepr ra;
  ra.type = static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement);
  ra.router_lifetime = 1800;
  ra.current_hop_limit = 64;
  net.inject(nd_frame(ra, router_ll, all_nodes, MacAddress{{0x33, 0x33, 0, 0, 0, 1}},
                      NdiscOptionType::SourceLinkLayerAddress));
  net.sim.settle();
  ASSERT_EQ(net.a.router_advertisement(net.a_if).current_hop_limit, 64);
  NdiscRepr ns;
  ns.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborSolicitation);
  ns.target = link_local_a;
  net.log.clear();
  net.inject(nd_frame(ns, neighbor_ll, link_local_a, mac_a, NdiscOptionType::SourceLinkLayerAddress));
  net.sim.settle();
  net.ping_to(nobody_ll);
  std::vector<std::pair<std::uint8_t, std::uint8_t>> type_and_hop_limit;
  for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, 0)) {
    if (f.bytes.size() < 14 + 40 + 8 || f.bytes[14 + 6] != 58) continue;
    type_and_hop_limit.emplace_back(f.bytes[14 + 40], f.bytes[14 + 7]);
  }
  const std::vector<std::pair<std::uint8_t, std::uint8_t>> expected{{136, 255}, {135, 255}};
  EXPECT_EQ(type_and_hop_limit, expected);
  // The echo request waits for nobody_ll's MAC: once it is known, it leaves
  // with the advertised hop limit.
  net.inject(na_frame(nobody_ll));
  net.sim.settle();
  const std::vector<FrameLog::Frame> frames = net.log.with_ethertype(ipv6_type, 0);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().bytes[14 + 40], 128);
  EXPECT_EQ(frames.back().bytes[14 + 7], 64);
}

// A tentative address another host claims is never ours, nor its share of
// the solicited-node group: the group is left when DAD fails, and removing
// the duplicated address later leaves nothing a second time (another
// address in the same group keeps it).
TEST(NdTimersSim, AFailedDadLeavesTheSolicitedNodeGroupOnce) {
  NdTimers net;
  const Ipv6Address address = v6("2001:db8:5::1");
  const IpAddress solicited_node(v6("ff02::1:ff00:1"));
  net.start_dad(address);
  ASSERT_TRUE(net.a.mld_is_member(net.a_if, solicited_node));
  net.inject(na_frame(address));
  net.sim.settle();
  ASSERT_EQ(net.state_of(address), Ipv6AddressState::Duplicated);
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, solicited_node));
  const Ipv6Address sharing = v6("2001:db8:6::1");
  ASSERT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{sharing, 64}, net.sim.now()));
  ASSERT_OK(net.a.remove_ipv6_address(net.a_if, IpAddress(address), net.sim.now()));
  EXPECT_TRUE(net.a.mld_is_member(net.a_if, solicited_node));
  ASSERT_OK(net.a.remove_ipv6_address(net.a_if, IpAddress(sharing), net.sim.now()));
  EXPECT_FALSE(net.a.mld_is_member(net.a_if, solicited_node));
}

// ---- Enhanced DAD (RFC 7527) ----------------------------------------------

constexpr std::size_t ns_at = 14 + 40;              // the NS in a frame
constexpr std::size_t nonce_at = ns_at + 24 + 2;     // its nonce, behind the option's type and length

// `probe` with the ICMPv6 checksum made right again for its bytes.
ByteVector with_checksum(ByteVector probe) {
  const Ipv6Address group = Ipv6Address::from_bytes(ConstBytes(probe).subspan(14 + 24, 16));
  icmpv6_fill_checksum(Bytes(probe).subspan(ns_at), Ipv6Address{}, group);
  return probe;
}

TEST(NdTimersSim, ADadProbeCarriesANonceOfItsOwn) {
  NdTimers net;
  const Ipv6Address address = v6("2001:db8:5::1");
  net.start_dad(address);
  const std::vector<ByteVector> probes = net.solicitation_frames_for(address);
  ASSERT_EQ(probes.size(), 1U);
  const ByteVector& probe = probes[0];
  ASSERT_EQ(probe.size(), ns_at + 32);
  // From ::, to the solicited-node group, hop limit 255 (RFC 4862 5.4.2);
  // no link-layer address but a Nonce option, length 1 (RFC 7527 4.1).
  // The checksum and the six random bytes are taken from the frame, then
  // proven: the checksum over the pseudo-header, the nonce by differing
  // from the next attempt's.
  ByteVector expected = hex(
      "33 33 ff 00 00 01 02 00 00 00 00 0a 86 dd"
      "60 00 00 00 00 20 3a ff"
      "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      "ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 01"
      "87 00 00 00 00 00 00 00"
      "20 01 0d b8 00 05 00 00 00 00 00 00 00 00 00 01"
      "0e 01 00 00 00 00 00 00");
  std::copy_n(probe.begin() + ns_at + 2, 2, expected.begin() + ns_at + 2);
  std::copy_n(probe.begin() + nonce_at, 6, expected.begin() + nonce_at);
  EXPECT_EQ(to_hex(probe), to_hex(expected));
  EXPECT_TRUE(icmpv6_checksum_ok(ConstBytes(probe).subspan(ns_at), Ipv6Address{}, v6("ff02::1:ff00:1")));
  const ByteVector nonce(probe.begin() + nonce_at, probe.end());
  EXPECT_NE(nonce, ByteVector(6, 0));

  // Another address, another attempt: another nonce.
  const Ipv6Address second = v6("2001:db8:6::2");
  net.start_dad(second);
  const std::vector<ByteVector> others = net.solicitation_frames_for(second);
  ASSERT_EQ(others.size(), 1U);
  ASSERT_EQ(others[0].size(), ns_at + 32);
  EXPECT_EQ(others[0][ns_at + 24], 14);
  EXPECT_NE(ByteVector(others[0].begin() + nonce_at, others[0].end()), nonce);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// A link that sends multicast back to its sender (a bridge, a Wi-Fi access
// point, a looped TAP) returns our own probe: its nonce shows it is ours
// (RFC 7527 4.2), it is counted and DAD goes on to make the address
// preferred. Nothing is sent in answer.
TEST(NdTimersSim, OurOwnProbeSentBackByTheLinkDoesNotFailDad) {
  NdTimers net;
  const Ipv6Address address = v6("2001:db8:5::1");
  const Instant probe_at = net.start_dad(address);
  const std::vector<ByteVector> probes = net.solicitation_frames_for(address);
  ASSERT_EQ(probes.size(), 1U);
  (void)net.received();
  net.inject(probes[0]);  // verbatim, A's own MAC as its source
  net.sim.settle();
  EXPECT_EQ(net.a.stats().nd.dad_looped, 1U);
  EXPECT_EQ(net.a.stats().nd.dad_duplicates, 0U);
  EXPECT_EQ(net.state_of(address), Ipv6AddressState::Tentative);
  net.sim.run_until(probe_at + Duration::millis(1001));
  EXPECT_EQ(net.state_of(address), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.a.stats().nd.tx_advertisement, 0U);
  for (const ByteVector& f : net.received()) {
    EXPECT_FALSE(frame_ethertype(f) == ipv6_type && f.size() > ns_at && f[14 + 6] == 58 && f[ns_at] == 136);
  }
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// Another host's probe for the address: with another nonce, or with none
// (a node without RFC 7527), DAD fails as RFC 4862 5.4.3 says.
TEST(NdTimersSim, AProbeWithAnotherNonceFailsDad) {
  NdTimers net;
  const Ipv6Address address = v6("2001:db8:5::1");
  net.start_dad(address);
  const std::vector<ByteVector> probes = net.solicitation_frames_for(address);
  ASSERT_EQ(probes.size(), 1U);
  ASSERT_EQ(probes[0].size(), ns_at + 32);
  ByteVector other = probes[0];
  other[nonce_at + 5] ^= 0x01;
  std::copy(mac_peer.octets.begin(), mac_peer.octets.end(), other.begin() + 6);
  net.inject(with_checksum(other));
  net.sim.settle();
  EXPECT_EQ(net.state_of(address), Ipv6AddressState::Duplicated);
  EXPECT_EQ(net.a.stats().nd.dad_duplicates, 1U);
  EXPECT_EQ(net.a.stats().nd.dad_looped, 0U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(NdTimersSim, AProbeWithoutANonceFailsDad) {
  NdTimers net;
  const Ipv6Address address = v6("2001:db8:5::1");
  net.start_dad(address);
  const std::vector<ByteVector> probes = net.solicitation_frames_for(address);
  ASSERT_EQ(probes.size(), 1U);
  ByteVector bare(probes[0].begin(), probes[0].begin() + ns_at + 24);
  bare[14 + 5] = 24;  // payload length: the NS alone
  std::copy(mac_peer.octets.begin(), mac_peer.octets.end(), bare.begin() + 6);
  net.inject(with_checksum(bare));
  net.sim.settle();
  EXPECT_EQ(net.state_of(address), Ipv6AddressState::Duplicated);
  EXPECT_EQ(net.a.stats().nd.dad_duplicates, 1U);
  EXPECT_EQ(net.a.stats().nd.dad_looped, 0U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// An address added while another is half-way through DAD runs a DAD of its
// own and leaves the other's alone: its probe count, its schedule and its
// nonce (RFC 4862 5.4 starts DAD for the address being assigned). Restarted,
// the other would probe again, become preferred late and, with a fresh
// nonce, take its own earlier probe sent back by the link for another
// host's (RFC 7527).
TEST(NdTimersSim, AnAddressAddedDuringAnothersDadLeavesItsDadAlone) {
  NdTimers net;
  const Ipv6Address first = v6("2001:db8:5::1");
  const Ipv6Address second = v6("2001:db8:6::2");
  const Instant first_probe = net.start_dad(first);
  net.sim.run_until(first_probe + Duration::millis(400));
  ASSERT_EQ(net.state_of(first), Ipv6AddressState::Tentative);
  const Instant second_added = net.sim.now();
  ASSERT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{second, 64}, second_added));
  net.sim.settle();
  const std::vector<ByteVector> first_frames = net.solicitation_frames_for(first);
  ASSERT_FALSE(first_frames.empty());
  EXPECT_EQ(first_frames.size(), 1U);
  net.inject(first_frames[0]);  // the first probe, back from the link late
  net.sim.settle();
  EXPECT_EQ(net.a.stats().nd.dad_looped, 1U);
  EXPECT_EQ(net.a.stats().nd.dad_duplicates, 0U);

  net.sim.run_until(first_probe + Duration::millis(999));
  EXPECT_EQ(net.state_of(first), Ipv6AddressState::Tentative);
  net.sim.run_until(first_probe + Duration::millis(1001));
  EXPECT_EQ(net.state_of(first), Ipv6AddressState::Preferred);

  const std::vector<Instant> second_probes = net.solicitations_for(second);
  ASSERT_EQ(second_probes.size(), 1U);
  EXPECT_EQ(second_probes[0], second_added);
  net.sim.run_until(second_probes[0] + Duration::millis(999));
  EXPECT_EQ(net.state_of(second), Ipv6AddressState::Tentative);
  net.sim.run_until(second_probes[0] + Duration::millis(1001));
  EXPECT_EQ(net.state_of(second), Ipv6AddressState::Preferred);

  net.sim.run_for(Duration::seconds(3));
  EXPECT_EQ(net.solicitations_for(first), std::vector<Instant>{first_probe});
  EXPECT_EQ(net.solicitations_for(second), std::vector<Instant>{second_probes[0]});
  EXPECT_EQ(net.a.stats().nd.dad_duplicates, 0U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// The link coming back is another matter: every tentative address starts
// DAD over (RFC 4862 5.4, an interface reinitialized), with a new nonce,
// and is preferred RetransTimer after its new probe.
TEST(NdTimersSim, TheLinkComingBackRestartsDadOfATentativeAddress) {
  NdTimers net;
  const Ipv6Address address = v6("2001:db8:5::1");
  const Instant first_probe = net.start_dad(address);
  net.sim.run_until(first_probe + Duration::millis(400));
  ASSERT_OK(net.a.set_link_up(net.a_if, false, net.sim.now()));
  net.sim.run_until(first_probe + Duration::millis(600));
  const Instant back = net.sim.now();
  ASSERT_OK(net.a.set_link_up(net.a_if, true, back));
  net.sim.settle();
  const std::vector<Instant> probes = net.solicitations_for(address);
  ASSERT_EQ(probes.size(), 2U);
  EXPECT_EQ(probes[1], back);
  const std::vector<ByteVector> frames = net.solicitation_frames_for(address);
  ASSERT_EQ(frames.size(), 2U);
  ASSERT_EQ(frames[1].size(), ns_at + 32);
  EXPECT_NE(ByteVector(frames[1].begin() + nonce_at, frames[1].end()),
            ByteVector(frames[0].begin() + nonce_at, frames[0].end()));
  net.sim.run_until(back + Duration::millis(999));
  EXPECT_EQ(net.state_of(address), Ipv6AddressState::Tentative);
  net.sim.run_until(back + Duration::millis(1001));
  EXPECT_EQ(net.state_of(address), Ipv6AddressState::Preferred);
  EXPECT_EQ(net.solicitations_for(address).size(), 2U);
}

}  // namespace
}  // namespace lwnet::test::neighbor_discovery_test
