// Bulk transfers both ways at once through a lossy, reordering, duplicating
// network, for many seeds: every byte must arrive, in order, exactly once.
#include <gtest/gtest.h>

#include <cstdio>

#include "support/tcp_script.h"
#include "support/tcp_table_pair.h"

namespace lwnet::tcp_transfer_test {
namespace {

struct TransferCase {
  double loss;
  double reorder;
  double duplicate;
  std::uint64_t seed;
  CongestionAlgorithm congestion = CongestionAlgorithm::NewReno;
};

std::string case_name(const ::testing::TestParamInfo<TransferCase>& info) {
  const TransferCase& c = info.param;
  char name[96];
  std::snprintf(name, sizeof name, "%s_loss%04d_reorder%03d_dup%03d_seed%llu",
                c.congestion == CongestionAlgorithm::Cubic ? "cubic" : "newreno",
                static_cast<int>(c.loss * 10000), static_cast<int>(c.reorder * 1000),
                static_cast<int>(c.duplicate * 1000), static_cast<unsigned long long>(c.seed));
  return name;
}

class TcpTransfer : public ::testing::TestWithParam<TransferCase> {};

struct Direction {
  TcpTable* sender_table;
  TcpOutput* sender_out;
  TcpHandle sender;
  TcpTable* receiver_table;
  TcpOutput* receiver_out;
  TcpHandle receiver;
  std::vector<std::uint8_t> data;
  std::size_t sent = 0;
  std::vector<std::uint8_t> received;
  bool shut = false;
};

TEST_P(TcpTransfer, EveryByteArrivesInOrder) {
  const TransferCase tc = GetParam();
  test::NetworkFaults faults;
  faults.loss = tc.loss;
  faults.reorder = tc.reorder;
  faults.duplicate = tc.duplicate;
  TcpTableConfig config;
  config.defaults.sack_out = true;
  config.defaults.congestion = tc.congestion;
  test::TcpTablePair p(tc.seed, faults, config);
  const auto opened = p.open_connection(5001);
  ASSERT_TRUE(opened.has_value());
  const TcpHandle listener = opened->listener;
  const TcpHandle client = opened->client;
  const TcpHandle server = opened->server;

  constexpr std::size_t size = 1 << 20;
  Direction up{&p.a, &p.a_out, client, &p.b, &p.b_out, server, test::pattern(size, 1), 0, {}, false};
  Direction down{&p.b, &p.b_out, server, &p.a, &p.a_out, client, test::pattern(size, 9), 0, {}, false};
  std::vector<std::uint8_t> chunk(8192);
  const auto pump = [&](Direction& d, bool& ended) {
    while (d.sent < d.data.size()) {
      auto r = d.sender_table->send(d.sender, ConstBytes(d.data).subspan(d.sent), p.now, *d.sender_out);
      if (!r.ok()) break;
      d.sent += *r;
    }
    if (d.sent == d.data.size() && !d.shut) {
      d.shut = d.sender_table->shutdown_send(d.sender, p.now, *d.sender_out).ok();
    }
    while (true) {
      auto r = d.receiver_table->receive(d.receiver, chunk, p.now, *d.receiver_out);
      if (!r.ok()) break;
      if (*r == 0) {
        ended = true;
        break;
      }
      d.received.insert(d.received.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*r));
    }
  };
  bool up_done = false, down_done = false;
  const Instant start = p.now;
  ASSERT_TRUE(p.run_until(
      [&] {
        pump(up, up_done);
        pump(down, down_done);
        return up_done && down_done;
      },
      Duration::seconds(3600)))
      << "up " << up.received.size() << " down " << down.received.size();
  const double seconds = static_cast<double>((p.now - start).total_micros()) / 1e6;
  EXPECT_EQ(up.received, up.data);
  EXPECT_EQ(down.received, down.data);
  std::printf("[ goodput ] %s: %.1f Mbit/s each way (virtual), %llu of %llu segments dropped\n",
              case_name({tc, 0}).c_str(),
              8.0 * size / seconds / 1e6, static_cast<unsigned long long>(p.segments_dropped),
              static_cast<unsigned long long>(p.segments_sent));
  p.a.close(client, p.now, p.a_out);
  p.b.close(server, p.now, p.b_out);
  p.b.close(listener, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 0 && p.b.connections_in_use() == 0; },
                          Duration::seconds(600)));
}

std::vector<TransferCase> cases() {
  std::vector<TransferCase> v;
  const double losses[] = {0.0, 0.001, 0.01, 0.05, 0.10};
  for (double loss : losses) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) v.push_back({loss, 0.0, 0.0, seed});
  }
  for (std::uint64_t seed = 1; seed <= 3; ++seed) v.push_back({0.01, 0.05, 0.01, seed});
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    v.push_back({0.01, 0.0, 0.0, seed, CongestionAlgorithm::Cubic});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(Faults, TcpTransfer, ::testing::ValuesIn(cases()), case_name);

}  // namespace
}  // namespace lwnet::tcp_transfer_test
