// SNTP client (RFC 4330, with RFC 5905's on-wire arithmetic): asks its
// servers for the time (poll mode) or listens for broadcasts (listen-only),
// computes offset and delay, decides how the clock should move (step or
// slew) and hands that to a replaceable "apply time" function. The core
// applies nothing itself and reads no clock: the wall-clock time comes from
// a source function its owner gives (CLOCK_REALTIME on Linux, virtual time
// in tests).
//
// Threads: every member function runs in core context (the thread that
// polls the stack; the TCP/IP thread under api/).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "config/options.h"
#include "core/stack.h"
#include "time/instant.h"
#include "wire/address.h"
#include "wire/sntp.h"

namespace lwnet {

// ESP-IDF's esp_sntp_operatingmode_t.
enum class SntpOperatingMode : std::uint8_t { Poll, ListenOnly };
// ESP-IDF's sntp_sync_mode_t.
enum class SntpSyncMode : std::uint8_t { Immediate, Smooth };
// ESP-IDF's sntp_sync_status_t, in its order.
enum class SntpSyncStatus : std::uint8_t { Reset, Completed, InProgress };

// ESP-IDF's smooth mode steps instead of slewing beyond this.
inline constexpr Duration sntp_smooth_step_threshold = Duration::seconds(35 * 60);
// ESP-IDF refuses shorter sync intervals (and takes 15 s instead).
inline constexpr Duration sntp_minimum_sync_interval = Duration::seconds(15);

// How the clock should move after one sync.
struct SntpAdjustment {
  bool step = true;                       // set the clock to new_time; false: slew by offset
  std::int64_t offset_micros = 0;         // server time minus our time
  std::int64_t new_time_unix_micros = 0;  // our wall-clock time at the reply plus the offset
};

// Any thread. Immediate mode always steps; smooth mode slews unless the
// offset is beyond sntp_smooth_step_threshold either way.
SntpAdjustment sntp_adjustment(SntpSyncMode mode, std::int64_t offset_micros,
                               std::int64_t wall_now_unix_micros);

// One usable reply.
struct SntpSample {
  std::size_t server_index = 0;  // slot it came from (listen-only: 0 when it matched none)
  IpAddress server;
  std::uint8_t stratum = 0;
  // RFC 5905 8: ((T2 - T1) + (T3 - T4)) / 2 and (T4 - T1) - (T3 - T2);
  // listen-only mode has no round trip: offset T3 - T4, delay 0.
  std::int64_t offset_micros = 0;
  std::int64_t delay_micros = 0;
  std::int64_t server_time_unix_micros = 0;  // T3, its era resolved near our clock
};

// Counted drops and events (the client's part of the stack's statistics).
struct SntpStats {
  std::uint32_t requests = 0;
  std::uint32_t replies = 0;           // usable replies (and broadcasts) taken
  std::uint32_t timeouts = 0;
  std::uint32_t send_errors = 0;
  std::uint32_t resolve_failures = 0;  // the name seam said no
  std::uint32_t kiss_rate = 0;
  std::uint32_t kiss_deny = 0;         // DENY and RSTR
  std::uint32_t kiss_other = 0;
  std::uint32_t drop_malformed = 0;    // short or unknown version
  std::uint32_t drop_unexpected = 0;   // nothing asked, or not from the server asked
  std::uint32_t drop_wrong_mode = 0;
  std::uint32_t drop_origin_mismatch = 0;
  std::uint32_t drop_unsynchronized = 0;  // leap 3, stratum above 15, zero transmit time
};

class SntpClient final : public StackApp {
 public:
  static constexpr std::size_t max_servers = config::sntp_max_servers;
  static constexpr std::size_t max_name_length = 253;

  // The owner's wall clock: Unix time in microseconds at the stack instant
  // `now`. Required before start().
  using WallClock = std::int64_t (*)(void* context, Instant now);
  // Applies (or only reports) an adjustment. Returns false while a slew it
  // started is still going (the status stays InProgress until the owner
  // calls set_sync_status(Completed)). The default applies nothing.
  using ApplyTime = bool (*)(void* context, const SntpAdjustment& adjustment);
  // After each sync (ESP-IDF's time-sync notification).
  using SyncCallback = void (*)(void* context, const SntpSample& sample,
                                const SntpAdjustment& adjustment);
  // The seam to a name resolver (the DNS app): an address, WouldBlock while
  // the answer is pending (asked again at the next poll), or an error.
  using ResolveName = Result<IpAddress> (*)(void* context, std::string_view name, Instant now);

  SntpClient();

  // ---- Configuration (any time; takes effect at the next request) --------
  // InvalidArgument for an index beyond CONFIG_LWIP_SNTP_MAX_SERVERS. An
  // unspecified address empties the slot. Setting a slot forgets its
  // reachability and any kiss it received.
  Status set_server(std::size_t index, const IpAddress& address);
  // The name is copied; TooBig beyond max_name_length. Empty clears.
  Status set_server_name(std::size_t index, std::string_view name);
  // The configured address (or the one the name resolved to last), or
  // unspecified.
  IpAddress server(std::size_t index) const;
  std::string_view server_name(std::size_t index) const;
  // Bit 0: the latest request was answered, bit 1 the one before... (0 for
  // a bad index).
  std::uint8_t reachability(std::size_t index) const;

  void set_operating_mode(SntpOperatingMode mode) { operating_mode_ = mode; }
  SntpOperatingMode operating_mode() const { return operating_mode_; }
  void set_sync_mode(SntpSyncMode mode) { sync_mode_ = mode; }
  SntpSyncMode sync_mode() const { return sync_mode_; }
  // Below 15 s takes 15 s, as ESP-IDF does. Returns what was taken.
  Duration set_sync_interval(Duration interval);
  Duration sync_interval() const { return sync_interval_; }
  // Whether a random delay below `maximum` comes before the first request.
  void set_startup_delay(bool enabled, Duration maximum);
  SntpSyncStatus sync_status() const { return sync_status_; }
  void set_sync_status(SntpSyncStatus status) { sync_status_ = status; }

  void set_wall_clock(WallClock clock, void* context);
  // Null restores the default (applies nothing).
  void set_apply_time(ApplyTime apply, void* context);
  void set_sync_callback(SyncCallback callback, void* context);
  void set_resolver(ResolveName resolve, void* context);
  // esp_sntp_servermode_dhcp(): NTP servers the stack learned (DHCP's
  // option 42, DHCPv6; Stack::publish_ntp_servers) take the first slots,
  // from the next poll (or start) on. Off by default, as in lwIP.
  void set_use_learned_servers(bool use) { use_learned_ = use; }
  bool use_learned_servers() const { return use_learned_; }

  // ---- Running ------------------------------------------------------------
  // Opens the UDP endpoint (listen-only: port 123), attaches to `stack` and
  // schedules the first request. InvalidArgument without a wall clock;
  // AlreadyConnected when running; the stack's errors otherwise.
  Status start(Stack& stack, Instant now);
  // Closes the endpoint and detaches. Nothing when not running.
  void stop(Stack& stack);
  bool running() const { return running_; }
  // The latest sample, if any since start.
  const std::optional<SntpSample>& last_sample() const { return last_sample_; }
  const SntpStats& stats() const { return stats_; }

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override;

 private:
  struct Server {
    IpAddress address;
    std::array<char, max_name_length> name{};
    std::size_t name_length = 0;
    std::uint8_t reach = 0;
    bool denied = false;             // DENY or RSTR: not asked again until reset
    std::uint8_t rate_backoff = 0;   // RATE kisses in a row
    Instant not_before;              // RATE: no request before this
    bool configured() const { return name_length != 0 || !address.is_unspecified(); }
  };
  enum class Phase : std::uint8_t { Waiting, Resolving, AwaitingReply };

  void take_learned_servers(const Stack& stack);
  void begin_request(Stack& stack, Instant now);
  void try_resolve(Stack& stack, Instant now);
  void send_request(Stack& stack, Instant now);
  void attempt_failed(Stack& stack, Instant now, bool counts_as_try = true);
  void receive(Stack& stack, Instant now);
  void take_reply(Stack& stack, const NtpRepr& reply, const UdpReceived& from, Instant now);
  void take_broadcast(const NtpRepr& packet, const UdpReceived& from, Instant now);
  bool unsynchronized(const NtpRepr& packet);
  void wait_for_usable_server(Instant now);
  void synced(const SntpSample& sample, std::int64_t wall_now);
  std::optional<std::size_t> next_usable(std::size_t from, Instant now) const;
  std::int64_t wall(Instant now) const { return wall_clock_(wall_clock_context_, now); }
  Duration receive_timeout() const;

  std::array<Server, max_servers> servers_{};
  SntpOperatingMode operating_mode_ = SntpOperatingMode::Poll;
  SntpSyncMode sync_mode_ = SntpSyncMode::Immediate;
  Duration sync_interval_ = Duration::millis(config::sntp_update_delay_ms);
  bool startup_delay_ = config::sntp_startup_delay;
  Duration maximum_startup_delay_ = Duration::millis(config::sntp_maximum_startup_delay_ms);
  SntpSyncStatus sync_status_ = SntpSyncStatus::Reset;

  WallClock wall_clock_ = nullptr;
  void* wall_clock_context_ = nullptr;
  ApplyTime apply_time_;
  void* apply_time_context_ = nullptr;
  SyncCallback sync_callback_ = nullptr;
  void* sync_callback_context_ = nullptr;
  ResolveName resolve_ = nullptr;
  void* resolve_context_ = nullptr;
  bool use_learned_ = false;
  // What take_learned_servers() last wrote per slot, so that a withdrawal
  // empties only those, not a server set by hand since.
  std::array<IpAddress, max_servers> learned_{};
  std::uint32_t learned_generation_ = 0;

  bool running_ = false;
  UdpHandle handle_{};
  Phase phase_ = Phase::Waiting;
  Instant deadline_ = Instant::max();
  Instant attempt_deadline_;          // Resolving: when the name seam has had long enough
  std::size_t current_ = 0;           // the server asked (or to ask next)
  std::size_t tried_in_round_ = 0;    // servers that failed since the last success
  Duration retry_timeout_;            // wait after a round where no server answered
  IpEndpoint asked_;                  // where the pending request went
  NtpTimestamp request_transmit_;     // T1: its transmit timestamp, the origin to match
  std::optional<SntpSample> last_sample_;
  SntpStats stats_;
};

}  // namespace lwnet
