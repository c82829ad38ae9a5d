// The connection's timers: retransmission, persist, delayed ACK, keepalive,
// TIME-WAIT and the orphan's FIN-WAIT-2 limit. Each is one deadline; none
// ticks while it is not armed.
#include <algorithm>

#include "transport/tcp/tcp_connection.h"

namespace lwnet {

namespace {

// A deadline that is due: disarmed, and true. Out of line: each inlined
// copy of a 64-bit compare and store costs about 12 bytes of Thumb code,
// and timers fire once per deadline, not per packet.
[[gnu::noinline]] bool fire(Instant& deadline, Instant now) {
  if (deadline > now) return false;
  deadline = Instant::max();
  return true;
}

}  // namespace

Instant TcpConnection::keepalive_at() const {
  if (!settings_.keepalive || (state_ != TcpState::Established && state_ != TcpState::CloseWait)) {
    return Instant::max();
  }
  return last_received_ + settings_.keepalive_idle + settings_.keepalive_interval * keepalive_probes_;
}

Instant TcpConnection::out_of_order_expiry() const {
  if (out_of_order_since_ == Instant::max()) return Instant::max();
  return out_of_order_since_ + rtt_.rto() * config::tcp_ooseq_timeout_rtos;
}

Instant TcpConnection::next_deadline() const {
  return std::min({retransmit_at_, persist_at_, delayed_ack_at_, state_timer_at_, cork_until_,
                   keepalive_at(), out_of_order_expiry()});
}

void TcpConnection::on_timer(Instant now, TcpOutput& out) {
  if (fire(state_timer_at_, now)) {
    if (state_ == TcpState::TimeWait || state_ == TcpState::FinWait2) {
      enter_closed();
      return;
    }
  }
  if (fire(retransmit_at_, now)) {
    on_retransmit_timeout(now, out);
    if (state_ == TcpState::Closed) return;
  }
  if (fire(persist_at_, now)) {
    if (send_window_ == 0 && send_queue_.size() > static_cast<std::size_t>(send_next_ - send_base_)) {
      // Zero-window probe: a sequence number just behind SND.UNA is outside
      // the peer's window, so it must answer with an ACK carrying its window.
      (void)send_control(tcp_flags::ack, send_unacknowledged_ - 1, now, out);
      // Not std::min: its reference to max_rto kept the constant in memory.
      persist_backoff_ = persist_backoff_ * 2;
      if (persist_backoff_ > RttEstimator::max_rto) persist_backoff_ = RttEstimator::max_rto;
      persist_at_ = now + persist_backoff_;
    } else {
      persist_backoff_ = Duration::zero();
    }
  }
  if (fire(delayed_ack_at_, now)) ack_now();
  (void)fire(cork_until_, now);  // output() below sends the tail
  if (keepalive_at() <= now) {
    if (keepalive_probes_ >= settings_.keepalive_count) {
      give_up(now, out);
      return;
    }
    ++keepalive_probes_;
    (void)send_control(tcp_flags::ack, send_unacknowledged_ - 1, now, out);
  }
  if (out_of_order_expiry() <= now) {
    // ESP-IDF's CONFIG_LWIP_TCP_OOSEQ_TIMEOUT: stop holding data that the
    // gap in front of it has kept unreadable for several RTOs.
    out_of_order_.clear();
    out_of_order_since_ = Instant::max();
    pending_fin_.reset();
  }
  output(now, out);
}

void TcpConnection::on_retransmit_timeout(Instant now, TcpOutput& out) {
  const bool handshake = state_ == TcpState::SynSent || state_ == TcpState::SynReceived;
  const std::uint32_t limit = handshake ? settings_.syn_max_retransmits : settings_.max_retransmits;
  if (send_max_ == send_unacknowledged_) return;  // nothing outstanding
  if (retransmit_count_ >= limit) {
    give_up(now, out);
    return;
  }
  ++retransmit_count_;
  // A resent SYN goes out as a control segment, uncounted; resent data and
  // FINs are counted where they are sent (send_data_segment).
  if (handshake) ++total_retransmissions_;
  rtt_.back_off();
  if (!handshake) congestion_.on_timeout(in_flight(), now);
  in_recovery_ = false;
  sack_recovery_ = false;
  // RFC 2018 section 8: after a timeout, earlier SACK information is not
  // trusted; everything from SND.UNA is sent again.
  scoreboard_.clear();
  duplicate_acks_ = 0;
  recover_ = send_max_;
  timing_ = false;  // Karn: never time a retransmitted segment
  // Go back to the oldest unacknowledged byte and send from there again.
  send_next_ = send_unacknowledged_;
  arm_retransmit(now);
}

void TcpConnection::on_icmp_error(Error error, bool hard, std::uint32_t sequence) {
  if (state_ == TcpState::Closed || state_ == TcpState::Listen || state_ == TcpState::TimeWait) return;
  const Seq32 seq(sequence);
  if (seq < send_unacknowledged_ || seq >= send_max_) return;
  // A hard error ends an open that has not completed (RFC 1122 4.2.3.9).
  // In SYN-RECEIVED only our SYN-ACK is out: the quote must carry its ISN,
  // which an attacker off the path would have to guess (Linux's
  // tcp_req_err checks the same).
  if (hard && (state_ == TcpState::SynSent ||
               (state_ == TcpState::SynReceived && seq == initial_send_sequence_))) {
    fail(error);
    return;
  }
  soft_error_ = error;
}

void TcpConnection::on_path_mtu(std::uint16_t mss_limit, Instant now, TcpOutput& out) {
  if (state_ == TcpState::Closed || state_ == TcpState::Listen || state_ == TcpState::TimeWait) return;
  if (mss_limit >= mss_limit_) return;
  mss_limit_ = mss_limit;
  // In SYN-SENT, learn_syn() applies the new limit to the SYN-ACK.
  if (state_ == TcpState::SynSent) return;
  std::size_t mss = mss_limit;
  if (use_timestamps()) mss -= 12;  // as learn_syn(): the option rides in every segment
  if (mss < 64) mss = 64;
  if (mss >= send_mss_) return;
  send_mss_ = mss;
  congestion_.set_mss(mss);
  if (state_ == TcpState::SynReceived) return;  // only our SYN-ACK is out
  if (send_next_ > send_unacknowledged_) {
    send_next_ = send_unacknowledged_;
    timing_ = false;  // Karn: what is sent again is never timed
  }
  output(now, out);
}

void TcpConnection::fail(Error error) {
  if (!error_) error_ = error;
  events_ |= tcp_events::error | tcp_events::readable | tcp_events::writable;
  enter_closed();
}

void TcpConnection::give_up(Instant now, TcpOutput& out) {
  if (is_synchronized(state_)) send_reset(send_next_, now, out);
  fail(soft_error_.value_or(Error::TimedOut));
}

void TcpConnection::enter_time_wait(Instant now) {
  state_ = TcpState::TimeWait;
  retransmit_at_ = persist_at_ = delayed_ack_at_ = cork_until_ = Instant::max();
  state_timer_at_ = now + settings_.time_wait;
}

void TcpConnection::enter_closed() {
  state_ = TcpState::Closed;
  retransmit_at_ = persist_at_ = delayed_ack_at_ = state_timer_at_ = cork_until_ = Instant::max();
  out_of_order_since_ = Instant::max();
  out_of_order_.clear();
  // Nothing more will be sent: zero-copy writers get their memory back.
  send_queue_.release_all();
  events_ |= tcp_events::closed;
}

}  // namespace lwnet
