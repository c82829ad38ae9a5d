// port/'s thread synchronisation under the socket layer: AdaptiveMutex (the
// core mutex) and WakeFlag (a blocking socket call's sleep). Here, not in
// tests/unit, so that the ThreadSanitizer job (scripts/test_tsan.sh, label
// api) runs them. No test depends on timing: a wake that is lost hangs
// until the safety deadline and fails.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "port/adaptive_mutex.h"
#include "port/clock.h"
#include "port/wake_flag.h"

namespace lwnet::port_sync_test {
namespace {

Instant safety_deadline() { return monotonic_now() + Duration::seconds(30); }

class AdaptiveMutexTest : public ::testing::TestWithParam<int> {};

// Four threads, each adding to a plain counter under the mutex: every
// addition counts, so no two held it at once. Spin 0 makes every contended
// lock sleep in the kernel; 50 us spins first (the host preset).
TEST_P(AdaptiveMutexTest, ExcludesAndLosesNoWakeUp) {
  AdaptiveMutex mutex(Duration::micros(GetParam()));
  long counter = 0;
  constexpr int threads = 4;
  constexpr int rounds = 20000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        const std::lock_guard lock(mutex);
        counter = counter + 1;
      }
    });
  }
  for (std::thread& w : workers) w.join();
  EXPECT_EQ(counter, long{threads} * rounds);
}

TEST_P(AdaptiveMutexTest, TryLockFailsWhileHeldAndWorksAfter) {
  AdaptiveMutex mutex(Duration::micros(GetParam()));
  mutex.lock();
  bool taken = true;
  std::thread other([&] { taken = mutex.try_lock(); });
  other.join();
  EXPECT_FALSE(taken);
  mutex.unlock();
  std::thread again([&] {
    taken = mutex.try_lock();
    if (taken) mutex.unlock();
  });
  again.join();
  EXPECT_TRUE(taken);
}

// A thread that sleeps in lock() (the holder keeps it long past any spin)
// is woken by unlock().
TEST_P(AdaptiveMutexTest, SleeperIsWokenByUnlock) {
  AdaptiveMutex mutex(Duration::micros(GetParam()));
  mutex.lock();
  std::atomic<bool> started{false};
  std::atomic<bool> locked{false};
  std::thread waiter([&] {
    started = true;
    mutex.lock();
    locked = true;
    mutex.unlock();
  });
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(locked.load());
  mutex.unlock();
  waiter.join();
  EXPECT_TRUE(locked.load());
}

INSTANTIATE_TEST_SUITE_P(Spin, AdaptiveMutexTest, ::testing::Values(0, 50),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return param_info.param == 0 ? std::string("NoSpin") : std::string("Spin50us");
                         });

TEST(WakeFlag, RaisedBeforeSleepReturnsAtOnce) {
  WakeFlag flag;
  flag.reset();
  flag.raise();
  EXPECT_TRUE(flag.sleep(safety_deadline()));
  // A raise is taken once: after reset() the flag sleeps again.
  flag.reset();
  EXPECT_FALSE(flag.sleep(monotonic_now()));
}

TEST(WakeFlag, DeadlineEndsTheSleep) {
  WakeFlag flag;
  flag.reset();
  const Instant deadline = monotonic_now() + Duration::millis(20);
  EXPECT_FALSE(flag.sleep(deadline));
  EXPECT_GE(monotonic_now(), deadline);
  // A deadline already past: a look, no sleep.
  EXPECT_FALSE(flag.sleep(Instant::from_micros(0)));
}

TEST(WakeFlag, RaiseFromAnotherThreadWakesTheSleeper) {
  for (int round = 0; round < 200; ++round) {
    WakeFlag flag;
    flag.reset();
    std::thread raiser([&] { flag.raise(); });
    EXPECT_TRUE(flag.sleep(safety_deadline())) << "round " << round;
    raiser.join();
  }
}

// The socket layer's pattern: reset, look, sleep; an event between the look
// and the sleep must not be lost. The producer raises after each item; the
// consumer must see all of them without a timeout.
TEST(WakeFlag, EventsBetweenLookAndSleepAreNotLost) {
  WakeFlag flag;
  std::atomic<int> produced{0};
  constexpr int items = 20000;
  std::thread producer([&] {
    for (int i = 0; i < items; ++i) {
      produced.fetch_add(1);
      flag.raise();
    }
  });
  int seen = 0;
  while (seen < items) {
    flag.reset();
    const int now = produced.load();
    if (now > seen) {
      seen = now;
      continue;
    }
    ASSERT_TRUE(flag.sleep(safety_deadline())) << "lost a wake-up at " << seen;
  }
  producer.join();
}

}  // namespace
}  // namespace lwnet::port_sync_test
