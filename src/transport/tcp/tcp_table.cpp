#include "transport/tcp/tcp_table.h"

#include "transport/port_binding.h"
#include "transport/tcp/syn_cookie.h"
#include "transport/tcp/tcp_table_slots.h"
#include "util/assert.h"

#include <algorithm>
#include <array>
#include <memory>
#include <type_traits>
#include <utility>

namespace lwnet {

namespace {

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Without IPv6 no connection has an IPv6 address (routing refuses them):
// the IPv6 halves of these two are compiled out.
std::uint64_t fold(const IpAddress& a) {
  if (core_is_v4(a)) return a.v4().value;
  std::uint64_t h = 0;
  for (std::uint8_t b : a.v6().octets) h = h * 131 + b;
  return h;
}

void write_address(std::array<std::uint8_t, 36>& out, std::size_t at, const IpAddress& a) {
  if (core_is_v4(a)) {
    a.v4().write(Bytes(out).subspan(at, 4));
  } else {
    a.v6().write(Bytes(out).subspan(at, 16));
  }
}

// buffered_connections within 1..max_connections.
std::size_t buffer_pairs(const TcpTableConfig& config) {
  return std::min(std::max<std::size_t>(config.buffered_connections, 1), config.max_connections);
}

}  // namespace

TcpTable::TcpTable(const TcpTableConfig& config, Random& random)
    // Every array is made in the initialiser list: assigning them in the body
    // compiled a release of the (empty) previous array for each.
    : config_(config), random_(random), free_buffer_count_(buffer_pairs(config)),
      connection_storage_(std::make_unique_for_overwrite<std::uint8_t[]>(config.max_connections *
                                                                         sizeof(TcpConnection))),
      slots_(std::make_unique<ConnectionSlot[]>(config.max_connections)),
      // Not zero-filled: pages a connection never uses stay out of the
      // resident set (16 slots of 256 KiB rings would otherwise cost 8 MiB
      // at start-up).
      storage_(std::make_unique_for_overwrite<std::uint8_t[]>(
          free_buffer_count_ * (config.send_buffer_cap + config.receive_buffer_cap))),
      free_buffers_(std::make_unique_for_overwrite<std::int16_t[]>(free_buffer_count_)),
      listeners_(std::make_unique<ListenerSlot[]>(config.max_listeners)),
      reservations_(std::make_unique<ReservationSlot[]>(config.max_reservations)),
      timers_(config.max_connections),
      stale_(config::tcp_connection_index ? std::make_unique<std::uint16_t[]>(config.max_connections) : nullptr) {
  config_.buffered_connections = free_buffer_count_;
  std::uint64_t r = 0;
  // The key of the ISN hash and of SYN cookies.
  for (std::size_t i = 0; i < (config::tcp_isn_rfc6528 || config::tcp_syn_cookies ? secret_.size() : 0); ++i) {
    if (i % 8 == 0) r = random_.next_u64();
    secret_[i] = static_cast<std::uint8_t>(r >> (8 * (i % 8)));
  }
  if constexpr (config::tcp_connection_index) hash_salt_ = random_.next_u64();
  // The connections' storage is not zero-filled either: a connection's
  // pages become resident when a connection is first built in its slot
  // (see SlotConnection).
  static_assert(alignof(TcpConnection) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ &&
                sizeof(TcpConnection) % alignof(TcpConnection) == 0);
  // Popped from the back: pair 0 first, as slot 0 is taken first.
  for (std::size_t i = 0; i < free_buffer_count_; ++i) {
    free_buffers_[i] = static_cast<std::int16_t>(free_buffer_count_ - 1 - i);
  }
  if constexpr (config::tcp_connection_index) {
    bucket_count_ = 1;
    while (bucket_count_ < 2 * config_.max_connections) bucket_count_ *= 2;
    buckets_ = std::make_unique_for_overwrite<std::int16_t[]>(bucket_count_);
    std::fill(buckets_.get(), buckets_.get() + bucket_count_, no_slot);
  }
}

TcpTable::~TcpTable() {
  static_assert(std::is_trivially_destructible_v<ConnectionSlot>);
  for (std::size_t i = 0; i < config_.max_connections; ++i) slots_[i].connection.reset();
}

std::size_t TcpTable::connection_object_size() { return sizeof(ConnectionSlot) + sizeof(TcpConnection); }

std::size_t TcpTable::memory_per_connection() const {
  return connection_object_size() + config_.send_buffer_cap + config_.receive_buffer_cap;
}

std::size_t TcpTable::buffers_in_use() const { return config_.buffered_connections - free_buffer_count_; }

std::size_t TcpTable::connections_in_use() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < config_.max_connections; ++i) n += slots_[i].connection ? 1U : 0U;
  return n;
}

std::size_t TcpTable::listeners_in_use() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < config_.max_listeners; ++i) n += listeners_[i].in_use ? 1U : 0U;
  return n;
}

Seq32 TcpTable::initial_sequence_number(const IpEndpoint& local, const IpEndpoint& remote,
                                        Instant now) const {
  if constexpr (!config::tcp_isn_rfc6528) return Seq32(random_.next_u32());
  std::array<std::uint8_t, 36> tuple{};
  write_address(tuple, 0, local.address);
  write_address(tuple, 16, remote.address);
  store_be16(tuple, 32, local.port);
  store_be16(tuple, 34, remote.port);
  const auto hash = static_cast<std::uint32_t>(siphash24(secret_, tuple));
  // M: a timer ticking every 4 microseconds (RFC 6528 section 3).
  const auto clock = static_cast<std::uint32_t>(now.total_micros() / 4);
  return Seq32(clock + hash);
}

std::size_t TcpTable::bucket_of(const IpEndpoint& local, const IpEndpoint& remote) const {
  const std::uint64_t key = (fold(local.address) * 0x9e3779b97f4a7c15ULL) ^ fold(remote.address) ^
                            (std::uint64_t{local.port} << 16 | remote.port) ^ hash_salt_;
  return static_cast<std::size_t>(mix(key)) & (bucket_count_ - 1);
}

void TcpTable::link(std::uint16_t index) {
  if constexpr (!config::tcp_connection_index) return;
  const TcpConnection& c = *slots_[index].connection;
  const std::size_t b = bucket_of(c.local(), c.remote());
  slots_[index].next_in_bucket = buckets_[b];
  buckets_[b] = static_cast<std::int16_t>(index);
}

void TcpTable::unlink(std::uint16_t index) {
  if constexpr (!config::tcp_connection_index) return;
  const TcpConnection& c = *slots_[index].connection;
  const std::size_t b = bucket_of(c.local(), c.remote());
  std::int16_t* at = &buckets_[b];
  while (*at != no_slot) {
    if (*at == static_cast<std::int16_t>(index)) {
      *at = slots_[index].next_in_bucket;
      break;
    }
    at = &slots_[static_cast<std::size_t>(*at)].next_in_bucket;
  }
  slots_[index].next_in_bucket = no_slot;
}

TcpTable::ConnectionSlot* TcpTable::find(const IpEndpoint& local, const IpEndpoint& remote) {
  if constexpr (!config::tcp_connection_index) {
    for (std::size_t i = 0; i < config_.max_connections; ++i) {
      ConnectionSlot& s = slots_[i];
      if (s.connection && s.connection->local() == local && s.connection->remote() == remote) return &s;
    }
    return nullptr;
  }
  for (std::int16_t i = buckets_[bucket_of(local, remote)]; i != no_slot;
       i = slots_[static_cast<std::size_t>(i)].next_in_bucket) {
    ConnectionSlot& s = slots_[static_cast<std::size_t>(i)];
    if (s.connection->local() == local && s.connection->remote() == remote) return &s;
  }
  return nullptr;
}

std::int32_t TcpTable::allocate_slot(Instant now, TcpOutput& out) {
  std::int32_t free = no_free_slot;
  for (std::size_t i = 0; i < config_.max_connections && free == no_free_slot; ++i) {
    if (!slots_[i].connection) free = static_cast<std::int32_t>(i);
  }
  if (free != no_free_slot && take_buffers(static_cast<std::uint16_t>(free))) return free;
  // Full (of slots, or of buffer pairs): recycle the TIME-WAIT connection
  // closest to its end, then an orphan that is only finishing its close
  // (the guide: fewer sockets make TIME-WAIT and closing connections
  // recycle sooner). With no pair free, only one that holds a pair helps.
  const bool need_pair = free_buffer_count_ == 0;
  std::int32_t best = no_free_slot;
  int best_rank = 0;
  Instant best_deadline = Instant::max();
  for (std::size_t i = 0; i < config_.max_connections; ++i) {
    const ConnectionSlot& s = slots_[i];
    if (!s.connection || s.owned || s.listener != no_slot || (need_pair && s.buffers == no_slot)) continue;
    const TcpState st = s.connection->state();
    const int rank = st == TcpState::TimeWait ? 2 : (st == TcpState::LastAck || st == TcpState::Closing ||
                                                     st == TcpState::FinWait2 || st == TcpState::FinWait1)
                                                        ? 1
                                                        : 0;
    if (rank == 0) continue;
    const Instant deadline = s.connection->next_deadline();
    if (rank > best_rank || (rank == best_rank && deadline < best_deadline)) {
      best = static_cast<std::int32_t>(i);
      best_rank = rank;
      best_deadline = deadline;
    }
  }
  if (best == no_free_slot) {
    if (free != no_free_slot) ++stats_.drop_no_buffers;
    return no_free_slot;
  }
  const auto index = static_cast<std::uint16_t>(best);
  if (best_rank == 1) slots_[index].connection->abort(now, out);
  ++stats_.time_wait_recycled;
  free_slot(index);
  (void)take_buffers(index);  // a pair is free now: the one it held, or one before
  return best;
}

bool TcpTable::take_buffers(std::uint16_t index) {
  ConnectionSlot& s = slots_[index];
  if (free_buffer_count_ == 0) {
    // Lent by a connection in TIME-WAIT with nothing left to read.
    std::size_t lender = 0;
    while (lender < config_.max_connections &&
           !(slots_[lender].connection && slots_[lender].buffers != no_slot &&
             slots_[lender].connection->release_buffers())) {
      ++lender;
    }
    if (lender == config_.max_connections) return false;
    ++stats_.buffers_lent;
    return_buffers(static_cast<std::uint16_t>(lender));
  }
  s.buffers = free_buffers_[--free_buffer_count_];
  return true;
}

void TcpTable::return_buffers(std::uint16_t index) {
  ConnectionSlot& s = slots_[index];
  if (s.buffers == no_slot) return;
  if (config_.release_memory != nullptr) {
    std::uint8_t* area = buffer_area(s.buffers);
    const std::size_t send = std::min(s.connection->send_buffer_touched(), config_.send_buffer_cap);
    const std::size_t receive = std::min(s.connection->receive_buffer_touched(), config_.receive_buffer_cap);
    if (send >= config_.release_threshold) config_.release_memory(area, send);
    if (receive >= config_.release_threshold) config_.release_memory(area + config_.send_buffer_cap, receive);
  }
  free_buffers_[free_buffer_count_++] = s.buffers;
  s.buffers = no_slot;
}

std::uint8_t* TcpTable::buffer_area(std::int16_t pair) const {
  return storage_.get() + static_cast<std::size_t>(pair) * (config_.send_buffer_cap + config_.receive_buffer_cap);
}

void TcpTable::free_slot(std::uint16_t index) {
  ConnectionSlot& s = slots_[index];
  if (!s.connection) return;
  // A free slot holds the defaults below (as a new one does): a connection
  // built in it sets only what differs.
  unlink(index);
  return_buffers(index);
  s.connection.reset();
  s.owned = false;
  s.listener = no_slot;
  s.queued = false;
  s.pending_events = 0;
  s.user_data = nullptr;
  s.generation = next_generation(s.generation);
  if constexpr (config::tcp_connection_index) timers_.clear(index);
}

bool TcpTable::port_in_use(const IpAddress& address, std::uint16_t port, bool ignore_time_wait,
                           bool v6only) const {
  for (std::size_t i = 0; i < config_.max_listeners; ++i) {
    const ListenerSlot& l = listeners_[i];
    if (l.in_use && l.local.port == port &&
        bindings_overlap(l.local.address, l.settings.ip.v6only, address, v6only)) {
      return true;
    }
  }
  for (std::size_t i = 0; i < config_.max_connections; ++i) {
    const ConnectionSlot& s = slots_[i];
    if (!s.connection || s.connection->local().port != port) continue;
    if (ignore_time_wait && s.connection->state() == TcpState::TimeWait) continue;
    // A connection's local address is never a wildcard: its IPV6_V6ONLY
    // changes nothing.
    if (bindings_overlap(s.connection->local().address, false, address, v6only)) return true;
  }
  for (std::size_t i = 0; i < config_.max_reservations; ++i) {
    const ReservationSlot& r = reservations_[i];
    if (r.in_use && r.local.port == port && bindings_overlap(r.local.address, r.v6only, address, v6only)) {
      return true;
    }
  }
  return false;
}

Result<TcpReservation> TcpTable::reserve(const IpEndpoint& local, bool reuse_address, bool v6only) {
  ReservationSlot* free = nullptr;
  for (std::size_t i = 0; i < config_.max_reservations && free == nullptr; ++i) {
    if (!reservations_[i].in_use) free = &reservations_[i];
  }
  if (free == nullptr) return Error::TableFull;
  IpEndpoint bound = local;
  if (bound.port == 0) {
    const std::int32_t port = pick_ephemeral_port(bound.address, v6only);
    if (port == no_free_port) return Error::AddressInUse;
    bound.port = static_cast<std::uint16_t>(port);
  } else if (port_in_use(bound.address, bound.port, reuse_address, v6only)) {
    return Error::AddressInUse;
  }
  free->in_use = true;
  free->local = bound;
  free->v6only = v6only;
  return TcpReservation{static_cast<std::uint16_t>(free - reservations_.get()), free->generation, bound};
}

void TcpTable::release(const TcpReservation& reservation) {
  if (reservation.slot >= config_.max_reservations) return;
  ReservationSlot& r = reservations_[reservation.slot];
  if (!r.in_use || r.generation != reservation.generation) return;
  r.in_use = false;
  r.generation = next_generation(r.generation);
}

std::size_t TcpTable::reservations_in_use() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < config_.max_reservations; ++i) n += reservations_[i].in_use ? 1U : 0U;
  return n;
}

std::int32_t TcpTable::pick_ephemeral_port(const IpAddress& address, bool v6only) {
  // RFC 6056 algorithm 1 (simple port randomization): a random start, then
  // the next free port.
  const std::uint32_t range = std::uint32_t{config_.ephemeral_last} - config_.ephemeral_first + 1;
  const std::uint32_t start = random_.below(range);
  for (std::uint32_t i = 0; i < range; ++i) {
    const auto port = static_cast<std::uint16_t>(config_.ephemeral_first + (start + i) % range);
    if (!port_in_use(address, port, false, v6only)) return port;
  }
  return no_free_port;
}

void TcpTable::emplace_connection(std::uint16_t index, const TcpSettings& settings) {
  std::uint8_t* area = buffer_area(slots_[index].buffers);
  const std::size_t send = std::clamp<std::size_t>(settings.send_buffer, 1, config_.send_buffer_cap);
  const std::size_t receive =
      std::clamp<std::size_t>(settings.receive_buffer, 1, config_.receive_buffer_cap);
  slots_[index].connection.emplace(connection_storage_.get() + std::size_t{index} * sizeof(TcpConnection),
                                   Bytes(area, send), Bytes(area + config_.send_buffer_cap, receive),
                                   settings, config_.receive_buffer_cap);
}

TcpTable::ConnectionSlot* TcpTable::slot_of(TcpHandle h) {
  if (h.listener || h.slot >= config_.max_connections) return nullptr;
  ConnectionSlot& s = slots_[h.slot];
  return s.connection && s.owned && s.generation == h.generation ? &s : nullptr;
}
const TcpTable::ConnectionSlot* TcpTable::slot_of(TcpHandle h) const {
  return const_cast<TcpTable*>(this)->slot_of(h);
}

TcpConnection* TcpTable::connection(TcpHandle h) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return nullptr;
  if (config::tcp_connection_index && !s->stale) {
    s->stale = true;
    stale_[stale_count_++] = h.slot;
  }
  return &*s->connection;
}
const TcpConnection* TcpTable::connection(TcpHandle h) const {
  const ConnectionSlot* s = slot_of(h);
  return s ? &*s->connection : nullptr;
}

Result<TcpHandle> TcpTable::connect(const IpEndpoint& local, const IpEndpoint& remote,
                                    std::uint16_t mss_limit, Instant now, TcpOutput& out,
                                    const TcpSettings* settings) {
  if (remote.port == 0 || remote.address.is_unspecified()) return Error::InvalidArgument;
  // TCP is unicast only: a group is no route for it (Linux: ENETUNREACH).
  if (remote.address.is_multicast()) return Error::NoRoute;
  IpEndpoint bound = local;
  if (bound.port == 0) {
    const std::int32_t port = pick_ephemeral_port(bound.address);
    if (port == no_free_port) return Error::AddressNotAvailable;
    bound.port = static_cast<std::uint16_t>(port);
  } else if (find(bound, remote) != nullptr) {
    return Error::AddressInUse;
  }
  const std::int32_t allocated = allocate_slot(now, out);
  if (allocated == no_free_slot) return Error::TableFull;
  const auto index = static_cast<std::uint16_t>(allocated);
  ConnectionSlot& s = slots_[index];
  emplace_connection(index, settings != nullptr ? *settings : config_.defaults);
  s.owned = true;
  Status opened = s.connection->open_active(bound, remote, initial_sequence_number(bound, remote, now),
                                            mss_limit, now, out);
  link(index);  // after the open: the bucket depends on the 4-tuple
  if (!opened) {
    free_slot(index);
    return opened.error();
  }
  ++stats_.connections_opened;
  (void)s.connection->take_events();
  refresh_timer(index);
  return TcpHandle{index, s.generation, false};
}

void TcpTable::send_reset_for(const IpAddress& source, const IpAddress& destination,
                              const TcpRepr& segment, Instant now, TcpOutput& out) {
  if (segment.has(tcp_flags::rst)) return;  // never answer a reset
  // RFC 9293 3.10.7.1: take the sequence number from the ACK, or ACK
  // everything the segment occupied.
  TcpRepr rst;
  rst.source_port = segment.destination_port;
  rst.destination_port = segment.source_port;
  if (segment.has(tcp_flags::ack)) {
    rst.flags = tcp_flags::rst;
    rst.sequence = segment.acknowledgment;
  } else {
    rst.flags = tcp_flags::rst | tcp_flags::ack;
    rst.sequence = 0;
    rst.acknowledgment = segment.sequence + static_cast<std::uint32_t>(segment.payload.size()) +
                         (segment.has(tcp_flags::syn) ? 1U : 0U) + (segment.has(tcp_flags::fin) ? 1U : 0U);
  }
  ++stats_.tx_resets;
  // Not a connection's: default TTL and TOS, the route's netif.
  (void)out.send_segment(IpEndpoint{destination, segment.destination_port},
                         IpEndpoint{source, segment.source_port}, TcpIpOptions{}, rst, {}, 0, now);
}

void TcpTable::on_icmp_error(const IpEndpoint& local, const IpEndpoint& remote, Error error,
                             bool hard, std::uint32_t sequence) {
  ConnectionSlot* s = find(local, remote);
  if (s == nullptr) return;
  const auto index = static_cast<std::uint16_t>(s - slots_.get());
  const bool half_open = s->connection->state() == TcpState::SynReceived;
  s->connection->on_icmp_error(error, hard, sequence);
  if (half_open && s->connection->state() == TcpState::Closed) ++stats_.half_open_icmp_aborted;
  after_activity(index);
}

void TcpTable::on_path_mtu(const IpAddress& remote, std::uint16_t mss_limit, Instant now,
                           TcpOutput& out) {
  for (std::size_t i = 0; i < config_.max_connections; ++i) {
    ConnectionSlot& s = slots_[i];
    if (!s.connection || s.connection->remote().address != remote) continue;
    s.connection->on_path_mtu(mss_limit, now, out);
    after_activity(static_cast<std::uint16_t>(i));
  }
}

void TcpTable::on_segment(const IpAddress& source, const IpAddress& destination,
                          const TcpRepr& segment, std::uint16_t mss_limit, Instant now,
                          TcpOutput& out, std::optional<NetifId> netif) {
  ++stats_.rx_segments;
  const IpEndpoint local{destination, segment.destination_port};
  const IpEndpoint remote{source, segment.source_port};
  if (ConnectionSlot* s = find(local, remote)) {
    const auto index = static_cast<std::uint16_t>(s - slots_.get());
    // A new SYN for a connection in TIME-WAIT may start a new incarnation
    // (RFC 9293 3.10.7.4 note, RFC 6191): only if a listener wants it.
    if (s->connection->state() == TcpState::TimeWait && segment.has(tcp_flags::syn) &&
        !segment.has(tcp_flags::ack) && find_listener(local, netif) != nullptr) {
      free_slot(index);
    } else {
      s->connection->on_segment(segment, now, out);
      after_activity(index);
      return;
    }
  }
  ListenerSlot* l = find_listener(local, netif);
  if (config::tcp_syn_cookies && l != nullptr && segment.has(tcp_flags::ack) && !segment.has(tcp_flags::syn) &&
      !segment.has(tcp_flags::rst) && l->last_cookie_sent &&
      now - *l->last_cookie_sent < syn_cookie_slot_length * 2) {
    // RFC 4987 3.6: the ACK may return a cookie (its acknowledgment - 1).
    const auto options = check_syn_cookie(secret_, local, remote, Seq32(segment.sequence - 1),
                                          segment.acknowledgment - 1, now);
    if (!options) {
      ++stats_.syn_cookies_rejected;
      send_reset_for(source, destination, segment, now, out);
      return;
    }
    ++stats_.syn_cookies_validated;
    open_from_cookie(*l, local, remote, segment, *options, mss_limit, now, out);
    return;
  }
  if (l == nullptr || !segment.has(tcp_flags::syn) || segment.has(tcp_flags::ack) ||
      segment.has(tcp_flags::rst)) {
    if (l == nullptr) ++stats_.drop_no_listener;
    send_reset_for(source, destination, segment, now, out);
    return;
  }
  if (segment.has(tcp_flags::fin)) {
    // SYN+FIN is no legal opening (RFC 9293 has no state for it) and a
    // classic scanner's probe: drop it unanswered, as Linux and the BSDs do.
    ++stats_.drop_syn_fin;
    return;
  }
  if (l->ready_count >= l->backlog) {
    // ESP-IDF: when the accept queue is full a new connection gets a RST.
    // The application is not keeping up; a cookie would not help, its ACK
    // would find the queue full too.
    ++stats_.drop_backlog_full;
    send_reset_for(source, destination, segment, now, out);
    return;
  }
  // Half-open connections are bounded: a listener keeps at most `backlog`
  // handshakes and queued connections together. Past that (or with no slot
  // free) the SYN is answered with a SYN cookie and nothing is stored, so
  // SYNs from spoofed sources that never answer cannot lock real clients
  // out: a real client returns the cookie and gets its connection at once.
  std::int32_t allocated = no_free_slot;
  if (l->embryonic + l->ready_count < l->backlog) allocated = allocate_slot(now, out);
  if (allocated == no_free_slot) {
    // A cookie's ACK needs a slot as well: the listener's own oldest
    // handshake when its backlog is what ran out, else any listener's
    // oldest handshake (open_from_cookie()). With none, the table is full of
    // live connections, and the SYN is refused as before.
    if (!config::tcp_syn_cookies ||
        (l->embryonic + l->ready_count < l->backlog && !oldest_half_open(nullptr))) {
      ++stats_.drop_no_slot;
      send_reset_for(source, destination, segment, now, out);
      return;
    }
    send_syn_cookie(*l, local, remote, segment, mss_limit, now, out);
    return;
  }
  const auto index = static_cast<std::uint16_t>(allocated);
  ConnectionSlot& s = slots_[index];
  emplace_connection(index, l->settings);
  s.listener = static_cast<std::int16_t>(l - listeners_.get());
  if constexpr (config::tcp_syn_cookies) s.opened_at = now;  // read by SYN cookies' eviction only
  ++l->embryonic;
  (void)s.connection->open_passive(local, remote, segment, initial_sequence_number(local, remote, now),
                                   mss_limit, now, out);
  link(index);
  after_activity(index);
}

void TcpTable::deliver_events(std::uint16_t index) {
  ConnectionSlot& s = slots_[index];
  if (s.pending_events != 0 && event_callback_ != nullptr) {
    event_callback_(event_context_, TcpHandle{index, s.generation, false}, s.pending_events);
  }
}

void TcpTable::refresh_timer(std::uint16_t index) const {
  if constexpr (!config::tcp_connection_index) return;
  const ConnectionSlot& s = slots_[index];
  timers_.set(index, s.connection ? s.connection->next_deadline() : Instant::max());
}

void TcpTable::refresh_stale() const {
  for (std::size_t i = 0; i < stale_count_; ++i) {
    slots_[stale_[i]].stale = false;
    refresh_timer(stale_[i]);
  }
  stale_count_ = 0;
}

void TcpTable::after_activity(std::uint16_t index) {
  ConnectionSlot& s = slots_[index];
  if (!s.connection) return;
  // First: what follows may free the slot (which clears its timer) or run
  // callbacks that act on this connection again (each refreshes it anew).
  refresh_timer(index);
  const std::uint8_t events = s.connection->take_events();
  const bool closed = s.connection->state() == TcpState::Closed;
  if (s.listener != no_slot) {
    ListenerSlot& l = listeners_[static_cast<std::size_t>(s.listener)];
    if (s.queued) {
      // Waiting in the accept queue: whatever happens now (even a reset)
      // is for the application to see after accept().
      s.pending_events |= events;
      return;
    }
    if (closed) {
      // The handshake failed before anyone saw the connection.
      --l.embryonic;
      free_slot(index);
      return;
    }
    if ((events & tcp_events::connected) != 0) {
      --l.embryonic;
      s.queued = true;
      l.ready[(l.ready_head + l.ready_count) % l.ready.size()] = static_cast<std::int16_t>(index);
      ++l.ready_count;
      s.pending_events = events;  // kept for the accepting owner
      l.pending_events |= tcp_events::readable;
      if (event_callback_ != nullptr) {
        event_callback_(event_context_,
                        TcpHandle{static_cast<std::uint16_t>(s.listener), l.generation, true},
                        tcp_events::readable);
      }
      return;
    }
    s.pending_events |= events;
    return;
  }
  if (!s.owned) {
    if (closed) free_slot(index);
    return;
  }
  if (events != 0) {
    s.pending_events |= events;
    deliver_events(index);
  }
}

void TcpTable::on_timer(Instant now, TcpOutput& out) {
  if constexpr (!config::tcp_connection_index) {
    // Each connection due runs once per call, as with the heap.
    for (std::size_t i = 0; i < config_.max_connections; ++i) {
      ConnectionSlot& s = slots_[i];
      if (!s.connection || s.connection->next_deadline() > now) continue;
      s.connection->on_timer(now, out);
      after_activity(static_cast<std::uint16_t>(i));
    }
    return;
  }
  refresh_stale();
  // Each connection due runs once per call, as many as were in the heap at
  // the start at most: one whose deadline is still due afterwards (or that
  // a callback made due) waits for the next poll instead of looping here.
  for (std::size_t budget = timers_.size(); budget > 0; --budget) {
    const std::optional<DeadlineHeap::Id> first = timers_.first();
    if (!first || timers_.earliest() > now) break;
    const std::uint16_t index = *first;
    timers_.clear(index);
    ConnectionSlot& s = slots_[index];
    if (!s.connection) continue;
    s.connection->on_timer(now, out);
    after_activity(index);
  }
}

Instant TcpTable::earliest_deadline_by_scan() const {
  Instant earliest = Instant::max();
  for (std::size_t i = 0; i < config_.max_connections; ++i) {
    if (slots_[i].connection) earliest = std::min(earliest, slots_[i].connection->next_deadline());
  }
  return earliest;
}

Instant TcpTable::next_deadline() const {
  if constexpr (!config::tcp_connection_index) return earliest_deadline_by_scan();
  refresh_stale();
  // Debug builds prove the heap against a scan of every slot: a path that
  // changed a deadline without refreshing it would silently stall a timer.
  LWNET_ASSERT(earliest_deadline_by_scan() == timers_.earliest());
  return timers_.earliest();
}

Result<std::size_t> TcpTable::send(TcpHandle h, ConstBytes data, Instant now, TcpOutput& out,
                                   bool more) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return Error::Closed;
  auto r = s->connection->send(data, now, out, more);
  after_activity(h.slot);
  return r;
}

Status TcpTable::send_zero_copy(TcpHandle h, ConstBytes data, ZeroCopyCompletion done, Instant now,
                                TcpOutput& out) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return Error::Closed;
  Status r = s->connection->send_zero_copy(data, done, now, out);
  after_activity(h.slot);
  return r;
}

Status TcpTable::set_buffer_sizes(TcpHandle h, std::size_t send, std::size_t receive, Instant now,
                                  TcpOutput& out) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return Error::Closed;
  TcpConnection& c = *s->connection;
  // Lent to another connection in TIME-WAIT: nothing more moves here.
  if (s->buffers == no_slot) return Error::Closed;
  // Each ring may use its pair's whole share of the storage, so any size up
  // to the cap fits where the ring already is.
  std::uint8_t* area = buffer_area(s->buffers);
  send = std::clamp<std::size_t>(send, std::max<std::size_t>(c.minimum_send_buffer(), 1),
                                 config_.send_buffer_cap);
  receive = std::clamp<std::size_t>(receive, std::max<std::size_t>(c.minimum_receive_buffer(), 1),
                                    config_.receive_buffer_cap);
  const bool moved = c.resize_send_buffer(Bytes(area, send)) &&
                     c.resize_receive_buffer(Bytes(area + config_.send_buffer_cap, receive), now, out);
  after_activity(h.slot);
  if (!moved) return Error::InvalidArgument;  // unreachable: the clamps keep the minimums
  return {};
}

Result<std::size_t> TcpTable::receive(TcpHandle h, Bytes into, Instant now, TcpOutput& out) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return Error::Closed;
  auto r = s->connection->receive(into, now, out);
  after_activity(h.slot);
  return r;
}

Status TcpTable::shutdown_send(TcpHandle h, Instant now, TcpOutput& out) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return Error::Closed;
  Status r = s->connection->shutdown_send(now, out);
  after_activity(h.slot);
  return r;
}

void TcpTable::close(TcpHandle h, Instant now, TcpOutput& out) {
  if (ListenerSlot* l = listener_of(h)) {
    // Connections nobody accepted yet are reset (as closing a listening
    // socket does on Linux), handshakes in progress too.
    for (std::size_t i = 0; i < config_.max_connections; ++i) {
      ConnectionSlot& s = slots_[i];
      if (s.connection && s.listener == static_cast<std::int16_t>(h.slot)) {
        s.connection->abort(now, out);
        free_slot(static_cast<std::uint16_t>(i));
      }
    }
    l->in_use = false;
    l->generation = next_generation(l->generation);
    return;
  }
  ConnectionSlot* s = slot_of(h);
  if (!s) return;
  s->connection->close(now, out);
  s->owned = false;
  s->pending_events = 0;
  s->user_data = nullptr;
  after_activity(h.slot);
}

void TcpTable::abort(TcpHandle h, Instant now, TcpOutput& out) {
  ConnectionSlot* s = slot_of(h);
  if (!s) return;
  s->connection->abort(now, out);
  s->owned = false;
  free_slot(h.slot);
}

Status TcpTable::set_user_data(TcpHandle h, void* user_data) {
  if (ListenerSlot* l = listener_of(h)) {
    l->user_data = user_data;
    return {};
  }
  ConnectionSlot* s = slot_of(h);
  if (s == nullptr) return Error::Closed;
  s->user_data = user_data;
  return {};
}

void* TcpTable::user_data(TcpHandle h) const {
  if (const ListenerSlot* l = listener_of(h)) return l->user_data;
  const ConnectionSlot* s = slot_of(h);
  return s != nullptr ? s->user_data : nullptr;
}

std::uint8_t TcpTable::take_events(TcpHandle h) {
  if (ListenerSlot* l = listener_of(h)) {
    std::uint8_t e = l->pending_events;
    l->pending_events = 0;
    if (l->ready_count > 0) e |= tcp_events::readable;
    return e;
  }
  ConnectionSlot* s = slot_of(h);
  if (!s) return tcp_events::error | tcp_events::closed;
  std::uint8_t e = static_cast<std::uint8_t>(s->pending_events | s->connection->take_events());
  s->pending_events = 0;
  return e;
}

}  // namespace lwnet
