// AdaptiveSpin: spins while spinning pays, rests after misses in a row,
// then tries again.
#include <gtest/gtest.h>

#include "port/clock.h"

namespace lwnet::adaptive_spin_test {
namespace {

TEST(AdaptiveSpin, RestsAfterMissesInARowThenSpinsAgain) {
  AdaptiveSpin spinner;
  int looks = 0;
  const auto never = [&] {
    ++looks;
    return false;
  };
  const Duration spin = Duration::micros(20);
  for (std::uint32_t i = 0; i < AdaptiveSpin::misses_to_rest; ++i) {
    EXPECT_FALSE(spinner.resting());
    looks = 0;
    EXPECT_FALSE(spinner.spin_until(spin, never));
    EXPECT_GT(looks, 1);  // it spun
  }
  for (std::uint32_t i = 0; i < AdaptiveSpin::rest; ++i) {
    EXPECT_TRUE(spinner.resting());
    looks = 0;
    EXPECT_FALSE(spinner.spin_until(spin, never));
    EXPECT_EQ(looks, 1);  // one look, no spin
  }
  EXPECT_FALSE(spinner.resting());
  looks = 0;
  EXPECT_FALSE(spinner.spin_until(spin, never));
  EXPECT_GT(looks, 1);
}

TEST(AdaptiveSpin, AHitResetsTheMisses) {
  AdaptiveSpin spinner;
  const Duration spin = Duration::micros(5);
  for (int round = 0; round < 10; ++round) {
    for (std::uint32_t i = 0; i + 1 < AdaptiveSpin::misses_to_rest; ++i) {
      EXPECT_FALSE(spinner.spin_until(spin, [] { return false; }));
    }
    int looks = 0;
    // A long spin for the hit: it ends at the third look, and a preempted
    // thread must not run out of time before it (seen on a loaded machine).
    EXPECT_TRUE(spinner.spin_until(Duration::seconds(10), [&] { return ++looks == 3; }));
    EXPECT_EQ(looks, 3);
    EXPECT_FALSE(spinner.resting());
  }
  // Zero spin: one look, never counted as a miss.
  int looks = 0;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(spinner.spin_until(Duration::zero(), [&] { return ++looks < 0; }));
  EXPECT_EQ(looks, 10);
  EXPECT_FALSE(spinner.resting());
}

}  // namespace
}  // namespace lwnet::adaptive_spin_test
