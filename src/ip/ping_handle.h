// Handles and results of ICMP echo endpoints (the Stack's ping API).
#pragma once

#include <cstddef>
#include <cstdint>

#include "wire/address.h"

namespace lwnet {

// Carries a generation so a closed handle cannot reach a new endpoint that
// reuses its slot.
struct PingHandle {
  std::uint16_t slot = 0;
  std::uint16_t generation = 0;
  bool operator==(const PingHandle&) const = default;
};

struct EchoReply {
  IpAddress from;
  std::uint16_t sequence = 0;
  std::uint8_t ttl = 0;
  std::size_t size = 0;      // ICMP data bytes
  std::size_t copied = 0;
};

}  // namespace lwnet
