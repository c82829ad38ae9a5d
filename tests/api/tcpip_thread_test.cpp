// The TCP/IP thread, in both modes (message passing and core locking): calls
// from many threads, posted callbacks and a full mailbox, calls from the
// core thread, timers stopped and restarted, scheduling and affinity.
#include "api/tcpip_thread.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <semaphore>
#include <thread>
#include <vector>

#include "api/core_guard.h"
#include "datagram_device.h"
#include "support/frames.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::tcpip_thread_test {
namespace {

using api::CoreGuard;
using api::TcpipConfig;
using api::TcpipThread;

struct Mode {
  bool core_locking;
  const char* name;
  Duration spin = Duration::zero();  // TcpipConfig::spin_before_sleep
};

void PrintTo(const Mode& mode, std::ostream* out) { *out << mode.name; }

class TcpipThreadTest : public ::testing::TestWithParam<Mode> {
 protected:
  TcpipConfig config() const {
    TcpipConfig c;
    c.core_locking = GetParam().core_locking;
    c.spin_before_sleep = GetParam().spin;
    c.random_seed = 1;
    return c;
  }
};

// Waits until every message posted before it has run (the mailbox is FIFO).
void drain_mailbox(TcpipThread& thread) {
  std::binary_semaphore done{0};
  ASSERT_OK(thread.post([](void* s) { static_cast<std::binary_semaphore*>(s)->release(); }, &done));
  done.acquire();
}

// Runs `f` on the TCP/IP thread itself (call() runs in the caller's thread
// under core locking) and waits for it.
template <class F>
void on_core_thread(TcpipThread& thread, F f) {
  struct Job {
    F* f;
    std::binary_semaphore done{0};
  } job{&f};
  ASSERT_OK(thread.post(
      [](void* context) {
        auto* j = static_cast<Job*>(context);
        (*j->f)();
        j->done.release();
      },
      &job));
  job.done.acquire();
}

TEST_P(TcpipThreadTest, ConcurrentCallsEachRunOnceInCoreContext) {
  TcpipThread thread(config());
  ASSERT_OK(thread.start());
  constexpr int threads = 8;
  constexpr int calls_per_thread = 200;
  // Core context only: plain memory, guarded by the thread's discipline
  // (TSan sees any call that ran outside it).
  std::vector<int> runs(threads * calls_per_thread, 0);
  int total = 0;
  std::atomic<int> outside_core{0};
  std::atomic<int> wrong_results{0};
  std::atomic<int> on_caller_thread{0};
  std::atomic<int> open_failures{0};

  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&, t] {
      const std::thread::id me = std::this_thread::get_id();
      for (int i = 0; i < calls_per_thread; ++i) {
        const int index = t * calls_per_thread + i;
        const int result = thread.call([&](Stack& stack, Instant) {
          if (!thread.in_core_context()) outside_core.fetch_add(1);
          if (std::this_thread::get_id() == me) on_caller_thread.fetch_add(1);
          ++runs[static_cast<std::size_t>(index)];
          ++total;
          // Touch the stack too: a UDP endpoint opened and closed.
          const Result<UdpHandle> h = stack.udp_open();
          if (h) {
            stack.udp_close(*h);
          } else {
            open_failures.fetch_add(1);
          }
          return index * 3 + 1;
        });
        if (result != index * 3 + 1) wrong_results.fetch_add(1);
      }
    });
  }
  for (std::thread& c : callers) c.join();

  EXPECT_EQ(outside_core.load(), 0);
  EXPECT_EQ(wrong_results.load(), 0);
  // Message passing runs every call on the TCP/IP thread; core locking in
  // the caller's own thread.
  EXPECT_EQ(on_caller_thread.load(), GetParam().core_locking ? threads * calls_per_thread : 0);
  const int seen = thread.call([&](Stack&, Instant) { return total; });
  EXPECT_EQ(seen, threads * calls_per_thread);
  for (std::size_t i = 0; i < runs.size(); ++i) ASSERT_EQ(runs[i], 1) << "call " << i;
  EXPECT_FALSE(thread.in_core_context());
  EXPECT_EQ(open_failures.load(), 0);
}

TEST_P(TcpipThreadTest, CallsRunInlineWhileNotRunning) {
  TcpipThread thread(config());
  const std::thread::id me = std::this_thread::get_id();
  auto where = [&](Stack&, Instant) {
    return thread.in_core_context() && std::this_thread::get_id() == me;
  };
  EXPECT_TRUE(thread.call(where));  // before start
  EXPECT_ERROR(thread.post([](void*) {}, nullptr), Error::Closed);
  ASSERT_OK(thread.start());
  EXPECT_TRUE(thread.running());
  EXPECT_ERROR(thread.start(), Error::AlreadyConnected);
  thread.stop();
  thread.stop();  // idempotent
  EXPECT_FALSE(thread.running());
  EXPECT_TRUE(thread.call(where));  // after stop
  EXPECT_ERROR(thread.try_post([](void*) {}, nullptr), Error::Closed);
  // And it starts again, with the stack it had.
  ASSERT_OK(thread.start());
  int ran = 0;
  drain_mailbox(thread);
  thread.call([&](Stack&, Instant) { ++ran; });
  EXPECT_EQ(ran, 1);
}

TEST_P(TcpipThreadTest, PostedCallbacksRunInOrderAndFullMailboxBlocksOrRefuses) {
  TcpipConfig c = config();
  c.mailbox_size = 8;
  TcpipThread thread(c);
  ASSERT_OK(thread.start());

  // Hold the TCP/IP thread inside a message, so nothing leaves the mailbox.
  struct Blocker {
    std::binary_semaphore entered{0};
    std::binary_semaphore release{0};
  } blocker;
  ASSERT_OK(thread.post(
      [](void* b) {
        static_cast<Blocker*>(b)->entered.release();
        static_cast<Blocker*>(b)->release.acquire();
      },
      &blocker));
  blocker.entered.acquire();

  struct Record {
    std::vector<int>* order;
    int value;
  };
  std::vector<int> order;  // written on the TCP/IP thread only
  std::vector<Record> records;
  records.reserve(10);
  for (int i = 0; i < 10; ++i) records.push_back({&order, i});
  auto record = [](void* r) {
    auto* rec = static_cast<Record*>(r);
    rec->order->push_back(rec->value);
  };

  for (int i = 0; i < 8; ++i) ASSERT_OK(thread.try_post(record, &records[static_cast<std::size_t>(i)]));
  EXPECT_ERROR(thread.try_post(record, &records[8]), Error::WouldBlock);

  std::atomic<bool> posted{false};
  std::thread poster([&] {
    EXPECT_OK(thread.post(record, &records[9]));
    posted.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(posted.load());  // waits for room

  blocker.release.release();
  poster.join();
  EXPECT_TRUE(posted.load());
  drain_mailbox(thread);
  const std::vector<int> seen = thread.call([&](Stack&, Instant) { return order; });
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 9}));
}

TEST_P(TcpipThreadTest, CallsFromTheCoreThreadRunInline) {
  TcpipConfig c = config();
  c.mailbox_size = 6;
  TcpipThread thread(c);
  ASSERT_OK(thread.start());
  std::atomic<int> later_runs{0};
  auto later = [](void* n) { static_cast<std::atomic<int>*>(n)->fetch_add(1); };

  bool nested_inline = false;
  Status post_when_full;
  on_core_thread(thread, [&] {
    const std::thread::id core = std::this_thread::get_id();
    // A call from inside core context runs at once, on this thread (it
    // would deadlock if it went through the mailbox).
    nested_inline = thread.call([&](Stack&, Instant) {
      return std::this_thread::get_id() == core && thread.in_core_context();
    });
    // Posts from here run later; when the mailbox is full, post() refuses
    // instead of waiting for the thread that is itself.
    for (int i = 0; i < 6; ++i) EXPECT_OK(thread.post(later, &later_runs));
    post_when_full = thread.post(later, &later_runs);
    EXPECT_EQ(later_runs.load(), 0);
  });
  EXPECT_TRUE(nested_inline);
  EXPECT_ERROR(post_when_full, Error::WouldBlock);
  drain_mailbox(thread);
  EXPECT_EQ(later_runs.load(), 6);

  // The same from a thread holding the core lock.
  {
    CoreGuard guard(thread);
    EXPECT_TRUE(thread.in_core_context());
    EXPECT_TRUE(thread.call([&](Stack&, Instant) { return thread.in_core_context(); }));
    const Result<UdpHandle> h = guard.stack().udp_open();
    ASSERT_OK(h);
    guard.stack().udp_close(*h);
  }
  EXPECT_FALSE(thread.in_core_context());
}

// A stack timer (the gratuitous ARP a new netif sends from its first poll)
// does not fire while timers are stopped, though input is served; it fires
// once they start again.
TEST_P(TcpipThreadTest, StoppedTimersDoNotFireAndInputIsStillServed) {
  DatagramWire wire;
  ASSERT_GE(wire.stack_fd, 0);
  TcpipThread thread(config());
  ASSERT_OK(thread.start());
  thread.stop_timers();
  EXPECT_FALSE(thread.call([](Stack& s, Instant) { return s.timers_enabled(); }));
  const Result<NetifId> id =
      thread.add_netif(wire.device, wire.stack_fd, netif_config("en0", mac_a, ip_a, 24));
  ASSERT_OK(id);

  // A few loop iterations and a while later: no gratuitous ARP.
  for (int i = 0; i < 3; ++i) drain_mailbox(thread);
  EXPECT_FALSE(wire.next_frame(200).has_value());
  EXPECT_EQ(thread.call([](Stack& s, Instant) { return s.stats().arp.tx_gratuitous; }), 0U);
  EXPECT_EQ(thread.call([](Stack& s, Instant) { return s.next_deadline(); }), Instant::max());

  // Input: the device's descriptor wakes the thread, which answers.
  ASSERT_TRUE(wire.send_frame(
      ethernet_frame(MacAddress::broadcast(), mac_peer, arp_type,
                     arp_packet(ArpOperation::Request, mac_peer, ip_peer, MacAddress{}, ip_a))));
  const std::optional<ByteVector> reply = wire.next_frame(5000);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(frame_ethertype(*reply), arp_type);
  EXPECT_EQ(frame_destination_mac(*reply), mac_peer);
  EXPECT_EQ(thread.call([](Stack& s, Instant) { return s.stats().arp.tx_gratuitous; }), 0U);

  thread.start_timers();
  const std::optional<ByteVector> announcement = wire.next_frame(5000);
  ASSERT_TRUE(announcement.has_value());
  EXPECT_EQ(frame_ethertype(*announcement), arp_type);
  EXPECT_EQ(frame_destination_mac(*announcement), MacAddress::broadcast());
  EXPECT_EQ(thread.call([](Stack& s, Instant) { return s.stats().arp.tx_gratuitous; }), 1U);
  thread.stop();
}

// UDP over the loopback netif while timers are stopped: the loopback's
// queued frame is input, so the thread still delivers it.
TEST_P(TcpipThreadTest, LoopbackUdpExchangeWithTimersStopped) {
  TcpipThread thread(config());
  ASSERT_OK(thread.start());
  thread.stop_timers();
  const Result<UdpHandle> rx = thread.call([](Stack& s, Instant) {
    Result<UdpHandle> h = s.udp_open();
    if (h && !s.udp_bind(*h, {Ipv4Address::loopback(), 7})) return Result<UdpHandle>(Error::AddressInUse);
    return h;
  });
  ASSERT_OK(rx);
  const Status sent = thread.call([](Stack& s, Instant now) {
    Result<UdpHandle> tx = s.udp_open();
    if (!tx) return Status(tx.error());
    const std::uint8_t payload[] = {1, 2, 3};
    Status st = s.udp_send_to(*tx, payload, {Ipv4Address::loopback(), 7}, now);
    s.udp_close(*tx);
    return st;
  });
  ASSERT_OK(sent);
  std::size_t received = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (received == 0 && std::chrono::steady_clock::now() < give_up) {
    received = thread.call([&](Stack& s, Instant) -> std::size_t {
      std::uint8_t into[16];
      const Result<UdpReceived> r = s.udp_receive(*rx, into);
      return r ? r->copied : 0;
    });
    if (received == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(received, 3U);
  thread.call([&](Stack& s, Instant) { s.udp_close(*rx); });
}

TEST_P(TcpipThreadTest, PollHookRunsOnTheCoreThreadAfterPolls) {
  TcpipThread thread(config());
  struct Seen {
    TcpipThread* thread;
    std::atomic<int> polls{0};
    std::atomic<int> outside{0};
  } seen{&thread};
  thread.set_poll_hook(
      [](void* s) {
        auto* state = static_cast<Seen*>(s);
        if (!state->thread->in_core_context()) state->outside.fetch_add(1);
        state->polls.fetch_add(1);
      },
      &seen);
  auto wait_for_polls = [&](int more_than) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (seen.polls.load() <= more_than && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return seen.polls.load();
  };
  ASSERT_OK(thread.start());
  const int before = wait_for_polls(0);  // the first iteration polls
  EXPECT_GE(before, 1);
  thread.wake();  // one more iteration, one more poll
  EXPECT_GT(wait_for_polls(before), before);
  EXPECT_EQ(seen.outside.load(), 0);
  thread.stop();
}

TEST_P(TcpipThreadTest, AffinityIsApplied) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  int cpu = -1;
  for (int i = 0; i < CPU_SETSIZE && cpu < 0; ++i) {
    if (CPU_ISSET(static_cast<std::size_t>(i), &allowed)) cpu = i;
  }
  ASSERT_GE(cpu, 0);
  auto thread_cpus = [](TcpipThread& thread) {
    cpu_set_t set;
    CPU_ZERO(&set);
    on_core_thread(thread, [&] { pthread_getaffinity_np(pthread_self(), sizeof set, &set); });
    return set;
  };

  TcpipConfig pinned = config();
  pinned.affinity = cpu;
  TcpipThread one(pinned);
  ASSERT_OK(one.start());
  const cpu_set_t one_set = thread_cpus(one);
  EXPECT_EQ(CPU_COUNT(&one_set), 1);
  EXPECT_TRUE(CPU_ISSET(static_cast<std::size_t>(cpu), &one_set));

  TcpipConfig free = config();
  free.affinity = -1;  // no affinity: whatever the process may use
  TcpipThread any(free);
  ASSERT_OK(any.start());
  const cpu_set_t any_set = thread_cpus(any);
  EXPECT_TRUE(CPU_EQUAL(&any_set, &allowed));

  TcpipConfig impossible = config();
  impossible.affinity = CPU_SETSIZE;
  EXPECT_ERROR(TcpipThread(impossible).start(), Error::InvalidArgument);
  impossible.affinity = -2;
  EXPECT_ERROR(TcpipThread(impossible).start(), Error::InvalidArgument);
}

TEST_P(TcpipThreadTest, PriorityAndStackSizeAreApplied) {
  EXPECT_EQ(api::sched_rr_priority(1), sched_get_priority_min(SCHED_RR));
  EXPECT_EQ(api::sched_rr_priority(24), sched_get_priority_max(SCHED_RR));
  EXPECT_EQ(api::sched_rr_priority(18), 73);  // on Linux's 1..99
  EXPECT_EQ(api::sched_rr_priority(0), 0);

  TcpipThread thread(config());  // CONFIG_LWIP_TCPIP_TASK_PRIO, 18
  ASSERT_OK(thread.start());
  int policy = -1;
  sched_param param{};
  std::size_t stack_size = 0;
  on_core_thread(thread, [&] {
    pthread_getschedparam(pthread_self(), &policy, &param);
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstacksize(&attr, &stack_size);
      pthread_attr_destroy(&attr);
    }
  });
  if (thread.realtime()) {
    EXPECT_EQ(policy, SCHED_RR);
    EXPECT_EQ(param.sched_priority, api::sched_rr_priority(config().priority));
  } else {
    // No privilege here: the creator's policy (time-sharing).
    int own_policy = -1;
    sched_param own{};
    pthread_getschedparam(pthread_self(), &own_policy, &own);
    EXPECT_EQ(policy, own_policy);
  }
  EXPECT_GE(stack_size, api::min_thread_stack_size);

  TcpipConfig plain = config();
  plain.priority = 0;
  TcpipThread ordinary(plain);
  ASSERT_OK(ordinary.start());
  EXPECT_FALSE(ordinary.realtime());
  on_core_thread(ordinary, [&] { pthread_getschedparam(pthread_self(), &policy, &param); });
  EXPECT_NE(policy, SCHED_RR);

  TcpipConfig bad = config();
  bad.priority = 25;
  EXPECT_ERROR(TcpipThread(bad).start(), Error::InvalidArgument);
  bad = config();
  bad.core_locking_input = true;
  bad.core_locking = false;
  EXPECT_ERROR(TcpipThread(bad).start(), Error::InvalidArgument);
}

TEST(TcpipThreadDeathTest, CoreLockMisuseAbortsWithAMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        TcpipThread thread;
        CoreGuard outer(thread);
        CoreGuard inner(thread);
      },
      "lwnet: TcpipThread::lock_core\\(\\) while already in core context");
  EXPECT_DEATH(
      {
        TcpipThread thread;
        thread.unlock_core();
      },
      "lwnet: TcpipThread::unlock_core\\(\\) by a thread that did not lock_core\\(\\)");
}

INSTANTIATE_TEST_SUITE_P(Modes, TcpipThreadTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"},
                                           Mode{false, "MessagePassingSpinning", Duration::micros(50)},
                                           Mode{true, "CoreLockingSpinning", Duration::micros(50)}),
                         [](const ::testing::TestParamInfo<Mode>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace lwnet::test::tcpip_thread_test
