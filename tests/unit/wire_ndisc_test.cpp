// Neighbor Discovery (RFC 4861, RFC 4191, RFC 8106): messages captured from
// Linux hosts and from radvd in network namespaces (a router solicitation,
// radvd's advertisement with prefix, route information, RDNSS, MTU and
// source link-layer options, a DAD probe with Linux's nonce option,
// solicitations and advertisements), plus a redirect built by scapy. Each
// is parsed, re-emitted byte for byte, and malformed variants refused.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "support/hex.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/ndisc.h"

namespace lwnet::wire_ndisc_test {
namespace {

using test::hex;

Ipv6Address address(std::string_view text) { return parse_ip_address(text)->v6(); }

const std::vector<std::uint8_t> router_solicitation = hex(
    "60 00 00 00 00 10 3a ff fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 02 85 00 75 1a 00 00 00 00 "
    "01 01 02 00 00 00 03 0a");
const std::vector<std::uint8_t> router_advertisement = hex(
    "60 04 a9 d0 00 80 3a ff fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 01 86 00 b1 bd 40 40 07 08 "
    "00 00 75 30 00 00 03 e8 03 04 40 c0 00 01 51 80 "
    "00 00 38 40 00 00 00 00 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 00 18 03 30 08 00 00 0e 10 "
    "20 01 0d b8 00 99 00 00 00 00 00 00 00 00 00 00 "
    "19 05 00 00 00 00 02 58 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 53 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 54 05 01 00 00 00 00 05 78 "
    "01 01 02 00 00 00 03 01");
const std::vector<std::uint8_t> dad_probe = hex(
    "60 00 00 00 00 20 3a ff 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 ff 02 00 00 00 00 00 00 "
    "00 00 00 01 ff 00 03 0a 87 00 4c 05 00 00 00 00 "
    "20 01 0d b8 00 01 00 00 00 00 00 ff fe 00 03 0a "
    "0e 01 2d 3d 00 29 c0 65");
const std::vector<std::uint8_t> neighbor_solicitation = hex(
    "60 00 00 00 00 20 3a ff fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 02 00 00 00 00 00 00 "
    "00 00 00 01 ff 00 03 0a 87 00 70 87 00 00 00 00 "
    "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 0a "
    "01 01 02 00 00 00 03 01");
const std::vector<std::uint8_t> neighbor_advertisement = hex(
    "60 00 00 00 00 20 3a ff fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 88 00 0f 02 60 00 00 00 "
    "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 0a "
    "02 01 02 00 00 00 03 0a");
const std::vector<std::uint8_t> unicast_probe = hex(
    "6c 02 3f 2c 00 18 3a ff fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a 87 00 77 15 00 00 00 00 "
    "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 0a");
const std::vector<std::uint8_t> probe_answer = hex(
    "60 00 00 00 00 18 3a ff fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 88 00 36 15 40 00 00 00 "
    "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 0a");
// scapy: IPv6(src=fe80::ff:fe00:301, dst=fe80::ff:fe00:30a, hlim=255) /
// ICMPv6ND_Redirect(tgt=fe80::ff:fe00:3bb, dst=2001:db8:7::1) /
// ICMPv6NDOptDstLLAddr(02:00:00:00:03:bb) (a target link-layer option).
const std::vector<std::uint8_t> redirect = hex(
    "60 00 00 00 00 30 3a ff fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 01 "
    "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 0a 89 00 3e cf 00 00 00 00 "
    "fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 03 bb 20 01 0d b8 00 07 00 00 "
    "00 00 00 00 00 00 00 01 02 01 02 00 00 00 03 bb");

struct Parsed {
  Ipv6Repr ip;
  NdiscRepr nd;
};

Result<Parsed> parse_frame(const std::vector<std::uint8_t>& frame) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(frame);
  if (!ip) return ip.error();
  Result<Icmpv6Repr> icmp = Icmpv6Repr::parse(ip->payload, ip->source, ip->destination, true);
  if (!icmp) return icmp.error();
  Result<NdiscRepr> nd = NdiscRepr::parse(ip->payload, *ip);
  if (!nd) return nd.error();
  return Parsed{*ip, *nd};
}

std::vector<std::uint8_t> message_of(const std::vector<std::uint8_t>& frame) {
  return {frame.begin() + 40, frame.end()};
}

std::vector<NdiscOption> options_of(const NdiscRepr& nd) {
  std::vector<NdiscOption> out;
  NdiscOptionIterator it = nd.option_iterator();
  while (std::optional<NdiscOption> o = it.next()) out.push_back(*o);
  return out;
}

// Re-emits a parsed message with its options copied behind the fixed part.
std::vector<std::uint8_t> reemit(const Parsed& p) {
  const std::size_t fixed = NdiscRepr::fixed_len(p.nd.type);
  std::vector<std::uint8_t> out(fixed, 0xaa);
  out.insert(out.end(), p.nd.options.begin(), p.nd.options.end());
  p.nd.emit(out, p.ip.source, p.ip.destination);
  return out;
}

TEST(WireNdisc, RouterSolicitation) {
  Result<Parsed> p = parse_frame(router_solicitation);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->nd.type, static_cast<std::uint8_t>(Icmpv6Type::RouterSolicitation));
  std::vector<NdiscOption> options = options_of(p->nd);
  ASSERT_EQ(options.size(), 1U);
  EXPECT_EQ(options[0].type, static_cast<std::uint8_t>(NdiscOptionType::SourceLinkLayerAddress));
  Result<MacAddress> mac = ndisc_parse_link_layer_address(options[0]);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(*mac, (MacAddress{{0x02, 0, 0, 0, 0x03, 0x0a}}));
  EXPECT_EQ(reemit(*p), message_of(router_solicitation));

  // Built from scratch: the fixed part, then the option through the writer.
  std::vector<std::uint8_t> out(8 + NdiscOptionWriter::link_layer_address_len, 0xaa);
  NdiscOptionWriter writer(Bytes(out).subspan(8));
  ASSERT_TRUE(writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, *mac).ok());
  EXPECT_EQ(writer.written(), 8U);
  NdiscRepr rs;
  rs.type = static_cast<std::uint8_t>(Icmpv6Type::RouterSolicitation);
  rs.emit(out, p->ip.source, p->ip.destination);
  EXPECT_EQ(out, message_of(router_solicitation));
}

TEST(WireNdisc, RouterAdvertisementFromRadvd) {
  Result<Parsed> p = parse_frame(router_advertisement);
  ASSERT_TRUE(p.ok());
  const NdiscRepr& ra = p->nd;
  EXPECT_EQ(ra.type, static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement));
  EXPECT_EQ(ra.current_hop_limit, 64);
  EXPECT_FALSE(ra.managed);
  EXPECT_TRUE(ra.other);
  EXPECT_EQ(ra.router_preference, NdiscPreference::Medium);
  EXPECT_EQ(ra.router_lifetime, 1800);
  EXPECT_EQ(ra.reachable_time, 30000U);
  EXPECT_EQ(ra.retrans_timer, 1000U);

  std::vector<NdiscOption> options = options_of(ra);
  ASSERT_EQ(options.size(), 5U);
  Result<NdiscPrefixInformation> prefix = NdiscPrefixInformation::parse(options[0]);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->prefix_len, 64);
  EXPECT_TRUE(prefix->on_link);
  EXPECT_TRUE(prefix->autonomous);
  EXPECT_EQ(prefix->valid_lifetime, 86400U);
  EXPECT_EQ(prefix->preferred_lifetime, 14400U);
  EXPECT_EQ(prefix->prefix, address("2001:db8:1::"));

  Result<NdiscRouteInformation> route = NdiscRouteInformation::parse(options[1]);
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->prefix_len, 48);
  EXPECT_EQ(route->preference, NdiscPreference::High);
  EXPECT_EQ(route->lifetime, 3600U);
  EXPECT_EQ(route->prefix, address("2001:db8:99::"));

  Result<NdiscRdnss> rdnss = NdiscRdnss::parse(options[2]);
  ASSERT_TRUE(rdnss.ok());
  EXPECT_EQ(rdnss->lifetime, 600U);
  ASSERT_EQ(rdnss->count(), 2U);
  EXPECT_EQ(rdnss->address(0), address("2001:db8:1::53"));
  EXPECT_EQ(rdnss->address(1), address("2001:db8:1::54"));

  Result<std::uint32_t> mtu = ndisc_parse_mtu(options[3]);
  ASSERT_TRUE(mtu.ok());
  EXPECT_EQ(*mtu, 1400U);
  Result<MacAddress> mac = ndisc_parse_link_layer_address(options[4]);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(*mac, (MacAddress{{0x02, 0, 0, 0, 0x03, 0x01}}));

  // Rebuilt from the parsed values, every option through the writer.
  std::vector<std::uint8_t> out(router_advertisement.size() - 40, 0xaa);
  NdiscOptionWriter writer(Bytes(out).subspan(16));
  ASSERT_TRUE(writer.prefix_information(*prefix).ok());
  ASSERT_TRUE(writer.route_information(*route).ok());
  const std::array<Ipv6Address, 2> servers{rdnss->address(0), rdnss->address(1)};
  ASSERT_TRUE(writer.rdnss(rdnss->lifetime, servers).ok());
  ASSERT_TRUE(writer.mtu(*mtu).ok());
  ASSERT_TRUE(writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, *mac).ok());
  EXPECT_EQ(writer.written(), out.size() - 16);
  // Full: nothing more fits, and nothing is written.
  EXPECT_EQ(writer.mtu(1280).error(), Error::TooBig);
  ra.emit(out, p->ip.source, p->ip.destination);
  EXPECT_EQ(out, message_of(router_advertisement));
}

TEST(WireNdisc, DadProbeWithNonceOption) {
  Result<Parsed> p = parse_frame(dad_probe);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->ip.source.is_unspecified());
  EXPECT_EQ(p->ip.destination, ndisc_solicited_node(p->nd.target));
  EXPECT_EQ(p->nd.target, address("2001:db8:1::ff:fe00:30a"));
  std::vector<NdiscOption> options = options_of(p->nd);
  ASSERT_EQ(options.size(), 1U);
  EXPECT_EQ(options[0].type, static_cast<std::uint8_t>(NdiscOptionType::Nonce));
  EXPECT_EQ(options[0].bytes.size(), 8U);
  EXPECT_EQ(reemit(*p), message_of(dad_probe));
  const Result<NdiscNonce> nonce = ndisc_parse_nonce(options[0]);
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(*nonce, (NdiscNonce{0x2d, 0x3d, 0x00, 0x29, 0xc0, 0x65}));

  // Built from scratch: the fixed part, then the nonce through the writer.
  std::vector<std::uint8_t> out(NdiscRepr::fixed_len(p->nd.type) + NdiscOptionWriter::nonce_len, 0xaa);
  NdiscOptionWriter writer(Bytes(out).subspan(NdiscRepr::fixed_len(p->nd.type)));
  ASSERT_TRUE(writer.nonce(*nonce).ok());
  EXPECT_EQ(writer.written(), NdiscOptionWriter::nonce_len);
  EXPECT_EQ(writer.nonce(*nonce).error(), Error::TooBig);
  p->nd.emit(out, p->ip.source, p->ip.destination);
  EXPECT_EQ(out, message_of(dad_probe));

  // A longer nonce (RFC 3971 allows one) is no DAD nonce of ours.
  const std::vector<std::uint8_t> long_nonce{14, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  EXPECT_EQ(ndisc_parse_nonce(NdiscOption{14, long_nonce}).error(), Error::Malformed);

  // An unknown option beside the nonce is skipped, the probe still parses.
  std::vector<std::uint8_t> with_unknown = dad_probe;
  with_unknown[5] = 0x28;  // payload length: 8 more bytes
  const std::vector<std::uint8_t> unknown{200, 1, 9, 9, 9, 9, 9, 9};
  with_unknown.insert(with_unknown.begin() + 40 + 24, unknown.begin(), unknown.end());
  const Ipv6Address source;
  const Ipv6Address group = ndisc_solicited_node(p->nd.target);
  icmpv6_fill_checksum(Bytes(with_unknown).subspan(40), source, group);
  Result<Parsed> q = parse_frame(with_unknown);
  ASSERT_TRUE(q.ok());
  options = options_of(q->nd);
  ASSERT_EQ(options.size(), 2U);
  EXPECT_EQ(options[0].type, 200);
  EXPECT_EQ(ndisc_parse_nonce(options[1]).value(), *nonce);
}

TEST(WireNdisc, SolicitationsAndAdvertisements) {
  Result<Parsed> ns = parse_frame(neighbor_solicitation);
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->nd.type, static_cast<std::uint8_t>(Icmpv6Type::NeighborSolicitation));
  EXPECT_EQ(ns->nd.target, address("fe80::ff:fe00:30a"));
  EXPECT_EQ(reemit(*ns), message_of(neighbor_solicitation));

  Result<Parsed> na = parse_frame(neighbor_advertisement);
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->nd.type, static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement));
  EXPECT_FALSE(na->nd.router);
  EXPECT_TRUE(na->nd.solicited);
  EXPECT_TRUE(na->nd.override);
  EXPECT_EQ(na->nd.target, address("fe80::ff:fe00:30a"));
  std::vector<NdiscOption> options = options_of(na->nd);
  ASSERT_EQ(options.size(), 1U);
  EXPECT_EQ(options[0].type, static_cast<std::uint8_t>(NdiscOptionType::TargetLinkLayerAddress));
  EXPECT_EQ(reemit(*na), message_of(neighbor_advertisement));

  // A unicast NUD probe and its answer: S set, O clear, no option.
  Result<Parsed> probe = parse_frame(unicast_probe);
  ASSERT_TRUE(probe.ok());
  EXPECT_TRUE(probe->nd.options.empty());
  EXPECT_EQ(reemit(*probe), message_of(unicast_probe));
  Result<Parsed> answer = parse_frame(probe_answer);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->nd.solicited);
  EXPECT_FALSE(answer->nd.override);
  EXPECT_FALSE(answer->nd.router);
  EXPECT_EQ(reemit(*answer), message_of(probe_answer));

  // The R flag alone, built from scratch.
  NdiscRepr router_na;
  router_na.type = static_cast<std::uint8_t>(Icmpv6Type::NeighborAdvertisement);
  router_na.router = true;
  router_na.target = address("fe80::1");
  std::vector<std::uint8_t> out(24);
  router_na.emit(out, address("fe80::1"), address("ff02::1"));
  EXPECT_EQ(out[4], 0x80);
  Ipv6Repr ip;
  ip.hop_limit = 255;
  ip.source = address("fe80::1");
  ip.destination = address("ff02::1");
  Result<NdiscRepr> back = NdiscRepr::parse(out, ip);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->router);
  EXPECT_FALSE(back->solicited);
  EXPECT_TRUE(icmpv6_checksum_ok(out, ip.source, ip.destination));
}

TEST(WireNdisc, Redirect) {
  Result<Parsed> p = parse_frame(redirect);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->nd.type, static_cast<std::uint8_t>(Icmpv6Type::Redirect));
  EXPECT_EQ(p->nd.target, address("fe80::ff:fe00:3bb"));
  EXPECT_EQ(p->nd.destination, address("2001:db8:7::1"));
  EXPECT_EQ(reemit(*p), message_of(redirect));
}

TEST(WireNdisc, SolicitedNodeGroup) {
  EXPECT_EQ(ndisc_solicited_node(address("2001:db8:1::ff:fe00:30a")), address("ff02::1:ff00:30a"));
  EXPECT_EQ(ndisc_solicited_node(address("fe80::1234:5678:9abc:def0")),
            address("ff02::1:ffbc:def0"));
}

TEST(WireNdisc, RouteInformationLengths) {
  // Length 1: a default route (prefix length 0); length 2: up to /64.
  NdiscOption one{24, ConstBytes{}};
  const std::vector<std::uint8_t> default_route = hex("18 01 00 18 00 00 00 3c");
  one.bytes = default_route;
  Result<NdiscRouteInformation> r = NdiscRouteInformation::parse(one);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->prefix_len, 0);
  EXPECT_EQ(r->preference, NdiscPreference::Low);
  EXPECT_EQ(r->lifetime, 60U);
  EXPECT_TRUE(r->prefix.is_unspecified());

  // /60 in 8 prefix bytes; bits beyond 60 are cleared.
  const std::vector<std::uint8_t> sixty = hex("18 02 3c 00 ff ff ff ff 20 01 0d b8 00 01 00 1f");
  Result<NdiscRouteInformation> s = NdiscRouteInformation::parse(NdiscOption{24, sixty});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lifetime, 0xffffffffU);
  EXPECT_EQ(s->prefix, address("2001:db8:1:10::"));

  // Too long a prefix for its option length, beyond 128, lengths 0 or 4.
  EXPECT_EQ(NdiscRouteInformation::parse(NdiscOption{24, hex("18 01 01 00 00 00 00 3c")}).error(),
            Error::Malformed);
  EXPECT_EQ(NdiscRouteInformation::parse(
                NdiscOption{24, hex("18 02 41 00 00 00 00 3c 20 01 0d b8 00 01 00 00")})
                .error(),
            Error::Malformed);
  std::vector<std::uint8_t> long_prefix(24, 0);
  long_prefix[0] = 24;
  long_prefix[1] = 3;
  long_prefix[2] = 129;
  EXPECT_EQ(NdiscRouteInformation::parse(NdiscOption{24, long_prefix}).error(), Error::Malformed);
  std::vector<std::uint8_t> four(32, 0);
  four[0] = 24;
  four[1] = 4;
  EXPECT_EQ(NdiscRouteInformation::parse(NdiscOption{24, four}).error(), Error::Malformed);
}

TEST(WireNdisc, MalformedOptionsAreRefused) {
  // Zero length: the whole message is discarded (RFC 4861 4.6).
  EXPECT_EQ(ndisc_check_options(hex("01 00 02 00 00 00 03 0a")).error(), Error::Malformed);
  EXPECT_EQ(ndisc_check_options(hex("01 01 02 00 00 00 03 0a 05 00")).error(), Error::Malformed);
  // Running past the message, or one lone byte left.
  EXPECT_EQ(ndisc_check_options(hex("01 02 02 00 00 00 03 0a")).error(), Error::Truncated);
  EXPECT_EQ(ndisc_check_options(hex("01 01 02 00 00 00 03 0a 05")).error(), Error::Truncated);
  EXPECT_TRUE(ndisc_check_options(ConstBytes{}).ok());

  // Each option's own length rules.
  const std::vector<std::uint8_t> two_units = hex("01 02 02 00 00 00 03 0a 00 00 00 00 00 00 00 00");
  EXPECT_EQ(ndisc_parse_link_layer_address(NdiscOption{1, two_units}).error(), Error::Malformed);
  EXPECT_EQ(ndisc_parse_mtu(NdiscOption{5, two_units}).error(), Error::Malformed);
  EXPECT_EQ(NdiscPrefixInformation::parse(NdiscOption{3, two_units}).error(), Error::Malformed);
  std::vector<std::uint8_t> prefix(32, 0);
  prefix[0] = 3;
  prefix[1] = 4;
  prefix[2] = 129;
  EXPECT_EQ(NdiscPrefixInformation::parse(NdiscOption{3, prefix}).error(), Error::Malformed);
  // RDNSS without an address, or with an even length.
  const std::vector<std::uint8_t> empty_rdnss = hex("19 01 00 00 00 00 02 58");
  EXPECT_EQ(NdiscRdnss::parse(NdiscOption{25, empty_rdnss}).error(), Error::Malformed);
  std::vector<std::uint8_t> even(32, 0);
  even[0] = 25;
  even[1] = 4;
  EXPECT_EQ(NdiscRdnss::parse(NdiscOption{25, even}).error(), Error::Malformed);

  // The writer refuses an RDNSS option without servers.
  std::vector<std::uint8_t> area(64);
  NdiscOptionWriter writer(area);
  EXPECT_EQ(writer.rdnss(600, std::span<const Ipv6Address>{}).error(), Error::InvalidArgument);
  EXPECT_EQ(writer.written(), 0U);
}

// Parses frame with one byte of its message changed (checksum fixed up).
Error refused_with(std::vector<std::uint8_t> frame, std::size_t at, std::uint8_t value,
                   std::size_t ip_at = 0, std::uint8_t ip_value = 0) {
  frame[40 + at] = value;
  if (ip_at != 0) frame[ip_at] = ip_value;
  Result<Ipv6Repr> ip = Ipv6Repr::parse(frame);
  EXPECT_TRUE(ip.ok());
  std::vector<std::uint8_t> message(ip->payload.begin(), ip->payload.end());
  icmpv6_fill_checksum(message, ip->source, ip->destination);
  Result<NdiscRepr> nd = NdiscRepr::parse(message, *ip);
  EXPECT_FALSE(nd.ok());
  return nd.ok() ? Error::InvalidArgument : nd.error();
}

TEST(WireNdisc, MalformedMessagesAreRefused) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(router_advertisement);
  ASSERT_TRUE(ip.ok());
  for (std::size_t n = 0; n < 16; ++n) {
    EXPECT_EQ(NdiscRepr::parse(ip->payload.first(n), *ip).error(), Error::Truncated) << n;
  }
  // Hop limit other than 255 (the packet crossed a router).
  EXPECT_EQ(refused_with(router_advertisement, 1, 0, 7, 254), Error::Malformed);
  // Code other than 0.
  EXPECT_EQ(refused_with(router_advertisement, 1, 1), Error::Malformed);
  // An option of length 0 inside radvd's options.
  EXPECT_EQ(refused_with(router_advertisement, 17, 0), Error::Malformed);
  // An RA from a global source.
  EXPECT_EQ(refused_with(router_advertisement, 1, 0, 8, 0x20), Error::Malformed);
  // Not an ND type.
  EXPECT_EQ(refused_with(router_advertisement, 0, 128), Error::Unsupported);
  // A multicast target in an NS and an NA.
  EXPECT_EQ(refused_with(neighbor_solicitation, 8, 0xff), Error::Malformed);
  EXPECT_EQ(refused_with(neighbor_advertisement, 8, 0xff), Error::Malformed);
  // A solicited NA to a multicast destination.
  EXPECT_EQ(refused_with(neighbor_advertisement, 4, 0x60, 24, 0xff), Error::Malformed);
  // A DAD probe to its target instead of the solicited-node group.
  std::vector<std::uint8_t> probe = dad_probe;
  std::copy(probe.begin() + 48, probe.begin() + 64, probe.begin() + 24);
  EXPECT_EQ(refused_with(probe, 1, 0), Error::Malformed);
  // A DAD probe carrying a source link-layer address (nonce turned into one).
  EXPECT_EQ(refused_with(dad_probe, 24, 1), Error::Malformed);
  // An RS from :: with a source link-layer address.
  std::vector<std::uint8_t> rs = router_solicitation;
  std::fill(rs.begin() + 8, rs.begin() + 24, std::uint8_t{0});
  EXPECT_EQ(refused_with(rs, 1, 0), Error::Malformed);
  // Redirects: to a multicast destination, to a global target that is not
  // the destination, from a global source.
  EXPECT_EQ(refused_with(redirect, 24, 0xff), Error::Malformed);
  EXPECT_EQ(refused_with(redirect, 8, 0x20), Error::Malformed);
  EXPECT_EQ(refused_with(redirect, 1, 0, 8, 0x20), Error::Malformed);
}

}  // namespace
}  // namespace lwnet::wire_ndisc_test
