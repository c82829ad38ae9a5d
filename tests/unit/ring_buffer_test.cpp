// RingBuffer::touched(): how much of its storage a ring ever wrote, which
// TcpTable gives back to the OS when a bulk connection's slot is freed.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "buf/ring_buffer.h"

namespace lwnet {
namespace {

TEST(RingBuffer, TouchedGrowsWithTheFurthestWriteAndIsAllOnceAWriteWraps) {
  std::array<std::uint8_t, 100> storage{};
  RingBuffer ring{Bytes(storage)};
  EXPECT_EQ(ring.touched(), 0U);
  std::vector<std::uint8_t> data(30, 1), out(30);
  ASSERT_EQ(ring.write(data), 30U);
  EXPECT_EQ(ring.touched(), 30U);
  ASSERT_EQ(ring.read(out), 30U);
  EXPECT_EQ(ring.touched(), 30U);  // reading writes nothing
  // Out-of-order data lands further ahead: 40 past the end (30), 70..80.
  ASSERT_EQ(ring.write_ahead(40, ConstBytes(data).first(10)), 10U);
  EXPECT_EQ(ring.touched(), 80U);
  ASSERT_EQ(ring.write(data), 30U);  // 30..60: not past 80
  EXPECT_EQ(ring.touched(), 80U);
  ASSERT_EQ(ring.read(out), 30U);
  ASSERT_EQ(ring.write(std::vector<std::uint8_t>(50, 2)), 50U);  // 60..110 wraps
  EXPECT_EQ(ring.touched(), 100U);
}

TEST(RingBuffer, RelocateCountsBothStoragesAsTouched) {
  std::array<std::uint8_t, 200> storage{};
  RingBuffer ring{Bytes(storage).first(50)};
  ASSERT_EQ(ring.write(std::vector<std::uint8_t>(10, 3)), 10U);
  ASSERT_TRUE(ring.relocate(Bytes(storage).first(120), 10));
  EXPECT_EQ(ring.touched(), 120U);
  ASSERT_TRUE(ring.relocate(Bytes(storage).first(20), 10));
  EXPECT_EQ(ring.touched(), 120U);
}

}  // namespace
}  // namespace lwnet
