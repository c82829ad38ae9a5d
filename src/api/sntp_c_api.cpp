// <esp_sntp.h>: one process-wide SntpClient run on the default TCP/IP
// thread. Every call goes through TcpipThread::call, so the client is only
// ever touched in core context.
#include <sys/time.h>

#include <array>
#include <atomic>
#include <cstring>
#include <optional>

#include "esp_sntp.h"

#include "api/ip_addr_convert.h"
#include "api/tcpip_c.h"
#include "api/name_resolver.h"
#include "apps/dns_name_lookup.h"
#include "apps/sntp_client.h"
#include "port/clock.h"

namespace {

using lwnet::Instant;
using lwnet::SntpClient;
using lwnet::Stack;

struct SntpState {
  SntpClient client;
  // esp_sntp_getservername gives back the caller's pointer, as ESP-IDF does.
  std::array<const char*, SntpClient::max_servers> names{};
  std::array<ip_addr_t, SntpClient::max_servers> addresses{};
  sntp_sync_time_cb_t notify = nullptr;
  // Server names through the default DNS resolver; made by esp_sntp_init,
  // dropped by esp_sntp_stop and lwnet_shutdown.
  std::optional<lwnet::DnsNameLookup> names_lookup;
};

SntpState& state() {
  static SntpState s;
  return s;
}

// Read outside core context by the getters, written on the TCP/IP thread.
std::atomic<int> sync_status{SNTP_SYNC_STATUS_RESET};
std::atomic<std::int64_t> last_offset_us{0};
std::atomic<std::int64_t> last_delay_us{0};

// Runs f(client, stack, now) in core context; nothing when there is no
// TCP/IP thread yet (configuration then waits in the client itself, which
// needs no stack until init).
template <class F>
auto in_sntp_core(F&& f) {
  lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip();
  if (thread == nullptr) return f(state().client, static_cast<Stack*>(nullptr), lwnet::monotonic_now());
  return thread->call([&](Stack& stack, Instant now) { return f(state().client, &stack, now); });
}

std::int64_t wall_clock(void*, Instant now) { return lwnet::wall_clock_at(now); }

// The client's "apply time": hands the new time to sntp_sync_time (the
// user's, or the default below) on the TCP/IP thread.
bool apply_through_sntp_sync_time(void*, const lwnet::SntpAdjustment& adjustment) {
  timeval tv{};
  std::int64_t us = adjustment.new_time_unix_micros;
  std::int64_t seconds = us / 1000000;
  std::int64_t rest = us % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  tv.tv_sec = static_cast<time_t>(seconds);
  tv.tv_usec = static_cast<suseconds_t>(rest);
  last_offset_us.store(adjustment.offset_micros);
  sntp_sync_time(&tv);
  return true;
}

void remember_sample(void*, const lwnet::SntpSample& sample, const lwnet::SntpAdjustment&) {
  last_delay_us.store(sample.delay_micros);
}

// `resolver`: the default DNS resolver, null when it could not be made
// (then numeric names only).
void configure_hooks(SntpClient& client, Stack& stack, lwnet::api::NameResolver* resolver) {
  client.set_wall_clock(wall_clock, nullptr);
  client.set_apply_time(apply_through_sntp_sync_time, nullptr);
  client.set_sync_callback(remember_sample, nullptr);
  if (resolver != nullptr) {
    state().names_lookup.emplace(resolver->resolver(), stack);
    client.set_resolver(lwnet::DnsNameLookup::seam, &*state().names_lookup);
    return;
  }
  client.set_resolver(
      [](void*, std::string_view name, Instant) -> lwnet::Result<lwnet::IpAddress> {
        std::optional<lwnet::IpAddress> address = lwnet::parse_ip_address(name);
        if (!address) return lwnet::Error::Unsupported;
        return *address;
      },
      nullptr);
}

}  // namespace

extern "C" {

void esp_sntp_setoperatingmode(esp_sntp_operatingmode_t operating_mode) {
  in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    client.set_operating_mode(operating_mode == ESP_SNTP_OPMODE_LISTENONLY ? lwnet::SntpOperatingMode::ListenOnly
                                                                           : lwnet::SntpOperatingMode::Poll);
    return 0;
  });
}

esp_sntp_operatingmode_t esp_sntp_getoperatingmode(void) {
  return in_sntp_core([](SntpClient& client, Stack*, Instant) {
    return client.operating_mode() == lwnet::SntpOperatingMode::ListenOnly ? ESP_SNTP_OPMODE_LISTENONLY
                                                                           : ESP_SNTP_OPMODE_POLL;
  });
}

void esp_sntp_init(void) {
  // Made (through the TCP/IP thread) before entering it: not from inside.
  lwnet::api::NameResolver* resolver = lwnet::api::default_name_resolver();
  in_sntp_core([&](SntpClient& client, Stack* stack, Instant now) {
    if (stack == nullptr || client.running()) return 0;
    configure_hooks(client, *stack, resolver);
    sync_status.store(SNTP_SYNC_STATUS_RESET);
    (void)client.start(*stack, now);
    return 0;
  });
}

void esp_sntp_stop(void) {
  in_sntp_core([](SntpClient& client, Stack* stack, Instant) {
    if (stack != nullptr) client.stop(*stack);
    state().names_lookup.reset();
    return 0;
  });
}

bool esp_sntp_enabled(void) {
  return in_sntp_core([](SntpClient& client, Stack*, Instant) { return client.running(); });
}

void esp_sntp_setservername(u8_t idx, const char* server) {
  in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    if (idx >= SntpClient::max_servers) return 0;
    state().names[idx] = server;
    (void)client.set_server_name(idx, server != nullptr ? std::string_view(server) : std::string_view());
    return 0;
  });
}

const char* esp_sntp_getservername(u8_t idx) {
  if (idx >= SntpClient::max_servers) return nullptr;
  return in_sntp_core([&](SntpClient&, Stack*, Instant) { return state().names[idx]; });
}

void esp_sntp_setserver(u8_t idx, const ip_addr_t* addr) {
  in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    if (idx >= SntpClient::max_servers) return 0;
    state().names[idx] = nullptr;
    (void)client.set_server(idx, addr != nullptr ? lwnet::api::from_ip_addr(*addr) : lwnet::IpAddress{});
    return 0;
  });
}

const ip_addr_t* esp_sntp_getserver(u8_t idx) {
  if (idx >= SntpClient::max_servers) return nullptr;
  return in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    state().addresses[idx] = lwnet::api::to_ip_addr(client.server(idx));
    return static_cast<const ip_addr_t*>(&state().addresses[idx]);
  });
}

u8_t esp_sntp_getreachability(u8_t idx) {
  return in_sntp_core([&](SntpClient& client, Stack*, Instant) { return client.reachability(idx); });
}

void esp_sntp_servermode_dhcp(bool set_servers_from_dhcp) {
  in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    client.set_use_learned_servers(set_servers_from_dhcp);
    return 0;
  });
}

void sntp_set_sync_mode(sntp_sync_mode_t sync_mode) {
  in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    client.set_sync_mode(sync_mode == SNTP_SYNC_MODE_SMOOTH ? lwnet::SntpSyncMode::Smooth
                                                            : lwnet::SntpSyncMode::Immediate);
    return 0;
  });
}

sntp_sync_mode_t sntp_get_sync_mode(void) {
  return in_sntp_core([](SntpClient& client, Stack*, Instant) {
    return client.sync_mode() == lwnet::SntpSyncMode::Smooth ? SNTP_SYNC_MODE_SMOOTH : SNTP_SYNC_MODE_IMMED;
  });
}

void sntp_set_sync_interval(uint32_t interval_ms) {
  in_sntp_core([&](SntpClient& client, Stack*, Instant) {
    (void)client.set_sync_interval(lwnet::Duration::millis(interval_ms));
    return 0;
  });
}

uint32_t sntp_get_sync_interval(void) {
  return in_sntp_core([](SntpClient& client, Stack*, Instant) {
    return static_cast<uint32_t>(client.sync_interval().total_millis());
  });
}

bool sntp_restart(void) {
  return in_sntp_core([](SntpClient& client, Stack* stack, Instant now) {
    if (stack == nullptr || !client.running()) return false;
    client.stop(*stack);
    sync_status.store(SNTP_SYNC_STATUS_RESET);
    return static_cast<bool>(client.start(*stack, now));
  });
}

void sntp_set_time_sync_notification_cb(sntp_sync_time_cb_t callback) {
  in_sntp_core([&](SntpClient&, Stack*, Instant) {
    state().notify = callback;
    return 0;
  });
}

// ESP-IDF's contract: a sync is reported COMPLETED once, then the status is
// RESET again, so that a caller polling for "synchronized" sees each sync
// (the next one too) rather than the first for ever. A smooth sync in
// progress is complete once adjtime() has no correction left.
sntp_sync_status_t sntp_get_sync_status(void) {
  int completed = SNTP_SYNC_STATUS_COMPLETED;
  if (sync_status.compare_exchange_strong(completed, SNTP_SYNC_STATUS_RESET)) return SNTP_SYNC_STATUS_COMPLETED;
  int in_progress = SNTP_SYNC_STATUS_IN_PROGRESS;
  if (sync_status.load() == in_progress) {
    timeval outstanding{};
    if (adjtime(nullptr, &outstanding) == 0 && outstanding.tv_sec == 0 && outstanding.tv_usec == 0 &&
        sync_status.compare_exchange_strong(in_progress, SNTP_SYNC_STATUS_RESET)) {
      return SNTP_SYNC_STATUS_COMPLETED;
    }
    return SNTP_SYNC_STATUS_IN_PROGRESS;
  }
  return SNTP_SYNC_STATUS_RESET;
}

void sntp_set_sync_status(sntp_sync_status_t status) { sync_status.store(status); }

int64_t lwnet_sntp_last_offset_us(void) { return last_offset_us.load(); }
int64_t lwnet_sntp_last_delay_us(void) { return last_delay_us.load(); }

// The default: lwnet does not set a Linux host's clock; the offset stays
// readable through lwnet_sntp_last_offset_us().
__attribute__((weak)) void sntp_sync_time(struct timeval* tv) {
  sntp_set_sync_status(SNTP_SYNC_STATUS_COMPLETED);
  if (state().notify != nullptr) state().notify(tv);
}

}  // extern "C"

namespace lwnet::api {
// lwnet_shutdown(): the client leaves the stack before the stack and the
// resolver its names go through are gone.
void close_default_sntp() {
  in_sntp_core([](SntpClient& client, Stack* stack, Instant) {
    if (stack != nullptr) client.stop(*stack);
    state().names_lookup.reset();
    return 0;
  });
}
}  // namespace lwnet::api
