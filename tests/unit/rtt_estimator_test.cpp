// RttEstimator: RFC 6298's SRTT, RTTVAR and RTO, exact to the microsecond,
// with lwnet's 200 ms floor and 60 s ceiling, and samples beyond its 32-bit
// range.
#include <gtest/gtest.h>

#include "transport/tcp/rtt_estimator.h"

namespace lwnet::rtt_estimator_test {
namespace {

constexpr Duration initial = Duration::seconds(1);

TEST(RttEstimator, BeforeAnySampleTheRtoIsTheInitialOne) {
  const RttEstimator rtt(initial);
  EXPECT_FALSE(rtt.has_sample());
  EXPECT_EQ(rtt.rto(), initial);
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::zero());
  EXPECT_EQ(rtt.rtt_variation(), Duration::zero());
}

TEST(RttEstimator, FirstSampleThenTheSmoothingOfRfc6298) {
  RttEstimator rtt(initial);
  rtt.sample(Duration::millis(100));  // 2.2: SRTT = R, RTTVAR = R / 2, RTO = SRTT + 4 RTTVAR
  EXPECT_TRUE(rtt.has_sample());
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(100'000));
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros(50'000));
  EXPECT_EQ(rtt.rto(), Duration::micros(300'000));
  rtt.sample(Duration::millis(200));  // 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros(62'500));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(112'500));
  EXPECT_EQ(rtt.rto(), Duration::micros(362'500));
  rtt.sample(Duration::micros(12'501));  // a sample below SRTT; the divisions truncate
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros((62'500 * 3 + 99'999) / 4));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros((112'500 * 7 + 12'501) / 8));
  EXPECT_EQ(rtt.rto(), Duration::micros(100'000 + 71'874 * 4));
}

TEST(RttEstimator, TheRtoStaysBetweenItsFloorAndItsCeiling) {
  RttEstimator rtt(initial);
  rtt.sample(Duration::micros(300));
  EXPECT_EQ(rtt.rto(), RttEstimator::min_rto);
  rtt.sample(Duration::zero());
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(262));
  EXPECT_EQ(rtt.rto(), RttEstimator::min_rto);
  RttEstimator slow(initial);
  slow.sample(Duration::seconds(30));
  EXPECT_EQ(slow.rto(), RttEstimator::max_rto);
  slow.back_off();
  EXPECT_EQ(slow.rto(), RttEstimator::max_rto);
}

TEST(RttEstimator, ANegativeSampleIsIgnored) {
  RttEstimator rtt(initial);
  rtt.sample(Duration::micros(-5));
  EXPECT_FALSE(rtt.has_sample());
  EXPECT_EQ(rtt.rto(), initial);
}

TEST(RttEstimator, ZeroSamplesGiveTheFloor) {
  RttEstimator rtt(initial);
  rtt.sample(Duration::zero());
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::zero());
  EXPECT_EQ(rtt.rtt_variation(), Duration::zero());
  EXPECT_EQ(rtt.rto(), RttEstimator::min_rto);
}

TEST(RttEstimator, SamplesBeyondTheRangeCountAsItsEndAndNeverOverflow) {
  const Duration end = Duration::micros(RttEstimator::max_sample_us);
  RttEstimator rtt(initial);
  rtt.sample(Duration::seconds(100'000));
  EXPECT_EQ(rtt.smoothed_rtt(), end);
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros(RttEstimator::max_sample_us / 2));
  EXPECT_EQ(rtt.rto(), RttEstimator::max_rto);
  for (int i = 0; i < 50; ++i) rtt.sample(Duration::seconds(1'000'000));
  EXPECT_EQ(rtt.smoothed_rtt(), end);
  EXPECT_LE(rtt.rtt_variation(), end);
  // From the top of the range to a LAN round trip: the largest difference.
  rtt.sample(Duration::micros(100));
  const std::uint64_t smoothed = (RttEstimator::max_sample_us * 7ULL + 100) / 8;
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(static_cast<std::int64_t>(smoothed)));
  EXPECT_EQ(rtt.rto(), RttEstimator::max_rto);
}

TEST(RttEstimator, BackOffDoublesTheRto) {
  RttEstimator rtt(initial);
  rtt.sample(Duration::millis(100));
  rtt.back_off();
  EXPECT_EQ(rtt.rto(), Duration::micros(600'000));
  rtt.back_off();
  EXPECT_EQ(rtt.rto(), Duration::micros(1'200'000));
}

}  // namespace
}  // namespace lwnet::rtt_estimator_test
