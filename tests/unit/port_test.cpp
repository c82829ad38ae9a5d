// port/: the monotonic clock, the entropy source, and waiting on descriptors,
// deadlines and Wakers. No test here depends on how long anything takes: a
// wait that should return at once either does or hangs the test.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <set>
#include <thread>
#include <vector>

#include "port/clock.h"
#include "port/entropy.h"
#include "port/os_error.h"
#include "port/wait.h"

namespace lwnet::port_test {
namespace {

std::int64_t raw_monotonic_micros() {
  timespec ts{};
  EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// A bound on waits that should end on their own; reaching it fails the test
// instead of hanging it.
Instant safety_deadline() { return monotonic_now() + Duration::seconds(30); }

TEST(Clock, IsClockMonotonicInMicroseconds) {
  const std::int64_t before = raw_monotonic_micros();
  const Instant now = monotonic_now();
  const std::int64_t after = raw_monotonic_micros();
  EXPECT_LE(before, now.total_micros());
  EXPECT_LE(now.total_micros(), after);
}

TEST(Clock, NeverGoesBackAndAdvancesAcrossASleep) {
  Instant previous = monotonic_now();
  for (int i = 0; i < 10000; ++i) {
    const Instant now = monotonic_now();
    ASSERT_GE(now, previous);
    previous = now;
  }
  const Instant before = monotonic_now();
  const timespec two_ms{0, 2000000};
  ASSERT_EQ(nanosleep(&two_ms, nullptr), 0);
  // The kernel sleeps at least as long as asked.
  EXPECT_GE(monotonic_now() - before, Duration::millis(2));
}

TEST(PortEntropy, SeedsDiffer) {
  std::set<std::uint64_t> seeds;
  for (int i = 0; i < 16; ++i) {
    seeds.insert(random_seed());
  }
  EXPECT_EQ(seeds.size(), 16U);
}

TEST(PortEntropy, FillsLargeBuffersCompletely) {
  std::vector<std::uint8_t> bytes(1 << 20, 0);
  fill_random(bytes);
  // Every 64-byte block got bytes: an all-zero block has probability 2^-512.
  for (std::size_t at = 0; at < bytes.size(); at += 64) {
    bool any = false;
    for (std::size_t i = at; i < at + 64; ++i) {
      any = any || bytes[i] != 0;
    }
    ASSERT_TRUE(any) << "block at " << at;
  }
  fill_random(Bytes());  // nothing to do, and no trouble doing it
}

TEST(PortOsError, MessageNamesTheCallTheErrorAndTheHint) {
  const OsError error("open /dev/net/tun", EACCES, "run as root");
  EXPECT_EQ(error.message(), "open /dev/net/tun: Permission denied (run as root)");
  EXPECT_EQ(OsError("x", ENAMETOOLONG).message(), "x: File name too long");
  EXPECT_EQ(error.code(), Error::Unsupported);
  EXPECT_EQ(OsError("x", EAGAIN).code(), Error::WouldBlock);
  EXPECT_EQ(OsError("x", ENAMETOOLONG).code(), Error::InvalidArgument);
  errno = EBUSY;
  EXPECT_EQ(OsError::last("y").number(), EBUSY);
}

// A pipe closed at the end of the test.
struct Pipe {
  Pipe() { EXPECT_EQ(pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK), 0); }
  ~Pipe() {
    for (const int fd : fds) {
      if (fd >= 0) {
        close(fd);
      }
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
  std::array<int, 2> fds{-1, -1};
};

TEST(Wait, PastDeadlineReturnsAtOnce) {
  OsResult<Waker> waker = Waker::create();
  ASSERT_TRUE(waker) << waker.os_error().message();
  WaitSet set(*waker);
  Pipe pipe;
  const std::size_t index = set.add(pipe.read_end());
  const OsResult<WaitResult> result = set.wait(monotonic_now() - Duration::seconds(1));
  ASSERT_TRUE(result) << result.os_error().message();
  EXPECT_TRUE(result->timed_out);
  EXPECT_FALSE(result->woken);
  EXPECT_FALSE(set.readable(index));
}

TEST(Wait, PastDeadlineStillReportsWhatIsReady) {
  WaitSet set;
  Pipe idle;
  Pipe busy;
  const std::size_t idle_index = set.add(idle.read_end());
  const std::size_t busy_index = set.add(busy.read_end());
  ASSERT_EQ(write(busy.write_end(), "x", 1), 1);
  const OsResult<WaitResult> result = set.wait(Instant::from_micros(0));
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->timed_out);
  EXPECT_FALSE(set.readable(idle_index));
  EXPECT_TRUE(set.readable(busy_index));
}

TEST(Wait, ReadableDescriptorEndsAWaitWithoutDeadline) {
  WaitSet set;
  Pipe pipe;
  const std::size_t index = set.add(pipe.read_end());
  std::thread writer([&] { EXPECT_EQ(write(pipe.write_end(), "x", 1), 1); });
  const OsResult<WaitResult> result = set.wait(Instant::max());
  writer.join();
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->timed_out);
  EXPECT_FALSE(result->woken);
  EXPECT_TRUE(set.readable(index));
}

TEST(Wait, HangUpCountsAsReadable) {
  WaitSet set;
  Pipe pipe;
  const std::size_t index = set.add(pipe.read_end());
  close(pipe.fds[1]);
  pipe.fds[1] = -1;
  const OsResult<WaitResult> result = set.wait(safety_deadline());
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->timed_out);
  EXPECT_TRUE(set.readable(index));
}

TEST(Wait, WakerFromAnotherThreadEndsAWaitWithoutDeadline) {
  OsResult<Waker> waker = Waker::create();
  ASSERT_TRUE(waker);
  WaitSet set(*waker);
  Pipe pipe;
  const std::size_t index = set.add(pipe.read_end());
  std::thread other([&] { waker->wake(); });
  const OsResult<WaitResult> result = set.wait(Instant::max());
  other.join();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->woken);
  EXPECT_FALSE(result->timed_out);
  EXPECT_FALSE(set.readable(index));
  // The wake was taken: the next wait does not see it again.
  const OsResult<WaitResult> again = set.wait(monotonic_now());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->woken);
  EXPECT_TRUE(again->timed_out);
}

TEST(Wait, WakeBeforeTheWaitIsNotLostAndWakesOnce) {
  OsResult<Waker> waker = Waker::create();
  ASSERT_TRUE(waker);
  WaitSet set(*waker);
  waker->wake();
  waker->wake();
  waker->wake();
  const OsResult<WaitResult> first = set.wait(Instant::max());
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->woken);
  const OsResult<WaitResult> second = set.wait(monotonic_now());
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->woken);
  EXPECT_FALSE(waker->clear());
  waker->wake();
  EXPECT_TRUE(waker->clear());
  EXPECT_FALSE(waker->clear());
}

Waker* signal_waker = nullptr;
std::atomic<int> signals_seen{0};

void on_signal_wake(int) {
  ++signals_seen;
  signal_waker->wake();
}
void on_signal_count(int) { ++signals_seen; }

// Installs a handler for SIGUSR1 without SA_RESTART (so ppoll fails with
// EINTR) and restores the old one at the end.
class SignalHandler {
 public:
  explicit SignalHandler(void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    EXPECT_EQ(sigaction(SIGUSR1, &action, &old_), 0);
  }
  ~SignalHandler() { sigaction(SIGUSR1, &old_, nullptr); }
  SignalHandler(const SignalHandler&) = delete;
  SignalHandler& operator=(const SignalHandler&) = delete;

 private:
  struct sigaction old_ {};
};

TEST(Wait, SignalHandlerCanWakeAWait) {
  OsResult<Waker> waker = Waker::create();
  ASSERT_TRUE(waker);
  signal_waker = &*waker;
  signals_seen = 0;
  const SignalHandler handler(on_signal_wake);
  WaitSet set(*waker);
  const pthread_t waiting = pthread_self();
  std::thread other([&] { pthread_kill(waiting, SIGUSR1); });
  const OsResult<WaitResult> result = set.wait(Instant::max());
  other.join();
  ASSERT_TRUE(result) << result.os_error().message();
  EXPECT_TRUE(result->woken);
  EXPECT_EQ(signals_seen, 1);
  signal_waker = nullptr;
}

TEST(Wait, SignalsDoNotEndTheWait) {
  OsResult<Waker> waker = Waker::create();
  ASSERT_TRUE(waker);
  signals_seen = 0;
  const SignalHandler handler(on_signal_count);
  WaitSet set(*waker);
  const pthread_t waiting = pthread_self();
  // 200 signals 1 ms apart while the wait runs (each an EINTR inside ppoll,
  // unless it lands just before it), and only then the real wake.
  std::thread other([&] {
    for (int i = 0; i < 200; ++i) {
      pthread_kill(waiting, SIGUSR1);
      const timespec one_ms{0, 1000000};
      nanosleep(&one_ms, nullptr);
    }
    waker->wake();
  });
  const OsResult<WaitResult> result = set.wait(Instant::max());
  other.join();
  ASSERT_TRUE(result) << result.os_error().message();
  EXPECT_TRUE(result->woken);
  EXPECT_GT(signals_seen, 0);
}

TEST(Wait, ClosedDescriptorIsAnError) {
  WaitSet set;
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  close(fds[0]);
  close(fds[1]);
  set.add(fds[0]);
  const OsResult<WaitResult> result = set.wait(safety_deadline());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.os_error().number(), EBADF);
}

TEST(Wait, MovedWakerStillWakesTheSet) {
  OsResult<Waker> created = Waker::create();
  ASSERT_TRUE(created);
  Waker waker = std::move(*created);
  WaitSet set(waker);
  waker.wake();
  const OsResult<WaitResult> result = set.wait(safety_deadline());
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->woken);
}

}  // namespace
}  // namespace lwnet::port_test
