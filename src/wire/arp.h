// ARP for IPv4 over Ethernet (RFC 826), the only hardware/protocol pair used.
#pragma once

#include <cstdint>

#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

enum class ArpOperation : std::uint16_t { Request = 1, Reply = 2 };

struct ArpRepr {
  static constexpr std::size_t packet_len = 28;

  ArpOperation operation = ArpOperation::Request;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;

  // Any thread. Truncated below 28 bytes; Unsupported for hardware type != 1,
  // protocol != 0x0800, address lengths != 6/4; Malformed for an operation
  // other than request or reply. Trailing bytes (Ethernet padding) are ignored.
  static Result<ArpRepr> parse(ConstBytes packet);
  // Any thread. Writes 28 bytes.
  void emit(Bytes packet) const;
};

}  // namespace lwnet
