#include "sntp.h"

#include <cstdio>
#include <memory>

#include "port/clock.h"

namespace lwnet::tools {

std::string format_seconds(std::int64_t micros, bool with_sign) {
  const bool negative = micros < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
  char text[48];
  std::snprintf(text, sizeof text, "%s%llu.%06llu", negative ? "-" : (with_sign ? "+" : ""),
                static_cast<unsigned long long>(magnitude / 1000000),
                static_cast<unsigned long long>(magnitude % 1000000));
  return text;
}

namespace {

// The wall clock read once and carried forward on the monotonic clock, so
// that T4 - T1 of an exchange is exactly the time that passed even if the
// system clock is stepped or slewed meanwhile.
struct WallBase {
  std::int64_t wall_micros = wall_clock_at(monotonic_now());
  Instant at = monotonic_now();
};

std::int64_t wall_from_base(void* context, Instant now) {
  const auto* base = static_cast<const WallBase*>(context);
  return base->wall_micros + (now - base->at).total_micros();
}

// The request's T1 is taken when it is handed to the stack; a request that
// then waits for ARP would start its round trip late and bias the offset
// by half the wait. So the next hop is resolved first (an echo request
// makes the stack ask), for up to `limit`.
void resolve_next_hop(App& app, const IpAddress& server, Duration limit) {
  const InterfaceOptions& options = app.options();
  if (!server.is_v4() || !options.ipv4) return;
  const bool on_link = options.ipv4->contains(server);
  if (!on_link && !options.gateway) return;
  const Ipv4Address next_hop = on_link ? server.v4() : *options.gateway;
  if (app.stack().arp_lookup(app.netif(), next_hop)) return;
  Result<PingHandle> ping = app.stack().ping_open(static_cast<std::uint16_t>(app.stack().random_u32()));
  if (!ping) return;
  (void)app.stack().ping_send(*ping, IpAddress(next_hop), 1, {}, 0, monotonic_now());
  const Instant give_up = monotonic_now() + limit;
  app.run([&](Instant now) -> std::optional<Instant> {
    if (app.stack().arp_lookup(app.netif(), next_hop) || now >= give_up) return std::nullopt;
    return give_up;
  });
  app.stack().ping_close(*ping);
}

}  // namespace

SntpOutcome query_sntp(App& app, const IpAddress& server, Duration timeout) {
  // As ping: a request sent while DAD holds our IPv6 address would have no
  // source to leave from.
  if (server.is_v6()) app.wait_for_duplicate_address_detection(timeout);
  resolve_next_hop(app, server, timeout);
  auto client = std::make_unique<SntpClient>();
  WallBase base;
  client->set_wall_clock(wall_from_base, &base);
  client->set_startup_delay(false, Duration::zero());
  (void)client->set_server(0, server);
  const Instant start = monotonic_now();
  Status started = client->start(app.stack(), start);
  if (!started) return {std::nullopt, std::string("cannot start the SNTP client: ") + to_string(started.error())};
  const Instant give_up = start + timeout;
  app.log("sntp: asking " + to_text(server));
  app.run([&](Instant now) -> std::optional<Instant> {
    const SntpStats& s = client->stats();
    if (client->last_sample()) return std::nullopt;
    if (s.kiss_deny + s.kiss_rate + s.kiss_other + s.timeouts + s.drop_unsynchronized + s.send_errors != 0) {
      return std::nullopt;
    }
    if (now >= give_up) return std::nullopt;
    return give_up;
  });
  client->stop(app.stack());
  SntpOutcome outcome;
  const SntpStats& s = client->stats();
  if (client->last_sample()) {
    outcome.sample = client->last_sample();
  } else if (s.kiss_deny != 0) {
    outcome.failure = to_text(server) + " refused us (kiss-o'-death DENY or RSTR)";
  } else if (s.kiss_rate != 0) {
    outcome.failure = to_text(server) + " asks us to ask less often (kiss-o'-death RATE)";
  } else if (s.kiss_other != 0) {
    outcome.failure = to_text(server) + " sent a kiss-o'-death";
  } else if (s.drop_unsynchronized != 0) {
    outcome.failure = to_text(server) + " is not synchronized (stratum 16 or leap indicator 3)";
  } else if (s.send_errors != 0) {
    outcome.failure = "cannot send to " + to_text(server) + " (no route?)";
  } else {
    outcome.failure = "no reply from " + to_text(server) + " within " +
                      format_seconds(timeout.total_micros(), false) + " s";
  }
  return outcome;
}

}  // namespace lwnet::tools
