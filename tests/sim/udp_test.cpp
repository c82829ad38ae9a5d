// UDP between stacks: payloads and endpoints both ways, connect filtering,
// broadcast permission, queue limits, TTL and checksum options, binding
// rules, loopback.
#include <gtest/gtest.h>

#include <array>
#include <set>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"
#include "transport/udp.h"

namespace lwnet::test::udp_test {
namespace {

TEST(UdpSim, DatagramsBothWaysWithTheirEndpoints) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle ua = *net.a.udp_open();
  UdpHandle ub = *net.b.udp_open();
  ASSERT_OK(net.a.udp_bind(ua, {ip_a, 5000}));
  ASSERT_OK(net.b.udp_bind(ub, {IpAddress{}, 7}));
  const ByteVector hello = pattern(300);
  ASSERT_OK(net.a.udp_send_to(ua, hello, {ip_b, 7}, net.sim.now()));
  net.sim.settle();

  std::array<std::uint8_t, 512> buf{};
  EXPECT_TRUE(net.b.udp_readable(ub));
  Result<UdpReceived> got = net.b.udp_receive(ub, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->size, hello.size());
  EXPECT_EQ(got->copied, hello.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 300), hello);
  EXPECT_EQ(got->from, (IpEndpoint{ip_a, 5000}));
  EXPECT_EQ(got->to, IpAddress(ip_b));
  EXPECT_EQ(got->netif, net.b_if);
  EXPECT_FALSE(net.b.udp_readable(ub));

  // The answer goes back to where the datagram came from.
  const ByteVector answer = pattern(20, 9);
  ASSERT_OK(net.b.udp_send_to(ub, answer, got->from, net.sim.now()));
  net.sim.settle();
  Result<UdpReceived> back = net.a.udp_receive(ua, buf);
  ASSERT_OK(back);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 20), answer);
  EXPECT_EQ(back->from, (IpEndpoint{ip_b, 7}));
  EXPECT_EQ(net.a.stats().udp.tx, 1U);
  EXPECT_EQ(net.b.stats().udp.rx_delivered, 1U);

  // A datagram bigger than the caller's buffer is cut, and says so.
  ASSERT_OK(net.a.udp_send_to(ua, hello, {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 10> small{};
  Result<UdpReceived> cut = net.b.udp_receive(ub, small);
  ASSERT_OK(cut);
  EXPECT_EQ(cut->size, 300U);
  EXPECT_EQ(cut->copied, 10U);
  EXPECT_EQ(ByteVector(small.begin(), small.end()), ByteVector(hello.begin(), hello.begin() + 10));

  net.a.udp_close(ua);
  net.b.udp_close(ub);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpSim, ConnectedEndpointTakesOnlyItsPeer) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle b = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(b, {ip_b, 7}));
  ASSERT_OK(net.b.udp_connect(b, {ip_a, 5000}));
  UdpHandle from5000 = *net.a.udp_open();
  UdpHandle from5001 = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(from5000, {IpAddress{}, 5000}));
  ASSERT_OK(net.a.udp_bind(from5001, {IpAddress{}, 5001}));
  const ByteVector one{1};
  const ByteVector two{2};
  ASSERT_OK(net.a.udp_send_to(from5001, two, {ip_b, 7}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(from5000, one, {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 4> buf{};
  Result<UdpReceived> got = net.b.udp_receive(b, buf);
  ASSERT_OK(got);
  EXPECT_EQ(buf[0], 1);
  EXPECT_ERROR(net.b.udp_receive(b, buf), Error::WouldBlock);
  EXPECT_EQ(net.b.stats().udp.drop_no_port, 1U);

  // send() goes to the connected peer.
  ASSERT_OK(net.b.udp_send(b, two, net.sim.now()));
  net.sim.settle();
  ASSERT_OK(net.a.udp_receive(from5000, buf));
  EXPECT_EQ(buf[0], 2);

  // Disconnected, it takes anyone again; send() has no destination.
  ASSERT_OK(net.b.udp_disconnect(b));
  EXPECT_ERROR(net.b.udp_send(b, two, net.sim.now()), Error::NotConnected);
  ASSERT_OK(net.a.udp_send_to(from5001, two, {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  got = net.b.udp_receive(b, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->from, (IpEndpoint{ip_a, 5001}));

  net.b.udp_close(b);
  net.a.udp_close(from5000);
  net.a.udp_close(from5001);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpSim, BroadcastNeedsPermissionToSend) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 6000}));
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload = pattern(10);
  const Ipv4Address directed = Ipv4Address::of(192, 0, 2, 255);
  EXPECT_ERROR(net.a.udp_send_to(tx, payload, {Ipv4Address::broadcast(), 6000}, net.sim.now()),
               Error::InvalidArgument);
  EXPECT_ERROR(net.a.udp_send_to(tx, payload, {directed, 6000}, net.sim.now()),
               Error::InvalidArgument);
  net.sim.settle();
  EXPECT_TRUE(net.log.frames().empty());

  net.a.udp_set_broadcast(tx, true);
  ASSERT_OK(net.a.udp_send_to(tx, payload, {Ipv4Address::broadcast(), 6000}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, payload, {directed, 6000}, net.sim.now()));
  net.sim.settle();
  const auto frames = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(frames.size(), 2U);
  for (const auto& f : frames) EXPECT_EQ(frame_destination_mac(f.bytes), MacAddress::broadcast());
  EXPECT_EQ(net.a.stats().arp.tx_request, 0U);  // broadcast needs no resolution

  std::array<std::uint8_t, 16> buf{};
  Result<UdpReceived> first = net.b.udp_receive(rx, buf);
  ASSERT_OK(first);
  EXPECT_EQ(first->to, IpAddress(Ipv4Address::broadcast()));
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 10), payload);
  Result<UdpReceived> second = net.b.udp_receive(rx, buf);
  ASSERT_OK(second);
  EXPECT_EQ(second->to, IpAddress(directed));

  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpSim, FullReceiveQueueDropsAndCounts) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  for (std::size_t i = 0; i <= config::udp_recvmbox_size; ++i) {
    const ByteVector payload{static_cast<std::uint8_t>(i)};
    ASSERT_OK(net.a.udp_send_to(tx, payload, {ip_b, 7}, net.sim.now()));
    net.sim.settle();
  }
  EXPECT_EQ(net.b.stats().udp.drop_queue_full, 1U);
  std::array<std::uint8_t, 4> buf{};
  for (std::size_t i = 0; i < config::udp_recvmbox_size; ++i) {
    ASSERT_OK(net.b.udp_receive(rx, buf));
    EXPECT_EQ(buf[0], i);  // in order, the last one lost
  }
  EXPECT_ERROR(net.b.udp_receive(rx, buf), Error::WouldBlock);
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

// SO_RCVBUF in the core: a bound in bytes of the datagrams queued; a datagram
// that does not fit is dropped and counted, a peek frees nothing, a receive
// makes room.
TEST(UdpSim, ReceiveBufferBoundsQueuedBytes) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  net.b.udp_set_receive_buffer(rx, 250);
  UdpHandle tx = *net.a.udp_open();
  const auto send = [&](std::size_t size, std::uint8_t tag) {
    ASSERT_OK(net.a.udp_send_to(tx, pattern(size, tag), {ip_b, 7}, net.sim.now()));
    net.sim.settle();
  };
  send(100, 1);
  send(100, 2);
  send(100, 3);  // 300 > 250: dropped
  send(50, 4);   // exactly 250: kept
  EXPECT_EQ(net.b.stats().udp.drop_queue_full, 1U);
  std::array<std::uint8_t, 128> buf{};
  ASSERT_OK(net.b.udp_receive(rx, buf, true));  // peek: still 250 queued
  send(1, 5);
  EXPECT_EQ(net.b.stats().udp.drop_queue_full, 2U);
  for (std::size_t expected : {100U, 100U, 50U}) {
    Result<UdpReceived> got = net.b.udp_receive(rx, buf);
    ASSERT_OK(got);
    EXPECT_EQ(got->size, expected);
  }
  EXPECT_EQ(buf[0], pattern(50, 4)[0]);
  send(250, 6);  // fits whole in the emptied queue
  ASSERT_OK(net.b.udp_receive(rx, buf));
  EXPECT_EQ(net.b.stats().udp.drop_queue_full, 2U);
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpSim, ClosingReleasesQueuedDatagrams) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  for (int i = 0; i < 3; ++i) ASSERT_OK(net.a.udp_send_to(tx, pattern(100), {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.b.pools().in_use(), 3U);
  net.b.udp_close(rx);
  net.a.udp_close(tx);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(UdpSim, TtlAndChecksumOptionsShowOnTheWire) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  net.a.udp_set_ttl(tx, 3);
  net.a.udp_set_checksum(tx, false);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(16), {ip_b, 7}, net.sim.now()));
  net.a.udp_set_ttl(tx, 0);  // back to the default
  net.a.udp_set_checksum(tx, true);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(16), {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  const auto frames = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frame_ip_ttl(frames[0].bytes), 3);
  EXPECT_EQ(load_be16(frames[0].bytes, 34 + 6), 0);  // SO_NO_CHECK: no checksum
  EXPECT_EQ(frame_ip_ttl(frames[1].bytes), config::ip_default_ttl);
  EXPECT_NE(load_be16(frames[1].bytes, 34 + 6), 0);
  std::array<std::uint8_t, 16> buf{};
  EXPECT_OK(net.b.udp_receive(rx, buf));
  EXPECT_OK(net.b.udp_receive(rx, buf));
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpSim, BindRules) {
  TwoHosts net;
  UdpHandle any7 = *net.a.udp_open();
  UdpHandle own7 = *net.a.udp_open();
  UdpHandle lo8 = *net.a.udp_open();
  UdpHandle own8 = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(any7, {IpAddress{}, 7}));
  EXPECT_ERROR(net.a.udp_bind(own7, {ip_a, 7}), Error::AddressInUse);
  EXPECT_ERROR(net.a.udp_bind(any7, {IpAddress{}, 9}), Error::InvalidArgument);  // bound already
  ASSERT_OK(net.a.udp_bind(lo8, {Ipv4Address::loopback(), 8}));
  ASSERT_OK(net.a.udp_bind(own8, {ip_a, 8}));  // different addresses, same port
  UdpHandle other = *net.a.udp_open();
  EXPECT_ERROR(net.a.udp_bind(other, {IpAddress{}, 8}), Error::AddressInUse);
  EXPECT_ERROR(net.a.udp_bind(other, {Ipv4Address::of(203, 0, 113, 1), 9}),
               Error::AddressNotAvailable);
  net.a.udp_close(any7);
  EXPECT_OK(net.a.udp_bind(own7, {ip_a, 7}));  // free again after close
  EXPECT_ERROR(net.a.udp_bind(any7, {IpAddress{}, 7}), Error::Closed);
  for (UdpHandle h : {own7, lo8, own8, other}) net.a.udp_close(h);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(UdpSim, EphemeralPortsAreRandomDistinctAndInRange) {
  Stack s1{StackConfig{11}};
  Stack s2{StackConfig{12}};
  std::set<std::uint16_t> ports;
  std::vector<UdpHandle> handles;
  for (std::size_t i = 0; i < config::max_udp_pcbs; ++i) {
    UdpHandle h = *s1.udp_open();
    ASSERT_OK(s1.udp_bind(h, {IpAddress{}, 0}));
    const std::uint16_t port = s1.udp_local(h)->port;
    EXPECT_GE(port, ephemeral_port_first);
    ports.insert(port);
    handles.push_back(h);
  }
  EXPECT_EQ(ports.size(), config::max_udp_pcbs);
  EXPECT_ERROR(s1.udp_open(), Error::TableFull);
  // Another seed starts elsewhere.
  UdpHandle h2 = *s2.udp_open();
  ASSERT_OK(s2.udp_bind(h2, {IpAddress{}, 0}));
  UdpHandle h1 = handles.front();
  EXPECT_NE(s2.udp_local(h2)->port, s1.udp_local(h1)->port);
  for (UdpHandle h : handles) s1.udp_close(h);
  s2.udp_close(h2);
  EXPECT_EQ(s1.pools().in_use(), 0U);
  EXPECT_EQ(s2.pools().in_use(), 0U);
}

TEST(UdpSim, UnboundSendPicksAnEphemeralSourcePort) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  const std::uint16_t local_port = net.a.udp_local(tx)->port;
  EXPECT_GE(local_port, ephemeral_port_first);
  std::array<std::uint8_t, 4> buf{};
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->from, (IpEndpoint{ip_a, local_port}));
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

// As Linux: disconnect gives back a port the endpoint picked itself (at
// connect or send_to, or for a bind() of port 0), so that another endpoint
// may bind it; a port bind() named stays, and so does an address bind()
// named, on which the next port is picked.
TEST(UdpSim, DisconnectGivesBackAPortBindDidNotName) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle picked = *net.a.udp_open();
  ASSERT_OK(net.a.udp_connect(picked, {ip_b, 7}));
  const std::uint16_t port = net.a.udp_local(picked)->port;
  EXPECT_GE(port, ephemeral_port_first);
  ASSERT_OK(net.a.udp_disconnect(picked));
  EXPECT_EQ(net.a.udp_local(picked)->port, 0);
  EXPECT_TRUE(net.a.udp_local(picked)->address.is_unspecified());
  UdpHandle other = *net.a.udp_open();
  EXPECT_OK(net.a.udp_bind(other, {IpAddress{}, port}));  // free again
  EXPECT_OK(net.a.udp_bind(picked, {IpAddress{}, 5001}));  // unbound again

  UdpHandle named = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(named, {IpAddress{}, 5002}));
  ASSERT_OK(net.a.udp_connect(named, {ip_b, 7}));
  ASSERT_OK(net.a.udp_disconnect(named));
  EXPECT_EQ(net.a.udp_local(named)->port, 5002);

  UdpHandle address_only = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(address_only, {ip_a, 0}));
  ASSERT_OK(net.a.udp_connect(address_only, {ip_b, 7}));
  ASSERT_OK(net.a.udp_disconnect(address_only));
  EXPECT_EQ(*net.a.udp_local(address_only), (IpEndpoint{ip_a, 0}));
  ASSERT_OK(net.a.udp_send_to(address_only, pattern(4), {ip_b, 9}, net.sim.now()));
  const IpEndpoint again = *net.a.udp_local(address_only);
  EXPECT_EQ(again.address, IpAddress(ip_a));
  EXPECT_GE(again.port, ephemeral_port_first);

  for (UdpHandle h : {picked, other, named, address_only}) net.a.udp_close(h);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpSim, StaleHandlesAreRefused) {
  Stack s{StackConfig{1}};
  UdpHandle h = *s.udp_open();
  s.udp_close(h);
  UdpHandle reused = *s.udp_open();
  EXPECT_EQ(reused.slot, h.slot);
  EXPECT_NE(reused.generation, h.generation);
  const ByteVector payload{1};
  EXPECT_ERROR(s.udp_send_to(h, payload, {Ipv4Address::loopback(), 7}, Instant{}), Error::Closed);
  EXPECT_ERROR(s.udp_bind(h, {IpAddress{}, 7}), Error::Closed);
  EXPECT_ERROR(s.udp_local(h), Error::Closed);
  EXPECT_ERROR(s.udp_send_to(reused, ByteVector(udp_max_payload + 1), {Ipv4Address::loopback(), 7},
                             Instant{}),
               Error::TooBig);
  EXPECT_ERROR(s.udp_send_to(reused, payload, {Ipv4Address::loopback(), 0}, Instant{}),
               Error::InvalidArgument);
  s.udp_close(h);  // a stale close changes nothing
  EXPECT_OK(s.udp_local(reused));
  s.udp_close(reused);
  EXPECT_EQ(s.pools().in_use(), 0U);
}

TEST(UdpSim, LoopbackDeliversToOwnAddresses) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  UdpHandle rx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(tx, {IpAddress{}, 4000}));
  const ByteVector payload = pattern(1000);
  ASSERT_OK(net.a.udp_send_to(tx, payload, {Ipv4Address::loopback(), 7}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, payload, {ip_a, 7}, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 1024> buf{};
  Result<UdpReceived> first = net.a.udp_receive(rx, buf);
  ASSERT_OK(first);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 1000), payload);
  EXPECT_EQ(first->from, (IpEndpoint{Ipv4Address::loopback(), 4000}));
  EXPECT_EQ(first->to, IpAddress(Ipv4Address::loopback()));
  EXPECT_EQ(first->netif, net.a.loopback_netif());
  Result<UdpReceived> second = net.a.udp_receive(rx, buf);
  ASSERT_OK(second);
  EXPECT_EQ(second->from, (IpEndpoint{ip_a, 4000}));
  EXPECT_EQ(second->to, IpAddress(ip_a));
  EXPECT_TRUE(net.log.frames().empty());

  // An endpoint bound to 127.0.0.1 never reaches the outside.
  UdpHandle lo = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(lo, {Ipv4Address::loopback(), 0}));
  EXPECT_ERROR(net.a.udp_send_to(lo, payload, {ip_b, 7}, net.sim.now()), Error::NoRoute);
  for (UdpHandle h : {rx, tx, lo}) net.a.udp_close(h);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(UdpSim, NoRouteWithoutUsableNetif) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.set_link_up(net.a_if, false, net.sim.now()));
  EXPECT_ERROR(net.a.udp_send_to(tx, pattern(4), {ip_b, 7}, net.sim.now()), Error::NoRoute);
  ASSERT_OK(net.a.set_link_up(net.a_if, true, net.sim.now()));
  EXPECT_OK(net.a.udp_send_to(tx, pattern(4), {ip_b, 7}, net.sim.now()));
  ASSERT_OK(net.a.set_up(net.a_if, false, net.sim.now()));
  EXPECT_ERROR(net.a.udp_send_to(tx, pattern(4), {ip_b, 7}, net.sim.now()), Error::NoRoute);
  net.sim.run_for(Duration::seconds(5));
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::udp_test
