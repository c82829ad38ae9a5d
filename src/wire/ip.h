// Things IPv4 and IPv6 share: protocol numbers and the transport pseudo-header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/checksum.h"
#include "wire/address.h"

namespace lwnet {

enum class IpProtocol : std::uint8_t {
  HopByHop = 0, Icmp = 1, Igmp = 2, Tcp = 6, Udp = 17, Ipv6Route = 43, Ipv6Frag = 44,
  Icmpv6 = 58, Ipv6NoNext = 59, Ipv6Opts = 60,
};

// The fixed IP header: 20 bytes for IPv4 (no options), 40 for IPv6 (no
// extension headers). What TCP's MSS and the offload's checksum start
// count.
constexpr std::size_t ip_header_len(IpVersion version) {
  return version == IpVersion::V4 ? 20 : 40;
}

// Any thread. A Checksum primed with the pseudo-header of RFC 768/793 (IPv4)
// or RFC 8200 section 8.1 (IPv6); add the transport header and payload to it.
Checksum pseudo_header_checksum(const IpAddress& source, const IpAddress& destination,
                                IpProtocol protocol, std::uint32_t length);

}  // namespace lwnet
