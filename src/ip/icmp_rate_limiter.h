// Token bucket for the ICMP errors a stack sends (RFC 1812 4.3.2.8, RFC 4443
// 2.4(f)): a burst of `per_second` errors, then one every 1/per_second s.
#pragma once

#include <cstdint>
#include <type_traits>

#include "time/instant.h"

namespace lwnet {

// Kept as the "theoretical arrival time" of the generic cell rate algorithm:
// one Instant instead of a token count and a refill time. Core thread only.
class IcmpRateLimiter {
 public:
  explicit IcmpRateLimiter(std::uint32_t per_second)
      : per_second_(per_second),
        interval_(per_second == 0 ? Duration::zero() : Duration::micros(1000000 / per_second)),
        burst_(per_second == 0 ? Duration::zero() : interval_ * (per_second - 1)) {}

  // True, taking a token, when an error may be sent at `now`.
  bool allow(Instant now) {
    if (per_second_ == 0) return false;
    const Instant start = tat_ > now ? tat_ : now;
    if (start - now > burst_) return false;
    tat_ = start + interval_;
    return true;
  }

 private:
  std::uint32_t per_second_;
  Duration interval_;
  Duration burst_;
  Instant tat_;
};

// In the place of a family's limiter where the build leaves the family out
// (its ICMP never runs): no state, no initialisation.
class NoIcmpRateLimiter {
 public:
  explicit constexpr NoIcmpRateLimiter(std::uint32_t) {}
  bool allow(Instant) { return false; }
};

template <bool Built>
using IcmpRateLimiterIf = std::conditional_t<Built, IcmpRateLimiter, NoIcmpRateLimiter>;

}  // namespace lwnet
