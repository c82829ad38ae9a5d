// Ping sessions (apps/ping_session.h) from A to B over a pipe with 10 ms
// latency, in virtual time: callbacks at the exact instants, the request
// fields (TOS, TTL, ESP-IDF's payload), timeouts, stops (from a callback
// and from outside) and restarts, and the profile.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "apps/ping_session.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::ping_session_test {
namespace {

constexpr Duration latency = Duration::millis(10);

struct Event {
  char kind;  // 's'uccess, 't'imeout, 'e'nd
  Instant at;
  PingProfile profile;
};

struct Recorder {
  std::vector<Event> events;
  Simulation* sim = nullptr;
  int stop_after = 0;  // stop the session from the n-th success (0: never)
  Stack* stack = nullptr;
  bool inside_success = false;
  int ends_inside_success = 0;

  PingSession::Callbacks callbacks() {
    PingSession::Callbacks c;
    c.context = this;
    c.on_success = [](void* ctx, PingSession& s) {
      auto* r = static_cast<Recorder*>(ctx);
      r->events.push_back({'s', r->sim->now(), s.profile()});
      r->inside_success = true;
      if (r->stop_after != 0 && static_cast<int>(s.profile().replies) == r->stop_after) s.stop(*r->stack);
      r->inside_success = false;
    };
    c.on_timeout = [](void* ctx, PingSession& s) {
      auto* r = static_cast<Recorder*>(ctx);
      r->events.push_back({'t', r->sim->now(), s.profile()});
    };
    c.on_end = [](void* ctx, PingSession& s) {
      auto* r = static_cast<Recorder*>(ctx);
      r->events.push_back({'e', r->sim->now(), s.profile()});
      if (r->inside_success) ++r->ends_inside_success;
    };
    return c;
  }
};

struct PingNet {
  PingNet() : net(PipeConfig{latency}) {
    net.sim.settle();
    // Both ARP caches filled, so that no request waits for ARP.
    UdpHandle probe = *net.a.udp_open();
    std::array<std::uint8_t, 1> byte{};
    EXPECT_OK(net.a.udp_send_to(probe, byte, {ip_b, 9}, net.sim.now()));
    net.sim.run_for(Duration::millis(100));
    net.a.udp_close(probe);
    recorder.sim = &net.sim;
    recorder.stack = &net.a;
  }
  TwoHosts net;
  Recorder recorder;
  PingSession session;
};

TEST(PingSessionSim, ThreeRepliesAtTheIntervalThenEnd) {
  PingNet t;
  PingSessionConfig config;
  config.count = 3;
  config.interval = Duration::seconds(1);
  config.timeout = Duration::millis(500);
  config.data_size = 64;
  config.tos = 0x10;
  config.ttl = 32;
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  t.net.log.clear();
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  EXPECT_ERROR(t.session.start(t.net.a, start), Error::AlreadyConnected);
  t.net.sim.run_for(Duration::seconds(5));

  ASSERT_EQ(t.recorder.events.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.recorder.events[i].kind, 's');
    EXPECT_EQ(t.recorder.events[i].at, start + Duration::seconds(static_cast<std::int64_t>(i)) + latency * 2) << i;
    EXPECT_EQ(t.recorder.events[i].profile.sequence, i + 1);
    EXPECT_EQ(t.recorder.events[i].profile.time_gap_ms, 20u);
  }
  const Event& end = t.recorder.events[3];
  EXPECT_EQ(end.kind, 'e');
  EXPECT_EQ(end.at, start + Duration::seconds(2) + latency * 2);
  EXPECT_EQ(end.profile.requests, 3u);
  EXPECT_EQ(end.profile.replies, 3u);
  EXPECT_EQ(end.profile.ttl, config::ip_default_ttl);  // B's reply
  EXPECT_EQ(end.profile.tos, 0x10);
  EXPECT_EQ(end.profile.size, 64u);
  EXPECT_EQ(end.profile.replier, IpAddress(ip_b));
  // ESP-IDF's total time: the three 20 ms round trips, not the 2 s between.
  EXPECT_EQ(end.profile.duration_ms, 60u);
  EXPECT_FALSE(t.session.running());

  // The requests: TOS 0x10, TTL 32, data 'A', 'B', ...
  const auto frames = t.net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(frames.size(), 3u);
  for (const auto& f : frames) {
    EXPECT_EQ(f.bytes[15], 0x10);
    EXPECT_EQ(f.bytes[22], 32);
    EXPECT_EQ(f.bytes[34], 8);  // echo request
    EXPECT_EQ(f.bytes[42], 'A');
    EXPECT_EQ(f.bytes[43], 'B');
    EXPECT_EQ(f.bytes.size(), 14u + 20 + 8 + 64);
  }
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

TEST(PingSessionSim, UnansweredRequestsTimeOut) {
  PingNet t;
  PingSessionConfig config;
  config.count = 2;
  config.interval = Duration::seconds(1);
  config.timeout = Duration::millis(300);
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  // B's replies are lost.
  t.net.log.set_filter([](int from, ConstBytes) { return from == 0; });
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  t.net.sim.run_for(Duration::seconds(5));
  ASSERT_EQ(t.recorder.events.size(), 3u);
  EXPECT_EQ(t.recorder.events[0].kind, 't');
  EXPECT_EQ(t.recorder.events[0].at, start + Duration::millis(300));
  // No reply yet: the target, as ESP-IDF's examples print it on timeouts.
  EXPECT_EQ(t.recorder.events[0].profile.replier, IpAddress(ip_b));
  EXPECT_EQ(t.recorder.events[1].kind, 't');
  EXPECT_EQ(t.recorder.events[1].at, start + Duration::millis(1300));
  // Each timeout's wait is its time gap, and the batch's duration adds them.
  EXPECT_EQ(t.recorder.events[0].profile.time_gap_ms, 300u);
  EXPECT_EQ(t.recorder.events[0].profile.duration_ms, 300u);
  EXPECT_EQ(t.recorder.events[1].profile.time_gap_ms, 300u);
  EXPECT_EQ(t.recorder.events[2].kind, 'e');
  EXPECT_EQ(t.recorder.events[2].profile.requests, 2u);
  EXPECT_EQ(t.recorder.events[2].profile.replies, 0u);
  EXPECT_EQ(t.recorder.events[2].profile.duration_ms, 600u);
}

// esp_ping's interface: requests leave by that netif whatever the route
// says. Through A's netif to B they are answered; bound to the loopback
// netif, B is not reachable and nothing goes on the wire.
TEST(PingSessionSim, TheSessionsNetifDecidesWhereRequestsLeave) {
  PingNet t;
  PingSessionConfig config;
  config.count = 1;
  config.timeout = Duration::millis(300);
  config.target = ip_b;
  config.netif = t.net.a_if;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  ASSERT_OK(t.session.start(t.net.a, t.net.sim.now()));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 2u);
  EXPECT_EQ(t.recorder.events[0].kind, 's');

  PingSession bound_to_loopback;
  config.netif = t.net.a.loopback_netif();
  t.recorder.events.clear();
  ASSERT_OK(bound_to_loopback.configure(config, t.recorder.callbacks()));
  t.net.log.clear();
  ASSERT_OK(bound_to_loopback.start(t.net.a, t.net.sim.now()));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 2u);
  EXPECT_EQ(t.recorder.events[0].kind, 't');
  EXPECT_EQ(t.recorder.events[1].profile.replies, 0u);
  EXPECT_TRUE(t.net.log.with_ethertype(ipv4_type, 0).empty());
}

// ESP-IDF counts in ESP_PING_PROF_REQUEST only what sendto() took; a
// request the stack refuses (no route to 203.0.113.5 here) still uses its
// sequence number, times out, and counts towards the end of the batch.
TEST(PingSessionSim, RequestsTheStackRefusesAreNotCounted) {
  PingNet t;
  PingSessionConfig config;
  config.count = 2;
  config.interval = Duration::millis(100);
  config.timeout = Duration::millis(300);
  config.target = Ipv4Address::of(203, 0, 113, 5);
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  t.net.log.clear();
  ASSERT_OK(t.session.start(t.net.a, t.net.sim.now()));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 3u);
  EXPECT_EQ(t.recorder.events[0].kind, 't');
  EXPECT_EQ(t.recorder.events[0].profile.sequence, 1);
  EXPECT_EQ(t.recorder.events[1].kind, 't');
  EXPECT_EQ(t.recorder.events[1].profile.sequence, 2);
  EXPECT_EQ(t.recorder.events[2].kind, 'e');
  EXPECT_EQ(t.recorder.events[2].profile.requests, 0u);
  EXPECT_EQ(t.recorder.events[2].profile.replies, 0u);
  EXPECT_TRUE(t.net.log.with_ethertype(ipv4_type, 0).empty());
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

TEST(PingSessionSim, TimeoutLongerThanIntervalWaitsForTheReply) {
  PingNet t;
  PingSessionConfig config;
  config.count = 2;
  config.interval = Duration::millis(100);
  config.timeout = Duration::millis(500);
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  t.net.log.set_filter([](int from, ConstBytes) { return from == 0; });
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 3u);
  EXPECT_EQ(t.recorder.events[0].at, start + Duration::millis(500));
  EXPECT_EQ(t.recorder.events[1].at, start + Duration::millis(1000));
}

// ESP-IDF's esp_ping_stop ends the batch: on_ping_end comes (after the
// callback that stopped it, not inside it), and the next start begins a new
// batch, sequence numbers and counts from the start.
TEST(PingSessionSim, EndlessSessionStoppedFromACallbackEndsAndRestartsAfresh) {
  PingNet t;
  PingSessionConfig config;
  config.count = 0;
  config.interval = Duration::millis(200);
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  t.recorder.stop_after = 3;
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  t.net.sim.run_for(Duration::seconds(10));
  ASSERT_EQ(t.recorder.events.size(), 4u);
  EXPECT_EQ(t.recorder.events[2].kind, 's');
  const Event& end = t.recorder.events[3];
  EXPECT_EQ(end.kind, 'e');
  EXPECT_EQ(end.at, start + Duration::millis(400) + latency * 2);
  EXPECT_EQ(end.profile.requests, 3u);
  EXPECT_EQ(end.profile.replies, 3u);
  EXPECT_EQ(end.profile.sequence, 3);
  EXPECT_EQ(t.recorder.ends_inside_success, 0);
  EXPECT_FALSE(t.session.running());
  // Stopping a session that is not running ends nothing.
  t.session.stop(t.net.a);
  EXPECT_EQ(t.recorder.events.size(), 4u);

  // Started again, it counts from the start.
  t.recorder.events.clear();
  t.recorder.stop_after = 2;
  ASSERT_OK(t.session.start(t.net.a, t.net.sim.now()));
  EXPECT_EQ(t.session.profile().requests, 0u);
  EXPECT_EQ(t.session.profile().replies, 0u);
  t.net.sim.run_for(Duration::seconds(10));
  ASSERT_EQ(t.recorder.events.size(), 3u);
  EXPECT_EQ(t.recorder.events[0].profile.sequence, 1);
  EXPECT_EQ(t.recorder.events[0].profile.requests, 1u);
  EXPECT_EQ(t.recorder.events[0].profile.replies, 1u);
  EXPECT_EQ(t.recorder.events[2].kind, 'e');
  EXPECT_EQ(t.recorder.events[2].profile.requests, 2u);
  EXPECT_EQ(t.recorder.events[2].profile.sequence, 2);
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

// A session restarted from its on_end and stopped there again still ends
// that second batch: its on_end comes once the first on_end has returned.
TEST(PingSessionSim, StoppedInsideItsOwnEndCallbackEndsAgain) {
  PingNet t;
  PingSessionConfig config;
  config.count = 1;
  config.target = ip_b;
  struct Restarter {
    PingNet* net;
    int ends = 0;
    bool inside_end = false;
    int ends_inside_end = 0;
  } restarter{&t};
  PingSession::Callbacks callbacks;
  callbacks.context = &restarter;
  callbacks.on_end = [](void* ctx, PingSession& s) {
    auto* r = static_cast<Restarter*>(ctx);
    if (r->inside_end) ++r->ends_inside_end;
    if (++r->ends > 1) return;
    r->inside_end = true;
    EXPECT_OK(s.start(r->net->net.a, r->net->net.sim.now()));
    s.stop(r->net->net.a);
    r->inside_end = false;
  };
  ASSERT_OK(t.session.configure(config, callbacks));
  ASSERT_OK(t.session.start(t.net.a, t.net.sim.now()));
  t.net.sim.run_for(Duration::seconds(2));
  EXPECT_EQ(restarter.ends, 2);
  EXPECT_EQ(restarter.ends_inside_end, 0);
  EXPECT_FALSE(t.session.running());
  // A later start runs no stale end first.
  ASSERT_OK(t.session.start(t.net.a, t.net.sim.now()));
  EXPECT_EQ(restarter.ends, 2);
  t.session.stop(t.net.a);
  EXPECT_EQ(restarter.ends, 3);
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

// Stopped from outside its callbacks while a request awaits its reply: the
// end comes at once, the reply that comes later is nobody's.
TEST(PingSessionSim, StoppedWhileAwaitingAReplyEndsAtOnce) {
  PingNet t;
  PingSessionConfig config;
  config.count = 5;
  config.interval = Duration::seconds(1);
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  t.net.sim.run_for(Duration::millis(1005));  // the second request is out
  ASSERT_EQ(t.recorder.events.size(), 1u);
  t.session.stop(t.net.a);
  ASSERT_EQ(t.recorder.events.size(), 2u);
  EXPECT_EQ(t.recorder.events[1].kind, 'e');
  EXPECT_EQ(t.recorder.events[1].profile.requests, 2u);
  EXPECT_EQ(t.recorder.events[1].profile.replies, 1u);
  t.net.sim.run_for(Duration::seconds(5));
  EXPECT_EQ(t.recorder.events.size(), 2u);
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

// ESP-IDF's interval 0: the ping task does not wait between requests, so
// each one leaves when the previous one is answered (or timed out).
TEST(PingSessionSim, IntervalZeroSendsEachRequestWhenThePreviousEnds) {
  PingNet t;
  PingSessionConfig config;
  config.count = 3;
  config.interval = Duration::zero();
  config.timeout = Duration::millis(500);
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(t.recorder.events[i].kind, 's');
    EXPECT_EQ(t.recorder.events[i].at, start + latency * 2 * static_cast<std::int64_t>(i + 1)) << i;
    EXPECT_EQ(t.recorder.events[i].profile.sequence, i + 1);
  }
  EXPECT_EQ(t.recorder.events[3].kind, 'e');
  EXPECT_EQ(t.recorder.events[3].at, start + latency * 6);

  // Unanswered, the next request leaves at the timeout.
  t.recorder.events.clear();
  t.net.log.set_filter([](int from, ConstBytes) { return from == 0; });
  config.count = 2;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  const Instant again = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, again));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 3u);
  EXPECT_EQ(t.recorder.events[0].kind, 't');
  EXPECT_EQ(t.recorder.events[0].at, again + Duration::millis(500));
  EXPECT_EQ(t.recorder.events[1].kind, 't');
  EXPECT_EQ(t.recorder.events[1].at, again + Duration::millis(1000));
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

// ESP-IDF's timeout 0 is the socket's SO_RCVTIMEO 0: no limit. Each
// request waits for its reply, however late, and an unanswered one until
// the session stops.
TEST(PingSessionSim, TimeoutZeroWaitsForTheReplyWithoutLimit) {
  PingNet t;
  PingSessionConfig config;
  config.count = 2;
  config.interval = Duration::millis(100);
  config.timeout = Duration::zero();
  config.target = ip_b;
  ASSERT_OK(t.session.configure(config, t.recorder.callbacks()));
  const Instant start = t.net.sim.now();
  ASSERT_OK(t.session.start(t.net.a, start));
  t.net.sim.run_for(Duration::seconds(2));
  ASSERT_EQ(t.recorder.events.size(), 3u);
  EXPECT_EQ(t.recorder.events[0].kind, 's');
  EXPECT_EQ(t.recorder.events[1].kind, 's');
  EXPECT_EQ(t.recorder.events[1].at, start + Duration::millis(100) + latency * 2);
  EXPECT_EQ(t.recorder.events[2].kind, 'e');

  t.recorder.events.clear();
  t.net.log.set_filter([](int from, ConstBytes) { return from == 0; });
  ASSERT_OK(t.session.start(t.net.a, t.net.sim.now()));
  t.net.sim.run_for(Duration::seconds(600));
  EXPECT_TRUE(t.recorder.events.empty());
  EXPECT_TRUE(t.session.running());
  EXPECT_EQ(t.session.profile().requests, 1u);
  t.session.stop(t.net.a);
  ASSERT_EQ(t.recorder.events.size(), 1u);
  EXPECT_EQ(t.recorder.events[0].kind, 'e');
  EXPECT_EQ(t.net.a.pools().in_use(), 0u);
}

TEST(PingSessionSim, RefusesBadConfigurations) {
  PingSession s;
  PingSessionConfig config;
  EXPECT_ERROR(s.configure(config, {}), Error::InvalidArgument);  // no target
  config.target = ip_b;
  config.data_size = PingSession::max_data_size + 1;
  EXPECT_ERROR(s.configure(config, {}), Error::InvalidArgument);
  config.data_size = 0;
  config.interval = Duration::millis(-1);
  EXPECT_ERROR(s.configure(config, {}), Error::InvalidArgument);
  config.interval = Duration::zero();
  EXPECT_OK(s.configure(config, {}));
  config.timeout = Duration::millis(-1);
  EXPECT_ERROR(s.configure(config, {}), Error::InvalidArgument);
  config.timeout = Duration::zero();
  EXPECT_OK(s.configure(config, {}));
}

}  // namespace
}  // namespace lwnet::test::ping_session_test
