// Zero-copy writes mixed with copied ones through a lossy, reordering,
// duplicating network, while the receiver grows its window mid-transfer:
// every byte arrives in order, every zero-copy write completes as
// delivered, and none completes before the receiver has all of its bytes.
#include <gtest/gtest.h>

#include <deque>

#include "support/frames.h"
#include "support/tcp_table_pair.h"

namespace lwnet::tcp_zero_copy_transfer_test {
namespace {

struct PendingWrite {
  std::size_t end = 0;  // stream offset just past the write's last byte
  bool delivered = false;
  bool dropped = false;
  std::size_t receiver_had = 0;  // bytes the receiver held (read or queued) at completion
  const std::vector<std::uint8_t>* received = nullptr;
  const TcpConnection* receiver = nullptr;
};

void on_done(void* context, bool delivered) {
  auto* w = static_cast<PendingWrite*>(context);
  (delivered ? w->delivered : w->dropped) = true;
  w->receiver_had = w->received->size() + w->receiver->readable_bytes();
}

class TcpZeroCopyTransfer : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(TcpZeroCopyTransfer, EveryByteArrivesAndEveryWriteCompletesAfterDelivery) {
  test::NetworkFaults faults;
  faults.loss = 0.02;
  faults.reorder = 0.02;
  faults.duplicate = 0.01;
  TcpTableConfig config;
  config.defaults.sack_out = true;
  config.send_buffer_cap = 16384;
  config.receive_buffer_cap = 65535;
  test::TcpTablePair p(GetParam(), faults, config);
  const auto opened = p.open_connection(5001);
  ASSERT_TRUE(opened.has_value());
  const TcpHandle listener = opened->listener;
  const TcpHandle client = opened->client;
  const TcpHandle server = opened->server;
  EXPECT_EQ(p.b.connection(server)->receive_buffer_size(), config::tcp_wnd_default);

  // The stream: 100 copied bytes, then a 16000-byte zero-copy write, repeated.
  constexpr std::size_t header = 100;
  constexpr std::size_t body = 16000;
  constexpr std::size_t rounds = 64;
  const auto data = test::pattern(rounds * (header + body), 7);
  std::deque<PendingWrite> writes;  // stable addresses for the completions
  std::vector<std::uint8_t> received;
  std::size_t queued = 0;
  bool resized = false;
  bool shut = false;
  std::vector<std::uint8_t> chunk(4096);
  bool ended = false;
  const auto pump = [&] {
    while (queued < data.size()) {
      const std::size_t in_round = queued % (header + body);
      if (in_round < header) {
        auto r = p.a.send(client, ConstBytes(data).subspan(queued, header - in_round), p.now, p.a_out);
        if (!r.ok()) break;
        queued += *r;
      } else {
        PendingWrite& w = writes.emplace_back();
        w.end = queued + body;
        w.received = &received;
        w.receiver = p.b.connection(server);
        Status s = p.a.send_zero_copy(client, ConstBytes(data).subspan(queued, body),
                                      ZeroCopyCompletion{on_done, &w}, p.now, p.a_out);
        if (!s) {
          EXPECT_EQ(s.error(), Error::NoBuffers);
          writes.pop_back();
          break;
        }
        queued += body;
      }
    }
    if (queued == data.size() && !shut) shut = p.a.shutdown_send(client, p.now, p.a_out).ok();
    while (true) {
      auto r = p.b.receive(server, chunk, p.now, p.b_out);
      if (!r.ok()) break;
      if (*r == 0) {
        ended = true;
        break;
      }
      received.insert(received.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*r));
    }
    // A quarter of the way in, the receiver raises SO_RCVBUF.
    if (!resized && received.size() > data.size() / 4) {
      EXPECT_TRUE(p.b.set_buffer_sizes(server, config::tcp_snd_buf_default, 65535, p.now, p.b_out).ok());
      resized = true;
    }
    // Done when the receiver saw the end and the sender had every ACK.
    return ended && p.a.connection(client)->zero_copy_writes_pending() == 0;
  };
  ASSERT_TRUE(p.run_until(pump, Duration::seconds(3600))) << "received " << received.size();
  EXPECT_EQ(received, data);
  EXPECT_TRUE(resized);
  EXPECT_EQ(p.b.connection(server)->receive_buffer_size(), 65535U);
  ASSERT_EQ(writes.size(), rounds);
  for (const PendingWrite& w : writes) {
    EXPECT_TRUE(w.delivered);
    EXPECT_FALSE(w.dropped);
    // Acknowledged means the receiver held every byte of the write.
    EXPECT_GE(w.receiver_had, w.end);
  }
  EXPECT_GT(p.segments_dropped, 0U);
  p.a.close(client, p.now, p.a_out);
  p.b.close(server, p.now, p.b_out);
  p.b.close(listener, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 0 && p.b.connections_in_use() == 0; },
                          Duration::seconds(600)));
}

INSTANTIATE_TEST_SUITE_P(Seeds, TcpZeroCopyTransfer, ::testing::Values(1, 2, 3, 4, 5));

}  // namespace
}  // namespace lwnet::tcp_zero_copy_transfer_test
