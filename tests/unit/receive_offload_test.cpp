// Receive offload: what a device says of a frame (virtio's net header) is
// checked against the frame (link/receive_offload.h), and TCP takes a
// super-frame, many segments behind one header, as one segment.
#include <gtest/gtest.h>

#include "link/receive_offload.h"
#include "support/frames.h"
#include "support/tcp_script.h"
#include "util/checksum.h"
#include "wire/ip.h"

namespace lwnet::receive_offload_test {
namespace {

using test::ByteVector;
using test::pattern;
using test::TcpScript;
using namespace test::script_values;

constexpr MacAddress kKernelMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
constexpr MacAddress kLwnetMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
constexpr Ipv4Address kKernelIp = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address kLwnetIp = Ipv4Address::of(192, 0, 2, 2);
constexpr std::size_t kIpAt = 14;
constexpr std::size_t kTransportAt = 34;

ByteVector ipv4_frame(IpProtocol protocol, ConstBytes transport) {
  Ipv4Repr ip;
  ip.source = kKernelIp;
  ip.destination = kLwnetIp;
  ip.protocol = static_cast<std::uint8_t>(protocol);
  return test::ethernet_frame(kLwnetMac, kKernelMac, 0x0800, test::ipv4_packet(ip, transport));
}

// A UDP datagram as the host's stack hands it to a device with checksum
// offload: the checksum field holds the pseudo-header sum only.
struct PartialUdp {
  ByteVector complete;  // the frame with its real checksum
  ByteVector partial;
  ReceiveOffload offload;
};
PartialUdp partial_udp(std::size_t payload_size) {
  PartialUdp p;
  p.complete = ipv4_frame(IpProtocol::Udp, test::udp_datagram(kKernelIp, kLwnetIp, 40000, 7, pattern(payload_size, 3)));
  p.partial = p.complete;
  const auto length = static_cast<std::uint32_t>(p.partial.size() - kTransportAt);
  store_be16(p.partial, kTransportAt + 6,
             pseudo_header_checksum(IpAddress(kKernelIp), IpAddress(kLwnetIp), IpProtocol::Udp, length).folded());
  p.offload.checksum_partial = true;
  p.offload.checksum_start = kTransportAt;
  p.offload.checksum_offset = 6;
  return p;
}

// A TCP super-frame as Linux hands it to a TAP with TSO: one header, the
// payload of many segments, the checksum left partial.
struct SuperFrame {
  ByteVector frame;
  ReceiveOffload offload;
};
SuperFrame tcp_super_frame(std::size_t payload_size) {
  TcpRepr h;
  h.source_port = 40000;
  h.destination_port = 5001;
  h.sequence = 1;
  h.acknowledgment = 1;
  h.flags = tcp_flags::ack;
  h.window = 1000;
  const ByteVector payload = pattern(payload_size, 5);
  ByteVector segment(h.header_len() + payload.size());
  std::copy(payload.begin(), payload.end(), segment.begin() + static_cast<std::ptrdiff_t>(h.header_len()));
  h.emit_for_offload(segment, IpAddress(kKernelIp), IpAddress(kLwnetIp));
  SuperFrame s;
  s.frame = ipv4_frame(IpProtocol::Tcp, segment);
  s.offload.gso = ReceiveOffload::Gso::TcpV4;
  s.offload.segment_size = 1448;
  s.offload.header_length = static_cast<std::uint16_t>(kTransportAt + h.header_len());
  s.offload.checksum_partial = true;
  s.offload.checksum_start = kTransportAt;
  s.offload.checksum_offset = 16;
  return s;
}

TEST(ReceiveOffloadCheck, PlainFrameIsLeftToTheTransport) {
  ByteVector frame = partial_udp(100).complete;
  const ByteVector before = frame;
  EXPECT_EQ(check_receive_offload(frame, Medium::Ethernet, ReceiveOffload{}), OffloadVerdict::Plain);
  EXPECT_EQ(frame, before);
}

TEST(ReceiveOffloadCheck, DataValidIsTrusted) {
  ByteVector frame = partial_udp(100).complete;
  ReceiveOffload offload;
  offload.checksum_valid = true;
  EXPECT_EQ(check_receive_offload(frame, Medium::Ethernet, offload), OffloadVerdict::Trusted);
}

TEST(ReceiveOffloadCheck, PartialChecksumOfAPlainFrameIsCompletedInPlace) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{1471}}) {
    PartialUdp p = partial_udp(size);
    ASSERT_NE(p.partial, p.complete);
    EXPECT_EQ(check_receive_offload(p.partial, Medium::Ethernet, p.offload), OffloadVerdict::Trusted);
    EXPECT_EQ(p.partial, p.complete) << "payload " << size;
  }
}

TEST(ReceiveOffloadCheck, PartialChecksumOnABareIpPacket) {
  PartialUdp p = partial_udp(10);
  ByteVector packet(p.partial.begin() + kIpAt, p.partial.end());
  p.offload.checksum_start = kTransportAt - kIpAt;
  EXPECT_EQ(check_receive_offload(packet, Medium::Ip, p.offload), OffloadVerdict::Trusted);
  EXPECT_EQ(packet, ByteVector(p.complete.begin() + kIpAt, p.complete.end()));
}

TEST(ReceiveOffloadCheck, ChecksumFieldOutsideTheFrameIsBad) {
  PartialUdp p = partial_udp(10);
  p.offload.checksum_start = static_cast<std::uint16_t>(p.partial.size() - 1);
  p.offload.checksum_offset = 0;
  EXPECT_EQ(check_receive_offload(p.partial, Medium::Ethernet, p.offload), OffloadVerdict::Bad);
  p.offload.checksum_start = kTransportAt;
  p.offload.checksum_offset = 0xffff;
  EXPECT_EQ(check_receive_offload(p.partial, Medium::Ethernet, p.offload), OffloadVerdict::Bad);
}

TEST(ReceiveOffloadCheck, SuperFrameIsTrustedAndItsChecksumLeftPartial) {
  SuperFrame s = tcp_super_frame(60000);
  const ByteVector before = s.frame;
  EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Trusted);
  EXPECT_EQ(s.frame, before);  // 60 KB not summed again
  s.offload.checksum_partial = false;  // a header that vouches for nothing
  EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Plain);
}

TEST(ReceiveOffloadCheck, BadSuperFrameDescriptionsAreRefused) {
  {
    SuperFrame s = tcp_super_frame(5000);
    s.offload.segment_size = 0;
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
  {
    SuperFrame s = tcp_super_frame(5000);
    s.offload.header_length = static_cast<std::uint16_t>(s.frame.size() + 1);
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
  {
    SuperFrame s = tcp_super_frame(5000);
    s.offload.gso = ReceiveOffload::Gso::Unknown;  // UDP segmentation, never asked for
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
  {
    SuperFrame s = tcp_super_frame(5000);
    s.offload.gso = ReceiveOffload::Gso::TcpV6;  // says IPv6, holds IPv4
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
  {
    SuperFrame s = tcp_super_frame(5000);
    s.frame[kIpAt + 9] = static_cast<std::uint8_t>(IpProtocol::Udp);  // TCP segmentation of UDP
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
  {
    SuperFrame s = tcp_super_frame(5000);
    s.offload.checksum_offset = 0xfff0;
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
  {
    SuperFrame s = tcp_super_frame(5000);
    s.frame.resize(20);  // shorter than its headers
    s.offload.header_length = 20;
    EXPECT_EQ(check_receive_offload(s.frame, Medium::Ethernet, s.offload), OffloadVerdict::Bad);
  }
}

// ---- TCP: a super-frame is one segment -------------------------------------

TEST(TcpSuperSegment, SixtyFourKilobytesAreTakenWholeAndAckedOnce) {
  TcpScript t(TcpScript::plain_settings(), 4096, 65535);
  t.establish_active();  // the peer's MSS: 1000
  const ByteVector data = pattern(64000, 7);
  t.receive_data(data);
  // 64 segments' worth: ACKed at once (RFC 5681's every second full-sized
  // segment), in one ACK, as Linux's GRO would.
  t.expect_segment({.seq = our_data, .ack = peer_data + 64000, .flags = ack_flag, .window = 1535});
  t.expect_nothing_sent();
  EXPECT_EQ(t.connection.readable_bytes(), 64000U);
  ByteVector got(65535);
  const Result<std::size_t> n = t.connection.receive(got, t.now, t.out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, data);
  t.expect_segment({.seq = our_data, .ack = peer_data + 64000, .flags = ack_flag, .window = 65535});
}

TEST(TcpSuperSegment, OneFullSegmentStillWaitsForTheDelayedAck) {
  TcpScript t(TcpScript::plain_settings(), 4096, 65535);
  t.establish_active();
  t.receive_data(pattern(1000, 1));
  t.expect_nothing_sent();
  t.receive_data(pattern(1999, 2));  // one more full segment, and a bit
  t.expect_segment({.seq = our_data, .ack = peer_data + 2999, .flags = ack_flag, .window = 65535 - 2999});
}

TEST(TcpSuperSegment, StraddlingTheWindowEdgeIsTrimmedAndTheRestTakenLater) {
  TcpScript t(TcpScript::plain_settings(), 4096, 20000);
  t.establish_active();
  const ByteVector data = pattern(30000, 9);
  t.receive_data(data);
  // What fits is kept, the rest dropped; the ACK says so at once.
  t.expect_segment({.seq = our_data, .ack = peer_data + 20000, .flags = ack_flag, .window = 0});
  t.expect_nothing_sent();
  ByteVector got(20000);
  ASSERT_EQ(*t.connection.receive(got, t.now, t.out), 20000U);
  EXPECT_EQ(got, slice(data, 0, 20000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 20000, .flags = ack_flag, .window = 20000});
  // The peer sends the rest again (overlapping what we have).
  t.peer_next = peer_data + 15000;
  t.receive_data(slice(data, 15000, 15000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 30000, .flags = ack_flag, .window = 10000});
  ASSERT_EQ(*t.connection.receive(got, t.now, t.out), 10000U);
  EXPECT_EQ(slice(got, 0, 10000), slice(data, 20000, 10000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 30000, .flags = ack_flag, .window = 20000});
}

TEST(TcpSuperSegment, OutOfOrderSuperSegmentIsQueuedAndFilledWhole) {
  TcpScript t(TcpScript::plain_settings(), 4096, 65535);
  t.establish_active();
  const ByteVector data = pattern(50000, 4);
  t.peer_next = peer_data + 10000;
  t.receive_data(slice(data, 10000, 40000));
  t.expect_segment({.seq = our_data, .ack = peer_data, .flags = ack_flag, .window = 65535});  // duplicate ACK
  t.peer_next = peer_data;
  t.receive_data(slice(data, 0, 10000));
  t.expect_segment({.seq = our_data, .ack = peer_data + 50000, .flags = ack_flag, .window = 65535 - 50000});
  ByteVector got(65535);
  ASSERT_EQ(*t.connection.receive(got, t.now, t.out), 50000U);
  got.resize(50000);
  EXPECT_EQ(got, data);
  t.expect_segment({.seq = our_data, .ack = peer_data + 50000, .flags = ack_flag, .window = 65535});
}

}  // namespace
}  // namespace lwnet::receive_offload_test
