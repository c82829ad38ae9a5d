// TCP segmentation offload as one connection sees it: with a limit from its
// output, new data leaves in packets of many MSS marked for the device to
// cut; retransmissions in SACK recovery and small writes stay one segment.
#include <gtest/gtest.h>

#include "support/tcp_script.h"
#include "wire/ip.h"

namespace lwnet {
namespace {

using test::pattern;
using test::TcpScript;

TEST(TcpOffload, NewDataLeavesInPacketsOfWholeSegments) {
  TcpScript t(TcpScript::plain_settings(), 65536, 4096);
  t.out.offload = 65535;
  t.establish_active(1000, 60000);
  const auto data = pattern(25000, 9);
  ASSERT_EQ(*t.connection.send(data, t.now, t.out), 25000U);
  // The initial congestion window (10 segments) goes out as one packet.
  auto burst = t.pop();
  EXPECT_TRUE(t.nothing_sent());
  EXPECT_EQ(burst.header.sequence, TcpScript::our_iss + 1);
  EXPECT_EQ(burst.payload.size(), 10000U);
  EXPECT_EQ(burst.segment_size, 1000U);
  EXPECT_EQ(burst.payload, std::vector<std::uint8_t>(data.begin(), data.begin() + 10000));
  // Each ACK opens the window and the next packet follows.
  t.peer_ack = TcpScript::our_iss + 10001;
  t.receive(t.peer_segment(tcp_flags::ack));
  auto next = t.pop();
  EXPECT_EQ(next.header.sequence, TcpScript::our_iss + 10001);
  EXPECT_EQ(next.payload.size() % 1000, 0U);
  EXPECT_GT(next.payload.size(), 10000U);  // slow start doubled the window
  EXPECT_EQ(next.segment_size, 1000U);
  EXPECT_EQ(next.payload, std::vector<std::uint8_t>(data.begin() + 10000,
                                                    data.begin() + 10000 + static_cast<std::ptrdiff_t>(next.payload.size())));
}

TEST(TcpOffload, PacketStaysWithinTheLimitAndSmallSendsAreSingleSegments) {
  TcpScript t(TcpScript::plain_settings(), 65536, 4096);
  t.out.offload = 5000;  // room for 4 segments of 1000 after 80 bytes of headers
  t.establish_active(1000, 60000);
  ASSERT_TRUE(t.connection.send(pattern(500), t.now, t.out).ok());
  auto small = t.pop();
  EXPECT_EQ(small.payload.size(), 500U);
  EXPECT_EQ(small.segment_size, 0U);  // one segment: nothing for the device to cut
  t.peer_ack = TcpScript::our_iss + 501;
  t.receive(t.peer_segment(tcp_flags::ack));
  ASSERT_TRUE(t.connection.send(pattern(9000), t.now, t.out).ok());
  auto first = t.pop();
  EXPECT_EQ(first.payload.size(), 4000U);
  EXPECT_EQ(first.segment_size, 1000U);
  auto second = t.pop();
  EXPECT_EQ(second.payload.size(), 4000U);
  auto third = t.pop();  // the rest: 1000 bytes, one segment
  EXPECT_EQ(third.payload.size(), 1000U);
  EXPECT_EQ(third.segment_size, 0U);
}

TEST(TcpOffload, WithoutALimitSegmentsAreOneMss) {
  TcpScript t(TcpScript::plain_settings(), 65536, 4096);
  t.establish_active(1000, 60000);
  ASSERT_TRUE(t.connection.send(pattern(3000), t.now, t.out).ok());
  for (int i = 0; i < 3; ++i) {
    auto s = t.pop();
    EXPECT_EQ(s.payload.size(), 1000U);
    EXPECT_EQ(s.segment_size, 0U);
  }
}

TEST(TcpOffload, EmitForOffloadLeavesThePseudoHeaderSumToComplete) {
  TcpRepr h;
  h.source_port = 49152;
  h.destination_port = 80;
  h.sequence = 1;
  h.acknowledgment = 2;
  h.flags = tcp_flags::ack | tcp_flags::psh;
  h.window = 1000;
  const IpAddress source(Ipv4Address::of(192, 0, 2, 1));
  const IpAddress destination(Ipv4Address::of(192, 0, 2, 2));
  const auto payload = pattern(3001, 4);
  std::vector<std::uint8_t> full(h.header_len() + payload.size());
  std::copy(payload.begin(), payload.end(), full.begin() + static_cast<std::ptrdiff_t>(h.header_len()));
  std::vector<std::uint8_t> partial = full;
  h.emit(full, source, destination);
  h.emit_for_offload(partial, source, destination);
  EXPECT_EQ(load_be16(partial, 16), pseudo_header_checksum(source, destination, IpProtocol::Tcp,
                                                           static_cast<std::uint32_t>(partial.size()))
                                        .folded());
  // The device sums everything from the TCP header on, the field included.
  store_be16(partial, 16, Checksum{}.add(partial).finish());
  EXPECT_EQ(partial, full);
}

}  // namespace
}  // namespace lwnet
