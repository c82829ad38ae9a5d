// The type of the stack's event counters (ip/ip_stats.h, transport/*_stats.h,
// TcpTableStats): CONFIG_LWNET_STATS_COUNTER_BITS wide, or nothing at all
// without CONFIG_LWNET_STATS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "config/options.h"

namespace lwnet {

// A counter compiled out (CONFIG_LWNET_STATS 0): it takes every update,
// keeps nothing and reads 0, so that the code that counts stays as it is
// and the compiler drops the counting. No core behaviour may depend on a
// counter for that reason (what it needs, such as a netif's ARP conflicts,
// it keeps apart).
class NoCounter {
 public:
  constexpr NoCounter() = default;
  constexpr NoCounter(std::uint64_t) {}  // NOLINT: `StatCounter x = 0` in the stats structs
  constexpr NoCounter& operator++() { return *this; }
  constexpr NoCounter operator++(int) { return *this; }
  constexpr NoCounter& operator+=(std::uint64_t) { return *this; }
  constexpr operator std::uint64_t() const { return 0; }  // NOLINT: reads as a counter that never moved
};

using StatCounter =
    std::conditional_t<!config::stats, NoCounter,
                       std::conditional_t<config::stats_counter_bits == 32, std::uint32_t, std::uint64_t>>;

// Advances `counter` by `n`; a 32-bit counter wraps, as lwIP's do.
inline void count(StatCounter& counter, std::size_t n) { counter += static_cast<StatCounter>(n); }

}  // namespace lwnet
