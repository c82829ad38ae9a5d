// Zero-copy writes and buffer sizes changed on a live connection, segment
// by segment in virtual time.
#include <gtest/gtest.h>

#include <vector>

#include "support/tcp_script.h"

namespace lwnet::tcp_zero_copy_test {
namespace {

using test::bytes_of;
using test::ExpectedSegment;
using test::pattern;
using test::TcpScript;
using namespace test::script_values;


// Counts a write's completions; declared before the script so that it
// outlives the connection (whose end releases what it still references).
struct Done {
  int delivered = 0;
  int dropped = 0;
  ZeroCopyCompletion completion() {
    return {[](void* context, bool ok) {
              auto* d = static_cast<Done*>(context);
              ++(ok ? d->delivered : d->dropped);
            },
            this};
  }
};

TEST(TcpZeroCopy, BytesGoOutInOrderAndCompleteOnlyWhenAcknowledged) {
  Done done;
  TcpScript t;
  t.establish_active(1000, 8192);
  const auto copied = pattern(300, 1);
  const auto referenced = pattern(2500, 2);
  ASSERT_TRUE(t.connection.send(copied, t.now, t.out).ok());
  ASSERT_TRUE(t.connection.send_zero_copy(referenced, done.completion(), t.now, t.out).ok());
  EXPECT_EQ(t.connection.zero_copy_writes_pending(), 1U);
  // The reference does not use the send buffer.
  EXPECT_EQ(t.connection.send_space(), 4096U - 300U);
  EXPECT_EQ(t.connection.unacknowledged_or_unsent(), 2800U);

  // The copied bytes went out alone (nothing was in flight, and they were
  // all there was), then whole segments of the referenced memory.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = copied});
  t.expect_segment({.seq = our_data + 300, .ack = peer_data, .flags = tcp_flags::ack, .window = 4096,
                    .payload = slice(referenced, 0, 1000)});
  t.expect_segment({.seq = our_data + 1300, .ack = peer_data, .flags = tcp_flags::ack, .window = 4096,
                    .payload = slice(referenced, 1000, 1000)});
  t.expect_nothing_sent();  // Nagle holds the 500-byte tail behind the small first segment
  t.peer_ack = our_data + 2300;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data + 2300, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .payload = slice(referenced, 2000, 500)});
  EXPECT_EQ(done.delivered + done.dropped, 0);

  // Everything but the last byte acknowledged: still referenced.
  t.peer_ack = TcpScript::our_iss + 2800;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(done.delivered + done.dropped, 0);
  t.peer_ack = TcpScript::our_iss + 2801;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(done.delivered, 1);
  EXPECT_EQ(done.dropped, 0);
  EXPECT_EQ(t.connection.zero_copy_writes_pending(), 0U);
  EXPECT_EQ(t.connection.unacknowledged_or_unsent(), 0U);
}

TEST(TcpZeroCopy, RetransmissionRereadsTheCallersMemory) {
  Done done;
  TcpScript t;
  t.establish_active(1000, 8192);
  const auto data = pattern(700, 3);
  ASSERT_TRUE(t.connection.send_zero_copy(data, done.completion(), t.now, t.out).ok());
  const ExpectedSegment segment{.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = data};
  t.expect_segment(segment);
  t.run_next_timer();
  t.expect_segment(segment);
  t.peer_ack = TcpScript::our_iss + 701;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(done.delivered, 1);
}

TEST(TcpZeroCopy, ResetReleasesUnacknowledgedWritesAsDropped) {
  Done first;
  Done second;
  TcpScript t;
  t.establish_active(1000, 8192);
  const auto a = pattern(400, 4);
  const auto b = pattern(400, 5);
  ASSERT_TRUE(t.connection.send_zero_copy(a, first.completion(), t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = a});
  ASSERT_TRUE(t.connection.send_zero_copy(b, second.completion(), t.now, t.out).ok());
  t.expect_nothing_sent();  // Nagle: a small segment is in flight
  t.peer_ack = our_data + 400;  // the first is delivered
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(first.delivered, 1);
  t.expect_segment({.seq = our_data + 400, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = b});
  t.receive(t.peer_segment(tcp_flags::rst));
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(second.delivered, 0);
  EXPECT_EQ(second.dropped, 1);
  EXPECT_EQ(first.dropped, 0);
  EXPECT_EQ(t.connection.zero_copy_writes_pending(), 0U);
}

TEST(TcpZeroCopy, AbortAndTimeoutReleaseAsDropped) {
  Done aborted;
  Done timed_out;
  {
    TcpScript t;
    t.establish_active();
    const auto data = pattern(100);
    ASSERT_TRUE(t.connection.send_zero_copy(data, aborted.completion(), t.now, t.out).ok());
    t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = data});
    t.connection.abort(t.now, t.out);
    t.expect_segment({.seq = our_data + 100, .flags = tcp_flags::rst});
    EXPECT_EQ(aborted.dropped, 1);
  }
  TcpSettings settings = TcpScript::plain_settings();
  settings.max_retransmits = 2;
  TcpScript t(settings);
  t.establish_active();
  const auto data = pattern(100);
  ASSERT_TRUE(t.connection.send_zero_copy(data, timed_out.completion(), t.now, t.out).ok());
  const ExpectedSegment segment{.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = data};
  t.expect_segment(segment);
  for (int i = 0; i < 2; ++i) {
    t.run_next_timer();
    t.expect_segment(segment);  // the memory is read again for each retransmission
  }
  t.run_next_timer();
  t.expect_segment({.seq = our_data + 100, .flags = tcp_flags::rst});
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  EXPECT_EQ(timed_out.dropped, 1);
  EXPECT_EQ(timed_out.delivered, 0);
}

TEST(TcpZeroCopy, LimitsAndStates) {
  std::vector<Done> done(config::tcp_zero_copy_writes + 1);
  TcpScript t;
  t.establish_active(1000, 0);  // zero window: everything stays queued
  const auto data = pattern(10);
  for (std::size_t i = 0; i < config::tcp_zero_copy_writes; ++i) {
    ASSERT_TRUE(t.connection.send_zero_copy(data, done[i].completion(), t.now, t.out).ok());
  }
  EXPECT_EQ(t.connection.send_zero_copy(data, done.back().completion(), t.now, t.out).error(),
            Error::NoBuffers);
  EXPECT_EQ(t.connection.send_zero_copy({}, done.back().completion(), t.now, t.out).error(),
            Error::InvalidArgument);
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  EXPECT_EQ(t.connection.send_zero_copy(data, done.back().completion(), t.now, t.out).error(),
            Error::NotConnected);
  EXPECT_EQ(done.back().delivered + done.back().dropped, 0);  // refused writes never complete
}

TEST(TcpBufferSize, GrowingTheReceiveBufferOpensTheWindowAtOnce) {
  TcpScript t(TcpScript::plain_settings(), 4096, 4000);
  t.establish_active();
  for (int i = 0; i < 4; ++i) t.receive_data(pattern(1000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 2000, .flags = tcp_flags::ack, .window = 2000});
  t.expect_segment({.seq = our_data, .ack = peer_data + 4000, .flags = tcp_flags::ack, .window = 0});
  EXPECT_EQ(t.connection.minimum_receive_buffer(), 4000U);
  std::vector<std::uint8_t> larger(10000);
  ASSERT_TRUE(t.connection.resize_receive_buffer(larger, t.now, t.out));
  EXPECT_EQ(t.connection.receive_buffer_size(), 10000U);
  t.expect_segment({.seq = our_data, .ack = peer_data + 4000, .flags = tcp_flags::ack, .window = 6000});
  // The data queued before the move reads back intact.
  std::vector<std::uint8_t> sink(4000);
  ASSERT_EQ(*t.connection.receive(sink, t.now, t.out), 4000U);
  EXPECT_EQ(std::vector<std::uint8_t>(sink.begin() + 3000, sink.end()), pattern(1000));
  // The peer still knows of 6000 bytes, more than half the buffer: no
  // update for this read alone (Linux decides the same); the next ACK
  // offers the whole buffer.
  t.expect_nothing_sent();
  t.receive_data(pattern(1000));
  t.receive_data(pattern(1000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 6000, .flags = tcp_flags::ack, .window = 8000});
}

TEST(TcpBufferSize, ReceiveBufferNeverShrinksBelowThePromisedWindow) {
  TcpScript t(TcpScript::plain_settings(), 4096, 4000);
  t.establish_active();
  t.receive_data(pattern(1000));
  // 1000 stored and 3000 promised to the peer: 4000 is the floor.
  EXPECT_EQ(t.connection.minimum_receive_buffer(), 4000U);
  std::vector<std::uint8_t> smaller(3999);
  EXPECT_FALSE(t.connection.resize_receive_buffer(smaller, t.now, t.out));
  EXPECT_EQ(t.connection.receive_buffer_size(), 4000U);
  // Once read, the stored bytes no longer count, the promise still does.
  std::vector<std::uint8_t> sink(1000);
  ASSERT_TRUE(t.connection.receive(sink, t.now, t.out).ok());
  EXPECT_EQ(t.connection.minimum_receive_buffer(), 3000U);
  std::vector<std::uint8_t> exact(3000);
  EXPECT_TRUE(t.connection.resize_receive_buffer(exact, t.now, t.out));
  EXPECT_EQ(t.connection.receive_buffer_size(), 3000U);
}

TEST(TcpBufferSize, GrowingTheSendBufferTakesMoreData) {
  TcpScript t(TcpScript::plain_settings(), 1000, 4096);
  t.establish_active(1000, 0);
  const auto data = pattern(3000);
  EXPECT_EQ(*t.connection.send(data, t.now, t.out), 1000U);
  EXPECT_EQ(t.connection.send(data, t.now, t.out).error(), Error::WouldBlock);
  EXPECT_EQ(t.connection.minimum_send_buffer(), 1000U);
  std::vector<std::uint8_t> tiny(999);
  EXPECT_FALSE(t.connection.resize_send_buffer(tiny));
  std::vector<std::uint8_t> larger(3000);
  (void)t.connection.take_events();
  ASSERT_TRUE(t.connection.resize_send_buffer(larger));
  EXPECT_NE(t.connection.take_events() & tcp_events::writable, 0);
  EXPECT_EQ(*t.connection.send(std::span(data).subspan(1000), t.now, t.out), 2000U);
  // The window opens: all 3000 bytes leave in order.
  t.peer_window = 8192;
  t.receive(t.peer_segment(tcp_flags::ack));
  for (std::size_t i = 0; i < 3; ++i) {
    t.expect_segment({.seq = our_data + static_cast<std::uint32_t>(1000 * i), .ack = peer_data,
                      .flags = i == 2 ? ack_psh : tcp_flags::ack, .window = 4096, .payload = slice(data, 1000 * i, 1000)});
  }
}

}  // namespace
}  // namespace lwnet::tcp_zero_copy_test
