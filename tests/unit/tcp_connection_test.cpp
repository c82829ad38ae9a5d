// RFC 9293 behaviour of one connection, segment by segment, in virtual time.
#include <gtest/gtest.h>

#include "support/tcp_script.h"

namespace lwnet {
namespace {

using test::pattern;
using test::TcpScript;

// ---- Opening ----------------------------------------------------------------

TEST(TcpOpen, ActiveSynCarriesOurOptions) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.timestamps = true;
  settings.window_scaling = true;
  TcpScript t(settings, 4096, 200000);
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  EXPECT_EQ(t.connection.state(), TcpState::SynSent);
  auto syn = t.pop();
  EXPECT_EQ(syn.header.flags, tcp_flags::syn);
  EXPECT_EQ(syn.header.sequence, TcpScript::our_iss);
  EXPECT_EQ(syn.header.source_port, TcpScript::our_port);
  EXPECT_EQ(syn.header.destination_port, TcpScript::peer_port);
  EXPECT_EQ(syn.header.mss, std::optional<std::uint16_t>(1460));
  EXPECT_TRUE(syn.header.sack_permitted);
  ASSERT_TRUE(syn.header.window_scale.has_value());
  EXPECT_EQ(*syn.header.window_scale, 2);  // 200000 >> 2 fits 16 bits
  EXPECT_EQ(syn.header.window, 0xffff);     // unscaled in a SYN
  ASSERT_TRUE(syn.header.timestamp.has_value());
  EXPECT_EQ(syn.header.timestamp->echo_reply, 0U);
  EXPECT_TRUE(syn.payload.empty());
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
  auto synack = t.pop();
  EXPECT_EQ(synack.header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(synack.header.sequence, TcpScript::our_iss);
  EXPECT_EQ(synack.header.acknowledgment, TcpScript::peer_iss + 1);
  EXPECT_EQ(synack.header.mss, std::optional<std::uint16_t>(1460));
  EXPECT_TRUE(synack.header.sack_permitted);
  EXPECT_FALSE(synack.header.window_scale.has_value());
  EXPECT_FALSE(synack.header.timestamp.has_value());
  EXPECT_EQ(t.connection.send_mss(), 1400U);
}

TEST(TcpOpen, SimultaneousOpen) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();  // our SYN
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  syn.mss = 1000;
  t.receive(syn);
  EXPECT_EQ(t.connection.state(), TcpState::SynReceived);
  auto synack = t.pop();
  EXPECT_EQ(synack.header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(synack.header.sequence, TcpScript::our_iss);
  EXPECT_EQ(synack.header.acknowledgment, TcpScript::peer_iss + 1);
  // The peer's SYN-ACK acknowledges our SYN.
  TcpRepr peer_synack = t.peer_segment(tcp_flags::syn | tcp_flags::ack);
  peer_synack.sequence = TcpScript::peer_iss;
  t.receive(peer_synack);
  // Its SYN is a duplicate now, but its ACK completes the handshake.
  t.peer_next = TcpScript::peer_iss + 1;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::Established);
}

TEST(TcpOpen, RstAnsweringSynIsConnectionRefused) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  TcpRepr rst = t.peer_segment(tcp_flags::rst | tcp_flags::ack);
  rst.sequence = 0;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::ConnectionRefused));
  EXPECT_TRUE(t.nothing_sent());
}

TEST(TcpOpen, RstWithWrongAckInSynSentIsIgnored) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  TcpRepr rst = t.peer_segment(tcp_flags::rst | tcp_flags::ack);
  rst.acknowledgment = TcpScript::our_iss + 7;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::SynSent);
}

TEST(TcpOpen, SynAckWithBadAckGetsReset) {
  TcpScript t;
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  TcpRepr synack = t.peer_segment(tcp_flags::syn | tcp_flags::ack);
  synack.sequence = TcpScript::peer_iss;
  synack.acknowledgment = TcpScript::our_iss + 100;
  t.receive(synack);
  auto rst = t.pop();
  EXPECT_EQ(rst.header.flags, tcp_flags::rst);
  EXPECT_EQ(rst.header.sequence, TcpScript::our_iss + 100);
  EXPECT_EQ(t.connection.state(), TcpState::SynSent);
}

TEST(TcpOpen, SynRetransmittedWithBackoffThenTimesOut) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.syn_max_retransmits = 3;
  TcpScript t(settings);
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  const Instant start = t.now;
  t.pop();
  // Initial RTO 1500 ms (CONFIG_LWIP_TCP_RTO_TIME with high-speed
  // retransmission), doubling: 1.5, 3, 6 s.
  const std::int64_t expected_ms[] = {1500, 4500, 10500};
  for (std::int64_t at : expected_ms) {
    t.run_next_timer();
    EXPECT_EQ((t.now - start).total_millis(), at);
    auto again = t.pop();
    EXPECT_EQ(again.header.flags, tcp_flags::syn);
    EXPECT_EQ(again.header.sequence, TcpScript::our_iss);
  }
  t.run_next_timer();
  EXPECT_EQ((t.now - start).total_millis(), 22500);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  EXPECT_TRUE(t.nothing_sent());  // no RST for a connection never synchronized
}

TEST(TcpOpen, LostSynAckIsResentWhenThePeerRepeatsItsSyn) {
  TcpScript t;
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  ASSERT_TRUE(t.connection.open_passive(t.local, t.remote, syn, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  t.receive(syn);
  auto again = t.pop();
  EXPECT_EQ(again.header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(again.header.sequence, TcpScript::our_iss);
  EXPECT_EQ(t.connection.state(), TcpState::SynReceived);
}

TEST(TcpOpen, BadAckInSynReceivedGetsReset) {
  TcpScript t;
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  syn.sequence = TcpScript::peer_iss;
  ASSERT_TRUE(t.connection.open_passive(t.local, t.remote, syn, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  t.peer_next = TcpScript::peer_iss + 1;
  TcpRepr ack = t.peer_segment(tcp_flags::ack);
  ack.acknowledgment = TcpScript::our_iss + 50;
  t.receive(ack);
  auto rst = t.pop();
  EXPECT_EQ(rst.header.flags, tcp_flags::rst);
  EXPECT_EQ(rst.header.sequence, TcpScript::our_iss + 50);
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
  // Initial congestion window is 10 segments: all of it goes out.
  auto s1 = t.pop();
  auto s2 = t.pop();
  auto s3 = t.pop();
  EXPECT_TRUE(t.nothing_sent());
  EXPECT_EQ(s1.header.sequence, TcpScript::our_iss + 1);
  EXPECT_EQ(s1.payload.size(), 1000U);
  EXPECT_EQ(s2.header.sequence, TcpScript::our_iss + 1001);
  EXPECT_EQ(s3.header.sequence, TcpScript::our_iss + 2001);
  EXPECT_EQ(s3.payload.size(), 500U);
  EXPECT_EQ(s3.header.flags, tcp_flags::ack | tcp_flags::psh);
  EXPECT_EQ(s1.header.flags, tcp_flags::ack);
  std::vector<std::uint8_t> joined = s1.payload;
  joined.insert(joined.end(), s2.payload.begin(), s2.payload.end());
  joined.insert(joined.end(), s3.payload.begin(), s3.payload.end());
  EXPECT_EQ(joined, data);
  EXPECT_EQ(t.connection.send_space(), 4096U - 2500U);
  t.peer_ack = TcpScript::our_iss + 2501;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.send_space(), 4096U);
  EXPECT_EQ(t.connection.next_deadline(), Instant::max());  // nothing outstanding
}

TEST(TcpSend, RespectsThePeersWindow) {
  TcpScript t;
  t.establish_active(1000, 1500);
  (void)t.connection.send(pattern(3000), t.now, t.out);
  auto s1 = t.pop();
  EXPECT_EQ(s1.payload.size(), 1000U);
  // 500 bytes of window left: sender SWS avoidance holds a sliver back
  // while data is in flight.
  EXPECT_TRUE(t.nothing_sent());
  t.peer_ack = TcpScript::our_iss + 1001;
  t.receive(t.peer_segment(tcp_flags::ack));
  auto s2 = t.pop();
  EXPECT_EQ(s2.header.sequence, TcpScript::our_iss + 1001);
  EXPECT_EQ(s2.payload.size(), 1000U);
}

TEST(TcpSend, NagleHoldsSmallSegmentsWhileDataIsInFlight) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(10), t.now, t.out);
  EXPECT_EQ(t.pop().payload.size(), 10U);
  (void)t.connection.send(pattern(10), t.now, t.out);
  (void)t.connection.send(pattern(10), t.now, t.out);
  EXPECT_TRUE(t.nothing_sent());
  t.peer_ack = TcpScript::our_iss + 11;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.pop().payload.size(), 20U);  // coalesced
}

TEST(TcpSend, NoDelaySendsEverySmallWrite) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.nodelay = true;
  TcpScript t(settings);
  t.establish_active();
  (void)t.connection.send(pattern(10), t.now, t.out);
  (void)t.connection.send(pattern(10), t.now, t.out);
  EXPECT_EQ(t.pop().payload.size(), 10U);
  EXPECT_EQ(t.pop().payload.size(), 10U);
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
}

TEST(TcpSend, RetransmitsAfterRtoWithBackoffThenGivesUp) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.max_retransmits = 3;
  TcpScript t(settings);
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  auto original = t.pop();
  Instant last = t.now;
  Duration expected = t.connection.retransmit_timeout();
  for (int i = 0; i < 3; ++i) {
    t.run_next_timer();
    EXPECT_EQ(t.now - last, expected) << "retransmission " << i;
    last = t.now;
    expected = expected * 2;
    auto again = t.pop();
    EXPECT_EQ(again.header.sequence, original.header.sequence);
    EXPECT_EQ(again.payload, original.payload);
  }
  t.run_next_timer();
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  auto rst = t.pop();
  EXPECT_EQ(rst.header.flags, tcp_flags::rst);
}

// Found by the lossy simulation: after a timeout pulls SND.NXT back, a pure
// ACK must still carry the highest sequence number sent, or a peer that
// already holds the data finds it below RCV.NXT and drops it (and its ACK).
TEST(TcpSend, PureAckAfterTimeoutCarriesHighestSequence) {
  TcpScript t;
  t.establish_active(1000, 8192);
  (void)t.connection.send(pattern(3000), t.now, t.out);
  for (int i = 0; i < 3; ++i) t.pop();
  t.run_next_timer();
  auto resent = t.pop();
  EXPECT_EQ(resent.header.sequence, TcpScript::our_iss + 1);
  t.receive_data(pattern(10), tcp_flags::psh);
  t.run_next_timer();  // delayed ACK
  auto ack = t.pop();
  EXPECT_TRUE(ack.payload.empty());
  EXPECT_EQ(ack.header.sequence, TcpScript::our_iss + 3001);
  EXPECT_EQ(ack.header.acknowledgment, TcpScript::peer_iss + 11);
}

TEST(TcpSend, RttSampleSetsRto) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  t.pop();
  t.advance(Duration::millis(100));
  t.peer_ack = TcpScript::our_iss + 101;
  t.receive(t.peer_segment(tcp_flags::ack));
  // The handshake measured 0 ms; a 100 ms sample then: srtt 12.5 ms,
  // rttvar 0.75*0 + 0.25*100 = 25 ms... the 200 ms floor applies.
  EXPECT_EQ(t.connection.retransmit_timeout(), Duration::millis(200));
}

TEST(TcpSend, FastRetransmitOnThirdDuplicateAck) {
  TcpScript t(TcpScript::plain_settings(), 8192, 4096);
  t.establish_active(1000, 8192);
  (void)t.connection.send(pattern(5000), t.now, t.out);
  for (int i = 0; i < 5; ++i) t.pop();
  // The first segment is lost; the peer ACKs SYN only, three times, as
  // segments 2..4 arrive.
  for (int i = 0; i < 2; ++i) {
    t.receive(t.peer_segment(tcp_flags::ack));
    EXPECT_TRUE(t.nothing_sent());
  }
  t.receive(t.peer_segment(tcp_flags::ack));
  auto resent = t.pop();
  EXPECT_EQ(resent.header.sequence, TcpScript::our_iss + 1);
  EXPECT_EQ(resent.payload.size(), 1000U);
  EXPECT_EQ(t.connection.retransmissions(), 1U);
  // Everything acknowledged: recovery ends. ssthresh is half the 5000-byte
  // flight; with nothing left in flight cwnd restarts at 2 segments (RFC
  // 6582 3.2 step 3, option 1) and slow start climbs back to 2500.
  t.peer_ack = TcpScript::our_iss + 5001;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.congestion_window(), 2000U);
}

TEST(TcpSend, PartialAckInRecoveryResendsTheNextHole) {
  TcpScript t(TcpScript::plain_settings(), 8192, 4096);
  t.establish_active(1000, 8192);
  (void)t.connection.send(pattern(5000), t.now, t.out);
  for (int i = 0; i < 5; ++i) t.pop();
  for (int i = 0; i < 3; ++i) t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.pop().header.sequence, TcpScript::our_iss + 1);
  // Segments 1 and 3 were lost: the ACK stops at 2001.
  t.peer_ack = TcpScript::our_iss + 2001;
  t.receive(t.peer_segment(tcp_flags::ack));
  auto hole = t.pop();
  EXPECT_EQ(hole.header.sequence, TcpScript::our_iss + 2001);
  EXPECT_EQ(hole.payload.size(), 1000U);
}

TEST(TcpSend, SackRecoveryResendsOnlyTheHole) {
  TcpScript t(TcpScript::plain_settings(), 8192, 4096);
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  TcpRepr synack = t.peer_segment(tcp_flags::syn | tcp_flags::ack);
  synack.sequence = TcpScript::peer_iss;
  synack.mss = 1000;
  synack.sack_permitted = true;
  t.receive(synack);
  t.pop();
  (void)t.connection.send(pattern(6000), t.now, t.out);
  for (int i = 0; i < 6; ++i) t.pop();
  // Segment 1 is lost; segments 2, 3, 4 arrive and are SACKed.
  const std::uint32_t base = TcpScript::our_iss + 1;
  for (std::uint32_t sacked = 1; sacked <= 3; ++sacked) {
    TcpRepr dup = t.peer_segment(tcp_flags::ack);
    dup.sack_count = 1;
    dup.sack_blocks[0] = {base + 1000, base + 1000 + 1000 * sacked};
    t.receive(dup);
    if (sacked < 3) {
      EXPECT_TRUE(t.nothing_sent()) << sacked;
    }
  }
  auto hole = t.pop();
  EXPECT_EQ(hole.header.sequence, base);
  EXPECT_EQ(hole.payload.size(), 1000U);
  const auto sent = pattern(6000);
  EXPECT_EQ(hole.payload, std::vector<std::uint8_t>(sent.begin(), sent.begin() + 1000));
  // Only the hole: segments the peer holds are not sent again.
  EXPECT_TRUE(t.nothing_sent());
  EXPECT_EQ(t.connection.congestion_window(), 3000U);  // half the 6000-byte flight
  EXPECT_EQ(t.connection.retransmissions(), 1U);
}

TEST(TcpSend, ZeroWindowIsProbedWithBackoff) {
  TcpScript t;
  t.establish_active(1000, 0);
  (void)t.connection.send(pattern(100), t.now, t.out);
  EXPECT_TRUE(t.nothing_sent());
  const Instant start = t.now;
  const Duration rto = t.connection.retransmit_timeout();
  t.run_next_timer();
  EXPECT_EQ(t.now - start, rto);
  auto probe = t.pop();
  EXPECT_EQ(probe.header.sequence, TcpScript::our_iss);  // SND.UNA - 1
  EXPECT_TRUE(probe.payload.empty());
  t.run_next_timer();
  EXPECT_EQ(t.now - start, rto * 3);  // the probe interval doubles
  t.pop();
  // The window opens: data goes at once, probing stops.
  t.peer_window = 4000;
  t.receive(t.peer_segment(tcp_flags::ack));
  auto data = t.pop();
  EXPECT_EQ(data.payload.size(), 100U);
}

TEST(TcpSend, AckForUnsentDataIsAnsweredAndIgnored) {
  TcpScript t;
  t.establish_active();
  t.peer_ack = TcpScript::our_iss + 500;
  t.receive(t.peer_segment(tcp_flags::ack));
  auto ack = t.pop();
  EXPECT_EQ(ack.header.flags, tcp_flags::ack);
  EXPECT_EQ(ack.header.sequence, TcpScript::our_iss + 1);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
}

// ---- Receiving --------------------------------------------------------------

TEST(TcpReceive, DelayedAckThenAckEverySecondFullSegment) {
  TcpScript t;
  t.establish_active();
  t.receive_data(pattern(1000));
  EXPECT_TRUE(t.nothing_sent());
  t.receive_data(pattern(1000, 3));
  auto ack = t.pop();
  EXPECT_EQ(ack.header.acknowledgment, TcpScript::peer_iss + 2001);
  // A single small segment is ACKed by the delayed-ACK timer (40 ms).
  t.receive_data(pattern(10));
  EXPECT_TRUE(t.nothing_sent());
  const Instant before = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - before, Duration::millis(40));
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 2011);
  std::vector<std::uint8_t> got(3000);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2010U);
  got.resize(2010);
  auto expected = pattern(1000);
  auto second = pattern(1000, 3);
  auto third = pattern(10);
  expected.insert(expected.end(), second.begin(), second.end());
  expected.insert(expected.end(), third.begin(), third.end());
  EXPECT_EQ(got, expected);
}

// A peer's full-sized segments lose payload to its options (timestamps,
// SACK blocks): 980 of an MSS of 1000 still counts as full.
TEST(TcpReceive, SegmentsShortenedByOptionsCountAsFull) {
  TcpScript t;
  t.establish_active(1000, 8192);
  t.receive_data(pattern(980));
  EXPECT_TRUE(t.nothing_sent());  // the first is held (delayed ACK)
  t.receive_data(pattern(980));
  auto ack = t.pop();
  EXPECT_EQ(ack.header.acknowledgment, TcpScript::peer_iss + 1961);
  // Well short of full: held again until the timer.
  t.receive_data(pattern(500));
  t.receive_data(pattern(500));
  EXPECT_TRUE(t.nothing_sent());
}

TEST(TcpReceive, WithoutDelayedAckEverySegmentIsAcked) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.delayed_ack = false;
  TcpScript t(settings);
  t.establish_active();
  t.receive_data(pattern(10));
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 11);
}

TEST(TcpReceive, OutOfOrderIsAckedAtOnceAndAssembled) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.sack_out = true;
  TcpScript t(settings);
  // The peer permits SACK.
  ASSERT_TRUE(t.connection.open_active(t.local, t.remote, Seq32(TcpScript::our_iss), 1460, t.now, t.out).ok());
  t.pop();
  TcpRepr synack = t.peer_segment(tcp_flags::syn | tcp_flags::ack);
  synack.sequence = TcpScript::peer_iss;
  synack.sack_permitted = true;
  t.receive(synack);
  t.pop();
  const auto data = pattern(3000);
  // Segment 2 and 3 arrive before segment 1.
  t.peer_next = TcpScript::peer_iss + 1001;
  t.receive_data(ConstBytes(data).subspan(1000, 1000));
  auto dup1 = t.pop();
  EXPECT_EQ(dup1.header.acknowledgment, TcpScript::peer_iss + 1);
  ASSERT_EQ(dup1.header.sack_count, 1);
  EXPECT_EQ(dup1.header.sack_blocks[0], (TcpSackBlock{TcpScript::peer_iss + 1001, TcpScript::peer_iss + 2001}));
  t.receive_data(ConstBytes(data).subspan(2000, 1000));
  auto dup2 = t.pop();
  ASSERT_EQ(dup2.header.sack_count, 1);
  EXPECT_EQ(dup2.header.sack_blocks[0], (TcpSackBlock{TcpScript::peer_iss + 1001, TcpScript::peer_iss + 3001}));
  EXPECT_EQ(t.connection.readable_bytes(), 0U);
  t.peer_next = TcpScript::peer_iss + 1;
  t.receive_data(ConstBytes(data).first(1000));
  auto full = t.pop();
  EXPECT_EQ(full.header.acknowledgment, TcpScript::peer_iss + 3001);
  EXPECT_EQ(full.header.sack_count, 0);
  std::vector<std::uint8_t> got(4000);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, data);
}

// SACK blocks ride in data segments too while we hold out-of-order data:
// they come out of the payload, so that no segment outgrows the MSS.
TEST(TcpSend, SackBlocksInDataSegmentsShortenThePayload) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.sack_out = true;
  settings.nodelay = true;
  TcpScript t(settings);
  t.establish_active(1000, 8192, true);
  t.peer_next = TcpScript::peer_iss + 1001;  // a hole of 1000 bytes before this
  t.receive_data(pattern(500));
  t.pop();  // the duplicate ACK with its SACK block
  const auto data = pattern(2000, 6);
  ASSERT_TRUE(t.connection.send(data, t.now, t.out).ok());
  std::vector<std::uint8_t> sent;
  while (!t.nothing_sent()) {
    auto s = t.pop();
    ASSERT_EQ(s.header.sack_count, 1);
    EXPECT_EQ(s.header.header_len(), 32U);  // 20 + SACK option (2 + 8, padded)
    EXPECT_LE(s.header.header_len() + s.payload.size(), 20U + 1000U);
    sent.insert(sent.end(), s.payload.begin(), s.payload.end());
  }
  EXPECT_EQ(sent, data);
}

TEST(TcpReceive, WindowShrinksAsDataQueuesAndUpdateIsSentWhenRead) {
  TcpScript t(TcpScript::plain_settings(), 4096, 4000);
  t.establish_active();
  t.receive_data(pattern(1000));
  t.receive_data(pattern(1000));
  auto ack = t.pop();
  EXPECT_EQ(ack.header.window, 2000);
  t.receive_data(pattern(1000));
  t.receive_data(pattern(1000));
  ack = t.pop();
  EXPECT_EQ(ack.header.window, 0);
  // Data beyond a zero window is dropped and answered with an ACK.
  t.receive(t.peer_segment(tcp_flags::ack), pattern(100));
  ack = t.pop();
  EXPECT_EQ(ack.header.acknowledgment, TcpScript::peer_iss + 4001);
  EXPECT_EQ(ack.header.window, 0);
  std::vector<std::uint8_t> sink(4000);
  ASSERT_TRUE(t.connection.receive(sink, t.now, t.out).ok());
  auto update = t.pop();
  EXPECT_EQ(update.header.window, 4000);
  EXPECT_EQ(update.header.acknowledgment, TcpScript::peer_iss + 4001);
}

TEST(TcpReceive, FinBehindAGapCountsOnceTheGapFills) {
  TcpScript t;
  t.establish_active();
  // The last segment, with FIN, arrives before the first.
  t.peer_next = TcpScript::peer_iss + 101;
  t.receive_data(pattern(50, 2), tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 1);  // duplicate ACK
  t.peer_next = TcpScript::peer_iss + 1;
  t.receive_data(pattern(100, 1));
  EXPECT_EQ(t.connection.state(), TcpState::CloseWait);
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 152);  // data + FIN
  std::vector<std::uint8_t> got(200);
  auto n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 150U);
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
  t.pop();
  t.peer_next = TcpScript::peer_iss + 1;
  t.receive_data(pattern(100));
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 101);
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
  auto challenge = t.pop();
  EXPECT_EQ(challenge.header.flags, tcp_flags::ack);
  EXPECT_EQ(challenge.header.acknowledgment, TcpScript::peer_iss + 1);
}

TEST(TcpSecurity, ChallengeAcksAreRateLimited) {
  TcpScript t;
  t.establish_active();
  TcpRepr rst = t.peer_segment(tcp_flags::rst);
  rst.sequence = TcpScript::peer_iss + 100;
  for (int i = 0; i < 25; ++i) t.receive(rst);
  EXPECT_EQ(t.out.sent.size(), 10U);  // RFC 5961 7: at most 10 a second
  t.out.sent.clear();
  t.advance(Duration::seconds(1));
  t.receive(rst);
  EXPECT_EQ(t.out.sent.size(), 1U);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
}

TEST(TcpSecurity, RstOutsideWindowIsIgnoredSilently) {
  TcpScript t;
  t.establish_active();
  TcpRepr rst = t.peer_segment(tcp_flags::rst);
  rst.sequence = TcpScript::peer_iss + 100000;
  t.receive(rst);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  EXPECT_TRUE(t.nothing_sent());
}

TEST(TcpSecurity, SynInEstablishedGetsChallengeAck) {
  TcpScript t;
  t.establish_active();
  TcpRepr syn = t.peer_segment(tcp_flags::syn);
  t.receive(syn);
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  auto challenge = t.pop();
  EXPECT_EQ(challenge.header.flags, tcp_flags::ack);
}

TEST(TcpSecurity, AckFarBehindIsDropped) {
  TcpScript t;
  t.establish_active();
  (void)t.connection.send(pattern(100), t.now, t.out);
  t.pop();
  TcpRepr old = t.peer_segment(tcp_flags::ack);
  old.acknowledgment = TcpScript::our_iss - 100000;
  t.receive(old, pattern(10));
  EXPECT_EQ(t.pop().header.flags, tcp_flags::ack);
  EXPECT_EQ(t.connection.readable_bytes(), 0U);  // its data was not taken
}

// ---- Closing ----------------------------------------------------------------

TEST(TcpClose, ActiveCloseThroughTimeWait) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  EXPECT_EQ(t.connection.state(), TcpState::FinWait1);
  auto fin = t.pop();
  EXPECT_EQ(fin.header.flags, tcp_flags::fin | tcp_flags::ack);
  EXPECT_EQ(fin.header.sequence, TcpScript::our_iss + 1);
  t.peer_ack = TcpScript::our_iss + 2;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::FinWait2);
  t.receive_data({}, tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::TimeWait);
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 2);
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
  t.pop();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  // Nagle: the FIN completes the stream, so it may go with data in flight.
  auto fin = t.pop();
  EXPECT_EQ(fin.header.flags, tcp_flags::fin | tcp_flags::ack);
  EXPECT_EQ(fin.header.sequence, TcpScript::our_iss + 301);
  auto again = t.connection.send(pattern(1), t.now, t.out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), Error::NotConnected);
}

TEST(TcpClose, PassiveCloseThroughLastAck) {
  TcpScript t;
  t.establish_passive();
  t.receive_data(pattern(5), tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::CloseWait);
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 7);
  std::vector<std::uint8_t> buf(10);
  auto n = t.connection.receive(buf, t.now, t.out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5U);
  auto eof = t.connection.receive(buf, t.now, t.out);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(*eof, 0U);
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  EXPECT_EQ(t.connection.state(), TcpState::LastAck);
  EXPECT_EQ(t.pop().header.flags, tcp_flags::fin | tcp_flags::ack);
  t.peer_ack = TcpScript::our_iss + 2;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, SimultaneousCloseGoesThroughClosing) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.pop();
  // The peer's FIN crosses ours: it does not acknowledge our FIN yet.
  t.receive_data({}, tcp_flags::fin);
  EXPECT_EQ(t.connection.state(), TcpState::Closing);
  t.pop();
  t.peer_ack = TcpScript::our_iss + 2;
  t.receive(t.peer_segment(tcp_flags::ack));
  EXPECT_EQ(t.connection.state(), TcpState::TimeWait);
}

TEST(TcpClose, RetransmittedFinInTimeWaitRestartsTheTimer) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.pop();
  t.peer_ack = TcpScript::our_iss + 2;
  t.receive_data({}, tcp_flags::fin);
  t.pop();
  ASSERT_EQ(t.connection.state(), TcpState::TimeWait);
  t.advance(Duration::seconds(100));
  t.peer_next -= 1;
  t.receive_data({}, tcp_flags::fin);
  EXPECT_EQ(t.pop().header.acknowledgment, TcpScript::peer_iss + 2);
  const Instant restarted = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - restarted, Duration::seconds(120));
}

TEST(TcpClose, RstDoesNotCutTimeWaitShort) {
  TcpScript t;
  t.establish_active();
  ASSERT_TRUE(t.connection.shutdown_send(t.now, t.out).ok());
  t.pop();
  t.peer_ack = TcpScript::our_iss + 2;
  t.receive_data({}, tcp_flags::fin);
  t.pop();
  t.receive(t.peer_segment(tcp_flags::rst));
  EXPECT_EQ(t.connection.state(), TcpState::TimeWait);
}

TEST(TcpClose, OrphanInFinWait2TimesOut) {
  TcpScript t;
  t.establish_active();
  t.connection.close(t.now, t.out);
  t.pop();
  t.peer_ack = TcpScript::our_iss + 2;
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
  t.pop();
  t.peer_ack = TcpScript::our_iss + 2;
  t.receive(t.peer_segment(tcp_flags::ack));
  ASSERT_EQ(t.connection.state(), TcpState::FinWait2);
  EXPECT_EQ(t.connection.next_deadline(), Instant::max());
  // Half-close: the peer may still send.
  t.receive_data(pattern(50));
  EXPECT_EQ(t.connection.readable_bytes(), 50U);
}

TEST(TcpClose, CloseWithUnreadDataResets) {
  TcpScript t;
  t.establish_active();
  t.receive_data(pattern(10));
  t.connection.close(t.now, t.out);
  auto rst = t.pop();
  EXPECT_EQ(rst.header.flags, tcp_flags::rst);
  EXPECT_EQ(rst.header.sequence, TcpScript::our_iss + 1);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, DataToAnOrphanIsReset) {
  TcpScript t;
  t.establish_active();
  t.connection.close(t.now, t.out);
  t.pop();  // FIN
  t.receive_data(pattern(10));
  auto rst = t.pop();
  EXPECT_EQ(rst.header.flags, tcp_flags::rst);
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
}

TEST(TcpClose, AbortSendsRst) {
  TcpScript t;
  t.establish_active();
  t.connection.abort(t.now, t.out);
  auto rst = t.pop();
  EXPECT_EQ(rst.header.flags, tcp_flags::rst);
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
    auto probe = t.pop();
    EXPECT_EQ(probe.header.sequence, TcpScript::our_iss);  // SND.UNA - 1
    EXPECT_TRUE(probe.payload.empty());
  }
  t.run_next_timer();
  EXPECT_EQ(t.connection.state(), TcpState::Closed);
  EXPECT_EQ(t.connection.error(), std::optional<Error>(Error::TimedOut));
  EXPECT_EQ(t.pop().header.flags, tcp_flags::rst);
}

TEST(TcpKeepalive, AnswerResetsTheCount) {
  TcpSettings settings = TcpScript::plain_settings();
  settings.keepalive = true;
  settings.keepalive_idle = Duration::seconds(10);
  settings.keepalive_interval = Duration::seconds(2);
  settings.keepalive_count = 1;
  TcpScript t(settings);
  t.establish_active();
  t.run_next_timer();
  t.pop();
  t.receive(t.peer_segment(tcp_flags::ack));  // the peer answers the probe
  const Instant answered = t.now;
  t.run_next_timer();
  EXPECT_EQ(t.now - answered, Duration::seconds(10));
  EXPECT_EQ(t.connection.state(), TcpState::Established);
  t.pop();
}

}  // namespace
}  // namespace lwnet
