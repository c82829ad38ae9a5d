// CONFIG_LWIP_CHECK_THREAD_SAFETY (this executable's core is built with it
// on): a Stack function called outside core context aborts and names
// itself; calls in core context pass.
#include <gtest/gtest.h>

#include <thread>

#include "api/core_guard.h"
#include "api/tcpip_thread.h"
#include "config/options.h"

namespace lwnet::api::thread_safety_test {
namespace {

static_assert(config::check_thread_safety, "this test needs CONFIG_LWIP_CHECK_THREAD_SAFETY=1");

constexpr const char* udp_open_message =
    "lwnet: Stack::udp_open called outside the TCP/IP thread without the core lock "
    "\\(CONFIG_LWIP_CHECK_THREAD_SAFETY\\)";

class ThreadSafetyDeathTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  TcpipConfig config() const {
    TcpipConfig c;
    c.core_locking = GetParam();
    c.random_seed = 1;
    return c;
  }
};

TEST_P(ThreadSafetyDeathTest, StackCallFromAForeignThreadAborts) {
  EXPECT_DEATH(
      {
        TcpipThread thread(config());
        if (!thread.start()) return;
        // A pointer smuggled out of core context, then used outside it.
        Stack* stack = thread.call([](Stack& s, Instant) { return &s; });
        (void)stack->udp_open();
      },
      udp_open_message);
}

TEST_P(ThreadSafetyDeathTest, StackCallFromAnotherThreadBeforeStartAborts) {
  EXPECT_DEATH(
      {
        TcpipThread thread(config());
        Stack* stack = thread.call([](Stack& s, Instant) { return &s; });
        std::thread other([stack] { (void)stack->tcp_send(TcpHandle{}, {}, Instant{}); });
        other.join();
      },
      "lwnet: Stack::tcp_send called outside the TCP/IP thread without the core lock");
}

TEST_P(ThreadSafetyDeathTest, CoreContextPassesTheCheck) {
  TcpipThread thread(config());
  // Before start: inline, under the core lock.
  EXPECT_TRUE(thread.call([](Stack& s, Instant) { return s.udp_open().ok(); }));
  ASSERT_TRUE(thread.start().ok());
  EXPECT_TRUE(thread.call([](Stack& s, Instant) { return s.udp_open().ok(); }));
  {
    CoreGuard guard(thread);
    EXPECT_TRUE(guard.stack().udp_open().ok());
    EXPECT_NE(guard.stack().next_deadline(), Instant{});
  }
  thread.stop_timers();
  thread.start_timers();
  // The thread's own polls and next_deadline() calls have passed the check
  // all along (or this process would have aborted).
  thread.stop();
}

INSTANTIATE_TEST_SUITE_P(Modes, ThreadSafetyDeathTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "CoreLocking" : "MessagePassing";
                         });

}  // namespace
}  // namespace lwnet::api::thread_safety_test
