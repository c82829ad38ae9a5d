// lwnet iperf -c: an iperf 2 client over lwnet's stack, against Linux
// `iperf -s`. It connects, writes LEN-byte buffers of zeros (each in as many
// pieces as the send buffer takes) for SECONDS, prints iperf's interval and
// total lines, then closes and waits until the server has everything: the
// total counts only bytes the server acknowledged. It sends no iperf header
// (zeros read as one that asks for nothing), so any iperf 2 server takes it.
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "app.h"
#include "port/clock.h"

namespace lwnet::tools {

namespace {

struct IperfOptions {
  IpAddress host;
  std::uint16_t port = 5001;
  double seconds = 10.0;
  std::size_t length = 128 * 1024;
  double interval_seconds = 0;  // 0: no interval lines
};

// Longest the closing handshake may take once sending stopped.
constexpr Duration close_timeout = Duration::seconds(10);

// Three significant digits, like iperf's adaptive units.
std::string three_digits(double value) {
  char text[32];
  if (value < 9.995) {
    std::snprintf(text, sizeof text, "%.2f", value);
  } else if (value < 99.95) {
    std::snprintf(text, sizeof text, "%.1f", value);
  } else {
    std::snprintf(text, sizeof text, "%.0f", value);
  }
  return text;
}

std::string format_bytes(std::uint64_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (value >= 1024.0 * 1024 * 1024) return three_digits(value / (1024.0 * 1024 * 1024)) + " GBytes";
  if (value >= 1024.0 * 1024) return three_digits(value / (1024.0 * 1024)) + " MBytes";
  if (value >= 1024.0) return three_digits(value / 1024.0) + " KBytes";
  return std::to_string(bytes) + " Bytes";
}

std::string format_rate(std::uint64_t bytes, Duration elapsed) {
  const double seconds = static_cast<double>(elapsed.total_micros()) / 1e6;
  const double bits = seconds > 0 ? static_cast<double>(bytes) * 8.0 / seconds : 0.0;
  if (bits >= 1e9) return three_digits(bits / 1e9) + " Gbits/sec";
  if (bits >= 1e6) return three_digits(bits / 1e6) + " Mbits/sec";
  if (bits >= 1e3) return three_digits(bits / 1e3) + " Kbits/sec";
  return three_digits(bits) + " bits/sec";
}

class IperfClient {
 public:
  IperfClient(App& app, const IperfOptions& options)
      : app_(app),
        options_(options),
        duration_(seconds_to_duration(options.seconds)),
        interval_(seconds_to_duration(options.interval_seconds)),
        buffer_(options.length) {}
  IperfClient(const IperfClient&) = delete;
  IperfClient& operator=(const IperfClient&) = delete;

  std::optional<Instant> step(Instant now) {
    Stack& stack = app_.stack();
    if (phase_ == Phase::Start) {
      auto handle = stack.tcp_connect(IpEndpoint{options_.host, options_.port}, now);
      if (!handle) {
        if (handle.error() == Error::NoRoute) {
          throw UsageError(to_text(options_.host) + " is unreachable: it is outside --ip and there is no --gw");
        }
        return fail(std::string("cannot connect: ") + to_string(handle.error()));
      }
      handle_ = *handle;
      open_ = true;
      phase_ = Phase::Connecting;
      std::printf("------------------------------------------------------------\n");
      std::printf("Client connecting to %s, TCP port %u\n", to_text(options_.host).c_str(), unsigned{options_.port});
      std::printf("------------------------------------------------------------\n");
    }
    stack.tcp_events(handle_);
    const TcpConnection* c = stack.tcp_connection(handle_);
    if (c == nullptr) return fail("connection lost");
    if (c->error()) return fail(to_string(*c->error()));
    drain_input(now);
    switch (phase_) {
      case Phase::Connecting:
        if (!is_synchronized(c->state())) return Instant::max();
        phase_ = Phase::Sending;
        start_ = now;
        interval_start_ = now;
        std::printf("[  1] local %s port %u connected with %s port %u\n", to_text(c->local().address).c_str(),
                    unsigned{c->local().port}, to_text(options_.host).c_str(), unsigned{options_.port});
        std::printf("[ ID] Interval       Transfer     Bandwidth\n");
        [[fallthrough]];
      case Phase::Sending:
        return send(now);
      case Phase::Closing:
        if (c->state() == TcpState::TimeWait || c->state() == TcpState::Closed) {
          report_total();
          stack.tcp_close(handle_, now);
          open_ = false;
          status_ = exit_ok;
          return std::nullopt;
        }
        if (now >= closing_deadline_) return fail("the server did not acknowledge the end of the data in time");
        return closing_deadline_;
      case Phase::Start:
        break;
    }
    return Instant::max();
  }

  // After the loop ended (also on a stop signal).
  int finish(Instant now) {
    if (open_) {
      if (phase_ == Phase::Sending) {
        stop_ = now;
        report_total();
      }
      app_.stack().tcp_abort(handle_, now);
      open_ = false;
    }
    return status_;
  }

 private:
  enum class Phase { Start, Connecting, Sending, Closing };

  std::optional<Instant> send(Instant now) {
    const Instant end = start_ + duration_;
    report_intervals(std::min(now, end));
    if (now >= end) {
      stop_ = end;
      const Status shut = app_.stack().tcp_shutdown(handle_, now);
      if (!shut) return fail(std::string("shutdown: ") + to_string(shut.error()));
      phase_ = Phase::Closing;
      closing_deadline_ = now + close_timeout;
      return closing_deadline_;
    }
    for (;;) {
      auto sent = app_.stack().tcp_send(handle_, ConstBytes(buffer_.data() + offset_, buffer_.size() - offset_), now);
      if (!sent) {
        if (sent.error() != Error::WouldBlock) return fail(to_string(sent.error()));
        break;
      }
      if (*sent == 0) break;
      offset_ += *sent;
      total_ += *sent;
      interval_bytes_ += *sent;
      if (offset_ == buffer_.size()) offset_ = 0;  // the next write
    }
    Instant wake = end;
    if (interval_ > Duration{}) wake = std::min(wake, interval_start_ + interval_);
    return wake;
  }

  void report_intervals(Instant now) {
    if (interval_ <= Duration{}) return;
    while (now >= interval_start_ + interval_) {
      const Instant interval_end = interval_start_ + interval_;
      print_line(interval_start_, interval_end, interval_bytes_);
      interval_start_ = interval_end;
      interval_bytes_ = 0;
    }
  }

  void report_total() {
    if (interval_ > Duration{} && interval_bytes_ != 0 && stop_ > interval_start_) {
      print_line(interval_start_, stop_, interval_bytes_);
    }
    print_line(start_, stop_, total_);
    std::printf("[  1] sent %llu bytes\n", static_cast<unsigned long long>(total_));
  }

  void print_line(Instant from, Instant to, std::uint64_t bytes) {
    const double a = static_cast<double>((from - start_).total_micros()) / 1e6;
    const double b = static_cast<double>((to - start_).total_micros()) / 1e6;
    std::printf("[  1] %.1f-%.1f sec  %s  %s\n", a, b, format_bytes(bytes).c_str(),
                format_rate(bytes, to - from).c_str());
  }

  // An iperf server sends nothing, but whatever comes is read so that the
  // close is a FIN rather than a RST.
  void drain_input(Instant now) {
    std::uint8_t scratch[2048];
    for (;;) {
      auto got = app_.stack().tcp_receive(handle_, Bytes(scratch, sizeof scratch), now);
      if (!got || *got == 0) return;
    }
  }

  std::optional<Instant> fail(const std::string& problem) {
    std::fprintf(stderr, "lwnet: iperf -c %s -p %u: %s\n", to_text(options_.host).c_str(), unsigned{options_.port},
                 problem.c_str());
    status_ = exit_failed;
    return std::nullopt;
  }

  App& app_;
  const IperfOptions& options_;
  Duration duration_;
  Duration interval_;
  std::vector<std::uint8_t> buffer_;
  std::size_t offset_ = 0;  // into the current write
  TcpHandle handle_{};
  bool open_ = false;
  Phase phase_ = Phase::Start;
  Instant start_, stop_, interval_start_, closing_deadline_;
  std::uint64_t total_ = 0, interval_bytes_ = 0;
  int status_ = exit_failed;
};

int iperf(const InterfaceOptions& interface, const IperfOptions& options) {
  App app(interface);
  app.log(app.describe_interface());
  IperfClient client(app, options);
  app.run([&](Instant now) { return client.step(now); });
  return client.finish(monotonic_now());
}

}  // namespace

Command add_iperf_command(CLI::App& lwnet) {
  auto options = std::make_shared<IperfOptions>();
  CLI::App* sub = lwnet.add_subcommand("iperf", "iperf 2 client: send TCP data to 'iperf -s' on HOST, print the rate");
  sub->footer(
      "\nPrints iperf's lines: one per interval with -i, then the total over the whole run\n"
      "('[  1] 0.0-3.0 sec  12.3 MBytes  34.4 Mbits/sec') and '[  1] sent N bytes'. The\n"
      "total is printed once the server acknowledged all the data and the close.\n"
      "Exits 0 then, 1 if the connection failed.\n"
      "Interface options (--tap, --ip, ...): see lwnet --help.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 iperf -c 192.0.2.1 -t 3 -i 1");
  sub->add_option_function<std::string>(
         "-c,--client",
         [options](const std::string& text) {
           options->host = parse_host("-c", text);
         },
         "the iperf server's IPv4 address")
      ->required()
      ->type_name("HOST");
  sub->add_option("-p,--port", options->port, "the server's port (default 5001)")
      ->type_name("PORT")
      ->check(whole_number(1, 65535));
  sub->add_option("-t,--time", options->seconds, "seconds to send, 0.1 to 3600 (default 10)")
      ->type_name("SECONDS")
      ->check(seconds_between(0.1, 3600.0));
  sub->add_option("-l,--len", options->length, "bytes per write, 1 to 16777216 (default 131072)")
      ->type_name("LEN")
      ->check(whole_number(1, 16 * 1024 * 1024));
  sub->add_option("-i,--interval", options->interval_seconds,
                  "seconds between interval lines, 0.1 to 3600 (default: none)")
      ->type_name("SECONDS")
      ->check(seconds_between(0.1, 3600.0));
  return Command{sub, [options](const InterfaceOptions& interface) { return iperf(interface, *options); }};
}

}  // namespace lwnet::tools
