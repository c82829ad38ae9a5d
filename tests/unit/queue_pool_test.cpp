// QueuePool: FIFO queues sharing one pool of entries (UDP and raw receive
// queues), each with its own limit.
#include <gtest/gtest.h>

#include <memory>

#include "util/queue_pool.h"

namespace lwnet::queue_pool_test {
namespace {

TEST(QueuePool, QueuesKeepTheirOwnOrderInOnePool) {
  QueuePool<int, 8> pool;
  PooledQueue a, b;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.push(a, 10 + i, 8));
    ASSERT_TRUE(pool.push(b, 20 + i, 8));
  }
  EXPECT_EQ(a.size(), 3U);
  EXPECT_EQ(pool.available(), 2U);
  EXPECT_EQ(pool.front(a), 10);
  EXPECT_EQ(pool.pop(a), 10);
  EXPECT_EQ(pool.pop(b), 20);
  // A freed entry goes to whichever queue pushes next.
  ASSERT_TRUE(pool.push(a, 13, 8));
  EXPECT_EQ(pool.pop(a), 11);
  EXPECT_EQ(pool.pop(a), 12);
  EXPECT_EQ(pool.pop(a), 13);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(pool.pop(b), 21);
  EXPECT_EQ(pool.pop(b), 22);
  EXPECT_EQ(pool.available(), 8U);
}

TEST(QueuePool, RefusesPastTheQueueLimitAndWhenThePoolIsEmpty) {
  QueuePool<int, 4> pool;
  PooledQueue a, b;
  EXPECT_TRUE(pool.push(a, 1, 2));
  EXPECT_TRUE(pool.push(a, 2, 2));
  EXPECT_FALSE(pool.push(a, 3, 2));  // a's own limit
  EXPECT_EQ(a.size(), 2U);
  EXPECT_TRUE(pool.push(b, 4, 10));
  EXPECT_TRUE(pool.push(b, 5, 10));
  EXPECT_FALSE(pool.push(b, 6, 10));  // the pool's four entries are taken
  EXPECT_EQ(pool.available(), 0U);
  pool.clear(a);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(pool.available(), 2U);
  EXPECT_TRUE(pool.push(b, 6, 10));
  EXPECT_EQ(pool.pop(b), 4);
  EXPECT_EQ(pool.pop(b), 5);
  EXPECT_EQ(pool.pop(b), 6);
}

TEST(QueuePool, ARefusedValueStaysWithTheCallerAndPopFreesWhatAnEntryHeld) {
  QueuePool<std::unique_ptr<int>, 2> pool;
  PooledQueue q;
  auto watched = std::make_shared<int>(0);
  std::weak_ptr<int> alive = watched;
  QueuePool<std::shared_ptr<int>, 1> shared_pool;
  PooledQueue s;
  ASSERT_TRUE(shared_pool.push(s, std::move(watched), 1));
  auto refused = std::make_shared<int>(1);
  EXPECT_FALSE(shared_pool.push(s, std::move(refused), 1));
  EXPECT_NE(refused, nullptr);  // untouched when refused
  {
    auto taken = shared_pool.pop(s);
    EXPECT_FALSE(alive.expired());
  }
  // The entry holds a default value again, not a moved-from copy.
  EXPECT_TRUE(alive.expired());
  ASSERT_TRUE(pool.push(q, std::make_unique<int>(7), 2));
  EXPECT_EQ(*pool.front(q), 7);
  EXPECT_EQ(*pool.pop(q), 7);
}

// A value with drop_held() (UDP's datagrams) is only emptied by it when
// dropped, and its entry is reused as it was left.
struct Held {
  std::shared_ptr<int> held;
  int drops = 0;
  void drop_held() {
    held.reset();
    ++drops;
  }
};

TEST(QueuePool, DropFrontEmptiesAValueWithDropHeldInPlace) {
  QueuePool<Held, 1> pool;
  PooledQueue q;
  auto watched = std::make_shared<int>(0);
  std::weak_ptr<int> alive = watched;
  Held* h = pool.push_default(q, 1);
  ASSERT_NE(h, nullptr);
  h->held = std::move(watched);
  pool.drop_front(q);
  EXPECT_TRUE(alive.expired());
  EXPECT_TRUE(q.empty());
  Held* again = pool.push_default(q, 1);
  ASSERT_EQ(again, h);  // the one entry, not rebuilt
  EXPECT_EQ(again->drops, 1);
  EXPECT_EQ(again->held, nullptr);
}

}  // namespace
}  // namespace lwnet::queue_pool_test
