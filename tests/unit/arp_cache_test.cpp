// The ARP cache on its own: states, aging, eviction, queues, static entries.
#include <gtest/gtest.h>

#include <vector>

#include "ip/arp_cache.h"
#include "support/status.h"

namespace lwnet::arp_cache_test {
namespace {

constexpr NetifId netif{1};
constexpr MacAddress mac1{{0x02, 0, 0, 0, 0, 1}};
constexpr MacAddress mac2{{0x02, 0, 0, 0, 0, 2}};

Ipv4Address host(std::size_t i) { return Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(10 + i)); }

struct ArpCacheTest : ::testing::Test {
  PacketBuf packet() { return *pools.frames.allocate(config::headroom); }
  Pools pools{16, 256, 1, config::headroom + 65535};
  ArpStats stats;
  ArpCache cache{stats};
  ArpCache::PendingQueue resolved;
  EvictedQueue evicted;  // packets of resolutions pushed out for room
  Instant t0 = Instant::from_seconds(10);
};

TEST_F(ArpCacheTest, PendingEntryQueuesThenResolves) {
  EXPECT_EQ(cache.enqueue(netif, host(0), packet(), t0, evicted), ArpCache::Enqueue::SendRequest);
  for (std::size_t i = 1; i < config::arp_queue_len; ++i) {
    EXPECT_EQ(cache.enqueue(netif, host(0), packet(), t0, evicted), ArpCache::Enqueue::Queued);
  }
  EXPECT_EQ(cache.enqueue(netif, host(0), packet(), t0, evicted), ArpCache::Enqueue::QueueFull);
  EXPECT_EQ(stats.drop_queue_full, 1U);
  EXPECT_EQ(pools.in_use(), config::arp_queue_len);
  EXPECT_FALSE(cache.lookup(netif, host(0)).has_value());
  EXPECT_EQ(cache.next_deadline(), t0 + arp_timing::request_interval);

  EXPECT_EQ(cache.learn(netif, host(0), mac1, false, t0, resolved, evicted), ArpCache::Learn::Updated);
  EXPECT_EQ(resolved.size(), config::arp_queue_len);
  EXPECT_EQ(cache.lookup(netif, host(0)), mac1);
  EXPECT_EQ(cache.next_deadline(), t0 + arp_timing::max_age);
  resolved.clear();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ArpCacheTest, RequestsAreRepeatedThenTheEntryGivesUp) {
  constexpr std::size_t packet_size = 28;
  PacketBuf waiting = packet();
  (void)waiting.append(packet_size);
  ASSERT_EQ(cache.enqueue(netif, host(0), std::move(waiting), t0, evicted), ArpCache::Enqueue::SendRequest);
  int requests = 0;
  std::vector<std::size_t> unresolved;
  Instant now = t0;
  while (cache.next_deadline() != Instant::max()) {
    now = cache.next_deadline();
    cache.expire(
        now,
        [&](NetifId n, Ipv4Address ip) {
          EXPECT_EQ(n, netif);
          EXPECT_EQ(ip, host(0));
          ++requests;
        },
        [&](const PacketBuf& datagram) {
          // What waited is shown before it is dropped, for the transports'
          // host unreachable; only once the requests ran out.
          EXPECT_EQ(requests, arp_timing::max_requests - 1);
          unresolved.push_back(datagram.size());
        });
  }
  // One request was sent with the entry; the rest came from expire().
  EXPECT_EQ(requests, arp_timing::max_requests - 1);
  EXPECT_EQ(unresolved, std::vector<std::size_t>{packet_size});
  EXPECT_EQ(now, t0 + arp_timing::request_interval * arp_timing::max_requests);
  EXPECT_EQ(stats.drop_unresolved, 1U);
  EXPECT_EQ(cache.find(netif, host(0)), nullptr);
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ArpCacheTest, LearnCreatesOnlyWhenAskedAndStableEntriesAge) {
  EXPECT_EQ(cache.learn(netif, host(1), mac1, false, t0, resolved, evicted), ArpCache::Learn::NotFound);
  EXPECT_EQ(cache.learn(netif, host(1), mac1, true, t0, resolved, evicted), ArpCache::Learn::Created);
  EXPECT_EQ(cache.learn(netif, host(1), mac2, false, t0 + Duration::seconds(100), resolved, evicted),
            ArpCache::Learn::Updated);
  EXPECT_EQ(cache.lookup(netif, host(1)), mac2);
  // Another netif is another table key.
  EXPECT_FALSE(cache.lookup(NetifId{2}, host(1)).has_value());
  const Instant expiry = t0 + Duration::seconds(100) + arp_timing::max_age;
  cache.expire(expiry - Duration::micros(1), [](NetifId, Ipv4Address) { FAIL(); }, [](const PacketBuf&) { FAIL(); });
  EXPECT_TRUE(cache.lookup(netif, host(1)).has_value());
  cache.expire(expiry, [](NetifId, Ipv4Address) { FAIL(); }, [](const PacketBuf&) { FAIL(); });
  EXPECT_FALSE(cache.lookup(netif, host(1)).has_value());
}

TEST_F(ArpCacheTest, EvictsTheOldestStableEntryFirst) {
  for (std::size_t i = 0; i < config::arp_table_size; ++i) {
    ASSERT_EQ(cache.learn(netif, host(i), mac1, true, t0 + Duration::seconds(static_cast<std::int64_t>(i)), resolved, evicted),
              ArpCache::Learn::Created);
  }
  // Refresh the oldest: the second-oldest becomes the victim.
  (void)cache.learn(netif, host(0), mac1, false, t0 + Duration::seconds(50), resolved, evicted);
  ASSERT_EQ(cache.enqueue(netif, host(99), packet(), t0 + Duration::seconds(60), evicted),
            ArpCache::Enqueue::SendRequest);
  EXPECT_EQ(stats.cache_evictions, 1U);
  EXPECT_TRUE(cache.lookup(netif, host(0)).has_value());
  EXPECT_FALSE(cache.lookup(netif, host(1)).has_value());
  ASSERT_OK(cache.remove(netif, host(99)));
  EXPECT_EQ(stats.drop_unresolved, 1U);
  EXPECT_EQ(pools.in_use(), 0U);
}

// A flood of packets to unknown addresses (SYN-ACKs to spoofed sources)
// replaces learned mappings only until half the table is pending; from then
// on, each new resolution takes the place of the oldest pending one.
TEST_F(ArpCacheTest, ResolutionsTakeAtMostHalfTheTable) {
  static_assert(config::arp_table_size >= 2, "the test needs two halves");
  for (std::size_t i = 0; i < config::arp_table_size; ++i) {
    ASSERT_EQ(cache.learn(netif, host(i), mac1, true, t0 + Duration::seconds(static_cast<std::int64_t>(i)), resolved, evicted),
              ArpCache::Learn::Created);
  }
  const Instant flood = t0 + Duration::seconds(100);
  constexpr std::size_t unknown = 3 * config::arp_table_size;
  std::size_t handed_over = 0;
  for (std::size_t k = 0; k < unknown; ++k) {
    const Instant at = flood + Duration::millis(static_cast<std::int64_t>(k));
    ASSERT_EQ(cache.enqueue(netif, host(100 + k), packet(), at, evicted), ArpCache::Enqueue::SendRequest) << k;
    handed_over += evicted.size();
    evicted.clear();
  }
  EXPECT_EQ(stats.cache_evictions, unknown);
  std::size_t stable = 0;
  std::size_t pending = 0;
  for (const auto& e : cache.entries()) {
    stable += e.state == ArpCache::State::Stable ? 1 : 0;
    pending += e.state == ArpCache::State::Pending ? 1 : 0;
  }
  EXPECT_EQ(pending, ArpCache::max_pending);
  EXPECT_EQ(stable, config::arp_table_size - ArpCache::max_pending);
  // The newest learned mappings survived; the newest resolutions are the ones kept.
  EXPECT_TRUE(cache.lookup(netif, host(config::arp_table_size - 1)).has_value());
  EXPECT_FALSE(cache.lookup(netif, host(0)).has_value());
  EXPECT_NE(cache.find(netif, host(100 + unknown - 1)), nullptr);
  EXPECT_EQ(cache.find(netif, host(100)), nullptr);
  // The evicted resolutions handed their packets over to be reported and
  // dropped; the kept ones hold one each.
  EXPECT_EQ(stats.drop_unresolved, unknown - ArpCache::max_pending);
  EXPECT_EQ(handed_over, unknown - ArpCache::max_pending);
  EXPECT_EQ(pools.in_use(), ArpCache::max_pending);
  for (std::size_t k = unknown - ArpCache::max_pending; k < unknown; ++k) {
    ASSERT_OK(cache.remove(netif, host(100 + k)));
  }
  EXPECT_EQ(pools.in_use(), 0U);
}

// A resolution evicted for room gives up as one whose requests ran out:
// what waited goes to `evicted`, in order, for the caller to report; what
// finds it full is dropped. Counted as drop_unresolved either way.
TEST_F(ArpCacheTest, AnEvictedResolutionHandsOverWhatWaited) {
  static_assert(config::arp_queue_len >= 2, "the test queues two packets behind one address");
  for (std::size_t i = 0; i < config::arp_queue_len; ++i) {
    PacketBuf waiting = packet();
    (void)waiting.append(20 + i);
    (void)cache.enqueue(netif, host(0), std::move(waiting), t0, evicted);
  }
  for (std::size_t i = 1; i < config::arp_table_size; ++i) {
    const Instant at = t0 + Duration::millis(static_cast<std::int64_t>(i));
    ASSERT_EQ(cache.enqueue(netif, host(i), packet(), at, evicted), ArpCache::Enqueue::SendRequest) << i;
  }
  EXPECT_EQ(stats.cache_evictions, 0U);
  EXPECT_TRUE(evicted.empty());

  const Instant later = t0 + Duration::millis(100);
  ASSERT_EQ(cache.enqueue(netif, host(50), packet(), later, evicted), ArpCache::Enqueue::SendRequest);
  EXPECT_EQ(stats.cache_evictions, 1U);
  EXPECT_EQ(stats.drop_unresolved, config::arp_queue_len);
  EXPECT_EQ(cache.find(netif, host(0)), nullptr);
  ASSERT_EQ(evicted.size(), config::arp_queue_len);
  for (std::size_t i = 0; i < config::arp_queue_len; ++i) {
    EXPECT_EQ(evicted.pop().size(), 20 + i);
  }

  // A queue the caller did not empty takes what fits; the rest is dropped.
  for (std::size_t i = 0; i + 1 < EvictedQueue::capacity(); ++i) (void)evicted.push(packet());
  (void)cache.enqueue(netif, host(1), packet(), later, evicted);  // host(1) holds two now
  ASSERT_EQ(cache.enqueue(netif, host(51), packet(), later, evicted), ArpCache::Enqueue::SendRequest);
  EXPECT_EQ(cache.find(netif, host(1)), nullptr);
  EXPECT_EQ(evicted.size(), EvictedQueue::capacity());
  EXPECT_EQ(stats.drop_unresolved, config::arp_queue_len + 2);
  evicted.clear();
  for (const auto& e : cache.entries()) {
    if (e.state != ArpCache::State::Free) {
      ASSERT_OK(cache.remove(netif, e.ip));
    }
  }
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ArpCacheTest, StaticEntriesStayAndFillingWithThemIsTableFull) {
  for (std::size_t i = 0; i < config::arp_table_size; ++i) {
    ASSERT_OK(cache.add_static(netif, host(i), mac1, resolved, evicted));
  }
  EXPECT_EQ(cache.next_deadline(), Instant::max());
  EXPECT_EQ(cache.learn(netif, host(0), mac2, true, t0, resolved, evicted), ArpCache::Learn::Static);
  EXPECT_EQ(cache.lookup(netif, host(0)), mac1);
  EXPECT_ERROR(cache.add_static(netif, host(50), mac1, resolved, evicted), Error::TableFull);
  EXPECT_EQ(cache.enqueue(netif, host(50), packet(), t0, evicted), ArpCache::Enqueue::TableFull);
  EXPECT_EQ(cache.learn(netif, host(50), mac1, true, t0, resolved, evicted), ArpCache::Learn::NotFound);
  cache.flush_netif(netif);  // static entries survive a netif going down
  EXPECT_EQ(cache.lookup(netif, host(3)), mac1);
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(ArpCacheTest, StaticEntryReleasesWhatWaited) {
  ASSERT_EQ(cache.enqueue(netif, host(0), packet(), t0, evicted), ArpCache::Enqueue::SendRequest);
  ASSERT_OK(cache.add_static(netif, host(0), mac2, resolved, evicted));
  EXPECT_EQ(resolved.size(), 1U);
  EXPECT_EQ(cache.lookup(netif, host(0)), mac2);
  resolved.clear();
  cache.expire(t0 + Duration::seconds(10000), [](NetifId, Ipv4Address) { FAIL(); }, [](const PacketBuf&) { FAIL(); });
  EXPECT_EQ(cache.lookup(netif, host(0)), mac2);
}

}  // namespace
}  // namespace lwnet::arp_cache_test
