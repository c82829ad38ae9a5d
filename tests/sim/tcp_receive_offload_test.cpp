// Receive offload between two whole stacks: A hands large TCP packets to
// its device whole (segmentation offload), and the "wire" carries them
// whole to B, described as Linux's TAP describes a GSO packet (virtio's net
// header: TCPv4, the MSS, the checksum left partial). B must take each as
// one segment, trusting the partial checksum, ACK it once, and receive
// every byte; a description that does not fit its frame is dropped and
// counted, and TCP recovers.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <vector>

#include "link/pipe.h"
#include "support/hosts.h"
#include "support/sim.h"
#include "util/checksum.h"

namespace lwnet::test::tcp_receive_offload_test {
namespace {

constexpr std::size_t kLargestFrame = 65535 + 14;

// What crossed the wire from A to B, in order: each frame's description.
using Descriptions = std::deque<ReceiveOffload>;

// A's side: large TCP packets go to the pipe whole, with their description.
class WholeSender final : public Device {
 public:
  WholeSender(Device& inner, Descriptions& wire) : inner_(inner), wire_(wire) {}
  DeviceCapabilities capabilities() const override {
    return {Medium::Ethernet, 1500, 65535, 0};
  }
  std::optional<std::size_t> receive(Bytes into, Instant now) override { return inner_.receive(into, now); }
  bool transmit(ConstBytes frame, Instant now) override {
    if (!inner_.transmit(frame, now)) return false;
    wire_.push_back(ReceiveOffload{});
    return true;
  }
  bool transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) override {
    if (!inner_.transmit(frame, now)) return false;
    ReceiveOffload described;
    described.gso = offload.ip_version == IpVersion::V6 ? ReceiveOffload::Gso::TcpV6 : ReceiveOffload::Gso::TcpV4;
    described.segment_size = offload.segment_size;
    described.header_length = offload.header_length;
    described.checksum_partial = true;
    described.checksum_start = offload.checksum_start;
    described.checksum_offset = offload.checksum_offset;
    wire_.push_back(described);
    ++super_frames;
    return true;
  }
  Instant next_deadline() const override { return inner_.next_deadline(); }
  const DeviceStats& stats() const override { return inner_.stats(); }

  std::size_t super_frames = 0;

 private:
  Device& inner_;
  Descriptions& wire_;
};

// B's side: a device with receive offload, like a TAP after TUNSETOFFLOAD.
class OffloadReceiver final : public Device {
 public:
  using Tamper = std::function<void(ReceiveOffload&, std::size_t super_frame_index)>;
  OffloadReceiver(Device& inner, Descriptions& wire) : inner_(inner), wire_(wire), scratch_(kLargestFrame) {}
  DeviceCapabilities capabilities() const override {
    DeviceCapabilities c{Medium::Ethernet, 1500, 0, kLargestFrame};
    return c;
  }
  std::optional<std::size_t> receive(Bytes, Instant) override {
    ADD_FAILURE() << "the stack asked a device with receive offload for a plain frame";
    return std::nullopt;
  }
  std::optional<std::size_t> receive_offloaded(Bytes into, ReceiveOffload& offload, Instant now) override {
    for (;;) {
      const std::optional<std::size_t> n = inner_.receive(scratch_, now);
      if (!n) return std::nullopt;
      offload = wire_.front();
      wire_.pop_front();
      if (offload.gso != ReceiveOffload::Gso::None) {
        largest_into = std::max(largest_into, into.size());
        if (tamper) tamper(offload, super_frames);
        ++super_frames;
      }
      if (*n > into.size()) {
        ++too_long;
        continue;
      }
      std::copy_n(scratch_.begin(), *n, into.begin());
      return n;
    }
  }
  bool transmit(ConstBytes frame, Instant now) override {
    ++sent;
    return inner_.transmit(frame, now);
  }
  Instant next_deadline() const override { return inner_.next_deadline(); }
  const DeviceStats& stats() const override { return inner_.stats(); }

  Tamper tamper;
  std::size_t super_frames = 0, too_long = 0, sent = 0, largest_into = 0;

 private:
  Device& inner_;
  Descriptions& wire_;
  ByteVector scratch_;
};

struct OffloadNet {
  PipePair pipe{PipeConfig{.latency = Duration::micros(100), .queue_capacity = 32, .mtu = kLargestFrame - 14}};
  Descriptions wire;
  WholeSender sender{pipe.a(), wire};
  OffloadReceiver receiver{pipe.b(), wire};
};

// Sends `size` bytes from A to B and closes; true when B read them all, in order.
bool transfer(StacksOn& net, const TcpPair& pair, std::size_t size, ByteVector& received) {
  const ByteVector data = pattern(size, 5);
  ByteVector chunk(65536);
  std::size_t sent = 0;
  bool shut = false;
  bool ended = false;
  const bool done = net.sim.run_until(
      [&] {
        while (sent < data.size()) {
          Result<std::size_t> r = net.a.tcp_send(pair.client, ConstBytes(data).subspan(sent), net.sim.now());
          if (!r) break;
          sent += *r;
        }
        if (sent == data.size() && !shut) shut = net.a.tcp_shutdown(pair.client, net.sim.now()).ok();
        while (true) {
          Result<std::size_t> r = net.b.tcp_receive(pair.server, chunk, net.sim.now());
          if (!r) break;
          if (*r == 0) {
            ended = true;
            break;
          }
          received.insert(received.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*r));
        }
        return ended;
      },
      Duration::seconds(600));
  return done && received == data;
}

void close_pair(StacksOn& net, const TcpPair& pair) {
  net.a.tcp_abort(pair.client, net.sim.now());
  net.b.tcp_abort(pair.server, net.sim.now());
  net.b.tcp_close(pair.listener, net.sim.now());
  net.sim.run_for(Duration::seconds(1));
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(TcpReceiveOffload, SuperFramesAreTakenWholeTrustedAndAckedOncePerFrame) {
  OffloadNet link;
  StacksOn net(link.sender, link.receiver);
  TcpSettings server;
  server.receive_buffer = config::tcp_wnd_max;
  const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001, Duration::seconds(10), &server);
  ASSERT_TRUE(pair.has_value());
  const std::size_t acks_before = link.receiver.sent;
  const Instant start = net.sim.now();
  ByteVector received;
  const std::size_t size = 3 * 1000 * 1000;
  ASSERT_TRUE(transfer(net, *pair, size, received)) << "received " << received.size();
  const StackStats stats = net.b.stats();
  EXPECT_GT(link.sender.super_frames, 0U);
  EXPECT_EQ(stats.ethernet.rx_super_frames, link.sender.super_frames);
  EXPECT_EQ(link.receiver.too_long, 0U);
  EXPECT_GE(link.receiver.largest_into, kLargestFrame);
  // Their checksums stayed partial: only trust let them through.
  EXPECT_EQ(stats.tcp.drop_bad_checksum, 0U);
  EXPECT_EQ(stats.ethernet.drop_bad_offload, 0U);
  // Each super-frame is ACKed at once, as the segments it holds would be:
  // no delayed ACK holds the sender up (0.1 s each), and never an ACK per MSS.
  EXPECT_LT(net.sim.now() - start, Duration::seconds(5));
  const std::size_t segments_of_mss = size / config::tcp_mss;
  const std::size_t acks = link.receiver.sent - acks_before;
  EXPECT_LT(acks, segments_of_mss) << acks << " ACKs for " << segments_of_mss << " segments' worth";
  close_pair(net, *pair);
}

// Each bad description: the frame is dropped and counted, and the sender's
// retransmission brings the bytes.
class TcpReceiveOffloadBad : public ::testing::TestWithParam<int> {};

TEST_P(TcpReceiveOffloadBad, BadDescriptionIsDroppedCountedAndRecovered) {
  OffloadNet link;
  const int kind = GetParam();
  link.receiver.tamper = [kind](ReceiveOffload& offload, std::size_t index) {
    if (index != 0) return;
    switch (kind) {
      case 0: offload.segment_size = 0; break;
      case 1: offload.header_length = 0xffff; break;
      case 2: offload.gso = ReceiveOffload::Gso::Unknown; break;
      default: offload.gso = ReceiveOffload::Gso::TcpV6; break;
    }
  };
  StacksOn net(link.sender, link.receiver);
  TcpSettings server;
  server.receive_buffer = config::tcp_wnd_max;
  const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001, Duration::seconds(10), &server);
  ASSERT_TRUE(pair.has_value());
  ByteVector received;
  ASSERT_TRUE(transfer(net, *pair, 500 * 1000, received)) << "received " << received.size();
  ASSERT_GT(link.receiver.super_frames, 1U);
  EXPECT_EQ(net.b.stats().ethernet.drop_bad_offload, 1U);
  EXPECT_EQ(net.b.stats().ethernet.rx_super_frames, link.receiver.super_frames - 1);
  close_pair(net, *pair);
}

INSTANTIATE_TEST_SUITE_P(Kinds, TcpReceiveOffloadBad, ::testing::Values(0, 1, 2, 3));

}  // namespace
}  // namespace lwnet::test::tcp_receive_offload_test
