#include "transport/tcp/rtt_estimator.h"

namespace lwnet {

void RttEstimator::sample(Duration rtt) {
  if (rtt < Duration::zero()) return;
  const std::int64_t us = rtt.total_micros();
  const std::uint32_t r = us > std::int64_t{max_sample_us} ? max_sample_us : static_cast<std::uint32_t>(us);
  if (!has_sample_) {
    srtt_us_ = r;
    rttvar_us_ = r / 2;
    has_sample_ = true;
  } else {
    // beta = 1/4, alpha = 1/8
    rttvar_us_ = (rttvar_us_ * 3 + (srtt_us_ > r ? srtt_us_ - r : r - srtt_us_)) / 4;
    srtt_us_ = (srtt_us_ * 7 + r) / 8;
  }
  // G (clock granularity) is 1 us here, far below 4 * rttvar in practice.
  const std::uint32_t variance = rttvar_us_ == 0 ? 1 : rttvar_us_ * 4;
  set_rto(Duration::micros(std::int64_t{srtt_us_} + variance));
}

void RttEstimator::back_off() { set_rto(rto_ * 2); }

void RttEstimator::set_rto(Duration rto) {
  // Compared as plain numbers: a clamp choosing between Duration objects
  // built both bounds in memory first on Cortex-M.
  const std::int64_t us = rto.total_micros();
  if (us < min_rto.total_micros()) {
    rto_ = min_rto;
  } else if (us > max_rto.total_micros()) {
    rto_ = max_rto;
  } else {
    rto_ = rto;
  }
}

}  // namespace lwnet
