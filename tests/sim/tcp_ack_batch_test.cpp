// ACKs per input batch: the segments a device delivers in one poll are
// ACKed once, by the last ACK their arrival asked for (as Linux's GRO and
// NAPI batches do), while duplicate ACKs, which report a loss, all leave.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "support/hosts.h"
#include "support/sim.h"
#include "wire/ip.h"

namespace lwnet::test::tcp_ack_batch_test {
namespace {

constexpr std::size_t kTcpAt = 34;  // Ethernet + a 20-byte IPv4 header

struct Segment {
  std::uint32_t sequence = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::size_t payload = 0;
};

// TCP segments of the log sent by one end (0: A, 1: B).
std::vector<Segment> tcp_from(const FrameLog& log, int from) {
  std::vector<Segment> out;
  for (const FrameLog::Frame& f : log.frames()) {
    if (f.from != from || f.lost || frame_ethertype(f.bytes) != 0x0800 ||
        frame_ip_protocol(f.bytes) != static_cast<std::uint8_t>(IpProtocol::Tcp)) {
      continue;
    }
    const ConstBytes tcp = ConstBytes(f.bytes).subspan(kTcpAt);
    const std::size_t ip_length = load_be16(f.bytes, 16);
    out.push_back({load_be32(tcp, 4), load_be32(tcp, 8), tcp[13], ip_length - 20 - std::size_t{tcp[12]} / 16 * 4});
  }
  return out;
}

// A fills B's window (4 full segments) in one poll; B's stack takes all of
// them in its next poll.
struct WindowBurst {
  TwoHosts net;
  TcpPair pair{};
  std::vector<std::uint8_t> data = pattern(config::tcp_wnd_default, 3);

  // `filter` (FrameLog's) applies from the first data segment on.
  bool open_and_send(FrameLog::Filter filter = {}) {
    net.sim.run_for(Duration::seconds(1));  // ARP and gratuitous ARP settle
    const std::optional<TcpPair> opened = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001);
    if (!opened) return false;
    pair = *opened;
    net.log.clear();
    if (filter) net.log.set_filter(std::move(filter));
    const Result<std::size_t> sent = net.a.tcp_send(pair.client, data, net.sim.now());
    if (!sent || *sent != data.size()) return false;
    net.sim.settle();
    return true;
  }
};

TEST(TcpAckBatch, SegmentsOfOnePollAreAckedOnce) {
  WindowBurst burst;
  ASSERT_TRUE(burst.open_and_send());
  const std::vector<Segment> data = tcp_from(burst.net.log, 0);
  // Four full segments (the MSS less the timestamp option) and the rest.
  ASSERT_EQ(data.size(), 5U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(data[i].payload, data[0].payload);
  // Every second full segment asks for an ACK: two, of which the second
  // says all the first says. One leaves (the last, short segment waits for
  // the delayed ACK).
  const std::vector<Segment> acks = tcp_from(burst.net.log, 1);
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(acks[0].ack, data[4].sequence);
  EXPECT_EQ(acks[0].payload, 0U);
}

TEST(TcpAckBatch, DuplicateAcksAllLeave) {
  WindowBurst burst;
  // The first data segment is lost: the ones behind it arrive out of
  // order, each asking for an ACK of the same number.
  std::optional<std::uint32_t> lost;
  ASSERT_TRUE(burst.open_and_send([&](int from, ConstBytes frame) {
    const ByteVector bytes(frame.begin(), frame.end());
    if (from != 0 || lost || frame_ethertype(bytes) != 0x0800 ||
        frame_ip_protocol(bytes) != static_cast<std::uint8_t>(IpProtocol::Tcp) ||
        load_be16(bytes, 16) <= 40 + 12) {
      return true;
    }
    lost = load_be32(bytes, kTcpAt + 4);
    return false;
  }));
  ASSERT_TRUE(lost.has_value());
  // Four segments arrived behind the hole, in one poll: four duplicate
  // ACKs, so A retransmits at once (fast retransmit) and B ACKs it all.
  const std::vector<Segment> data = tcp_from(burst.net.log, 0);
  ASSERT_EQ(data.size(), 5U);
  EXPECT_EQ(data[4].sequence, *lost);
  const std::vector<Segment> acks = tcp_from(burst.net.log, 1);
  ASSERT_EQ(acks.size(), 5U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(acks[i].ack, *lost) << i;
  EXPECT_EQ(acks[4].ack, data[3].sequence + data[3].payload);
}

}  // namespace
}  // namespace lwnet::test::tcp_ack_batch_test
