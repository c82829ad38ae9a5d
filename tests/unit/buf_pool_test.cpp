#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "buf/buf_pool.h"

namespace lwnet::buf_pool_test {
namespace {

std::vector<std::uint8_t> bytes_of(ConstBytes b) { return {b.begin(), b.end()}; }

TEST(BufPool, AllocateAndReleaseCountUsage) {
  BufPool pool(3, 128);
  EXPECT_EQ(pool.stats().capacity, 3U);
  EXPECT_EQ(pool.stats().used, 0U);
  EXPECT_EQ(pool.buffer_size(), 128U);
  {
    auto a = pool.allocate(16);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->valid());
    EXPECT_EQ(a->size(), 0U);
    EXPECT_EQ(a->headroom(), 16U);
    EXPECT_EQ(a->tailroom(), 112U);
    EXPECT_EQ(a->capacity(), 128U);
    EXPECT_EQ(pool.stats().used, 1U);
    auto b = pool.allocate(0);
    ASSERT_TRUE(b);
    EXPECT_EQ(pool.stats().used, 2U);
    b->release();
    EXPECT_FALSE(b->valid());
    EXPECT_EQ(pool.stats().used, 1U);
    b->release();  // twice is harmless
    EXPECT_EQ(pool.stats().used, 1U);
  }
  EXPECT_EQ(pool.stats().used, 0U);
  EXPECT_EQ(pool.stats().max_used, 2U);
  EXPECT_EQ(pool.stats().failures, 0U);
}

TEST(BufPool, BuffersDoNotOverlap) {
  BufPool pool(4, 64);
  std::vector<PacketBuf> held;
  for (std::uint8_t i = 0; i < 4; ++i) {
    auto b = pool.allocate(0);
    ASSERT_TRUE(b);
    Bytes all = b->append(64);
    std::fill(all.begin(), all.end(), i);
    held.push_back(std::move(*b));
  }
  for (std::uint8_t i = 0; i < 4; ++i) {
    ConstBytes data = held[i].data();
    EXPECT_TRUE(std::all_of(data.begin(), data.end(), [i](std::uint8_t v) { return v == i; }))
        << int{i};
  }
}

TEST(BufPool, ExhaustionIsCountedAndRecovers) {
  BufPool pool(2, 64);
  auto a = pool.allocate(0);
  auto b = pool.allocate(0);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(pool.allocate(0));
  EXPECT_FALSE(pool.allocate(0));
  EXPECT_EQ(pool.stats().failures, 2U);
  EXPECT_EQ(pool.stats().used, 2U);
  a->release();
  auto c = pool.allocate(0);
  ASSERT_TRUE(c);
  EXPECT_EQ(pool.stats().used, 2U);
  EXPECT_EQ(pool.stats().max_used, 2U);
  EXPECT_EQ(pool.stats().failures, 2U);
}

TEST(BufPool, HeadroomLargerThanBufferIsRefused) {
  BufPool pool(1, 64);
  EXPECT_FALSE(pool.allocate(65));
  EXPECT_EQ(pool.stats().used, 0U);
  auto whole = pool.allocate(64);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->tailroom(), 0U);
}

TEST(PacketBuf, PushConsumeAppendTruncate) {
  BufPool pool(1, 100);
  auto buf = pool.allocate(20);
  ASSERT_TRUE(buf);
  // Payload first, then headers in front of it: output order.
  Bytes payload = buf->append(4);
  std::copy_n("\x0a\x0b\x0c\x0d", 4, payload.begin());
  Bytes header = buf->push(2);
  header[0] = 0x01;
  header[1] = 0x02;
  EXPECT_EQ(buf->headroom(), 18U);
  EXPECT_EQ(buf->size(), 6U);
  EXPECT_EQ(buf->tailroom(), 76U);
  EXPECT_EQ(bytes_of(buf->data()), (std::vector<std::uint8_t>{1, 2, 0x0a, 0x0b, 0x0c, 0x0d}));
  EXPECT_EQ(buf->data().data(), header.data());
  // Input order: headers consumed from the front.
  buf->consume(2);
  EXPECT_EQ(buf->headroom(), 20U);
  EXPECT_EQ(bytes_of(buf->data()), (std::vector<std::uint8_t>{0x0a, 0x0b, 0x0c, 0x0d}));
  buf->truncate(3);
  EXPECT_EQ(bytes_of(buf->data()), (std::vector<std::uint8_t>{0x0a, 0x0b, 0x0c}));
  EXPECT_EQ(buf->tailroom(), 77U);
  // Push can use all of the headroom, append all of the tailroom.
  buf->push(20);
  buf->append(77);
  EXPECT_EQ(buf->headroom(), 0U);
  EXPECT_EQ(buf->tailroom(), 0U);
  EXPECT_EQ(buf->size(), 100U);
  buf->consume(100);
  EXPECT_EQ(buf->size(), 0U);
  buf->reset(30);
  EXPECT_EQ(buf->headroom(), 30U);
  EXPECT_EQ(buf->size(), 0U);
  EXPECT_EQ(buf->tailroom(), 70U);
}

TEST(PacketBuf, FromMarkKeepsConsumedHeaders) {
  BufPool pool(1, 128);
  auto buf = pool.allocate(0);
  ASSERT_TRUE(buf);
  Bytes frame = buf->append(30);
  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>(i);
  buf->mark(Layer::Link);
  buf->consume(14);
  buf->mark(Layer::Network);
  buf->consume(8);
  buf->mark(Layer::Transport);
  EXPECT_EQ(buf->from_mark(Layer::Link).size(), 30U);
  EXPECT_EQ(buf->from_mark(Layer::Link)[0], 0);
  EXPECT_EQ(buf->from_mark(Layer::Network).size(), 16U);
  EXPECT_EQ(buf->from_mark(Layer::Network)[0], 14);
  EXPECT_EQ(buf->from_mark(Layer::Transport).size(), 8U);
  EXPECT_EQ(buf->from_mark(Layer::Transport)[0], 22);
  // Trailing padding cut off is cut from every view.
  buf->truncate(4);
  EXPECT_EQ(buf->from_mark(Layer::Network).size(), 12U);
  EXPECT_EQ(buf->from_mark(Layer::Link).size(), 26U);
}

TEST(PacketBuf, MarkBeyondTheEndIsEmpty) {
  BufPool pool(1, 64);
  auto buf = pool.allocate(0);
  ASSERT_TRUE(buf);
  buf->append(30);
  buf->consume(20);
  buf->mark(Layer::Transport);  // at offset 20
  buf->push(5);
  buf->truncate(2);  // the data now ends at 17, before the mark
  EXPECT_TRUE(buf->from_mark(Layer::Transport).empty());
  EXPECT_EQ(buf->from_mark(Layer::Link).size(), 17U);
}

TEST(PacketBuf, ResetForgetsMarks) {
  BufPool pool(1, 64);
  auto buf = pool.allocate(0);
  ASSERT_TRUE(buf);
  buf->append(20);
  buf->consume(20);
  buf->mark(Layer::Transport);
  buf->reset(8);
  buf->append(10);
  EXPECT_EQ(buf->from_mark(Layer::Transport).size(), 10U);
  EXPECT_EQ(buf->from_mark(Layer::Transport).data(), buf->data().data());
}

TEST(PacketBuf, MoveTransfersOwnership) {
  BufPool pool(2, 64);
  auto a = pool.allocate(8);
  ASSERT_TRUE(a);
  a->append(3)[0] = 0x5a;
  PacketBuf moved(std::move(*a));
  EXPECT_FALSE(a->valid());  // NOLINT: checking the moved-from state on purpose
  EXPECT_EQ(a->size(), 0U);
  EXPECT_TRUE(moved.valid());
  EXPECT_EQ(moved.size(), 3U);
  EXPECT_EQ(moved.headroom(), 8U);
  EXPECT_EQ(moved.data()[0], 0x5a);
  EXPECT_EQ(pool.stats().used, 1U);
  a->release();  // a moved-from buffer owns nothing
  EXPECT_EQ(pool.stats().used, 1U);

  // Move-assigning over a live buffer releases the old one.
  auto b = pool.allocate(0);
  ASSERT_TRUE(b);
  EXPECT_EQ(pool.stats().used, 2U);
  *b = std::move(moved);
  EXPECT_EQ(pool.stats().used, 1U);
  EXPECT_EQ(b->data()[0], 0x5a);
  EXPECT_FALSE(moved.valid());  // NOLINT

  // Self-move keeps the buffer.
  PacketBuf& self = *b;
  *b = std::move(self);
  EXPECT_TRUE(b->valid());
  EXPECT_EQ(pool.stats().used, 1U);

  b->release();
  EXPECT_EQ(pool.stats().used, 0U);
  PacketBuf empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_EQ(empty.size(), 0U);
}

TEST(PacketBuf, BuffersReturnToTheirOwnPool) {
  BufPool first(1, 64);
  BufPool second(1, 64);
  auto a = first.allocate(0);
  auto b = second.allocate(0);
  ASSERT_TRUE(a && b);
  *a = std::move(*b);  // releases first's buffer, now holds second's
  EXPECT_EQ(first.stats().used, 0U);
  EXPECT_EQ(second.stats().used, 1U);
  a->release();
  EXPECT_EQ(second.stats().used, 0U);
}

TEST(Pools, ChoosesFrameOrLargeBuffers) {
  Pools pools(2, 1600, 1, 9000);
  auto small = pools.allocate(64, 1500);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->capacity(), 1600U);
  auto exact = pools.allocate(100, 1500);  // 1600: still a frame buffer
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->capacity(), 1600U);
  auto big = pools.allocate(64, 3000);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->capacity(), 9000U);
  EXPECT_EQ(big->headroom(), 64U);
  EXPECT_GE(big->tailroom(), 3000U);
  EXPECT_EQ(pools.in_use(), 3U);
  EXPECT_EQ(pools.frames.stats().used, 2U);
  EXPECT_EQ(pools.large.stats().used, 1U);
  // Too big for any buffer.
  EXPECT_FALSE(pools.allocate(64, 9000));
  // Large pool empty.
  EXPECT_FALSE(pools.allocate(0, 5000));
  EXPECT_EQ(pools.large.stats().failures, 1U);
  small.reset();
  exact.reset();
  big.reset();
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST(Pools, FullFramePoolFailsWithoutTakingALargeBuffer) {
  // Large buffers are few and kept for reassembly and big datagrams.
  Pools pools(1, 1600, 1, 9000);
  auto first = pools.allocate(0, 100);
  ASSERT_TRUE(first);
  EXPECT_FALSE(pools.allocate(0, 100));
  EXPECT_EQ(pools.frames.stats().failures, 1U);
  EXPECT_EQ(pools.large.stats().used, 0U);
  EXPECT_EQ(pools.in_use(), 1U);
}

}  // namespace
}  // namespace lwnet::buf_pool_test
