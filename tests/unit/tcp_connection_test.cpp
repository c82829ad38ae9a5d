// RFC 9293 behaviour of one connection, segment by segment, in virtual time.
// Every segment the connection sends is checked whole (TcpScript fails a
// test that leaves one unchecked).
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "support/tcp_script.h"

namespace lwnet::tcp_connection_test {
namespace {

using test::bytes_of;
using test::ExpectedSegment;
using test::pattern;
using test::TcpScript;
using namespace test::script_values;


// Our SYN with plain settings and a 4096-byte receive buffer.
ExpectedSegment plain_syn() {
  return {.seq = TcpScript::our_iss, .flags = tcp_flags::syn, .window = 4096,
          .options = {.mss = 1460, .sack_permitted = true}};
}

// ---- Opening ----------------------------------------------------------------

TEST(TcpOpen, ActiveSynCarriesOurOptions) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.timestamps = true;
  settings.window_scaling = true;
  TcpScript t(settings, 4096, 200000);
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  EXPECT_EQ(t.connection.state(), TcpState::SynSent);
  // 200000 >> 2 fits 16 bits; the window of a SYN is never scaled.
  auto syn = t.expect_segment({.seq = TcpScript::our_iss,
                               .flags = tcp_flags::syn,
                               .window = 0xffff,
                               .options = {.mss = 1460,
                                           .window_scale = 2,
                                           .sack_permitted = true,
                                           .timestamp = TcpTimestamp{t.our_timestamp(), 0}}});
  EXPECT_EQ(syn.sent_at, t.now);
}

TEST(TcpOpen, ActiveHandshakeReachesEstablished) {
  TcpScript t;
  t.establish_active();
  EXPECT_EQ(t.connection.send_mss(), 1000U);  // the peer's MSS is smaller than ours
}

TEST(TcpOpen, PassiveSynAckMirrorsOnlyOfferedOptions) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.timestamps = true;
  settings.window_scaling = true;
  TcpScript t(settings);
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  syn.mss = 1400;
  syn.sack_permitted = true;  // no timestamps, no window scale offered
  ASSERT_TRUE(t.connection.open_passive(t.local, t.remote, syn, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.expect_segment({.seq = TcpScript::our_iss,
                    .ack = peer_data,
                    .flags = tcp_flags::syn | tcp_flags::ack,
                    .window = 4096,
                    .options = {.mss = 1460, .sack_permitted = true}});
  EXPECT_EQ(t.connection.send_mss(), 1400U);
}

TEST(TcpOpen, SimultaneousOpen) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.expect_segment(plain_syn());
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  syn.mss = 1000;
  t.receive(syn);
  EXPECT_EQ(t.connection.state(), TcpState::SynReceived);
  // Our SYN again, now acknowledging theirs, with only what they offered.
  t.expect_segment({.seq = TcpScript::our_iss,
                    .ack = peer_data,
                    .flags = tcp_flags::syn | tcp_flags::ack,
                    .window = 4096,
                    .options = {.mss = 1460}});
  // The peer's SYN-ACK acknowledges our SYN. Its SYN is old by now (below
  // RCV.NXT): unacceptable in SYN-RECEIVED, so it is answered with an ACK
  // (RFC 9293 3.10.7.4) and otherwise ignored.
  TcpRepr peer_synack = t.peer_segment(tcp_flags::syn | tcp_flags::ack);
  peer_synack.sequence = TcpScript::peer_iss;
  t.receive(peer_synack);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096});
  EXPECT_EQ(t.connection.state(), TcpState::SynReceived);
  // Its ACK completes the handshake.
  t.peer_next = peer_data;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::Established);
}

// RFC 9293 figure 7 between two connections: the SYNs cross, then the
// SYN-ACKs, each unacceptable to its receiver (its SYN lies below RCV.NXT)
// and answered with an ACK, which completes the other side's handshake.
// Without those ACKs both would wait in SYN-RECEIVED for their timers.
TEST(TcpOpen, TwoSidesOpeningAtOnceReachEstablishedWithoutTimers) {
  std::vector<std::uint8_t> storage(4 * 4096);
  const auto part = [&](std::size_t i) { return Bytes(storage).subspan(i * 4096, 4096); };
  TcpConnection a(part(0), part(1), TcpScript::plain_settings());
  TcpConnection b(part(2), part(3), TcpScript::plain_settings());
  test::RecordingOutput a_out;
  test::RecordingOutput b_out;
  const IpEndpoint a_end{Ipv4Address::of(192, 0, 2, 1), 4000};
  const IpEndpoint b_end{Ipv4Address::of(192, 0, 2, 2), 5000};
  const Instant now = Instant::from_seconds(1000);
  ASSERT_TRUE(a.open_active(a_end, b_end, Seq32(100), 1460, now, a_out).ok());
  ASSERT_TRUE(b.open_active(b_end, a_end, Seq32(300), 1460, now, b_out).ok());
  // Each round delivers what both sent in the previous one (they cross).
  std::vector<std::string> rounds;
  while ((!a_out.sent.empty() || !b_out.sent.empty()) && rounds.size() < 10) {
    std::deque<test::SentSegment> to_b = std::move(a_out.sent);
    std::deque<test::SentSegment> to_a = std::move(b_out.sent);
    a_out.sent.clear();
    b_out.sent.clear();
    std::string round;
    for (const auto& s : to_b) round += "a: " + s.describe() + "; ";
    for (const auto& s : to_a) round += "b: " + s.describe() + "; ";
    rounds.push_back(round);
    for (const auto& s : to_b) {
      TcpRepr h = s.header;
      h.payload = s.payload;
      b.on_segment(h, now, b_out);
    }
    for (const auto& s : to_a) {
      TcpRepr h = s.header;
      h.payload = s.payload;
      a.on_segment(h, now, a_out);
    }
  }
  EXPECT_EQ(a.state(), TcpState::Established);
  EXPECT_EQ(b.state(), TcpState::Established);
  const std::vector<std::string> expected{
      "a: seq=100 ack=0 flags=S win=4096 options=mss=1460 sack_permitted payload=0 bytes; "
      "b: seq=300 ack=0 flags=S win=4096 options=mss=1460 sack_permitted payload=0 bytes; ",
      "a: seq=100 ack=301 flags=SA win=4096 options=mss=1460 sack_permitted payload=0 bytes; "
      "b: seq=300 ack=101 flags=SA win=4096 options=mss=1460 sack_permitted payload=0 bytes; ",
      "a: seq=101 ack=301 flags=A win=4096 options=none payload=0 bytes; "
      "b: seq=301 ack=101 flags=A win=4096 options=none payload=0 bytes; "};
  EXPECT_EQ(rounds, expected);
}

TEST(TcpOpen, RstAnsweringSynIsConnectionRefused) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.expect_segment(plain_syn());
  TcpRepr rst = t.peer_segment(tcp_flags::rst | tcp_flags::ack);
  rst.sequence = 0;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::ConnectionRefused));
}

TEST(TcpOpen, RstWithWrongAckInSynSentIsIgnored) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.expect_segment(plain_syn());
  TcpRepr rst = t.peer_segment(tcp_flags::rst | tcp_flags::ack);
  rst.acknowledgment = TcpScript::our_iss + 7;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::SynSent);
}

TEST(TcpOpen, SynAckWithBadAckGetsReset) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.expect_segment(plain_syn());
  TcpRepr synack = t.peer_segment(tcp_flags::syn | tcp_flags::ack);
  synack.sequence = TcpScript::peer_iss;
  synack.acknowledgment = TcpScript::our_iss + 100;
  t.receive(synack);
  // RFC 9293 3.10.7.3: <SEQ=SEG.ACK><CTL=RST>.
  t.expect_segment({.seq = TcpScript::our_iss + 100, .flags = tcp_flags::rst});
  EXPECT_EQ(t.connection.state(), TcpState::SynSent);
}

TEST(TcpOpen, SynRetransmittedWithBackoffThenTimesOut) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.syn_max_retransmits = 3;
  TcpScript t(settings);
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  const Instant start = t.now;
  t.expect_segment(plain_syn());
  // Initial RTO 1500 ms (CONFIG_LWIP_TCP_RTO_TIME with high-speed
  // retransmission), doubling: 1.5, 3, 6 s.
  const std::int64_t expected_ms[] = {1500, 4500, 10500};
  for (std::int64_t at : expected_ms) {
    t.run_next_timer();
    EXPECT_EQ((t.now - start).total_millis(), at);
    t.expect_segment(plain_syn());
  }
  EXPECT_EQ(t.connection.retransmissions(), 3U);
  t.run_next_timer();
  EXPECT_EQ((t.now - start).total_millis(), 22500);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  t.expect_nothing_sent();  // no RST for a connection never synchronized
}

TEST(TcpOpen, LostSynAckIsResentWhenThePeerRepeatsItsSyn) {
  TcpScript t;
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  ASSERT_TRUE(t.connection.open_passive(t.local, t.remote, syn, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  // The SYN offered no option: the SYN-ACK carries our MSS only.
  const ExpectedSegment synack{.seq = TcpScript::our_iss,
                               .ack = peer_data,
                               .flags = tcp_flags::syn | tcp_flags::ack,
                               .window = 4096,
                               .options = {.mss = 1460}};
  t.expect_segment(synack);
  t.receive(syn);
  t.expect_segment(synack);
  EXPECT_EQ(t.connection.state(), TcpState::SynReceived);
}

TEST(TcpOpen, BadAckInSynReceivedGetsReset) {
  TcpScript t;
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  ASSERT_TRUE(t.connection.open_passive(t.local, t.remote, syn, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.expect_segment({.seq = TcpScript::our_iss,
                    .ack = peer_data,
                    .flags = tcp_flags::syn | tcp_flags::ack,
                    .window = 4096,
                    .options = {.mss = 1460}});
  t.peer_next = peer_data;
  TcpRepr ack = t.peer_segment(tcp_flags::ack);
  ack.acknowledgment = TcpScript::our_iss + 50;
  t.receive(ack);
  t.expect_segment({.seq = TcpScript::our_iss + 50, .flags = tcp_flags::rst});
  EXPECT_EQ(t.connection.state(), TcpState::SynReceived);
}

// ---- Sending ----------------------------------------------------------------

TEST(TcpSend, SegmentsAtPeerMssAndFreesOnAck) {
  TcpScript t;
  t.establish_active(1000, 8192);
  const auto data = pattern(2500);
  auto taken = t.connection.send(data, t.now, t.out);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(*taken, 2500U);
  // Initial congestion window is 10 segments: all of it goes out, PSH on
  // the segment that empties the buffer.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = slice(data, 0, 1000)});
  t.expect_segment({.seq = our_data + 1000, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = slice(data, 1000, 1000)});
  t.expect_segment({.seq = our_data + 2000, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .payload = slice(data, 2000, 500)});
  t.expect_nothing_sent();
  EXPECT_EQ(t.connection.send_space(), 4096U - 2500U);
  t.peer_ack = our_data + 2500;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.send_space(), 4096U);
  EXPECT_EQ(t.connection.next_deadline(), Instant::max());  // nothing outstanding
}

TEST(TcpSend, RespectsThePeersWindow) {
  TcpScript t;
  t.establish_active(1000, 1500);
  const auto data = pattern(3000);
  (void)t.connection.send(data, t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = slice(data, 0, 1000)});
  // 500 bytes of window left: sender SWS avoidance holds a sliver back
  // while data is in flight.
  t.expect_nothing_sent();
  t.peer_ack = our_data + 1000;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data + 1000, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = slice(data, 1000, 1000)});
}

TEST(TcpSend, NagleHoldsSmallSegmentsWhileDataIsInFlight) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(10), t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(10)});
  (void)t.connection.send(pattern(10, 1), t.now, t.out);
  (void)t.connection.send(pattern(10, 2), t.now, t.out);
  t.expect_nothing_sent();
  t.peer_ack = our_data + 10;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data + 10, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .payload = concat({pattern(10, 1), pattern(10, 2)})});  // coalesced
}

TEST(TcpSend, NoDelaySendsEverySmallWrite) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.nodelay = true;
  TcpScript t(settings);
  t.establish_active();
  (void)t.connection.send(pattern(10, 1), t.now, t.out);
  (void)t.connection.send(pattern(10, 2), t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(10, 1)});
  t.expect_segment({.seq = our_data + 10, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(10, 2)});
}

TEST(TcpSend, FullBufferWouldBlock) {
  TcpScript t(TcpScript::plain_settings(), 1000, 4096);
  t.establish_active(1000, 0);  // zero window: nothing leaves
  auto first = t.connection.send(pattern(1500), t.now, t.out);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1000U);
  auto second = t.connection.send(pattern(1), t.now, t.out);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), Error::WouldBlock);
  t.expect_nothing_sent();
}

TEST(TcpSend, RetransmitsAfterRtoWithBackoffThenGivesUp) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.max_retransmits = 3;
  TcpScript t(settings);
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  const ExpectedSegment data{.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096,
                             .payload = pattern(100)};
  t.expect_segment(data);
  Instant last = t.now;
  // The handshake measured 0 ms: the RTO is the 200 ms floor.
  Duration expected = Duration::millis(200);
  EXPECT_EQ(t.connection.retransmit_timeout(), expected);
  for (int i = 0; i < 3; ++i) {
    t.run_next_timer();
    EXPECT_EQ(t.now - last, expected) << "retransmission " << i;
    last = t.now;
    expected = expected * 2;
    t.expect_segment(data);
  }
  t.run_next_timer();
  EXPECT_EQ(t.now - last, expected);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  t.expect_segment({.seq = our_data + 100, .flags = tcp_flags::rst});
}

// Found by the lossy simulation: after a timeout pulls SND.NXT back, a pure
// ACK must still carry the highest sequence number sent, or a peer that
// already holds the data finds it below RCV.NXT and drops it (and its ACK).
TEST(TcpSend, PureAckAfterTimeoutCarriesHighestSequence) {
  TcpScript t;
  t.establish_active(1000, 8192);
  const auto data = pattern(3000);
  (void)t.connection.send(data, t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096, .payload = slice(data, 0, 1000)});
  t.expect_segment({.seq = our_data + 1000, .ack = peer_data, .flags = ack_flag, .window = 4096, .payload = slice(data, 1000, 1000)});
  t.expect_segment({.seq = our_data + 2000, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = slice(data, 2000, 1000)});
  t.run_next_timer();
  // After the timeout the congestion window is one segment.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096, .payload = slice(data, 0, 1000)});
  t.expect_nothing_sent();
  t.receive_data(pattern(10), tcp_flags::psh);
  t.run_next_timer();  // delayed ACK
  t.expect_segment({.seq = our_data + 3000, .ack = peer_data + 10, .flags = ack_flag, .window = 4086});
}

TEST(TcpSend, RttSampleSetsRto) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(100)});
  t.advance(Duration::millis(100));
  t.peer_ack = our_data + 100;
  t.receive(t.peer_segment(tcp_flags::ack));
  // The handshake measured 0 ms; a 100 ms sample then: srtt 12.5 ms,
  // rttvar 0.75*0 + 0.25*100 = 25 ms... the 200 ms floor applies.
  EXPECT_EQ(t.connection.rtt_estimator().smoothed_rtt(), Duration::micros(12500));
  EXPECT_EQ(t.connection.rtt_estimator().rtt_variation(), Duration::millis(25));
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::millis(200));
}

TEST(TcpSend, FastRetransmitOnThirdDuplicateAck) {
  TcpScript t(TcpScript::plain_settings(), 8192, 4096);
  t.establish_active(1000, 8192);
  const auto data = pattern(5000);
  (void)t.connection.send(data, t.now, t.out);
  for (std::size_t i = 0; i < 5; ++i) {
    t.expect_segment({.seq = our_data + static_cast<std::uint32_t>(1000 * i), .ack = peer_data,
                      .flags = i == 4 ? ack_psh : ack_flag, .window = 4096, .payload = slice(data, 1000 * i, 1000)});
  }
  // The first segment is lost; the peer ACKs SYN only, three times, as
  // segments 2..4 arrive.
  for (int i = 0; i < 2; ++i) {
    t.receive(t.peer_segment(tcp_flags::ack));
    t.expect_nothing_sent();
  }
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096, .payload = slice(data, 0, 1000)});
  EXPECT_EQ(t.connection.retransmissions(), 1U);
  // Everything acknowledged: recovery ends. ssthresh is half the 5000-byte
  // flight; with nothing left in flight cwnd restarts at 2 segments (RFC
  // 6582 3.2 step 3, option 1) and slow start climbs back to 2500.
  t.peer_ack = our_data + 5000;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.congestion_window(), 2000U);
}

TEST(TcpSend, PartialAckInRecoveryResendsTheNextHole) {
  TcpScript t(TcpScript::plain_settings(), 8192, 4096);
  t.establish_active(1000, 8192);
  const auto data = pattern(5000);
  (void)t.connection.send(data, t.now, t.out);
  for (std::size_t i = 0; i < 5; ++i) {
    t.expect_segment({.seq = our_data + static_cast<std::uint32_t>(1000 * i), .ack = peer_data,
                      .flags = i == 4 ? ack_psh : ack_flag, .window = 4096, .payload = slice(data, 1000 * i, 1000)});
  }
  for (int i = 0; i < 3; ++i) t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096, .payload = slice(data, 0, 1000)});
  // Segments 1 and 3 were lost: the ACK stops at 2001.
  t.peer_ack = our_data + 2000;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data + 2000, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .payload = slice(data, 2000, 1000)});
}

TEST(TcpSend, SackRecoveryResendsOnlyTheHole) {
  TcpScript t(TcpScript::plain_settings(), 8192, 4096);
  t.establish_active(1000, 8192, true);
  const auto data = pattern(6000);
  (void)t.connection.send(data, t.now, t.out);
  for (std::size_t i = 0; i < 6; ++i) {
    t.expect_segment({.seq = our_data + static_cast<std::uint32_t>(1000 * i), .ack = peer_data,
                      .flags = i == 5 ? ack_psh : ack_flag, .window = 4096, .payload = slice(data, 1000 * i, 1000)});
  }
  // Segment 1 is lost; segments 2, 3, 4 arrive and are SACKed.
  for (std::uint32_t sacked = 1; sacked <= 3; ++sacked) {
    TcpRepr dup = t.peer_segment(tcp_flags::ack);
    dup.sack_count = 1;
    dup.sack_blocks[0] = {our_data + 1000, our_data + 1000 + 1000 * sacked};
    t.receive(dup);
    if (sacked < 3) t.expect_nothing_sent();
  }
  // Only the hole: segments the peer holds are not sent again.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096, .payload = slice(data, 0, 1000)});
  t.expect_nothing_sent();
  EXPECT_EQ(t.connection.congestion_window(), 3000U);  // half the 6000-byte flight
  EXPECT_EQ(t.connection.retransmissions(), 1U);
}

TEST(TcpSend, ZeroWindowIsProbedWithBackoff) {
  TcpScript t;
  t.establish_active(1000, 0);
  (void)t.connection.send(pattern(100), t.now, t.out);
  t.expect_nothing_sent();
  const Instant start = t.now;
  const Duration rto = t.connection.retransmit_timeout();
  // A probe: SND.UNA - 1, outside the peer's window, so it must answer.
  const ExpectedSegment probe{.seq = TcpScript::our_iss, .ack = peer_data, .flags = ack_flag, .window = 4096};
  t.run_next_timer();
  EXPECT_EQ(t.now - start, rto);
  t.expect_segment(probe);
  t.run_next_timer();
  EXPECT_EQ(t.now - start, rto * 3);  // the probe interval doubles
  t.expect_segment(probe);
  // The window opens: data goes at once, probing stops.
  t.peer_window = 4000;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(100)});
}

TEST(TcpSend, AckForUnsentDataIsAnsweredAndIgnored) {
  TcpScript t;
  t.establish_active();
  t.peer_ack = TcpScript::our_iss + 500;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096});
  EXPECT_EQ(t.connection.state(), TcpState::Established);
}

// SACK blocks ride in data segments too while we hold out-of-order data:
// they come out of the payload, so that no segment outgrows the MSS.
TEST(TcpSend, SackBlocksInDataSegmentsShortenThePayload) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.sack_out = true;
  settings.nodelay = true;
  TcpScript t(settings);
  t.establish_active(1000, 8192, true);
  t.peer_next = peer_data + 1000;  // a hole of 1000 bytes before this
  t.receive_data(pattern(500));
  const TcpSackBlock held{peer_data + 1000, peer_data + 1500};
  test::TcpOptions with_held;
  with_held.sack = {held};
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096, .options = with_held});
  const auto data = pattern(2000, 6);
  ASSERT_TRUE(t.connection.send(data, t.now, t.out).ok());
  // 20 + SACK option (2 + 8, padded to 12) of header: 988 bytes of payload.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .options = with_held, .payload = slice(data, 0, 988)});
  t.expect_segment({.seq = our_data + 988, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .options = with_held, .payload = slice(data, 988, 988)});
  t.expect_segment({.seq = our_data + 1976, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .options = with_held, .payload = slice(data, 1976, 24)});
}

// ---- Receiving --------------------------------------------------------------

TEST(TcpReceive, DelayedAckThenAckEverySecondFullSegment) {
  TcpScript t;
  t.establish_active();
  t.receive_data(pattern(1000));
  t.expect_nothing_sent();
  t.receive_data(pattern(1000, 3));
  // The window is what is left of the buffer: 4096 - 2000.
  t.expect_segment({.seq = our_data, .ack = peer_data + 2000, .flags = ack_flag, .window = 2096});
  // A single small segment is ACKed by the delayed-ACK timer (40 ms).
  t.receive_data(pattern(10));
  t.expect_nothing_sent();
  const Instant before = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - before, Duration::millis(40));
  t.expect_segment({.seq = our_data, .ack = peer_data + 2010, .flags = ack_flag, .window = 2086});
  std::vector<std::uint8_t> got(3000);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2010U);
  got.resize(2010);
  EXPECT_EQ(got, concat({pattern(1000), pattern(1000, 3), pattern(10)}));
  // 2010 bytes freed is less than half the buffer: no window update
  // (receiver silly window avoidance, RFC 1122 4.2.3.3).
  t.expect_nothing_sent();
}

// A peer's full-sized segments lose payload to its options (timestamps,
// SACK blocks): 980 of an MSS of 1000 still counts as full.
TEST(TcpReceive, SegmentsShortenedByOptionsCountAsFull) {
  TcpScript t;
  t.establish_active(1000, 8192);
  t.receive_data(pattern(980));
  t.expect_nothing_sent();  // the first is held (delayed ACK)
  t.receive_data(pattern(980));
  t.expect_segment({.seq = our_data, .ack = peer_data + 1960, .flags = ack_flag, .window = 4096 - 1960});
  // Well short of full: held again until the timer.
  t.receive_data(pattern(500));
  t.receive_data(pattern(500));
  t.expect_nothing_sent();
}

TEST(TcpReceive, WithoutDelayedAckEverySegmentIsAcked) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.delayed_ack = false;
  TcpScript t(settings);
  t.establish_active();
  t.receive_data(pattern(10));
  t.expect_segment({.seq = our_data, .ack = peer_data + 10, .flags = ack_flag, .window = 4086});
}

TEST(TcpReceive, OutOfOrderIsAckedAtOnceAndAssembled) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.sack_out = true;
  TcpScript t(settings);
  t.establish_active(1000, 8192, true);
  const auto data = pattern(3000);
  // Segment 2 and 3 arrive before segment 1. Held out of order, they take
  // no window: the right edge stays where it was.
  t.peer_next = peer_data + 1000;
  t.receive_data(ConstBytes(data).subspan(1000, 1000));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .options = {.sack = {{peer_data + 1000, peer_data + 2000}}}});
  t.receive_data(ConstBytes(data).subspan(2000, 1000));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .options = {.sack = {{peer_data + 1000, peer_data + 3000}}}});
  EXPECT_EQ(t.connection.readable_bytes(), 0U);
  t.peer_next = peer_data;
  t.receive_data(ConstBytes(data).first(1000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 3000, .flags = ack_flag, .window = 1096});
  std::vector<std::uint8_t> got(4000);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, data);
  // Reading 3000 bytes frees more than half the buffer: the window update
  // goes out at once.
  t.expect_segment({.seq = our_data, .ack = peer_data + 3000, .flags = ack_flag, .window = 4096});
}

TEST(TcpReceive, WindowShrinksAsDataQueuesAndUpdateIsSentWhenRead) {
  TcpScript t(TcpScript::plain_settings(), 4096, 4000);
  t.establish_active();
  t.receive_data(pattern(1000));
  t.receive_data(pattern(1000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 2000, .flags = ack_flag, .window = 2000});
  t.receive_data(pattern(1000));
  t.receive_data(pattern(1000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 4000, .flags = ack_flag, .window = 0});
  // Data beyond a zero window is dropped and answered with an ACK.
  t.receive(t.peer_segment(tcp_flags::ack), pattern(100));
  t.expect_segment({.seq = our_data, .ack = peer_data + 4000, .flags = ack_flag, .window = 0});
  std::vector<std::uint8_t> sink(4000);
  ASSERT_TRUE(t.connection.receive(sink, t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data + 4000, .flags = ack_flag, .window = 4000});
}

TEST(TcpReceive, ReadingASmallRequestSendsNoWindowUpdateAheadOfTheReply) {
  // A buffer wider than the 64 KiB a SYN-ACK can offer: the peer knows
  // 65535 bytes and used one, so the read leaves nothing worth saying, and
  // the reply carries the ACK (what a connection-per-request exchange needs).
  TcpScript t(TcpScript::plain_settings(), 4096, 200000);
  t.establish_passive();
  t.receive_data(pattern(1));
  t.expect_nothing_sent();  // delayed ACK
  std::vector<std::uint8_t> request(10);
  auto n = t.connection.receive(request, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1U);
  t.expect_nothing_sent();
  ASSERT_TRUE(t.connection.send(pattern(1), t.now, t.out).ok());
  // The right edge stays where the SYN-ACK put it: the window field (no
  // scaling) cannot say more than 65535.
  t.expect_segment({.seq = our_data, .ack = peer_data + 1, .flags = ack_psh, .window = 0xfffe, .payload = pattern(1)});
}

TEST(TcpReceive, FinBehindAGapCountsOnceTheGapFills) {
  TcpScript t;
  t.establish_active();
  // The last segment, with FIN, arrives before the first.
  t.peer_next = peer_data + 100;
  t.receive_data(pattern(50, 2), tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096});  // duplicate ACK
  t.peer_next = peer_data;
  t.receive_data(pattern(100, 1));
  EXPECT_EQ(t.connection.state(), TcpState::CloseWait);
  // Data + FIN: the FIN takes a sequence number but no buffer space, so the
  // right edge stays put and the window says one less.
  t.expect_segment({.seq = our_data, .ack = peer_data + 151, .flags = ack_flag, .window = 4096 - 151});
  std::vector<std::uint8_t> got(200);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 150U);
  got.resize(150);
  EXPECT_EQ(got, concat({pattern(100, 1), pattern(50, 2)}));
  auto eof = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(*eof, 0U);
}

TEST(TcpReceive, DuplicateSegmentIsAckedNotDeliveredTwice) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.delayed_ack = false;
  TcpScript t(settings);
  t.establish_active();
  t.receive_data(pattern(100));
  const ExpectedSegment ack{.seq = our_data, .ack = peer_data + 100, .flags = ack_flag, .window = 3996};
  t.expect_segment(ack);
  t.peer_next = peer_data;
  t.receive_data(pattern(100));
  t.expect_segment(ack);
  EXPECT_EQ(t.connection.readable_bytes(), 100U);
}

// ---- RFC 5961 ---------------------------------------------------------------

TEST(TcpSecurity, RstAtExactSequenceResets) {
  TcpScript t;
  t.establish_active();
  t.receive(t.peer_segment(tcp_flags::rst));
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::ConnectionReset));
  std::vector<std::uint8_t> buf(10);
  auto r = t.connection.receive(buf, t.now, t.out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::ConnectionReset);
}

TEST(TcpSecurity, RstInWindowGetsChallengeAck) {
  TcpScript t;
  t.establish_active();
  TcpRepr rst = t.peer_segment(tcp_flags::rst);
  rst.sequence = TcpScript::peer_iss + 100;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096});
}

TEST(TcpSecurity, ChallengeAcksAreRateLimited) {
  TcpScript t;
  t.establish_active();
  TcpRepr rst = t.peer_segment(tcp_flags::rst);
  rst.sequence = TcpScript::peer_iss + 100;
  const ExpectedSegment challenge{.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096};
  for (int i = 0; i < 25; ++i) t.receive(rst);
  for (int i = 0; i < 10; ++i) t.expect_segment(challenge);  // RFC 5961 7: at most 10 a second
  t.expect_nothing_sent();
  t.advance(Duration::seconds(1));
  t.receive(rst);
  t.expect_segment(challenge);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
}

TEST(TcpSecurity, RstOutsideWindowIsIgnoredSilently) {
  TcpScript t;
  t.establish_active();
  TcpRepr rst = t.peer_segment(tcp_flags::rst);
  rst.sequence = TcpScript::peer_iss + 100000;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  t.expect_nothing_sent();
}

TEST(TcpSecurity, SynInEstablishedGetsChallengeAck) {
  TcpScript t;
  t.establish_active();
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  t.receive(syn);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096});
}

TEST(TcpSecurity, AckFarBehindIsDropped) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(100)});
  TcpRepr old = t.peer_segment(tcp_flags::ack);
  old.acknowledgment = TcpScript::our_iss - 100000;
  t.receive(old, pattern(10));
  t.expect_segment({.seq = our_data + 100, .ack = peer_data, .flags = ack_flag, .window = 4096});
  EXPECT_EQ(t.connection.readable_bytes(), 0U);  // its data was not taken
}

// ---- Closing ----------------------------------------------------------------

TEST(TcpClose, ActiveCloseThroughTimeWait) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  EXPECT_EQ(t.connection.state(), TcpState::FinWait1);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  t.peer_ack = our_data + 1;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::FinWait2);
  t.expect_nothing_sent();
  t.receive_data({}, tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::TimeWait);
  // The FIN took a sequence number but no buffer space: the right edge
  // stays put (moving it by one byte is not useful, RFC 1122 4.2.3.3).
  t.expect_segment({.seq = our_data + 1, .ack = peer_data + 1, .flags = ack_flag, .window = 4095});
  const Instant entered = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - entered, Duration::seconds(120));  // 2 x CONFIG_LWIP_TCP_MSL
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_NE(t.connection.take_events() & tcp_events::closed, 0);
  EXPECT_FALSE(t.connection.error().has_value());
}

TEST(TcpClose, FinFollowsQueuedData) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(300), t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(300)});
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  // Nagle: the FIN completes the stream, so it may go with data in flight.
  t.expect_segment({.seq = our_data + 300, .ack = peer_data, .flags = fin_ack, .window = 4096});
  auto again = t.connection.send(pattern(1), t.now, t.out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), Error::NotConnected);
}

TEST(TcpClose, PassiveCloseThroughLastAck) {
  TcpScript t;
  t.establish_passive();
  t.receive_data(pattern(5), tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::CloseWait);
  // The ACK of the FIN waits for the application's close (delayed ACK), so
  // that our FIN carries it: one segment, not two.
  t.expect_nothing_sent();
  std::vector<std::uint8_t> buf(10);
  auto n = t.connection.receive(buf, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5U);
  auto eof = t.connection.receive(buf, t.now, t.out);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(*eof, 0U);
  t.expect_nothing_sent();  // reading freed 5 bytes: not worth a window update
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  EXPECT_EQ(t.connection.state(), TcpState::LastAck);
  // The right edge stays where the SYN-ACK put it (peer_data + 4096): the
  // FIN took a sequence number but no buffer space, which cannot move the
  // edge by a useful amount.
  t.expect_segment({.seq = our_data, .ack = peer_data + 6, .flags = fin_ack, .window = 4090});
  t.peer_ack = our_data + 1;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, FinIsAckedByTheDelayedAckTimerWhenTheApplicationDoesNotClose) {
  TcpScript t;
  t.establish_passive();
  t.receive_data({}, tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::CloseWait);
  t.expect_nothing_sent();
  const Instant fin_arrived = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - fin_arrived, TcpScript::plain_settings().delayed_ack_timeout);
  // The FIN's sequence number leaves the right edge where it was.
  t.expect_segment({.seq = our_data, .ack = peer_data + 1, .flags = ack_flag, .window = 4095});
  EXPECT_EQ(t.connection.state(), TcpState::CloseWait);
}

TEST(TcpClose, FinIsAckedAtOnceWithoutDelayedAck) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.delayed_ack = false;
  TcpScript t(settings);
  t.establish_passive();
  t.receive_data({}, tcp_flags::fin);
  t.expect_segment({.seq = our_data, .ack = peer_data + 1, .flags = ack_flag, .window = 4095});
}

TEST(TcpClose, SimultaneousCloseGoesThroughClosing) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  // The peer's FIN crosses ours: it does not acknowledge our FIN yet.
  t.receive_data({}, tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::Closing);
  t.expect_segment({.seq = our_data + 1, .ack = peer_data + 1, .flags = ack_flag, .window = 4095});
  t.peer_ack = our_data + 1;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::TimeWait);
}

TEST(TcpClose, RetransmittedFinInTimeWaitRestartsTheTimer) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  t.peer_ack = our_data + 1;
  t.receive_data({}, tcp_flags::fin);
  const ExpectedSegment last_ack{.seq = our_data + 1, .ack = peer_data + 1, .flags = ack_flag, .window = 4095};
  t.expect_segment(last_ack);
  ASSERT_EQ(t.connection.state(), TcpState::TimeWait);
  t.advance(Duration::seconds(100));
  t.peer_next -= 1;
  t.receive_data({}, tcp_flags::fin);
  t.expect_segment(last_ack);
  const Instant restarted = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - restarted, Duration::seconds(120));
}

TEST(TcpClose, RstDoesNotCutTimeWaitShort) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  t.peer_ack = our_data + 1;
  t.receive_data({}, tcp_flags::fin);
  t.expect_segment({.seq = our_data + 1, .ack = peer_data + 1, .flags = ack_flag, .window = 4095});
  t.receive(t.peer_segment(tcp_flags::rst));
  EXPECT_EQ(t.connection.state(), TcpState::TimeWait);
}

TEST(TcpClose, OrphanInFinWait2TimesOut) {
  TcpScript t;
  t.establish_active();
  t.connection.close(t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  t.peer_ack = our_data + 1;
  t.receive(t.peer_segment(tcp_flags::ack));
  ASSERT_EQ(t.connection.state(), TcpState::FinWait2);
  const Instant entered = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - entered, Duration::seconds(20));  // CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, ShutdownOnlyKeepsFinWait2Open) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  t.peer_ack = our_data + 1;
  t.receive(t.peer_segment(tcp_flags::ack));
  ASSERT_EQ(t.connection.state(), TcpState::FinWait2);
  EXPECT_EQ(t.connection.next_deadline(), Instant::max());
  // Half-close: the peer may still send.
  t.receive_data(pattern(50));
  EXPECT_EQ(t.connection.readable_bytes(), 50U);
  t.run_next_timer();  // the delayed ACK
  t.expect_segment({.seq = our_data + 1, .ack = peer_data + 50, .flags = ack_flag, .window = 4046});
}

TEST(TcpClose, CloseWithUnreadDataResets) {
  TcpScript t;
  t.establish_active();
  t.receive_data(pattern(10));
  t.connection.close(t.now, t.out);
  t.expect_segment({.seq = our_data, .flags = tcp_flags::rst});
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, DataToAnOrphanIsReset) {
  TcpScript t;
  t.establish_active();
  t.connection.close(t.now, t.out);
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = fin_ack, .window = 4096});
  t.receive_data(pattern(10));
  t.expect_segment({.seq = our_data + 1, .flags = tcp_flags::rst});
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, AbortSendsRst) {
  TcpScript t;
  t.establish_active();
  t.connection.abort(t.now, t.out);
  t.expect_segment({.seq = our_data, .flags = tcp_flags::rst});
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

// ---- Keepalive ----------------------------------------------------------------

TEST(TcpKeepalive, ProbesThenTimesOut) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.keepalive = true;
  settings.keepalive_idle = Duration::seconds(10);
  settings.keepalive_interval = Duration::seconds(2);
  settings.keepalive_count = 3;
  TcpScript t(settings);
  t.establish_active();
  const Instant idle_since = t.now;
  for (int i = 0; i < 3; ++i) {
    t.run_next_timer();
    EXPECT_EQ((t.now - idle_since).total_seconds(), 10 + 2 * i);
    // SND.UNA - 1: the peer must answer it.
    t.expect_segment({.seq = TcpScript::our_iss, .ack = peer_data, .flags = ack_flag, .window = 4096});
  }
  t.run_next_timer();
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  t.expect_segment({.seq = our_data, .flags = tcp_flags::rst});
}

TEST(TcpKeepalive, AnswerResetsTheCount) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.keepalive = true;
  settings.keepalive_idle = Duration::seconds(10);
  settings.keepalive_interval = Duration::seconds(2);
  settings.keepalive_count = 1;
  TcpScript t(settings);
  t.establish_active();
  const ExpectedSegment probe{.seq = TcpScript::our_iss, .ack = peer_data, .flags = ack_flag, .window = 4096};
  t.run_next_timer();
  t.expect_segment(probe);
  t.receive(t.peer_segment(tcp_flags::ack));  // the peer answers the probe
  const Instant answered = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - answered, Duration::seconds(10));
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  t.expect_segment(probe);
}

// ---- Timers and round-trip time ----------------------------------------------

// Plain settings with RFC 7323 timestamps: the peer offers them too.
TcpSettings timestamp_settings() {
  TcpSettings settings = TcpScript::plain_settings();
  settings.timestamps = true;
  return settings;
}

// CONFIG_LWIP_TCP_OOSEQ_TIMEOUT: data held behind a gap for that many RTOs
// is dropped, and the SACK block describing it goes with it.
TEST(TcpTimers, OutOfOrderDataIsDroppedAfterTheTimeout) {
  static_assert(config::tcp_ooseq_timeout_rtos == 6, "the times below assume ESP-IDF's default of 6 RTOs");
  TcpSettings settings = TcpScript::plain_settings();
  settings.sack_out = true;
  TcpScript t(settings);
  t.establish_active(1000, 8192, true);
  ASSERT_EQ(t.connection.retransmit_timeout(), Duration::millis(200));  // the handshake measured 0 ms
  t.peer_next = peer_data + 1000;
  t.receive_data(pattern(500, 2));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 4096,
                    .options = {.sack = {{peer_data + 1000, peer_data + 1500}}}});
  const Instant held_since = t.now;
  EXPECT_EQ(t.connection.next_deadline(), held_since + Duration::millis(6 * 200));
  t.advance(Duration::millis(6 * 200 - 1));
  t.connection.on_timer(t.now, t.out);  // one millisecond early: still held
  t.expect_nothing_sent();
  t.run_next_timer();
  EXPECT_EQ(t.now - held_since, Duration::millis(1200));
  t.expect_nothing_sent();  // dropping says nothing to the peer...
  EXPECT_EQ(t.connection.next_deadline(), Instant::max());
  // ...but the gap filling shows it: only the gap's bytes are acknowledged
  // (after the delayed-ACK time: in order, no hole any more), no SACK block.
  t.peer_next = peer_data;
  t.receive_data(pattern(1000, 1));
  t.expect_nothing_sent();
  t.run_next_timer();
  EXPECT_EQ(t.now - held_since, Duration::millis(1200 + 40));
  t.expect_segment({.seq = our_data, .ack = peer_data + 1000, .flags = ack_flag, .window = 3096});
  std::vector<std::uint8_t> got(4096);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, pattern(1000, 1));
}

// PAWS (RFC 7323 5.3 R1): a segment whose TSval is older than TS.Recent is
// an old duplicate: dropped, and answered with an ACK at once.
TEST(TcpTimers, PawsDropsASegmentWithAnOldTimestampAndAcks) {
  TcpScript t(timestamp_settings());
  t.establish_active();
  EXPECT_EQ(t.connection.send_mss(), 988U);  // 1000 less the 12 option bytes
  t.peer_ts = 700010;
  t.receive_data(pattern(100, 1));  // TS.Recent becomes 700010
  t.expect_nothing_sent();          // delayed ACK
  t.advance(Duration::millis(5));
  TcpRepr old = t.peer_segment(tcp_flags::ack);
  old.timestamp = TcpTimestamp{700009, 0};
  t.receive(old, pattern(100, 2));
  t.expect_segment({.seq = our_data, .ack = peer_data + 100, .flags = ack_flag, .window = 3996,
                    .options = {.timestamp = TcpTimestamp{t.our_timestamp(), 700010}}});
  EXPECT_EQ(t.connection.readable_bytes(), 100U);
  // The same bytes with a current timestamp are taken.
  t.peer_ts = 700020;
  t.receive_data(pattern(100, 2));
  EXPECT_EQ(t.connection.readable_bytes(), 200U);
  t.run_next_timer();
  EXPECT_EQ(t.connection.readable_bytes(), 200U);
  t.expect_segment({.seq = our_data, .ack = peer_data + 200, .flags = ack_flag, .window = 3896,
                    .options = {.timestamp = TcpTimestamp{t.our_timestamp(), 700020}}});
  std::vector<std::uint8_t> got(300);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, concat({pattern(100, 1), pattern(100, 2)}));
}

// Karn's algorithm (RFC 6298 3): without timestamps, the ACK of a segment
// sent more than once gives no RTT sample, and the backed-off RTO stays.
TEST(TcpTimers, KarnNoRttSampleFromARetransmittedSegment) {
  TcpScript t;
  t.establish_active();
  const auto& rtt = t.connection.rtt_estimator();
  ASSERT_EQ(rtt.smoothed_rtt(), Duration::zero());  // the handshake measured 0 ms
  ASSERT_EQ(t.connection.retransmit_timeout(), Duration::millis(200));
  const Instant sent = t.now;
  (void)t.connection.send(pattern(100), t.now, t.out);
  const ExpectedSegment data{.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(100)};
  t.expect_segment(data);
  t.run_next_timer();
  EXPECT_EQ(t.now - sent, Duration::millis(200));
  t.expect_segment(data);
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::millis(400));
  // The ACK comes 300 ms after the first transmission, 100 ms after the
  // second: which one it answers is unknown, so neither is a sample.
  t.advance(Duration::millis(100));
  t.peer_ack = our_data + 100;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::zero());
  EXPECT_EQ(rtt.rtt_variation(), Duration::zero());
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::millis(400));  // RFC 6298 5.7
  // New data, sent once, is timed again: 50 ms gives srtt 50/8, rttvar
  // 50/4, RTO 6.25 + 4 x 12.5 = 56.25 ms, raised to the 200 ms floor.
  (void)t.connection.send(pattern(100, 1), t.now, t.out);
  t.expect_segment({.seq = our_data + 100, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(100, 1)});
  t.advance(Duration::millis(50));
  t.peer_ack = our_data + 200;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(6250));
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros(12500));
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::millis(200));
}

// RFC 6298 2.5: the RTO may be capped, at no less than 60 s; back-off
// doubles up to the cap and stays there.
TEST(TcpTimers, RetransmitBackoffStopsAtSixtySeconds) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.max_retransmits = 12;
  TcpScript t(settings);
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  const ExpectedSegment data{.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(100)};
  t.expect_segment(data);
  // 0.2 s doubling: 0.2, 0.4, ..., 51.2 s, then 60 s for the rest.
  const std::int64_t intervals_ms[] = {200,   400,   800,   1600,  3200,  6400,
                                       12800, 25600, 51200, 60000, 60000, 60000};
  Instant last = t.now;
  for (std::int64_t interval : intervals_ms) {
    t.run_next_timer();
    EXPECT_EQ((t.now - last).total_millis(), interval);
    last = t.now;
    t.expect_segment(data);
    EXPECT_LE(t.connection.retransmit_timeout(), Duration::seconds(60));
  }
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::seconds(60));
  EXPECT_EQ(t.connection.retransmissions(), 12U);  // each once (they were counted twice)
  // The 13th timeout gives up.
  t.run_next_timer();
  EXPECT_EQ(t.now - last, Duration::seconds(60));
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  t.expect_segment({.seq = our_data + 100, .flags = tcp_flags::rst});
}

// RFC 7323 4.1: with timestamps every ACK of new data is a sample, RTT =
// now - TSecr; also the ACK of a retransmission (TSecr says which copy it
// answers), where Karn's rule would take none. RFC 6298 2.3 with alpha 1/8,
// beta 1/4; the clock counts microseconds, the TSval clock milliseconds.
TEST(TcpTimers, RttFromTimestampEchoes) {
  TcpSettings settings = timestamp_settings();
  settings.nodelay = true;
  TcpScript t(settings);
  t.establish_active();
  const auto& rtt = t.connection.rtt_estimator();
  // The SYN-ACK echoed the SYN's TSval at once: a 0 ms first sample.
  ASSERT_EQ(rtt.smoothed_rtt(), Duration::zero());
  ASSERT_EQ(t.connection.retransmit_timeout(), Duration::millis(200));
  const auto data_from_us = [&](std::uint32_t offset, std::uint8_t seed) {
    return ExpectedSegment{.seq = our_data + offset, .ack = peer_data, .flags = ack_psh, .window = 4096,
                           .options = {.timestamp = TcpTimestamp{t.our_timestamp(), t.peer_ts}},
                           .payload = pattern(100, seed)};
  };
  // 1: 400 ms. srtt 400/8 = 50 ms, rttvar 400/4 = 100 ms, RTO 50 + 400.
  (void)t.connection.send(pattern(100, 1), t.now, t.out);
  t.expect_segment(data_from_us(0, 1));
  t.peer_ts_echo = t.our_timestamp();
  t.advance(Duration::millis(400));
  t.peer_ts += 400;
  t.peer_ack = our_data + 100;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::millis(50));
  EXPECT_EQ(rtt.rtt_variation(), Duration::millis(100));
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::millis(450));
  // 2: 100 ms. rttvar (3 x 100 + |50 - 100|) / 4 = 87.5 ms, srtt
  // (7 x 50 + 100) / 8 = 56.25 ms, RTO 56.25 + 4 x 87.5 = 406.25 ms.
  (void)t.connection.send(pattern(100, 2), t.now, t.out);
  t.expect_segment(data_from_us(100, 2));
  t.peer_ts_echo = t.our_timestamp();
  t.advance(Duration::millis(100));
  t.peer_ts += 100;
  t.peer_ack = our_data + 200;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(56250));
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros(87500));
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::micros(406250));
  // 3: the segment times out, and the ACK echoes the retransmission's TSval
  // 50 ms later: a 50 ms sample. rttvar (3 x 87500 + 6250) / 4 = 67187 us,
  // srtt (7 x 56250 + 50000) / 8 = 55468 us (truncated to microseconds),
  // RTO 55468 + 4 x 67187 = 324216 us.
  (void)t.connection.send(pattern(100, 3), t.now, t.out);
  t.expect_segment(data_from_us(200, 3));
  const Instant first_sent = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - first_sent, Duration::micros(406250));
  t.expect_segment(data_from_us(200, 3));
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::micros(812500));
  t.peer_ts_echo = t.our_timestamp();
  t.advance(Duration::millis(50));
  t.peer_ts += 50;
  t.peer_ack = our_data + 300;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(rtt.smoothed_rtt(), Duration::micros(55468));
  EXPECT_EQ(rtt.rtt_variation(), Duration::micros(67187));
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::micros(324216));
}

}  // namespace
}  // namespace lwnet::tcp_connection_test
