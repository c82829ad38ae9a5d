// lwnet ping: ICMP echo from lwnet's stack, printed the way iputils' ping
// prints it, so scripts and eyes used to ping read it unchanged.
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "app.h"
#include "port/clock.h"
#include "port/entropy.h"

namespace lwnet::tools {

namespace {

constexpr std::size_t max_icmp_data = 65507;  // 65535 - IPv4 header (20) - ICMP header (8)

struct PingOptions {
  IpAddress host;
  std::string host_text;
  std::uint32_t count = 0;  // 0: until SIGINT
  double interval_seconds = 1.0;
  std::size_t size = 56;
  double timeout_seconds = 10.0;
};

// iputils' precision: three significant decimals below 1 ms, fewer above.
std::string format_rtt(std::int64_t micros) {
  char text[32];
  const double ms = static_cast<double>(micros) / 1000.0;
  if (micros >= 100000) {
    std::snprintf(text, sizeof text, "%.0f", ms);
  } else if (micros >= 10000) {
    std::snprintf(text, sizeof text, "%.1f", ms);
  } else if (micros >= 1000) {
    std::snprintf(text, sizeof text, "%.2f", ms);
  } else {
    std::snprintf(text, sizeof text, "%.3f", ms);
  }
  return text;
}

class Pinger {
 public:
  Pinger(App& app, const PingOptions& options)
      : app_(app),
        options_(options),
        interval_(seconds_to_duration(options.interval_seconds)),
        timeout_(seconds_to_duration(options.timeout_seconds)),
        payload_(options.size),
        reply_(max_icmp_data),
        sent_at_(65536) {
    for (std::size_t i = 0; i < payload_.size(); ++i) payload_[i] = static_cast<std::uint8_t>(i);
    const auto identifier = static_cast<std::uint16_t>(random_seed());
    auto handle = app.stack().ping_open(identifier);
    if (!handle) throw std::runtime_error(std::string("ping: cannot open an ICMP endpoint: ") + to_string(handle.error()));
    handle_ = *handle;
  }
  ~Pinger() { app_.stack().ping_close(handle_); }
  Pinger(const Pinger&) = delete;
  Pinger& operator=(const Pinger&) = delete;

  // One round of the event loop; nullopt when done.
  std::optional<Instant> step(Instant now) {
    // An IPv6 source is usable once Duplicate Address Detection let it go.
    if (!started_ && options_.host.is_v6() && dad_running()) return now + Duration::millis(50);
    if (!started_) {
      started_ = true;
      start_ = now;
      next_send_ = now;
      last_activity_ = now;
    }
    receive_replies(now);
    if (more_to_send() && now >= next_send_) {
      send(now);
      next_send_ = next_send_ + interval_;
      if (next_send_ < now) next_send_ = now;  // we fell behind: do not burst
    }
    if (!more_to_send()) {
      const bool all_answered = received_ >= transmitted_;
      if (all_answered || now >= last_send_ + timeout_) return std::nullopt;
      return last_send_ + timeout_;
    }
    return next_send_;
  }

  // The statistics block; returns the exit status.
  int finish(Instant now) {
    receive_replies(now);
    const std::int64_t elapsed_ms = transmitted_ == 0 ? 0 : (last_activity_ - start_).total_millis();
    std::printf("\n--- %s ping statistics ---\n", options_.host_text.c_str());
    std::printf("%llu packets transmitted, %llu received", static_cast<unsigned long long>(transmitted_),
                static_cast<unsigned long long>(received_));
    if (duplicates_ != 0) std::printf(", +%llu duplicates", static_cast<unsigned long long>(duplicates_));
    if (errors_ != 0) std::printf(", +%llu errors", static_cast<unsigned long long>(errors_));
    const double loss = transmitted_ == 0 ? 0.0
                                          : 100.0 * static_cast<double>(transmitted_ - std::min(received_, transmitted_)) /
                                                static_cast<double>(transmitted_);
    std::printf(", %g%% packet loss, time %lldms\n", loss, static_cast<long long>(elapsed_ms));
    if (received_ != 0) {
      const double n = static_cast<double>(received_ + duplicates_);
      const double mean = rtt_sum_ / n;
      const double variance = std::max(0.0, rtt_sum_squares_ / n - mean * mean);
      std::printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", rtt_min_ / 1000.0, mean / 1000.0,
                  rtt_max_ / 1000.0, std::sqrt(variance) / 1000.0);
    }
    return received_ != 0 ? exit_ok : exit_failed;
  }

 private:
  bool dad_running() const {
    const auto addresses = app_.stack().ipv6_addresses(app_.netif());
    if (!addresses) return false;
    for (const Ipv6NetifAddress& a : *addresses) {
      if (a.state == Ipv6AddressState::Tentative) return true;
    }
    return false;
  }

  bool more_to_send() const { return options_.count == 0 || transmitted_ + errors_ < options_.count; }

  void send(Instant now) {
    const bool first = transmitted_ + errors_ == 0;
    const auto sequence = static_cast<std::uint16_t>(transmitted_ + errors_ + 1);
    const Status sent = app_.stack().ping_send(handle_, options_.host, sequence,
                                               ConstBytes(payload_.data(), payload_.size()), 0, now);
    if (first) {
      // Like iputils, a destination no route reaches is an error of the
      // command line, reported before anything is printed.
      if (!sent && sent.error() == Error::NoRoute) {
        throw UsageError(options_.host_text + " is unreachable: it is outside --ip and there is no --gw");
      }
      std::printf("PING %s (%s) %zu(%zu) bytes of data.\n", options_.host_text.c_str(),
                  to_text(options_.host).c_str(), options_.size,
                  options_.size + (options_.host.is_v6() ? 48 : 28));
    }
    last_send_ = now;
    last_activity_ = now;
    if (!sent) {
      ++errors_;
      std::printf("From %s icmp_seq=%u: %s\n", options_.host_text.c_str(), unsigned{sequence},
                  to_string(sent.error()));
      return;
    }
    ++transmitted_;
    sent_at_[sequence] = now;
    answered_[sequence] = false;
  }

  void receive_replies(Instant now) {
    for (;;) {
      auto got = app_.stack().ping_receive(handle_, Bytes(reply_.data(), reply_.size()));
      if (!got) return;
      const EchoReply& reply = *got;
      const std::optional<Instant>& sent = sent_at_[reply.sequence];
      if (!sent) {
        app_.log("echo reply with unknown icmp_seq=" + std::to_string(reply.sequence) + " ignored");
        continue;
      }
      const std::int64_t rtt = (now - *sent).total_micros();
      const bool duplicate = answered_[reply.sequence];
      answered_[reply.sequence] = true;
      if (duplicate) {
        ++duplicates_;
      } else {
        ++received_;
      }
      last_activity_ = now;
      const auto rtt_value = static_cast<double>(rtt);
      rtt_sum_ += rtt_value;
      rtt_sum_squares_ += rtt_value * rtt_value;
      rtt_min_ = (received_ + duplicates_ == 1) ? rtt_value : std::min(rtt_min_, rtt_value);
      rtt_max_ = std::max(rtt_max_, rtt_value);
      std::printf("%zu bytes from %s: icmp_seq=%u ttl=%u time=%s ms%s\n", reply.size + 8,
                  to_text(reply.from).c_str(), unsigned{reply.sequence}, unsigned{reply.ttl},
                  format_rtt(rtt).c_str(), duplicate ? " (DUP!)" : "");
      check_data(reply);
    }
  }

  void check_data(const EchoReply& reply) {
    if (reply.size != payload_.size()) {
      std::printf("wrong data length: %zu bytes, sent %zu\n", reply.size, payload_.size());
      return;
    }
    for (std::size_t i = 0; i < reply.copied; ++i) {
      if (reply_[i] != payload_[i]) {
        std::printf("wrong data byte #%zu should be 0x%02x but was 0x%02x\n", i, unsigned{payload_[i]},
                    unsigned{reply_[i]});
        return;
      }
    }
  }

  App& app_;
  const PingOptions& options_;
  Duration interval_;
  Duration timeout_;
  std::vector<std::uint8_t> payload_;
  std::vector<std::uint8_t> reply_;
  std::vector<std::optional<Instant>> sent_at_;  // by sequence number
  std::vector<bool> answered_ = std::vector<bool>(65536, false);
  PingHandle handle_{};
  bool started_ = false;
  Instant start_, next_send_, last_send_, last_activity_;
  std::uint64_t transmitted_ = 0, received_ = 0, duplicates_ = 0, errors_ = 0;
  double rtt_sum_ = 0, rtt_sum_squares_ = 0, rtt_min_ = 0, rtt_max_ = 0;
};

int ping(const InterfaceOptions& interface, const PingOptions& options) {
  App app(interface);
  app.log(app.describe_interface());
  Pinger pinger(app, options);
  app.run([&](Instant now) { return pinger.step(now); });
  return pinger.finish(monotonic_now());
}

}  // namespace

Command add_ping_command(CLI::App& lwnet) {
  auto options = std::make_shared<PingOptions>();
  CLI::App* sub = lwnet.add_subcommand("ping", "send ICMP echo requests to HOST, print replies like iputils' ping");
  sub->footer(
      "\nPrints what iputils' ping prints: one line per reply, then the statistics (also on\n"
      "SIGINT). Exits 0 when any reply came back, 1 when none did, 2 on wrong arguments.\n"
      "The first request may wait in the stack for ARP to resolve the next hop.\n"
      "Interface options (--tap, --ip, ...): see lwnet --help.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 ping -c 3 192.0.2.1");
  sub->add_option_function<std::string>(
         "HOST",
         [options](const std::string& text) {
           options->host = parse_host("HOST", text);
           options->host_text = text;
         },
         "IPv4 address to ping")
      ->required()
      ->type_name("ADDR");
  sub->add_option("-c,--count", options->count, "stop after sending N requests (1 to 65535) and waiting for their\nreplies (default: go on until SIGINT)")
      ->type_name("N")
      ->check(whole_number(1, 65535));
  sub->add_option("-i,--interval", options->interval_seconds, "seconds between requests, 0.001 to 3600 (default 1)")
      ->type_name("SECONDS")
      ->check(seconds_between(0.001, 3600.0));
  sub->add_option("-s,--size", options->size, "ICMP data bytes per request, 0 to 65507 (default 56; more than 1472\n(IPv6: 1452) are sent in IP fragments)")
      ->type_name("SIZE")
      ->check(whole_number(0, static_cast<long long>(max_icmp_data)));
  sub->add_option("-W,--timeout", options->timeout_seconds,
                  "seconds to wait for replies after the last request, 0.001 to 3600\n(default 10)")
      ->type_name("SECONDS")
      ->check(seconds_between(0.001, 3600.0));
  return Command{sub, [options](const InterfaceOptions& interface) { return ping(interface, *options); }};
}

}  // namespace lwnet::tools
