#include "transport/tcp/rtt_estimator.h"

namespace lwnet {

namespace {
Duration clamp(Duration d, Duration low, Duration high) {
  return d < low ? low : (d > high ? high : d);
}
Duration abs_diff(Duration a, Duration b) { return a < b ? b - a : a - b; }
}  // namespace

void RttEstimator::sample(Duration rtt) {
  if (rtt < Duration::zero()) return;
  if (!has_sample_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    has_sample_ = true;
  } else {
    // beta = 1/4, alpha = 1/8
    rttvar_ = (rttvar_ * 3 + abs_diff(srtt_, rtt)) / 4;
    srtt_ = (srtt_ * 7 + rtt) / 8;
  }
  // G (clock granularity) is 1 us here, far below 4 * rttvar in practice.
  Duration variance = rttvar_ * 4;
  if (variance < Duration::micros(1)) variance = Duration::micros(1);
  rto_ = clamp(srtt_ + variance, min_rto, max_rto);
}

void RttEstimator::back_off() { rto_ = clamp(rto_ * 2, min_rto, max_rto); }

}  // namespace lwnet
