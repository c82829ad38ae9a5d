// The data structures TCP is built on: sequence arithmetic, the byte ring and
// the out-of-order assembler.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <vector>

#include "buf/assembler.h"
#include "buf/ring_buffer.h"
#include "util/seq32.h"

namespace lwnet::tcp_buffers_test {
namespace {

TEST(Seq32, ComparesAcrossWrap) {
  Seq32 before_wrap(0xfffffff0U);
  Seq32 after_wrap = before_wrap + 0x20;
  EXPECT_EQ(after_wrap.value(), 0x10U);
  EXPECT_LT(before_wrap, after_wrap);
  EXPECT_GT(after_wrap, before_wrap);
  EXPECT_EQ(after_wrap - before_wrap, 0x20);
  EXPECT_EQ(before_wrap - after_wrap, -0x20);
  EXPECT_EQ(Seq32::max(before_wrap, after_wrap), after_wrap);
  EXPECT_EQ(Seq32::min(before_wrap, after_wrap), before_wrap);
  EXPECT_LE(after_wrap, after_wrap);
}

std::vector<std::uint8_t> iota_bytes(std::size_t n, std::uint8_t first) {
  std::vector<std::uint8_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

TEST(RingBuffer, WriteReadWrapsAround) {
  std::array<std::uint8_t, 8> storage{};
  RingBuffer ring(storage);
  auto a = iota_bytes(6, 1);
  EXPECT_EQ(ring.write(a), 6U);
  std::array<std::uint8_t, 4> out{};
  EXPECT_EQ(ring.read(out), 4U);
  EXPECT_EQ(out, (std::array<std::uint8_t, 4>{1, 2, 3, 4}));
  auto b = iota_bytes(10, 7);  // only 6 fit: 7..12
  EXPECT_EQ(ring.write(b), 6U);
  EXPECT_TRUE(ring.full());
  auto [first, second] = ring.readable();
  EXPECT_EQ(first.size() + second.size(), 8U);
  std::array<std::uint8_t, 8> all{};
  EXPECT_EQ(ring.peek(0, all), 8U);
  EXPECT_EQ(all, (std::array<std::uint8_t, 8>{5, 6, 7, 8, 9, 10, 11, 12}));
  std::array<std::uint8_t, 3> middle{};
  EXPECT_EQ(ring.peek(6, middle), 2U);  // only two bytes after offset 6
  EXPECT_EQ(middle[0], 11);
  EXPECT_EQ(middle[1], 12);
  ring.consume(8);
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.write(ConstBytes{}), 0U);
}

TEST(RingBuffer, WriteAheadThenCommitKeepsPositionWhenDrained) {
  std::array<std::uint8_t, 8> storage{};
  RingBuffer ring(storage);
  auto a = iota_bytes(5, 1);
  ASSERT_EQ(ring.write(a), 5U);
  // Out of order: bytes 2 past the end.
  auto late = iota_bytes(2, 100);
  EXPECT_EQ(ring.write_ahead(1, late), 2U);
  // The application drains everything contiguous; the ahead data must stay.
  std::array<std::uint8_t, 5> drained{};
  ASSERT_EQ(ring.read(drained), 5U);
  // The gap fills.
  const std::array<std::uint8_t, 1> gap{99};
  EXPECT_EQ(ring.write_ahead(0, gap), 1U);
  ring.commit(3);
  std::array<std::uint8_t, 3> out{};
  ASSERT_EQ(ring.read(out), 3U);
  EXPECT_EQ(out, (std::array<std::uint8_t, 3>{99, 100, 101}));
}

TEST(RingBuffer, WriteAheadBeyondFreeSpaceIsCut) {
  std::array<std::uint8_t, 4> storage{};
  RingBuffer ring(storage);
  auto data = iota_bytes(4, 1);
  EXPECT_EQ(ring.write_ahead(2, data), 2U);
  EXPECT_EQ(ring.write_ahead(4, data), 0U);
}

TEST(RingBuffer, RelocateGrowsAndShrinksInPlaceKeepingWrappedAndAheadData) {
  std::array<std::uint8_t, 16> area{};
  RingBuffer ring(Bytes(area).first(8));
  ASSERT_EQ(ring.write(iota_bytes(6, 1)), 6U);
  ring.consume(5);                                 // head at 5: byte 6 stored
  ASSERT_EQ(ring.write(iota_bytes(4, 7)), 4U);    // 7..10 wrap past the end
  ASSERT_EQ(ring.write_ahead(1, iota_bytes(1, 50)), 1U);  // out of order, after a gap of 1
  // Grow to the whole area (same start: the areas overlap).
  ASSERT_TRUE(ring.relocate(Bytes(area), ring.size() + 2));
  EXPECT_EQ(ring.capacity(), 16U);
  std::array<std::uint8_t, 5> stored{};
  EXPECT_EQ(ring.peek(0, stored), 5U);
  EXPECT_EQ(stored, (std::array<std::uint8_t, 5>{6, 7, 8, 9, 10}));
  ASSERT_EQ(ring.write_ahead(0, std::array<std::uint8_t, 1>{49}), 1U);  // the gap fills
  ring.commit(2);
  std::array<std::uint8_t, 7> all{};
  EXPECT_EQ(ring.peek(0, all), 7U);
  EXPECT_EQ(all, (std::array<std::uint8_t, 7>{6, 7, 8, 9, 10, 49, 50}));
  // Shrink to exactly what is kept; below it is refused and nothing moves.
  EXPECT_FALSE(ring.relocate(Bytes(area).first(6), 7));
  EXPECT_FALSE(ring.relocate(Bytes(area).first(8), 6));  // keep below size()
  ASSERT_TRUE(ring.relocate(Bytes(area).first(7), 7));
  EXPECT_TRUE(ring.full());
  std::array<std::uint8_t, 7> after{};
  EXPECT_EQ(ring.read(after), 7U);
  EXPECT_EQ(after, all);
}

TEST(RingBuffer, RelocateToSeparateStorage) {
  std::array<std::uint8_t, 4> small{};
  std::array<std::uint8_t, 12> large{};
  RingBuffer ring(small);
  ASSERT_EQ(ring.write(iota_bytes(3, 1)), 3U);
  ring.consume(2);
  ASSERT_EQ(ring.write(iota_bytes(3, 4)), 3U);  // 3,4,5,6 wrapped
  ASSERT_TRUE(ring.relocate(large, ring.size()));
  EXPECT_EQ(ring.write(iota_bytes(4, 7)), 4U);
  std::array<std::uint8_t, 8> out{};
  EXPECT_EQ(ring.read(out), 8U);
  EXPECT_EQ(out, (std::array<std::uint8_t, 8>{3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(Assembler, InOrderDataIsContiguousAtOnce) {
  Assembler<4> assembler;
  bool accepted = false;
  EXPECT_EQ(assembler.add(0, 100, accepted), 100U);
  EXPECT_TRUE(accepted);
  EXPECT_TRUE(assembler.empty());
}

TEST(Assembler, HoleFilledReleasesEverythingBehindIt) {
  Assembler<4> assembler;
  bool accepted = false;
  EXPECT_EQ(assembler.add(100, 50, accepted), 0U);
  EXPECT_EQ(assembler.add(200, 50, accepted), 0U);
  ASSERT_EQ(assembler.range_count(), 2U);
  EXPECT_EQ(assembler.range(0), (ByteRange{100, 150}));
  EXPECT_EQ(assembler.range(1), (ByteRange{200, 250}));
  // Fill [150,200): joins both ranges, still not contiguous.
  EXPECT_EQ(assembler.add(150, 50, accepted), 0U);
  ASSERT_EQ(assembler.range_count(), 1U);
  EXPECT_EQ(assembler.range(0), (ByteRange{100, 250}));
  EXPECT_EQ(assembler.last_added(), (ByteRange{100, 250}));
  // In-order data of 100 bytes: 250 bytes become contiguous.
  EXPECT_EQ(assembler.add(0, 100, accepted), 250U);
  EXPECT_TRUE(assembler.empty());
}

TEST(Assembler, OverlapsMergeAndRangesShiftAfterDelivery) {
  Assembler<4> assembler;
  bool accepted = false;
  EXPECT_EQ(assembler.add(10, 10, accepted), 0U);
  EXPECT_EQ(assembler.add(15, 10, accepted), 0U);
  EXPECT_EQ(assembler.add(40, 5, accepted), 0U);
  EXPECT_EQ(assembler.add(0, 12, accepted), 25U);
  ASSERT_EQ(assembler.range_count(), 1U);
  EXPECT_EQ(assembler.range(0), (ByteRange{15, 20}));
}

TEST(Assembler, RefusesWhenOutOfSlotsButInOrderDataStillFits) {
  Assembler<2> assembler;
  bool accepted = false;
  assembler.add(10, 1, accepted);
  assembler.add(20, 1, accepted);
  EXPECT_EQ(assembler.add(30, 1, accepted), 0U);
  EXPECT_FALSE(accepted);
  ASSERT_EQ(assembler.range_count(), 2U);
  // In-order data never needs a slot.
  EXPECT_EQ(assembler.add(0, 5, accepted), 5U);
  EXPECT_TRUE(accepted);
  EXPECT_EQ(assembler.range(0), (ByteRange{5, 6}));
  EXPECT_EQ(assembler.range(1), (ByteRange{15, 16}));
}

// Against a model that keeps one flag per byte beyond the contiguous end:
// every add() of a long pseudo-random sequence (overlapping, touching,
// swallowing, in order, refused for want of slots) must return the bytes
// that became contiguous, accept or refuse, and leave the ranges and
// last_added() that the model's runs of received bytes say.
template <std::size_t Capacity>
void check_against_model(std::uint32_t seed) {
  constexpr std::size_t window = 96;
  Assembler<Capacity> assembler;
  std::array<bool, 2 * window> received{};
  std::uint32_t state = seed;
  const auto next = [&state](std::uint32_t bound) {
    state = state * 1664525U + 1013904223U;
    return (state >> 8) % bound;
  };
  for (int step = 0; step < 4000; ++step) {
    const std::size_t offset = next(4) == 0 ? 0 : next(window);
    const std::size_t size = next(24);
    std::array<bool, 2 * window> after = received;
    for (std::size_t i = offset; i < offset + size; ++i) after[i] = true;
    std::size_t contiguous = 0;
    while (after[contiguous]) ++contiguous;
    std::vector<ByteRange> runs;
    for (std::size_t i = contiguous; i < after.size(); ++i) {
      if (!after[i]) continue;
      if (runs.empty() || runs.back().end != i) runs.push_back({i, i});
      runs.back().end = i + 1;
    }
    const bool fits = size == 0 || runs.size() <= Capacity;
    bool accepted = false;
    ASSERT_EQ(assembler.add(offset, size, accepted), fits && size != 0 ? contiguous : 0U)
        << "step " << step;
    ASSERT_EQ(accepted, fits) << "step " << step;
    if (!fits || size == 0) continue;
    ByteRange last{};
    for (const ByteRange& run : runs) {
      if (run.start <= offset && offset < run.end) last = {run.start - contiguous, run.end - contiguous};
    }
    EXPECT_EQ(assembler.last_added(), last) << "step " << step;
    ASSERT_EQ(assembler.range_count(), runs.size()) << "step " << step;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      ASSERT_EQ(assembler.range(i), (ByteRange{runs[i].start - contiguous, runs[i].end - contiguous}))
          << "step " << step << " range " << i;
    }
    received = {};
    for (std::size_t i = contiguous; i < after.size(); ++i) received[i - contiguous] = after[i];
  }
}

TEST(Assembler, MatchesAModelOfReceivedBytes) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    check_against_model<1>(seed);
    check_against_model<2>(seed);
    check_against_model<4>(seed);
  }
}

}  // namespace
}  // namespace lwnet::tcp_buffers_test
