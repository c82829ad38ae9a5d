// Deciding what to send, and building segments straight from the send ring.
#include <algorithm>

#include "transport/tcp/tcp_connection.h"

namespace lwnet {

std::size_t TcpConnection::receive_window_free() const { return receive_ring_.free_space(); }

std::size_t TcpConnection::pipe() const {
  // In flight, minus what the peer holds (SACKed), minus holes taken as lost
  // and not yet sent again.
  std::size_t not_in_network = scoreboard_.sacked_bytes();
  Seq32 cursor = high_retransmitted_;
  Seq32 start;
  while (std::size_t hole = scoreboard_.next_hole(cursor, send_unacknowledged_, start)) {
    not_in_network += hole;
    cursor = start + static_cast<std::uint32_t>(hole);
  }
  const std::size_t flight = in_flight();
  return flight > not_in_network ? flight - not_in_network : 0;
}

std::uint16_t TcpConnection::window_to_advertise() {
  const std::size_t free = receive_window_free();
  // Round down to what the scaled field can say.
  const std::size_t scaled = std::min<std::size_t>(free >> receive_shift(), 0xffff);
  Seq32 edge = receive_next_ + static_cast<std::uint32_t>(scaled << receive_shift());
  // Receiver silly window avoidance (RFC 1122 4.2.3.3): move the right edge
  // only by a useful amount...
  const std::size_t useful = std::min(receive_ring_.capacity() / 2, std::size_t{mss_limit_});
  if (edge > advertised_edge_ && static_cast<std::size_t>(edge - advertised_edge_) < useful &&
      advertised_edge_ >= receive_next_) {
    edge = advertised_edge_;
  }
  // ...and never move it left (RFC 9293 3.8.6.2.2: do not shrink the window).
  if (edge < advertised_edge_) edge = advertised_edge_;
  advertised_edge_ = edge;
  const auto window = static_cast<std::size_t>(edge - receive_next_);
  const auto window32 = static_cast<std::uint32_t>(window);
  if (window32 > widest_window_advertised_) widest_window_advertised_ = window32;
  const std::size_t field = window >> receive_shift();
  return static_cast<std::uint16_t>(field < 0xffff ? field : 0xffff);
}

TcpRepr TcpConnection::make_header(std::uint8_t flags, Seq32 seq, Instant now) {
  TcpRepr h;
  h.source_port = local_.port;
  h.destination_port = remote_.port;
  h.sequence = seq.value();
  h.flags = flags;
  if ((flags & tcp_flags::ack) != 0) h.acknowledgment = receive_next_.value();
  if ((flags & tcp_flags::syn) != 0) {
    // Our SYN offers what we support; a SYN-ACK only what the peer offered.
    const bool answering = state_ == TcpState::SynReceived;
    h.mss = mss_limit_;
    if (answering ? window_scaling_ : offers_window_scaling(settings_)) h.window_scale = receive_scale_;
    h.sack_permitted = config::tcp_sack_in && (answering ? peer_sack_permitted_ : true);
    if (config::tcp_timestamps && (answering ? use_timestamps() : settings_.timestamps)) {
      h.timestamp = TcpTimestamp{timestamp_now(now), answering ? timestamp_recent_ : 0};
    }
    // The window field of a SYN is never scaled.
    h.window = static_cast<std::uint16_t>(std::min<std::size_t>(receive_window_free(), 0xffff));
    if (answering) {
      advertised_edge_ = receive_next_ + h.window;
      widest_window_advertised_ = h.window;
    }
    return h;
  }
  if ((flags & tcp_flags::rst) == 0) {
    h.window = window_to_advertise();
    if (use_timestamps()) h.timestamp = TcpTimestamp{timestamp_now(now), timestamp_recent_};
    // SACK blocks (RFC 2018): the most recently changed range first.
    if (config::tcp_sack_out_built && settings_.sack_out && peer_sack_permitted_ && !out_of_order_.empty()) {
      const std::size_t room = use_timestamps() ? 3 : 4;
      const auto to_block = [&](const ByteRange& r) {
        return TcpSackBlock{(receive_next_ + static_cast<std::uint32_t>(r.start)).value(),
                            (receive_next_ + static_cast<std::uint32_t>(r.end)).value()};
      };
      const ByteRange& recent = out_of_order_.last_added();
      bool recent_valid = false;
      for (std::size_t i = 0; i < out_of_order_.range_count(); ++i) {
        recent_valid |= out_of_order_.range(i) == recent;
      }
      if (recent_valid) h.sack_blocks[h.sack_count++] = to_block(recent);
      for (std::size_t i = 0; i < out_of_order_.range_count() && h.sack_count < room; ++i) {
        if (recent_valid && out_of_order_.range(i) == recent) continue;
        h.sack_blocks[h.sack_count++] = to_block(out_of_order_.range(i));
      }
    }
  }
  return h;
}

bool TcpConnection::send_control(std::uint8_t flags, Seq32 seq, Instant now, TcpOutput& out) {
  const TcpRepr h = make_header(flags, seq, now);
  if (!out.send_segment(local_, remote_, settings_.ip, h, {}, 0, now)) return false;
  last_sent_ = now;
  if ((flags & tcp_flags::ack) != 0) {
    ack_now_ = false;
    unacked_full_segments_ = 0;
    delayed_ack_at_ = Instant::max();
  }
  return true;
}

void TcpConnection::send_reset(Seq32 seq, Instant now, TcpOutput& out) {
  TcpRepr h;
  h.source_port = local_.port;
  h.destination_port = remote_.port;
  h.sequence = seq.value();
  h.flags = tcp_flags::rst;
  (void)out.send_segment(local_, remote_, settings_.ip, h, {}, 0, now);
}

bool TcpConnection::send_data_segment(Seq32 seq, std::size_t max_len, bool allow_fin, Instant now,
                                      TcpOutput& out, std::size_t& sent_len) {
  sent_len = 0;
  const auto offset = static_cast<std::size_t>(seq - send_base_);
  TcpRepr h = make_header(tcp_flags::ack, seq, now);
  // send_mss_ leaves room for the timestamps only; SACK blocks (sent while
  // we hold out-of-order data) come out of the payload, so that header and
  // payload still fit what the peer and the route take.
  // Without SACK output built (config::tcp_sack_out_built) an ACK's header
  // is always the usual one.
  const std::size_t usual_header = TcpRepr::min_header_len + (use_timestamps() ? 12U : 0U);
  if (config::tcp_sack_out_built && h.header_len() > usual_header) {
    max_len = std::min(max_len, send_mss_ - (h.header_len() - usual_header));
  }
  // The payload is read straight out of the ring and zero-copy memory; a
  // segment spanning many small zero-copy writes may come out shorter.
  SegmentPayload payload;
  const std::size_t len = send_queue_.gather(offset, max_len, payload);
  const bool fin = allow_fin && fin_queued_ && seq + static_cast<std::uint32_t>(len) == fin_seq_;
  if (len == 0 && !fin) return false;

  if (fin) h.flags |= tcp_flags::fin;
  if (len > 0 && offset + len == send_queue_.size()) h.flags |= tcp_flags::psh;
  // Over one MSS only within out.segmentation_limit(): the device segments it.
  const std::size_t segment_size = config::device_offload && len > send_mss_ ? send_mss_ : 0;
  if (!out.send_segment(local_, remote_, settings_.ip, h, payload.view(), segment_size, now)) return false;

  last_sent_ = now;
  ack_now_ = false;
  unacked_full_segments_ = 0;
  delayed_ack_at_ = Instant::max();
  sent_len = len;
  const Seq32 end = seq + static_cast<std::uint32_t>(len) + (fin ? 1U : 0U);
  if (end > send_max_) {
    // New data: time it unless timestamps already measure every ACK.
    if (!timing_ && !use_timestamps() && seq >= send_max_) {
      timing_ = true;
      timed_seq_ = seq;
      timed_at_ = now;
    }
    send_max_ = end;
  } else {
    ++total_retransmissions_;
  }
  if (retransmit_at_ == Instant::max()) arm_retransmit(now);
  return true;
}

void TcpConnection::output(Instant now, TcpOutput& out) {
  switch (state_) {
    case TcpState::Closed:
    case TcpState::Listen:
      return;
    case TcpState::SynSent:
    case TcpState::SynReceived: {
      if (send_next_ == initial_send_sequence_) {
        const std::uint8_t flags =
            state_ == TcpState::SynSent ? tcp_flags::syn : tcp_flags::syn | tcp_flags::ack;
        if (!send_control(flags, initial_send_sequence_, now, out)) return;
        if (retransmit_count_ == 0) timed_at_ = now;
        send_next_ = initial_send_sequence_ + 1;
        if (send_max_ < send_next_) send_max_ = send_next_;
        if (retransmit_at_ == Instant::max()) arm_retransmit(now);
      } else if (ack_now_ && state_ == TcpState::SynReceived) {
        // An unacceptable segment in SYN-RECEIVED gets an ACK (RFC 9293
        // 3.10.7.4). In a simultaneous open the peer's SYN-ACK is one (its
        // SYN lies below RCV.NXT), and this ACK is what moves the peer to
        // ESTABLISHED: held back, both sides would wait in SYN-RECEIVED.
        (void)send_control(tcp_flags::ack, send_max_, now, out);
      }
      return;
    }
    case TcpState::TimeWait:
    case TcpState::FinWait2:
    case TcpState::CloseWait:
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::Closing:
    case TcpState::LastAck:
      break;
  }

  const bool may_send_data = state_ != TcpState::TimeWait && state_ != TcpState::FinWait2;
  // New data may leave in packets of many MSS when the device segments
  // them (TSO); asked once per call, and only when there is data to send.
  std::size_t burst = 0;
  const auto largest_packet_payload = [&] {
    if (burst == 0) {
      burst = send_mss_;
      // Without device offloads (CONFIG_LWNET_DEVICE_OFFLOAD 0) no device
      // segments: not asked.
      const std::size_t limit =
          config::device_offload ? out.segmentation_limit(local_, remote_, settings_.ip) : 0;
      constexpr std::size_t largest_headers = 20 + 60;  // IPv4 + TCP with every option
      if (limit > largest_headers + 2 * send_mss_) {
        burst = (limit - largest_headers) / send_mss_ * send_mss_;
      }
    }
    return burst;
  };
  while (may_send_data) {
    const std::size_t flight = sack_recovery() ? pipe() : in_flight();
    const std::size_t cwnd = congestion_.window() + limited_transmit_;
    const std::size_t cwnd_room = cwnd > flight ? cwnd - flight : 0;
    if (sack_recovery()) {
      // RFC 6675 NextSeg rule 1: holes below the highest SACK go first.
      Seq32 hole_start;
      const std::size_t hole = scoreboard_.next_hole(high_retransmitted_, send_unacknowledged_, hole_start);
      if (hole > 0) {
        if (cwnd_room < send_mss_ && cwnd_room < hole) break;
        std::size_t sent = 0;
        if (!send_data_segment(hole_start, std::min(hole, send_mss_), false, now, out, sent) || sent == 0) {
          break;
        }
        high_retransmitted_ = hole_start + static_cast<std::uint32_t>(sent);
        continue;
      }
    }
    const auto offset = static_cast<std::size_t>(send_next_ - send_base_);
    const std::size_t unsent = offset < send_queue_.size() ? send_queue_.size() - offset : 0;
    const bool fin_pending = fin_queued_ && send_next_ <= fin_seq_;
    if (unsent == 0 && !fin_pending) break;
    const std::size_t window_room = send_window_ > in_flight() ? send_window_ - in_flight() : 0;
    const std::size_t usable = std::min(window_room, cwnd_room);
    const std::size_t len = std::min({unsent, unsent > send_mss_ ? largest_packet_payload() : send_mss_, usable});
    const bool completes = len == unsent;
    if (len == 0 && !(fin_pending && unsent == 0)) {
      // Window closed with data waiting: probe it (persist timer) unless
      // something in flight will bring a window update anyway.
      if (send_window_ == 0 && in_flight() == 0 && persist_at_ == Instant::max()) {
        if (persist_backoff_ == Duration::zero()) persist_backoff_ = rtt_.rto();
        persist_at_ = now + persist_backoff_;
      }
      break;
    }
    // Retransmissions are never held back; the rules below are for new data.
    if (len < send_mss_ && len > 0 && send_next_ >= send_max_) {
      // Nagle (RFC 896) with Minshall's refinement: hold a small segment
      // only while an earlier small one is unacknowledged, so the tail of a
      // large write goes out at once but small writes still coalesce.
      if (!settings_.nodelay && small_segment_end_ > send_unacknowledged_ &&
          !(completes && fin_pending)) {
        break;
      }
      // MSG_MORE: the tail waits for the rest (a FIN releases it).
      if (cork_until_ != Instant::max() && completes && !fin_pending) break;
      // Sender silly window avoidance (RFC 1122 4.2.3.4): do not chop a
      // window-limited send into slivers.
      if (!completes && in_flight() > 0 && len < max_send_window_ / 2) break;
    }
    std::size_t sent = 0;
    if (!send_data_segment(send_next_, len, true, now, out, sent)) break;
    const bool fin_sent = fin_pending && sent == unsent;
    send_next_ += static_cast<std::uint32_t>(sent) + (fin_sent ? 1U : 0U);
    // Nagle counts what was asked for: a segment cut short for SACK blocks
    // is not a small write.
    if (len < send_mss_) small_segment_end_ = send_next_;
    if (fin_sent) break;
  }
  // A pure ACK carries the highest sequence number sent, not SND.NXT: after
  // a timeout SND.NXT is pulled back below what the peer may already hold,
  // and a zero-length segment below RCV.NXT is unacceptable there. If both
  // sides did that, each would drop the other's ACKs for ever.
  if (ack_now_) (void)send_control(tcp_flags::ack, send_max_, now, out);
}

}  // namespace lwnet
