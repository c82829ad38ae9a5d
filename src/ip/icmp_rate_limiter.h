// Token bucket for the ICMP errors a stack sends (RFC 1812 4.3.2.8, RFC 4443
// 2.4(f)): a burst of `per_second` errors, then one every 1/per_second s.
#pragma once

#include <cstdint>
#include <type_traits>

#include "config/options.h"
#include "time/instant.h"

namespace lwnet {

// Kept as the "theoretical arrival time" of the generic cell rate algorithm:
// one Instant instead of a token count and a refill time. The rate is a
// compile-time constant (CONFIG_LWNET_ICMP_ERRORS_PER_SECOND): nothing but
// that Instant is stored or set up at start. Core thread only.
template <std::uint32_t PerSecond>
class IcmpRateLimiter {
 public:
  // True, taking a token, when an error may be sent at `now`.
  bool allow(Instant now) {
    if constexpr (PerSecond == 0) {
      (void)now;
      return false;
    } else {
      const Instant start = tat_ > now ? tat_ : now;
      if (start - now > burst) return false;
      tat_ = start + interval;
      return true;
    }
  }

 private:
  static constexpr Duration interval =
      PerSecond == 0 ? Duration::zero() : Duration::micros(1000000 / (PerSecond == 0 ? 1 : PerSecond));
  static constexpr Duration burst = PerSecond == 0 ? Duration::zero() : interval * (PerSecond - 1);
  Instant tat_;
};

// In the place of a family's limiter where the build leaves the family out
// (its ICMP never runs): no state, no initialisation.
class NoIcmpRateLimiter {
 public:
  bool allow(Instant) { return false; }
};

template <bool Built>
using IcmpRateLimiterIf =
    std::conditional_t<Built, IcmpRateLimiter<config::icmp_errors_per_second>, NoIcmpRateLimiter>;

}  // namespace lwnet
