#include <gtest/gtest.h>

#include "ip/icmp_rate_limiter.h"

namespace lwnet::icmp_rate_limiter_test {
namespace {

TEST(IcmpRateLimiter, BurstThenSteadyRate) {
  IcmpRateLimiter<10> limiter;
  const Instant t0 = Instant::from_seconds(5);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.allow(t0)) << i;
  EXPECT_FALSE(limiter.allow(t0));
  EXPECT_FALSE(limiter.allow(t0 + Duration::millis(99)));
  EXPECT_TRUE(limiter.allow(t0 + Duration::millis(100)));
  EXPECT_FALSE(limiter.allow(t0 + Duration::millis(100)));
  // After a quiet second the whole burst is back, and no more.
  const Instant later = t0 + Duration::seconds(3);
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += limiter.allow(later) ? 1 : 0;
  EXPECT_EQ(allowed, 10);
}

TEST(IcmpRateLimiter, ZeroMeansNever) {
  IcmpRateLimiter<0> limiter;
  EXPECT_FALSE(limiter.allow(Instant::from_seconds(1)));
}

}  // namespace
}  // namespace lwnet::icmp_rate_limiter_test
