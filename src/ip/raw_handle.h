// Handles and results of raw IP endpoints (the Stack's raw API, under
// SOCK_RAW sockets).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ip/netif_types.h"
#include "wire/address.h"

namespace lwnet {

// Carries a generation so a closed handle cannot reach a new endpoint that
// reuses its slot.
struct RawHandle {
  std::uint16_t slot = 0;
  std::uint16_t generation = 0;
  bool operator==(const RawHandle&) const = default;
};

// RFC 3542's struct icmp6_filter: bit t (word t / 32, bit t % 32) set
// blocks ICMPv6 type t.
using RawIcmpv6Filter = std::array<std::uint32_t, 8>;

struct RawReceived {
  std::size_t size = 0;    // bytes of the packet (IPv4: header included)
  std::size_t copied = 0;  // bytes copied into the caller's buffer
  IpAddress from;          // the packet's source address
  NetifId netif;           // where it arrived
};

}  // namespace lwnet
