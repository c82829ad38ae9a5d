// Opening a connection and the application's side of it.
#include "transport/tcp/tcp_connection.h"

#include <algorithm>
#include <memory>
#include <type_traits>

namespace lwnet {

// A copy of TcpSettings::defaults (tcp_settings.cpp: there, so that the
// compiler cannot see their values here and turn the copy back into stores).
TcpSettings::TcpSettings() : TcpSettings(defaults) {}

TcpConnection::TcpConnection(Bytes send_storage, Bytes receive_storage,
                             const TcpSettings& settings, std::size_t receive_buffer_limit)
    : TcpConnectionState(),
      settings_(settings),
      // Read for the window scale only.
      receive_buffer_limit_(config::tcp_window_scaling_built ? std::max(receive_buffer_limit, receive_storage.size())
                                                             : 0),
      send_queue_(send_storage),
      receive_ring_(receive_storage),
      rtt_(settings.initial_rto) {}

namespace {

// The smallest shift that lets a 16-bit window field describe `capacity`.
std::uint8_t scale_for(std::size_t capacity) {
  std::uint8_t shift = 0;
  while (shift < 14 && (capacity >> shift) > 0xffff) ++shift;
  return shift;
}

// RFC 7323 5.4: a TSval base the peer cannot guess. Derived from the ISN so
// that a connection rebuilt from a SYN cookie keeps the clock its SYN-ACK
// showed.
std::uint32_t timestamp_offset_for(Seq32 iss) { return iss.value() * 2654435761U; }

std::uint8_t receive_scale_for(std::size_t receive_buffer_limit) {
  return std::max(scale_for(receive_buffer_limit), config::tcp_rcv_scale);
}

}  // namespace

Status TcpConnection::open_active(const IpEndpoint& local, const IpEndpoint& remote, Seq32 iss,
                                  std::uint16_t mss_limit, Instant now, TcpOutput& out) {
  if (state_ != TcpState::Closed) return Error::AlreadyConnected;
  begin(local, remote, iss, now);
  mss_limit_ = std::min(mss_limit, settings_.mss);
  if constexpr (config::tcp_window_scaling_built) {  // else never read
    receive_scale_ = offers_window_scaling(settings_) ? receive_scale_for(receive_buffer_limit_) : 0;
  }
  state_ = TcpState::SynSent;
  output(now, out);
  return {};
}

Status TcpConnection::open_passive(const IpEndpoint& local, const IpEndpoint& remote,
                                   const TcpRepr& syn, Seq32 iss, std::uint16_t mss_limit,
                                   Instant now, TcpOutput& out) {
  if (state_ != TcpState::Closed) return Error::AlreadyConnected;
  if (!syn.has(tcp_flags::syn) || syn.has(tcp_flags::ack) || syn.has(tcp_flags::rst)) {
    return Error::InvalidArgument;
  }
  begin_passive(local, remote, syn, iss, mss_limit, now);
  state_ = TcpState::SynReceived;
  output(now, out);
  return {};
}

void TcpConnection::begin(const IpEndpoint& local, const IpEndpoint& remote, Seq32 iss, Instant now) {
  local_ = local;
  remote_ = remote;
  initial_send_sequence_ = iss;
  send_unacknowledged_ = send_next_ = send_max_ = iss;
  send_base_ = iss + 1;
  recover_ = iss;
  small_segment_end_ = iss;
  // Read by timestamps only.
  if constexpr (config::tcp_timestamps) timestamp_offset_ = timestamp_offset_for(iss);
  last_received_ = now;
}

void TcpConnection::begin_passive(const IpEndpoint& local, const IpEndpoint& remote,
                                  const TcpRepr& syn, Seq32 iss, std::uint16_t mss_limit,
                                  Instant now) {
  begin(local, remote, iss, now);
  window_update_ack_ = iss;
  learn_syn(syn, mss_limit);
}

TcpRepr TcpConnection::cookie_syn_ack(const TcpRepr& syn, Seq32 cookie,
                                      const SynCookieOptions& options, const TcpSettings& settings,
                                      std::size_t receive_buffer, std::size_t receive_buffer_limit,
                                      std::uint16_t mss_limit, Instant now) {
  // Mirrors make_header() in SYN-RECEIVED after learn_syn().
  TcpRepr h;
  h.source_port = syn.destination_port;
  h.destination_port = syn.source_port;
  h.sequence = cookie.value();
  h.acknowledgment = syn.sequence + 1;
  h.flags = tcp_flags::syn | tcp_flags::ack;
  h.mss = std::min(mss_limit, settings.mss);
  if (offers_window_scaling(settings) && options.window_scale) {
    h.window_scale = receive_scale_for(std::max(receive_buffer_limit, receive_buffer));
  }
  // As make_header(): SACK-permitted says we take SACK blocks, which only
  // SACK input does.
  h.sack_permitted = config::tcp_sack_in && options.sack_permitted;
  if (settings.timestamps && syn.timestamp) {
    h.timestamp = TcpTimestamp{static_cast<std::uint32_t>(now.total_millis()) + timestamp_offset_for(cookie),
                               syn.timestamp->value};
  }
  h.window = static_cast<std::uint16_t>(std::min<std::size_t>(receive_buffer, 0xffff));
  return h;
}

Status TcpConnection::open_from_cookie(const IpEndpoint& local, const IpEndpoint& remote,
                                       const TcpRepr& ack, const SynCookieOptions& options,
                                       std::uint16_t mss_limit, Instant now, TcpOutput& out) {
  if (state_ != TcpState::Closed) return Error::AlreadyConnected;
  if (!ack.has(tcp_flags::ack) || ack.has(tcp_flags::syn) || ack.has(tcp_flags::rst)) {
    return Error::InvalidArgument;
  }
  // The SYN as far as the cookie remembers it; its timestamp is the
  // freshest we know, the ACK's (it becomes TS.Recent).
  TcpRepr syn;
  syn.source_port = remote.port;
  syn.destination_port = local.port;
  syn.flags = tcp_flags::syn;
  syn.sequence = ack.sequence - 1;
  syn.mss = options.peer_mss;
  syn.window_scale = options.window_scale;
  syn.sack_permitted = options.sack_permitted;
  if (ack.timestamp) syn.timestamp = TcpTimestamp{ack.timestamp->value, 0};
  const Seq32 iss(ack.acknowledgment - 1);
  begin_passive(local, remote, syn, iss, mss_limit, now);
  // Where SYN-RECEIVED would be after sending cookie_syn_ack()'s segment
  // and receiving its acknowledgment (process_ack()).
  send_unacknowledged_ = send_next_ = send_max_ = iss + 1;
  const std::size_t syn_ack_window = std::min<std::size_t>(receive_window_free(), 0xffff);
  advertised_edge_ = receive_next_ + static_cast<std::uint32_t>(syn_ack_window);
  widest_window_advertised_ = static_cast<std::uint32_t>(syn_ack_window);
  send_window_ = std::size_t{ack.window} << send_shift();
  max_send_window_ = send_window_;
  window_update_seq_ = Seq32(ack.sequence);
  window_update_ack_ = Seq32(ack.acknowledgment);
  if (use_timestamps() && ack.timestamp->echo_reply != 0) {
    const auto round_trip = static_cast<std::int32_t>(timestamp_now(now) - ack.timestamp->echo_reply);
    rtt_.sample(Duration::millis(round_trip));
  }
  state_ = TcpState::Established;
  events_ |= tcp_events::connected | tcp_events::writable;
  // The ACK may carry data (or a FIN) already.
  on_segment(ack, now, out);
  return {};
}

void TcpConnection::learn_syn(const TcpRepr& syn, std::uint16_t mss_limit) {
  initial_receive_sequence_ = Seq32(syn.sequence);
  receive_next_ = initial_receive_sequence_ + 1;
  advertised_edge_ = receive_next_;
  widest_window_advertised_ = 0;
  // The window in a SYN is never scaled (RFC 7323 2.2).
  send_window_ = syn.window;
  max_send_window_ = send_window_;
  window_update_seq_ = Seq32(syn.sequence);
  mss_limit_ = std::min(mss_limit, settings_.mss);
  // RFC 9293 3.7.1: without the option, assume 536.
  const std::size_t peer_mss = syn.mss.value_or(536);
  window_scaling_ = offers_window_scaling(settings_) && syn.window_scale.has_value();
  if (window_scaling_) {
    send_scale_ = std::min<std::uint8_t>(*syn.window_scale, 14);
    receive_scale_ = receive_scale_for(receive_buffer_limit_);
  } else {
    send_scale_ = receive_scale_ = 0;
  }
  // This and peer_sack_permitted_ are read only where the build has what
  // they switch (use_timestamps(), make_header()): constant false elsewhere.
  timestamps_ = config::tcp_timestamps && settings_.timestamps && syn.timestamp.has_value();
  if (use_timestamps()) timestamp_recent_ = syn.timestamp->value;
  peer_sack_permitted_ = (config::tcp_sack_in || config::tcp_sack_out_built) && syn.sack_permitted;
  send_mss_ = std::min<std::size_t>(peer_mss, mss_limit_);
  if (use_timestamps()) send_mss_ -= 12;  // the option rides in every segment
  if (send_mss_ < 64) send_mss_ = 64;
  // Built in place (it holds nothing to destroy): a temporary assigned
  // over it cost a copy of its 72 bytes on Cortex-M.
  static_assert(std::is_trivially_destructible_v<CongestionControl>);
  std::construct_at(&congestion_, settings_.congestion, send_mss_);
}

Status TcpConnection::check_can_send() const {
  if (error_) return *error_;
  switch (state_) {
    case TcpState::SynSent:
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::CloseWait:
      break;
    default:
      return Error::NotConnected;
  }
  if (fin_queued_) return Error::NotConnected;
  return {};
}

void TcpConnection::after_queued(Instant now, TcpOutput& out) {
  // RFC 5681 4.1: after an idle period the old congestion window is stale.
  if (in_flight() == 0 && last_sent_ + rtt_.rto() < now && rtt_.has_sample()) {
    congestion_.restart_after_idle();
  }
  output(now, out);
}

Result<std::size_t> TcpConnection::send(ConstBytes data, Instant now, TcpOutput& out, bool more) {
  if (Status s = check_can_send(); !s) return s.error();
  if (data.empty()) return std::size_t{0};
  const std::size_t taken = send_queue_.write(data);
  if (taken == 0) return Error::WouldBlock;
  // Only what was taken counts: a partial write leaves the rest for a later
  // call, which says again whether more follows.
  if (!more || taken < data.size()) {
    cork_until_ = Instant::max();
  } else if (cork_until_ == Instant::max()) {
    cork_until_ = now + cork_limit;
  }
  after_queued(now, out);
  return taken;
}

Status TcpConnection::send_zero_copy(ConstBytes data, ZeroCopyCompletion done, Instant now,
                                     TcpOutput& out) {
  if (Status s = check_can_send(); !s) return s;
  if (Status s = send_queue_.write_reference(data, done); !s) return s;
  after_queued(now, out);
  return {};
}

std::size_t TcpConnection::minimum_receive_buffer() const {
  std::size_t promised = 0;
  if (advertised_edge_ > receive_next_) promised = static_cast<std::size_t>(advertised_edge_ - receive_next_);
  std::size_t ahead = 0;
  if (!out_of_order_.empty()) ahead = out_of_order_.range(out_of_order_.range_count() - 1).end;
  return receive_ring_.size() + std::max(promised, ahead);
}

bool TcpConnection::resize_send_buffer(Bytes storage) {
  if (storage.size() < minimum_send_buffer() || storage.empty()) return false;
  if (!send_queue_.relocate(storage)) return false;
  settings_.send_buffer = storage.size();
  if (send_queue_.free_space() > 0) events_ |= tcp_events::writable;
  return true;
}

bool TcpConnection::release_buffers() {
  if (state_ != TcpState::TimeWait || !receive_ring_.empty() || send_queue_.size() != 0) return false;
  send_queue_.release_storage();
  receive_ring_.release_storage();
  out_of_order_.clear();
  return true;
}

bool TcpConnection::resize_receive_buffer(Bytes storage, Instant now, TcpOutput& out) {
  if (storage.size() < minimum_receive_buffer() || storage.empty()) return false;
  std::size_t keep = receive_ring_.size();
  if (!out_of_order_.empty()) keep += out_of_order_.range(out_of_order_.range_count() - 1).end;
  if (!receive_ring_.relocate(storage, keep)) return false;
  settings_.receive_buffer = storage.size();
  // A window that grew by a useful amount (RFC 1122 4.2.3.3: a segment, or
  // half the buffer) is worth telling the peer now: no data may be coming
  // that would carry the news.
  const std::size_t threshold = std::min(receive_ring_.capacity() / 2, std::size_t{mss_limit_});
  const Seq32 possible_edge = receive_next_ + static_cast<std::uint32_t>(receive_window_free());
  if (is_synchronized(state_) && state_ != TcpState::TimeWait &&
      possible_edge - advertised_edge_ >= static_cast<std::int32_t>(threshold)) {
    ack_now();
    output(now, out);
  }
  return true;
}

Result<std::size_t> TcpConnection::peek(Bytes into) const {
  if (receive_ring_.empty()) {
    if (error_) return *error_;
    if (fin_received_) return std::size_t{0};
    if (state_ == TcpState::Closed || state_ == TcpState::Listen) return Error::NotConnected;
    return Error::WouldBlock;
  }
  return receive_ring_.peek(0, into);
}

Result<std::size_t> TcpConnection::receive(Bytes into, Instant now, TcpOutput& out) {
  if (receive_ring_.empty()) return peek(into);  // the answer for an empty buffer
  const std::size_t n = receive_ring_.read(into);
  // Tell the peer about the opened window once it is worth a segment
  // (receiver-side silly window avoidance, RFC 1122 4.2.3.3), and only
  // while the window it knows runs short (at most half the buffer and half
  // the widest window it was offered, and the new one at least twice that,
  // as Linux decides): a window still wide open grows with the next ACK
  // anyway. An update per read would double the segments sent for a fast
  // sender's super-frames, and after a small request it would go out just
  // ahead of the reply that carries the same news (the SYN-ACK could offer
  // only 64 KiB of a larger buffer, so "half the buffer" alone says short).
  const std::size_t threshold = std::min(receive_ring_.capacity() / 2, 2 * std::size_t{mss_limit_});
  const Seq32 possible_edge = receive_next_ + static_cast<std::uint32_t>(receive_window_free());
  const std::int32_t known = std::max<std::int32_t>(advertised_edge_ - receive_next_, 0);
  const std::size_t short_below =
      std::min(receive_ring_.capacity(), std::size_t{widest_window_advertised_}) / 2;
  const bool running_short = static_cast<std::size_t>(known) <= short_below &&
                             possible_edge - receive_next_ >= 2 * std::int64_t{known};
  if (is_synchronized(state_) && state_ != TcpState::TimeWait && running_short &&
      possible_edge - advertised_edge_ >= static_cast<std::int32_t>(threshold)) {
    ack_now();
    output(now, out);
  }
  return n;
}

Status TcpConnection::shutdown_send(Instant now, TcpOutput& out) {
  switch (state_) {
    case TcpState::SynSent:
      // Nothing was sent but a SYN: just forget the attempt.
      enter_closed();
      return {};
    case TcpState::SynReceived:
    case TcpState::Established:
      state_ = TcpState::FinWait1;
      break;
    case TcpState::CloseWait:
      state_ = TcpState::LastAck;
      break;
    case TcpState::Closed:
    case TcpState::Listen:
      return Error::NotConnected;
    default:
      return {};  // already shut down
  }
  fin_queued_ = true;
  fin_seq_ = send_base_ + static_cast<std::uint32_t>(send_queue_.size());
  output(now, out);
  return {};
}

void TcpConnection::close(Instant now, TcpOutput& out) {
  orphaned_ = true;
  if (!receive_ring_.empty() || state_ == TcpState::SynSent) {
    abort(now, out);
    return;
  }
  if (state_ == TcpState::Closed || state_ == TcpState::Listen) {
    enter_closed();
    return;
  }
  (void)shutdown_send(now, out);
  if (state_ == TcpState::FinWait2) {
    state_timer_at_ = now + settings_.fin_wait_2_timeout;
  }
}

void TcpConnection::abort(Instant now, TcpOutput& out) {
  if (is_synchronized(state_) && state_ != TcpState::TimeWait) {
    send_reset(send_next_, now, out);
  }
  orphaned_ = true;
  if (!error_) error_ = Error::ConnectionAborted;
  enter_closed();
}

}  // namespace lwnet
