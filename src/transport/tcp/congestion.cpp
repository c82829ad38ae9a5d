#include "transport/tcp/congestion.h"

#include <algorithm>

#include "config/options.h"

namespace lwnet {

namespace {

// RFC 9438 constants.
constexpr double cubic_c = 0.4;
constexpr double cubic_beta = 0.7;

// Cube root by Newton's method: <cmath> is not freestanding.
double cube_root(double x) {
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
  if (config::tcp_cubic && algorithm_ == CongestionAlgorithm::Cubic) {
    cubic_on_ack(acked, now, smoothed_rtt);
    return;
  }
  // Congestion avoidance: one segment per window of acknowledged bytes.
  bytes_acked_ += acked;
  if (bytes_acked_ >= cwnd_) {
    bytes_acked_ -= cwnd_;
    cwnd_ += mss_;
  }
}

void CongestionControl::on_loss(std::size_t in_flight, Instant now) {
  if (config::tcp_cubic && algorithm_ == CongestionAlgorithm::Cubic) {
    cubic_on_congestion(now);
    return;
  }
  ssthresh_ = std::max(in_flight / 2, 2 * mss_);
  cwnd_ = ssthresh_;
  bytes_acked_ = 0;
}

void CongestionControl::on_timeout(std::size_t in_flight, Instant now) {
  if (config::tcp_cubic && algorithm_ == CongestionAlgorithm::Cubic) {
    cubic_on_congestion(now);
  } else {
    ssthresh_ = std::max(in_flight / 2, 2 * mss_);
  }
  cwnd_ = mss_;
  bytes_acked_ = 0;
  epoch_start_ = Instant::max();
}

void CongestionControl::restart_after_idle() {
  cwnd_ = std::min(cwnd_, std::min(10 * mss_, std::max<std::size_t>(2 * mss_, 14600)));
  epoch_start_ = Instant::max();
}

void CongestionControl::cubic_on_congestion(Instant now) {
  (void)now;
  const double segments = static_cast<double>(cwnd_) / static_cast<double>(mss_);
  // Fast convergence (RFC 9438 4.7): release bandwidth to newer flows.
  if (segments < w_last_max_) {
    w_last_max_ = segments;
    w_max_ = segments * (1.0 + cubic_beta) / 2.0;
  } else {
    w_last_max_ = segments;
    w_max_ = segments;
  }
  const double reduced = std::max(segments * cubic_beta, 2.0);
  ssthresh_ = static_cast<std::size_t>(reduced * static_cast<double>(mss_));
  cwnd_ = ssthresh_;
  k_ = cube_root(w_max_ * (1.0 - cubic_beta) / cubic_c);
  epoch_start_ = Instant::max();
}

void CongestionControl::cubic_on_ack(std::size_t acked, Instant now, Duration smoothed_rtt) {
  const double mss = static_cast<double>(mss_);
  double cwnd_segments = static_cast<double>(cwnd_) / mss;
  if (epoch_start_ == Instant::max()) {
    epoch_start_ = now;
    if (w_max_ <= cwnd_segments) {
      // No loss seen yet (or above the old maximum): probe from here.
      w_max_ = cwnd_segments;
      k_ = 0;
    } else {
      k_ = cube_root((w_max_ - cwnd_segments) / cubic_c);
    }
    w_est_ = cwnd_segments;
  }
  const double t = static_cast<double>((now - epoch_start_ + smoothed_rtt).total_micros()) / 1e6;
  const double offset = t - k_;
  double target = cubic_c * offset * offset * offset + w_max_;
  target = std::clamp(target, cwnd_segments, cwnd_segments * 1.5);
  // Reno-friendly region (RFC 9438 4.3).
  const double alpha = 3.0 * (1.0 - cubic_beta) / (1.0 + cubic_beta);
  w_est_ += alpha * (static_cast<double>(acked) / mss) / cwnd_segments;
  if (w_est_ > target) target = w_est_;
  // Grow by (target - cwnd) / cwnd segments per segment acknowledged.
  growth_credit_ += (target - cwnd_segments) / cwnd_segments * (static_cast<double>(acked) / mss);
  if (growth_credit_ >= 1.0) {
    const auto whole = static_cast<std::size_t>(growth_credit_);
    cwnd_ += whole * mss_;
    growth_credit_ -= static_cast<double>(whole);
  }
}

}  // namespace lwnet
