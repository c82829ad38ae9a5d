// Ping sessions (ESP-IDF's ping_sock: esp_ping_new_session & co.): echo
// requests to one target at an interval, each awaited up to a timeout,
// with callbacks on success, timeout and end, and a running profile. Built
// on the Stack's ICMP echo endpoints (Stack::ping_*).
//
// Threads: every member function runs in core context; the callbacks run
// there too (from inside Stack::poll). A callback may destroy its session
// (stopped first): the session then returns from poll without touching
// itself again.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config/options.h"
#include "core/stack.h"

namespace lwnet {

struct PingSessionConfig {
  std::uint32_t count = 5;  // requests; 0: until stopped (ESP_PING_COUNT_INFINITE)
  // From one request to the next; zero: the next goes as soon as the
  // previous one is answered or timed out (ESP-IDF's ping task waits only
  // when the interval is a tick or more).
  Duration interval = Duration::millis(1000);
  // How long a request waits for its reply; zero: until the reply comes
  // or the session stops (ESP-IDF sets it as the socket's SO_RCVTIMEO,
  // where 0 means no limit).
  Duration timeout = Duration::millis(1000);
  std::size_t data_size = 64;  // ICMP data bytes after the 8-byte header
  std::uint8_t tos = 0;
  std::uint8_t ttl = config::ip_default_ttl;
  IpAddress target;
  // Out of this netif only (esp_ping's `interface`); nullopt: the route's.
  std::optional<NetifId> netif;
};

// ESP_PING_PROF_*: what the latest request and reply showed, and totals.
struct PingProfile {
  std::uint16_t sequence = 0;   // of the latest request
  std::uint8_t tos = 0;         // of the requests
  std::uint8_t ttl = 0;         // of the latest reply
  std::uint32_t requests = 0;   // the stack took (ESP-IDF: sendto succeeded)
  std::uint32_t replies = 0;
  IpAddress replier;            // of the latest reply; the target before one
  std::uint32_t size = 0;       // ICMP data bytes of the latest reply
  // As ESP-IDF's ping task measures them: how long the latest request
  // waited (for its reply, or up to its timeout), and the sum of those
  // waits over the batch (not the time since start: the intervals between
  // requests are not in it).
  std::uint32_t time_gap_ms = 0;
  std::uint32_t duration_ms = 0;
};

class PingSession final : public StackApp {
 public:
  static constexpr std::size_t max_data_size = 1472;  // one unfragmented Ethernet frame

  using Callback = void (*)(void* context, PingSession& session);
  struct Callbacks {
    void* context = nullptr;
    Callback on_success = nullptr;
    Callback on_timeout = nullptr;
    Callback on_end = nullptr;
  };

  PingSession() = default;
  // A session is attached by address and its callbacks mark frames on the
  // stack (CallbackFrame): a copy would share both.
  PingSession(const PingSession&) = delete;
  PingSession& operator=(const PingSession&) = delete;
  // Tells the callbacks running now (if any) that the session is gone.
  ~PingSession();
  // InvalidArgument for data_size above max_data_size, a negative interval
  // or timeout, or an unspecified target.
  Status configure(const PingSessionConfig& config, const Callbacks& callbacks);

  // Opens an echo endpoint (identifier from the stack's random), attaches
  // and sends the first request at the next poll. Every start begins a new
  // batch, as ESP-IDF's esp_ping_start: sequence numbers from 1, requests,
  // replies and duration from 0 (the latest reply's fields stay until the
  // next reply). AlreadyConnected while running. Called after stop() from
  // inside one of this session's callbacks, it first runs the on_end that
  // stop() left for the callback's return.
  Status start(Stack& stack, Instant now);
  // Ends the batch as ESP-IDF's esp_ping_stop does: no more requests (one
  // awaiting its reply is abandoned, without a callback), then on_end. From
  // inside one of this session's callbacks, on_end runs once that callback
  // has returned, not nested in it. Nothing when not running.
  void stop(Stack& stack);
  // Stops without on_end: for an owner about to destroy the session.
  void stop_silently(Stack& stack);
  bool running() const { return running_; }
  const PingProfile& profile() const { return profile_; }
  const PingSessionConfig& config() const { return config_; }

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override { return running_ ? deadline_ : Instant::max(); }

 private:
  // One per callback running (callbacks may nest: start() after stop()
  // inside a callback runs the old batch's on_end there): the destructor
  // flags them all, so that each caller, once its callback returns, leaves
  // without reading the freed session.
  struct CallbackFrame {
    bool destroyed = false;
    CallbackFrame* outer = nullptr;
  };

  void close_batch(Stack& stack);
  void send(Stack& stack, Instant now);
  // These return false when a callback destroyed the session. notify()
  // runs the on_end a stop() inside the callback left pending once the
  // callback has returned.
  [[nodiscard]] bool notify(Callback callback);
  [[nodiscard]] bool finish_request(Stack& stack, Instant now, bool answered);

  PingSessionConfig config_;
  Callbacks callbacks_;
  std::array<std::uint8_t, max_data_size> payload_{};
  std::array<std::uint8_t, max_data_size> reply_{};
  bool running_ = false;
  bool awaiting_ = false;  // the latest request waits for its reply
  bool end_pending_ = false;  // stop() inside a callback: on_end once it returns
  std::uint32_t batch_ = 0;   // counts starts: a callback that restarted the session changes it
  PingHandle handle_{};
  Instant sent_at_;
  Instant deadline_ = Instant::max();
  std::uint16_t next_sequence_ = 1;
  // Requests of this batch, sent or refused by the stack: the batch ends
  // after `count` of them, as ESP-IDF's loop counts sequence numbers.
  std::uint32_t attempts_ = 0;
  PingProfile profile_;
  CallbackFrame* innermost_callback_ = nullptr;
};

}  // namespace lwnet
