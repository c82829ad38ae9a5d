// One TCP connection (RFC 9293): state machine, send and receive rings,
// retransmission, congestion control, the connection's timers.
//
// A connection knows nothing of IP, netifs or buffers pools: segments come in
// as parsed TcpReprs and go out through a TcpOutput, which the stack
// implements (and a test replaces with a script). It owns no memory either:
// the rings sit on storage the connection table hands it, so memory per
// connection is the two ring sizes plus this object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "buf/assembler.h"
#include "buf/ring_buffer.h"
#include "config/options.h"
#include "ip/netif_types.h"
#include "time/instant.h"
#include "transport/tcp/congestion.h"
#include "transport/tcp/rtt_estimator.h"
#include "transport/tcp/sack_scoreboard.h"
#include "transport/tcp/syn_cookie.h"
#include "transport/tcp/tcp_send_queue.h"
#include "transport/tcp/tcp_state.h"
#include "util/result.h"
#include "util/seq32.h"
#include "wire/address.h"
#include "wire/tcp.h"

namespace lwnet {

// What a segment's IPv4 header and route take from its connection (IP_TTL,
// IP_TOS, SO_BINDTODEVICE). The connection only hands them to its
// TcpOutput with every segment (retransmissions and pure ACKs included).
struct TcpIpOptions {
  std::optional<std::uint8_t> ttl;  // none: the stack's default (IpSendOptions::hop_limit)
  std::uint8_t tos = 0;
  // Segments leave through this netif whatever the routing table says, and
  // a listener takes only SYNs that arrived on it; none: the route's netif.
  std::optional<NetifId> netif;
  // IPV6_V6ONLY: an IPv6 socket bound to :: takes no IPv4 (port_binding.h).
  bool v6only = false;
};

// Per-connection settings; socket options change them at run time.
struct TcpSettings {
  // Out of line (tcp_connection.cpp): a copy of the defaults, built at
  // compile time into read-only data. Copying them is one memcpy; storing
  // them field by field took a dozen 64-bit constants and their stores.
  TcpSettings();

  // Ring sizes (SO_SNDBUF/SO_RCVBUF), set at creation and changeable on a
  // live connection (TcpTable::set_buffer_sizes); capped at
  // CONFIG_LWNET_TCP_SND_BUF_MAX and CONFIG_LWNET_TCP_WND_MAX, whose memory
  // the table reserves per slot.
  std::size_t send_buffer = config::tcp_snd_buf_default;
  std::size_t receive_buffer = config::tcp_wnd_default;
  // The small members sit together, so that the Durations' alignment leaves
  // no holes between them (fewer bytes per copy and fewer stores here).
  std::uint16_t mss = config::tcp_mss;  // largest segment we accept (sent in our SYN)
  bool nodelay = false;                 // TCP_NODELAY: Nagle off
  bool delayed_ack = true;              // off: ACK every segment at once
  bool keepalive = false;               // SO_KEEPALIVE
  CongestionAlgorithm congestion = CongestionAlgorithm::NewReno;
  std::uint8_t max_retransmits = config::tcp_maxrtx;
  std::uint8_t syn_max_retransmits = config::tcp_synmaxrtx;
  Duration delayed_ack_timeout = Duration::millis(config::tcp_delayed_ack_ms);
  Duration keepalive_idle = Duration::millis(config::tcp_keepidle_ms);
  Duration keepalive_interval = Duration::millis(config::tcp_keepintvl_ms);
  std::uint32_t keepalive_count = config::tcp_keepcnt;
  // Offer RFC 7323 window scaling. Without CONFIG_LWNET_TCP_RUNTIME_OPTIONS
  // this and sack_out can only be on where the build has them.
  bool window_scaling = config::wnd_scale;
  bool timestamps = config::tcp_timestamps;  // offer RFC 7323 timestamps
  bool sack_out = config::tcp_sack_out;     // send SACK blocks when the peer permits
  bool queue_out_of_order = config::tcp_queue_ooseq;
  Duration initial_rto = Duration::millis(config::tcp_rto_time_ms);
  Duration time_wait = Duration::millis(2 * std::int64_t{config::tcp_msl_ms});
  Duration fin_wait_2_timeout = Duration::millis(config::tcp_fin_wait_timeout_ms);
  TcpIpOptions ip;

 private:
  struct DefaultsTag {};
  constexpr explicit TcpSettings(DefaultsTag) {}
  static const TcpSettings defaults;
};

// Whether a connection with these settings offers window scaling (never
// where the build left it out: CONFIG_LWNET_TCP_RUNTIME_OPTIONS).
constexpr bool offers_window_scaling(const TcpSettings& settings) {
  return config::tcp_window_scaling_built && settings.window_scaling;
}

// Where a connection's segments go. Implemented by the stack (IP output) and
// by tests. Core thread only.
class TcpOutput {
 public:
  // Sends one segment: header fields as given (the implementation computes
  // the checksum), payload = the pieces in order (send ring and zero-copy
  // memory, read during the call only). A payload larger than
  // `segment_size` (non-zero only within segmentation_limit()) goes to the
  // device whole, to be cut into segments of segment_size. False when it
  // cannot go out now (no buffer, address being resolved, device busy): the
  // connection leaves the data queued and tries again on its next event.
  virtual bool send_segment(const IpEndpoint& local, const IpEndpoint& remote,
                            const TcpIpOptions& ip, const TcpRepr& header, std::span<const ConstBytes> payload,
                            std::size_t segment_size, Instant now) = 0;
  // TCP segmentation offload: the largest IP packet towards `remote` that
  // send_segment() may hand over for the device to segment; 0: none.
  virtual std::size_t segmentation_limit(const IpEndpoint& local, const IpEndpoint& remote,
                                         const TcpIpOptions& ip) {
    (void)local;
    (void)remote;
    (void)ip;
    return 0;
  }

 protected:
  TcpOutput() = default;
  TcpOutput(const TcpOutput&) = default;
  TcpOutput& operator=(const TcpOutput&) = default;
  ~TcpOutput() = default;
};

// Event bits a connection raises for its owner (socket layer, core API).
namespace tcp_events {
inline constexpr std::uint8_t readable = 0x01;   // data, end of stream, or an error to read
inline constexpr std::uint8_t writable = 0x02;   // send space freed
inline constexpr std::uint8_t connected = 0x04;  // the handshake completed
inline constexpr std::uint8_t error = 0x08;      // reset, refused, timed out
inline constexpr std::uint8_t closed = 0x10;     // reached CLOSED: the slot may be freed
}  // namespace tcp_events

// A TcpConnection's state that starts from constants, in a base of its own
// so that the constructor can value-initialize it: the compiler then clears
// it with one memset and stores only the non-zero defaults, instead of a
// store per member (186 bytes less constructor on Cortex-M, 478 in all).
struct TcpConnectionState {
  TcpConnectionState() = default;

  TcpState state_ = TcpState::Closed;
  IpEndpoint local_;
  IpEndpoint remote_;
  std::optional<Error> error_;
  std::optional<Error> soft_error_;
  std::uint8_t events_ = 0;
  bool orphaned_ = false;

  // Send sequence space (RFC 9293 3.3.1).
  Seq32 initial_send_sequence_;
  Seq32 send_unacknowledged_;  // SND.UNA
  Seq32 send_next_;            // SND.NXT (pulled back to SND.UNA on timeout)
  Seq32 send_max_;             // highest sequence number sent + 1
  Seq32 send_base_;            // sequence number of send_queue_'s first byte
  Seq32 window_update_seq_;    // SND.WL1
  Seq32 window_update_ack_;    // SND.WL2
  std::size_t send_window_ = 0;      // SND.WND, in bytes (scaled)
  std::size_t max_send_window_ = 0;  // largest window the peer offered
  bool fin_queued_ = false;          // shutdown_send(): FIN after the ring's data
  Seq32 fin_seq_;                    // the FIN's sequence number, once queued

  // Receive sequence space.
  Seq32 initial_receive_sequence_;
  Seq32 receive_next_;               // RCV.NXT
  Seq32 advertised_edge_;            // RCV.NXT + window we last advertised
  // The widest window advertised yet: a peer that has not used half of it
  // needs no window update after a read (receive()).
  std::uint32_t widest_window_advertised_ = 0;
  bool fin_received_ = false;
  std::optional<Seq32> pending_fin_;   // a FIN that arrived ahead of missing data

  // Negotiated at the handshake.
  std::uint16_t mss_limit_ = 536;    // what our route allows
  std::size_t send_mss_ = 536;       // payload per segment we send
  std::uint8_t send_scale_ = 0;      // shift for the peer's windows
  std::uint8_t receive_scale_ = 0;   // shift for ours
  bool window_scaling_ = false;     // both sides offered it
  bool timestamps_ = false;
  bool peer_sack_permitted_ = false;
  std::uint32_t timestamp_recent_ = 0;  // TS.Recent
  std::uint32_t timestamp_offset_ = 0;  // randomizes our TSval base (RFC 7323 5.4)

  // The last range added matters to SACK output only.
  Assembler<config::tcp_ooseq_max_ranges, config::tcp_sack_out_built> out_of_order_;
  Instant out_of_order_since_ = Instant::max();

  CongestionControl congestion_;
  // Karn's algorithm: time one segment at a time when timestamps are off.
  bool timing_ = false;
  Seq32 timed_seq_;
  Instant timed_at_;
  Seq32 small_segment_end_;  // end of the last sub-MSS segment sent (Nagle)
  // Fast retransmit / NewReno recovery.
  std::uint32_t duplicate_acks_ = 0;
  bool in_recovery_ = false;
  bool sack_recovery_ = false;  // recovery driven by the scoreboard (RFC 6675)
  Seq32 recover_;
  SackScoreboard scoreboard_;
  Seq32 high_retransmitted_;    // HighRxt
  std::size_t limited_transmit_ = 0;  // RFC 3042: room for new data on dup ACKs 1 and 2

  // ACK scheduling.
  Instant challenge_window_start_;
  std::uint32_t challenge_acks_ = 0;
  bool ack_now_ = false;
  std::uint32_t unacked_full_segments_ = 0;

  // Timers (Instant::max() when not armed).
  Instant retransmit_at_ = Instant::max();
  Instant persist_at_ = Instant::max();
  Instant cork_until_ = Instant::max();  // MSG_MORE: small tail held until then
  Duration persist_backoff_{};
  Instant delayed_ack_at_ = Instant::max();
  Instant state_timer_at_ = Instant::max();  // TIME-WAIT or orphaned FIN-WAIT-2
  Instant last_received_;
  std::uint32_t keepalive_probes_ = 0;
  std::uint32_t retransmit_count_ = 0;
  std::uint32_t total_retransmissions_ = 0;
  Instant last_sent_;
};

// Core thread only.
class TcpConnection : private TcpConnectionState {
 public:
  // `receive_buffer_limit`: the largest the receive buffer may grow to on
  // this connection (the table's cap); the window scale offered in the SYN
  // is chosen for it, since it cannot change later (RFC 7323 2.2).
  TcpConnection(Bytes send_storage, Bytes receive_storage, const TcpSettings& settings,
                std::size_t receive_buffer_limit = 0);
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // ---- Opening -------------------------------------------------------------
  // Active open: sends a SYN. `mss_limit` is what the route's MTU allows.
  Status open_active(const IpEndpoint& local, const IpEndpoint& remote, Seq32 iss,
                     std::uint16_t mss_limit, Instant now, TcpOutput& out);
  // Passive open: a listener received `syn`; answers with a SYN-ACK.
  Status open_passive(const IpEndpoint& local, const IpEndpoint& remote, const TcpRepr& syn,
                      Seq32 iss, std::uint16_t mss_limit, Instant now, TcpOutput& out);
  // The SYN-ACK a listener sends when it answers `syn` with a SYN cookie
  // (syn_cookie.h) and keeps no state: the one open_passive() would send
  // with ISN `cookie` and these settings, offering only what `options`
  // (what the cookie carries) and the SYN's timestamp allow, so that
  // open_from_cookie() can rebuild the same connection later.
  // `receive_buffer` and `receive_buffer_limit` as the table would give
  // the connection.
  static TcpRepr cookie_syn_ack(const TcpRepr& syn, Seq32 cookie, const SynCookieOptions& options,
                                const TcpSettings& settings, std::size_t receive_buffer,
                                std::size_t receive_buffer_limit, std::uint16_t mss_limit,
                                Instant now);
  // Passive open completed by a SYN cookie: `ack` returned a valid cookie
  // (our ISN, ack - 1) carrying `options`. The connection starts in
  // ESTABLISHED, as if the SYN-ACK cookie_syn_ack() built had been sent
  // from SYN-RECEIVED, then takes whatever data or FIN `ack` carries.
  Status open_from_cookie(const IpEndpoint& local, const IpEndpoint& remote, const TcpRepr& ack,
                          const SynCookieOptions& options, std::uint16_t mss_limit, Instant now,
                          TcpOutput& out);

  // ---- Driving -------------------------------------------------------------
  // A segment for this connection's 4-tuple (checksum already verified).
  void on_segment(const TcpRepr& segment, Instant now, TcpOutput& out);
  // Fires the timers that are due and sends whatever is pending.
  void on_timer(Instant now, TcpOutput& out);
  // An ICMP error quoting our segment with sequence number `sequence`;
  // ignored unless it lies in [SND.UNA, SND.MAX) (RFC 5927 4.1). In
  // SYN-SENT, and in SYN-RECEIVED when it quotes our ISN, a hard error
  // (port or protocol unreachable, parameter problem, or a next hop that
  // never answered ARP or neighbour discovery) aborts the open with `error`
  // (as Linux does); otherwise it is kept as the soft error
  // (RFC 1122 4.2.3.9) that a retransmission or keepalive timeout reports
  // instead of TimedOut (Linux's sk_err_soft).
  void on_icmp_error(Error error, bool hard, std::uint32_t sequence);
  std::optional<Error> soft_error() const { return soft_error_; }
  // The path MTU went down (a Packet Too Big, RFC 8201): segments shrink to
  // fit `mss_limit` (the MTU less the IP and TCP headers), and what is in
  // flight is sent again at the new size at once, with no congestion
  // response: it was lost to the path, not to congestion (RFC 1191 6.5).
  void on_path_mtu(std::uint16_t mss_limit, Instant now, TcpOutput& out);
  // The earliest instant on_timer() has work, or Instant::max().
  Instant next_deadline() const;

  // ---- Application ---------------------------------------------------------
  // Copies as much of data as fits in the send buffer and sends what the
  // windows allow. WouldBlock when the buffer is full; NotConnected before
  // or after the connection can carry data; the error if it failed.
  // With `more` (MSG_MORE) the connection is corked: a last segment shorter
  // than the MSS waits until a send without `more`, a shutdown, or
  // cork_limit after the first corked send (Linux holds TCP_CORK data 200 ms
  // at most too), so that a header and a body written apart leave together.
  Result<std::size_t> send(ConstBytes data, Instant now, TcpOutput& out, bool more = false);
  static constexpr Duration cork_limit = Duration::millis(200);
  bool corked() const { return cork_until_ != Instant::max(); }
  // Queues data without copying it: the connection reads the caller's
  // memory until the peer acknowledges its last byte, then runs `done`
  // (delivered = true); if the connection fails or is aborted first, `done`
  // runs with delivered = false. Until then the memory must stay valid and
  // unchanged. All or nothing: NoBuffers when CONFIG_LWNET_TCP_ZERO_COPY_WRITES
  // writes are pending, other errors as send(); on an error `done` never runs.
  Status send_zero_copy(ConstBytes data, ZeroCopyCompletion done, Instant now, TcpOutput& out);
  // Copies received data; 0 at the end of the stream; WouldBlock when none
  // is there yet; the error if the connection failed.
  Result<std::size_t> receive(Bytes into, Instant now, TcpOutput& out);
  // The same answers, but the bytes stay in the receive buffer (MSG_PEEK).
  Result<std::size_t> peek(Bytes into) const;
  // No more data to send: a FIN follows the queued data.
  Status shutdown_send(Instant now, TcpOutput& out);
  // The application lets go: shuts down sending, and resets the connection
  // if received data was left unread (RFC 2525 2.17) or more arrives.
  void close(Instant now, TcpOutput& out);
  // Resets the connection at once (SO_LINGER with a zero timeout).
  void abort(Instant now, TcpOutput& out);

  // ---- Buffer sizes at run time ----------------------------------------------
  // The smallest sizes the buffers may shrink to now: the send buffer must
  // hold the copied bytes not yet acknowledged; the receive buffer what is
  // stored plus the window already promised to the peer (RFC 9293 3.8.6.2.2:
  // never shrink the window).
  std::size_t minimum_send_buffer() const { return send_queue_.copied_bytes(); }
  std::size_t minimum_receive_buffer() const;
  // Bytes of each ring's storage ever written, from its start: what may be
  // resident (TcpTable gives the pages back when the slot is freed).
  std::size_t send_buffer_touched() const { return send_queue_.touched(); }
  std::size_t receive_buffer_touched() const { return receive_ring_.touched(); }
  // Moves a buffer to new storage of another size (may overlap the old);
  // false, nothing changed, below the minimum. A larger receive buffer is
  // announced to the peer at once when that opens the window usefully.
  bool resize_send_buffer(Bytes storage);
  bool resize_receive_buffer(Bytes storage, Instant now, TcpOutput& out);
  // In TIME-WAIT with nothing left to read (both FINs are acknowledged, so
  // nothing more comes in or goes out): lets go of both buffers' storage,
  // which another connection may then use, and returns true; false, nothing
  // changed, in any other case. The connection lives on with empty buffers:
  // TIME-WAIT only answers segments with ACKs, and data would find no room.
  bool release_buffers();
  bool has_buffers() const { return receive_ring_.capacity() != 0; }

  // ---- State ---------------------------------------------------------------
  TcpState state() const { return state_; }
  const IpEndpoint& local() const { return local_; }
  const IpEndpoint& remote() const { return remote_; }
  std::optional<Error> error() const { return error_; }
  std::size_t readable_bytes() const { return receive_ring_.size(); }
  std::size_t send_space() const { return send_queue_.free_space(); }
  std::size_t unacknowledged_or_unsent() const { return send_queue_.size(); }
  std::size_t send_buffer_size() const { return send_queue_.capacity(); }
  std::size_t receive_buffer_size() const { return receive_ring_.capacity(); }
  std::size_t zero_copy_writes_pending() const { return send_queue_.references(); }
  bool end_of_stream() const { return fin_received_; }
  bool orphaned() const { return orphaned_; }
  // Takes (and clears) the event bits raised since the last call.
  std::uint8_t take_events() {
    std::uint8_t e = events_;
    events_ = 0;
    return e;
  }
  TcpSettings& settings() { return settings_; }
  const TcpSettings& settings() const { return settings_; }

  // For tests and statistics.
  std::size_t congestion_window() const { return congestion_.window(); }
  std::size_t send_window() const { return send_window_; }
  std::size_t send_mss() const { return send_mss_; }
  Duration retransmit_timeout() const { return rtt_.rto(); }
  const RttEstimator& rtt_estimator() const { return rtt_; }
  std::uint32_t retransmissions() const { return total_retransmissions_; }

 private:
  // Input, by state (tcp_input.cpp).
  void on_segment_syn_sent(const TcpRepr& segment, Instant now, TcpOutput& out);
  void on_segment_synchronized(const TcpRepr& segment, Instant now, TcpOutput& out);
  bool acceptable(const TcpRepr& segment) const;
  // The peer's SYN: its sequence number, unscaled window and options.
  void learn_syn(const TcpRepr& syn, std::uint16_t mss_limit);
  // Every open: the 4-tuple and our send sequence space from `iss`.
  void begin(const IpEndpoint& local, const IpEndpoint& remote, Seq32 iss, Instant now);
  // open_passive() and open_from_cookie() up to SYN-RECEIVED's variables.
  void begin_passive(const IpEndpoint& local, const IpEndpoint& remote, const TcpRepr& syn,
                     Seq32 iss, std::uint16_t mss_limit, Instant now);
  // Returns false when the segment must be dropped after the ACK checks.
  bool process_ack(const TcpRepr& segment, Instant now, TcpOutput& out);
  void process_data(const TcpRepr& segment, Instant now);
  void process_fin(Instant now);
  // ACK now when `at_once` or delayed ACKs are off, else arm the delayed
  // ACK timer unless it runs already.
  void delay_ack(bool at_once, Instant now);
  void on_our_fin_acknowledged(Instant now);
  void challenge_ack(Instant now);

  // Output (tcp_output.cpp).
  void output(Instant now, TcpOutput& out);
  bool send_data_segment(Seq32 seq, std::size_t max_len, bool allow_fin, Instant now,
                         TcpOutput& out, std::size_t& sent_len);
  bool send_control(std::uint8_t flags, Seq32 seq, Instant now, TcpOutput& out);
  // A bare RST (never with an ACK: every reset a connection sends follows
  // an acceptable segment or none).
  void send_reset(Seq32 seq, Instant now, TcpOutput& out);
  TcpRepr make_header(std::uint8_t flags, Seq32 seq, Instant now);
  std::uint16_t window_to_advertise();
  std::size_t receive_window_free() const;
  void ack_now() { ack_now_ = true; }
  void arm_retransmit(Instant now) { retransmit_at_ = now + rtt_.rto(); }

  // Timers and endings (tcp_timers.cpp).
  // When the next keepalive probe (or the reset after the last) is due, and
  // when out-of-order data is dropped; Instant::max() when not armed.
  Instant keepalive_at() const;
  Instant out_of_order_expiry() const;
  void on_retransmit_timeout(Instant now, TcpOutput& out);
  // Keeps the first error, raises the error events and enters CLOSED.
  void fail(Error error);
  // A retransmission or keepalive timeout: a RST when the peer knows our
  // sequence numbers, then fails with the soft error (or TimedOut).
  void give_up(Instant now, TcpOutput& out);
  void enter_closed();
  void enter_time_wait(Instant now);

  std::size_t in_flight() const { return static_cast<std::size_t>(send_next_ - send_unacknowledged_); }
  // RFC 6675 "pipe": bytes still in the network during SACK recovery.
  std::size_t pipe() const;
  void enter_recovery(Instant now, TcpOutput& out);
  // Bytes queued to send, from send_base_.
  std::size_t data_end_offset() const { return send_queue_.size(); }
  // Checks the state allows queuing data; WouldBlock-free part of send().
  Status check_can_send() const;
  void after_queued(Instant now, TcpOutput& out);
  std::uint32_t timestamp_now(Instant now) const {
    return static_cast<std::uint32_t>(now.total_millis()) + timestamp_offset_;
  }

  TcpSettings settings_;
  std::size_t receive_buffer_limit_;
  // Constant false without timestamps (CONFIG_LWNET_TCP_TIMESTAMPS=0), so that
  // their code folds away.
  bool use_timestamps() const { return config::tcp_timestamps && timestamps_; }
  // The window shifts, constant 0 where the build has no window scaling, so
  // that their shifts fold away.
  std::uint8_t send_shift() const { return config::tcp_window_scaling_built ? send_scale_ : 0; }
  std::uint8_t receive_shift() const { return config::tcp_window_scaling_built ? receive_scale_ : 0; }
  TcpSendQueue send_queue_;
  RingBuffer receive_ring_;
  RttEstimator rtt_;
  // Never without SACK input: what it guards is compiled out then.
  bool sack_recovery() const { return config::tcp_sack_in && sack_recovery_; }
  static constexpr std::uint32_t challenge_acks_per_second = 10;
};

}  // namespace lwnet
