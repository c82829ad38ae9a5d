// Round-trip time and retransmission timeout (RFC 6298).
#pragma once

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
  Duration smoothed_rtt() const { return srtt_; }
  Duration rtt_variation() const { return rttvar_; }
  bool has_sample() const { return has_sample_; }

  // Linux's floor rather than RFC 6298's 1 s: a LAN round trip is well under
  // a millisecond, and a 1 s floor turns every tail loss into a stall.
  static constexpr Duration min_rto = Duration::millis(200);
  static constexpr Duration max_rto = Duration::seconds(60);

 private:
  Duration srtt_{};
  Duration rttvar_{};
  Duration rto_;
  bool has_sample_ = false;
};

}  // namespace lwnet
