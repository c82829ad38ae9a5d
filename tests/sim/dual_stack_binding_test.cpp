// Dual-stack port binding on one stack (Linux's rules): :: without
// IPV6_V6ONLY holds the port's IPv4 side too, and takes IPv4 datagrams;
// with IPV6_V6ONLY the families are separate.
#include <gtest/gtest.h>

#include <array>

#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::dual_stack_binding_test {
namespace {

const IpAddress any6 = Ipv6Address{};

TEST(DualStackBindingSim, UdpWildcardV6HoldsTheIpv4PortUnlessV6Only) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle dual = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(dual, {any6, 5000}));
  UdpHandle v4 = *net.b.udp_open();
  EXPECT_ERROR(net.b.udp_bind(v4, {IpAddress{}, 5000}), Error::AddressInUse);
  EXPECT_ERROR(net.b.udp_bind(v4, {ip_b, 5000}), Error::AddressInUse);

  UdpHandle only6 = *net.b.udp_open();
  ASSERT_OK(net.b.udp_set_v6only(only6, true));
  ASSERT_OK(net.b.udp_bind(only6, {any6, 5001}));
  EXPECT_OK(net.b.udp_bind(v4, {IpAddress{}, 5001}));
  // A second :: on 5001 collides with the first whatever its V6ONLY.
  UdpHandle again = *net.b.udp_open();
  EXPECT_ERROR(net.b.udp_bind(again, {any6, 5001}), Error::AddressInUse);
  net.b.udp_close(dual);
  net.b.udp_close(v4);
  net.b.udp_close(only6);
  net.b.udp_close(again);
}

TEST(DualStackBindingSim, UdpDualStackSocketReceivesIpv4Datagrams) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle dual = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(dual, {any6, 5000}));
  UdpHandle only6 = *net.b.udp_open();
  ASSERT_OK(net.b.udp_set_v6only(only6, true));
  ASSERT_OK(net.b.udp_bind(only6, {any6, 5001}));
  UdpHandle tx = *net.a.udp_open();
  const ByteVector data = pattern(20, 3);
  ASSERT_OK(net.a.udp_send_to(tx, data, {ip_b, 5000}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, data, {ip_b, 5001}, net.sim.now()));
  net.sim.settle();

  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = net.b.udp_receive(dual, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->copied, data.size());
  EXPECT_EQ(got->from.address, IpAddress(ip_a));
  EXPECT_EQ(got->to, IpAddress(ip_b));
  // The IPv6-only socket's port is closed for IPv4: port unreachable.
  EXPECT_ERROR(net.b.udp_receive(only6, buf), Error::WouldBlock);
  EXPECT_EQ(net.b.stats().udp.drop_no_port, 1U);
  net.b.udp_close(dual);
  net.b.udp_close(only6);
  net.a.udp_close(tx);
}

TEST(DualStackBindingSim, UdpMappedAddressBindsAndSendsAsIpv4) {
  TwoHosts net;
  net.sim.settle();
  const IpAddress mapped_b = *parse_ip_address("::ffff:192.0.2.2");
  const IpAddress mapped_a = *parse_ip_address("::ffff:192.0.2.1");
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {mapped_b, 5000}));
  UdpHandle v4 = *net.b.udp_open();
  EXPECT_ERROR(net.b.udp_bind(v4, {ip_b, 5000}), Error::AddressInUse);
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(tx, {any6, 0}));
  const ByteVector data = pattern(12, 9);
  ASSERT_OK(net.a.udp_send_to(tx, data, {mapped_b, 5000}, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->from.address, IpAddress(ip_a));
  // An address that is not ours, mapped or not, cannot be bound.
  EXPECT_ERROR(net.b.udp_bind(v4, {mapped_a, 5002}), Error::AddressNotAvailable);
  net.b.udp_close(rx);
  net.b.udp_close(v4);
  net.a.udp_close(tx);
}

TEST(DualStackBindingSim, TcpReservationsFollowTheSameRules) {
  TwoHosts net;
  net.sim.settle();
  Result<TcpReservation> dual = net.b.tcp_reserve({any6, 80}, false);
  ASSERT_OK(dual);
  EXPECT_ERROR(net.b.tcp_reserve({IpAddress{}, 80}, false), Error::AddressInUse);
  EXPECT_ERROR(net.b.tcp_reserve({ip_b, 80}, false), Error::AddressInUse);
  net.b.tcp_release(*dual);

  Result<TcpReservation> only6 = net.b.tcp_reserve({any6, 80}, false, true);
  ASSERT_OK(only6);
  Result<TcpReservation> v4 = net.b.tcp_reserve({IpAddress{}, 80}, false);
  EXPECT_OK(v4);
  net.b.tcp_release(*only6);
  if (v4) net.b.tcp_release(*v4);

  // A listener on 0.0.0.0 keeps a dual-stack :: off its port.
  TcpSettings settings;
  Result<TcpHandle> listener = net.b.tcp_listen({IpAddress{}, 81}, 4, false, &settings);
  ASSERT_OK(listener);
  EXPECT_ERROR(net.b.tcp_reserve({any6, 81}, false), Error::AddressInUse);
  Result<TcpReservation> beside = net.b.tcp_reserve({any6, 81}, false, true);
  EXPECT_OK(beside);
  if (beside) net.b.tcp_release(*beside);
  net.b.tcp_close(*listener, net.sim.now());
}

}  // namespace
}  // namespace lwnet::test::dual_stack_binding_test
