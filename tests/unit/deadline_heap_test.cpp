// DeadlineHeap: the earliest of many deadlines without a scan. Checked step
// by step against a plain array (the obvious model) under random sets,
// moves and removals.
#include "time/deadline_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace lwnet::deadline_heap_test {
namespace {

Instant at(std::int64_t us) { return Instant::from_micros(us); }

TEST(DeadlineHeap, EmptySetMoveAndRemove) {
  DeadlineHeap heap(4);
  EXPECT_EQ(heap.earliest(), Instant::max());
  EXPECT_FALSE(heap.first().has_value());
  heap.set(2, at(50));
  heap.set(0, at(70));
  heap.set(3, at(60));
  EXPECT_EQ(heap.size(), 3U);
  EXPECT_EQ(heap.first(), std::optional<DeadlineHeap::Id>(2));
  EXPECT_EQ(heap.earliest(), at(50));
  heap.set(0, at(10));  // earlier: moves up
  EXPECT_EQ(heap.first(), std::optional<DeadlineHeap::Id>(0));
  heap.set(0, at(90));  // later: moves down
  EXPECT_EQ(heap.first(), std::optional<DeadlineHeap::Id>(2));
  heap.clear(2);
  EXPECT_EQ(heap.first(), std::optional<DeadlineHeap::Id>(3));
  EXPECT_EQ(heap.deadline(2), Instant::max());
  heap.clear(2);  // not there: nothing happens
  heap.set(1, Instant::max());  // same as clear
  EXPECT_EQ(heap.size(), 2U);
  heap.clear(3);
  heap.clear(0);
  EXPECT_EQ(heap.size(), 0U);
  EXPECT_EQ(heap.earliest(), Instant::max());
}

TEST(DeadlineHeap, AgreesWithAScanUnderRandomChanges) {
  constexpr std::size_t ids = 300;
  DeadlineHeap heap(ids);
  std::vector<Instant> model(ids, Instant::max());
  std::mt19937 random(12345);
  for (int step = 0; step < 20000; ++step) {
    const auto id = static_cast<DeadlineHeap::Id>(random() % ids);
    const Instant when = random() % 4 == 0 ? Instant::max() : at(static_cast<std::int64_t>(random() % 1000));
    heap.set(id, when);
    model[id] = when;
    Instant earliest = Instant::max();
    std::size_t count = 0;
    for (const Instant& d : model) {
      earliest = d < earliest ? d : earliest;
      count += d != Instant::max() ? 1U : 0U;
    }
    ASSERT_EQ(heap.earliest(), earliest) << "step " << step;
    ASSERT_EQ(heap.size(), count) << "step " << step;
    if (count > 0) {
      ASSERT_EQ(model[*heap.first()], earliest);
    }
  }
  // Draining in order gives the deadlines sorted.
  Instant previous = Instant::from_micros(0);
  while (const std::optional<DeadlineHeap::Id> first = heap.first()) {
    ASSERT_GE(heap.earliest(), previous);
    previous = heap.earliest();
    heap.clear(*first);
  }
}

}  // namespace
}  // namespace lwnet::deadline_heap_test
