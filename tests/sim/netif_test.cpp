// Netifs: their state and callbacks, what happens when they go down or come
// up, a netif without an address (the DHCP client's), and resource limits.
#include <gtest/gtest.h>

#include <array>
#include <string_view>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::netif_test {
namespace {

TEST(NetifSim, InfoReflectsTheConfiguration) {
  TwoHosts net;
  Result<NetifInfo> lo = net.a.netif_info(net.a.loopback_netif());
  ASSERT_OK(lo);
  EXPECT_EQ(std::string_view(lo->name.data()), "lo");
  EXPECT_TRUE(lo->is_loopback);
  EXPECT_EQ(lo->ipv4, (IpCidr{Ipv4Address::loopback(), 8}));
  Result<NetifInfo> a0 = net.a.netif_info(net.a_if);
  ASSERT_OK(a0);
  EXPECT_EQ(std::string_view(a0->name.data()), "a0");
  EXPECT_EQ(a0->mac, mac_a);
  EXPECT_EQ(a0->ipv4, (IpCidr{ip_a, 24}));
  EXPECT_EQ(a0->mtu, 1500U);
  EXPECT_TRUE(a0->up);
  EXPECT_TRUE(a0->link_up);
  EXPECT_FALSE(a0->is_loopback);
  ASSERT_OK(net.a.set_ipv4(net.a_if, IpCidr{Ipv4Address::of(198, 51, 100, 7), 25},
                           Ipv4Address::of(198, 51, 100, 1), net.sim.now()));
  a0 = net.a.netif_info(net.a_if);
  EXPECT_EQ(a0->ipv4, (IpCidr{Ipv4Address::of(198, 51, 100, 7), 25}));
  EXPECT_EQ(a0->gateway, Ipv4Address::of(198, 51, 100, 1));
  EXPECT_ERROR(net.a.netif_info(NetifId{9}), Error::InvalidArgument);
  EXPECT_ERROR(net.a.set_ipv4(net.a.loopback_netif(), IpCidr{ip_a, 24}, std::nullopt, net.sim.now()),
               Error::InvalidArgument);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(NetifSim, CallbacksFollowTheirOptions) {
  TwoHosts net;
  struct Calls {
    int status = 0;
    int link = 0;
    NetifId last;
  } calls;
  net.a.set_status_callback(
      [](void* c, NetifId id) {
        ++static_cast<Calls*>(c)->status;
        static_cast<Calls*>(c)->last = id;
      },
      &calls);
  net.a.set_link_callback([](void* c, NetifId) { ++static_cast<Calls*>(c)->link; }, &calls);
  ASSERT_OK(net.a.set_up(net.a_if, false, net.sim.now()));
  ASSERT_OK(net.a.set_up(net.a_if, false, net.sim.now()));  // no change, no call
  ASSERT_OK(net.a.set_up(net.a_if, true, net.sim.now()));
  ASSERT_OK(net.a.set_ipv4(net.a_if, IpCidr{Ipv4Address::of(192, 0, 2, 9), 24}, std::nullopt,
                           net.sim.now()));
  ASSERT_OK(net.a.set_link_up(net.a_if, false, net.sim.now()));
  EXPECT_EQ(calls.status, config::netif_status_callback ? 3 : 0);
  EXPECT_EQ(calls.link, config::netif_link_callback ? 1 : 0);
  if constexpr (config::netif_status_callback) {
    EXPECT_EQ(calls.last, net.a_if);
  }
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(NetifSim, ComingBackUpAnnouncesAndGoingDownForgets) {
  HostAndPeer net;
  net.sim.settle();
  net.inject(ethernet_frame(MacAddress::broadcast(), mac_peer, 0x0806,
                            arp_packet(ArpOperation::Request, mac_peer, ip_peer, MacAddress{}, ip_a)));
  net.sim.settle();
  EXPECT_TRUE(net.a.arp_lookup(net.a_if, ip_peer).has_value());
  (void)net.received();

  ASSERT_OK(net.a.set_link_up(net.a_if, false, net.sim.now()));
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, ip_peer).has_value());
  net.sim.run_for(Duration::seconds(config::garp_tmr_interval_seconds * 2));
  EXPECT_TRUE(net.received().empty());  // no periodic ARP without link

  ASSERT_OK(net.a.set_link_up(net.a_if, true, net.sim.now()));
  net.sim.settle();
  // A gratuitous ARP, DAD again for the IPv6 link-local address (next
  // header ICMPv6), and MLD reports its groups again (hop-by-hop first).
  const auto frames = net.received();
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frame_ethertype(frames[0]), 0x0806);
  EXPECT_EQ(frame_ethertype(frames[1]), 0x86dd);
  EXPECT_EQ(frames[1][20], 0);
  EXPECT_EQ(frame_ethertype(frames[2]), 0x86dd);
  EXPECT_EQ(frames[2][20], 58);

  // Administratively down: input is dropped and counted.
  ASSERT_OK(net.a.set_up(net.a_if, false, net.sim.now()));
  net.inject(ethernet_frame(MacAddress::broadcast(), mac_peer, 0x0806,
                            arp_packet(ArpOperation::Request, mac_peer, ip_peer, MacAddress{}, ip_a)));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ethernet.drop_not_for_us, 1U);
  EXPECT_TRUE(net.received().empty());
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(NetifSim, NetifWithoutAddressTalksLikeADhcpClient) {
  PipePair pipe;
  FrameLog log(pipe);
  Stack a{StackConfig{1}};
  Simulation sim;
  sim.add(a);
  NetifConfig c;
  c.name = "dhcp0";
  c.mac = mac_a;
  const NetifId id = *a.add_netif(pipe.a(), c, sim.now());
  sim.settle();
  // No IPv4 address: nothing to announce (the IPv6 link-local's DAD probe only).
  EXPECT_TRUE(log.with_ethertype(0x0806).empty());
  EXPECT_TRUE(log.with_ethertype(0x0800).empty());

  UdpHandle client = *a.udp_open();
  ASSERT_OK(a.udp_bind(client, {IpAddress{}, 68}));
  a.udp_set_broadcast(client, true);
  ASSERT_OK(a.udp_send_to(client, pattern(20), {Ipv4Address::broadcast(), 67}, sim.now()));
  EXPECT_ERROR(a.udp_send_to(client, pattern(20), {ip_peer, 67}, sim.now()), Error::NoRoute);
  sim.settle();
  std::vector<ByteVector> sent;
  for (ByteVector& f : drain(pipe.b(), sim.now())) {
    if (frame_ethertype(f) == 0x0800) sent.push_back(std::move(f));
  }
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(frame_destination_mac(sent[0]), MacAddress::broadcast());
  EXPECT_EQ(frame_ip_source(sent[0]), Ipv4Address{});
  EXPECT_EQ(frame_ip_destination(sent[0]), Ipv4Address::broadcast());

  // The server's unicast answer to the address it offers reaches port 68.
  const Ipv4Address offered = Ipv4Address::of(192, 0, 2, 50);
  auto answer = [&](std::uint16_t port) {
    Ipv4Repr h;
    h.source = ip_peer;
    h.destination = offered;
    h.protocol = 17;
    const ByteVector packet = ipv4_packet(h, udp_datagram(ip_peer, offered, 67, port, pattern(30)));
    Device& peer = pipe.b();
    (void)peer.transmit(ethernet_frame(mac_a, mac_peer, ipv4_type, packet), sim.now());
  };
  answer(68);
  answer(69);
  sim.settle();
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = a.udp_receive(client, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->to, IpAddress(offered));
  EXPECT_EQ(got->netif, id);
  EXPECT_EQ(a.stats().ipv4.drop_not_for_us, 1U);  // port 69 is not the client's
  a.udp_close(client);
  EXPECT_EQ(a.pools().in_use(), 0U);
}

TEST(NetifSim, EmptyFramePoolDropsAndCountsWithoutSpinning) {
  TwoHosts net;
  net.sim.settle();
  std::vector<UdpHandle> sinks;
  for (std::uint16_t port = 1000; port < 1000 + config::max_udp_pcbs; ++port) {
    UdpHandle h = *net.b.udp_open();
    ASSERT_OK(net.b.udp_bind(h, {IpAddress{}, port}));
    sinks.push_back(h);
  }
  UdpHandle tx = *net.a.udp_open();
  const std::size_t capacity = config::max_udp_pcbs * config::udp_recvmbox_size;
  ASSERT_GT(capacity, config::frame_pool_size) << "the queues must be able to hold every buffer";
  std::size_t sent = 0;
  for (std::size_t round = 0; round < config::udp_recvmbox_size; ++round) {
    for (std::uint16_t port = 1000; port < 1000 + config::max_udp_pcbs; ++port) {
      ASSERT_OK(net.a.udp_send_to(tx, pattern(10), {ip_b, port}, net.sim.now()));
      ++sent;
      net.sim.settle();
    }
  }
  EXPECT_EQ(net.b.pools().frames.stats().used, config::frame_pool_size);
  EXPECT_EQ(net.b.stats().udp.rx_delivered, config::frame_pool_size);
  EXPECT_EQ(net.b.stats().ethernet.drop_no_buffer, sent - config::frame_pool_size);
  for (UdpHandle h : sinks) net.b.udp_close(h);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(NetifSim, LoopbackQueueIsBounded) {
  Stack s{StackConfig{1}};
  Simulation sim;
  sim.add(s);
  UdpHandle rx = *s.udp_open();
  ASSERT_OK(s.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *s.udp_open();
  for (std::size_t i = 0; i < config::loopback_max_pbufs; ++i) {
    ASSERT_OK(s.udp_send_to(tx, pattern(8), {Ipv4Address::loopback(), 7}, sim.now()));
  }
  EXPECT_ERROR(s.udp_send_to(tx, pattern(8), {Ipv4Address::loopback(), 7}, sim.now()),
               Error::NoBuffers);
  EXPECT_EQ(s.stats().ethernet.drop_device_busy, 1U);
  sim.settle();
  std::array<std::uint8_t, 8> buf{};
  std::size_t received = 0;
  while (s.udp_receive(rx, buf)) ++received;
  EXPECT_EQ(received, std::min(config::loopback_max_pbufs, config::udp_recvmbox_size));
  s.udp_close(rx);
  s.udp_close(tx);
  EXPECT_EQ(s.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::netif_test
