// All TCP connections and listeners of a stack: demultiplexing by 4-tuple,
// listen backlogs, the answers to segments nobody owns (RST), initial
// sequence numbers and ephemeral ports, slot limits and TIME-WAIT recycling.
//
// Memory is reserved once, at construction: CONFIG_LWIP_MAX_ACTIVE_TCP slots,
// each a TcpConnection, and CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS pairs of
// send and receive storage at their compile-time caps (by default one pair
// per slot). The guide's peak-memory formula is then an exact bound (see
// memory_per_connection()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "config/options.h"
#include "time/deadline_heap.h"
#include "time/instant.h"
#include "transport/tcp/tcp_connection.h"
#include "util/random.h"
#include "util/result.h"
#include "util/siphash.h"
#include "util/stat_counter.h"
#include "wire/address.h"
#include "wire/tcp.h"

namespace lwnet {

// A connection or a listener. Carries a generation so a closed handle cannot
// reach whatever reuses its slot. Live generations are never 0, so a
// default-constructed TcpHandle{} is "no handle" and reaches nothing.
struct TcpHandle {
  std::uint16_t slot = 0;
  std::uint16_t generation = 0;
  bool listener = false;
  bool operator==(const TcpHandle&) const = default;
};

// A local address and port that bind() holds for a socket that has not
// listened or connected yet (so that no other socket can bind it meanwhile).
struct TcpReservation {
  std::uint16_t slot = 0;
  std::uint16_t generation = 0;  // never 0 for a live reservation
  IpEndpoint local;              // the port picked when bind() asked for 0
  bool operator==(const TcpReservation&) const = default;
};

// OS glue that gives memory pages back (Linux: madvise(MADV_DONTNEED)):
// the whole pages inside [address, address + bytes), whose contents are
// not needed any more; what lies around them must stay as it is.
using ReleaseMemory = void (*)(void* address, std::size_t bytes);

struct TcpTableConfig {
  std::size_t max_connections = config::max_active_tcp;
  std::size_t max_listeners = config::max_listening_tcp;
  // Connections holding buffers at once (1..max_connections): a new
  // connection takes a free pair, or the pair of a TIME-WAIT connection with
  // nothing left to read; with neither it is refused as when the table is
  // full (connect: TableFull; a SYN: drop_no_buffers, then as drop_no_slot).
  std::size_t buffered_connections = config::tcp_buffered_connections;
  std::size_t send_buffer_cap = config::tcp_snd_buf_max;
  std::size_t receive_buffer_cap = config::tcp_wnd_max;
  TcpSettings defaults{};
  // Bound ports held at once (TcpTable::reserve): one per socket at most.
  std::size_t max_reservations = config::max_sockets;
  std::uint16_t ephemeral_first = 49152;  // RFC 6335 dynamic range
  std::uint16_t ephemeral_last = 65535;
  // Called when a connection slot is freed, for each of its rings that was
  // written past release_threshold bytes, so that a bulk transfer's rings
  // do not stay resident once it ends (nullptr: nothing to give back, as
  // on a microcontroller). The storage stays reserved: the next
  // connection in the slot takes pages again as it writes.
  ReleaseMemory release_memory = nullptr;
  // Rings written no further stay as they are: a connection that moves a
  // few bytes (connections per second) costs no system call, and its pages
  // serve the next connection in the slot.
  std::size_t release_threshold = 64 * 1024;
};

struct TcpTableStats {
  StatCounter rx_segments = 0, tx_resets = 0;
  StatCounter drop_no_listener = 0;     // answered with RST
  StatCounter drop_backlog_full = 0;    // accept queue full: SYN (ESP-IDF) or cookie ACK gets RST
  StatCounter drop_no_slot = 0;         // RST: table full of live connections
  // Of those, refused for want of buffers while a slot was free.
  StatCounter drop_no_buffers = 0;
  // Buffer pairs taken from TIME-WAIT connections for new ones.
  StatCounter buffers_lent = 0;
  StatCounter drop_syn_fin = 0;         // SYN+FIN to a listener, dropped unanswered
  StatCounter connections_opened = 0, connections_accepted = 0;
  StatCounter time_wait_recycled = 0;
  // SYN cookies (syn_cookie.h): SYN-ACKs sent without keeping state; ACKs
  // that returned a valid cookie; ACKs to a listener that sent cookies
  // whose cookie was wrong or stale (answered with RST).
  StatCounter syn_cookies_sent = 0, syn_cookies_validated = 0, syn_cookies_rejected = 0;
  // Half-open connections dropped to make room for a validated cookie.
  StatCounter half_open_evicted = 0;
  // Connections in SYN-RECEIVED ended by a hard ICMP error quoting our
  // SYN-ACK's ISN (or by a next hop that never answered): a passive open's
  // slot is freed before anyone saw it, as Linux drops the request
  // (tcp_req_err, counted in its ListenDrops).
  StatCounter half_open_icmp_aborted = 0;
};

// What TcpTable keeps instead of its deadline heap without the connection
// indexes (CONFIG_LWNET_TCP_CONNECTION_INDEX 0), where every use of the heap
// is compiled out: nothing to allocate or build at construction.
struct NoDeadlineIndex {
  explicit NoDeadlineIndex(std::size_t) {}
  void set(DeadlineHeap::Id, Instant) {}
  void clear(DeadlineHeap::Id) {}
  Instant earliest() const { return Instant::max(); }
  std::optional<DeadlineHeap::Id> first() const { return std::nullopt; }
  std::size_t size() const { return 0; }
};

// Core thread only.
class TcpTable {
 public:
  TcpTable(const TcpTableConfig& config, Random& random);
  ~TcpTable();
  TcpTable(const TcpTable&) = delete;
  TcpTable& operator=(const TcpTable&) = delete;

  // A segment addressed to one of our addresses. `mss_limit` is what the
  // route back to the source allows (MTU minus IP and TCP headers); it is
  // read only for a SYN that opens a connection (or gets a SYN cookie) and
  // an ACK that returns a cookie. `netif`: where it arrived; a listener
  // bound to a netif (TcpIpOptions::netif) takes SYNs from that netif only
  // (none: from anywhere).
  void on_segment(const IpAddress& source, const IpAddress& destination, const TcpRepr& segment,
                  std::uint16_t mss_limit, Instant now, TcpOutput& out,
                  std::optional<NetifId> netif = std::nullopt);
  // The netif of the listener that a SYN to `local` arriving on `arrived`
  // reaches, when that listener is bound to one (SO_BINDTODEVICE): its
  // connections send through it, so their MSS comes from its MTU.
  std::optional<NetifId> listener_netif(const IpEndpoint& local, NetifId arrived);
  void on_timer(Instant now, TcpOutput& out);
  // An ICMP error quoting a segment from `local` to `remote`
  // (TcpConnection::on_icmp_error); nothing when no connection has the tuple.
  void on_icmp_error(const IpEndpoint& local, const IpEndpoint& remote, Error error, bool hard,
                     std::uint32_t sequence);
  // The path MTU towards `remote` went down: every connection to it takes
  // the new `mss_limit` (TcpConnection::on_path_mtu).
  void on_path_mtu(const IpAddress& remote, std::uint16_t mss_limit, Instant now, TcpOutput& out);
  Instant next_deadline() const;

  // ---- Bound ports -----------------------------------------------------------
  // bind(): holds `local` until release() (port 0: an ephemeral port, picked
  // now). AddressInUse when a listener, a connection or another reservation
  // holds the port on an overlapping address, unless reuse_address
  // (SO_REUSEADDR) and only TIME-WAIT connections hold it; TableFull when
  // max_reservations are held. The address is not checked here (the stack
  // knows its addresses). Addresses overlap as port_binding.h says:
  // `v6only` is the binding's IPV6_V6ONLY.
  Result<TcpReservation> reserve(const IpEndpoint& local, bool reuse_address, bool v6only = false);
  // Lets the port go (before listen()/connect() take it over, or on close);
  // nothing for a stale reservation.
  void release(const TcpReservation& reservation);
  std::size_t reservations_in_use() const;

  // ---- Listeners -----------------------------------------------------------
  // Port 0 is refused (a listener needs a known port). AddressInUse when a
  // listener, connection or reservation holds the port, unless reuse_address
  // (SO_REUSEADDR) and only TIME-WAIT connections hold it.
  // Accepted connections take `settings` (the table's defaults when null).
  Result<TcpHandle> listen(const IpEndpoint& local, std::size_t backlog, bool reuse_address,
                           const TcpSettings* settings = nullptr);
  // The settings a listener's new connections start with (and its own: the
  // netif it takes SYNs from, the TOS and TTL of its SYN-ACKs and cookies),
  // changeable while it listens; nullptr for a stale handle.
  TcpSettings* listener_settings(TcpHandle listener);
  // A connection that completed its handshake, or WouldBlock.
  Result<TcpHandle> accept(TcpHandle listener);
  std::size_t pending_accepts(TcpHandle listener) const;

  // ---- Connections -----------------------------------------------------------
  // `local.address` must be the source address the route chose; port 0 picks
  // an ephemeral port (randomized, RFC 6056).
  Result<TcpHandle> connect(const IpEndpoint& local, const IpEndpoint& remote,
                            std::uint16_t mss_limit, Instant now, TcpOutput& out,
                            const TcpSettings* settings = nullptr);
  Result<std::size_t> send(TcpHandle h, ConstBytes data, Instant now, TcpOutput& out, bool more = false);
  // TcpConnection::send_zero_copy (Closed for a stale handle).
  Status send_zero_copy(TcpHandle h, ConstBytes data, ZeroCopyCompletion done, Instant now,
                        TcpOutput& out);
  Result<std::size_t> receive(TcpHandle h, Bytes into, Instant now, TcpOutput& out);
  // SO_SNDBUF / SO_RCVBUF on a live connection: each size is clamped to
  // [what the connection needs now, the compile-time cap]; the sizes taken
  // show in connection(h)->send_buffer_size() / receive_buffer_size().
  Status set_buffer_sizes(TcpHandle h, std::size_t send, std::size_t receive, Instant now,
                          TcpOutput& out);
  Status shutdown_send(TcpHandle h, Instant now, TcpOutput& out);
  // Lets go of the handle; the connection finishes closing on its own. For a
  // listener, resets the connections it had not handed out yet.
  void close(TcpHandle h, Instant now, TcpOutput& out);
  void abort(TcpHandle h, Instant now, TcpOutput& out);

  // nullptr for a stale handle. Settings may be changed through it.
  TcpConnection* connection(TcpHandle h);
  const TcpConnection* connection(TcpHandle h) const;
  // Event bits raised since the last call (tcp_events); for a listener,
  // tcp_events::readable means a connection is waiting in accept().
  std::uint8_t take_events(TcpHandle h);

  // The owner's pointer for a handle (lwIP's tcp_arg), null until set.
  // A connection waiting in accept() has none until its owner sets one; it
  // is dropped when the handle is closed or aborted (a later handle in the
  // same slot starts with null). Closed for a stale handle.
  Status set_user_data(TcpHandle h, void* user_data);
  // Null for a stale handle or when none was set.
  void* user_data(TcpHandle h) const;

  // Called (inside on_segment / on_timer / API calls) whenever a handle
  // gains events; lets the socket layer wake its waiters.
  using EventCallback = void (*)(void* context, TcpHandle h, std::uint8_t events);
  void set_event_callback(EventCallback callback, void* context) {
    event_callback_ = callback;
    event_context_ = context;
  }

  // RFC 6528: ISN = 4-microsecond clock + keyed hash of the 4-tuple.
  Seq32 initial_sequence_number(const IpEndpoint& local, const IpEndpoint& remote,
                                Instant now) const;

  const TcpTableStats& stats() const { return stats_; }
  std::size_t connections_in_use() const;
  std::size_t listeners_in_use() const;
  // Bytes reserved per connection slot: the guide's lwip_tcp_conn plus the
  // two windows (tx_win + rx_win) at their caps (with fewer buffered
  // connections than slots, the pairs are shared: see buffered_connections).
  std::size_t memory_per_connection() const;
  // Connections holding a buffer pair now.
  std::size_t buffers_in_use() const;
  // The guide's lwip_tcp_conn: the fixed part of one slot.
  static std::size_t connection_object_size();

 private:
  struct ConnectionSlot;
  struct ListenerSlot;

  ConnectionSlot* slot_of(TcpHandle h);
  const ConnectionSlot* slot_of(TcpHandle h) const;
  ListenerSlot* listener_of(TcpHandle h);
  const ListenerSlot* listener_of(TcpHandle h) const;
  // A free slot with a buffer pair (ConnectionSlot::buffers) taken for it,
  // or no_free_slot. A plain integer: an optional index cost its packing
  // and unpacking at every call on Cortex-M.
  static constexpr std::int32_t no_free_slot = -1;
  std::int32_t allocate_slot(Instant now, TcpOutput& out);
  // A buffer pair for slot `index`: a free one, else one a TIME-WAIT
  // connection lends (TcpConnection::release_buffers); false with neither.
  bool take_buffers(std::uint16_t index);
  // Gives slot `index`'s pair back to the free list (pages over the
  // release threshold back to the OS first).
  void return_buffers(std::uint16_t index);
  std::uint8_t* buffer_area(std::int16_t pair) const;
  // Builds the connection in slot `index` on its buffer pair.
  void emplace_connection(std::uint16_t index, const TcpSettings& settings);
  void free_slot(std::uint16_t index);
  ConnectionSlot* find(const IpEndpoint& local, const IpEndpoint& remote);
  ListenerSlot* find_listener(const IpEndpoint& local, std::optional<NetifId> netif = std::nullopt);
  void link(std::uint16_t index);
  void unlink(std::uint16_t index);
  std::size_t bucket_of(const IpEndpoint& local, const IpEndpoint& remote) const;
  bool port_in_use(const IpAddress& address, std::uint16_t port, bool ignore_time_wait,
                   bool v6only = false) const;
  // A free ephemeral port, or no_free_port (a plain integer, as allocate_slot()'s).
  static constexpr std::int32_t no_free_port = -1;
  std::int32_t pick_ephemeral_port(const IpAddress& address, bool v6only = false);
  void send_reset_for(const IpAddress& source, const IpAddress& destination,
                      const TcpRepr& segment, Instant now, TcpOutput& out);
  void send_syn_cookie(ListenerSlot& l, const IpEndpoint& local, const IpEndpoint& remote,
                       const TcpRepr& syn, std::uint16_t mss_limit, Instant now, TcpOutput& out);
  void open_from_cookie(ListenerSlot& l, const IpEndpoint& local, const IpEndpoint& remote,
                        const TcpRepr& ack, const SynCookieOptions& options,
                        std::uint16_t mss_limit, Instant now, TcpOutput& out);
  // The longest-waiting connection in SYN-RECEIVED (of listener `of`, or
  // of any listener for nullptr).
  std::optional<std::uint16_t> oldest_half_open(const ListenerSlot* of) const;
  // Frees oldest_half_open(of) and returns its slot.
  std::optional<std::uint16_t> evict_half_open(const ListenerSlot* of);
  void deliver_events(std::uint16_t index);
  void after_activity(std::uint16_t index);
  // Puts slot `index`'s next deadline into timers_ (or takes it out).
  void refresh_timer(std::uint16_t index) const;
  // Every connection's next deadline, scanned (without the heap, and to
  // check it in Debug builds).
  Instant earliest_deadline_by_scan() const;
  // Refreshes the slots whose connection was handed out by connection(h)
  // since: the caller may have changed its settings (keepalive...) and with
  // them its deadline.
  void refresh_stale() const;

  TcpTableConfig config_;
  Random& random_;
  // Buffer pairs nobody holds: free_buffers_[0, free_buffer_count_).
  // Before the arrays: their sizes are made from it.
  std::size_t free_buffer_count_ = 0;
  SipKey secret_{};
  std::uint64_t hash_salt_ = 0;
  // Declared before slots_, so that it outlives the connections built in it.
  std::unique_ptr<std::uint8_t[]> connection_storage_;
  std::unique_ptr<ConnectionSlot[]> slots_;
  std::unique_ptr<std::uint8_t[]> storage_;
  // Buffer pairs nobody holds (a stack of indices into storage_).
  std::unique_ptr<std::int16_t[]> free_buffers_;
  std::unique_ptr<std::int16_t[]> buckets_;
  std::size_t bucket_count_ = 0;
  std::unique_ptr<ListenerSlot[]> listeners_;
  struct ReservationSlot {
    bool in_use = false;
    std::uint16_t generation = 1;
    IpEndpoint local;
    bool v6only = false;
  };
  std::unique_ptr<ReservationSlot[]> reservations_;
  // Every connection's next deadline, by slot: next_deadline() and on_timer()
  // look at no slot that has nothing due (10,000 idle connections cost
  // nothing per poll). Mutable: next_deadline() const folds in stale slots.
  mutable std::conditional_t<config::tcp_connection_index, DeadlineHeap, NoDeadlineIndex> timers_;
  mutable std::unique_ptr<std::uint16_t[]> stale_;
  mutable std::size_t stale_count_ = 0;
  TcpTableStats stats_;
  EventCallback event_callback_ = nullptr;
  void* event_context_ = nullptr;
};

}  // namespace lwnet
