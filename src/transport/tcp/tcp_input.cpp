// Segment arrival (RFC 9293 3.10.7), with the RFC 5961 defences against
// blind resets and injected SYNs and ACKs.
#include <algorithm>

#include "transport/tcp/tcp_connection.h"

namespace lwnet {

namespace {
std::uint32_t sequence_length(const TcpRepr& s) {
  return static_cast<std::uint32_t>(s.payload.size()) + (s.has(tcp_flags::syn) ? 1U : 0U) +
         (s.has(tcp_flags::fin) ? 1U : 0U);
}
}  // namespace

void TcpConnection::on_segment(const TcpRepr& segment, Instant now, TcpOutput& out) {
  switch (state_) {
    case TcpState::Closed:
    case TcpState::Listen:
      return;  // the connection table answers these (RST or a new connection)
    case TcpState::SynSent:
      on_segment_syn_sent(segment, now, out);
      break;
    default:
      on_segment_synchronized(segment, now, out);
      break;
  }
  output(now, out);
}

void TcpConnection::on_segment_syn_sent(const TcpRepr& segment, Instant now, TcpOutput& out) {
  bool ack_acceptable = false;
  if (segment.has(tcp_flags::ack)) {
    const Seq32 ack(segment.acknowledgment);
    if (ack <= initial_send_sequence_ || ack > send_max_) {
      if (!segment.has(tcp_flags::rst)) send_reset(ack, now, out);
      return;
    }
    ack_acceptable = true;
  }
  if (segment.has(tcp_flags::rst)) {
    if (ack_acceptable) {
      fail(Error::ConnectionRefused);
    }
    return;
  }
  if (!segment.has(tcp_flags::syn)) return;

  last_received_ = now;
  learn_syn(segment, mss_limit_);
  if (ack_acceptable) {
    window_update_ack_ = Seq32(segment.acknowledgment);
    if (use_timestamps() && segment.timestamp && segment.timestamp->echo_reply != 0) {
      rtt_.sample(Duration::millis(timestamp_now(now) - segment.timestamp->echo_reply));
    } else if (retransmit_count_ == 0) {
      rtt_.sample(now - timed_at_);
    }
    send_unacknowledged_ = Seq32(segment.acknowledgment);
    if (send_next_ < send_unacknowledged_) send_next_ = send_unacknowledged_;
    retransmit_count_ = 0;
    retransmit_at_ = Instant::max();
    state_ = TcpState::Established;
    events_ |= tcp_events::connected | tcp_events::writable;
    ack_now();
  } else {
    // Simultaneous open (RFC 9293 figure 7): answer with SYN-ACK.
    state_ = TcpState::SynReceived;
    send_next_ = initial_send_sequence_;
  }
}

bool TcpConnection::acceptable(const TcpRepr& segment) const {
  const Seq32 seq(segment.sequence);
  const std::uint32_t length = sequence_length(segment);
  const std::int32_t advertised = advertised_edge_ - receive_next_;
  const std::size_t free = receive_window_free();
  const std::size_t window =
      advertised > 0 && static_cast<std::size_t>(advertised) > free ? static_cast<std::size_t>(advertised) : free;
  const auto in_window = [&](Seq32 s) {
    return s >= receive_next_ && (s - receive_next_) < static_cast<std::int64_t>(window);
  };
  if (window == 0) {
    // A zero window still takes ACKs, RSTs and the FIN or data that sits
    // exactly at RCV.NXT (its data is dropped later for lack of room).
    return seq == receive_next_;
  }
  if (length == 0) return in_window(seq);
  return in_window(seq) || in_window(seq + (length - 1));
}

void TcpConnection::on_segment_synchronized(const TcpRepr& segment, Instant now, TcpOutput& out) {
  const Seq32 seq(segment.sequence);
  // PAWS (RFC 7323 5): an old duplicate carries an older timestamp.
  if (use_timestamps() && segment.timestamp && !segment.has(tcp_flags::rst) &&
      static_cast<std::int32_t>(segment.timestamp->value - timestamp_recent_) < 0) {
    ack_now();
    return;
  }
  if (state_ == TcpState::SynReceived && segment.has(tcp_flags::syn) &&
      !segment.has(tcp_flags::ack) && seq == initial_receive_sequence_) {
    send_next_ = initial_send_sequence_;  // our SYN-ACK was lost: send it again
    return;
  }
  if (!acceptable(segment)) {
    if (segment.has(tcp_flags::rst)) return;
    ack_now();
    if (state_ == TcpState::TimeWait && segment.has(tcp_flags::fin)) {
      // A retransmitted FIN: our last ACK was lost. Restart 2MSL (RFC 9293 3.10.7.4).
      state_timer_at_ = now + settings_.time_wait;
    }
    return;
  }
  if (segment.has(tcp_flags::rst)) {
    // RFC 5961 3.2: only an exact match resets; anything else in the window
    // gets a challenge ACK, so a blind attacker has to guess RCV.NXT.
    if (seq != receive_next_) {
      challenge_ack(now);
      return;
    }
    // RFC 1337: a reset cannot cut TIME-WAIT short.
    if (state_ == TcpState::TimeWait) return;
    if (state_ == TcpState::Closing || state_ == TcpState::LastAck) {
      enter_closed();
    } else {
      fail(Error::ConnectionReset);
    }
    return;
  }
  last_received_ = now;
  keepalive_probes_ = 0;
  if (segment.has(tcp_flags::syn)) {
    challenge_ack(now);  // RFC 5961 4: challenge ACK, never a reset
    return;
  }
  if (use_timestamps() && segment.timestamp && seq <= receive_next_) {
    timestamp_recent_ = segment.timestamp->value;
  }
  if (!segment.has(tcp_flags::ack)) return;
  if (!process_ack(segment, now, out)) return;
  if (state_ == TcpState::Closed) return;

  if (!segment.payload.empty()) {
    switch (state_) {
      case TcpState::Established:
      case TcpState::FinWait1:
      case TcpState::FinWait2:
        if (orphaned_) {
          // Nobody will read it: tell the peer at once (as Linux does).
          send_reset(send_next_, now, out);
          fail(Error::ConnectionAborted);
          return;
        }
        process_data(segment, now);
        break;
      default:
        break;  // after the peer's FIN: a retransmission, already ACKed
    }
  }
  if (segment.has(tcp_flags::fin) && !fin_received_) {
    // Behind a gap it counts once the gap fills; in sequence, just below.
    const Seq32 fin_seq = seq + static_cast<std::uint32_t>(segment.payload.size());
    if ((fin_seq > receive_next_ && settings_.queue_out_of_order) || fin_seq == receive_next_) {
      pending_fin_ = fin_seq;
    }
  }
  if (pending_fin_ && *pending_fin_ == receive_next_ && !fin_received_) {
    pending_fin_.reset();
    process_fin(now);
  }
}

bool TcpConnection::process_ack(const TcpRepr& segment, Instant now, TcpOutput& out) {
  const Seq32 ack(segment.acknowledgment);
  const Seq32 seq(segment.sequence);
  if (state_ == TcpState::SynReceived) {
    if (ack <= send_unacknowledged_ || ack > send_max_) {
      send_reset(ack, now, out);
      return false;
    }
    state_ = TcpState::Established;
    events_ |= tcp_events::connected | tcp_events::writable;
    // The window update below then always takes this segment's window (the
    // checks between cannot fail with SND.UNA < SEG.ACK <= SND.MAX, and
    // window_changed is read only when SEG.ACK = SND.UNA): one copy of it.
    window_update_seq_ = seq;
    window_update_ack_ = ack;
  }
  if (ack > send_max_) {
    ack_now();  // it acknowledges something we never sent
    return false;
  }
  // RFC 5961 5.2: an ACK far behind SND.UNA is a blind injection attempt.
  if (ack < send_unacknowledged_ - static_cast<std::uint32_t>(max_send_window_ > 0 ? max_send_window_ : 1)) {
    challenge_ack(now);
    return false;
  }

  const std::size_t new_window = std::size_t{segment.window} << send_shift();
  const bool window_changed = new_window != send_window_;
  if (window_update_seq_ < seq || (window_update_seq_ == seq && window_update_ack_ <= ack)) {
    send_window_ = new_window;
    max_send_window_ = std::max(max_send_window_, send_window_);
    window_update_seq_ = seq;
    window_update_ack_ = ack;
    if (send_window_ > 0) {
      persist_at_ = Instant::max();
      persist_backoff_ = Duration::zero();
    }
  }

  if (config::tcp_sack_in && segment.sack_count > 0) scoreboard_.add_blocks(segment, send_unacknowledged_, send_max_);

  if (ack > send_unacknowledged_) {
    const auto acked = static_cast<std::size_t>(ack - send_unacknowledged_);
    // RTT: the echoed timestamp when there is one, else the timed segment.
    if (use_timestamps() && segment.timestamp && segment.timestamp->echo_reply != 0) {
      rtt_.sample(Duration::millis(static_cast<std::int32_t>(timestamp_now(now) - segment.timestamp->echo_reply)));
    } else if (timing_ && ack > timed_seq_) {
      rtt_.sample(now - timed_at_);
      timing_ = false;
    }
    // Drop acknowledged data from the ring (the SYN and FIN carry no bytes).
    if (ack > send_base_) {
      std::size_t data_acked = static_cast<std::size_t>(ack - send_base_);
      if (data_acked > send_queue_.size()) data_acked = send_queue_.size();
      // send_base_ first: a zero-copy completion may look at the connection.
      send_base_ += static_cast<std::uint32_t>(data_acked);
      send_queue_.consume(data_acked);
      if (data_acked > 0) events_ |= tcp_events::writable;
    }
    send_unacknowledged_ = ack;
    if (send_next_ < send_unacknowledged_) send_next_ = send_unacknowledged_;
    if constexpr (config::tcp_sack_in) scoreboard_.acknowledge(ack);
    // HighRxt drives SACK recovery only.
    if (config::tcp_sack_in && high_retransmitted_ < ack) high_retransmitted_ = ack;
    retransmit_count_ = 0;

    if (in_recovery_) {
      if (ack >= recover_) {
        // Full acknowledgment (RFC 6582 3.2 step 3): deflate.
        in_recovery_ = false;
        sack_recovery_ = false;
        // RFC 6582 3.2 step 3, option 1: no burst larger than the flight.
        congestion_.set_window(std::min(congestion_.slow_start_threshold(),
                                        std::max(in_flight(), send_mss_) + send_mss_));
      } else if (!sack_recovery()) {
        // Partial acknowledgment: the next hole is lost too; resend it at once.
        std::size_t sent = 0;
        (void)send_data_segment(send_unacknowledged_, send_mss_, true, now, out, sent);
        const std::size_t deflate = std::min(acked, congestion_.window());
        congestion_.set_window(congestion_.window() - deflate + (acked >= send_mss_ ? send_mss_ : 0));
      }
    } else if (!scoreboard_.empty() && scoreboard_.is_lost(send_unacknowledged_, send_mss_) &&
               ack >= recover_) {
      enter_recovery(now, out);  // SACKs show a loss although the ACK moved
    } else {
      congestion_.on_ack(acked, now, rtt_.smoothed_rtt());
    }
    duplicate_acks_ = 0;
    limited_transmit_ = 0;
    retransmit_at_ = send_unacknowledged_ == send_max_ ? Instant::max() : now + rtt_.rto();

    if (fin_queued_ && send_unacknowledged_ == fin_seq_ + 1) on_our_fin_acknowledged(now);
    return true;
  }

  // RFC 5681 2: a duplicate ACK acknowledges nothing new, carries no data
  // and no window change, while data is outstanding.
  if (ack == send_unacknowledged_ && segment.payload.empty() && !segment.has(tcp_flags::fin) &&
      !window_changed && send_max_ > send_unacknowledged_) {
    ++duplicate_acks_;
    const bool lost =
        duplicate_acks_ >= 3 || (config::tcp_sack_in && scoreboard_.is_lost(send_unacknowledged_, send_mss_));
    if (lost && !in_recovery_ && ack >= recover_) {
      limited_transmit_ = 0;
      enter_recovery(now, out);
    } else if (!in_recovery_ && duplicate_acks_ <= 2) {
      // Limited transmit (RFC 3042): each of the first two duplicate ACKs
      // lets one new segment out, so a small window still collects the
      // three duplicates fast retransmit needs.
      limited_transmit_ = duplicate_acks_ * send_mss_;
    } else if (in_recovery_ && !sack_recovery()) {
      congestion_.inflate(send_mss_);  // a segment left the network
    }
  }
  return true;
}

void TcpConnection::challenge_ack(Instant now) {
  // RFC 5961 7: limit challenge ACKs, so forged segments cannot make us
  // flood the peer. Per connection, not per stack: a stack-wide counter is
  // itself a side channel (CVE-2016-5696).
  if (now - challenge_window_start_ >= Duration::seconds(1)) {
    challenge_window_start_ = now;
    challenge_acks_ = 0;
  }
  if (challenge_acks_ >= challenge_acks_per_second) return;
  ++challenge_acks_;
  ack_now();
}

void TcpConnection::enter_recovery(Instant now, TcpOutput& out) {
  in_recovery_ = true;
  recover_ = send_max_;
  timing_ = false;
  congestion_.on_loss(in_flight(), now);
  if (!scoreboard_.empty()) {
    // RFC 6675: no window inflation; output() resends holes while
    // cwnd - pipe allows, starting with the first one.
    sack_recovery_ = true;
    high_retransmitted_ = send_unacknowledged_;
    return;
  }
  // Fast retransmit, then NewReno fast recovery (RFC 6582).
  congestion_.inflate(3 * send_mss_);
  std::size_t sent = 0;
  (void)send_data_segment(send_unacknowledged_, send_mss_, true, now, out, sent);
}

void TcpConnection::on_our_fin_acknowledged(Instant now) {
  switch (state_) {
    case TcpState::FinWait1:
      state_ = TcpState::FinWait2;
      // ESP-IDF's CONFIG_LWIP_TCP_FIN_WAIT_TIMEOUT: an orphan does not wait
      // forever for a peer that never closes.
      if (orphaned_) state_timer_at_ = now + settings_.fin_wait_2_timeout;
      break;
    case TcpState::Closing:
      enter_time_wait(now);
      break;
    case TcpState::LastAck:
      enter_closed();
      break;
    default:
      break;
  }
}

void TcpConnection::process_data(const TcpRepr& segment, Instant now) {
  const Seq32 seq(segment.sequence);
  ConstBytes data = segment.payload;
  std::int32_t offset = seq - receive_next_;
  if (offset < 0) {
    // Starts with bytes we already have.
    const auto skip = static_cast<std::size_t>(-offset);
    if (skip >= data.size()) {
      ack_now();
      return;
    }
    data = data.subspan(skip);
    offset = 0;
  }
  const auto at = static_cast<std::size_t>(offset);
  if (at >= receive_window_free()) {
    ack_now();  // no room: the ACK tells the peer our window
    return;
  }
  const bool had_holes = !out_of_order_.empty();
  if (at > 0 && !settings_.queue_out_of_order) {
    ack_now();
    return;
  }
  const std::size_t stored = receive_ring_.write_ahead(at, data);
  bool recorded = false;
  const std::size_t contiguous = out_of_order_.add(at, stored, recorded);
  if (contiguous > 0) {
    receive_ring_.commit(contiguous);
    receive_next_ += static_cast<std::uint32_t>(contiguous);
    events_ |= tcp_events::readable;
  }
  if (out_of_order_.empty()) {
    out_of_order_since_ = Instant::max();
  } else if (out_of_order_since_ == Instant::max()) {
    out_of_order_since_ = now;
  }
  if (at > 0 || had_holes || stored < data.size()) {
    // Out of order, filling a hole, or trimmed: ACK at once (RFC 5681 4.2),
    // so the sender's duplicate-ACK count and SACK see it promptly.
    ack_now();
    return;
  }
  // RFC 5681 4.2: ACK at least every second full-sized segment. A full
  // segment may be short of the MSS by the peer's options (timestamps,
  // SACK blocks: up to 40 bytes), which come out of its payload. A
  // super-frame from a device with receive offload counts as the segments
  // it was made of (as Linux's GRO counts them), so it is ACKed at once,
  // once, not once per MSS.
  constexpr std::size_t largest_options = 40;
  // Compared as plain numbers: std::min and std::max over temporaries kept
  // them in memory on Cortex-M.
  std::size_t full_segment = send_mss_ < mss_limit_ ? send_mss_ : std::size_t{mss_limit_};
  if (full_segment == 0) full_segment = 1;
  unacked_full_segments_ += static_cast<std::uint32_t>((stored + largest_options) / full_segment);
  delay_ack(unacked_full_segments_ >= 2, now);
}

void TcpConnection::delay_ack(bool at_once, Instant now) {
  if (at_once || !settings_.delayed_ack) {
    ack_now();
  } else if (delayed_ack_at_ == Instant::max()) {
    delayed_ack_at_ = now + settings_.delayed_ack_timeout;
  }
}

void TcpConnection::process_fin(Instant now) {
  receive_next_ += 1;
  fin_received_ = true;
  events_ |= tcp_events::readable;
  switch (state_) {
    case TcpState::SynReceived:
    case TcpState::Established:
      state_ = TcpState::CloseWait;
      // The application usually closes as soon as it reads the end, and
      // its FIN can then carry this ACK: one segment instead of two (Linux
      // delays it too). The delayed ACK timer bounds the wait.
      delay_ack(false, now);
      return;
    default:
      break;
  }
  ack_now();
  switch (state_) {
    case TcpState::FinWait1:
      // Simultaneous close: our FIN is not acknowledged yet.
      state_ = TcpState::Closing;
      break;
    case TcpState::FinWait2:
      enter_time_wait(now);
      break;
    default:
      break;
  }
}

}  // namespace lwnet
