// <ping/ping_sock.h> over the default TCP/IP thread: a session to the
// stack's own loopback address, callbacks on the TCP/IP thread reading the
// profile, the session deleted from its own callbacks as ESP-IDF's examples
// do (also while the thread's mailbox is full), stop and start again.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/tcpip_c.h"
#include "config/options.h"
#include "lwip/if_api.h"
#include "ping/ping_sock.h"

namespace lwnet::api::ping_c_api_test {
namespace {

// A session to the stack's own loopback address (TTL 64): the tests' target.
esp_ping_config_t loopback_session(std::uint32_t count, std::uint32_t interval_ms, std::uint32_t timeout_ms,
                                   std::uint32_t data_size) {
  esp_ping_config_t config{};
  config.count = count;
  config.interval_ms = interval_ms;
  config.timeout_ms = timeout_ms;
  config.data_size = data_size;
  config.ttl = 64;
  config.target_addr.type = IPADDR_TYPE_V4;
  config.target_addr.u_addr.ip4.addr = htonl(INADDR_LOOPBACK);
  return config;
}

struct Seen {
  std::atomic<int> successes{0};
  std::atomic<int> timeouts{0};
  std::atomic<int> ends{0};
  std::atomic<std::uint32_t> replies_at_end{0};
  std::atomic<std::uint32_t> requests_at_end{0};
  std::atomic<std::uint32_t> size{0};
  std::atomic<std::uint16_t> last_sequence{0};
  std::atomic<std::uint32_t> replier{0};
  std::atomic<esp_err_t> delete_status{ESP_FAIL};
  std::atomic<esp_err_t> small_buffer{ESP_OK};
};

TEST(PingCApi, SessionToLoopbackDeletedFromItsEndCallback) {
  tcpip_init(nullptr, nullptr);
  ASSERT_NE(default_tcpip(), nullptr);

  esp_ping_config_t config = loopback_session(3, 50, 1000, 32);

  Seen seen;
  esp_ping_callbacks_t cbs{};
  cbs.cb_args = &seen;
  cbs.on_ping_success = [](esp_ping_handle_t hdl, void* args) {
    auto* s = static_cast<Seen*>(args);
    std::uint16_t sequence = 0;
    std::uint32_t size = 0;
    ip_addr_t from{};
    esp_ping_get_profile(hdl, ESP_PING_PROF_SEQNO, &sequence, sizeof sequence);
    esp_ping_get_profile(hdl, ESP_PING_PROF_SIZE, &size, sizeof size);
    esp_ping_get_profile(hdl, ESP_PING_PROF_IPADDR, &from, sizeof from);
    std::uint8_t too_small = 0;
    s->small_buffer.store(esp_ping_get_profile(hdl, ESP_PING_PROF_REQUEST, &too_small, sizeof too_small));
    s->last_sequence.store(sequence);
    s->size.store(size);
    s->replier.store(from.u_addr.ip4.addr);
    s->successes.fetch_add(1);
  };
  cbs.on_ping_timeout = [](esp_ping_handle_t, void* args) { static_cast<Seen*>(args)->timeouts.fetch_add(1); };
  cbs.on_ping_end = [](esp_ping_handle_t hdl, void* args) {
    auto* s = static_cast<Seen*>(args);
    std::uint32_t requests = 0;
    std::uint32_t replies = 0;
    esp_ping_get_profile(hdl, ESP_PING_PROF_REQUEST, &requests, sizeof requests);
    esp_ping_get_profile(hdl, ESP_PING_PROF_REPLY, &replies, sizeof replies);
    s->requests_at_end.store(requests);
    s->replies_at_end.store(replies);
    s->delete_status.store(esp_ping_delete_session(hdl));
    s->ends.fetch_add(1);
  };

  esp_ping_handle_t handle = nullptr;
  EXPECT_EQ(esp_ping_new_session(nullptr, &cbs, &handle), ESP_ERR_INVALID_ARG);
  esp_ping_config_t no_target = config;
  no_target.target_addr.type = IPADDR_TYPE_ANY;
  EXPECT_EQ(esp_ping_new_session(&no_target, &cbs, &handle), ESP_ERR_INVALID_ARG);
  ASSERT_EQ(esp_ping_new_session(&config, &cbs, &handle), ESP_OK);
  ASSERT_EQ(esp_ping_start(handle), ESP_OK);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen.ends.load() == 0 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(seen.ends.load(), 1);
  EXPECT_EQ(seen.successes.load(), 3);
  EXPECT_EQ(seen.timeouts.load(), 0);
  EXPECT_EQ(seen.requests_at_end.load(), 3u);
  EXPECT_EQ(seen.replies_at_end.load(), 3u);
  EXPECT_EQ(seen.last_sequence.load(), 3);
  EXPECT_EQ(seen.size.load(), 32u);
  EXPECT_EQ(seen.replier.load(), htonl(INADDR_LOOPBACK));
  EXPECT_EQ(seen.small_buffer.load(), ESP_ERR_INVALID_SIZE);
  EXPECT_EQ(seen.delete_status.load(), ESP_OK);
}

// esp_ping_stop ends the batch as ESP-IDF's does: on_ping_end has run when
// it returns; a stop on a session that is not running ends nothing; the next
// start begins with sequence number 1 and counts from 0.
struct StopSeen {
  std::atomic<int> successes{0};
  std::atomic<int> ends{0};
  std::atomic<std::uint16_t> first_sequence{0};
  std::atomic<std::uint32_t> first_requests{0};
  std::atomic<std::uint32_t> first_replies{0};
  std::atomic<std::uint32_t> requests_at_end{0};
  std::atomic<std::uint32_t> replies_at_end{0};
};

TEST(PingCApi, StopEndsTheBatchAndTheNextStartBeginsAnew) {
  tcpip_init(nullptr, nullptr);
  ASSERT_NE(default_tcpip(), nullptr);
  esp_ping_config_t config = loopback_session(ESP_PING_COUNT_INFINITE, 20, 1000, 8);
  StopSeen seen;
  esp_ping_callbacks_t cbs{};
  cbs.cb_args = &seen;
  cbs.on_ping_success = [](esp_ping_handle_t hdl, void* args) {
    auto* s = static_cast<StopSeen*>(args);
    if (s->successes.fetch_add(1) == 0) {
      std::uint16_t sequence = 0;
      std::uint32_t requests = 0;
      std::uint32_t replies = 0;
      esp_ping_get_profile(hdl, ESP_PING_PROF_SEQNO, &sequence, sizeof sequence);
      esp_ping_get_profile(hdl, ESP_PING_PROF_REQUEST, &requests, sizeof requests);
      esp_ping_get_profile(hdl, ESP_PING_PROF_REPLY, &replies, sizeof replies);
      s->first_sequence.store(sequence);
      s->first_requests.store(requests);
      s->first_replies.store(replies);
    }
  };
  cbs.on_ping_end = [](esp_ping_handle_t hdl, void* args) {
    auto* s = static_cast<StopSeen*>(args);
    std::uint32_t requests = 0;
    std::uint32_t replies = 0;
    esp_ping_get_profile(hdl, ESP_PING_PROF_REQUEST, &requests, sizeof requests);
    esp_ping_get_profile(hdl, ESP_PING_PROF_REPLY, &replies, sizeof replies);
    s->requests_at_end.store(requests);
    s->replies_at_end.store(replies);
    s->ends.fetch_add(1);
  };
  esp_ping_handle_t handle = nullptr;
  ASSERT_EQ(esp_ping_new_session(&config, &cbs, &handle), ESP_OK);
  EXPECT_EQ(esp_ping_stop(handle), ESP_OK);  // not started: nothing to end
  EXPECT_EQ(seen.ends.load(), 0);

  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int batch = 1; batch <= 2; ++batch) {
    seen.successes.store(0);
    ASSERT_EQ(esp_ping_start(handle), ESP_OK);
    while (seen.successes.load() < 3 && std::chrono::steady_clock::now() < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(esp_ping_stop(handle), ESP_OK);
    EXPECT_EQ(seen.ends.load(), batch);
    EXPECT_EQ(seen.first_sequence.load(), 1) << batch;
    EXPECT_EQ(seen.first_requests.load(), 1u) << batch;
    EXPECT_EQ(seen.first_replies.load(), 1u) << batch;
    EXPECT_GE(seen.requests_at_end.load(), 3u);
    EXPECT_GE(seen.replies_at_end.load(), 3u);
    // Stopped already: a second stop ends nothing.
    EXPECT_EQ(esp_ping_stop(handle), ESP_OK);
    EXPECT_EQ(seen.ends.load(), batch);
  }
  EXPECT_EQ(esp_ping_delete_session(handle), ESP_OK);
  EXPECT_EQ(seen.ends.load(), 2);
}

// ESP-IDF accepts interval_ms 0 (its ping task then does not wait between
// requests) and timeout_ms 0 (no limit on the wait for a reply): three
// replies from the loopback, one after the other.
TEST(PingCApi, IntervalZeroAndTimeoutZeroAreAccepted) {
  tcpip_init(nullptr, nullptr);
  ASSERT_NE(default_tcpip(), nullptr);
  esp_ping_config_t config = loopback_session(3, 0, 0, 8);
  Seen seen;
  esp_ping_callbacks_t cbs{};
  cbs.cb_args = &seen;
  cbs.on_ping_success = [](esp_ping_handle_t, void* args) { static_cast<Seen*>(args)->successes.fetch_add(1); };
  cbs.on_ping_timeout = [](esp_ping_handle_t, void* args) { static_cast<Seen*>(args)->timeouts.fetch_add(1); };
  cbs.on_ping_end = [](esp_ping_handle_t, void* args) { static_cast<Seen*>(args)->ends.fetch_add(1); };
  esp_ping_handle_t handle = nullptr;
  ASSERT_EQ(esp_ping_new_session(&config, &cbs, &handle), ESP_OK);
  ASSERT_EQ(esp_ping_start(handle), ESP_OK);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen.ends.load() == 0 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(seen.ends.load(), 1);
  EXPECT_EQ(seen.successes.load(), 3);
  EXPECT_EQ(seen.timeouts.load(), 0);
  EXPECT_EQ(esp_ping_delete_session(handle), ESP_OK);
}

// ESP-IDF's esp_ping_new_session fails with ESP_FAIL when the interface
// index names no interface (if_indextoname fails), whatever the index.
TEST(PingCApi, AnInterfaceThatDoesNotExistFailsTheSession) {
  tcpip_init(nullptr, nullptr);
  ASSERT_NE(default_tcpip(), nullptr);
  esp_ping_config_t config = loopback_session(1, 10, 1000, 0);
  char name[IF_NAMESIZE];
  ASSERT_NE(lwip_if_indextoname(1, name), nullptr);  // the loopback netif
  ASSERT_EQ(lwip_if_indextoname(2, name), nullptr);
  esp_ping_handle_t handle = nullptr;
  config.interface = 2;
  EXPECT_EQ(esp_ping_new_session(&config, nullptr, &handle), ESP_FAIL);
  config.interface = static_cast<std::uint32_t>(config::max_netifs) + 1;
  EXPECT_EQ(esp_ping_new_session(&config, nullptr, &handle), ESP_FAIL);
  config.interface = 1;
  ASSERT_EQ(esp_ping_new_session(&config, nullptr, &handle), ESP_OK);
  EXPECT_EQ(esp_ping_delete_session(handle), ESP_OK);
}

// A session deleted from inside its own callbacks while the TCP/IP thread's
// mailbox is full: nothing can be posted to free it after the poll, yet the
// poll that called the callback is still running. AddressSanitizer aborts
// the test if that poll reads the freed session.
struct MailboxFiller {
  std::atomic<int> posted{0};
  std::atomic<int> ran{0};
  std::atomic<int> successes{0};
  std::atomic<int> ends{0};
  std::atomic<int> full_when_deleting{0};
  std::atomic<esp_err_t> delete_status{ESP_FAIL};

  // Fills the mailbox (the callback runs on the TCP/IP thread, which cannot
  // empty it meanwhile), then deletes the session.
  void fill_and_delete(esp_ping_handle_t handle) {
    TcpipThread* thread = default_tcpip();
    while (thread->try_post([](void* p) { static_cast<MailboxFiller*>(p)->ran.fetch_add(1); }, this)) {
      posted.fetch_add(1);
    }
    const Status one_more = thread->try_post([](void*) {}, nullptr);
    if (!one_more && one_more.error() == Error::WouldBlock) full_when_deleting.fetch_add(1);
    delete_status.store(esp_ping_delete_session(handle));
  }
};

TEST(PingCApi, DeletedFromItsOwnCallbacksWhileTheMailboxIsFull) {
  tcpip_init(nullptr, nullptr);
  ASSERT_NE(default_tcpip(), nullptr);
  esp_ping_config_t config = loopback_session(2, 20, 1000, 8);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);

  // From on_ping_end, as ESP-IDF's examples delete it.
  MailboxFiller at_end;
  esp_ping_callbacks_t cbs{};
  cbs.cb_args = &at_end;
  cbs.on_ping_success = [](esp_ping_handle_t, void* args) { static_cast<MailboxFiller*>(args)->successes.fetch_add(1); };
  cbs.on_ping_end = [](esp_ping_handle_t hdl, void* args) {
    auto* filler = static_cast<MailboxFiller*>(args);
    filler->fill_and_delete(hdl);
    filler->ends.fetch_add(1);
  };
  esp_ping_handle_t handle = nullptr;
  ASSERT_EQ(esp_ping_new_session(&config, &cbs, &handle), ESP_OK);
  ASSERT_EQ(esp_ping_start(handle), ESP_OK);
  while ((at_end.ends.load() == 0 || at_end.ran.load() < at_end.posted.load()) &&
         std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(at_end.ends.load(), 1);
  EXPECT_EQ(at_end.successes.load(), 2);
  EXPECT_EQ(at_end.full_when_deleting.load(), 1);
  EXPECT_EQ(at_end.delete_status.load(), ESP_OK);
  EXPECT_EQ(at_end.ran.load(), at_end.posted.load());

  // From on_ping_success of an endless session: nothing runs after it.
  MailboxFiller at_success;
  cbs = {};
  cbs.cb_args = &at_success;
  cbs.on_ping_success = [](esp_ping_handle_t hdl, void* args) {
    auto* filler = static_cast<MailboxFiller*>(args);
    filler->successes.fetch_add(1);
    filler->fill_and_delete(hdl);
  };
  cbs.on_ping_timeout = [](esp_ping_handle_t, void* args) { static_cast<MailboxFiller*>(args)->ends.fetch_add(100); };
  cbs.on_ping_end = [](esp_ping_handle_t, void* args) { static_cast<MailboxFiller*>(args)->ends.fetch_add(1); };
  config.count = ESP_PING_COUNT_INFINITE;
  ASSERT_EQ(esp_ping_new_session(&config, &cbs, &handle), ESP_OK);
  ASSERT_EQ(esp_ping_start(handle), ESP_OK);
  while ((at_success.successes.load() == 0 || at_success.ran.load() < at_success.posted.load()) &&
         std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Three intervals more: a session still polled would have pinged again.
  std::this_thread::sleep_for(std::chrono::milliseconds(3 * 20));
  EXPECT_EQ(at_success.successes.load(), 1);
  EXPECT_EQ(at_success.ends.load(), 0);
  EXPECT_EQ(at_success.full_when_deleting.load(), 1);
  EXPECT_EQ(at_success.delete_status.load(), ESP_OK);
  EXPECT_EQ(at_success.ran.load(), at_success.posted.load());
}

}  // namespace
}  // namespace lwnet::api::ping_c_api_test
