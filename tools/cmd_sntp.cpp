// lwnet sntp: asks an NTP server for the time once (SNTP, RFC 4330) and
// prints the offset of this machine's clock, the round-trip delay and the
// server's stratum in plain lines. The system clock is not changed.
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>

#include "app.h"
#include "sntp.h"

namespace lwnet::tools {

namespace {

struct SntpCommandOptions {
  std::optional<IpAddress> server;  // none: the first NTP server the stack learned (--dhcp)
  double timeout_seconds = 15.0;
};

int sntp(const InterfaceOptions& interface, const SntpCommandOptions& options) {
  App app(interface);
  app.log(app.describe_interface());
  const auto timeout = Duration::micros(static_cast<std::int64_t>(std::llround(options.timeout_seconds * 1e6)));
  std::optional<IpAddress> server = options.server;
  if (!server) {
    // DHCP's option 42 (or DHCPv6), published on the stack while it came up.
    const std::span<const IpAddress> learned = app.stack().learned_ntp_servers().servers();
    if (learned.empty()) {
      std::fprintf(stderr, "lwnet: sntp: no SERVER given and no NTP server learned (from --dhcp)\n");
      return exit_failed;
    }
    server = learned[0];
  }
  const SntpOutcome outcome = query_sntp(app, *server, timeout);
  if (app.stop_signal() != 0 && !outcome.sample) return exit_failed;
  if (!outcome.sample) {
    std::fprintf(stderr, "lwnet: sntp: %s\n", outcome.failure.c_str());
    return exit_failed;
  }
  const SntpSample& s = *outcome.sample;
  std::printf("server %s\n", to_text(s.server).c_str());
  std::printf("stratum %u\n", unsigned{s.stratum});
  std::printf("offset %s s\n", format_seconds(s.offset_micros, true).c_str());
  std::printf("delay %s s\n", format_seconds(s.delay_micros, false).c_str());
  return exit_ok;
}

}  // namespace

Command add_sntp_command(CLI::App& lwnet) {
  auto options = std::make_shared<SntpCommandOptions>();
  CLI::App* sub = lwnet.add_subcommand("sntp", "ask an NTP server for the time once, print offset, delay, stratum");
  sub->footer(
      "\nPrints four lines: 'server ADDR', 'stratum N', 'offset SECONDS' (the server's clock\n"
      "minus this machine's: positive when this machine is behind) and 'delay SECONDS' (the\n"
      "round trip). The system clock is only read, never set. Exits 0 on an answer, 1 when\n"
      "none came (timeout, kiss-o'-death, unsynchronized server), 2 on wrong arguments.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 sntp 192.0.2.1");
  sub->add_option_function<std::string>(
         "SERVER", [options](const std::string& text) { options->server = parse_host("SERVER", text); },
         "IPv4 address of the NTP server (default: the first one a --dhcp lease gave)")
      ->type_name("ADDR");
  sub->add_option("-W,--timeout", options->timeout_seconds, "seconds to wait for the answer, 0.1 to 60 (default 15)")
      ->type_name("SECONDS")
      ->check(seconds_between(0.1, 60.0));
  return Command{sub, [options](const InterfaceOptions& interface) { return sntp(interface, *options); }};
}

}  // namespace lwnet::tools
