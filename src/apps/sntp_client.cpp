#include "apps/sntp_client.h"

#include <algorithm>

namespace lwnet {
namespace {

// The default "apply time": the core has no clock to set.
bool apply_nothing(void* /*context*/, const SntpAdjustment& /*adjustment*/) { return true; }

// While a name is being resolved, the seam is asked again this often even
// without other traffic waking the stack.
constexpr Duration resolve_poll_interval = Duration::millis(250);
// Consecutive RATE kisses double the wait up to 2^this receive timeouts.
constexpr std::uint8_t max_rate_backoff = 8;
// Failed rounds back off up to this many receive timeouts (lwIP's
// SNTP_RETRY_TIMEOUT_MAX).
constexpr std::int64_t max_retry_factor = 10;

std::int64_t magnitude(std::int64_t v) { return v < 0 ? -v : v; }

// The offset from timestamp differences is modular: right only while our
// clock is within 68 years of the server's. A device without a real-time
// clock starts at 1970, more than that from any date past 2038-01-19, and
// would be set a whole era (136 years) wrong. RFC 4330 3's rule says which
// era the server's transmit timestamp is in (1968..2104, as lwIP and ESP-IDF
// read it); the offset moves by whole eras to land there. Within 68 years
// of the server nothing moves.
std::int64_t offset_in_server_era(std::int64_t offset_micros, std::int64_t wall_now_unix_micros,
                                  NtpTimestamp server_transmit) {
  constexpr std::int64_t era_micros = (std::int64_t{1} << 32) * 1000000;
  const std::int64_t gap = server_transmit.to_unix_micros() - (wall_now_unix_micros + offset_micros);
  const std::int64_t half_era = era_micros / 2;
  const std::int64_t eras = (gap >= 0 ? gap + half_era : gap - half_era) / era_micros;
  return offset_micros + eras * era_micros;
}

}  // namespace

SntpAdjustment sntp_adjustment(SntpSyncMode mode, std::int64_t offset_micros,
                               std::int64_t wall_now_unix_micros) {
  SntpAdjustment a;
  a.offset_micros = offset_micros;
  a.new_time_unix_micros = wall_now_unix_micros + offset_micros;
  a.step = mode == SntpSyncMode::Immediate ||
           magnitude(offset_micros) > sntp_smooth_step_threshold.total_micros();
  return a;
}

SntpClient::SntpClient()
    : apply_time_(apply_nothing), retry_timeout_(receive_timeout()) {}

Duration SntpClient::receive_timeout() const {
  return Duration::millis(config::sntp_receive_timeout_ms);
}

Status SntpClient::set_server(std::size_t index, const IpAddress& address) {
  if (index >= max_servers) return Error::InvalidArgument;
  Server& s = servers_[index];
  s = Server{};
  s.address = address;
  // A new server while nothing was left to ask: ask at the next poll.
  if (running_ && phase_ == Phase::Waiting && deadline_ == Instant::max() &&
      operating_mode_ == SntpOperatingMode::Poll) {
    deadline_ = Instant();
  }
  return {};
}

Status SntpClient::set_server_name(std::size_t index, std::string_view name) {
  if (index >= max_servers) return Error::InvalidArgument;
  if (name.size() > max_name_length) return Error::TooBig;
  Status s = set_server(index, IpAddress{});
  if (!s) return s;
  std::copy(name.begin(), name.end(), servers_[index].name.begin());
  servers_[index].name_length = name.size();
  return {};
}

IpAddress SntpClient::server(std::size_t index) const {
  return index < max_servers ? servers_[index].address : IpAddress{};
}

std::string_view SntpClient::server_name(std::size_t index) const {
  if (index >= max_servers) return {};
  return {servers_[index].name.data(), servers_[index].name_length};
}

std::uint8_t SntpClient::reachability(std::size_t index) const {
  return index < max_servers ? servers_[index].reach : 0;
}

Duration SntpClient::set_sync_interval(Duration interval) {
  sync_interval_ = std::max(interval, sntp_minimum_sync_interval);
  return sync_interval_;
}

void SntpClient::set_startup_delay(bool enabled, Duration maximum) {
  startup_delay_ = enabled;
  maximum_startup_delay_ = maximum;
}

void SntpClient::set_wall_clock(WallClock clock, void* context) {
  wall_clock_ = clock;
  wall_clock_context_ = context;
}

void SntpClient::set_apply_time(ApplyTime apply, void* context) {
  apply_time_ = apply != nullptr ? apply : apply_nothing;
  apply_time_context_ = context;
}

void SntpClient::set_sync_callback(SyncCallback callback, void* context) {
  sync_callback_ = callback;
  sync_callback_context_ = context;
}

void SntpClient::set_resolver(ResolveName resolve, void* context) {
  resolve_ = resolve;
  resolve_context_ = context;
}

void SntpClient::take_learned_servers(const Stack& stack) {
  const LearnedServers& learned = stack.learned_ntp_servers();
  if (!use_learned_ || learned.generation() == learned_generation_) return;
  learned_generation_ = learned.generation();
  const std::span<const IpAddress> list = learned.servers();
  for (std::size_t i = 0; i < max_servers; ++i) {
    if (i < list.size()) {
      // The same server again keeps its reachability and kisses.
      if (servers_[i].address != list[i] || servers_[i].name_length != 0) (void)set_server(i, list[i]);
      learned_[i] = list[i];
    } else if (!learned_[i].is_unspecified() && servers_[i].address == learned_[i] &&
               servers_[i].name_length == 0) {
      (void)set_server(i, IpAddress{});
      learned_[i] = IpAddress{};
    }
  }
}

Status SntpClient::start(Stack& stack, Instant now) {
  if (running_) return Error::AlreadyConnected;
  if (wall_clock_ == nullptr) return Error::InvalidArgument;
  take_learned_servers(stack);
  Result<UdpHandle> h = stack.udp_open();
  if (!h) return h.error();
  // Listen-only hears broadcasts on the NTP port; poll mode asks from an
  // ephemeral port, as lwIP does.
  const std::uint16_t port = operating_mode_ == SntpOperatingMode::ListenOnly ? ntp_port : 0;
  // Servers may be of either family (set by hand, learned from DHCPv6, a
  // name with only AAAA records): bound to 0.0.0.0 the endpoint would
  // answer an IPv6 server's reply with port unreachable. The IPv6 wildcard
  // (not IPV6_V6ONLY) takes both families, IPv4 broadcasts included.
  const IpAddress any = config::ipv6 ? IpAddress(Ipv6Address{}) : IpAddress{};
  Status s = stack.udp_bind(*h, IpEndpoint{any, port});
  if (s) s = stack.attach_app(*this);
  if (!s) {
    stack.udp_close(*h);
    return s;
  }
  handle_ = *h;
  running_ = true;
  phase_ = Phase::Waiting;
  current_ = 0;
  tried_in_round_ = 0;
  retry_timeout_ = receive_timeout();
  sync_status_ = SntpSyncStatus::Reset;
  last_sample_.reset();
  for (Server& server : servers_) {
    server.denied = false;
    server.rate_backoff = 0;
    server.not_before = Instant();
  }
  if (operating_mode_ == SntpOperatingMode::ListenOnly) {
    deadline_ = Instant::max();
  } else {
    Duration delay = Duration::zero();
    const std::int64_t max_ms = maximum_startup_delay_.total_millis();
    if (startup_delay_ && max_ms > 0) {
      delay = Duration::millis(stack.random_u32() % static_cast<std::uint32_t>(max_ms));
    }
    deadline_ = now + delay;
  }
  return {};
}

void SntpClient::stop(Stack& stack) {
  if (!running_) return;
  stack.udp_close(handle_);
  stack.detach_app(*this);
  running_ = false;
  phase_ = Phase::Waiting;
  deadline_ = Instant::max();
}

Instant SntpClient::next_deadline() const { return running_ ? deadline_ : Instant::max(); }

void SntpClient::poll(Stack& stack, Instant now) {
  if (!running_) return;
  take_learned_servers(stack);
  receive(stack, now);
  if (!running_ || now < deadline_) return;
  switch (phase_) {
    case Phase::Waiting:
      begin_request(stack, now);
      break;
    case Phase::Resolving:
      if (now >= attempt_deadline_) {
        ++stats_.timeouts;
        attempt_failed(stack, now);
      } else {
        try_resolve(stack, now);
      }
      break;
    case Phase::AwaitingReply:
      ++stats_.timeouts;
      attempt_failed(stack, now);
      break;
  }
}

std::optional<std::size_t> SntpClient::next_usable(std::size_t from, Instant now) const {
  for (std::size_t k = 0; k < max_servers; ++k) {
    const std::size_t i = (from + k) % max_servers;
    const Server& s = servers_[i];
    if (s.configured() && !s.denied && s.not_before <= now) return i;
  }
  return std::nullopt;
}

void SntpClient::wait_for_usable_server(Instant now) {
  phase_ = Phase::Waiting;
  Instant earliest = Instant::max();
  for (const Server& s : servers_) {
    if (s.configured() && !s.denied) earliest = std::min(earliest, std::max(s.not_before, now));
  }
  deadline_ = earliest;
}

void SntpClient::begin_request(Stack& stack, Instant now) {
  if (operating_mode_ == SntpOperatingMode::ListenOnly) {
    deadline_ = Instant::max();
    return;
  }
  std::optional<std::size_t> next = next_usable(current_, now);
  if (!next) {
    wait_for_usable_server(now);
    return;
  }
  current_ = *next;
  Server& s = servers_[current_];
  s.reach = static_cast<std::uint8_t>(static_cast<unsigned>(s.reach) << 1U);
  if (s.name_length != 0) {
    if (resolve_ == nullptr) {
      ++stats_.resolve_failures;
      attempt_failed(stack, now);
      return;
    }
    phase_ = Phase::Resolving;
    attempt_deadline_ = now + receive_timeout();
    try_resolve(stack, now);
    return;
  }
  asked_ = IpEndpoint{s.address, ntp_port};
  send_request(stack, now);
}

void SntpClient::try_resolve(Stack& stack, Instant now) {
  Server& s = servers_[current_];
  Result<IpAddress> r = resolve_(resolve_context_, std::string_view(s.name.data(), s.name_length), now);
  if (r) {
    s.address = *r;
    asked_ = IpEndpoint{*r, ntp_port};
    send_request(stack, now);
  } else if (r.error() == Error::WouldBlock) {
    deadline_ = std::min(attempt_deadline_, now + resolve_poll_interval);
  } else {
    ++stats_.resolve_failures;
    attempt_failed(stack, now);
  }
}

void SntpClient::send_request(Stack& stack, Instant now) {
  NtpRepr request;
  request.version = 4;
  request.mode = NtpMode::Client;
  // T1 is our clock; the bits below a microsecond are random, so that an
  // off-path forger cannot guess the origin timestamp the reply must echo.
  request_transmit_ = NtpTimestamp::from_unix_micros(wall(now));
  request_transmit_.fraction = (request_transmit_.fraction & ~0xfffU) | (stack.random_u32() & 0xfffU);
  request.transmit = request_transmit_;
  std::array<std::uint8_t, NtpRepr::header_len> packet{};
  request.emit(packet);
  ++stats_.requests;
  Status sent = stack.udp_send_to(handle_, packet, asked_, now);
  if (!sent) {
    ++stats_.send_errors;
    attempt_failed(stack, now);
    return;
  }
  phase_ = Phase::AwaitingReply;
  deadline_ = now + receive_timeout();
}

void SntpClient::attempt_failed(Stack& stack, Instant now, bool counts_as_try) {
  if (counts_as_try) ++tried_in_round_;
  std::size_t usable = 0;
  for (const Server& s : servers_) usable += (s.configured() && !s.denied) ? 1U : 0U;
  if (tried_in_round_ < usable) {
    if (std::optional<std::size_t> next = next_usable(current_ + 1, now)) {
      current_ = *next;
      begin_request(stack, now);
      return;
    }
  }
  // Every server failed this round: wait, longer after each failed round.
  tried_in_round_ = 0;
  current_ = (current_ + 1) % max_servers;
  wait_for_usable_server(now);
  if (deadline_ != Instant::max()) deadline_ = std::max(deadline_, now + retry_timeout_);
  retry_timeout_ = std::min(retry_timeout_ * 2, receive_timeout() * max_retry_factor);
}

void SntpClient::receive(Stack& stack, Instant now) {
  std::array<std::uint8_t, NtpRepr::header_len> buffer{};
  while (running_) {
    Result<UdpReceived> got = stack.udp_receive(handle_, buffer);
    if (!got) return;
    Result<NtpRepr> packet = NtpRepr::parse(ConstBytes(buffer.data(), got->copied));
    if (!packet) {
      ++stats_.drop_malformed;
      continue;
    }
    if (operating_mode_ == SntpOperatingMode::ListenOnly) {
      take_broadcast(*packet, *got, now);
    } else {
      take_reply(stack, *packet, *got, now);
    }
  }
}

bool SntpClient::unsynchronized(const NtpRepr& packet) {
  if (packet.leap == ntp_leap_unsynchronized || packet.stratum > 15 || packet.transmit.is_zero()) {
    ++stats_.drop_unsynchronized;
    return true;
  }
  return false;
}

void SntpClient::take_reply(Stack& stack, const NtpRepr& reply, const UdpReceived& from,
                            Instant now) {
  if (phase_ != Phase::AwaitingReply || !(from.from == asked_)) {
    ++stats_.drop_unexpected;
    return;
  }
  if (reply.mode != NtpMode::Server) {
    ++stats_.drop_wrong_mode;
    return;
  }
  // A reply that does not echo our T1 is old, duplicated or forged; the
  // real one may still come.
  if (reply.origin != request_transmit_) {
    ++stats_.drop_origin_mismatch;
    return;
  }
  Server& s = servers_[current_];
  if (reply.is_kiss_of_death()) {
    // RFC 4330 8: DENY and RSTR end our requests to that server; RATE asks
    // for fewer of them.
    if (reply.reference_id == ntp_kiss_rate) {
      ++stats_.kiss_rate;
      s.rate_backoff = static_cast<std::uint8_t>(std::min<int>(s.rate_backoff + 1, max_rate_backoff));
      s.not_before = now + receive_timeout() * (std::int64_t{1} << s.rate_backoff);
    } else if (reply.reference_id == ntp_kiss_deny || reply.reference_id == ntp_kiss_rstr) {
      ++stats_.kiss_deny;
      s.denied = true;
      // It left the usable servers: not a try of this round, so the next
      // usable server is asked at once.
      attempt_failed(stack, now, false);
      return;
    } else {
      ++stats_.kiss_other;
    }
    attempt_failed(stack, now);
    return;
  }
  // A server that cannot tell the time answered: ask the next one.
  if (unsynchronized(reply)) {
    attempt_failed(stack, now);
    return;
  }
  if (reply.receive.is_zero()) {
    ++stats_.drop_unsynchronized;
    attempt_failed(stack, now);
    return;
  }
  const std::int64_t wall_now = wall(now);
  const NtpTimestamp t4 = NtpTimestamp::from_unix_micros(wall_now);
  const std::int64_t outbound = ntp_difference(reply.receive, request_transmit_);  // T2 - T1
  const std::int64_t inbound = ntp_difference(reply.transmit, t4);                 // T3 - T4
  SntpSample sample;
  sample.server_index = current_;
  sample.server = s.address;
  sample.stratum = reply.stratum;
  // Halved before adding, so that 68-year differences cannot overflow.
  sample.offset_micros = offset_in_server_era(
      ntp_fixed_to_micros((outbound >> 1) + (inbound >> 1)), wall_now, reply.transmit);
  sample.delay_micros = ntp_fixed_to_micros(ntp_difference(t4, request_transmit_) -
                                            ntp_difference(reply.transmit, reply.receive));
  sample.server_time_unix_micros = reply.transmit.to_unix_micros(wall_now + sample.offset_micros);
  s.reach = static_cast<std::uint8_t>(s.reach | 1U);
  s.rate_backoff = 0;
  tried_in_round_ = 0;
  retry_timeout_ = receive_timeout();
  phase_ = Phase::Waiting;
  deadline_ = now + sync_interval_;
  synced(sample, wall_now);
}

void SntpClient::take_broadcast(const NtpRepr& packet, const UdpReceived& from, Instant now) {
  if (packet.mode != NtpMode::Broadcast) {
    ++stats_.drop_wrong_mode;
    return;
  }
  if (packet.is_kiss_of_death() || unsynchronized(packet)) {
    if (packet.is_kiss_of_death()) ++stats_.kiss_other;
    return;
  }
  // With servers configured, only they are believed.
  std::optional<std::size_t> index;
  bool any_configured = false;
  for (std::size_t i = 0; i < max_servers; ++i) {
    if (!servers_[i].configured()) continue;
    any_configured = true;
    if (servers_[i].address == from.from.address) index = i;
  }
  if (any_configured && !index) {
    ++stats_.drop_unexpected;
    return;
  }
  const std::int64_t wall_now = wall(now);
  SntpSample sample;
  sample.server_index = index.value_or(0);
  sample.server = from.from.address;
  sample.stratum = packet.stratum;
  sample.offset_micros = offset_in_server_era(
      ntp_fixed_to_micros(ntp_difference(packet.transmit, NtpTimestamp::from_unix_micros(wall_now))),
      wall_now, packet.transmit);
  sample.server_time_unix_micros = packet.transmit.to_unix_micros(wall_now + sample.offset_micros);
  if (index) {
    Server& s = servers_[*index];
    s.reach = static_cast<std::uint8_t>((static_cast<unsigned>(s.reach) << 1U) | 1U);
  }
  synced(sample, wall_now);
}

void SntpClient::synced(const SntpSample& sample, std::int64_t wall_now) {
  ++stats_.replies;
  last_sample_ = sample;
  const SntpAdjustment adjustment = sntp_adjustment(sync_mode_, sample.offset_micros, wall_now);
  const bool done = apply_time_(apply_time_context_, adjustment);
  sync_status_ = done ? SntpSyncStatus::Completed : SntpSyncStatus::InProgress;
  if (sync_callback_ != nullptr) sync_callback_(sync_callback_context_, sample, adjustment);
}

}  // namespace lwnet
