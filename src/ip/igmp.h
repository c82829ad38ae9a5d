// IGMPv2 timing (RFC 2236 8). The protocol itself is IpLayer's igmp_*
// (igmp.cpp) over the group table of ip/multicast_groups.h.
#pragma once

#include "time/instant.h"

namespace lwnet::igmp_timing {

// Between the two unsolicited reports a join sends (RFC 2236 8.10).
inline constexpr Duration unsolicited_report_interval = Duration::seconds(10);
// The Max Resp Time an IGMPv1 query (which has none, RFC 2236 4) stands for.
inline constexpr Duration v1_max_response = Duration::seconds(10);
// How long a v1 query keeps a netif in IGMPv1 compatibility (RFC 2236 8.11).
inline constexpr Duration v1_router_present_timeout = Duration::seconds(400);

}  // namespace lwnet::igmp_timing
