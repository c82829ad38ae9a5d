// Congestion window arithmetic: NewReno (RFC 5681) and CUBIC (RFC 9438).
#include <gtest/gtest.h>

#include "transport/tcp/congestion.h"

namespace lwnet::tcp_congestion_test {
namespace {

constexpr std::size_t mss = 1000;

TEST(Congestion, InitialWindowIsTenSegmentsCapped) {
  EXPECT_EQ(CongestionControl(CongestionAlgorithm::NewReno, 1000).window(), 10000U);
  EXPECT_EQ(CongestionControl(CongestionAlgorithm::NewReno, 1460).window(), 14600U);
  EXPECT_EQ(CongestionControl(CongestionAlgorithm::NewReno, 536).window(), 5360U);
}

TEST(Congestion, NewRenoSlowStartThenOneSegmentPerWindow) {
  CongestionControl cc(CongestionAlgorithm::NewReno, mss);
  const Instant t = Instant::from_seconds(1);
  cc.on_ack(mss, t, Duration::millis(10));
  EXPECT_EQ(cc.window(), 11000U);
  cc.on_loss(20000, t);  // ssthresh = flight / 2
  EXPECT_EQ(cc.slow_start_threshold(), 10000U);
  EXPECT_EQ(cc.window(), 10000U);
  EXPECT_FALSE(cc.in_slow_start());
  for (int i = 0; i < 9; ++i) cc.on_ack(mss, t, Duration::millis(10));
  EXPECT_EQ(cc.window(), 10000U);
  cc.on_ack(mss, t, Duration::millis(10));  // a whole window acknowledged
  EXPECT_EQ(cc.window(), 11000U);
}

TEST(Congestion, TimeoutRestartsFromOneSegment) {
  CongestionControl cc(CongestionAlgorithm::NewReno, mss);
  cc.on_timeout(8000, Instant::from_seconds(1));
  EXPECT_EQ(cc.window(), mss);
  EXPECT_EQ(cc.slow_start_threshold(), 4000U);
  EXPECT_TRUE(cc.in_slow_start());
}

TEST(Congestion, CubicReducesByBetaAndRegrowsToTheOldMaximum) {
  CongestionControl cc(CongestionAlgorithm::Cubic, mss);
  Instant t = Instant::from_seconds(1);
  // Grow to 100 segments in slow start.
  while (cc.window() < 100 * mss) cc.on_ack(2 * mss, t, Duration::millis(10));
  const std::size_t before = cc.window();
  cc.on_loss(before, t);
  EXPECT_EQ(cc.window(), before * 7 / 10);  // beta_cubic = 0.7
  // K = cbrt(W_max * (1 - beta) / C) = cbrt(100 * 0.3 / 0.4) = 4.2 s: the
  // window is back near W_max about then, concave before, convex after.
  // (A 100 ms round trip: with a short one the Reno-friendly estimate
  // grows faster than the cubic curve and rightly takes over.)
  const Duration rtt = Duration::millis(100);
  std::size_t at_2s = 0;
  for (int step = 1; step <= 80; ++step) {
    t += rtt;
    const std::size_t w = cc.window();
    for (std::size_t acked = 0; acked < w; acked += mss) cc.on_ack(mss, t, rtt);
    if (step == 20) at_2s = cc.window();
  }
  EXPECT_GT(at_2s, before * 7 / 10);
  EXPECT_LT(at_2s, before);
  EXPECT_GT(cc.window(), before);  // past K it probes beyond the old maximum
}

}  // namespace
}  // namespace lwnet::tcp_congestion_test
