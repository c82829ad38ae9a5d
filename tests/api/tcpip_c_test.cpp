// The lwIP-style C entry points over the process-wide default TCP/IP thread.
// One test: the default instance lives until the process exits.
#include "api/tcpip_c.h"
#include "lwnet/lwnet.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <semaphore>
#include <thread>

namespace lwnet::api::tcpip_c_test {
namespace {

struct InitDone {
  std::binary_semaphore done{0};
  std::thread::id ran_on;
};

TEST(TcpipC, DefaultInstanceLifecycle) {
  EXPECT_EQ(default_tcpip(), nullptr);
  EXPECT_EQ(tcpip_callback([](void*) {}, nullptr), LWNET_ERR_VAL);
  sys_timeouts_deinit();  // no effect before tcpip_init

  InitDone init;
  tcpip_init(
      [](void* arg) {
        auto* state = static_cast<InitDone*>(arg);
        state->ran_on = std::this_thread::get_id();
        state->done.release();
      },
      &init);
  init.done.acquire();
  TcpipThread* thread = default_tcpip();
  ASSERT_NE(thread, nullptr);
  EXPECT_TRUE(thread->running());
  EXPECT_NE(init.ran_on, std::this_thread::get_id());  // on the TCP/IP thread
  tcpip_init(nullptr, nullptr);                         // again: same instance
  EXPECT_EQ(default_tcpip(), thread);

  std::atomic<int> runs{0};
  auto count = [](void* n) { static_cast<std::atomic<int>*>(n)->fetch_add(1); };
  EXPECT_EQ(tcpip_callback(count, &runs), LWNET_ERR_OK);
  EXPECT_EQ(tcpip_try_callback(count, &runs), LWNET_ERR_OK);

  sys_timeouts_deinit();
  EXPECT_FALSE(thread->call([](Stack& s, Instant) { return s.timers_enabled(); }));
  sys_timeouts_init();
  EXPECT_TRUE(thread->call([](Stack& s, Instant) { return s.timers_enabled(); }));

  lwnet_lock_tcpip_core();
  EXPECT_TRUE(thread->in_core_context());
  EXPECT_TRUE(thread->stack().udp_open().ok());
  lwnet_unlock_tcpip_core();
  EXPECT_FALSE(thread->in_core_context());

  // Both callbacks ran before this one (FIFO).
  std::binary_semaphore last{0};
  EXPECT_EQ(tcpip_callback([](void* s) { static_cast<std::binary_semaphore*>(s)->release(); }, &last),
            LWNET_ERR_OK);
  last.acquire();
  EXPECT_EQ(runs.load(), 2);

  // lwnet_shutdown() stops the thread; tcpip_init() starts it again and
  // calls `done` (it used to post `done` into the closed mailbox: a caller
  // waiting for it waited for ever).
  lwnet_shutdown();
  EXPECT_FALSE(thread->running());
  EXPECT_NE(tcpip_callback(count, &runs), LWNET_ERR_OK);
  InitDone again;
  tcpip_init([](void* arg) { static_cast<InitDone*>(arg)->done.release(); }, &again);
  ASSERT_TRUE(again.done.try_acquire_for(std::chrono::seconds(10)));
  EXPECT_EQ(default_tcpip(), thread);
  EXPECT_TRUE(thread->running());
  std::binary_semaphore after{0};
  EXPECT_EQ(tcpip_callback([](void* s) { static_cast<std::binary_semaphore*>(s)->release(); }, &after),
            LWNET_ERR_OK);
  EXPECT_TRUE(after.try_acquire_for(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace lwnet::api::tcpip_c_test
