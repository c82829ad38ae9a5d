// Congestion control: NewReno (RFC 5681, RFC 6582) or CUBIC (RFC 9438),
// chosen per connection. The connection decides when loss happened (dup
// ACKs, SACK, timeout); this only sizes the congestion window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "config/options.h"
#include "time/instant.h"

namespace lwnet {

enum class CongestionAlgorithm : std::uint8_t { NewReno, Cubic };

// Core thread only.
class CongestionControl {
 public:
  CongestionControl() = default;
  CongestionControl(CongestionAlgorithm algorithm, std::size_t mss);

  std::size_t window() const { return cwnd_; }
  std::size_t slow_start_threshold() const { return ssthresh_; }
  bool in_slow_start() const { return cwnd_ < ssthresh_; }
  CongestionAlgorithm algorithm() const { return algorithm_; }

  // New data was acknowledged outside loss recovery.
  void on_ack(std::size_t acked, Instant now, Duration smoothed_rtt);
  // Loss detected by duplicate ACKs or SACK: the window shrinks once per
  // round trip (the connection calls this once per recovery episode).
  void on_loss(std::size_t in_flight, Instant now);
  // The retransmission timer fired: restart from one segment (RFC 5681 3.1).
  void on_timeout(std::size_t in_flight, Instant now);
  // Fast recovery window inflation and deflation (RFC 6582 3.2).
  void inflate(std::size_t bytes) { cwnd_ += bytes; }
  void set_window(std::size_t bytes) { cwnd_ = bytes < mss_ ? mss_ : bytes; }
  // The path MTU went down: the window's unit shrinks, the window stays.
  void set_mss(std::size_t mss) { mss_ = mss; }
  // After an idle period longer than the RTO (RFC 5681 4.1).
  void restart_after_idle();

 private:
  // CUBIC's state, in segments.
  struct CubicState {
    double w_max = 0;
    double w_last_max = 0;
    double w_est = 0;
    double k = 0;
    double growth_credit = 0;  // fractions of a segment not yet added to cwnd
    Instant epoch_start = Instant::max();
    void restart_epoch() { epoch_start = Instant::max(); }
  };
  // Without CONFIG_LWNET_TCP_CUBIC: no state (48 bytes less per connection).
  struct NoCubicState {
    void restart_epoch() {}
  };

  // Templates on the state, so that they are compiled only where CUBIC is.
  template <class State>
  void cubic_on_ack(State& cubic, std::size_t acked, Instant now, Duration smoothed_rtt);
  template <class State>
  void cubic_on_congestion(State& cubic);

  CongestionAlgorithm algorithm_ = CongestionAlgorithm::NewReno;
  std::size_t mss_ = 536;
  std::size_t cwnd_ = 0;
  std::size_t ssthresh_ = SIZE_MAX;
  std::size_t bytes_acked_ = 0;  // congestion avoidance accumulator (RFC 3465)
  [[no_unique_address]] std::conditional_t<config::tcp_cubic, CubicState, NoCubicState> cubic_;
};

}  // namespace lwnet
