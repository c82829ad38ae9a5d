// How an application describes a network interface when it adds one.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "wire/address.h"

namespace lwnet {

struct NetifConfig {
  std::string_view name = "en0";      // copied (at most 15 characters)
  MacAddress mac{};                   // Ethernet devices only
  std::optional<IpCidr> ipv4;         // address/prefix; none: no IPv4 address yet
  std::optional<Ipv4Address> gateway; // IPv4 default gateway on this netif
  std::size_t mtu = 0;                // 0: the device's MTU
  bool up = true;                     // administratively up
  bool link_up = true;
  // Take packets from the link whose source is one of this stack's own
  // addresses, as Linux's accept_local sysctl does (off there too): for two
  // netifs of one stack on the same link, a DHCP server on one and its
  // client on the other say. Off, they are dropped (ipv4/ipv6.drop_bad_source):
  // such a source is forged or looped back, and answering it loops.
  bool accept_local = false;
};

}  // namespace lwnet
