// CONFIG_LWIP_SO_REUSE_RXTOALL=0: sockets sharing a port through
// SO_REUSEADDR, and a broadcast or multicast reaches only the first one
// bound (no copies).
#include <gtest/gtest.h>

#include <array>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::rxtoall_off_check {

static_assert(!config::so_reuse_rxtoall, "built with CONFIG_LWIP_SO_REUSE_RXTOALL=0");

namespace {

constexpr Ipv4Address group = Ipv4Address::of(239, 1, 2, 3);

TEST(RxToAllOff, OnlyTheFirstBoundSocketGetsBroadcastAndMulticast) {
  TwoHosts net;
  net.sim.settle();
  std::array<UdpHandle, 2> rx{};
  for (UdpHandle& h : rx) {
    h = *net.b.udp_open();
    net.b.udp_set_reuse_address(h, true);
    ASSERT_OK(net.b.udp_bind(h, {IpAddress{}, 5000}));
  }
  ASSERT_OK(net.b.udp_join_group(rx[1], group, Ipv4Address{}, net.sim.now()));
  UdpHandle tx = *net.a.udp_open();
  net.a.udp_set_broadcast(tx, true);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(10), {group, 5000}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, pattern(10), {Ipv4Address::broadcast(), 5000}, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 32> buf{};
  Result<UdpReceived> first = net.b.udp_receive(rx[0], buf);
  ASSERT_OK(first);
  EXPECT_EQ(first->to, IpAddress(group));
  Result<UdpReceived> second = net.b.udp_receive(rx[0], buf);
  ASSERT_OK(second);
  EXPECT_EQ(second->to, IpAddress(Ipv4Address::broadcast()));
  EXPECT_FALSE(net.b.udp_readable(rx[1]));
  EXPECT_EQ(net.b.stats().udp.rx_delivered, 2U);
  for (UdpHandle h : rx) net.b.udp_close(h);
  net.a.udp_close(tx);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::rxtoall_off_check
