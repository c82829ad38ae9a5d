// <ping/ping_sock.h> over the default TCP/IP thread: a session to the
// stack's own loopback address, callbacks on the TCP/IP thread reading the
// profile, and the session deleted from its own end callback as ESP-IDF's
// examples do.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/tcpip_c.h"
#include "ping/ping_sock.h"

namespace lwnet::api::ping_c_api_test {
namespace {

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

  esp_ping_config_t config{};
  config.count = 3;
  config.interval_ms = 50;
  config.timeout_ms = 1000;
  config.data_size = 32;
  config.ttl = 64;
  config.target_addr.type = IPADDR_TYPE_V4;
  config.target_addr.u_addr.ip4.addr = htonl(INADDR_LOOPBACK);

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

  // Stopped before it ends: no end callback; deleted from this thread.
  Seen second;
  cbs.cb_args = &second;
  config.count = ESP_PING_COUNT_INFINITE;
  ASSERT_EQ(esp_ping_new_session(&config, &cbs, &handle), ESP_OK);
  ASSERT_EQ(esp_ping_start(handle), ESP_OK);
  while (second.successes.load() < 2 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(esp_ping_stop(handle), ESP_OK);
  EXPECT_GE(second.successes.load(), 2);
  EXPECT_EQ(esp_ping_delete_session(handle), ESP_OK);
  EXPECT_EQ(second.ends.load(), 0);
}

}  // namespace
}  // namespace lwnet::api::ping_c_api_test
