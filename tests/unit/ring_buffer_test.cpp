// RingBuffer::touched(): how much of its storage a ring ever wrote, which
// TcpTable gives back to the OS when a bulk connection's slot is freed.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "buf/ring_buffer.h"

namespace lwnet::ring_buffer_test {
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

// A connection in TIME-WAIT lending its buffers gives them up without
// writing them (a rotation would make every page of a 256 KiB ring
// resident): what it touched stays what it wrote.
TEST(RingBuffer, ReleaseStorageWritesNothingAndKeepsTouched) {
  std::array<std::uint8_t, 100> storage{};
  storage.fill(0xee);
  RingBuffer ring{Bytes(storage)};
  std::vector<std::uint8_t> data(30, 1), out(20);
  ASSERT_EQ(ring.write(data), 30U);
  ASSERT_EQ(ring.read(out), 20U);  // 10 bytes still stored, from offset 20
  ring.release_storage();
  EXPECT_EQ(ring.capacity(), 0U);
  EXPECT_EQ(ring.size(), 0U);
  EXPECT_EQ(ring.free_space(), 0U);
  EXPECT_EQ(ring.touched(), 30U);
  EXPECT_EQ(ring.write(data), 0U);
  for (std::size_t i = 0; i < storage.size(); ++i) {
    ASSERT_EQ(storage[i], i < 30 ? 1 : 0xee) << "at " << i;
  }
}

}  // namespace
}  // namespace lwnet::ring_buffer_test
