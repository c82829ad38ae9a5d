// TCP between two whole stacks (Ethernet, ARP, IPv4, TCP) over a pipe, and
// through the fault injector: handshakes, data, closes, RSTs, and 10 MB each
// way under loss, reordering, duplication and corruption.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "link/fault_injector.h"
#include "link/pipe.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/sim.h"
#include "support/status.h"

namespace lwnet::test::tcp_stack_test {
namespace {

TEST(TcpStack, ConnectExchangeAndCloseLeaveNothingAllocated) {
  TwoHosts net;
  net.sim.settle();
  Result<TcpHandle> listener = net.b.tcp_listen({IpAddress{}, 80}, 2);
  ASSERT_OK(listener);
  Result<TcpHandle> client = net.a.tcp_connect({ip_b, 80}, net.sim.now());
  ASSERT_OK(client);
  TcpHandle server{};
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        Result<TcpHandle> accepted = net.b.tcp_accept(*listener);
        if (accepted) server = *accepted;
        return accepted.ok();
      },
      Duration::seconds(5)));
  ASSERT_NE(net.a.tcp_events(*client) & tcp_events::connected, 0);
  EXPECT_EQ(net.b.tcp_connection(server)->remote().address, IpAddress(ip_a));
  EXPECT_EQ(net.a.tcp_connection(*client)->local().address, IpAddress(ip_a));

  const ByteVector request = pattern(1000, 3);
  ASSERT_OK(net.a.tcp_send(*client, request, net.sim.now()));
  ByteVector got(2000);
  std::size_t n = 0;
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        Result<std::size_t> r = net.b.tcp_receive(server, got, net.sim.now());
        if (r) n = *r;
        return r.ok();
      },
      Duration::seconds(5)));
  got.resize(n);
  EXPECT_EQ(got, request);

  net.a.tcp_close(*client, net.sim.now());
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        std::uint8_t byte = 0;
        Result<std::size_t> r = net.b.tcp_receive(server, Bytes(&byte, 1), net.sim.now());
        return r.ok() && *r == 0;
      },
      Duration::seconds(5)));
  net.b.tcp_close(server, net.sim.now());
  net.b.tcp_close(*listener, net.sim.now());
  net.sim.run_for(Duration::seconds(130));  // A's TIME-WAIT (2 x 60 s)
  EXPECT_EQ(net.a.stats().tcp_table.connections_opened, 1U);
  EXPECT_EQ(net.b.stats().tcp_table.connections_accepted, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(TcpStack, ClosedPortAnswersRstAndConnectFails) {
  TwoHosts net;
  net.sim.settle();
  Result<TcpHandle> client = net.a.tcp_connect({ip_b, 81}, net.sim.now());
  ASSERT_OK(client);
  ASSERT_TRUE(net.sim.run_until(
      [&] { return (net.a.tcp_events(*client) & tcp_events::error) != 0; }, Duration::seconds(5)));
  EXPECT_EQ(net.a.tcp_connection(*client)->error(), std::optional<Error>(Error::ConnectionRefused));
  EXPECT_EQ(net.b.stats().tcp_table.drop_no_listener, 1U);
  net.a.tcp_close(*client, net.sim.now());
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(TcpStack, CorruptedSegmentIsDroppedByChecksum) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  ASSERT_OK(net.a.tcp_listen({IpAddress{}, 80}, 1));
  // A SYN with a wrong checksum: no SYN-ACK, counted.
  ByteVector segment = {0x9c, 0x40, 0x00, 0x50, 0, 0, 0x30, 0x39, 0, 0, 0, 0,
                        0x50, 0x02, 0xff, 0xff, 0xde, 0xad, 0, 0};
  ByteVector packet = {0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const auto src = ip_peer.octets();
  const auto dst = ip_a.octets();
  std::copy(src.begin(), src.end(), packet.begin() + 12);
  std::copy(dst.begin(), dst.end(), packet.begin() + 16);
  const std::uint16_t header_checksum = internet_checksum(packet);
  packet[10] = static_cast<std::uint8_t>(header_checksum >> 8);
  packet[11] = static_cast<std::uint8_t>(header_checksum);
  packet.insert(packet.end(), segment.begin(), segment.end());
  net.inject_ipv4(packet);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().tcp.drop_bad_checksum, 1U);
  for (const ByteVector& frame : net.received()) {
    // Only ARP may leave (to answer the peer), never a TCP segment.
    EXPECT_NE(load_be16(frame, 12), 0x0800) << to_hex(frame);
  }
}

std::string describe(const TcpConnection& c) {
  char text[256];
  std::snprintf(text, sizeof text,
                "%s error=%s queued=%zu readable=%zu snd_wnd=%zu cwnd=%zu deadline=%lld retransmissions=%u",
                to_string(c.state()), c.error() ? to_string(*c.error()) : "none", c.unacknowledged_or_unsent(), c.readable_bytes(), c.send_window(),
                c.congestion_window(), static_cast<long long>(c.next_deadline().total_micros()),
                c.retransmissions());
  return text;
}

std::string counters(const Stack& s) {
  std::string out;
  s.stats().for_each([&](const char* name, std::uint64_t v) {
    if (v != 0) out += std::string(name) + "=" + std::to_string(v) + " ";
  });
  return out;
}

struct LossCase {
  double drop;
  double reorder;
  double duplicate;
  double corrupt;
  std::uint64_t seed;
};

std::string name_of(const ::testing::TestParamInfo<LossCase>& info) {
  const LossCase& c = info.param;
  char name[96];
  std::snprintf(name, sizeof name, "drop%04d_reorder%03d_dup%03d_corrupt%03d_seed%llu",
                static_cast<int>(c.drop * 10000), static_cast<int>(c.reorder * 1000),
                static_cast<int>(c.duplicate * 1000), static_cast<int>(c.corrupt * 1000),
                static_cast<unsigned long long>(c.seed));
  return name;
}

class TcpStackLossy : public ::testing::TestWithParam<LossCase> {};

// 10 MB each way at once between two stacks, A's device wrapped in the fault
// injector (both directions). Every byte is compared.
TEST_P(TcpStackLossy, TenMegabytesEachWayArriveIntact) {
  const LossCase c = GetParam();
  PipeConfig pipe_config;
  pipe_config.latency = Duration::millis(1);
  PipePair pipe(pipe_config);
  FaultConfig faults;
  faults.seed = c.seed;
  for (FaultDirection* d : {&faults.rx, &faults.tx}) {
    d->drop = c.drop;
    d->reorder = c.reorder;
    d->duplicate = c.duplicate;
    d->corrupt = c.corrupt;
    d->reorder_delay = Duration::millis(2);
  }
  FaultInjector lossy(pipe.a(), faults);
  StacksOn net(lossy, pipe.b(), c.seed * 2 + 1, c.seed * 2 + 2);
  Stack& a = net.a;
  Stack& b = net.b;
  Simulation& sim = net.sim;

  const std::optional<TcpPair> opened = open_tcp_pair(sim, a, b, ip_b, 5001);
  ASSERT_TRUE(opened.has_value());
  const TcpHandle listener = opened->listener;
  const TcpHandle client = opened->client;
  const TcpHandle server = opened->server;

  constexpr std::size_t size = 10 * 1000 * 1000;
  struct Flow {
    Stack& from;
    TcpHandle sender;
    Stack& to;
    TcpHandle receiver;
    ByteVector data;
    std::size_t sent = 0;
    std::size_t received = 0;
    bool mismatch = false;
    bool shut = false;
    bool ended = false;
  };
  Flow up{a, client, b, server, pattern(size, 1)};
  Flow down{b, server, a, client, pattern(size, 77)};
  ByteVector chunk(16384);
  const auto pump = [&](Flow& f) {
    while (f.sent < size) {
      Result<std::size_t> r = f.from.tcp_send(f.sender, ConstBytes(f.data).subspan(f.sent), sim.now());
      if (!r) break;
      f.sent += *r;
    }
    if (f.sent == size && !f.shut) f.shut = f.from.tcp_shutdown(f.sender, sim.now()).ok();
    while (!f.ended) {
      Result<std::size_t> r = f.to.tcp_receive(f.receiver, chunk, sim.now());
      if (!r) break;
      if (*r == 0) {
        f.ended = true;
        break;
      }
      if (f.received + *r > size ||
          !std::equal(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*r),
                      f.data.begin() + static_cast<std::ptrdiff_t>(f.received))) {
        f.mismatch = true;
      }
      f.received += *r;
    }
  };
  const Instant start = sim.now();
  ASSERT_TRUE(sim.run_until(
      [&] {
        pump(up);
        pump(down);
        return (up.ended && down.ended) || up.mismatch || down.mismatch;
      },
      Duration::seconds(7200)))
      << "up " << up.received << " down " << down.received << "\n"
      << describe(*a.tcp_connection(client)) << "\n"
      << describe(*b.tcp_connection(server)) << "\n" << counters(a) << "\n" << counters(b);
  EXPECT_FALSE(up.mismatch);
  EXPECT_FALSE(down.mismatch);
  EXPECT_EQ(up.received, size);
  EXPECT_EQ(down.received, size);
  const double seconds = static_cast<double>((sim.now() - start).total_micros()) / 1e6;
  const FaultStats& fs = lossy.fault_stats();
  std::printf("[ goodput ] %s: %.2f Mbit/s each way (virtual time), dropped %llu, corrupted %llu, "
              "A retransmitted %u, B retransmitted %u\n",
              name_of({c, 0}).c_str(), 8.0 * size / seconds / 1e6,
              static_cast<unsigned long long>(fs.rx.dropped + fs.tx.dropped),
              static_cast<unsigned long long>(fs.rx.corrupted + fs.tx.corrupted),
              a.tcp_connection(client)->retransmissions(), b.tcp_connection(server)->retransmissions());
  a.tcp_close(client, sim.now());
  b.tcp_close(server, sim.now());
  b.tcp_close(listener, sim.now());
  sim.run_for(Duration::seconds(300));
  EXPECT_EQ(a.pools().in_use(), 0U);
  EXPECT_EQ(b.pools().in_use(), 0U);
}

std::vector<LossCase> loss_cases() {
  std::vector<LossCase> v;
  for (double drop : {0.001, 0.01, 0.05, 0.10}) {
    for (std::uint64_t seed = 1; seed <= 2; ++seed) v.push_back({drop, 0, 0, 0, seed});
  }
  for (std::uint64_t seed = 1; seed <= 2; ++seed) v.push_back({0.01, 0.02, 0.01, 0.01, seed});
  v.push_back({0, 0, 0, 0, 1});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Faults, TcpStackLossy, ::testing::ValuesIn(loss_cases()), name_of);

}  // namespace
}  // namespace lwnet::test::tcp_stack_test
