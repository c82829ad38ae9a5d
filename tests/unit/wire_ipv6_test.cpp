// IPv6 header and extension headers (RFC 8200): real frames captured from
// Linux (two network namespaces over a veth pair: DAD-time MLDv2 report,
// ping -6, ping -6 -s 1600, and scapy-built packets with an unknown
// destination option, a type 0 routing header and an unknown next header),
// parsed, re-emitted byte for byte, and every malformed variant refused.
#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/address.h"
#include "wire/ipv6.h"

namespace lwnet::wire_ipv6_test {
namespace {

using test::hex;

Ipv6Address address(std::string_view text) { return parse_ip_address(text)->v6(); }

const std::vector<std::uint8_t> mld_report = hex(
    "60 00 00 00 00 24 00 01 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 16 3a 00 05 02 00 00 01 00 "
    "8f 00 6f 80 00 00 00 01 04 00 00 00 ff 02 00 00 "
    "00 00 00 00 00 00 00 01 ff 00 00 0a");
const std::vector<std::uint8_t> echo_request = hex(
    "60 07 dc c4 00 18 3a 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 80 00 3d bf 37 db 00 01 "
    "77 91 12 6b 00 00 00 00 1e 8c 06 00 00 00 00 00");
const std::vector<std::uint8_t> last_fragment = hex(
    "60 07 dc c4 00 a8 2c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 05 a8 79 ad 47 e1 "
    "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af "
    "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf "
    "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd ce cf "
    "d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd de df "
    "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee ef "
    "f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff "
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
    "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
    "20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
    "30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f");
const std::vector<std::uint8_t> unknown_next_header = hex(
    "60 00 00 00 00 08 fd 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 00 00 00 00 00 00 00 00");
const std::vector<std::uint8_t> unknown_destination_option = hex(
    "60 00 00 00 00 10 3c 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 00 80 04 00 00 00 00 "
    "80 00 24 2c 00 07 00 01");
const std::vector<std::uint8_t> routing_type0 = hex(
    "60 00 00 00 00 20 2b 40 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0a 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 00 0b 3a 02 00 01 00 00 00 00 "
    "20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 0c "
    "80 00 24 2a 00 08 00 01");

TEST(WireIpv6, ParsesAndReEmitsTheFixedHeader) {
  Result<Ipv6Repr> r = Ipv6Repr::parse(echo_request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->traffic_class, 0);
  EXPECT_EQ(r->flow_label, 0x7dcc4U);
  EXPECT_EQ(r->payload_len, 24U);
  EXPECT_EQ(r->payload.size(), 24U);
  EXPECT_EQ(r->payload.data(), echo_request.data() + 40);
  EXPECT_EQ(r->next_header, 58);
  EXPECT_EQ(r->hop_limit, 64);
  EXPECT_EQ(r->source, address("2001:db8:1::a"));
  EXPECT_EQ(r->destination, address("2001:db8:1::b"));

  std::vector<std::uint8_t> out(Ipv6Repr::header_len, 0xaa);
  r->emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(echo_request.begin(), echo_request.begin() + 40));
}

TEST(WireIpv6, EmitsTrafficClassAndMasksTheFlowLabel) {
  Ipv6Repr repr;
  repr.traffic_class = 0xb8;  // DSCP EF
  repr.flow_label = 0xfff12345;
  repr.next_header = 17;
  repr.hop_limit = 1;
  repr.payload_len = 0x0102;
  repr.source = address("2001:db8::1");
  repr.destination = address("ff02::1");
  std::vector<std::uint8_t> out(Ipv6Repr::header_len);
  repr.emit(out);
  EXPECT_EQ(out, hex("6b 81 23 45 01 02 11 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "
                     "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01"));
  std::vector<std::uint8_t> packet = out;
  packet.resize(40 + 0x0102);
  Result<Ipv6Repr> back = Ipv6Repr::parse(packet);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->traffic_class, 0xb8);
  EXPECT_EQ(back->flow_label, 0x12345U);
}

TEST(WireIpv6, PseudoHeaderChecksumVerifiesTheCapturedEcho) {
  Result<Ipv6Repr> r = Ipv6Repr::parse(echo_request);
  ASSERT_TRUE(r.ok());
  Checksum sum = ipv6_pseudo_header_checksum(r->source, r->destination, 58, 24);
  EXPECT_EQ(sum.add(r->payload).folded(), 0xffff);
  // A different next header or length no longer verifies.
  Checksum other = ipv6_pseudo_header_checksum(r->source, r->destination, 17, 24);
  EXPECT_NE(other.add(r->payload).folded(), 0xffff);
  Checksum longer = ipv6_pseudo_header_checksum(r->source, r->destination, 58, 25);
  EXPECT_NE(longer.add(r->payload).folded(), 0xffff);
}

TEST(WireIpv6, LinkPaddingAfterThePayloadIsCutOff) {
  std::vector<std::uint8_t> padded = echo_request;
  padded.resize(padded.size() + 6, 0);
  Result<Ipv6Repr> r = Ipv6Repr::parse(padded);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->payload.size(), 24U);
}

TEST(WireIpv6, HopByHopRouterAlertOfAnMldReport) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(mld_report);
  ASSERT_TRUE(ip.ok());
  EXPECT_TRUE(ip->source.is_unspecified());
  EXPECT_EQ(ip->hop_limit, 1);
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(*step);
  EXPECT_EQ(walker.header().type, ipv6_next_header::hop_by_hop);
  EXPECT_EQ(walker.header().offset, 0U);
  EXPECT_EQ(walker.header().bytes.size(), 8U);

  Result<Ipv6OptionsHeader> hbh = Ipv6OptionsHeader::parse(walker.header().bytes);
  ASSERT_TRUE(hbh.ok());
  EXPECT_EQ(hbh->next_header, 58);
  EXPECT_EQ(hbh->header_len, 8U);
  ASSERT_TRUE(hbh->router_alert.has_value());
  EXPECT_EQ(*hbh->router_alert, 0);  // MLD (RFC 2711)
  Ipv6OptionIterator options = hbh->options();
  std::optional<Ipv6Option> option = options.next();
  ASSERT_TRUE(option.has_value());
  EXPECT_EQ(option->type, ipv6_option_router_alert);
  EXPECT_EQ(option->offset, 2U);
  EXPECT_EQ(option->data.size(), 2U);
  EXPECT_EQ(option->action(), Ipv6OptionAction::Skip);
  EXPECT_FALSE(options.next().has_value());  // the PadN is skipped

  step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.next_header(), 58);
  EXPECT_EQ(walker.offset(), 8U);
  EXPECT_EQ(walker.rest().size(), 28U);
  EXPECT_EQ(walker.next_header_field_offset(), 40U);
  EXPECT_EQ(walker.headers_seen(), 1U);

  Ipv6OptionsHeader emit_repr;
  emit_repr.next_header = 58;
  emit_repr.router_alert = 0;
  std::vector<std::uint8_t> out(Ipv6OptionsHeader::emitted_header_len(), 0xaa);
  emit_repr.emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(mld_report.begin() + 40, mld_report.begin() + 48));
}

TEST(WireIpv6, OptionsHeaderWithoutOptionsIsAllPadding) {
  Ipv6OptionsHeader repr;
  repr.next_header = 6;
  std::vector<std::uint8_t> out(8, 0xaa);
  repr.emit(out);
  EXPECT_EQ(out, hex("06 00 01 04 00 00 00 00"));
  Result<Ipv6OptionsHeader> back = Ipv6OptionsHeader::parse(out);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->router_alert.has_value());
  EXPECT_FALSE(back->options().next().has_value());
}

TEST(WireIpv6, Pad1AndUnknownOptionActions) {
  // Pad1, an unknown skippable option with the may-change bit, Pad1, PadN(0)
  // padding, then options of each action, in a 24-byte header.
  const std::vector<std::uint8_t> header = hex(
      "11 02 00 3e 01 aa 00 01 00 1e 00 5e 01 bb 9e 00 "
      "de 02 cc dd 01 01 00 00");
  Result<Ipv6OptionsHeader> r = Ipv6OptionsHeader::parse(header);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header_len, 24U);
  Ipv6OptionIterator options = r->options();
  std::vector<std::uint8_t> types;
  std::vector<std::size_t> offsets;
  std::vector<Ipv6OptionAction> actions;
  while (std::optional<Ipv6Option> o = options.next()) {
    types.push_back(o->type);
    offsets.push_back(o->offset);
    actions.push_back(o->action());
    if (o->type == 0x3e) {
      EXPECT_TRUE(o->may_change());
      EXPECT_EQ(o->data.size(), 1U);
      EXPECT_EQ(o->data[0], 0xaa);
    }
  }
  EXPECT_EQ(types, (std::vector<std::uint8_t>{0x3e, 0x1e, 0x5e, 0x9e, 0xde}));
  EXPECT_EQ(offsets, (std::vector<std::size_t>{3, 9, 11, 14, 16}));
  EXPECT_EQ(actions, (std::vector<Ipv6OptionAction>{
                         Ipv6OptionAction::Skip, Ipv6OptionAction::Skip,
                         Ipv6OptionAction::Discard, Ipv6OptionAction::DiscardSendError,
                         Ipv6OptionAction::DiscardSendErrorUnlessMulticast}));
}

TEST(WireIpv6, UnknownDestinationOptionPointsWhereLinuxPoints) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(unknown_destination_option);
  ASSERT_TRUE(ip.ok());
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok() && *step);
  EXPECT_EQ(walker.header().type, ipv6_next_header::destination_options);
  Result<Ipv6OptionsHeader> options = Ipv6OptionsHeader::parse(walker.header().bytes);
  ASSERT_TRUE(options.ok());
  std::optional<Ipv6Option> option = options->options().next();
  ASSERT_TRUE(option.has_value());
  EXPECT_EQ(option->type, 0x80);
  EXPECT_EQ(option->action(), Ipv6OptionAction::DiscardSendError);
  EXPECT_EQ(option->data.size(), 4U);
  // Linux answered with a parameter problem, code 2, pointer 42.
  EXPECT_EQ(Ipv6Repr::header_len + walker.header().offset + option->offset, 42U);
  step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.next_header(), 58);
  EXPECT_EQ(walker.offset(), 8U);
}

TEST(WireIpv6, UnknownNextHeaderPointsAtTheFixedHeader) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(unknown_next_header);
  ASSERT_TRUE(ip.ok());
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.next_header(), 253);
  // Linux answered with a parameter problem, code 1, pointer 6.
  EXPECT_EQ(walker.next_header_field_offset(), 6U);
  EXPECT_EQ(walker.rest().size(), 8U);
  EXPECT_FALSE(Ipv6HeaderWalker::is_extension_header(253));
}

TEST(WireIpv6, RoutingHeaderType0) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(routing_type0);
  ASSERT_TRUE(ip.ok());
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok() && *step);
  EXPECT_EQ(walker.header().type, ipv6_next_header::routing);
  Result<Ipv6RoutingHeader> r = Ipv6RoutingHeader::parse(walker.header().bytes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->next_header, 58);
  EXPECT_EQ(r->routing_type, Ipv6RoutingHeader::type0);
  EXPECT_EQ(r->segments_left, 1);
  EXPECT_EQ(r->header_len, 24U);
  ASSERT_EQ(r->type_data.size(), 20U);
  EXPECT_EQ(Ipv6Address::from_bytes(r->type_data.subspan(4)), address("2001:db8:1::c"));

  std::vector<std::uint8_t> out(r->header_len, 0xaa);
  r->emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(routing_type0.begin() + 40, routing_type0.begin() + 64));
  step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.offset(), 24U);
  EXPECT_EQ(walker.next_header_field_offset(), 40U);
}

TEST(WireIpv6, FragmentHeadersOfALinuxPing) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(last_fragment);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->next_header, ipv6_next_header::fragment);
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok() && *step);
  Result<Ipv6FragmentHeader> last = Ipv6FragmentHeader::parse(walker.header().bytes);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->next_header, 58);
  EXPECT_EQ(last->fragment_offset, 1448);
  EXPECT_FALSE(last->more_fragments);
  EXPECT_EQ(last->identification, 0x79ad47e1U);
  EXPECT_FALSE(last->is_atomic());
  std::vector<std::uint8_t> out(Ipv6FragmentHeader::header_len, 0xaa);
  last->emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(last_fragment.begin() + 40, last_fragment.begin() + 48));
  // The walk ends at the fragment data, even though it names ICMPv6.
  step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.next_header(), 58);
  EXPECT_EQ(walker.rest().size(), 160U);

  // The first fragment's header, from the same capture.
  const std::vector<std::uint8_t> first_header = hex("3a 00 00 01 79 ad 47 e1");
  Result<Ipv6FragmentHeader> first = Ipv6FragmentHeader::parse(first_header);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->fragment_offset, 0);
  EXPECT_TRUE(first->more_fragments);
  first->emit(out);
  EXPECT_EQ(out, first_header);

  // Reserved bits are ignored; offset 0 without M is an atomic fragment.
  Result<Ipv6FragmentHeader> atomic = Ipv6FragmentHeader::parse(hex("11 ff 00 06 00 00 00 2a"));
  ASSERT_TRUE(atomic.ok());
  EXPECT_TRUE(atomic->is_atomic());
  EXPECT_EQ(atomic->identification, 42U);
}

TEST(WireIpv6, AuthenticationHeaderLengthIsInFourOctetUnits) {
  // AH (RFC 4302) with Payload Len 4: (4 + 2) * 4 = 24 bytes, then UDP.
  std::vector<std::uint8_t> payload(24 + 8, 0);
  payload[0] = 17;
  payload[1] = 4;
  Ipv6HeaderWalker walker(ipv6_next_header::authentication, payload);
  Result<bool> step = walker.next();
  ASSERT_TRUE(step.ok() && *step);
  EXPECT_EQ(walker.header().bytes.size(), 24U);
  step = walker.next();
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(*step);
  EXPECT_EQ(walker.next_header(), 17);
  EXPECT_EQ(walker.offset(), 24U);
}

TEST(WireIpv6, MalformedFixedHeadersAreRefused) {
  for (std::size_t n = 0; n < Ipv6Repr::header_len; ++n) {
    EXPECT_EQ(Ipv6Repr::parse(ConstBytes(echo_request).first(n)).error(), Error::Truncated) << n;
  }
  // Shorter than the payload length says.
  EXPECT_EQ(Ipv6Repr::parse(ConstBytes(echo_request).first(echo_request.size() - 1)).error(),
            Error::Truncated);
  std::vector<std::uint8_t> bad = echo_request;
  bad[0] = 0x40;
  EXPECT_EQ(Ipv6Repr::parse(bad).error(), Error::Unsupported);
  // A jumbogram: payload length 0, hop-by-hop next.
  bad = mld_report;
  bad[4] = 0;
  bad[5] = 0;
  EXPECT_EQ(Ipv6Repr::parse(bad).error(), Error::Unsupported);
  // Payload length 0 is fine otherwise (No Next Header).
  bad = echo_request;
  bad[4] = 0;
  bad[5] = 0;
  bad[6] = ipv6_next_header::no_next_header;
  EXPECT_TRUE(Ipv6Repr::parse(bad).ok());
  // A multicast source.
  bad = echo_request;
  bad[8] = 0xff;
  EXPECT_EQ(Ipv6Repr::parse(bad).error(), Error::Malformed);
}

TEST(WireIpv6, MalformedOptionsAreRefused) {
  const std::vector<std::uint8_t> padding_only = hex("3a 00 01 04 00 00 00 00");
  for (std::size_t n = 0; n < 8; ++n) {
    EXPECT_EQ(Ipv6OptionsHeader::parse(ConstBytes(padding_only).first(n)).error(), Error::Truncated)
        << n;
  }
  // Hdr Ext Len 1 says 16 bytes; 8 are there.
  EXPECT_EQ(Ipv6OptionsHeader::parse(hex("3a 01 01 04 00 00 00 00")).error(), Error::Truncated);
  // PadN longer than the header.
  EXPECT_EQ(Ipv6OptionsHeader::parse(hex("3a 00 01 05 00 00 00 00")).error(), Error::Malformed);
  // An option type in the last byte, without its length.
  EXPECT_EQ(Ipv6OptionsHeader::parse(hex("3a 00 01 03 00 00 00 1e")).error(), Error::Malformed);
  // Router Alert with 3 data bytes.
  EXPECT_EQ(Ipv6OptionsHeader::parse(hex("3a 00 05 03 00 00 00 00")).error(), Error::Malformed);
  // Routing and fragment headers too short or too long for their bytes.
  EXPECT_EQ(Ipv6RoutingHeader::parse(hex("3a 00 00 00 00 00 00")).error(), Error::Truncated);
  EXPECT_EQ(Ipv6RoutingHeader::parse(hex("3a 02 00 01 00 00 00 00")).error(), Error::Truncated);
  EXPECT_EQ(Ipv6FragmentHeader::parse(hex("3a 00 00 01 79 ad 47")).error(), Error::Truncated);
}

TEST(WireIpv6, MalformedChainsAreRefused) {
  // A header running past the payload.
  std::vector<std::uint8_t> chain = hex("3a 01 01 04 00 00 00 00");
  Ipv6HeaderWalker past(ipv6_next_header::destination_options, chain);
  EXPECT_EQ(past.next().error(), Error::Truncated);
  // Fewer than 8 bytes left where a header should start.
  Ipv6HeaderWalker short_header(ipv6_next_header::routing, ConstBytes(chain).first(5));
  EXPECT_EQ(short_header.next().error(), Error::Truncated);
  // Once failed, the walk stays over.
  Result<bool> after = past.next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);

  // Hop-by-hop after a destination options header: Malformed, and the
  // pointer names the Next Header field that announced it.
  chain = hex("00 00 01 04 00 00 00 00 3a 00 01 04 00 00 00 00");
  Ipv6HeaderWalker late_hbh(ipv6_next_header::destination_options, chain);
  Result<bool> step = late_hbh.next();
  ASSERT_TRUE(step.ok() && *step);
  EXPECT_EQ(late_hbh.next().error(), Error::Malformed);
  EXPECT_EQ(late_hbh.next_header_field_offset(), 40U);

  // Nine destination options headers (more than the default limit of 8),
  // then a tenth allowed by a larger limit.
  chain.clear();
  for (int i = 0; i < 9; ++i) {
    std::vector<std::uint8_t> h = hex("3c 00 01 04 00 00 00 00");
    chain.insert(chain.end(), h.begin(), h.end());
  }
  chain[8 * 8] = 58;
  Ipv6HeaderWalker long_chain(ipv6_next_header::destination_options, chain);
  Result<bool> s = true;
  int seen = 0;
  while ((s = long_chain.next()).ok() && *s) ++seen;
  EXPECT_EQ(seen, 8);
  EXPECT_EQ(s.error(), Error::Malformed);
  Ipv6HeaderWalker allowed(ipv6_next_header::destination_options, chain, 9);
  seen = 0;
  while ((s = allowed.next()).ok() && *s) ++seen;
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(seen, 9);
  EXPECT_EQ(allowed.next_header(), 58);
  EXPECT_EQ(allowed.offset(), 72U);
}

}  // namespace
}  // namespace lwnet::wire_ipv6_test
