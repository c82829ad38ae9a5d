// What every subcommand of the `lwnet` command shares: the interface options,
// one stack on one TAP device (optionally captured to a pcap file), the event
// loop that drives it, and the way errors reach the user.
//
// Threads: everything here runs on the main thread, which is the stack's core
// thread. Signal handlers only wake the loop.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "apps/dhcp6_client.h"
#include "apps/dhcp_client.h"
#include "config/options.h"
#include "core/stack.h"
#include "time/instant.h"
#include "wire/address.h"

namespace lwnet::tools {

// Exit statuses of the command (documented in `lwnet --help`).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;  // the job failed (ping: no reply at all; TAP unusable)
inline constexpr int exit_usage = 2;   // wrong arguments

// A locally administered unicast address, so it clashes with no real card.
inline constexpr MacAddress default_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

// What services bind to: :: (both families, dual stack) when the build has
// IPv6, else 0.0.0.0.
inline IpAddress any_address() {
  if constexpr (config::ipv6) return IpAddress(Ipv6Address{});
  return IpAddress(Ipv4Address::any());
}

// A command-line duration in seconds (fractions allowed), to the microsecond.
inline Duration seconds_to_duration(double seconds) {
  return Duration::micros(static_cast<std::int64_t>(std::llround(seconds * 1e6)));
}

// The global options: the one interface the stack runs on.
struct InterfaceOptions {
  std::string tap;                     // TAP device name (created when missing)
  MacAddress mac = default_mac;
  std::size_t mtu = 0;                 // 0: the device's MTU
  std::optional<IpCidr> ipv4;
  std::optional<Ipv4Address> gateway;
  std::vector<IpCidr> ipv6;            // --ip6, besides the link-local address
  // --slaac: SLAAC on (Stack::set_slaac); the constructor waits up to
  // slaac_timeout_seconds for a preferred global address.
  bool slaac = false;
  double slaac_timeout_seconds = 10;
  std::string pcap_path;               // empty: no capture
  double loss_percent = 0;             // frames lost on purpose, each way (FaultInjector)
  bool no_offload = false;             // no TCP segmentation offload to the TAP (nor receive offload)
  bool no_receive_offload = false;     // no TCP super-frames from the TAP
  bool busy_poll = false;              // never sleep: look at the TAP again at once
  // Microseconds to keep looking at the TAP after a pass before sleeping
  // (--spin). Off by default: unlike the TCP/IP thread's spin (which a
  // socket call's hand-over needs), it changed neither connections/s nor
  // ping on the bench machine (alternated runs, session 30).
  unsigned spin_us = 0;
  bool verbose = false;
  // DHCP client (--dhcp, --hostname, --dhcp-lease-file, --dhcp-timeout).
  bool dhcp = false;                   // get the address by DHCP before the job
  std::string hostname;                // option 12; empty: CONFIG_LWIP_LOCAL_HOSTNAME
  std::string dhcp_lease_file;         // CONFIG_LWIP_DHCP_RESTORE_LAST_IP's storage
  double dhcp_timeout_seconds = 30;
  // --dhcp6: the stateless DHCPv6 client on the TAP netif (it asks once an
  // RA has O or M); the constructor waits up to dhcp6_timeout_seconds for
  // its first Reply.
  bool dhcp6 = false;
  double dhcp6_timeout_seconds = 10;
  // Application services around the job (sntp.cpp, App).
  std::optional<IpAddress> sntp_server;  // --sntp: sync once before the job, print the offset
  std::string netbios_name;              // --netbios: answer NetBIOS name queries meanwhile
  // --dns, in order: main, backup, then the further slots
  // (CONFIG_LWIP_DNS_MAX_SERVERS in all).
  std::vector<IpAddress> dns_servers;
};

// Adds --tap, --mac, --mtu, --ip, --gw, --dns, --pcap, --sntp, --netbios and --verbose to `app`. The
// values land in `options` while CLI11 parses (each is validated there, so a
// bad one is a CLI11 error like any other).
void add_interface_options(CLI::App& app, InterfaceOptions& options);

// CLI11 validators whose one-line messages say what was expected:
// "'lots' is not a whole number from 68 to 1500".
CLI::Validator whole_number(long long min, long long max);
CLI::Validator seconds_between(double min, double max);
// The IP address (IPv4, or IPv6 in IPv6 builds) a subcommand talks to (HOST, -c ...), or a CLI11
// ValidationError naming `option`: there is no DNS or IPv6 yet.
IpAddress parse_host(const std::string& option, const std::string& text);

// A wrong argument found after CLI11 parsed the line (a combination CLI11
// cannot check). main() prints it as one line and exits with exit_usage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A subcommand: its CLI11 app (options bound) and what runs it once the whole
// line parsed. Each tools/cmd_*.cpp provides one (see commands.h).
struct Command {
  CLI::App* app = nullptr;
  std::function<int(const InterfaceOptions&)> run;
};

// How the event loop ended.
enum class RunEnd {
  Finished,  // the job said it is done
  Stopped,   // SIGINT or SIGTERM
};

struct AppParts;

// The stack on the TAP device, up and addressed, and the loop that drives it.
class App {
 public:
  // Opens (or creates) the TAP device, the pcap file when asked for, builds
  // the stack and adds the netif, installs the SIGINT/SIGTERM handlers.
  // Throws UsageError for options the stack refuses, std::runtime_error (one
  // line, says what to do) when the OS refuses.
  explicit App(const InterfaceOptions& options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  Stack& stack();
  NetifId netif() const;
  const InterfaceOptions& options() const;

  // "tap lw0 up, 192.0.2.2/24 (02:00:00:00:00:02)" (plus the gateway and MTU
  // when they are set).
  std::string describe_interface() const;

  // Drives the stack until the job is done or a stop signal arrives. Each
  // round polls the stack at monotonic_now(), then calls `job(now)`, which
  // does its work (reads, sends) and returns the instant it next wants to run
  // without new input (Instant::max(): only when a frame arrives), or nullopt
  // when it has finished. Between rounds it sleeps on the TAP until the
  // earlier of that instant and the stack's next_deadline().
  using Job = std::function<std::optional<Instant>(Instant now)>;
  RunEnd run(const Job& job);

  // A second descriptor (stdin for `connect`) the loop also sleeps on, in
  // the rounds the job asked for it with want_input(true): a job that cannot
  // take more input (its send buffer is full) says false, so a readable
  // descriptor does not keep the loop spinning.
  void set_input(int fd);
  void want_input(bool wanted);
  // Whether the last sleep saw the input descriptor readable; clears that,
  // so a job reads at most once per sleep (a second read could block).
  bool take_input_readable();

  // The signal that stopped run() (0 if none).
  int stop_signal() const;

  // Writes every non-zero counter of the stack, one "group.name value" per
  // line, to `out`.
  void print_counters(std::FILE* out) const;

  // With --verbose: one line to stderr, prefixed "lwnet: ".
  void log(const std::string& line) const;

  // A preferred IPv6 address that is not link-local (SLAAC's or --ip6's).
  bool has_global_ipv6() const;
  // Drives the stack until no IPv6 address of the netif is tentative (RFC
  // 4862 5.4: none is a source before Duplicate Address Detection let it
  // go), for up to `limit`.
  void wait_for_duplicate_address_detection(Duration limit);

  // ---- DHCP client (--dhcp) ------------------------------------------------
  // With --dhcp the constructor starts the client and drives the stack until
  // it is bound (std::runtime_error after --dhcp-timeout seconds); it stays
  // attached for the job (renewals). Null without --dhcp.
  DhcpClient* dhcp_client();
  // Called for every event of the client from inside the loop (replaces the
  // default, which logs with --verbose).
  using DhcpEventHandler = std::function<void(DhcpClientEvent, const DhcpLease&)>;
  void set_dhcp_event_handler(DhcpEventHandler handler);

  // ---- Stateless DHCPv6 client (--dhcp6) -------------------------------------
  // Null without --dhcp6. It stays attached for the job (refreshes).
  const Dhcp6Client* dhcp6_client() const;

 private:
  void start_dhcp();
  void wait_for_slaac();
  void start_dhcp6();
  void wait_for_dhcp6();

  std::unique_ptr<AppParts> parts_;
};

// Text forms for messages.
std::string to_text(const IpAddress& address);
std::string to_text(const MacAddress& mac);
std::string to_text(const IpCidr& cidr);
// "192.0.2.55/24 via 192.0.2.1 from 192.0.2.1, lease 120 s" (or "link-local").
std::string to_text(const DhcpLease& lease);

}  // namespace lwnet::tools
