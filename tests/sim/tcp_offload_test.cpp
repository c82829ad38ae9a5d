// TCP segmentation offload between two whole stacks: A's device segments
// large TCP packets in software, the way Linux's TAP does with a virtio net
// header, and checks what the stack asked of it on the way. B sees only
// MTU-sized segments and must receive every byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "link/pipe.h"
#include "support/hosts.h"
#include "support/sim.h"
#include "support/status.h"
#include "util/checksum.h"
#include "wire/ip.h"
#include "wire/tcp.h"

namespace lwnet::test::tcp_offload_test {
namespace {

constexpr std::size_t ethernet_header = 14;
constexpr std::size_t ipv4_header = 20;  // lwnet sends no IP options

class SoftwareSegmenter final : public Device {
 public:
  explicit SoftwareSegmenter(Device& inner) : inner_(inner) {}

  DeviceCapabilities capabilities() const override {
    DeviceCapabilities c = inner_.capabilities();
    c.tcp_segmentation = 65535;
    return c;
  }
  std::optional<std::size_t> receive(Bytes into, Instant now) override { return inner_.receive(into, now); }
  bool transmit(ConstBytes frame, Instant now) override {
    largest_frame = std::max(largest_frame, frame.size());
    return inner_.transmit(frame, now);
  }
  Instant next_deadline() const override { return inner_.next_deadline(); }
  const DeviceStats& stats() const override { return inner_.stats(); }

  bool transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) override {
    ++packets;
    if (frame.size() <= 1514) ++packets_within_mtu;
    if (frame.size() < ethernet_header + ipv4_header + 20) {  // no room for the headers
      ++bad_requests;
      return false;
    }
    ByteVector packet(frame.begin(), frame.end());
    const std::size_t tcp_header = std::size_t{packet[ethernet_header + ipv4_header + 12]} / 16 * 4;
    const IpAddress source(Ipv4Address{load_be32(packet, ethernet_header + 12)});
    const IpAddress destination(Ipv4Address{load_be32(packet, ethernet_header + 16)});
    // What the stack promised: the fields of the virtio header, DF, the length.
    if (offload.checksum_start != ethernet_header + ipv4_header || offload.checksum_offset != 16 ||
        offload.header_length != ethernet_header + ipv4_header + tcp_header ||
        (packet[ethernet_header + 6] & 0x40) == 0 ||
        load_be16(packet, ethernet_header + 2) != packet.size() - ethernet_header ||
        packet.size() - offload.header_length <= offload.segment_size) {
      ++bad_requests;
    }
    // Completing the checksum from the pseudo-header sum in the field must
    // give the real checksum of the whole packet.
    const std::size_t field = offload.checksum_start + offload.checksum_offset;
    store_be16(packet, field, Checksum{}.add(ConstBytes(packet).subspan(offload.checksum_start)).finish());
    if (!TcpRepr::parse(ConstBytes(packet).subspan(offload.checksum_start), source, destination, true)) {
      ++bad_checksums;
    }
    // Cut it up as the kernel's GSO does: headers copied, sequence numbers
    // advanced, FIN and PSH only on the last piece, lengths and checksums redone.
    const ConstBytes payload = ConstBytes(packet).subspan(offload.header_length);
    const std::uint32_t first_sequence = load_be32(packet, offload.checksum_start + 4);
    for (std::size_t at = 0; at < payload.size(); at += offload.segment_size) {
      const std::size_t length = std::min<std::size_t>(offload.segment_size, payload.size() - at);
      const bool last = at + length == payload.size();
      ByteVector segment(packet.begin(), packet.begin() + offload.header_length);
      segment.insert(segment.end(), payload.begin() + static_cast<std::ptrdiff_t>(at),
                     payload.begin() + static_cast<std::ptrdiff_t>(at + length));
      const Bytes ip = Bytes(segment).subspan(ethernet_header, ipv4_header);
      store_be16(ip, 2, static_cast<std::uint16_t>(segment.size() - ethernet_header));
      store_be16(ip, 4, static_cast<std::uint16_t>(load_be16(ip, 4) + at / offload.segment_size));
      store_be16(ip, 10, 0);
      store_be16(ip, 10, internet_checksum(ip));
      const Bytes tcp = Bytes(segment).subspan(offload.checksum_start);
      store_be32(tcp, 4, first_sequence + static_cast<std::uint32_t>(at));
      if (!last) tcp[13] = static_cast<std::uint8_t>(tcp[13] & ~(tcp_flags::fin | tcp_flags::psh));
      store_be16(tcp, 16, 0);
      store_be16(tcp, 16, pseudo_header_checksum(source, destination, IpProtocol::Tcp,
                                                 static_cast<std::uint32_t>(tcp.size()))
                              .add(tcp)
                              .finish());
      ++segments;
      if (!transmit(segment, now)) return false;
    }
    return true;
  }

  std::size_t packets = 0, packets_within_mtu = 0, segments = 0, bad_requests = 0, bad_checksums = 0, largest_frame = 0;

 private:
  Device& inner_;
};

// The receiver's MSS: the default, and 536 with a window of two segments,
// so that packets of two segments fit one frame (they must still go to the
// device, which finishes their checksums).
class TcpOffload : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(TcpOffload, LargePacketsSegmentedByTheDeviceArriveIntact) {
  PipePair pipe;
  SoftwareSegmenter segmenter(pipe.a());
  StacksOn net(segmenter, pipe.b());
  Stack& a = net.a;
  Stack& b = net.b;
  Simulation& sim = net.sim;

  TcpSettings receiver;
  receiver.mss = GetParam();
  if (GetParam() == 536) receiver.receive_buffer = 2 * 536;
  const std::optional<TcpPair> opened = open_tcp_pair(sim, a, b, ip_b, 5001, Duration::seconds(10), &receiver);
  ASSERT_TRUE(opened.has_value());
  const TcpHandle listener = opened->listener;
  const TcpHandle client = opened->client;
  const TcpHandle server = opened->server;

  const ByteVector data = pattern(2 * 1000 * 1000, 5);
  ByteVector received;
  ByteVector chunk(16384);
  std::size_t sent = 0;
  bool shut = false;
  bool ended = false;
  ASSERT_TRUE(sim.run_until(
      [&] {
        while (sent < data.size()) {
          Result<std::size_t> r = a.tcp_send(client, ConstBytes(data).subspan(sent), sim.now());
          if (!r) break;
          sent += *r;
        }
        if (sent == data.size() && !shut) shut = a.tcp_shutdown(client, sim.now()).ok();
        while (true) {
          Result<std::size_t> r = b.tcp_receive(server, chunk, sim.now());
          if (!r) break;
          if (*r == 0) {
            ended = true;
            break;
          }
          received.insert(received.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*r));
        }
        return ended;
      },
      Duration::seconds(600)))
      << "received " << received.size() << ", packets " << segmenter.packets << ", segments "
      << segmenter.segments << ", bad " << segmenter.bad_requests << "/" << segmenter.bad_checksums
      << ", B dropped " << b.stats().tcp.drop_bad_checksum << " bad checksums, "
      << b.stats().ipv4.drop_malformed << " malformed";
  EXPECT_EQ(received, data);
  EXPECT_GT(segmenter.packets, 0U);
  EXPECT_GT(segmenter.segments, segmenter.packets);
  if (GetParam() == 536) {
    EXPECT_GT(segmenter.packets_within_mtu, 0U);
  }
  EXPECT_EQ(segmenter.bad_requests, 0U);
  std::printf("[ offload ] receiver MSS %u: %zu packets (%zu within one frame) cut into %zu segments\n",
              GetParam(), segmenter.packets, segmenter.packets_within_mtu, segmenter.segments);
  EXPECT_EQ(segmenter.bad_checksums, 0U);
  EXPECT_LE(segmenter.largest_frame, 1514U);  // the pipe saw MTU-sized frames only
  EXPECT_EQ(a.stats().ethernet.tx_segmented, segmenter.packets);
  EXPECT_EQ(b.stats().tcp.drop_bad_checksum, 0U);
  EXPECT_EQ(b.stats().tcp.drop_malformed, 0U);
  a.tcp_abort(client, sim.now());
  b.tcp_abort(server, sim.now());
  b.tcp_close(listener, sim.now());
  sim.run_for(Duration::seconds(1));
  EXPECT_EQ(a.pools().in_use(), 0U);
}

INSTANTIATE_TEST_SUITE_P(ReceiverMss, TcpOffload, ::testing::Values(config::tcp_mss, 536));

}  // namespace
}  // namespace lwnet::test::tcp_offload_test
