#include "transport/tcp/congestion.h"

#include <algorithm>

#include "config/options.h"

namespace lwnet {

namespace {

// RFC 9438 constants.
constexpr double cubic_c = 0.4;
constexpr double cubic_beta = 0.7;

// Cube root by Newton's method: <cmath> is not freestanding.
// Unused (and dropped) without CONFIG_LWNET_TCP_CUBIC.
[[maybe_unused]] double cube_root(double x) {
  if (x <= 0) return 0;
  double r = x > 1 ? x / 3 : 1;
  for (int i = 0; i < 60; ++i) {
    double next = (2 * r + x / (r * r)) / 3;
    if (next == r) break;
    r = next;
  }
  return r;
}

}  // namespace

CongestionControl::CongestionControl(CongestionAlgorithm algorithm, std::size_t mss)
    : algorithm_(algorithm), mss_(mss) {
  // RFC 6928's initial window of ten segments, capped at 14600 bytes.
  cwnd_ = std::min(10 * mss, std::max<std::size_t>(2 * mss, 14600));
}

void CongestionControl::on_ack(std::size_t acked, Instant now, Duration smoothed_rtt) {
  if (cwnd_ < ssthresh_) {
    // Slow start with appropriate byte counting, L = 2 * SMSS (RFC 3465).
    cwnd_ += std::min(acked, 2 * mss_);
    return;
  }
  if constexpr (config::tcp_cubic) {
    if (algorithm_ == CongestionAlgorithm::Cubic) {
      cubic_on_ack(cubic_, acked, now, smoothed_rtt);
      return;
    }
  }
  // Congestion avoidance: one segment per window of acknowledged bytes.
  bytes_acked_ += acked;
  if (bytes_acked_ >= cwnd_) {
    bytes_acked_ -= cwnd_;
    cwnd_ += mss_;
  }
}

void CongestionControl::on_loss(std::size_t in_flight, Instant) {
  if constexpr (config::tcp_cubic) {
    if (algorithm_ == CongestionAlgorithm::Cubic) {
      cubic_on_congestion(cubic_);
      return;
    }
  }
  ssthresh_ = std::max(in_flight / 2, 2 * mss_);
  cwnd_ = ssthresh_;
  bytes_acked_ = 0;
}

void CongestionControl::on_timeout(std::size_t in_flight, Instant) {
  bool cubic = false;
  if constexpr (config::tcp_cubic) {
    cubic = algorithm_ == CongestionAlgorithm::Cubic;
    if (cubic) cubic_on_congestion(cubic_);
  }
  if (!cubic) ssthresh_ = std::max(in_flight / 2, 2 * mss_);
  cwnd_ = mss_;
  bytes_acked_ = 0;
  cubic_.restart_epoch();
}

void CongestionControl::restart_after_idle() {
  cwnd_ = std::min(cwnd_, std::min(10 * mss_, std::max<std::size_t>(2 * mss_, 14600)));
  cubic_.restart_epoch();
}

template <class State>
void CongestionControl::cubic_on_congestion(State& cubic) {
  const double segments = static_cast<double>(cwnd_) / static_cast<double>(mss_);
  // Fast convergence (RFC 9438 4.7): release bandwidth to newer flows.
  if (segments < cubic.w_last_max) {
    cubic.w_last_max = segments;
    cubic.w_max = segments * (1.0 + cubic_beta) / 2.0;
  } else {
    cubic.w_last_max = segments;
    cubic.w_max = segments;
  }
  const double reduced = std::max(segments * cubic_beta, 2.0);
  ssthresh_ = static_cast<std::size_t>(reduced * static_cast<double>(mss_));
  cwnd_ = ssthresh_;
  cubic.k = cube_root(cubic.w_max * (1.0 - cubic_beta) / cubic_c);
  cubic.epoch_start = Instant::max();
}

template <class State>
void CongestionControl::cubic_on_ack(State& cubic, std::size_t acked, Instant now,
                                     Duration smoothed_rtt) {
  const double mss = static_cast<double>(mss_);
  double cwnd_segments = static_cast<double>(cwnd_) / mss;
  if (cubic.epoch_start == Instant::max()) {
    cubic.epoch_start = now;
    if (cubic.w_max <= cwnd_segments) {
      // No loss seen yet (or above the old maximum): probe from here.
      cubic.w_max = cwnd_segments;
      cubic.k = 0;
    } else {
      cubic.k = cube_root((cubic.w_max - cwnd_segments) / cubic_c);
    }
    cubic.w_est = cwnd_segments;
  }
  const double t = static_cast<double>((now - cubic.epoch_start + smoothed_rtt).total_micros()) / 1e6;
  const double offset = t - cubic.k;
  double target = cubic_c * offset * offset * offset + cubic.w_max;
  target = std::clamp(target, cwnd_segments, cwnd_segments * 1.5);
  // Reno-friendly region (RFC 9438 4.3).
  const double alpha = 3.0 * (1.0 - cubic_beta) / (1.0 + cubic_beta);
  cubic.w_est += alpha * (static_cast<double>(acked) / mss) / cwnd_segments;
  if (cubic.w_est > target) target = cubic.w_est;
  // Grow by (target - cwnd) / cwnd segments per segment acknowledged.
  cubic.growth_credit += (target - cwnd_segments) / cwnd_segments * (static_cast<double>(acked) / mss);
  if (cubic.growth_credit >= 1.0) {
    const auto whole = static_cast<std::size_t>(cubic.growth_credit);
    cwnd_ += whole * mss_;
    cubic.growth_credit -= static_cast<double>(whole);
  }
}

}  // namespace lwnet
