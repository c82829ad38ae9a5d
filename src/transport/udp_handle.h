// Handles and results of UDP endpoints (the Stack's UDP API).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ip/netif_types.h"
#include "wire/address.h"

namespace lwnet {

// Carries a generation so a closed handle cannot reach a new endpoint that
// reuses its slot.
struct UdpHandle {
  std::uint16_t slot = 0;
  std::uint16_t generation = 0;
  bool operator==(const UdpHandle&) const = default;
};

struct UdpReceived {
  std::size_t size = 0;      // bytes of the datagram (may exceed what was copied)
  std::size_t copied = 0;    // bytes copied into the caller's buffer
  IpEndpoint from;
  IpAddress to;              // destination address the datagram had (IP_PKTINFO)
  NetifId netif;             // where it arrived
};

}  // namespace lwnet
