// MSG_MORE (TcpConnection::send with `more`): a small tail waits for the
// rest of the message, then leaves with it; full segments are never held;
// a FIN or TcpConnection::cork_limit releases the tail. Every segment is
// checked whole, and that nothing else was sent.
#include <gtest/gtest.h>

#include <vector>

#include "support/tcp_script.h"

namespace lwnet::tcp_cork_test {
namespace {

using test::pattern;
using test::TcpScript;
using namespace test::script_values;


TEST(TcpCork, SmallWriteWithMoreWaitsForTheNextWrite) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.send(pattern(10, 1), t.now, t.out, true).ok());
  EXPECT_TRUE(t.connection.corked());
  t.expect_nothing_sent();
  t.advance(Duration::millis(50));
  ASSERT_TRUE(t.connection.send(pattern(20, 2), t.now, t.out).ok());
  EXPECT_FALSE(t.connection.corked());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .payload = concat({pattern(10, 1), pattern(20, 2)})});
  t.expect_nothing_sent();
}

TEST(TcpCork, FullSegmentsLeaveAndOnlyTheTailWaits) {
  TcpScript t;
  t.establish_active(1000, 8192);
  const std::vector<std::uint8_t> data = pattern(2300);
  ASSERT_TRUE(t.connection.send(data, t.now, t.out, true).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = std::vector<std::uint8_t>(data.begin(), data.begin() + 1000)});
  t.expect_segment({.seq = our_data + 1000, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = std::vector<std::uint8_t>(data.begin() + 1000, data.begin() + 2000)});
  t.expect_nothing_sent();  // the last 300 bytes wait
  ASSERT_TRUE(t.connection.send({}, t.now, t.out).ok());  // nothing taken: still corked
  EXPECT_TRUE(t.connection.corked());
  t.expect_nothing_sent();
}

TEST(TcpCork, TheTailLeavesAfterTheCorkLimitWithoutAnotherWrite) {
  TcpScript t;
  t.establish_active();
  const Instant corked_at = t.now;
  ASSERT_TRUE(t.connection.send(pattern(10), t.now, t.out, true).ok());
  ASSERT_TRUE(t.connection.send(pattern(5, 3), t.now, t.out, true).ok());  // does not extend the limit
  t.expect_nothing_sent();
  EXPECT_EQ(t.connection.next_deadline(), corked_at + TcpConnection::cork_limit);
  t.run_next_timer();
  EXPECT_EQ(t.now, corked_at + TcpConnection::cork_limit);
  EXPECT_FALSE(t.connection.corked());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .payload = concat({pattern(10), pattern(5, 3)})});
  t.expect_nothing_sent();
}

TEST(TcpCork, ShutdownSendsTheTailWithTheFin) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.send(pattern(10), t.now, t.out, true).ok());
  t.expect_nothing_sent();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack | tcp_flags::psh, .window = 4096,
                    .payload = pattern(10)});
  t.expect_nothing_sent();
}

}  // namespace
}  // namespace lwnet::tcp_cork_test
