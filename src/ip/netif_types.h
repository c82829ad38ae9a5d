// Names for netifs that every layer above ip/ and the Stack's API share.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "wire/address.h"

namespace lwnet {

// Index of a netif in its stack (0 is the loopback netif).
struct NetifId {
  std::uint8_t value = 0;
  bool operator==(const NetifId&) const = default;
};

// A snapshot of one netif's state, for display.
struct NetifInfo {
  std::array<char, 16> name{};
  MacAddress mac;
  std::optional<IpCidr> ipv4;
  std::optional<Ipv4Address> gateway;
  std::size_t mtu = 0;
  bool up = false;
  bool link_up = false;
  bool is_loopback = false;
};

}  // namespace lwnet
