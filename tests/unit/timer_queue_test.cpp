#include <gtest/gtest.h>

#include <set>

#include "time/instant.h"
#include "time/timer_queue.h"

namespace lwnet::timer_queue_test {
namespace {

constexpr Instant at(std::int64_t ms) { return Instant::from_millis(ms); }

TEST(TimerQueue, StartsIdle) {
  TimerQueue<4> q;
  EXPECT_EQ(q.earliest(), Instant::max());
  for (std::uint16_t id = 0; id < 4; ++id) EXPECT_FALSE(q.armed(id));
  EXPECT_FALSE(q.pop_expired(at(1000000)));
}

TEST(TimerQueue, EarliestIsTheSmallestArmedDeadline) {
  TimerQueue<4> q;
  q.arm(2, at(300));
  q.arm(0, at(500));
  q.arm(3, at(100));
  EXPECT_EQ(q.earliest(), at(100));
  EXPECT_TRUE(q.armed(3));
  EXPECT_FALSE(q.armed(1));
  EXPECT_EQ(q.deadline(2), at(300));
  q.cancel(3);
  EXPECT_FALSE(q.armed(3));
  EXPECT_EQ(q.earliest(), at(300));
  // Re-arming moves a deadline, later or earlier.
  q.arm(2, at(700));
  EXPECT_EQ(q.earliest(), at(500));
  q.arm(2, at(50));
  EXPECT_EQ(q.earliest(), at(50));
  q.cancel(0);
  q.cancel(2);
  EXPECT_EQ(q.earliest(), Instant::max());
}

TEST(TimerQueue, PopExpiredFiresEachDueTimerOnce) {
  TimerQueue<8> q;
  q.arm(1, at(100));
  q.arm(4, at(200));
  q.arm(6, at(200));
  q.arm(7, at(201));
  EXPECT_FALSE(q.pop_expired(at(99)));
  std::set<std::uint16_t> fired;
  while (auto id = q.pop_expired(at(200))) {
    EXPECT_TRUE(fired.insert(*id).second) << *id;
    EXPECT_FALSE(q.armed(*id));
  }
  EXPECT_EQ(fired, (std::set<std::uint16_t>{1, 4, 6}));
  EXPECT_TRUE(q.armed(7));
  EXPECT_EQ(q.earliest(), at(201));
  EXPECT_EQ(q.pop_expired(at(201)), std::optional<std::uint16_t>(7));
  EXPECT_EQ(q.earliest(), Instant::max());
}

TEST(TimerQueue, DeadlineAtNowIsExpired) {
  TimerQueue<1> q;
  q.arm(0, at(5));
  EXPECT_EQ(q.pop_expired(at(5)), std::optional<std::uint16_t>(0));
  q.arm(0, Instant::from_micros(-1));  // before the epoch is fine too
  EXPECT_EQ(q.pop_expired(at(0)), std::optional<std::uint16_t>(0));
}

TEST(TimerQueue, CancelledTimerNeverFires) {
  TimerQueue<2> q;
  q.arm(0, at(10));
  q.cancel(0);
  EXPECT_FALSE(q.pop_expired(at(1000)));
  q.cancel(1);  // cancelling an idle timer is harmless
  EXPECT_FALSE(q.armed(1));
}

TEST(Instant, Arithmetic) {
  Instant t = Instant::from_seconds(2);
  EXPECT_EQ(t.total_micros(), 2000000);
  EXPECT_EQ(t.total_millis(), 2000);
  EXPECT_EQ((t + Duration::millis(250)).total_micros(), 2250000);
  EXPECT_EQ((t - Duration::micros(1)).total_micros(), 1999999);
  EXPECT_EQ(Instant::from_millis(1500) - Instant::from_millis(500), Duration::seconds(1));
  EXPECT_EQ((Instant::from_millis(500) - Instant::from_millis(1500)).total_millis(), -1000);
  t += Duration::seconds(1);
  EXPECT_EQ(t, Instant::from_seconds(3));
  EXPECT_LT(Instant::from_millis(1), Instant::from_micros(1001));
  EXPECT_LT(Instant::from_seconds(1000000000), Instant::max());
  Duration d = Duration::millis(3);
  d += Duration::micros(500);
  EXPECT_EQ(d.total_micros(), 3500);
  EXPECT_EQ(d.total_millis(), 3);
  EXPECT_EQ((d * 4).total_micros(), 14000);
  EXPECT_EQ((d / 7).total_micros(), 500);
  EXPECT_EQ(Duration::seconds(90).total_seconds(), 90);
  EXPECT_EQ(Duration::zero(), Duration::micros(0));
  EXPECT_LT(Duration::micros(-1), Duration::zero());
}

}  // namespace
}  // namespace lwnet::timer_queue_test
