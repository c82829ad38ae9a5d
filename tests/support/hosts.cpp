#include "support/hosts.h"

#include <gtest/gtest.h>

#include "wire/ethernet.h"

namespace lwnet::test {

NetifConfig netif_config(std::string_view name, const MacAddress& mac, Ipv4Address address,
                         std::uint8_t prefix_len, std::optional<Ipv4Address> gateway) {
  NetifConfig c;
  c.name = name;
  c.mac = mac;
  c.ipv4 = IpCidr{address, prefix_len};
  c.gateway = gateway;
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

}  // namespace lwnet::test
