// ICMP echo between stacks: exact payloads both ways, TTL, broadcast pings,
// loopback, and big pings that need fragmentation.
#include <gtest/gtest.h>

#include <array>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/checksum.h"
#include "wire/icmpv4.h"

namespace lwnet::test::ping_test {
namespace {

TEST(PingSim, EchoBothWaysCarriesTheExactPayload) {
  TwoHosts net;
  net.sim.settle();
  PingHandle pa = *net.a.ping_open(0x1234);
  PingHandle pb = *net.b.ping_open(0x4321);
  const ByteVector payload_a = pattern(56);
  const ByteVector payload_b = pattern(100, 7);
  ASSERT_OK(net.a.ping_send(pa, ip_b, 1, payload_a, 0, net.sim.now()));
  ASSERT_OK(net.b.ping_send(pb, ip_a, 9, payload_b, 0, net.sim.now()));
  net.sim.settle();

  std::array<std::uint8_t, 256> buf{};
  Result<EchoReply> ra = net.a.ping_receive(pa, buf);
  ASSERT_OK(ra);
  EXPECT_EQ(ra->from, IpAddress(ip_b));
  EXPECT_EQ(ra->sequence, 1);
  EXPECT_EQ(ra->ttl, config::ip_default_ttl);
  ASSERT_EQ(ra->size, payload_a.size());
  EXPECT_EQ(ra->copied, payload_a.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 56), payload_a);

  Result<EchoReply> rb = net.b.ping_receive(pb, buf);
  ASSERT_OK(rb);
  EXPECT_EQ(rb->from, IpAddress(ip_a));
  EXPECT_EQ(rb->sequence, 9);
  ASSERT_EQ(rb->size, payload_b.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 100), payload_b);
  EXPECT_ERROR(net.a.ping_receive(pa, buf), Error::WouldBlock);

  EXPECT_EQ(net.a.stats().icmp.rx_echo_request, 1U);
  EXPECT_EQ(net.a.stats().icmp.tx_echo_reply, 1U);
  EXPECT_EQ(net.a.stats().icmp.rx_echo_reply, 1U);
  EXPECT_EQ(net.b.stats().icmp.tx_echo_reply, 1U);

  // On the wire: A's request (type 8, id 0x1234, seq 1) and B's reply (type 0).
  bool saw_request = false;
  bool saw_reply = false;
  for (const auto& f : net.log.with_ethertype(ipv4_type)) {
    if (frame_ip_protocol(f.bytes) != 1) continue;
    ASSERT_GE(f.bytes.size(), 34U + 8U);  // Ethernet, IPv4 and the echo header
    const ConstBytes icmp = ConstBytes(f.bytes).subspan(34);
    if (f.from == 0 && icmp[0] == 8 && load_be16(icmp, 4) == 0x1234) {
      saw_request = true;
      EXPECT_EQ(load_be16(icmp, 6), 1);
      EXPECT_EQ(ByteVector(icmp.begin() + 8, icmp.end()), payload_a);
    }
    if (f.from == 1 && icmp[0] == 0 && load_be16(icmp, 4) == 0x1234) {
      saw_reply = true;
      EXPECT_EQ(ByteVector(icmp.begin() + 8, icmp.end()), payload_a);
      EXPECT_EQ(internet_checksum(icmp), 0);
    }
  }
  EXPECT_TRUE(saw_request);
  EXPECT_TRUE(saw_reply);

  net.a.ping_close(pa);
  net.b.ping_close(pb);
  EXPECT_ERROR(net.a.ping_receive(pa, buf), Error::Closed);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(PingSim, RequestCarriesTheGivenTtl) {
  TwoHosts net;
  net.sim.settle();
  PingHandle pa = *net.a.ping_open(1);
  ASSERT_OK(net.a.ping_send(pa, ip_b, 1, pattern(8), 7, net.sim.now()));
  net.sim.settle();
  const auto requests = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(frame_ip_ttl(requests[0].bytes), 7);
  std::array<std::uint8_t, 8> buf{};
  Result<EchoReply> r = net.a.ping_receive(pa, buf);
  ASSERT_OK(r);
  EXPECT_EQ(r->ttl, config::ip_default_ttl);  // B's reply leaves with its default
  net.a.ping_close(pa);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(PingSim, BroadcastPingIsAnsweredOnlyWhenConfigured) {
  TwoHosts net;
  net.sim.settle();
  PingHandle pa = *net.a.ping_open(2);
  ASSERT_OK(net.a.ping_send(pa, Ipv4Address::of(192, 0, 2, 255), 1, pattern(8), 0, net.sim.now()));
  ASSERT_OK(net.a.ping_send(pa, Ipv4Address::broadcast(), 2, pattern(8), 0, net.sim.now()));
  net.sim.settle();
  const auto requests = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(frame_destination_mac(requests[0].bytes), MacAddress::broadcast());
  std::array<std::uint8_t, 8> buf{};
  if constexpr (config::broadcast_ping) {
    // From B's own address, one answer per request.
    for (std::uint16_t sequence = 1; sequence <= 2; ++sequence) {
      Result<EchoReply> r = net.a.ping_receive(pa, buf);
      ASSERT_OK(r);
      EXPECT_EQ(r->from, IpAddress(ip_b));
      EXPECT_EQ(r->sequence, sequence);
    }
    EXPECT_ERROR(net.a.ping_receive(pa, buf), Error::WouldBlock);
    EXPECT_EQ(net.b.stats().icmp.drop_broadcast_ping, 0U);
    EXPECT_EQ(net.b.stats().icmp.tx_echo_reply, 2U);
  } else {
    EXPECT_ERROR(net.a.ping_receive(pa, buf), Error::WouldBlock);
    EXPECT_EQ(net.b.stats().icmp.drop_broadcast_ping, 2U);
    EXPECT_EQ(net.b.stats().icmp.tx_echo_reply, 0U);
  }
  net.a.ping_close(pa);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

// A request to a group, all-hosts included: with CONFIG_LWIP_MULTICAST_PING
// off (ESP-IDF's default) no answer; with it on (the IPv4-only check's
// build) one answer, unicast, from the netif's own address: a group's
// address is no source (RFC 1122 3.2.1.3).
TEST(PingSim, MulticastPingIsAnsweredOnlyWhenConfigured) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  PingHandle pa = *net.a.ping_open(4);
  ASSERT_OK(net.a.ping_send(pa, Ipv4Address::of(224, 0, 0, 1), 1, pattern(8), 0, net.sim.now()));
  net.sim.settle();
  const auto requests = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(frame_destination_mac(requests[0].bytes), (MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}}));
  EXPECT_EQ(net.b.stats().icmp.rx, 1U);
  std::array<std::uint8_t, 8> buf{};
  if constexpr (config::multicast_ping) {
    EXPECT_EQ(net.b.stats().icmp.drop_multicast_ping, 0U);
    EXPECT_EQ(net.b.stats().icmp.rx_echo_request, 1U);
    EXPECT_EQ(net.b.stats().icmp.tx_echo_reply, 1U);
    const auto replies = net.log.with_ethertype(ipv4_type, 1);
    ASSERT_EQ(replies.size(), 1U);
    EXPECT_EQ(frame_destination_mac(replies[0].bytes), mac_a);
    EXPECT_EQ(frame_ip_source(replies[0].bytes), ip_b);
    const ConstBytes icmp = ConstBytes(replies[0].bytes).subspan(34);
    ASSERT_EQ(icmp.size(), 16U);
    EXPECT_EQ(icmp[0], 0);              // echo reply
    EXPECT_EQ(load_be16(icmp, 4), 4);  // identifier
    EXPECT_EQ(load_be16(icmp, 6), 1);  // sequence
    Result<EchoReply> r = net.a.ping_receive(pa, buf);
    ASSERT_OK(r);
    EXPECT_EQ(r->from, IpAddress(ip_b));
    EXPECT_EQ(r->sequence, 1);
  } else {
    EXPECT_EQ(net.b.stats().icmp.drop_multicast_ping, 1U);
    EXPECT_EQ(net.b.stats().icmp.rx_echo_request, 0U);
    EXPECT_EQ(net.b.stats().icmp.tx_echo_reply, 0U);
    EXPECT_TRUE(net.log.with_ethertype(ipv4_type, 1).empty());
  }
  EXPECT_ERROR(net.a.ping_receive(pa, buf), Error::WouldBlock);
  net.a.ping_close(pa);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(PingSim, OwnAddressesAnswerThroughLoopback) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  PingHandle pa = *net.a.ping_open(3);
  const ByteVector payload = pattern(32);
  ASSERT_OK(net.a.ping_send(pa, Ipv4Address::loopback(), 1, payload, 0, net.sim.now()));
  ASSERT_OK(net.a.ping_send(pa, ip_a, 2, payload, 0, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 64> buf{};
  Result<EchoReply> r1 = net.a.ping_receive(pa, buf);
  ASSERT_OK(r1);
  EXPECT_EQ(r1->from, IpAddress(Ipv4Address::loopback()));
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 32), payload);
  Result<EchoReply> r2 = net.a.ping_receive(pa, buf);
  ASSERT_OK(r2);
  EXPECT_EQ(r2->from, IpAddress(ip_a));
  EXPECT_EQ(r2->sequence, 2);
  EXPECT_TRUE(net.log.frames().empty());  // nothing touched the wire
  net.a.ping_close(pa);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(PingSim, ReplyForAClosedIdentifierIsCounted) {
  TwoHosts net;
  net.sim.settle();
  PingHandle pa = *net.a.ping_open(4);
  ASSERT_OK(net.a.ping_send(pa, ip_b, 1, pattern(8), 0, net.sim.now()));
  net.a.ping_close(pa);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().icmp.rx_echo_reply, 1U);
  EXPECT_EQ(net.a.stats().icmp.drop_no_listener, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(PingSim, IdentifierIsOpenOnceAndHandlesDoNotOutliveClose) {
  Stack s{StackConfig{1}};
  PingHandle h = *s.ping_open(7);
  EXPECT_ERROR(s.ping_open(7), Error::AddressInUse);
  s.ping_close(h);
  PingHandle again = *s.ping_open(7);
  EXPECT_EQ(again.slot, h.slot);
  EXPECT_NE(again.generation, h.generation);
  std::array<std::uint8_t, 4> buf{};
  EXPECT_ERROR(s.ping_receive(h, buf), Error::Closed);
  EXPECT_ERROR(s.ping_send(h, Ipv4Address::loopback(), 1, buf, 0, Instant{}), Error::Closed);
  s.ping_close(again);
  EXPECT_EQ(s.pools().in_use(), 0U);
}

TEST(PingSim, RoundTripTakesTwiceTheLinkLatencyInVirtualTime) {
  TwoHosts net(PipeConfig{Duration::millis(5)});
  net.sim.settle();
  net.sim.run_for(Duration::millis(10));  // the gratuitous ARPs land
  PingHandle pa = *net.a.ping_open(8);
  std::array<std::uint8_t, 8> buf{};
  auto round_trip = [&](std::uint16_t sequence) {
    const Instant sent = net.sim.now();
    EXPECT_OK(net.a.ping_send(pa, ip_b, sequence, pattern(8), 0, sent));
    EXPECT_TRUE(net.sim.run_until([&] { return net.a.ping_receive(pa, buf).ok(); }, Duration::seconds(1)));
    return net.sim.now() - sent;
  };
  EXPECT_EQ(round_trip(1), Duration::millis(20));  // ARP request and reply first
  EXPECT_EQ(round_trip(2), Duration::millis(10));
  net.a.ping_close(pa);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

// The reply is the request's buffer with a new header: type 0 and code 0
// (RFC 792) whatever code the request carried, the same identifier,
// sequence and data, and a checksum over the new header.
TEST(PingSim, ReplyToARequestWithACodeHasCodeZeroAndTheSameData) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  const ByteVector data = pattern(20, 5);
  ByteVector echo(8);
  echo.insert(echo.end(), data.begin(), data.end());
  Icmpv4Repr request;
  request.type = static_cast<std::uint8_t>(Icmpv4Type::EchoRequest);
  request.code = 7;
  request.identifier = 0xbeef;
  request.sequence = 3;
  request.emit(echo);
  Ipv4Repr h;
  h.source = ip_peer;
  h.destination = ip_a;
  h.protocol = 1;
  net.inject_ipv4(ipv4_packet(h, echo));
  net.sim.settle();
  const auto frames = net.received();
  ASSERT_EQ(frames.size(), 1U);
  const ByteVector& f = frames[0];
  ASSERT_EQ(frame_ip_protocol(f), 1);
  EXPECT_EQ(frame_ip_source(f), ip_a);
  EXPECT_EQ(frame_ip_destination(f), ip_peer);
  ASSERT_EQ(f.size(), 34U + 8U + data.size());
  const ConstBytes reply = ConstBytes(f).subspan(34);
  EXPECT_EQ(reply[0], 0);  // echo reply
  EXPECT_EQ(reply[1], 0);  // code 0, not the request's 7
  EXPECT_EQ(load_be16(reply, 4), 0xbeef);
  EXPECT_EQ(load_be16(reply, 6), 3);
  EXPECT_EQ(ByteVector(reply.begin() + 8, reply.end()), data);
  EXPECT_EQ(internet_checksum(reply), 0);
  EXPECT_EQ(net.a.stats().icmp.rx_echo_request, 1U);
  EXPECT_EQ(net.a.stats().icmp.tx_echo_reply, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

#if CONFIG_LWIP_IP4_REASSEMBLY
TEST(PingSim, BigPingsAreFragmentedAndAnsweredWhole) {
  TwoHosts net;
  net.sim.settle();
  PingHandle pa = *net.a.ping_open(6);
  for (const std::size_t size : {std::size_t{4000}, std::size_t{65515}}) {
    const std::size_t data = size - 8;  // ICMP data behind the 8-byte header
    const ByteVector payload = pattern(data, 3);
    ASSERT_OK(net.a.ping_send(pa, ip_b, 1, payload, 0, net.sim.now()));
    net.sim.settle();
    ByteVector buf(70000);
    Result<EchoReply> r = net.a.ping_receive(pa, buf);
    ASSERT_OK(r);
    ASSERT_EQ(r->size, data);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), buf.begin())) << size;
  }
  EXPECT_EQ(net.b.stats().ipv4.reass_ok, 2U);
  EXPECT_EQ(net.a.stats().ipv4.reass_ok, 2U);
  net.a.ping_close(pa);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}
#endif  // CONFIG_LWIP_IP4_REASSEMBLY

}  // namespace
}  // namespace lwnet::test::ping_test
