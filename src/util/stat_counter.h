// The type of the stack's event counters (ip/ip_stats.h, transport/*_stats.h,
// TcpTableStats): CONFIG_LWNET_STATS_COUNTER_BITS wide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "config/options.h"

namespace lwnet {

using StatCounter = std::conditional_t<config::stats_counter_bits == 32, std::uint32_t, std::uint64_t>;

// Advances `counter` by `n`; a 32-bit counter wraps, as lwIP's do.
inline void count(StatCounter& counter, std::size_t n) { counter += static_cast<StatCounter>(n); }

}  // namespace lwnet
