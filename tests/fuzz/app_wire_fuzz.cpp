// The application protocols' parsers (wire/dns, sntp, netbios) on the raw
// fuzz input: each must refuse or accept without a sanitizer report, and
// what it accepts must survive the walks built on it and an emit/parse round
// trip with the same fields. Part of frames_fuzz.cpp's harness (called from
// fuzz_wire, beside the DHCPv4 and IPv6 parsers). Threads: single-threaded.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "wire/dns.h"
#include "wire/netbios.h"
#include "wire/sntp.h"

namespace lwnet::fuzz {

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "app_wire_fuzz: %s\n", what);
  std::abort();
}

bool same_bytes(ConstBytes a, ConstBytes b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// DNS: every answer of a message that parsed reads again; names print; a
// message whose answers are addresses (no compression pointers left in
// their data) emits bytes that parse back to the same fields.
void fuzz_dns(ConstBytes input) {
  Result<DnsRepr> dns = DnsRepr::parse(input);
  if (!dns.ok()) return;
  std::array<char, dns::max_name_text_len + 1> text{};
  (void)dns->question.name.to_text(text);
  std::vector<DnsRecord> answers;
  bool only_addresses = true;
  std::size_t visited = 0;
  dns->for_each_answer([&](const DnsRecord& record) {
    ++visited;
    (void)record.name.to_text(text);
    (void)record.target.to_text(text);
    only_addresses = only_addresses && record.address().has_value();
    answers.push_back(record);
    return true;
  });
  require(visited == dns->header.answer_count, "DNS: fewer answers walk than the header counts");
  if (!only_addresses) return;
  DnsRepr out = *dns;
  out.questions = std::span<const DnsQuestion>(&dns->question, dns->header.question_count == 0 ? 0 : 1);
  out.answers = answers;
  std::vector<std::uint8_t> bytes(out.buffer_len());
  Result<std::size_t> written = out.emit(bytes);
  require(written.ok() && *written == bytes.size(), "DNS: emit wrote other than buffer_len()");
  Result<DnsRepr> again = DnsRepr::parse(bytes);
  require(again.ok(), "DNS: emitted message does not parse");
  require(again->header.id == dns->header.id && again->header.rcode == dns->header.rcode &&
              again->header.answer_count == dns->header.answer_count &&
              again->question.name.equals(dns->question.name) && again->question.type == dns->question.type,
          "DNS: emit/parse round trip changed the header or question");
  std::size_t i = 0;
  again->for_each_answer([&](const DnsRecord& record) {
    require(record.type == answers[i].type && record.ttl == answers[i].ttl &&
                record.name.equals(answers[i].name) && same_bytes(record.data, answers[i].data),
            "DNS: emit/parse round trip changed an answer");
    ++i;
    return true;
  });
}

void fuzz_ntp(ConstBytes input) {
  Result<NtpRepr> ntp = NtpRepr::parse(input);
  if (!ntp.ok()) return;
  std::array<std::uint8_t, NtpRepr::header_len> bytes{};
  ntp->emit(bytes);
  require(same_bytes(bytes, input.first(NtpRepr::header_len)), "NTP: emit differs from the parsed header");
  Result<NtpRepr> again = NtpRepr::parse(bytes);
  require(again.ok() && again->mode == ntp->mode && again->stratum == ntp->stratum &&
              again->transmit == ntp->transmit && again->origin == ntp->origin,
          "NTP: emit/parse round trip changed a field");
}

void fuzz_netbios(ConstBytes input) {
  if (Result<NetbiosNameQuery> query = NetbiosNameQuery::parse(input); query.ok()) {
    std::array<std::uint8_t, NetbiosNameQuery::size> bytes{};
    query->emit(bytes);
    Result<NetbiosNameQuery> again = NetbiosNameQuery::parse(bytes);
    require(again.ok() && again->transaction_id == query->transaction_id &&
                again->name.equals_ignoring_case(query->name.view()) && again->name.suffix == query->name.suffix,
            "NetBIOS: query emit/parse round trip changed a field");  // emit upper-cases (RFC 1001 14)
  }
  if (Result<NetbiosNameResponse> response = NetbiosNameResponse::parse(input); response.ok()) {
    std::array<std::uint8_t, NetbiosNameResponse::size> bytes{};
    response->emit(bytes);
    Result<NetbiosNameResponse> again = NetbiosNameResponse::parse(bytes);
    require(again.ok() && again->transaction_id == response->transaction_id &&
                again->address == response->address && again->name.equals_ignoring_case(response->name.view()) &&
                again->name.suffix == response->name.suffix,
            "NetBIOS: response emit/parse round trip changed a field");  // emit upper-cases, as for queries
  }
}

}  // namespace

void fuzz_app_wire(ConstBytes input) {
  fuzz_dns(input);
  fuzz_ntp(input);
  fuzz_netbios(input);
}

}  // namespace lwnet::fuzz
