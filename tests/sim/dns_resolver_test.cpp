// The DNS resolver on stack A against a scripted server on stack B, over a
// pipe in virtual time: exact queries, retries and server switching on
// lwIP's schedule, the cache and its TTLs, truncation then TCP, forged
// answers dropped, one-shot mDNS, and what needs no query at all.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "apps/dns_resolver.h"
#include "support/fake_dns_server.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::dns_resolver_test {
namespace {

constexpr Ipv4Address host_address = Ipv4Address::of(192, 0, 2, 10);
const Ipv6Address host_address6 = parse_ip_address("2001:db8::10")->v6();

struct Answers {
  std::vector<DnsResult> results;
  std::vector<Instant> at;
  const Simulation* sim = nullptr;
  static void record(void* context, const DnsResult& result) {
    auto* self = static_cast<Answers*>(context);
    self->results.push_back(result);
    self->at.push_back(self->sim->now());
  }
};

// A resolver on A asking B; the server answers host.name.test.
struct DnsNet {
  DnsNet() : server(net.b, net.sim.now()) {
    net.sim.settle();
    answers.sim = &net.sim;
    EXPECT_OK(net.a.attach_app(resolver));
    EXPECT_OK(net.b.attach_app(server));
    EXPECT_OK(resolver.set_server(0, ip_b));
    server.add_a("host.name.test", host_address, 60);
    server.add_aaaa("host.name.test", host_address6, 60);
    server.add_cname("alias.name.test", "host.name.test", 300);
  }
  ~DnsNet() {
    resolver.close(net.a, net.sim.now());
    net.a.detach_app(resolver);
    net.b.detach_app(server);
  }
  Result<DnsResult> lookup(std::string_view name, DnsRecordType type = DnsRecordType::A) {
    return resolver.lookup(net.a, name, type, &Answers::record, &answers, net.sim.now());
  }
  // Runs until the callback ran `count` times (or `limit` passed).
  bool run_until_answered(std::size_t count = 1, Duration limit = Duration::seconds(60)) {
    return net.sim.run_until([&] { return answers.results.size() >= count; }, limit);
  }

  TwoHosts net;
  DnsResolver resolver;
  FakeDnsServer server;
  Answers answers;
};

// The query's bytes after its id: flags (RD), one question, the name, type, class IN.
std::string query_tail(const ByteVector& message) {
  return to_hex(ConstBytes(message).subspan(2));
}

TEST(DnsResolverSim, ResolvesAnAddressWithOneExactQuery) {
  DnsNet d;
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  ASSERT_EQ(d.answers.results.size(), 1u);
  const DnsResult& r = d.answers.results[0];
  EXPECT_EQ(r.outcome, DnsOutcome::Found);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(r.addresses[0], IpAddress(host_address));

  ASSERT_EQ(d.server.queries.size(), 1u);
  const FakeDnsServer::Query& q = d.server.queries[0];
  EXPECT_EQ(q.at, start);
  EXPECT_EQ(q.from.address, IpAddress(ip_a));
  EXPECT_GE(q.from.port, 49152);
  EXPECT_EQ(query_tail(q.message), to_hex(hex("01 00 00 01 00 00 00 00 00 00"
                                              "04 68 6f 73 74 04 6e 61 6d 65 04 74 65 73 74 00 00 01 00 01")));
  EXPECT_EQ(d.resolver.stats().queries_sent, 1u);
  EXPECT_EQ(d.resolver.stats().answers, 1u);
  EXPECT_EQ(d.resolver.pending_queries(), 0u);
}

TEST(DnsResolverSim, IdsAndSourcePortsDifferFromQueryToQuery) {
  DnsNet d;
  for (const char* name : {"host.name.test", "alias.name.test", "other.name.test", "x.name.test"}) {
    EXPECT_ERROR(d.lookup(name), Error::InProgress);
  }
  ASSERT_TRUE(d.run_until_answered(4));
  ASSERT_EQ(d.server.queries.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = i + 1; j < 4; ++j) {
      EXPECT_NE(d.server.queries[i].from.port, d.server.queries[j].from.port);
      EXPECT_NE(load_be16(d.server.queries[i].message, 0), load_be16(d.server.queries[j].message, 0));
    }
  }
}

TEST(DnsResolverSim, FollowsACnameToAnIpv6Address) {
  DnsNet d;
  EXPECT_ERROR(d.lookup("ALIAS.name.test", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  const DnsResult& r = d.answers.results[0];
  EXPECT_EQ(r.outcome, DnsOutcome::Found);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(r.addresses[0], IpAddress(host_address6));
  ASSERT_EQ(d.server.queries.size(), 1u);
  EXPECT_EQ(load_be16(d.server.queries[0].message, d.server.queries[0].message.size() - 4), 28);
}

TEST(DnsResolverSim, UnknownNamesAndMissingTypesAreNotFound) {
  DnsNet d;
  d.server.add_a("v4only.name.test", host_address);
  EXPECT_ERROR(d.lookup("nothere.name.test"), Error::InProgress);
  EXPECT_ERROR(d.lookup("v4only.name.test", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered(2));
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::NotFound);
  EXPECT_EQ(d.answers.results[1].outcome, DnsOutcome::NotFound);
  EXPECT_EQ(d.answers.results[1].count, 0u);
  EXPECT_EQ(d.server.queries.size(), 2u);
}

TEST(DnsResolverSim, RetriesOnLwipsScheduleThenSwitchesServer) {
  DnsNet d;
  // Both slots hold B; the first four tries are lost, so the answer comes
  // to the backup's first try.
  ASSERT_OK(d.resolver.set_server(1, ip_b));
  d.server.drop = 4;
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  ASSERT_EQ(d.server.queries.size(), 5u);
  const std::array<std::int64_t, 5> sent_at{0, 1, 2, 4, 7};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(d.server.queries[i].at - start, Duration::seconds(sent_at[i])) << "try " << i;
  }
  // One id for every try to a server, from one port.
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(load_be16(d.server.queries[i].message, 0), load_be16(d.server.queries[0].message, 0)) << i;
    EXPECT_EQ(d.server.queries[i].from, d.server.queries[0].from) << i;
  }
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.at[0] - start, Duration::seconds(7));
  EXPECT_EQ(d.resolver.stats().retries, 3u);
  EXPECT_EQ(d.resolver.stats().server_switches, 1u);
}

// A server slower than the retry schedule: its answer to the first try
// comes 3.2 s later, after two more tries went out. A fresh id per try made
// that answer (and every later one) foreign, and the lookup timed out.
TEST(DnsResolverSim, ASlowServersAnswerToAnEarlierTryCounts) {
  DnsNet d;
  d.server.answer_delay = Duration::millis(3200);
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  ASSERT_EQ(d.answers.results[0].count, 1u);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address));
  EXPECT_EQ(d.answers.at[0] - start, Duration::millis(3200));
  ASSERT_EQ(d.server.queries.size(), 3u);  // at 0, 1 and 2 s
  EXPECT_EQ(d.resolver.stats().drop_spoofed, 0u);
  d.net.sim.run_for(Duration::seconds(5));  // the late answers to tries 1 and 2 leave B
}

// Servers learned from DHCPv6 or RDNSS are IPv6 ones: their answers must
// reach the query (an endpoint bound to 0.0.0.0 refused them with port
// unreachable).
struct Ipv6DnsNet : DnsNet {
  Ipv6DnsNet() {
    EXPECT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{IpAddress(a6), 64}, net.sim.now()));
    EXPECT_OK(net.b.add_ipv6_address(net.b_if, IpCidr{IpAddress(b6), 64}, net.sim.now()));
    net.sim.run_for(Duration::seconds(3));  // DAD
  }
  const Ipv6Address a6 = parse_ip_address("2001:db8::a")->v6();
  const Ipv6Address b6 = parse_ip_address("2001:db8::b")->v6();
};

TEST(DnsResolverSim, AnIpv6ServerAnswers) {
  Ipv6DnsNet d;
  ASSERT_OK(d.resolver.set_server(0, d.b6));
  EXPECT_ERROR(d.lookup("host.name.test", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  ASSERT_EQ(d.server.queries.size(), 1u);
  EXPECT_EQ(d.server.queries[0].from.address, IpAddress(d.a6));
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  ASSERT_EQ(d.answers.results[0].count, 1u);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address6));
  EXPECT_EQ(d.net.a.stats().udp.drop_no_port, 0u);
}

TEST(DnsResolverSim, FailOverFromAnIpv6ServerToAnIpv4One) {
  Ipv6DnsNet d;
  ASSERT_OK(d.resolver.set_server(0, parse_ip_address("2001:db8::c")->v6()));  // nobody
  ASSERT_OK(d.resolver.set_server(1, ip_b));
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  ASSERT_EQ(d.server.queries.size(), 1u);
  EXPECT_EQ(d.server.queries[0].from.address, IpAddress(ip_a));
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.at[0] - start, Duration::seconds(7));  // after the first server's four tries
  EXPECT_EQ(d.resolver.stats().server_switches, 1u);
}

TEST(DnsResolverSim, TimesOutAfterEveryServerHadItsTries) {
  DnsNet d;
  ASSERT_OK(d.resolver.set_server(2, ip_b));  // slot 1 empty: skipped
  d.server.drop = 100;
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::TimedOut);
  EXPECT_EQ(d.answers.at[0] - start, Duration::seconds(14));
  EXPECT_EQ(d.server.queries.size(), 8u);
  EXPECT_EQ(d.resolver.stats().timeouts, 1u);
  EXPECT_EQ(d.resolver.next_deadline(), Instant::max());
}

TEST(DnsResolverSim, ServerErrorsMoveOnAndEndAsServerFailure) {
  DnsNet d;
  ASSERT_OK(d.resolver.set_server(1, ip_b));
  d.server.rcode = dns::Rcode::ServerFailure;
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::ServerFailure);
  EXPECT_EQ(d.server.queries.size(), 2u);  // one per server, no waiting
  EXPECT_LT(d.answers.at[0] - start, Duration::seconds(1));
}

TEST(DnsResolverSim, CachesAnswersForTheirTtl) {
  DnsNet d;
  const Instant start = d.net.sim.now();
  EXPECT_ERROR(d.lookup("alias.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  // Within the TTL (the smallest of the chain: 60 s): answered at once.
  d.net.sim.run_until(start + Duration::seconds(59));
  Result<DnsResult> cached = d.lookup("Alias.Name.Test");
  ASSERT_OK(cached);
  EXPECT_EQ(cached->outcome, DnsOutcome::Found);
  EXPECT_EQ(cached->addresses[0], IpAddress(host_address));
  EXPECT_EQ(d.resolver.stats().cache_hits, 1u);
  EXPECT_EQ(d.server.queries.size(), 1u);
  // Expired: asked again.
  d.net.sim.run_until(start + Duration::seconds(61));
  EXPECT_ERROR(d.lookup("alias.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered(2));
  EXPECT_EQ(d.server.queries.size(), 2u);
  // dns_clear_cache(): asked again although the answer is fresh.
  ASSERT_OK(d.lookup("alias.name.test"));
  d.resolver.clear_cache();
  EXPECT_ERROR(d.lookup("alias.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered(3));
  EXPECT_EQ(d.server.queries.size(), 3u);
}

TEST(DnsResolverSim, ZeroTtlAnswersAreNotCached) {
  DnsNet d;
  d.server.add_a("fleeting.name.test", host_address, 0);
  EXPECT_ERROR(d.lookup("fleeting.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_ERROR(d.lookup("fleeting.name.test"), Error::InProgress);
}

TEST(DnsResolverSim, TruncatedAnswersAreAskedAgainOverTcp) {
  DnsNet d;
  d.server.truncate_udp = true;
  EXPECT_ERROR(d.lookup("host.name.test", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  const DnsResult& r = d.answers.results[0];
  EXPECT_EQ(r.outcome, DnsOutcome::Found);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(r.addresses[0], IpAddress(host_address6));
  ASSERT_EQ(d.server.queries.size(), 2u);
  EXPECT_FALSE(d.server.queries[0].tcp);
  EXPECT_TRUE(d.server.queries[1].tcp);
  EXPECT_EQ(query_tail(d.server.queries[1].message), query_tail(d.server.queries[0].message));
  EXPECT_EQ(d.resolver.stats().truncated, 1u);
  d.net.sim.run_for(Duration::seconds(300));  // TIME-WAIT ends
}

// A server filling a 512-byte datagram cuts the TC answer in the middle of
// a record. It still says "ask over TCP"; it was dropped as malformed, and
// every try of every server met the same fate.
TEST(DnsResolverSim, ATruncatedAnswerCutMidRecordIsAskedAgainOverTcp) {
  DnsNet d;
  for (std::uint8_t i = 1; i <= 20; ++i) {
    std::array<std::uint8_t, 16> bytes = host_address6.octets;
    bytes[15] = i;
    d.server.add_aaaa("big.name.test", Ipv6Address{bytes});
  }
  d.server.cut_udp_at = dns::max_udp_message_len;
  EXPECT_ERROR(d.lookup("big.name.test", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  const DnsResult& r = d.answers.results[0];
  EXPECT_EQ(r.outcome, DnsOutcome::Found);
  ASSERT_EQ(r.count, config::dns_max_host_ip);
  std::array<std::uint8_t, 16> first = host_address6.octets;
  first[15] = 1;
  EXPECT_EQ(r.addresses[0], IpAddress(Ipv6Address{first}));
  ASSERT_EQ(d.server.queries.size(), 2u);
  EXPECT_FALSE(d.server.queries[0].tcp);
  EXPECT_TRUE(d.server.queries[1].tcp);
  EXPECT_EQ(d.resolver.stats().truncated, 1u);
  EXPECT_EQ(d.resolver.stats().drop_malformed, 0u);
  d.net.sim.run_for(Duration::seconds(300));  // TIME-WAIT ends
}

// RFC 2181 8: a TTL with the top bit set counts as zero, so the answer is
// used once and not cached (it was kept for the cache's ceiling, a week).
TEST(DnsResolverSim, ATtlWithTheTopBitSetIsNotCached) {
  DnsNet d;
  d.server.add_a("odd.name.test", host_address, 0x80000000U);
  EXPECT_ERROR(d.lookup("odd.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address));
  EXPECT_ERROR(d.lookup("odd.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered(2));
  EXPECT_EQ(d.server.queries.size(), 2u);
  EXPECT_EQ(d.resolver.stats().cache_hits, 0u);
}

TEST(DnsResolverSim, ForgedAnswersAreDroppedAndTheRealOneTaken) {
  DnsNet d;
  d.server.spoof_first = true;
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address));
  EXPECT_EQ(d.resolver.stats().drop_spoofed, 3u);  // wrong id, wrong question, wrong port
  EXPECT_EQ(d.resolver.stats().answers, 1u);
}

TEST(DnsResolverSim, AnswersFromAnotherServerAddressAreDropped) {
  DnsNet d;
  // Asked: 192.0.2.77 (no such host); B answers from 192.0.2.2 with the
  // right id and question. The resolver must not take it.
  ASSERT_OK(d.net.a.arp_add_static(d.net.a_if, Ipv4Address::of(192, 0, 2, 77), mac_b));
  ASSERT_OK(d.resolver.set_server(0, Ipv4Address::of(192, 0, 2, 77)));
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  d.net.sim.settle();
  // B never sees it (not its address); replay it to B's server from A's
  // side by hand: parse the frame A sent, and let B answer it.
  const std::vector<FrameLog::Frame> frames = d.net.log.with_ethertype(0x0800, 0);
  ASSERT_FALSE(frames.empty());
  const ByteVector& frame = frames.back().bytes;
  const ByteVector message(frame.begin() + 42, frame.end());
  Result<DnsRepr> query = DnsRepr::parse(message);
  ASSERT_OK(query);
  const ByteVector reply = d.server.answer(*query, true);
  const std::uint16_t port = load_be16(frame, 34);
  ASSERT_OK(d.server.send(reply, {ip_a, port}, d.net.sim.now()));
  d.net.sim.settle();
  EXPECT_EQ(d.resolver.stats().drop_spoofed, 1u);
  EXPECT_TRUE(d.answers.results.empty());
}

TEST(DnsResolverSim, LocalNamesGoToTheMdnsGroup) {
  DnsNet d;
  FakeDnsServer responder(d.net.b, d.net.sim.now(), dns::mdns_port, true);
  responder.add_a("printer.local", Ipv4Address::of(192, 0, 2, 42), 120);
  ASSERT_OK(d.net.b.attach_app(responder));
  d.net.sim.settle();
  d.net.log.clear();
  EXPECT_ERROR(d.lookup("printer.local"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(Ipv4Address::of(192, 0, 2, 42)));
  EXPECT_TRUE(d.server.queries.empty());  // the unicast server was not asked
  ASSERT_EQ(responder.queries.size(), 1u);
  const FakeDnsServer::Query& q = responder.queries[0];
  EXPECT_NE(q.from.port, dns::mdns_port);  // one-shot: from an ephemeral port
  // No recursion wanted from a responder.
  EXPECT_EQ(query_tail(q.message), to_hex(hex("00 00 00 01 00 00 00 00 00 00"
                                              "07 70 72 69 6e 74 65 72 05 6c 6f 63 61 6c 00 00 01 00 01")));
  bool saw_group = false;
  for (const FrameLog::Frame& f : d.net.log.with_ethertype(0x0800, 0)) {
    if (frame_ip_destination(f.bytes) == dns::mdns_group) {
      saw_group = true;
      EXPECT_EQ(frame_destination_mac(f.bytes), (MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}));
      EXPECT_EQ(frame_ip_ttl(f.bytes), 255);
      EXPECT_EQ(load_be16(f.bytes, 36), dns::mdns_port);
    }
  }
  EXPECT_TRUE(saw_group);
  d.net.b.detach_app(responder);
}

// A without an IPv4 address, B answering mDNS for printer.local's AAAA,
// both past DAD of their link-local addresses.
struct Ipv6OnlyMdnsNet {
  Ipv6OnlyMdnsNet() : responder(d.net.b, d.net.sim.now(), dns::mdns_port, true) {
    EXPECT_OK(d.net.a.set_ipv4(d.net.a_if, IpCidr{IpAddress(Ipv4Address{}), 0}, std::nullopt, d.net.sim.now()));
    responder.add_aaaa("printer.local", host_address6, 120);
    EXPECT_OK(d.net.b.attach_app(responder));
    d.net.sim.run_for(Duration::seconds(3));
  }
  ~Ipv6OnlyMdnsNet() { d.net.b.detach_app(responder); }
  DnsNet d;
  FakeDnsServer responder;
};

// RFC 6762 runs over IPv6 too: on a link without IPv4 an AAAA question for
// a .local name goes to [ff02::fb]:5353, and the answer is used. It went to
// 224.0.0.251, which a host without IPv4 cannot reach.
TEST(DnsResolverSim, LocalNamesAskTheIpv6MdnsGroupForAaaa) {
  Ipv6OnlyMdnsNet t;
  DnsNet& d = t.d;
  FakeDnsServer& responder = t.responder;
  d.net.log.clear();
  EXPECT_ERROR(d.lookup("printer.local", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  ASSERT_EQ(d.answers.results[0].count, 1u);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address6));
  ASSERT_EQ(responder.queries.size(), 1u);
  EXPECT_TRUE(responder.queries[0].from.address.is_v6());
  EXPECT_NE(responder.queries[0].from.port, dns::mdns_port);
  bool saw_group = false;
  for (const FrameLog::Frame& f : d.net.log.with_ethertype(0x86dd, 0)) {
    // IPv6 next header UDP to ff02::fb port 5353, hop limit 255.
    if (f.bytes[20] != 17 || load_be16(f.bytes, 56) != dns::mdns_port) continue;
    const Ipv6Address destination = Ipv6Address::from_bytes(ConstBytes(f.bytes).subspan(38, 16));
    EXPECT_EQ(destination, Ipv6Address::link_scope_group(0xfb));
    EXPECT_EQ(frame_destination_mac(f.bytes), (MacAddress{{0x33, 0x33, 0x00, 0x00, 0x00, 0xfb}}));
    EXPECT_EQ(f.bytes[21], 255);
    saw_group = true;
  }
  EXPECT_TRUE(saw_group);
  EXPECT_TRUE(d.net.log.with_ethertype(0x0800, 0).empty());  // nothing left over IPv4
}

// An A question for a .local name on a host with no IPv4 address: no
// responder can be asked (the IPv4 group has no source), so the answer is
// "no address of this type" at once, not after the 7 s of tries that kept
// getaddrinfo(AF_UNSPEC) waiting beside a quick AAAA answer. The AAAA
// question still goes out.
TEST(DnsResolverSim, AnAQuestionForALocalNameWithoutIpv4EndsAtOnce) {
  Ipv6OnlyMdnsNet t;
  DnsNet& d = t.d;
  const Result<DnsResult> a = d.lookup("printer.local", DnsRecordType::A);
  ASSERT_OK(a);
  EXPECT_EQ(a->outcome, DnsOutcome::NotFound);
  EXPECT_EQ(a->count, 0u);
  EXPECT_ERROR(d.lookup("printer.local", DnsRecordType::AAAA), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  ASSERT_EQ(d.answers.results.size(), 1u);  // the AAAA question's only
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address6));
  EXPECT_TRUE(d.net.log.with_ethertype(0x0800, 0).empty());
  d.net.sim.run_for(Duration::seconds(10));
  EXPECT_EQ(d.answers.results.size(), 1u);  // nothing more, ever
}

// RFC 6762 11: mDNS answers are taken only from the link. B, renumbered off
// A's subnet (198.51.100.7, reaching A through a gateway), answers from
// port 5353 with the right id and question: dropped. Back on the subnet,
// the same answer is taken.
TEST(DnsResolverSim, MdnsAnswersFromOffLinkSourcesAreDropped) {
  DnsNet d;
  const Ipv4Address off_link = Ipv4Address::of(198, 51, 100, 7);
  const Ipv4Address gateway = Ipv4Address::of(198, 51, 100, 1);
  ASSERT_OK(d.net.b.set_ipv4(d.net.b_if, IpCidr{IpAddress(off_link), 24}, gateway, d.net.sim.now()));
  ASSERT_OK(d.net.b.arp_add_static(d.net.b_if, gateway, mac_a));
  FakeDnsServer responder(d.net.b, d.net.sim.now(), dns::mdns_port, true);
  responder.add_a("printer.local", Ipv4Address::of(192, 0, 2, 42), 120);
  ASSERT_OK(d.net.b.attach_app(responder));
  d.net.sim.settle();
  EXPECT_ERROR(d.lookup("printer.local"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::TimedOut);
  ASSERT_EQ(responder.queries.size(), 4u);  // every try answered, every answer dropped
  EXPECT_EQ(d.resolver.stats().drop_spoofed, 4u);
  EXPECT_EQ(d.resolver.stats().answers, 0u);

  ASSERT_OK(d.net.b.set_ipv4(d.net.b_if, IpCidr{IpAddress(ip_b), 24}, std::nullopt, d.net.sim.now()));
  d.net.sim.settle();
  EXPECT_ERROR(d.lookup("printer.local"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered(2));
  EXPECT_EQ(d.answers.results[1].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.results[1].addresses[0], IpAddress(Ipv4Address::of(192, 0, 2, 42)));
  EXPECT_EQ(d.resolver.stats().drop_spoofed, 4u);
  d.net.b.detach_app(responder);
}

TEST(DnsResolverSim, NumericNamesLocalhostAndTheHookNeedNoQuery) {
  DnsNet d;
  Result<DnsResult> v4 = d.lookup("198.51.100.7");
  ASSERT_OK(v4);
  EXPECT_EQ(v4->outcome, DnsOutcome::Found);
  EXPECT_EQ(v4->addresses[0], IpAddress(Ipv4Address::of(198, 51, 100, 7)));
  Result<DnsResult> v6 = d.lookup("2001:db8::10", DnsRecordType::AAAA);
  ASSERT_OK(v6);
  EXPECT_EQ(v6->addresses[0], IpAddress(host_address6));
  Result<DnsResult> mismatch = d.lookup("2001:db8::10", DnsRecordType::A);
  ASSERT_OK(mismatch);
  EXPECT_EQ(mismatch->outcome, DnsOutcome::NotFound);
  Result<DnsResult> local = d.lookup("LocalHost");
  ASSERT_OK(local);
  EXPECT_EQ(local->addresses[0], IpAddress(Ipv4Address::loopback()));
  Result<DnsResult> local6 = d.lookup("localhost", DnsRecordType::AAAA);
  ASSERT_OK(local6);
  EXPECT_EQ(local6->addresses[0], IpAddress(Ipv6Address::loopback()));

  d.resolver.set_external_resolve(
      [](void*, std::string_view name, DnsRecordType, DnsResult& result) {
        if (name != "hooked.name.test") return false;
        result.outcome = DnsOutcome::Found;
        result.addresses[0] = Ipv4Address::of(203, 0, 113, 5);
        result.count = 1;
        return true;
      },
      nullptr);
  Result<DnsResult> hooked = d.lookup("hooked.name.test");
  ASSERT_OK(hooked);
  EXPECT_EQ(hooked->addresses[0], IpAddress(Ipv4Address::of(203, 0, 113, 5)));
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);  // the hook passed it on
  d.resolver.set_external_resolve(nullptr, nullptr);

  EXPECT_ERROR(d.lookup(""), Error::InvalidArgument);
  EXPECT_ERROR(d.lookup("a..b"), Error::InvalidArgument);
  EXPECT_ERROR(d.lookup(std::string(300, 'a')), Error::InvalidArgument);
  d.net.sim.settle();
  EXPECT_EQ(d.server.queries.size(), 1u);
}

TEST(DnsResolverSim, WithoutServersOnlyLocalNamesResolve) {
  DnsNet d;
  ASSERT_OK(d.resolver.set_server(0, IpAddress{}));
  Result<DnsResult> none = d.lookup("host.name.test");
  ASSERT_OK(none);
  EXPECT_EQ(none->outcome, DnsOutcome::NoServers);
  EXPECT_ERROR(d.resolver.set_server(config::dns_max_servers, ip_b), Error::InvalidArgument);
  EXPECT_ERROR(d.resolver.set_server(0, dns::mdns_group), Error::InvalidArgument);
  EXPECT_EQ(d.resolver.server(config::dns_max_servers), IpAddress{});
  EXPECT_EQ(d.resolver.server(0), IpAddress{});
  ASSERT_OK(d.resolver.set_server(1, ip_b));
  EXPECT_EQ(d.resolver.server(1), IpAddress(ip_b));
}

TEST(DnsResolverSim, SameNameSharesAQueryAndTheTableIsBounded) {
  DnsNet d;
  d.server.drop = 100;
  Answers second;
  second.sim = &d.net.sim;
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  EXPECT_ERROR(d.resolver.lookup(d.net.a, "host.name.test", DnsRecordType::A, &Answers::record, &second,
                                 d.net.sim.now()),
               Error::InProgress);
  EXPECT_EQ(d.resolver.pending_queries(), 1u);
  for (std::size_t i = 1; i < config::dns_table_size; ++i) {
    // Appended, not "n" + std::string: GCC 12 -O3 warns (-Wrestrict) on the latter.
    std::string name = "n";
    name += std::to_string(i);
    name += ".name.test";
    EXPECT_ERROR(d.lookup(name), Error::InProgress);
  }
  EXPECT_ERROR(d.lookup("one.too.many.test"), Error::TableFull);
  // A cancelled caller is not called; the other waiter still is.
  d.resolver.cancel(d.net.a, &d.answers, d.net.sim.now());
  EXPECT_EQ(d.resolver.pending_queries(), 1u);
  d.server.drop = 0;
  ASSERT_TRUE(d.net.sim.run_until([&] { return !second.results.empty(); }, Duration::seconds(60)));
  EXPECT_EQ(second.results[0].outcome, DnsOutcome::Found);
  EXPECT_TRUE(d.answers.results.empty());
}

TEST(DnsResolverSim, ACallbackMayStartTheNextLookup) {
  DnsNet d;
  d.server.add_a("second.name.test", Ipv4Address::of(192, 0, 2, 20));
  struct Chain {
    DnsNet* d;
    Answers second;
    static void first_done(void* context, const DnsResult& result) {
      auto* self = static_cast<Chain*>(context);
      self->d->answers.results.push_back(result);
      // Takes the slots the first lookup just left.
      EXPECT_ERROR(self->d->resolver.lookup(self->d->net.a, "second.name.test", DnsRecordType::A,
                                            &Answers::record, &self->second, self->d->net.sim.now()),
                   Error::InProgress);
    }
  } chain{&d, {}};
  chain.second.sim = &d.net.sim;
  EXPECT_ERROR(d.resolver.lookup(d.net.a, "host.name.test", DnsRecordType::A, &Chain::first_done, &chain,
                                 d.net.sim.now()),
               Error::InProgress);
  ASSERT_TRUE(d.net.sim.run_until([&] { return !chain.second.results.empty(); }, Duration::seconds(60)));
  ASSERT_EQ(d.answers.results.size(), 1u);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(host_address));
  ASSERT_EQ(chain.second.results.size(), 1u);
  EXPECT_EQ(chain.second.results[0].addresses[0], IpAddress(Ipv4Address::of(192, 0, 2, 20)));
}

TEST(DnsResolverSim, MaxHostIpBoundsTheAddresses) {
  DnsNet d;
  for (std::uint8_t i = 1; i <= 10; ++i) d.server.add_a("many.name.test", Ipv4Address::of(192, 0, 2, i));
  EXPECT_ERROR(d.lookup("many.name.test"), Error::InProgress);
  ASSERT_TRUE(d.run_until_answered());
  EXPECT_EQ(d.answers.results[0].count, config::dns_max_host_ip);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress(Ipv4Address::of(192, 0, 2, 1)));
}

}  // namespace
}  // namespace lwnet::test::dns_resolver_test
