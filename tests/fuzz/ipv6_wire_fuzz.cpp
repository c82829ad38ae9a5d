// The IPv6 wire parsers (wire/ipv6, icmpv6, ndisc, mld, dhcpv6) on the raw
// fuzz input: each must refuse or accept without a sanitizer report, and
// what it accepts must survive the walks and iterators built on it and an
// emit/parse round trip with the same fields. Part of frames_fuzz.cpp's
// harness (called from fuzz_wire). Threads: single-threaded.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "wire/dhcpv6.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/ndisc.h"

namespace lwnet::fuzz {

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "ipv6_wire_fuzz: %s\n", what);
  std::abort();
}

bool same_bytes(ConstBytes a, ConstBytes b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

const Ipv6Address link_local_source{{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
const Ipv6Address all_nodes{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};

void fuzz_extension_headers(const Ipv6Repr& ip) {
  Ipv6HeaderWalker walker(ip);
  Result<bool> step = true;
  while ((step = walker.next()).ok() && *step) {
    const Ipv6ExtensionHeader& header = walker.header();
    require(header.offset + header.bytes.size() <= ip.payload.size(), "walker: header past payload");
    if (header.type == ipv6_next_header::hop_by_hop ||
        header.type == ipv6_next_header::destination_options) {
      if (auto options = Ipv6OptionsHeader::parse(header.bytes); options.ok()) {
        Ipv6OptionIterator it = options->options();
        while (std::optional<Ipv6Option> o = it.next()) {
          require(o->offset + 2 + o->data.size() <= header.bytes.size(), "option past header");
        }
      }
    } else if (header.type == ipv6_next_header::routing) {
      if (auto routing = Ipv6RoutingHeader::parse(header.bytes); routing.ok()) {
        std::vector<std::uint8_t> out(routing->header_len);
        routing->emit(out);
        require(same_bytes(out, header.bytes.first(routing->header_len)), "routing: emit differs");
      }
    } else if (header.type == ipv6_next_header::fragment) {
      auto fragment = Ipv6FragmentHeader::parse(header.bytes);
      require(fragment.ok(), "walker yielded a fragment header that does not parse");
      std::array<std::uint8_t, Ipv6FragmentHeader::header_len> out{};
      fragment->emit(out);
      auto again = Ipv6FragmentHeader::parse(out);
      require(again.ok() && again->fragment_offset == fragment->fragment_offset &&
                  again->more_fragments == fragment->more_fragments &&
                  again->identification == fragment->identification &&
                  again->next_header == fragment->next_header,
              "fragment: round trip changed a field");
    }
  }
  require(walker.offset() <= ip.payload.size(), "walker: offset past payload");
}

void fuzz_ipv6(ConstBytes input) {
  auto ip = Ipv6Repr::parse(input);
  if (!ip.ok()) return;
  std::array<std::uint8_t, Ipv6Repr::header_len> out{};
  ip->emit(out);
  require(same_bytes(out, input.first(Ipv6Repr::header_len)), "IPv6: emit differs from input");
  fuzz_extension_headers(*ip);
}

void fuzz_icmpv6(ConstBytes input) {
  auto icmp = Icmpv6Repr::parse(input, link_local_source, all_nodes, false);
  if (!icmp.ok()) return;
  std::vector<std::uint8_t> out(input.begin(), input.end());
  icmp->emit(out, link_local_source, all_nodes);
  auto again = Icmpv6Repr::parse(out, link_local_source, all_nodes, true);
  require(again.ok() && again->type == icmp->type && again->code == icmp->code &&
              again->identifier == icmp->identifier && again->sequence == icmp->sequence &&
              again->mtu == icmp->mtu && again->pointer == icmp->pointer &&
              same_bytes(again->data, icmp->data),
          "ICMPv6: emit/parse round trip changed a field");
  Icmpv6Repr error;
  error.type = static_cast<std::uint8_t>(Icmpv6Type::ParameterProblem);
  error.pointer = 6;
  std::vector<std::uint8_t> message(Icmpv6Repr::error_len(input.size()));
  auto written = error.emit_error(message, input, link_local_source, all_nodes);
  require(written.ok() && *written <= ipv6_minimum_mtu - Ipv6Repr::header_len &&
              icmpv6_checksum_ok(message, link_local_source, all_nodes),
          "ICMPv6: error message wrong");
}

void fuzz_ndisc(ConstBytes input) {
  Ipv6Repr ip;
  ip.hop_limit = 255;
  ip.source = link_local_source;
  ip.destination = all_nodes;
  auto nd = NdiscRepr::parse(input, ip);
  if (!nd.ok()) return;
  NdiscOptionIterator it = nd->option_iterator();
  std::vector<std::uint8_t> rebuilt(NdiscRepr::fixed_len(nd->type) + nd->options.size());
  NdiscOptionWriter writer(Bytes(rebuilt).subspan(NdiscRepr::fixed_len(nd->type)));
  while (std::optional<NdiscOption> o = it.next()) {
    require(!o->bytes.empty() && o->bytes.size() % 8 == 0, "ND: option of a bad length");
    (void)ndisc_parse_link_layer_address(*o);
    (void)ndisc_parse_mtu(*o);
    (void)NdiscPrefixInformation::parse(*o);
    if (auto rdnss = NdiscRdnss::parse(*o); rdnss.ok()) {
      for (std::size_t i = 0; i < rdnss->count(); ++i) (void)rdnss->address(i);
    }
    (void)NdiscRouteInformation::parse(*o);
  }
  std::copy(nd->options.begin(), nd->options.end(),
            rebuilt.begin() + static_cast<std::ptrdiff_t>(NdiscRepr::fixed_len(nd->type)));
  nd->emit(rebuilt, ip.source, ip.destination);
  auto again = NdiscRepr::parse(rebuilt, ip);
  require(again.ok() && again->type == nd->type && again->target == nd->target &&
              again->destination == nd->destination && again->managed == nd->managed &&
              again->other == nd->other && again->router_lifetime == nd->router_lifetime &&
              again->reachable_time == nd->reachable_time && again->solicited == nd->solicited &&
              same_bytes(again->options, nd->options),
          "ND: emit/parse round trip changed a field");
}

void fuzz_mld(ConstBytes input) {
  if (auto mld = MldRepr::parse(input); mld.ok()) {
    std::array<std::uint8_t, MldRepr::header_len> out{};
    mld->emit(out, link_local_source, all_nodes);
    auto again = MldRepr::parse(out);
    require(again.ok() && again->type == mld->type &&
                again->max_response_delay == mld->max_response_delay &&
                again->multicast_address == mld->multicast_address,
            "MLD: round trip changed a field");
  }
  if (auto query = Mldv2QueryRepr::parse(input); query.ok()) {
    (void)query->max_response_delay();
    (void)query->query_interval();
    std::vector<Ipv6Address> sources;
    for (std::size_t i = 0; i < query->source_count(); ++i) sources.push_back(query->source(i));
    std::vector<std::uint8_t> out(Mldv2QueryRepr::length(sources.size()));
    query->emit(out, sources, link_local_source, all_nodes);
    auto again = Mldv2QueryRepr::parse(out);
    require(again.ok() && again->max_response_code == query->max_response_code &&
                same_bytes(again->sources, query->sources),
            "MLDv2 query: round trip changed a field");
  }
  if (auto report = Mldv2ReportRepr::parse(input); report.ok()) {
    std::vector<std::uint8_t> out(input.size());
    Mldv2ReportWriter writer(out);
    MldRecordIterator it = report->record_iterator();
    std::size_t count = 0;
    while (std::optional<MldAddressRecord> r = it.next()) {
      ++count;
      std::vector<Ipv6Address> sources;
      for (std::size_t i = 0; i < r->source_count(); ++i) sources.push_back(r->source(i));
      require(writer.add_record(static_cast<MldRecordType>(r->record_type), r->multicast_address,
                                sources)
                  .ok(),
              "MLDv2 report: a parsed record does not fit again");
    }
    require(count == report->record_count, "MLDv2 report: record count differs");
    auto n = writer.finish(link_local_source, all_nodes);
    require(n.ok() && Mldv2ReportRepr::parse(ConstBytes(out).first(*n)).ok(),
            "MLDv2 report: rebuilt report does not parse");
  }
}

void fuzz_dhcpv6(ConstBytes input) {
  auto dhcp = Dhcpv6Repr::parse(input);
  if (!dhcp.ok()) return;
  std::array<char, 254> name{};
  Dhcpv6DomainIterator domains(dhcp->domain_list);
  while (domains.next(name)) {
  }
  Dhcpv6OptionIterator ntp(dhcp->ntp_server);
  while (ntp.next()) {
  }
  if (!dhcp->client_id.empty()) require(Dhcpv6Duid::parse(dhcp->client_id).ok(), "DUID");
  for (std::size_t i = 0; i < dhcp->dns_server_count(); ++i) (void)dhcp->dns_server(i);
  std::size_t option_bytes = 0;
  Dhcpv6OptionIterator options(dhcp->options);
  while (std::optional<Dhcpv6Option> o = options.next()) option_bytes += 4 + o->data.size();
  require(option_bytes == dhcp->options.size(), "DHCPv6: options do not add up");
}

}  // namespace

void fuzz_ipv6_wire(ConstBytes input) {
  fuzz_ipv6(input);
  fuzz_icmpv6(input);
  fuzz_ndisc(input);
  fuzz_mld(input);
  fuzz_dhcpv6(input);
  // As a frame: behind an Ethernet header.
  if (input.size() > 14) {
    const ConstBytes packet = input.subspan(14);
    fuzz_ipv6(packet);
    if (auto ip = Ipv6Repr::parse(packet); ip.ok()) {
      Ipv6HeaderWalker walker(*ip);
      Result<bool> step = true;
      while ((step = walker.next()).ok() && *step) {
      }
      if (step.ok() && walker.next_header() == ipv6_next_header::icmpv6) {
        fuzz_icmpv6(walker.rest());
        fuzz_ndisc(walker.rest());
        fuzz_mld(walker.rest());
      } else if (step.ok() && walker.next_header() == 17 && walker.rest().size() > 8) {
        fuzz_dhcpv6(walker.rest().subspan(8));
      }
    }
  }
}

}  // namespace lwnet::fuzz
