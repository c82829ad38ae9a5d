// IGMP version 2 (RFC 2236): membership query, version 2 report and leave
// group, plus the version 1 report (RFC 1112) that a v2 host must hear for
// report suppression. Longer queries (IGMPv3, RFC 3376 7.1) parse as their
// first 8 bytes, which is how a v2 host must treat them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

enum class IgmpType : std::uint8_t {
  MembershipQuery = 0x11,
  V1MembershipReport = 0x12,
  V2MembershipReport = 0x16,
  LeaveGroup = 0x17,
};

// Multicast groups IGMP itself uses (RFC 2236 9).
inline constexpr Ipv4Address igmp_all_hosts = Ipv4Address::of(224, 0, 0, 1);
inline constexpr Ipv4Address igmp_all_routers = Ipv4Address::of(224, 0, 0, 2);

struct IgmpRepr {
  static constexpr std::size_t header_len = 8;

  std::uint8_t type = 0;  // IgmpType value; unknown types parse (the caller counts them)
  // Queries: the longest delay before answering, in tenths of a second
  // (0 in an IGMPv1 query). Zero in everything else.
  std::uint8_t max_response_time = 0;
  // Unspecified in a general query; the group otherwise.
  Ipv4Address group;

  // Any thread. Truncated below 8 bytes; BadChecksum when the checksum over
  // the whole message is wrong; Malformed when a report or leave names
  // something other than a multicast group, or a query names a group that
  // is neither unspecified nor multicast.
  static Result<IgmpRepr> parse(ConstBytes message);
  // Any thread. Writes the 8-byte message (and its checksum) into message[0..8).
  void emit(Bytes message) const;
};

}  // namespace lwnet
