// The in-process devices: PipePair and Loopback.
#include <gtest/gtest.h>

#include <vector>

#include "link/loopback.h"
#include "link/pipe.h"
#include "support/frames.h"

namespace lwnet::pipe_test {
namespace {

using test::ByteVector;

TEST(PipePair, DeliversAfterTheLatencyInOrder) {
  PipePair pipe(PipeConfig{Duration::millis(10), 8, 1500});
  Device& a = pipe.a();
  Device& b = pipe.b();
  const Instant t0 = Instant::from_millis(100);
  EXPECT_EQ(b.next_deadline(), Instant::max());
  ASSERT_TRUE(a.transmit(test::pattern(60, 1), t0));
  ASSERT_TRUE(a.transmit(test::pattern(70, 2), t0 + Duration::millis(3)));
  EXPECT_EQ(b.next_deadline(), t0 + Duration::millis(10));
  EXPECT_TRUE(test::drain(b, t0 + Duration::millis(9)).empty());
  std::vector<ByteVector> got = test::drain(b, t0 + Duration::millis(10));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0], test::pattern(60, 1));
  EXPECT_EQ(b.next_deadline(), t0 + Duration::millis(13));
  got = test::drain(b, t0 + Duration::millis(20));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0], test::pattern(70, 2));
  EXPECT_TRUE(test::drain(a, t0 + Duration::seconds(1)).empty());  // nothing came back
  EXPECT_EQ(a.stats().tx_frames, 2U);
  EXPECT_EQ(b.stats().rx_frames, 2U);
  EXPECT_EQ(b.stats().rx_bytes, 130U);
  EXPECT_EQ(a.capabilities().medium, Medium::Ethernet);
  EXPECT_EQ(a.capabilities().mtu, 1500U);
}

TEST(PipePair, FullQueueAndOversizedFramesAreRefused) {
  PipePair pipe(PipeConfig{Duration::zero(), 2, 100});
  Device& a = pipe.a();
  const Instant t0;
  EXPECT_TRUE(a.transmit(test::pattern(60), t0));
  EXPECT_TRUE(a.transmit(test::pattern(60), t0));
  EXPECT_FALSE(a.transmit(test::pattern(60), t0));
  EXPECT_FALSE(pipe.b().transmit(test::pattern(115), t0));  // 14 + 100 at most
  EXPECT_EQ(pipe.dropped(), 2U);
  EXPECT_EQ(a.stats().tx_dropped, 1U);
  EXPECT_EQ(test::drain(pipe.b(), t0).size(), 2U);
  // A receive buffer too small for a frame drops that frame, not the next.
  ASSERT_TRUE(a.transmit(test::pattern(80), t0));
  ASSERT_TRUE(a.transmit(test::pattern(20), t0));
  ByteVector small(40);
  Device& b = pipe.b();
  EXPECT_EQ(b.receive(small, t0), std::optional<std::size_t>{20});
  EXPECT_EQ(b.stats().rx_dropped, 1U);
}

TEST(PipePair, ObserverSeesEveryFrameAndMayLoseIt) {
  PipePair pipe;
  struct Seen {
    std::vector<int> from;
    int lose_every = 2;
  } seen;
  pipe.set_observer(
      [](void* context, int from, ConstBytes, Instant) {
        auto* s = static_cast<Seen*>(context);
        s->from.push_back(from);
        return s->from.size() % 2 == 1;  // lose every second frame
      },
      &seen);
  const Instant t0;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(pipe.a().transmit(test::pattern(60), t0));
  EXPECT_TRUE(pipe.b().transmit(test::pattern(60), t0));
  EXPECT_EQ(seen.from, (std::vector<int>{0, 0, 0, 0, 1}));
  EXPECT_EQ(pipe.lost(), 2U);
  EXPECT_EQ(test::drain(pipe.b(), t0).size(), 2U);
  EXPECT_EQ(test::drain(pipe.a(), t0).size(), 1U);
  pipe.set_observer(nullptr, nullptr);
}

TEST(Loopback, GivesBackWhatItTakesUpToItsCapacity) {
  Loopback lo(3, 200);
  Device& d = lo;
  EXPECT_EQ(d.capabilities().medium, Medium::Ip);
  EXPECT_EQ(d.capabilities().mtu, 200U);
  const Instant t0 = Instant::from_seconds(2);
  EXPECT_EQ(d.next_deadline(), Instant::max());
  for (std::uint8_t i = 0; i < 3; ++i) EXPECT_TRUE(d.transmit(test::pattern(50, i), t0));
  EXPECT_FALSE(d.transmit(test::pattern(50), t0));
  EXPECT_FALSE(Loopback(3, 200).transmit(test::pattern(201), t0));
  EXPECT_EQ(d.stats().tx_dropped, 1U);
  EXPECT_EQ(d.next_deadline(), t0);
  const std::vector<ByteVector> got = test::drain(d, t0);
  ASSERT_EQ(got.size(), 3U);
  for (std::uint8_t i = 0; i < 3; ++i) EXPECT_EQ(got[i], test::pattern(50, i));
  EXPECT_EQ(d.next_deadline(), Instant::max());
}

}  // namespace
}  // namespace lwnet::pipe_test
