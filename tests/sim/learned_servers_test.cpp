// Servers learned by one app reach the others through the stack
// (Stack::publish_dns_servers / publish_ntp_servers): the resolver takes
// them as main and backup, never as its fallback, and a withdrawal never
// removes a server set by hand; SNTP takes NTP servers only when told to;
// DnsNameLookup gives the SNTP client names through the resolver.
#include <gtest/gtest.h>

#include <array>

#include "apps/dns_name_lookup.h"
#include "apps/dns_resolver.h"
#include "apps/sntp_client.h"
#include "support/fake_dns_server.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::learned_servers_test {
namespace {

constexpr Ipv4Address host_address = Ipv4Address::of(192, 0, 2, 10);
constexpr Ipv4Address hand_set = Ipv4Address::of(198, 51, 100, 53);

struct Answers {
  std::vector<DnsResult> results;
  static void record(void* context, const DnsResult& result) {
    static_cast<Answers*>(context)->results.push_back(result);
  }
};

// A's resolver, B's DNS server; nothing configures the resolver by hand.
struct LearnedNet {
  LearnedNet() : server(net.b, net.sim.now()) {
    net.sim.settle();
    EXPECT_OK(net.a.attach_app(resolver));
    EXPECT_OK(net.b.attach_app(server));
    server.add_a("host.name.test", host_address, 60);
    server.add_aaaa("six.name.test", parse_ip_address("2001:db8::10")->v6(), 60);
  }
  ~LearnedNet() {
    resolver.close(net.a, net.sim.now());
    net.a.detach_app(resolver);
    net.b.detach_app(server);
  }
  void publish(std::span<const IpAddress> servers) {
    net.a.publish_dns_servers(ServerSource::Dhcp4, net.a_if, servers);
  }
  Result<DnsResult> lookup(std::string_view name) {
    return resolver.lookup(net.a, name, DnsRecordType::A, &Answers::record, &answers, net.sim.now());
  }

  TwoHosts net;
  DnsResolver resolver;
  FakeDnsServer server;
  Answers answers;
};

TEST(LearnedServersSim, ThePublishedServerAnswersTheNextLookup) {
  LearnedNet d;
  Result<DnsResult> before = d.lookup("host.name.test");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->outcome, DnsOutcome::NoServers);

  const std::array<IpAddress, 1> servers{IpAddress{ip_b}};
  d.publish(servers);
  EXPECT_ERROR(d.lookup("host.name.test"), Error::InProgress);
  EXPECT_EQ(d.resolver.server(0), IpAddress{ip_b});
  ASSERT_TRUE(d.net.sim.run_until([&] { return !d.answers.results.empty(); }, Duration::seconds(10)));
  EXPECT_EQ(d.answers.results[0].outcome, DnsOutcome::Found);
  EXPECT_EQ(d.answers.results[0].addresses[0], IpAddress{host_address});
  EXPECT_EQ(d.server.queries.size(), 1u);
}

TEST(LearnedServersSim, MainAndBackupOnlyNeverTheFallback) {
  LearnedNet d;
  const std::size_t fallback = DnsResolver::fallback_index();
  if (config::fallback_dns_server_support) {
    ASSERT_OK(d.resolver.set_server(fallback, IpAddress{hand_set}));
  }
  const std::array<IpAddress, 4> servers{IpAddress{Ipv4Address::of(192, 0, 2, 61)},
                                         IpAddress{Ipv4Address::of(192, 0, 2, 62)},
                                         IpAddress{Ipv4Address::of(192, 0, 2, 63)},
                                         IpAddress{Ipv4Address::of(192, 0, 2, 64)}};
  d.publish(servers);
  d.net.sim.settle();  // the resolver takes them in its poll
  ASSERT_EQ(DnsResolver::learned_slots(), std::min<std::size_t>(2, config::dns_max_servers -
                                                                       (config::fallback_dns_server_support ? 1 : 0)));
  for (std::size_t i = 0; i < DnsResolver::learned_slots(); ++i) EXPECT_EQ(d.resolver.server(i), servers[i]);
  for (std::size_t i = DnsResolver::learned_slots(); i < config::dns_max_servers; ++i) {
    if (config::fallback_dns_server_support && i == fallback) {
      EXPECT_EQ(d.resolver.server(i), IpAddress{hand_set});
    } else {
      EXPECT_TRUE(d.resolver.server(i).is_unspecified()) << i;
    }
  }
}

TEST(LearnedServersSim, AWithdrawalKeepsServersSetByHandSince) {
  LearnedNet d;
  const std::array<IpAddress, 2> servers{IpAddress{ip_b}, IpAddress{Ipv4Address::of(192, 0, 2, 62)}};
  d.publish(servers);
  d.net.sim.settle();
  ASSERT_EQ(d.resolver.server(1), servers[1]);
  ASSERT_OK(d.resolver.set_server(0, IpAddress{hand_set}));
  d.publish({});
  d.net.sim.settle();
  EXPECT_EQ(d.resolver.server(0), IpAddress{hand_set});
  if (DnsResolver::learned_slots() > 1) {
    EXPECT_TRUE(d.resolver.server(1).is_unspecified());
  }
}

TEST(LearnedServersSim, AResolverToldNotToKeepsItsOwnServers) {
  LearnedNet d;
  d.resolver.set_use_learned_servers(false);
  ASSERT_OK(d.resolver.set_server(0, IpAddress{hand_set}));
  const std::array<IpAddress, 1> servers{IpAddress{ip_b}};
  d.publish(servers);
  d.net.sim.settle();
  EXPECT_EQ(d.resolver.server(0), IpAddress{hand_set});
}

TEST(LearnedServersSim, NameLookupAsksAThenAaaaAndHandsTheAddressOnce) {
  LearnedNet d;
  ASSERT_OK(d.resolver.set_server(0, IpAddress{ip_b}));
  DnsNameLookup lookup(d.resolver, d.net.a);
  EXPECT_ERROR(lookup.resolve("host.name.test", d.net.sim.now()), Error::WouldBlock);
  EXPECT_ERROR(lookup.resolve("host.name.test", d.net.sim.now()), Error::WouldBlock);
  d.net.sim.settle();
  Result<IpAddress> a = lookup.resolve("host.name.test", d.net.sim.now());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, IpAddress{host_address});
  EXPECT_EQ(d.server.queries.size(), 1u);

  // No A record: AAAA is asked next, through the same seam.
  EXPECT_ERROR(lookup.resolve("six.name.test", d.net.sim.now()), Error::WouldBlock);
  d.net.sim.settle();
  EXPECT_ERROR(lookup.resolve("six.name.test", d.net.sim.now()), Error::WouldBlock);
  d.net.sim.settle();
  Result<IpAddress> six = lookup.resolve("six.name.test", d.net.sim.now());
  ASSERT_TRUE(six.ok());
  EXPECT_EQ(*six, *parse_ip_address("2001:db8::10"));
  EXPECT_EQ(d.server.queries.size(), 3u);

  EXPECT_ERROR(lookup.resolve("none.name.test", d.net.sim.now()), Error::WouldBlock);
  ASSERT_TRUE(d.net.sim.run_until(
      [&] { return lookup.resolve("none.name.test", d.net.sim.now()).error() != Error::WouldBlock; },
      Duration::seconds(10)));
}

std::int64_t fixed_wall(void*, Instant now) { return 1796379518LL * 1000000 + now.total_micros(); }

TEST(LearnedServersSim, SntpTakesPublishedNtpServersOnlyWhenTold) {
  TwoHosts net;
  SntpClient client;
  client.set_wall_clock(fixed_wall, nullptr);
  const std::array<IpAddress, 2> servers{IpAddress{ip_b}, IpAddress{Ipv4Address::of(192, 0, 2, 123)}};
  net.a.publish_ntp_servers(ServerSource::Dhcp4, net.a_if, servers);
  ASSERT_OK(client.start(net.a, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(client.server(0).is_unspecified());
  client.stop(net.a);

  client.set_use_learned_servers(true);
  ASSERT_OK(client.start(net.a, net.sim.now()));
  EXPECT_EQ(client.server(0), servers[0]);
  if (SntpClient::max_servers > 1) {
    EXPECT_EQ(client.server(1), servers[1]);
  }
  // Withdrawn: the slots it filled empty again, a hand-set one stays.
  ASSERT_OK(client.set_server(0, IpAddress{hand_set}));
  net.a.publish_ntp_servers(ServerSource::Dhcp4, net.a_if, {});
  net.sim.settle();
  EXPECT_EQ(client.server(0), IpAddress{hand_set});
  if (SntpClient::max_servers > 1) {
    EXPECT_TRUE(client.server(1).is_unspecified());
  }
  client.stop(net.a);
}

}  // namespace
}  // namespace lwnet::test::learned_servers_test
