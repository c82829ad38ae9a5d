// <esp_sntp.h> over the default TCP/IP thread: configuration through the
// thread, a sync against an NTP server on the thread's own loopback (2 s
// ahead), the notification callback on the TCP/IP thread, status,
// reachability and the reported offset. Its own executable: it makes the
// process-wide default thread.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include "api/tcpip_c.h"
#include "esp_sntp.h"
#include "port/clock.h"
#include "wire/sntp.h"

namespace lwnet::api::sntp_c_api_test {
namespace {

constexpr std::int64_t server_ahead_us = 2000000;

// Answers NTP requests on 127.0.0.1:123 with a clock 2 s ahead.
class LoopbackNtpServer final : public StackApp {
 public:
  Status start(Stack& stack) {
    Result<UdpHandle> h = stack.udp_open();
    if (!h) return h.error();
    handle_ = *h;
    Status s = stack.udp_bind(handle_, {Ipv4Address::loopback(), ntp_port});
    if (!s) return s;
    return stack.attach_app(*this);
  }
  void stop(Stack& stack) {
    stack.detach_app(*this);
    stack.udp_close(handle_);
  }
  void poll(Stack& stack, Instant now) override {
    std::array<std::uint8_t, 64> buf{};
    while (true) {
      Result<UdpReceived> got = stack.udp_receive(handle_, buf);
      if (!got) return;
      Result<NtpRepr> request = NtpRepr::parse(ConstBytes(buf.data(), got->copied));
      if (!request) continue;
      NtpRepr reply;
      reply.mode = NtpMode::Server;
      reply.stratum = 1;
      reply.origin = request->transmit;
      reply.receive = NtpTimestamp::from_unix_micros(wall_clock_at(now) + server_ahead_us);
      reply.transmit = reply.receive;
      std::array<std::uint8_t, NtpRepr::header_len> out{};
      reply.emit(out);
      (void)stack.udp_send_to(handle_, out, got->from, now);
    }
  }
  Instant next_deadline() const override { return Instant::max(); }

 private:
  UdpHandle handle_{};
};

std::atomic<int> notified{0};
std::atomic<std::int64_t> notified_time_us{0};
std::atomic<bool> notified_on_caller{false};
std::thread::id test_thread;

TEST(SntpCApi, SyncsAgainstALoopbackServerThroughTheTcpipThread) {
  test_thread = std::this_thread::get_id();
  tcpip_init(nullptr, nullptr);
  TcpipThread* thread = default_tcpip();
  ASSERT_NE(thread, nullptr);
  LoopbackNtpServer server;
  ASSERT_TRUE(thread->call([&](Stack& stack, Instant) { return server.start(stack); }).ok());

  sntp_set_sync_interval(1000);
  EXPECT_EQ(sntp_get_sync_interval(), 15000u);
  sntp_set_sync_interval(60000);
  EXPECT_EQ(sntp_get_sync_interval(), 60000u);
  esp_sntp_setoperatingmode(ESP_SNTP_OPMODE_POLL);
  EXPECT_EQ(esp_sntp_getoperatingmode(), ESP_SNTP_OPMODE_POLL);
  sntp_set_sync_mode(SNTP_SYNC_MODE_SMOOTH);
  EXPECT_EQ(sntp_get_sync_mode(), SNTP_SYNC_MODE_SMOOTH);
  sntp_set_sync_mode(SNTP_SYNC_MODE_IMMED);

  const char* name = "127.0.0.1";
  esp_sntp_setservername(0, name);
  EXPECT_EQ(esp_sntp_getservername(0), name);
  ip_addr_t loopback{};
  loopback.type = IPADDR_TYPE_V4;
  loopback.u_addr.ip4.addr = htonl(INADDR_LOOPBACK);
  esp_sntp_setserver(0, &loopback);
  EXPECT_EQ(esp_sntp_getservername(0), nullptr);
  const ip_addr_t* got = esp_sntp_getserver(0);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->type, IPADDR_TYPE_V4);
  EXPECT_EQ(got->u_addr.ip4.addr, loopback.u_addr.ip4.addr);
  EXPECT_EQ(esp_sntp_getserver(CONFIG_LWIP_SNTP_MAX_SERVERS), nullptr);

  sntp_set_time_sync_notification_cb([](struct timeval* tv) {
    notified_time_us.store(static_cast<std::int64_t>(tv->tv_sec) * 1000000 + tv->tv_usec);
    notified_on_caller.store(std::this_thread::get_id() == test_thread);
    notified.fetch_add(1);
  });
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_RESET);
  EXPECT_FALSE(esp_sntp_enabled());
  esp_sntp_init();
  EXPECT_TRUE(esp_sntp_enabled());
  // The random startup delay is below CONFIG_LWIP_SNTP_MAXIMUM_STARTUP_DELAY (5 s).
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (notified.load() == 0 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(notified.load(), 1);
  EXPECT_FALSE(notified_on_caller.load());  // on the TCP/IP thread
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_COMPLETED);
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_RESET);  // reported once
  EXPECT_NEAR(static_cast<double>(lwnet_sntp_last_offset_us()), static_cast<double>(server_ahead_us), 50000.0);
  EXPECT_GE(lwnet_sntp_last_delay_us(), 0);
  EXPECT_NEAR(static_cast<double>(notified_time_us.load()),
              static_cast<double>(wall_clock_unix_micros() + server_ahead_us), 1000000.0);
  EXPECT_EQ(esp_sntp_getreachability(0), 1);

  EXPECT_TRUE(sntp_restart());
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_RESET);
  esp_sntp_stop();
  EXPECT_FALSE(esp_sntp_enabled());
  EXPECT_FALSE(sntp_restart());
  thread->call([&](Stack& stack, Instant) {
    server.stop(stack);
    return 0;
  });
}

// As ESP-IDF's sntp_get_sync_status(): COMPLETED is read once, then RESET,
// so that a loop waiting for a sync sees the next one as well.
TEST(SntpCApi, CompletedIsReportedOnceThenReset) {
  sntp_set_sync_status(SNTP_SYNC_STATUS_COMPLETED);
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_COMPLETED);
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_RESET);
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_RESET);
  sntp_set_sync_status(SNTP_SYNC_STATUS_COMPLETED);
  EXPECT_EQ(sntp_get_sync_status(), SNTP_SYNC_STATUS_COMPLETED);
  sntp_set_sync_status(SNTP_SYNC_STATUS_RESET);
}

}  // namespace
}  // namespace lwnet::api::sntp_c_api_test
