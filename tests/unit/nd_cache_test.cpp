// The IPv6 neighbor cache on its own: what an entry evicted for room does
// with the packets that waited on it.
#include <gtest/gtest.h>

#include "ip/nd_cache.h"
#include "support/status.h"

namespace lwnet::nd_cache_test {
namespace {

constexpr NetifId netif{1};
constexpr MacAddress mac1{{0x02, 0, 0, 0, 0, 1}};

// 2001:db8::(10 + i)
Ipv6Address host(std::size_t i) {
  Ipv6Address a;
  a.octets[0] = 0x20;
  a.octets[1] = 0x01;
  a.octets[2] = 0x0d;
  a.octets[3] = 0xb8;
  a.octets[15] = static_cast<std::uint8_t>(10 + i);
  return a;
}

struct NdCacheTest : ::testing::Test {
  PacketBuf packet(std::size_t size = 0) {
    PacketBuf p = *pools.frames.allocate(config::headroom);
    (void)p.append(size);
    return p;
  }
  // Every entry resolving host(i), queued at t0 + i ms: host(0) the oldest,
  // holding a full queue of packets of 40, 41, ... bytes.
  void fill_with_resolutions() {
    for (std::size_t i = 0; i < config::ipv6_nd6_queue; ++i) {
      (void)cache.enqueue(netif, host(0), packet(40 + i), t0, evicted);
    }
    for (std::size_t i = 1; i < config::ipv6_nd6_num_neighbors; ++i) {
      const Instant at = t0 + Duration::millis(static_cast<std::int64_t>(i));
      ASSERT_EQ(cache.enqueue(netif, host(i), packet(), at, evicted), NdCache::Enqueue::SendSolicitation) << i;
    }
    ASSERT_EQ(stats.cache_evictions, 0U);
    ASSERT_TRUE(evicted.empty());
  }
  void remove_all() {
    evicted.clear();
    resolved.clear();
    for (const auto& e : cache.entries()) {
      if (e.state != NdCache::State::Free) {
        ASSERT_OK(cache.remove(netif, e.ip));
      }
    }
    EXPECT_EQ(pools.in_use(), 0U);
  }
  Pools pools{24, 256, 1, config::headroom + 65535};
  NdStats stats;
  NdCache cache{stats};
  NdCache::PendingQueue resolved;
  EvictedQueue evicted;  // packets of resolutions pushed out for room
  Instant t0 = Instant::from_seconds(10);
};

// An Incomplete entry evicted for room gives up as one whose solicitations
// ran out: what waited goes to `evicted`, in order, for the caller to
// report; what finds it full is dropped. Counted as drop_unresolved either
// way.
TEST_F(NdCacheTest, AnEvictedResolutionHandsOverWhatWaited) {
  if constexpr (EvictedQueue::capacity() == 0) return;  // nothing would report them
  static_assert(config::ipv6_nd6_queue >= 2, "the test queues two packets behind one address");
  fill_with_resolutions();
  const Instant later = t0 + Duration::millis(100);
  ASSERT_EQ(cache.enqueue(netif, host(50), packet(), later, evicted), NdCache::Enqueue::SendSolicitation);
  EXPECT_EQ(stats.cache_evictions, 1U);
  EXPECT_EQ(stats.drop_unresolved, config::ipv6_nd6_queue);
  EXPECT_EQ(cache.find(netif, host(0)), nullptr);
  ASSERT_EQ(evicted.size(), config::ipv6_nd6_queue);
  for (std::size_t i = 0; i < config::ipv6_nd6_queue; ++i) EXPECT_EQ(evicted.pop().size(), 40 + i);

  // A queue the caller did not empty takes what fits; the rest is dropped.
  for (std::size_t i = 0; i + 1 < EvictedQueue::capacity(); ++i) (void)evicted.push(packet());
  (void)cache.enqueue(netif, host(1), packet(), later, evicted);  // host(1) holds two now
  ASSERT_EQ(cache.enqueue(netif, host(51), packet(), later, evicted), NdCache::Enqueue::SendSolicitation);
  EXPECT_EQ(cache.find(netif, host(1)), nullptr);
  EXPECT_EQ(evicted.size(), EvictedQueue::capacity());
  EXPECT_EQ(stats.drop_unresolved, config::ipv6_nd6_queue + 2);
  remove_all();
}

// A static entry, or a neighbour learned from an NS's or RA's link-layer
// address option, that pushes a resolution out hands its packets over too.
TEST_F(NdCacheTest, AStaticOrLearnedEntryHandsOverTheResolutionItEvicts) {
  if constexpr (EvictedQueue::capacity() == 0) return;
  fill_with_resolutions();
  ASSERT_OK(cache.add_static(netif, host(60), mac1, resolved, evicted));
  EXPECT_EQ(cache.find(netif, host(0)), nullptr);
  EXPECT_EQ(evicted.size(), config::ipv6_nd6_queue);
  EXPECT_TRUE(resolved.empty());
  evicted.clear();

  cache.learn(netif, host(61), mac1, t0 + Duration::millis(100), resolved, evicted);
  EXPECT_EQ(cache.lookup(netif, host(61)), mac1);
  EXPECT_EQ(cache.find(netif, host(1)), nullptr);
  EXPECT_EQ(evicted.size(), 1U);
  EXPECT_EQ(stats.cache_evictions, 2U);
  EXPECT_EQ(stats.drop_unresolved, config::ipv6_nd6_queue + 1);
  remove_all();
}

// A resolution goes last: a known neighbour is evicted before it, which
// holds no packets to hand over.
TEST_F(NdCacheTest, AKnownNeighbourIsEvictedBeforeAResolution) {
  cache.learn(netif, host(0), mac1, t0 + Duration::seconds(5), resolved, evicted);
  for (std::size_t i = 1; i < config::ipv6_nd6_num_neighbors; ++i) {
    ASSERT_EQ(cache.enqueue(netif, host(i), packet(), t0, evicted), NdCache::Enqueue::SendSolicitation);
  }
  ASSERT_EQ(cache.enqueue(netif, host(50), packet(), t0, evicted), NdCache::Enqueue::SendSolicitation);
  EXPECT_EQ(stats.cache_evictions, 1U);
  EXPECT_EQ(cache.find(netif, host(0)), nullptr);
  EXPECT_TRUE(evicted.empty());
  EXPECT_EQ(stats.drop_unresolved, 0U);
  remove_all();
}

}  // namespace
}  // namespace lwnet::nd_cache_test
