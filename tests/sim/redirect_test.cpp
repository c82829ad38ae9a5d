// ICMPv6 Redirect for a host (RFC 4861 8): stack A, its SLAAC address
// from the router fe80::1 (the test, at mac_peer), follows a redirect that
// names a better first hop for a destination (another router, or the
// destination itself on the link), drops and counts the ones 8.1 makes
// invalid, and forgets a redirect when its router leaves, its target does
// not answer, it grows old or the table needs its place.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/ndisc.h"
#include "wire/tcp.h"

namespace lwnet::test::redirect_test {
namespace {

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address router_ll = v6("fe80::1");
const Ipv6Address better_ll = v6("fe80::2");
const Ipv6Address stranger_ll = v6("fe80::3");
const Ipv6Address second_router_ll = v6("fe80::4");
const Ipv6Address all_nodes = v6("ff02::1");
const Ipv6Address prefix_1 = v6("2001:db8:1::");
const Ipv6Address slaac_a = v6("2001:db8:1::ff:fe00:a");
const Ipv6Address far = v6("2001:db8:99::7");
constexpr MacAddress better_mac{{0x02, 0, 0, 0, 0, 0x22}};
constexpr MacAddress stranger_mac{{0x02, 0, 0, 0, 0, 0x33}};
constexpr MacAddress second_router_mac{{0x02, 0, 0, 0, 0, 0x44}};
constexpr MacAddress far_mac{{0x02, 0, 0, 0, 0, 0x77}};
constexpr MacAddress all_nodes_mac{{0x33, 0x33, 0, 0, 0, 1}};

// An RA from `source` with a /64 of prefix_1 for SLAAC.
ByteVector ra_frame(const Ipv6Address& source, const MacAddress& mac, std::uint16_t router_lifetime) {
  NdiscRepr r;
  r.type = static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement);
  r.router_lifetime = router_lifetime;
  const std::size_t fixed = NdiscRepr::fixed_len(r.type);
  ByteVector message(fixed + NdiscOptionWriter::link_layer_address_len + NdiscPrefixInformation::option_len);
  NdiscOptionWriter writer(Bytes(message).subspan(fixed));
  EXPECT_OK(writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, mac));
  NdiscPrefixInformation p;
  p.prefix = prefix_1;
  p.prefix_len = 64;
  p.on_link = true;
  p.autonomous = true;
  p.valid_lifetime = 86400;
  p.preferred_lifetime = 14400;
  EXPECT_OK(writer.prefix_information(p));
  r.emit(message, source, all_nodes);
  return ipv6_frame(all_nodes_mac, mac, source, all_nodes, ipv6_next_header::icmpv6, 255, message);
}

// A solicited NA for `target` (from it, its MAC in the option) to A.
ByteVector na_frame(const Ipv6Address& target, const MacAddress& mac, bool router) {
  NdiscRepr na;
  na.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement);
  na.target = target;
  na.solicited = true;
  na.override = true;
  na.router = router;
  const std::size_t fixed = NdiscRepr::fixed_len(na.type);
  ByteVector message(fixed + NdiscOptionWriter::link_layer_address_len);
  NdiscOptionWriter writer(Bytes(message).subspan(fixed));
  EXPECT_OK(writer.link_layer_address(NdiscOptionType::TargetLinkLayerAddress, mac));
  na.emit(message, target, slaac_a);
  return ipv6_frame(mac_a, mac, target, slaac_a, ipv6_next_header::icmpv6, 255, message);
}

struct Redirect {
  Ipv6Address source = router_ll;
  MacAddress source_mac = mac_peer;
  Ipv6Address destination = far;
  Ipv6Address target = better_ll;
  std::optional<MacAddress> target_mac = better_mac;
  std::uint8_t hop_limit = 255;
  std::uint8_t code = 0;
  std::size_t cut_to = 0;  // non-zero: the ICMPv6 message is this long
  bool zero_option_length = false;  // the first option's length byte 0
  ByteVector redirected;   // the Redirected Header option's packet (whole 8s of it)
};

ByteVector redirect_frame(const Redirect& r) {
  NdiscRepr nd;
  nd.type = static_cast<std::uint8_t>(Icmpv6Type::Redirect);
  nd.target = r.target;
  nd.destination = r.destination;
  const std::size_t fixed = NdiscRepr::fixed_len(nd.type);
  ByteVector message(fixed + NdiscOptionWriter::link_layer_address_len);
  NdiscOptionWriter writer(Bytes(message).subspan(fixed));
  if (r.target_mac) {
    EXPECT_OK(writer.link_layer_address(NdiscOptionType::TargetLinkLayerAddress, *r.target_mac));
  }
  message.resize(fixed + writer.written());
  if (!r.redirected.empty()) {
    const std::size_t quoted = r.redirected.size() / 8 * 8;
    message.push_back(static_cast<std::uint8_t>(NdiscOptionType::RedirectedHeader));
    message.push_back(static_cast<std::uint8_t>((8 + quoted) / 8));
    message.insert(message.end(), 6, 0);
    message.insert(message.end(), r.redirected.begin(),
                   r.redirected.begin() + static_cast<std::ptrdiff_t>(quoted));
  }
  if (r.zero_option_length) message.at(fixed + 1) = 0;
  nd.emit(message, r.source, slaac_a);
  if (r.code != 0 || r.cut_to != 0) {
    message[1] = r.code;
    if (r.cut_to != 0) message.resize(r.cut_to);
    icmpv6_fill_checksum(message, r.source, slaac_a);
  }
  return ipv6_frame(mac_a, r.source_mac, r.source, slaac_a, ipv6_next_header::icmpv6, r.hop_limit, message);
}

std::uint8_t icmpv6_type_of(const ByteVector& frame) {
  return frame.size() > 14 + 40 && frame_ethertype(frame) == ipv6_type && frame[14 + 6] == 58
             ? frame[14 + 40]
             : 0;
}

Ipv6Address ns_target(const ByteVector& frame) {
  return Ipv6Address::from_bytes(ConstBytes(frame).subspan(14 + 40 + 8, 16));
}

// `frame` as it would be to another MAC.
ByteVector to_mac(ByteVector frame, const MacAddress& mac) {
  std::copy(mac.octets.begin(), mac.octets.end(), frame.begin());
  return frame;
}

// A with SLAAC, its addresses through DAD, fe80::1 its only router (a
// static neighbor: the test answers no solicitations for it) and the
// router of 2001:db8:1::/64; a ping handle.
struct RedirectSim : ::testing::Test {
  RedirectSim() {
    net.a.set_slaac(true);
    net.sim.run_for(Duration::millis(1100));
    EXPECT_OK(net.a.nd_add_static(net.a_if, router_ll, mac_peer, net.sim.now()));
    net.inject(ra_frame(router_ll, mac_peer, 1800));
    net.sim.run_for(Duration::millis(1100));
    ping = *net.a.ping_open(5);
    (void)net.received();
  }
  ~RedirectSim() override {
    net.a.ping_close(ping);
    net.sim.settle();
    EXPECT_EQ(net.a.pools().in_use(), 0U);
  }
  // Frames A sent since the last call, split into its echo requests and
  // its neighbor solicitations.
  void collect() {
    for (ByteVector& f : net.received()) {
      if (icmpv6_type_of(f) == 128) echoes.push_back(std::move(f));
      if (icmpv6_type_of(f) == 135) solicitations.push_back(std::move(f));
    }
  }
  // One echo request to `to` with `sequence`; the frames it made.
  void ping_once(const Ipv6Address& to = far, std::uint16_t sequence = 1) {
    echoes.clear();
    solicitations.clear();
    EXPECT_OK(net.a.ping_send(ping, to, sequence, {}, 0, net.sim.now()));
    net.sim.settle();
    collect();
  }
  void inject(const ByteVector& frame) {
    net.inject(frame);
    net.sim.settle();
  }
  std::optional<Ipv6Address> redirected(const Ipv6Address& destination) {
    const std::optional<IpAddress> target = net.a.ipv6_redirect(destination);
    if (!target) return std::nullopt;
    return target->v6();
  }
  const NdStats& nd() { return net.a.stats().nd; }
  // The TCP segments A sent since the last call (frames).
  std::vector<ByteVector> tcp_frames() {
    std::vector<ByteVector> frames = net.received();
    std::erase_if(frames,
                  [](const ByteVector& f) { return frame_ethertype(f) != ipv6_type || f[14 + 6] != 6; });
    return frames;
  }

  HostAndPeer net;
  PingHandle ping;
  std::vector<ByteVector> echoes;
  std::vector<ByteVector> solicitations;
};

// RFC 4861 8.3: the next packet to the destination leaves to the better
// router's MAC, which the Target Link-Layer Address option gave: the same
// frame as before the redirect, but for its Ethernet destination.
TEST_F(RedirectSim, ARedirectToABetterRouterSendsTheNextPacketThere) {
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  ASSERT_EQ(frame_destination_mac(echoes[0]), mac_peer);
  const ByteVector before = echoes[0];
  Redirect r;
  r.redirected = ByteVector(before.begin() + 14, before.end());
  inject(redirect_frame(r));
  EXPECT_EQ(nd().rx_redirect, 1U);
  EXPECT_EQ(nd().drop_invalid_redirect, 0U);
  EXPECT_EQ(nd().rx_ignored, 0U);
  EXPECT_EQ(redirected(far), better_ll);

  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(to_hex(echoes[0]), to_hex(to_mac(before, better_mac)));
  // Other destinations keep the router.
  ping_once(v6("2001:db8:99::8"));
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), mac_peer);
}

// RFC 4861 8.3: the option creates the target's neighbor entry (Stale): no
// solicitation before the packet leaves.
TEST_F(RedirectSim, TheTargetLinkLayerAddressFillsTheNeighborCacheWithoutASolicitation) {
  ASSERT_FALSE(net.a.nd_lookup(net.a_if, better_ll).has_value());
  inject(redirect_frame(Redirect{}));
  EXPECT_EQ(net.a.nd_lookup(net.a_if, better_ll), better_mac);
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), better_mac);
  EXPECT_TRUE(solicitations.empty());
}

// Without the option, the target is resolved as any next hop is.
TEST_F(RedirectSim, ATargetWithoutItsLinkLayerAddressIsSolicitedFirst) {
  Redirect r;
  r.target_mac.reset();
  inject(redirect_frame(r));
  ASSERT_EQ(redirected(far), better_ll);
  ping_once();
  EXPECT_TRUE(echoes.empty());
  ASSERT_EQ(solicitations.size(), 1U);
  EXPECT_EQ(ns_target(solicitations[0]), better_ll);
  inject(na_frame(better_ll, better_mac, true));
  collect();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), better_mac);
}

// Target == Destination: the destination is on the link. Packets to it are
// sent directly, after resolving its own address.
TEST_F(RedirectSim, ARedirectToTheDestinationItselfSendsDirectlyAfterResolvingIt) {
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  const ByteVector before = echoes[0];
  Redirect r;
  r.target = far;
  r.target_mac.reset();
  inject(redirect_frame(r));
  EXPECT_EQ(nd().rx_redirect, 1U);
  EXPECT_EQ(redirected(far), far);

  ping_once();
  EXPECT_TRUE(echoes.empty());
  ASSERT_EQ(solicitations.size(), 1U);
  EXPECT_EQ(ns_target(solicitations[0]), far);
  // To far's solicited-node group, ff02::1:ff00:7.
  EXPECT_EQ(to_hex(ConstBytes(solicitations[0]).first(6)), to_hex(hex("33 33 ff 00 00 07")));
  inject(na_frame(far, far_mac, false));
  collect();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(to_hex(echoes[0]), to_hex(to_mac(before, far_mac)));
}

// RFC 4861 8.1: each of these fails one check. None changes the route or
// the neighbor cache; each is counted.
TEST_F(RedirectSim, InvalidRedirectsChangeNothingAndAreCounted) {
  std::vector<std::pair<const char*, Redirect>> variants;
  auto add = [&](const char* name, auto change) {
    Redirect r;
    change(r);
    variants.emplace_back(name, r);
  };
  add("hop limit 254", [](Redirect& r) { r.hop_limit = 254; });
  add("source not link-local", [](Redirect& r) { r.source = v6("2001:db8:1::1"); });
  add("source not the current router", [](Redirect& r) {
    r.source = stranger_ll;
    r.source_mac = stranger_mac;
  });
  add("multicast destination", [](Redirect& r) { r.destination = all_nodes; });
  add("target neither link-local nor the destination", [](Redirect& r) { r.target = v6("2001:db8:1::5"); });
  add("code 1", [](Redirect& r) { r.code = 1; });
  add("shorter than 40 bytes", [](Redirect& r) {
    r.target_mac.reset();
    r.cut_to = 32;
  });
  add("an on-link destination (no router to replace)", [](Redirect& r) { r.destination = v6("2001:db8:1::5"); });
  add("an option of length 0", [](Redirect& r) { r.zero_option_length = true; });
  std::size_t counted = 0;
  for (const auto& [name, r] : variants) {
    SCOPED_TRACE(name);
    inject(redirect_frame(r));
    EXPECT_EQ(nd().drop_invalid_redirect, ++counted);
    EXPECT_EQ(nd().rx_redirect, 0U);
    EXPECT_FALSE(redirected(far).has_value());
    EXPECT_FALSE(redirected(v6("2001:db8:1::5")).has_value());
    EXPECT_FALSE(net.a.nd_lookup(net.a_if, better_ll).has_value());
    ping_once();
    ASSERT_EQ(echoes.size(), 1U);
    EXPECT_EQ(frame_destination_mac(echoes[0]), mac_peer);
  }
  EXPECT_EQ(nd().rx_ignored, 0U);
}

// Once followed, the better router is the current first hop: it may
// redirect again, the first router no more (RFC 4861 8.1).
TEST_F(RedirectSim, OnlyTheCurrentFirstHopMayRedirectAgain) {
  inject(redirect_frame(Redirect{}));
  ASSERT_EQ(redirected(far), better_ll);
  Redirect from_first;
  from_first.target = stranger_ll;
  from_first.target_mac = stranger_mac;
  inject(redirect_frame(from_first));
  EXPECT_EQ(nd().drop_invalid_redirect, 1U);
  EXPECT_EQ(redirected(far), better_ll);
  Redirect from_better = from_first;
  from_better.source = better_ll;
  from_better.source_mac = better_mac;
  inject(redirect_frame(from_better));
  EXPECT_EQ(nd().rx_redirect, 2U);
  EXPECT_EQ(redirected(far), stranger_ll);
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), stranger_mac);
}

// The redirect was the first router's advice: when that router withdraws
// (router lifetime 0), it goes with it, and packets take the router left.
TEST_F(RedirectSim, ARouterThatLeavesTakesItsRedirectsWithIt) {
  net.inject(ra_frame(second_router_ll, second_router_mac, 600));
  net.sim.settle();
  EXPECT_OK(net.a.nd_add_static(net.a_if, second_router_ll, second_router_mac, net.sim.now()));
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  ASSERT_EQ(frame_destination_mac(echoes[0]), mac_peer);  // the first router still
  inject(redirect_frame(Redirect{}));
  ASSERT_EQ(redirected(far), better_ll);
  inject(ra_frame(router_ll, mac_peer, 0));
  EXPECT_FALSE(redirected(far).has_value());
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), second_router_mac);
}

// A target that never answers is no better first hop: once resolving it
// failed (three solicitations), packets go to the router again.
TEST_F(RedirectSim, ATargetThatNeverAnswersIsForgotten) {
  Redirect r;
  r.target_mac.reset();
  inject(redirect_frame(r));
  ASSERT_EQ(redirected(far), better_ll);
  ping_once();
  EXPECT_TRUE(echoes.empty());
  net.sim.run_for(Duration::seconds(4));
  collect();
  EXPECT_EQ(std::count_if(solicitations.begin(), solicitations.end(),
                          [](const ByteVector& f) { return ns_target(f) == better_ll; }),
            3);
  EXPECT_TRUE(echoes.empty());
  EXPECT_FALSE(redirected(far).has_value());
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), mac_peer);
}

// Ten minutes after the redirect (the path MTU entries' lifetime), the
// router's own choice holds again.
TEST_F(RedirectSim, ARedirectExpiresAfterTenMinutes) {
  inject(redirect_frame(Redirect{}));
  ASSERT_EQ(redirected(far), better_ll);
  net.sim.run_for(Duration::seconds(599));
  EXPECT_EQ(redirected(far), better_ll);
  net.sim.run_for(Duration::seconds(2));
  EXPECT_FALSE(redirected(far).has_value());
  (void)net.received();
  ping_once();
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), mac_peer);
}

// CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS entries: a new one takes the place
// of the one least recently learned or sent through.
TEST_F(RedirectSim, AFullTableEvictsTheLeastRecentlyUsedRedirect) {
  constexpr std::size_t capacity = config::ipv6_nd6_num_destinations;
  auto destination = [](std::size_t i) {
    Ipv6Address a = v6("2001:db8:99::");
    a.octets[15] = static_cast<std::uint8_t>(i + 1);
    return a;
  };
  for (std::size_t i = 0; i < capacity; ++i) {
    Redirect r;
    r.destination = destination(i);
    inject(redirect_frame(r));
    net.sim.run_for(Duration::seconds(1));
  }
  EXPECT_EQ(nd().rx_redirect, capacity);
  EXPECT_EQ(nd().redirect_evictions, 0U);
  // Sending to the oldest keeps it; the second oldest is now the least
  // recently used.
  ping_once(destination(0));
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), better_mac);
  Redirect r;
  r.destination = destination(capacity);
  inject(redirect_frame(r));
  EXPECT_EQ(nd().redirect_evictions, 1U);
  EXPECT_EQ(redirected(destination(0)), better_ll);
  EXPECT_FALSE(redirected(destination(1)).has_value());
  for (std::size_t i = 2; i <= capacity; ++i) EXPECT_EQ(redirected(destination(i)), better_ll);
  ping_once(destination(1));
  ASSERT_EQ(echoes.size(), 1U);
  EXPECT_EQ(frame_destination_mac(echoes[0]), mac_peer);
}

// A netif that goes down forgets its redirects with its routers.
TEST_F(RedirectSim, ANetifGoingDownForgetsItsRedirects) {
  inject(redirect_frame(Redirect{}));
  ASSERT_EQ(redirected(far), better_ll);
  ASSERT_OK(net.a.set_up(net.a_if, false, net.sim.now()));
  EXPECT_FALSE(redirected(far).has_value());
}

// TCP routes every segment it sends: an open connection's next segment
// leaves to the better router once the redirect is followed.
TEST_F(RedirectSim, ATcpConnectionFollowsTheRedirect) {
  Result<TcpHandle> client = net.a.tcp_connect({far, 80}, net.sim.now());
  ASSERT_OK(client);
  net.sim.settle();
  std::vector<ByteVector> frames = tcp_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frame_destination_mac(frames[0]), mac_peer);
  Result<TcpRepr> syn = TcpRepr::parse(ConstBytes(frames[0]).subspan(54), slaac_a, far, true);
  ASSERT_OK(syn);
  ASSERT_EQ(syn->flags, tcp_flags::syn);

  TcpRepr syn_ack;
  syn_ack.source_port = 80;
  syn_ack.destination_port = syn->source_port;
  syn_ack.sequence = 1000;
  syn_ack.acknowledgment = syn->sequence + 1;
  syn_ack.flags = tcp_flags::syn | tcp_flags::ack;
  syn_ack.window = 8192;
  syn_ack.mss = 1200;
  ByteVector segment(syn_ack.header_len());
  syn_ack.emit(segment, far, slaac_a);
  inject(ipv6_frame(mac_a, mac_peer, far, slaac_a, 6, 60, segment));
  frames = tcp_frames();
  ASSERT_EQ(frames.size(), 1U);  // the handshake's ACK, to the router
  EXPECT_EQ(frame_destination_mac(frames[0]), mac_peer);

  inject(redirect_frame(Redirect{}));
  ASSERT_EQ(redirected(far), better_ll);
  const ByteVector data = pattern(100, 5);
  ASSERT_OK(net.a.tcp_send(*client, data, net.sim.now()));
  net.sim.settle();
  frames = tcp_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frame_destination_mac(frames[0]), better_mac);
  Result<TcpRepr> sent = TcpRepr::parse(ConstBytes(frames[0]).subspan(54), slaac_a, far, true);
  ASSERT_OK(sent);
  EXPECT_EQ(sent->sequence, syn->sequence + 1);
  EXPECT_EQ(ByteVector(sent->payload.begin(), sent->payload.end()), data);
  net.a.tcp_abort(*client, net.sim.now());
  net.sim.settle();
  frames = tcp_frames();
  ASSERT_EQ(frames.size(), 1U);  // the RST, through the better router too
  EXPECT_EQ(frame_destination_mac(frames[0]), better_mac);
}

}  // namespace
}  // namespace lwnet::test::redirect_test
