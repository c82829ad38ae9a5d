// TCP segmentation offload as one connection sees it: with a limit from its
// output, new data leaves in packets of many MSS marked for the device to
// cut; retransmissions in SACK recovery and small writes stay one segment.
#include <gtest/gtest.h>

#include "support/tcp_script.h"
#include "wire/ip.h"

namespace lwnet::tcp_offload_test {
namespace {

using test::bytes_of;
using test::pattern;
using test::TcpScript;
using namespace test::script_values;


TEST(TcpOffload, NewDataLeavesInPacketsOfWholeSegments) {
  TcpScript t(TcpScript::plain_settings(), 65536, 4096);
  t.out.offload = 65535;
  t.establish_active(1000, 60000);
  const auto data = pattern(25000, 9);
  ASSERT_EQ(*t.connection.send(data, t.now, t.out), 25000U);
  // The initial congestion window (10 segments) goes out as one packet.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = tcp_flags::ack, .window = 4096,
                    .payload = slice(data, 0, 10000), .segment_size = 1000});
  t.expect_nothing_sent();
  // The ACK opens the window, and slow start (byte counting with L = 2
  // segments, RFC 3465) grows it to 12 segments: the next packet.
  t.peer_ack = our_data + 10000;
  t.receive(t.peer_segment(tcp_flags::ack));
  t.expect_segment({.seq = our_data + 10000, .ack = peer_data, .flags = tcp_flags::ack, .window = 4096,
                    .payload = slice(data, 10000, 12000), .segment_size = 1000});
  t.expect_nothing_sent();
}

TEST(TcpOffload, PacketStaysWithinTheLimitAndSmallSendsAreSingleSegments) {
  TcpScript t(TcpScript::plain_settings(), 65536, 4096);
  t.out.offload = 5000;  // room for 4 segments of 1000 after 80 bytes of headers
  t.establish_active(1000, 60000);
  ASSERT_TRUE(t.connection.send(pattern(500), t.now, t.out).ok());
  // One segment: nothing for the device to cut.
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_psh, .window = 4096, .payload = pattern(500)});
  t.peer_ack = our_data + 500;
  t.receive(t.peer_segment(tcp_flags::ack));
  const auto data = pattern(9000, 1);
  ASSERT_TRUE(t.connection.send(data, t.now, t.out).ok());
  t.expect_segment({.seq = our_data + 500, .ack = peer_data, .flags = tcp_flags::ack, .window = 4096,
                    .payload = slice(data, 0, 4000), .segment_size = 1000});
  t.expect_segment({.seq = our_data + 4500, .ack = peer_data, .flags = tcp_flags::ack, .window = 4096,
                    .payload = slice(data, 4000, 4000), .segment_size = 1000});
  // The rest: 1000 bytes, one segment.
  t.expect_segment({.seq = our_data + 8500, .ack = peer_data, .flags = ack_psh, .window = 4096,
                    .payload = slice(data, 8000, 1000)});
}

TEST(TcpOffload, WithoutALimitSegmentsAreOneMss) {
  TcpScript t(TcpScript::plain_settings(), 65536, 4096);
  t.establish_active(1000, 60000);
  const auto data = pattern(3000);
  ASSERT_TRUE(t.connection.send(data, t.now, t.out).ok());
  for (std::size_t i = 0; i < 3; ++i) {
    t.expect_segment({.seq = our_data + static_cast<std::uint32_t>(1000 * i), .ack = peer_data,
                      .flags = i == 2 ? ack_psh : tcp_flags::ack, .window = 4096, .payload = slice(data, 1000 * i, 1000)});
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
}  // namespace lwnet::tcp_offload_test
