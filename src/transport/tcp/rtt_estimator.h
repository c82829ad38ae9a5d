// Round-trip time and retransmission timeout (RFC 6298).
#pragma once

#include <cstdint>

#include "time/instant.h"

namespace lwnet {

// Core thread only.
class RttEstimator {
 public:
  explicit RttEstimator(Duration initial_rto) : rto_(initial_rto) {}

  // Feeds one measurement (RFC 6298 2.2 and 2.3).
  void sample(Duration rtt);
  // Doubles the RTO after a timeout (5.5), up to max_rto.
  void back_off();
  Duration rto() const { return rto_; }
  Duration smoothed_rtt() const { return Duration::micros(srtt_us_); }
  Duration rtt_variation() const { return Duration::micros(rttvar_us_); }
  bool has_sample() const { return has_sample_; }

  // Linux's floor rather than RFC 6298's 1 s: a LAN round trip is well under
  // a millisecond, and a 1 s floor turns every tail loss into a stall.
  static constexpr Duration min_rto = Duration::millis(200);
  static constexpr Duration max_rto = Duration::seconds(60);
  // A longer sample counts as this long (the RTO stops at max_rto anyway):
  // 7 * SRTT + a sample then fits 32 bits, so the estimator's arithmetic is
  // unsigned 32-bit shifts and adds, where a Cortex-M needs dozens of
  // instructions for a signed 64-bit division by 4 or 8.
  static constexpr std::uint32_t max_sample_us = std::uint32_t{1} << 28;  // about 268 s

 private:
  // rto within [min_rto, max_rto].
  void set_rto(Duration rto);

  std::uint32_t srtt_us_ = 0;
  std::uint32_t rttvar_us_ = 0;
  Duration rto_;
  bool has_sample_ = false;
};

}  // namespace lwnet
