// Name resolution through the TCP/IP thread: the resolver's thread talks to
// a scripted DNS server run by a second TCP/IP thread, over a socketpair
// (one Ethernet frame per datagram). NameResolver with its own thread, and
// the C calls (getaddrinfo, gethostbyname_r, dns_setserver...) on the
// default thread.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#define LWIP_COMPAT_SOCKETS 1
#include "lwip/dns.h"
#include "lwip/netdb.h"
#include "lwip/tcpip.h"
#include "lwnet/lwnet.h"

#include "api/name_resolver.h"
#include "api/tcpip_c.h"
#include "api/tcpip_thread.h"
#include "datagram_device.h"
#include "support/fake_dns_server.h"
#include "support/hosts.h"

namespace lwnet::test::netdb_dns_test {
namespace {

const Ipv6Address host_address6 = parse_ip_address("2001:db8::10")->v6();

// Two TCP/IP threads joined by a socketpair: the client's and the server's.
struct ThreadedDnsNet {
  explicit ThreadedDnsNet(Ipv4Address client_ip = ip_a, Ipv4Address server_ip = ip_b,
                          api::TcpipThread* client_thread = nullptr)
      : fds(make_pair()), client_device(fds[0]), server_device(fds[1]) {
    client = client_thread != nullptr ? client_thread : &own_client.emplace();
    EXPECT_TRUE(server.start().ok());
    if (client_thread == nullptr) {
      EXPECT_TRUE(client->start().ok());
    }
    EXPECT_TRUE(client->add_netif(client_device, fds[0], netif_config("dns0", mac_a, client_ip, 24)).ok());
    EXPECT_TRUE(server.add_netif(server_device, fds[1], netif_config("dns1", mac_b, server_ip, 24)).ok());
    fake = server.call([](Stack& stack, Instant now) {
      auto f = std::make_shared<FakeDnsServer>(stack, now);
      (void)stack.attach_app(*f);
      return f;
    });
    server.call([&](Stack&, Instant) {
      fake->add_a("host.name.test", Ipv4Address::of(192, 0, 2, 10));
      fake->add_a("host.name.test", Ipv4Address::of(192, 0, 2, 11));
      fake->add_aaaa("host.name.test", host_address6);
      fake->add_aaaa("v6only.name.test", host_address6);
      return 0;
    });
  }
  ~ThreadedDnsNet() {
    server.call([&](Stack& stack, Instant) {
      stack.detach_app(*fake);
      fake.reset();
      return 0;
    });
    server.stop();
  }
  static std::array<int, 2> make_pair() {
    int pair[2] = {-1, -1};
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair), 0);
    return {pair[0], pair[1]};
  }

  std::array<int, 2> fds;
  DatagramDevice client_device;
  DatagramDevice server_device;
  std::optional<api::TcpipThread> own_client;
  api::TcpipThread* client = nullptr;
  api::TcpipThread server;
  std::shared_ptr<FakeDnsServer> fake;
};

TEST(NameResolverApi, ResolvesEachFamilyAndBothInRfc6724Order) {
  ThreadedDnsNet net;
  {
    api::NameResolver resolver(*net.client);
    ASSERT_TRUE(resolver.set_server(0, ip_b).ok());
    EXPECT_EQ(resolver.server(0), IpAddress(ip_b));

    const api::Resolution v4 = resolver.resolve("host.name.test", api::AddressFamily::V4);
    EXPECT_EQ(v4.outcome, DnsOutcome::Found);
    ASSERT_EQ(v4.count, config::dns_max_host_ip);
    EXPECT_EQ(v4.addresses[0], IpAddress(Ipv4Address::of(192, 0, 2, 10)));

    const api::Resolution v6 = resolver.resolve("host.name.test", api::AddressFamily::V6);
    ASSERT_EQ(v6.count, 1u);
    EXPECT_EQ(v6.addresses[0], IpAddress(host_address6));

    // No global IPv6 source on this host (its link-local one does not reach
    // a global destination): IPv4 first (RFC 6724 rules 1 and 2).
    const api::Resolution both = resolver.resolve("host.name.test", api::AddressFamily::Any);
    EXPECT_EQ(both.outcome, DnsOutcome::Found);
    ASSERT_EQ(both.count, config::dns_max_host_ip + 1);
    EXPECT_TRUE(both.addresses[0].is_v4());
    EXPECT_EQ(both.addresses[both.count - 1], IpAddress(host_address6));

    const api::Resolution only6 = resolver.resolve("v6only.name.test", api::AddressFamily::Any);
    EXPECT_EQ(only6.outcome, DnsOutcome::Found);
    ASSERT_EQ(only6.count, 1u);
    EXPECT_EQ(only6.addresses[0], IpAddress(host_address6));

    EXPECT_EQ(resolver.resolve("nothere.name.test", api::AddressFamily::Any).outcome, DnsOutcome::NotFound);
    // Answered from the cache: the server saw the name once per family.
    const std::size_t asked = net.server.call([&](Stack&, Instant) { return net.fake->queries.size(); });
    EXPECT_EQ(resolver.resolve("host.name.test", api::AddressFamily::Any).count, config::dns_max_host_ip + 1);
    EXPECT_EQ(net.server.call([&](Stack&, Instant) { return net.fake->queries.size(); }), asked);
    EXPECT_GE(resolver.stats().cache_hits, 2u);
    resolver.clear_cache();
    EXPECT_EQ(resolver.resolve("host.name.test", api::AddressFamily::V4).outcome, DnsOutcome::Found);
    EXPECT_EQ(net.server.call([&](Stack&, Instant) { return net.fake->queries.size(); }), asked + 1);
  }
  net.client->stop();
}

TEST(NameResolverApi, ResolvesFromManyThreadsAtOnce) {
  ThreadedDnsNet net;
  {
    api::NameResolver resolver(*net.client);
    ASSERT_TRUE(resolver.set_server(0, ip_b).ok());
    std::vector<std::thread> threads;
    std::atomic<int> found{0};
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&, i] {
        const char* name = i % 2 == 0 ? "host.name.test" : "v6only.name.test";
        if (resolver.resolve(name, api::AddressFamily::Any).outcome == DnsOutcome::Found) ++found;
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(found.load(), 6);
  }
  net.client->stop();
}

// More lookups at once than the resolver's table holds (4 queries, 8
// waiting lookups): the first queries go unanswered, so all pile up; those
// that found the table full wait for room and are answered too.
TEST(NameResolverApi, LookupsBeyondTheTableWaitForRoom) {
  static_assert(config::dns_table_size < 10 && config::dns_max_requests < 10);
  ThreadedDnsNet net;
  const std::array<std::string, 10> names{"h0.name.test", "h1.name.test", "h2.name.test", "h3.name.test",
                                          "h4.name.test", "h5.name.test", "h6.name.test", "h7.name.test",
                                          "h8.name.test", "h9.name.test"};
  net.server.call([&](Stack&, Instant) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      net.fake->add_a(names[i], Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(20 + i)));
    }
    net.fake->drop = 4;  // the first round waits for its retry (1 s)
    return 0;
  });
  {
    api::NameResolver resolver(*net.client);
    ASSERT_TRUE(resolver.set_server(0, ip_b).ok());
    std::vector<std::thread> threads;
    std::array<DnsOutcome, 10> outcomes{};
    std::array<IpAddress, 10> first{};
    for (std::size_t i = 0; i < names.size(); ++i) {
      threads.emplace_back([&, i] {
        const api::Resolution r = resolver.resolve(names[i], api::AddressFamily::V4);
        outcomes[i] = r.outcome;
        if (r.count > 0) first[i] = r.addresses[0];
      });
    }
    for (std::thread& t : threads) t.join();
    for (std::size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(outcomes[i], DnsOutcome::Found) << names[i];
      EXPECT_EQ(first[i], IpAddress(Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(20 + i)))) << names[i];
    }
  }
  net.client->stop();
}

TEST(NameResolverApi, ServersThatDoNotAnswerTimeOut) {
  ThreadedDnsNet net;
  {
    api::NameResolver resolver(*net.client);
    ASSERT_TRUE(resolver.set_server(0, ip_b).ok());
    net.server.call([&](Stack&, Instant) { return net.fake->drop = 1000; });
    const api::Resolution r = resolver.resolve("host.name.test", api::AddressFamily::V4);
    EXPECT_EQ(r.outcome, DnsOutcome::TimedOut);
    EXPECT_EQ(r.count, 0u);
  }
  net.client->stop();
}

// The default thread polls the static nets' devices until it stops: stop it
// before they are destroyed (a function registered after a static was
// constructed runs before its destructor): call after constructing each.
void stop_default_thread_at_exit() {
  EXPECT_EQ(std::atexit([] {
              if (api::TcpipThread* thread = api::default_tcpip()) thread->stop();
            }),
            0);
}

// The sources getaddrinfo orders by (api::source_addresses) include the
// netifs' usable IPv6 addresses: once the client's global address passed
// DAD, AF_UNSPEC puts the name's global IPv6 address first (RFC 6724 rule
// 6: ::/0 has precedence over ::ffff:0:0/96).
TEST(NameResolverApi, AGlobalIpv6SourcePutsIpv6First) {
  ThreadedDnsNet net;
  {
    api::NameResolver resolver(*net.client);
    ASSERT_TRUE(resolver.set_server(0, ip_b).ok());
    const IpCidr global{parse_ip_address("2001:db8::2")->v6(), 64};
    const SourceAddresses before = net.client->call([](Stack& stack, Instant) { return api::source_addresses(stack); });
    EXPECT_TRUE(before.ipv4);
    EXPECT_FALSE(before.ipv6_global);
    ASSERT_TRUE(net.client->call([&](Stack& stack, Instant now) {
      const std::optional<NetifId> netif = stack.netif_find("dns0");
      return netif ? stack.add_ipv6_address(*netif, global, now) : Status(Error::InvalidArgument);
    }).ok());
    // Tentative while DAD probes (a second per probe), then usable.
    SourceAddresses sources;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!sources.ipv6_global && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      sources = net.client->call([](Stack& stack, Instant) { return api::source_addresses(stack); });
    }
    EXPECT_TRUE(sources.ipv6_global);
    EXPECT_TRUE(sources.ipv6_link_local);
    EXPECT_TRUE(sources.ipv4);
    const api::Resolution both = resolver.resolve("host.name.test", api::AddressFamily::Any);
    ASSERT_EQ(both.count, config::dns_max_host_ip + 1);
    EXPECT_EQ(both.addresses[0], IpAddress(host_address6));
    EXPECT_TRUE(both.addresses[1].is_v4());
  }
  net.client->stop();
}

// The default resolver is built by the first thread that asks for it, and
// building it waits for the TCP/IP thread; a callback there asking for the
// resolver at that moment (a getaddrinfo in a timer callback, say) waited
// for the builder's lock, which the builder held until the TCP/IP thread
// ran its call: both waited for ever. In the death test's child (threadsafe
// style: this test alone), which gives up after 10 s and says on stderr
// what it saw.
TEST(NameResolverApi, TheDefaultResolverIsBuiltWhileTheTcpipThreadAsksForItToo) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        tcpip_init(nullptr, nullptr);
        api::TcpipThread& thread = *api::default_tcpip();
        api::close_default_name_resolver();  // so that the next use builds it
        static std::binary_semaphore builder_waits{0};
        static std::atomic<api::NameResolver*> from_tcpip_thread{nullptr};
        // The TCP/IP thread is held in this callback until the builder
        // waits for it, then asks for the resolver itself.
        (void)thread.post(
            [](void*) {
              builder_waits.acquire();
              from_tcpip_thread = api::default_name_resolver();
            },
            nullptr);
        std::atomic<api::NameResolver*> from_builder{nullptr};
        std::atomic<bool> built{false};
        std::thread builder([&] {
          from_builder = api::default_name_resolver();
          built = true;
        });
        // Time for the builder to reach its wait for the TCP/IP thread.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        builder_waits.release();
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!built && std::chrono::steady_clock::now() < give_up) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (!built) {
          std::fprintf(stderr, "deadlocked\n");
          std::_Exit(1);
        }
        builder.join();
        api::NameResolver* const core = from_tcpip_thread.load();
        const bool one_resolver = core != nullptr && core == from_builder.load();
        std::fprintf(stderr, "built: 1, one resolver: %d\n", one_resolver ? 1 : 0);
        lwnet_shutdown();
        std::exit(one_resolver ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "built: 1, one resolver: 1");
}

// The C calls on the default TCP/IP thread, on a netif of their own
// (198.51.100.0/24) that stays for the rest of the process.
TEST(LwipNetdbDns, GetaddrinfoGethostbynameAndTheServerCalls) {
  tcpip_init(nullptr, nullptr);
  static ThreadedDnsNet net(Ipv4Address::of(198, 51, 100, 1), Ipv4Address::of(198, 51, 100, 2),
                            api::default_tcpip());
  stop_default_thread_at_exit();
  ip_addr_t server{};
  server.type = IPADDR_TYPE_V4;
  server.u_addr.ip4.addr = htonl(0xc6336402U);  // 198.51.100.2
  dns_setserver(0, &server);
  const ip_addr_t* got = dns_getserver(0);
  EXPECT_EQ(got->type, IPADDR_TYPE_V4);
  EXPECT_EQ(got->u_addr.ip4.addr, server.u_addr.ip4.addr);
  EXPECT_EQ(dns_getserver(DNS_MAX_SERVERS)->u_addr.ip4.addr, 0u);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  ASSERT_EQ(getaddrinfo("host.name.test", "80", &hints, &result), 0);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->ai_family, AF_INET);
  EXPECT_STREQ(result->ai_canonname, "host.name.test");
  sockaddr_in v4{};
  std::memcpy(&v4, result->ai_addr, sizeof v4);
  EXPECT_EQ(v4.sin_addr.s_addr, htonl(0xc000020aU));
  EXPECT_EQ(v4.sin_port, htons(80));
  addrinfo* last = result;
  while (last->ai_next != nullptr) last = last->ai_next;
  ASSERT_EQ(last->ai_family, AF_INET6);
  sockaddr_in6 v6{};
  std::memcpy(&v6, last->ai_addr, sizeof v6);
  EXPECT_EQ(std::memcmp(&v6.sin6_addr, host_address6.octets.data(), 16), 0);
  EXPECT_EQ(v6.sin6_port, htons(80));
  freeaddrinfo(result);

  hints.ai_family = AF_INET6;
  ASSERT_EQ(getaddrinfo("host.name.test", nullptr, &hints, &result), 0);
  EXPECT_EQ(result->ai_family, AF_INET6);
  EXPECT_EQ(result->ai_next, nullptr);
  freeaddrinfo(result);
  EXPECT_EQ(getaddrinfo("nothere.name.test", nullptr, &hints, &result), EAI_NONAME);

  hostent host{};
  hostent* host_result = nullptr;
  int error = 0;
  char buffer[256];
  ASSERT_EQ(gethostbyname_r("host.name.test", &host, buffer, sizeof buffer, &host_result, &error), 0);
  in_addr address{};
  std::memcpy(&address, host.h_addr, sizeof address);
  EXPECT_EQ(address.s_addr, htonl(0xc000020aU));
  EXPECT_EQ(gethostbyname_r("nothere.name.test", &host, buffer, sizeof buffer, &host_result, &error), -1);
  EXPECT_EQ(error, HOST_NOT_FOUND);
  EXPECT_EQ(gethostbyname_r("v6only.name.test", &host, buffer, sizeof buffer, &host_result, &error), -1);
  EXPECT_EQ(error, HOST_NOT_FOUND);
  hostent* simple = gethostbyname("host.name.test");
  ASSERT_NE(simple, nullptr);
  EXPECT_EQ(simple->h_addrtype, AF_INET);

  // Server slots: emptied, then nothing resolves but numbers.
  dns_clear_cache();
  dns_setserver(0, nullptr);
  EXPECT_EQ(getaddrinfo("host.name.test", nullptr, nullptr, &result), EAI_NONAME);
  ASSERT_EQ(getaddrinfo("2001:db8::1", "53", nullptr, &result), 0);
  EXPECT_EQ(result->ai_family, AF_INET6);
  freeaddrinfo(result);
  dns_setserver(0, &server);
}

TEST(LwipNetdbDns, DnsGethostbynameInCoreContext) {
  tcpip_init(nullptr, nullptr);
  static ThreadedDnsNet net(Ipv4Address::of(203, 0, 113, 1), Ipv4Address::of(203, 0, 113, 2),
                            api::default_tcpip());
  stop_default_thread_at_exit();
  ip_addr_t server{};
  server.type = IPADDR_TYPE_V4;
  server.u_addr.ip4.addr = htonl(0xcb007102U);  // 203.0.113.2
  dns_setserver(1, &server);
  dns_clear_cache();
  struct Found {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    ip_addr_t address{};
    bool has_address = false;
  } found;
  api::default_tcpip()->call([&](Stack&, Instant) {
    ip_addr_t now{};
    // Outside core context this would be refused; here: numbers at once...
    EXPECT_EQ(dns_gethostbyname("192.0.2.77", &now, nullptr, nullptr), ERR_OK);
    EXPECT_EQ(now.u_addr.ip4.addr, htonl(0xc000024dU));
    // ... names later, through the callback (IPv6 first, then IPv4).
    const err_t err = dns_gethostbyname_addrtype(
        "v6only.name.test", &now,
        [](const char*, const ip_addr_t* ipaddr, void* arg) {
          auto* f = static_cast<Found*>(arg);
          const std::lock_guard lock(f->mutex);
          if (ipaddr != nullptr) {
            f->address = *ipaddr;
            f->has_address = true;
          }
          f->done = true;
          f->cv.notify_all();
        },
        &found, LWIP_DNS_ADDRTYPE_IPV4_IPV6);
    EXPECT_EQ(err, ERR_INPROGRESS);
    return 0;
  });
  std::unique_lock lock(found.mutex);
  ASSERT_TRUE(found.cv.wait_for(lock, std::chrono::seconds(30), [&] { return found.done; }));
  ASSERT_TRUE(found.has_address);
  EXPECT_EQ(found.address.type, IPADDR_TYPE_V6);
  EXPECT_EQ(std::memcmp(found.address.u_addr.ip6.addr, host_address6.octets.data(), 16), 0);
  ip_addr_t ignored{};
  EXPECT_EQ(dns_gethostbyname("host.name.test", &ignored, nullptr, nullptr), ERR_VAL);  // not core context
  dns_setserver(1, nullptr);
}

// lwnet_shutdown() while dns_gethostbyname() lookups wait for their answer:
// each one's callback runs with NULL (failed, as lwIP reports a lookup that
// will not be answered), a lookup asked from such a callback is refused
// (ERR_VAL: no slot may stay taken by a query that closes at once), and
// every slot is free again once tcpip_init() has started the thread again
// (they stayed taken, so every later lookup failed with ERR_MEM).
// The default thread's net of the shutdown tests (192.0.2.0/24, one netif
// for both: the route to the server must take this one), with its server
// set as the main DNS server and an empty cache.
struct ShutdownNet {
  ThreadedDnsNet& net;
  ip_addr_t server;
};
ShutdownNet shutdown_net() {
  tcpip_init(nullptr, nullptr);
  static ThreadedDnsNet net(Ipv4Address::of(192, 0, 2, 101), Ipv4Address::of(192, 0, 2, 102),
                            api::default_tcpip());
  static const bool registered = [] {
    stop_default_thread_at_exit();
    return true;
  }();
  (void)registered;
  ip_addr_t server{};
  server.type = IPADDR_TYPE_V4;
  server.u_addr.ip4.addr = htonl(0xc0000266U);  // 192.0.2.102
  dns_setserver(0, &server);
  dns_clear_cache();
  return {net, server};
}

TEST(LwipNetdbDns, ShutdownEndsWaitingLookups) {
  const ShutdownNet shutdown = shutdown_net();
  ThreadedDnsNet& net = shutdown.net;
  ip_addr_t server = shutdown.server;
  net.server.call([&](Stack&, Instant) { return net.fake->drop = 1000; });

  struct Answers {
    std::mutex mutex;
    std::condition_variable cv;
    int with_address = 0;
    int without_address = 0;
    ip_addr_t last_address{};
    err_t asked_again = ERR_OK;
  };
  static Answers answers;
  const dns_found_callback record = [](const char* name, const ip_addr_t* ipaddr, void*) {
    const std::lock_guard lock(answers.mutex);
    if (ipaddr != nullptr) {
      ++answers.with_address;
      answers.last_address = *ipaddr;
    } else {
      ++answers.without_address;
      ip_addr_t ignored{};
      answers.asked_again = dns_gethostbyname(name, &ignored, nullptr, nullptr);
    }
    answers.cv.notify_all();
  };
  // `lookups` lookups of one name (one query) in core context.
  const auto ask_in_core = [&](std::size_t lookups) {
    return api::default_tcpip()->call([&](Stack&, Instant) {
      std::vector<err_t> results;
      for (std::size_t i = 0; i < lookups; ++i) {
        ip_addr_t now{};
        results.push_back(dns_gethostbyname("host.name.test", &now, record, nullptr));
      }
      return results;
    });
  };
  // Every slot, and one more.
  const std::size_t slots = config::dns_max_requests;
  std::vector<err_t> started = ask_in_core(slots + 1);
  ASSERT_EQ(started.size(), slots + 1);
  for (std::size_t i = 0; i < slots; ++i) EXPECT_EQ(started[i], ERR_INPROGRESS) << i;
  EXPECT_EQ(started[slots], ERR_MEM);

  lwnet_shutdown();
  {
    const std::lock_guard lock(answers.mutex);
    EXPECT_EQ(answers.without_address, static_cast<int>(slots));
    EXPECT_EQ(answers.with_address, 0);
    EXPECT_EQ(answers.asked_again, ERR_VAL);
    answers.without_address = 0;
  }

  tcpip_init(nullptr, nullptr);
  dns_setserver(0, &server);  // whether it stayed set is another test's
  net.server.call([&](Stack&, Instant) { return net.fake->drop = 0; });
  started = ask_in_core(slots);
  for (std::size_t i = 0; i < slots; ++i) EXPECT_EQ(started[i], ERR_INPROGRESS) << i;
  std::unique_lock lock(answers.mutex);
  EXPECT_TRUE(answers.cv.wait_for(lock, std::chrono::seconds(10), [&] {
    return answers.with_address + answers.without_address == static_cast<int>(slots);
  }));
  EXPECT_EQ(answers.with_address, static_cast<int>(slots));
  EXPECT_EQ(answers.without_address, 0);
  EXPECT_EQ(answers.last_address.type, IPADDR_TYPE_V4);
  EXPECT_EQ(answers.last_address.u_addr.ip4.addr, htonl(0xc000020aU));  // 192.0.2.10
  lock.unlock();
  dns_setserver(0, nullptr);
}

// After lwnet_shutdown() nothing reads the devices, so a lookup could only
// wait out its timeout: getaddrinfo() of a name used to send its query from
// the stopped thread's resolver and wait (EAI_AGAIN seconds later); now it
// fails at once as without a thread (no query leaves), numbers and
// "localhost" still resolve, and after tcpip_init() names resolve again
// with the servers kept.
TEST(LwipNetdbDns, NamesFailAtOnceWhileTheThreadIsStopped) {
  ThreadedDnsNet& net = shutdown_net().net;
  const auto queries = [&] { return net.server.call([&](Stack&, Instant) { return net.fake->queries.size(); }); };
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* result = nullptr;
  ASSERT_EQ(getaddrinfo("host.name.test", nullptr, &hints, &result), 0);
  freeaddrinfo(result);
  const std::size_t asked = queries();
  EXPECT_GE(asked, 1u);
  dns_clear_cache();

  lwnet_shutdown();
  result = nullptr;
  EXPECT_EQ(getaddrinfo("other.name.test", nullptr, &hints, &result), EAI_NONAME);
  EXPECT_EQ(result, nullptr);
  EXPECT_EQ(gethostbyname("other.name.test"), nullptr);
  ASSERT_EQ(getaddrinfo("localhost", nullptr, &hints, &result), 0);
  sockaddr_in v4{};
  std::memcpy(&v4, result->ai_addr, sizeof v4);
  EXPECT_EQ(v4.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  freeaddrinfo(result);
  ASSERT_EQ(getaddrinfo("192.0.2.7", nullptr, &hints, &result), 0);
  freeaddrinfo(result);
  EXPECT_EQ(queries(), asked);

  tcpip_init(nullptr, nullptr);
  ASSERT_EQ(getaddrinfo("host.name.test", nullptr, &hints, &result), 0);
  std::memcpy(&v4, result->ai_addr, sizeof v4);
  EXPECT_EQ(v4.sin_addr.s_addr, htonl(0xc000020aU));  // 192.0.2.10
  freeaddrinfo(result);
  EXPECT_GT(queries(), asked);
  dns_setserver(0, nullptr);
}

// Servers set with dns_setserver() stay set across lwnet_shutdown() and
// tcpip_init(), as lwIP's do (its dns_init() leaves dns_servers as they
// were): the resolver built after the restart used to start empty. A slot
// emptied stays empty too, and a server set while the thread is stopped is
// kept as well.
TEST(LwipNetdbDns, ServersStaySetAcrossShutdown) {
  tcpip_init(nullptr, nullptr);
  ip_addr_t main_server{};
  main_server.type = IPADDR_TYPE_V4;
  main_server.u_addr.ip4.addr = htonl(0xc6336435U);  // 198.51.100.53
  ip_addr_t backup_server{};
  backup_server.type = IPADDR_TYPE_V6;
  std::memcpy(backup_server.u_addr.ip6.addr, parse_ip_address("2001:db8::53")->v6().octets.data(), 16);
  dns_setserver(0, &main_server);
  dns_setserver(1, &backup_server);

  lwnet_shutdown();
  tcpip_init(nullptr, nullptr);
  const ip_addr_t* got = dns_getserver(0);
  EXPECT_EQ(got->type, IPADDR_TYPE_V4);
  EXPECT_EQ(got->u_addr.ip4.addr, main_server.u_addr.ip4.addr);
  got = dns_getserver(1);
  EXPECT_EQ(got->type, IPADDR_TYPE_V6);
  EXPECT_EQ(std::memcmp(got->u_addr.ip6.addr, backup_server.u_addr.ip6.addr, 16), 0);

  dns_setserver(0, nullptr);
  lwnet_shutdown();
  ip_addr_t while_stopped{};
  while_stopped.type = IPADDR_TYPE_V4;
  while_stopped.u_addr.ip4.addr = htonl(0xcb007135U);  // 203.0.113.53
  dns_setserver(1, &while_stopped);
  tcpip_init(nullptr, nullptr);
  got = dns_getserver(0);
  EXPECT_EQ(got->type, IPADDR_TYPE_V4);
  EXPECT_EQ(got->u_addr.ip4.addr, 0u);
  got = dns_getserver(1);
  EXPECT_EQ(got->type, IPADDR_TYPE_V4);
  EXPECT_EQ(got->u_addr.ip4.addr, while_stopped.u_addr.ip4.addr);
  dns_setserver(1, nullptr);
  lwnet_shutdown();
}

TEST(LwipNetdb, GetnameinfoNumericForms) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(8080);
  v4.sin_addr.s_addr = htonl(0xc0000201U);
  char host[64];
  char serv[8];
  ASSERT_EQ(getnameinfo(reinterpret_cast<sockaddr*>(&v4), sizeof v4, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  EXPECT_STREQ(host, "192.0.2.1");
  EXPECT_STREQ(serv, "8080");
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(53);
  std::memcpy(&v6.sin6_addr, host_address6.octets.data(), 16);
  ASSERT_EQ(getnameinfo(reinterpret_cast<sockaddr*>(&v6), sizeof v6, host, sizeof host, nullptr, 0, 0), 0);
  EXPECT_STREQ(host, "2001:db8::10");
  EXPECT_EQ(getnameinfo(reinterpret_cast<sockaddr*>(&v6), sizeof v6, host, 5, nullptr, 0, 0), EAI_OVERFLOW);
  EXPECT_EQ(getnameinfo(reinterpret_cast<sockaddr*>(&v4), sizeof v4, host, sizeof host, nullptr, 0, NI_NAMEREQD),
            EAI_NONAME);
  EXPECT_EQ(getnameinfo(reinterpret_cast<sockaddr*>(&v4), 4, host, sizeof host, nullptr, 0, 0), EAI_FAMILY);
  EXPECT_EQ(getnameinfo(reinterpret_cast<sockaddr*>(&v4), sizeof v4, host, sizeof host, serv, 3, 0), EAI_OVERFLOW);
}

}  // namespace
}  // namespace lwnet::test::netdb_dns_test
