// MLD timing (RFC 3810 9, RFC 2710 7). The protocol itself is IpLayer's
// mld_* (mld.cpp) over the group table of ip/multicast_groups.h.
#pragma once

#include <cstdint>

#include "time/instant.h"

namespace lwnet::mld_timing {

// Reports a join sends in all (RFC 3810 9.1 Robustness Variable).
inline constexpr std::uint8_t robustness = 2;
// Between a join's unsolicited reports: MLDv2's (RFC 3810 9.11) and
// MLDv1's (RFC 2710 7.10).
inline constexpr Duration unsolicited_report_interval_v2 = Duration::seconds(1);
inline constexpr Duration unsolicited_report_interval_v1 = Duration::seconds(10);
// How long a netif keeps answering in MLDv1 after an MLDv1 query (RFC 3810
// 9.12 Older Version Querier Present Timeout: Robustness x Query Interval
// (125 s) + Query Response Interval (10 s)).
inline constexpr Duration older_version_querier_present = Duration::seconds(2 * 125 + 10);

}  // namespace lwnet::mld_timing
