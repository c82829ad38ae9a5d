// FaultInjector: each fault does exactly what it says, alone and together,
// and a seed replays the same run.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <vector>

#include "link/fault_injector.h"

namespace lwnet::fault_injector_test {
namespace {

using Frame = std::vector<std::uint8_t>;

// A device with a queue of frames to deliver and a log of frames sent.
class ScriptedDevice final : public Device {
 public:
  DeviceCapabilities capabilities() const override { return {Medium::Ethernet, 1500}; }
  std::optional<std::size_t> receive(Bytes into, Instant) override {
    if (incoming.empty()) {
      return std::nullopt;
    }
    Frame frame = std::move(incoming.front());
    incoming.pop_front();
    EXPECT_LE(frame.size(), into.size());
    std::copy(frame.begin(), frame.end(), into.begin());
    return frame.size();
  }
  bool transmit(ConstBytes frame, Instant) override {
    if (refuse) {
      ++stats_.tx_dropped;
      return false;
    }
    sent.emplace_back(frame.begin(), frame.end());
    return true;
  }
  const DeviceStats& stats() const override { return stats_; }

  std::deque<Frame> incoming;
  std::vector<Frame> sent;
  bool refuse = false;

 private:
  DeviceStats stats_;
};

// Frame number n: 60 bytes, every byte n (so a flipped bit is easy to find).
Frame numbered(std::uint8_t n, std::size_t size = 60) { return Frame(size, n); }

// Every frame receive() gives at `now`, until it has none.
std::vector<Frame> drain(Device& device, Instant now, std::size_t buffer_size = 1514) {
  std::vector<Frame> out;
  Frame buffer(buffer_size);
  for (int guard = 0; guard < 100000; ++guard) {
    const std::optional<std::size_t> n = device.receive(buffer, now);
    if (!n) {
      return out;
    }
    out.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  ADD_FAILURE() << "receive() never ran dry";
  return out;
}

std::vector<std::uint8_t> first_bytes(const std::vector<Frame>& frames) {
  std::vector<std::uint8_t> out;
  for (const Frame& f : frames) {
    out.push_back(f.empty() ? 0 : f[0]);
  }
  return out;
}

const Instant t0 = Instant::from_seconds(100);

TEST(FaultInjector, PassesEverythingUnchangedWithoutFaults) {
  ScriptedDevice inner;
  FaultInjector faults(inner, FaultConfig{});
  for (std::uint8_t i = 1; i <= 50; ++i) {
    inner.incoming.push_back(numbered(i));
    EXPECT_TRUE(faults.transmit(numbered(static_cast<std::uint8_t>(100 + i)), t0));
  }
  const std::vector<Frame> received = drain(faults, t0);
  ASSERT_EQ(received.size(), 50U);
  ASSERT_EQ(inner.sent.size(), 50U);
  for (std::uint8_t i = 1; i <= 50; ++i) {
    EXPECT_EQ(received[i - 1U], numbered(i));
    EXPECT_EQ(inner.sent[i - 1U], numbered(static_cast<std::uint8_t>(100 + i)));
  }
  EXPECT_EQ(faults.stats().rx_frames, 50U);
  EXPECT_EQ(faults.stats().rx_bytes, 50U * 60U);
  EXPECT_EQ(faults.stats().tx_frames, 50U);
  EXPECT_EQ(faults.stats().tx_bytes, 50U * 60U);
  EXPECT_EQ(faults.stats().rx_dropped, 0U);
  EXPECT_EQ(faults.next_deadline(), Instant::max());
  EXPECT_EQ(faults.capabilities().mtu, 1500U);
}

TEST(FaultInjector, DropsEverythingAtChanceOne) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.drop = 1.0;
  config.tx.drop = 1.0;
  FaultInjector faults(inner, config);
  for (std::uint8_t i = 0; i < 20; ++i) {
    inner.incoming.push_back(numbered(i));
    // A lost frame is still a frame the link took.
    EXPECT_TRUE(faults.transmit(numbered(i), t0));
  }
  EXPECT_TRUE(drain(faults, t0).empty());
  EXPECT_TRUE(inner.sent.empty());
  EXPECT_EQ(faults.fault_stats().rx.dropped, 20U);
  EXPECT_EQ(faults.fault_stats().tx.dropped, 20U);
  EXPECT_EQ(faults.stats().rx_dropped, 20U);
  EXPECT_EQ(faults.stats().tx_frames, 20U);
  EXPECT_EQ(faults.stats().tx_dropped, 0U);
}

TEST(FaultInjector, DropRateFollowsTheChance) {
  ScriptedDevice inner;
  FaultConfig config;
  config.seed = 42;
  config.tx.drop = 0.25;
  FaultInjector faults(inner, config);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(faults.transmit(numbered(1), t0));
  }
  const std::uint64_t dropped = faults.fault_stats().tx.dropped;
  EXPECT_EQ(dropped + inner.sent.size(), 10000U);
  // Expected 2500, standard deviation about 43.
  EXPECT_GT(dropped, 2300U);
  EXPECT_LT(dropped, 2700U);
}

FaultConfig everything(std::uint64_t seed) {
  FaultConfig config;
  config.seed = seed;
  for (FaultDirection* d : {&config.rx, &config.tx}) {
    d->drop = 0.2;
    d->duplicate = 0.2;
    d->reorder = 0.2;
    d->corrupt = 0.2;
  }
  return config;
}

struct FaultRun {
  std::vector<Frame> received;
  std::vector<Frame> sent;
  FaultStats faults;
};

// 200 frames each way, half at a time, with the clock moving.
FaultRun run_with(const FaultConfig& config, bool send = true) {
  ScriptedDevice inner;
  FaultInjector faults(inner, config);
  FaultRun run;
  Instant now = t0;
  for (std::uint8_t batch = 0; batch < 20; ++batch) {
    for (std::uint8_t i = 0; i < 10; ++i) {
      const auto n = static_cast<std::uint8_t>(batch * 10 + i);
      inner.incoming.push_back(numbered(n));
      if (send) {
        faults.transmit(numbered(n), now);
      }
    }
    for (Frame& f : drain(faults, now)) {
      run.received.push_back(std::move(f));
    }
    now += Duration::millis(3);
  }
  now += Duration::seconds(1);
  faults.poll(now);
  for (Frame& f : drain(faults, now)) {
    run.received.push_back(std::move(f));
  }
  run.sent = inner.sent;
  run.faults = faults.fault_stats();
  return run;
}

TEST(FaultInjector, SameSeedReplaysExactly) {
  const FaultRun a = run_with(everything(7));
  const FaultRun b = run_with(everything(7));
  EXPECT_EQ(a.received, b.received);
  EXPECT_EQ(a.sent, b.sent);
  // Every fault happened in it, so the equality is not trivial.
  for (const FaultCounters* c : {&a.faults.rx, &a.faults.tx}) {
    EXPECT_GT(c->dropped, 0U);
    EXPECT_GT(c->duplicated, 0U);
    EXPECT_GT(c->reordered, 0U);
    EXPECT_GT(c->corrupted, 0U);
  }
}

TEST(FaultInjector, DifferentSeedsDiffer) {
  const FaultRun a = run_with(everything(7));
  const FaultRun b = run_with(everything(8));
  EXPECT_NE(a.received, b.received);
  EXPECT_NE(a.sent, b.sent);
}

TEST(FaultInjector, ReceiveFaultsDoNotDependOnTransmitTraffic) {
  const FaultRun with_sends = run_with(everything(9), true);
  const FaultRun without_sends = run_with(everything(9), false);
  EXPECT_EQ(with_sends.received, without_sends.received);
  EXPECT_TRUE(without_sends.sent.empty());
}

TEST(FaultInjector, DuplicatesEveryFrameAtChanceOne) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.duplicate = 1.0;
  config.tx.duplicate = 1.0;
  FaultInjector faults(inner, config);
  for (std::uint8_t i = 1; i <= 3; ++i) {
    inner.incoming.push_back(numbered(i));
    EXPECT_TRUE(faults.transmit(numbered(i), t0));
  }
  EXPECT_EQ(first_bytes(drain(faults, t0)), (std::vector<std::uint8_t>{1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(faults.fault_stats().rx.duplicated, 3U);
  EXPECT_EQ(faults.fault_stats().tx.duplicated, 3U);
  EXPECT_EQ(faults.stats().rx_frames, 6U);
}

TEST(FaultInjector, ReceiveReorderSwapsNeighbours) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.reorder = 1.0;
  FaultInjector faults(inner, config);
  for (std::uint8_t i = 1; i <= 4; ++i) {
    inner.incoming.push_back(numbered(i));
  }
  // 1 is held, 2 passes and releases 1; the same for 3 and 4.
  EXPECT_EQ(first_bytes(drain(faults, t0)), (std::vector<std::uint8_t>{2, 1, 4, 3}));
  EXPECT_EQ(faults.fault_stats().rx.reordered, 2U);
}

TEST(FaultInjector, ReceiveReorderReleasesAfterTheDelay) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.reorder = 1.0;
  config.rx.reorder_delay = Duration::millis(5);
  FaultInjector faults(inner, config);
  inner.incoming.push_back(numbered(1));
  EXPECT_TRUE(drain(faults, t0).empty());
  EXPECT_EQ(faults.next_deadline(), t0 + Duration::millis(5));
  EXPECT_TRUE(drain(faults, t0 + Duration::micros(4999)).empty());
  EXPECT_EQ(first_bytes(drain(faults, t0 + Duration::millis(5))), (std::vector<std::uint8_t>{1}));
  EXPECT_EQ(faults.next_deadline(), Instant::max());
}

TEST(FaultInjector, TransmitReorderSwapsNeighboursAndReleasesOnPoll) {
  ScriptedDevice inner;
  FaultConfig config;
  config.tx.reorder = 1.0;
  config.tx.reorder_delay = Duration::millis(5);
  FaultInjector faults(inner, config);
  EXPECT_TRUE(faults.transmit(numbered(1), t0));
  EXPECT_TRUE(inner.sent.empty());
  EXPECT_TRUE(faults.transmit(numbered(2), t0));
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{2, 1}));

  EXPECT_TRUE(faults.transmit(numbered(3), t0));
  EXPECT_EQ(faults.next_deadline(), t0 + Duration::millis(5));
  faults.poll(t0 + Duration::millis(4));
  EXPECT_EQ(inner.sent.size(), 2U);
  // receive() also releases it, so a stack that only polls its devices works.
  Frame buffer(1514);
  EXPECT_FALSE(faults.receive(buffer, t0 + Duration::millis(5)));
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{2, 1, 3}));
  EXPECT_EQ(faults.next_deadline(), Instant::max());
}

int differing_bits(const Frame& a, const Frame& b) {
  EXPECT_EQ(a.size(), b.size());
  int bits = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bits += std::popcount(static_cast<unsigned>(a[i] ^ b[i]));
  }
  return bits;
}

// The position of the first bit in which two frames of one size differ.
std::size_t first_differing_bit(const Frame& a, const Frame& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const auto x = static_cast<unsigned>(a[i] ^ b[i]);
    if (x != 0) return i * 8 + static_cast<std::size_t>(std::countr_zero(x));
  }
  return a.size() * 8;
}

TEST(FaultInjector, CorruptFlipsExactlyOneBit) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.corrupt = 1.0;
  config.tx.corrupt = 1.0;
  FaultInjector faults(inner, config);
  for (std::uint8_t i = 0; i < 30; ++i) {
    inner.incoming.push_back(numbered(0x5a));
    const Frame original = numbered(0xa5);
    const Frame copy = original;
    EXPECT_TRUE(faults.transmit(original, t0));
    EXPECT_EQ(original, copy);  // the caller's frame is left alone
  }
  const std::vector<Frame> received = drain(faults, t0);
  ASSERT_EQ(received.size(), 30U);
  ASSERT_EQ(inner.sent.size(), 30U);
  std::set<std::size_t> flipped;
  for (std::size_t i = 0; i < 30; ++i) {
    EXPECT_EQ(differing_bits(received[i], numbered(0x5a)), 1);
    EXPECT_EQ(differing_bits(inner.sent[i], numbered(0xa5)), 1);
    flipped.insert(first_differing_bit(received[i], numbered(0x5a)));
  }
  // The bit is chosen at random, not always the same one.
  EXPECT_GT(flipped.size(), 10U);
  EXPECT_EQ(faults.fault_stats().rx.corrupted, 30U);
  EXPECT_EQ(faults.fault_stats().tx.corrupted, 30U);
}

TEST(FaultInjector, RateLimitPerInterval) {
  ScriptedDevice inner;
  FaultConfig config;
  config.tx.max_frames_per_interval = 3;
  config.tx.rate_interval = Duration::millis(100);
  config.rx.max_frames_per_interval = 2;
  config.rx.rate_interval = Duration::millis(100);
  FaultInjector faults(inner, config);
  for (std::uint8_t i = 1; i <= 5; ++i) {
    EXPECT_TRUE(faults.transmit(numbered(i), t0));
    inner.incoming.push_back(numbered(i));
  }
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(first_bytes(drain(faults, t0)), (std::vector<std::uint8_t>{1, 2}));
  // Still in the window: nothing more.
  EXPECT_TRUE(faults.transmit(numbered(6), t0 + Duration::millis(99)));
  EXPECT_EQ(inner.sent.size(), 3U);
  // A new window.
  EXPECT_TRUE(faults.transmit(numbered(7), t0 + Duration::millis(100)));
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{1, 2, 3, 7}));
  inner.incoming.push_back(numbered(8));
  EXPECT_EQ(first_bytes(drain(faults, t0 + Duration::millis(100))), (std::vector<std::uint8_t>{8}));
  EXPECT_EQ(faults.fault_stats().tx.rate_limited, 3U);
  EXPECT_EQ(faults.fault_stats().rx.rate_limited, 3U);
  EXPECT_EQ(faults.stats().rx_dropped, 3U);
}

TEST(FaultInjector, SizeLimit) {
  ScriptedDevice inner;
  FaultConfig config;
  config.tx.max_frame_size = 100;
  config.rx.max_frame_size = 100;
  FaultInjector faults(inner, config);
  EXPECT_TRUE(faults.transmit(numbered(1, 100), t0));
  EXPECT_TRUE(faults.transmit(numbered(2, 101), t0));
  inner.incoming.push_back(numbered(3, 101));
  inner.incoming.push_back(numbered(4, 100));
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{1}));
  EXPECT_EQ(first_bytes(drain(faults, t0)), (std::vector<std::uint8_t>{4}));
  EXPECT_EQ(faults.fault_stats().tx.oversized, 1U);
  EXPECT_EQ(faults.fault_stats().rx.oversized, 1U);
}

TEST(FaultInjector, StoredFrameTooLongForTheCallerIsDroppedAndCounted) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.reorder = 1.0;
  config.rx.reorder_delay = Duration::millis(5);
  FaultInjector faults(inner, config);
  inner.incoming.push_back(numbered(1, 200));
  EXPECT_TRUE(drain(faults, t0, 1514).empty());  // held
  // Released, but it does not fit the buffer it is offered.
  EXPECT_TRUE(drain(faults, t0 + Duration::millis(5), 100).empty());
  EXPECT_EQ(faults.stats().rx_dropped, 1U);
  EXPECT_EQ(faults.stats().rx_frames, 0U);
  EXPECT_EQ(faults.next_deadline(), Instant::max());
}

TEST(FaultInjector, FramesTooLongToStorePassUndelayed) {
  ScriptedDevice inner;
  FaultConfig config;
  config.max_stored_frame = 64;
  config.rx.reorder = 1.0;
  config.tx.reorder = 1.0;
  FaultInjector faults(inner, config);
  inner.incoming.push_back(numbered(1, 65));
  EXPECT_EQ(first_bytes(drain(faults, t0)), (std::vector<std::uint8_t>{1}));
  EXPECT_TRUE(faults.transmit(numbered(2, 65), t0));
  EXPECT_EQ(first_bytes(inner.sent), (std::vector<std::uint8_t>{2}));
  EXPECT_EQ(faults.fault_stats().rx.reordered, 0U);
  EXPECT_EQ(faults.fault_stats().tx.reordered, 0U);
}

TEST(FaultInjector, RefusedByTheInnerDevice) {
  ScriptedDevice inner;
  inner.refuse = true;
  FaultInjector faults(inner, FaultConfig{});
  EXPECT_FALSE(faults.transmit(numbered(1), t0));
  EXPECT_EQ(faults.stats().tx_dropped, 1U);
}

TEST(FaultInjector, ReadyDuplicateShowsInTheDeadline) {
  ScriptedDevice inner;
  FaultConfig config;
  config.rx.duplicate = 1.0;
  FaultInjector faults(inner, config);
  inner.incoming.push_back(numbered(1));
  Frame buffer(1514);
  ASSERT_TRUE(faults.receive(buffer, t0));
  EXPECT_LE(faults.next_deadline(), t0);  // the copy can be taken now
  ASSERT_TRUE(faults.receive(buffer, t0));
  EXPECT_EQ(faults.next_deadline(), Instant::max());
}

}  // namespace
}  // namespace lwnet::fault_injector_test
