#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "util/random.h"

namespace lwnet::random_test {
namespace {

TEST(Random, SameSeedSameSequence) {
  Random a(12345);
  Random b(12345);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(a.next_u64(), b.next_u64()) << i;
}

TEST(Random, DifferentSeedsDiffer) {
  Random a(1);
  Random b(2);
  int same = 0;
  for (int i = 0; i < 100; ++i) same += a.next_u64() == b.next_u64() ? 1 : 0;
  EXPECT_EQ(same, 0);
}

TEST(Random, MatchesSplitMix64ReferenceValues) {
  // The published SplitMix64 outputs for seed 0 (the generator of
  // Steele, Lea and Flood, as used to seed xoshiro).
  Random r(0);
  EXPECT_EQ(r.next_u64(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(r.next_u64(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(r.next_u64(), 0x06c45d188009454fULL);
}

TEST(Random, NextU32IsTheHighHalf) {
  Random a(77);
  Random b(77);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(a.next_u32(), static_cast<std::uint32_t>(b.next_u64() >> 32));
  }
}

TEST(Random, BelowStaysInBound) {
  Random r(99);
  for (std::uint32_t bound : {1U, 2U, 3U, 7U, 1000U, 16384U, 0x7fffffffU, 0xffffffffU}) {
    for (int i = 0; i < 2000; ++i) EXPECT_LT(r.below(bound), bound) << bound;
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(r.below(1), 0U);
}

TEST(Random, BelowCoversTheRangeEvenly) {
  Random r(2024);
  std::array<int, 10> counts{};
  constexpr int draws = 100000;
  for (int i = 0; i < draws; ++i) ++counts[r.below(10)];
  for (int c : counts) {
    // Expected 10000 each; 5 standard deviations is about 475.
    EXPECT_GT(c, 9500);
    EXPECT_LT(c, 10500);
  }
}

TEST(Random, EphemeralPortRangeIsCovered) {
  // The use it is made for: ports 49152..65535 with every value reachable.
  Random r(5);
  std::vector<bool> seen(16384, false);
  std::size_t distinct = 0;
  for (int i = 0; i < 400000 && distinct < seen.size(); ++i) {
    std::uint32_t v = r.below(16384);
    if (!seen[v]) {
      seen[v] = true;
      ++distinct;
    }
  }
  EXPECT_EQ(distinct, seen.size());
}

}  // namespace
}  // namespace lwnet::random_test
