// Ethernet II framing (IEEE 802.3 with an EtherType, RFC 894).
#pragma once

#include <cstdint>

#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

enum class EtherType : std::uint16_t { Ipv4 = 0x0800, Arp = 0x0806, Ipv6 = 0x86dd };

struct EthernetRepr {
  static constexpr std::size_t header_len = 14;
  static constexpr std::size_t min_frame_len = 60;  // without FCS; shorter frames get padding

  MacAddress destination;
  MacAddress source;
  std::uint16_t ethertype = 0;  // EtherType value, or any other (counted as unknown)
  ConstBytes payload;           // may include trailing padding

  // Any thread. Truncated when shorter than the header; EtherTypes below
  // 0x0600 (802.3 length fields) are Unsupported.
  static Result<EthernetRepr> parse(ConstBytes frame);
  // Any thread. Writes the 14-byte header into frame[0..14).
  void emit(Bytes frame) const;
};

}  // namespace lwnet
