#include "support/hosts.h"

#include <gtest/gtest.h>

#include "wire/ethernet.h"

namespace lwnet::test {

NetifConfig netif_config(std::string_view name, const MacAddress& mac, Ipv4Address address,
                         std::uint8_t prefix_len, std::optional<Ipv4Address> gateway) {
  NetifConfig c;
  c.name = name;
  c.mac = mac;
  // An IPv6-only build (tests/config's ipv6_only copy) refuses IPv4
  // addresses: its netifs start with their link-local address alone.
  if constexpr (config::ipv4) {
    c.ipv4 = IpCidr{address, prefix_len};
    c.gateway = gateway;
  }
  return c;
}

TwoHosts::TwoHosts(const PipeConfig& pipe_config) : pipe(pipe_config) {
  Result<NetifId> ia = a.add_netif(pipe.a(), netif_config("a0", mac_a, ip_a, 24), sim.now());
  Result<NetifId> ib = b.add_netif(pipe.b(), netif_config("b0", mac_b, ip_b, 24), sim.now());
  EXPECT_TRUE(ia.ok());
  EXPECT_TRUE(ib.ok());
  if (ia) a_if = *ia;
  if (ib) b_if = *ib;
  sim.add(a);
  sim.add(b);
}

HostAndPeer::HostAndPeer() {
  Result<NetifId> ia = a.add_netif(pipe.a(), netif_config("a0", mac_a, ip_a, 24), sim.now());
  EXPECT_TRUE(ia.ok());
  if (ia) a_if = *ia;
  sim.add(a);
}

void HostAndPeer::inject_ipv4(const ByteVector& packet) {
  inject(ethernet_frame(mac_a, mac_peer, static_cast<std::uint16_t>(EtherType::Ipv4), packet));
}

std::optional<TcpPair> open_tcp_pair(Simulation& sim, Stack& client, Stack& server,
                                     Ipv4Address server_address, std::uint16_t port, Duration limit,
                                     const TcpSettings* server_settings) {
  Result<TcpHandle> listener = server.tcp_listen({IpAddress{}, port}, 1, false, server_settings);
  if (!listener) return std::nullopt;
  Result<TcpHandle> connecting = client.tcp_connect({server_address, port}, sim.now());
  if (!connecting) return std::nullopt;
  TcpHandle accepted{};
  const bool done = sim.run_until(
      [&] {
        Result<TcpHandle> r = server.tcp_accept(*listener);
        if (r) accepted = *r;
        return r.ok();
      },
      limit);
  if (!done) return std::nullopt;
  return TcpPair{*listener, *connecting, accepted};
}

void expect_connect_failed(Stack& host, TcpHandle c, Error error) {
  const TcpConnection* conn = host.tcp_connection(c);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->state(), TcpState::Closed);
  EXPECT_EQ(conn->error(), error);
  EXPECT_NE(host.tcp_events(c) & tcp_events::error, 0);
}

StacksOn::StacksOn(Device& device_a, Device& device_b, std::uint64_t seed_a, std::uint64_t seed_b)
    : a(StackConfig{seed_a}), b(StackConfig{seed_b}) {
  const Instant start = Instant::from_seconds(1);
  a.set_default_netif(*a.add_netif(device_a, netif_config("a0", mac_a, ip_a, 24), start));
  b.set_default_netif(*b.add_netif(device_b, netif_config("b0", mac_b, ip_b, 24), start));
  sim.add(a);
  sim.add(b);
  sim.settle();
}

}  // namespace lwnet::test
