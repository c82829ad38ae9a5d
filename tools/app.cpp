#include "app.h"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "apps/netbios_responder.h"
#include "config/options.h"
#include "dhcp_lease_file.h"
#include "link/fault_injector.h"
#include "link/linux/pcap_file.h"
#include "link/linux/tap_device.h"
#include "link/pcap_writer.h"
#include "port/clock.h"
#include "port/entropy.h"
#include "port/memory.h"
#include "port/wait.h"
#include "sntp.h"

namespace lwnet::tools {

// ---- Text ---------------------------------------------------------------------

std::string to_text(const IpAddress& address) {
  std::array<char, 64> buffer{};
  return std::string(format_ip_address(address, buffer));
}

std::string to_text(const MacAddress& mac) {
  std::array<char, 18> buffer{};
  return std::string(format_mac_address(mac, buffer));
}

std::string to_text(const IpCidr& cidr) {
  return to_text(cidr.address) + "/" + std::to_string(cidr.prefix_len);
}

std::string to_text(const DhcpLease& lease) {
  std::string text = to_text(IpCidr{lease.address, lease.prefix_len});
  if (lease.link_local) return text + " (link-local)";
  if (lease.router) text += " via " + to_text(IpAddress(*lease.router));
  text += " from " + to_text(IpAddress(lease.server_id)) + ", lease " + std::to_string(lease.lease_seconds) + " s";
  return text;
}

// ---- Options ------------------------------------------------------------------

CLI::Validator whole_number(long long min, long long max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto [next, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || error != std::errc() || next != end || value < min || value > max) {
          return "'" + text + "' is not a whole number from " + std::to_string(min) + " to " +
                 std::to_string(max);
        }
        return "";
      },
      "");
}

IpAddress parse_host(const std::string& option, const std::string& text) {
  const auto address = parse_ip_address(text);
  if (!address || (!config::ipv6 && !address->is_v4())) {
    throw CLI::ValidationError(option, "'" + text + "' is not an IP address (no DNS yet)");
  }
  return *address;
}

CLI::Validator seconds_between(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(value >= min && value <= max)) {
          char range[64];
          std::snprintf(range, sizeof range, "%g to %g", min, max);
          return "'" + text + "' is not a number of seconds from " + range;
        }
        return "";
      },
      "");
}

void add_interface_options(CLI::App& app, InterfaceOptions& options) {
  const std::string group = "Interface";
  app.add_option("--tap", options.tap,
                 "TAP device to run on; attached if it exists (e.g. made with\n"
                 "'ip tuntap add dev NAME mode tap'), else created for as long as lwnet runs")
      ->type_name("NAME")
      ->check([](const std::string& name) -> std::string {
        if (name.empty() || name.size() > 15) return "a device name has 1 to 15 characters";
        if (name.find_first_of("/ \t\n:") != std::string::npos) {
          return "'" + name + "' is not a valid device name";
        }
        return "";
      })
      ->group(group);
  app.add_option_function<std::string>(
         "--mac",
         [&options](const std::string& text) {
           const auto mac = parse_mac_address(text);
           if (!mac) throw CLI::ValidationError("--mac", "'" + text + "' is not a MAC address like 02:00:00:00:00:02");
           if (!mac->is_unicast()) throw CLI::ValidationError("--mac", text + " is not a unicast address");
           options.mac = *mac;
         },
         "lwnet's MAC address (default " + to_text(default_mac) + ", locally administered)")
      ->type_name("MAC")
      ->group(group);
  // 68: the smallest IPv4 MTU (RFC 791); the top: what a frame buffer holds.
  constexpr auto max_mtu = static_cast<long long>(config::max_ethernet_frame - 14);
  app.add_option("--mtu", options.mtu,
                 "largest IP packet on the interface, 68 to " + std::to_string(max_mtu) +
                     " (default 1500);\nset the Linux side of the TAP to the same: 'ip link set NAME mtu N'")
      ->type_name("BYTES")
      ->check(whole_number(68, max_mtu))
      ->group(group);
  app.add_option_function<std::string>(
         "--ip",
         [&options](const std::string& text) {
           const auto cidr = parse_ip_cidr(text);
           if (!cidr || !cidr->address.is_v4() || cidr->prefix_len > 32) {
             throw CLI::ValidationError("--ip", "'" + text + "' is not an IPv4 address/prefix like 192.0.2.2/24");
           }
           options.ipv4 = *cidr;
         },
         "lwnet's IPv4 address and prefix length, e.g. 192.0.2.2/24 (or --dhcp)")
      ->type_name("ADDR/PREFIX")
      ->group(group);
  app.add_option_function<std::string>(
         "--ip6",
         [&options](const std::string& text) {
           const auto cidr = parse_ip_cidr(text);
           if (!cidr || !cidr->address.is_v6() || cidr->prefix_len > 128) {
             throw CLI::ValidationError("--ip6", "'" + text + "' is not an IPv6 address/prefix like 2001:db8::2/64");
           }
           options.ipv6.push_back(*cidr);
         },
         "an IPv6 address and prefix length, e.g. 2001:db8::2/64 (the link-local\n"
         "address from the MAC is always there)")
      ->type_name("ADDR/PREFIX")
      ->group(group);
  app.add_flag("--slaac", options.slaac,
               "take an IPv6 address from router advertisements (SLAAC, RFC 4862) and wait\n"
               "up to --slaac-timeout seconds for it before the job")
      ->group(group);
  app.add_option("--slaac-timeout", options.slaac_timeout_seconds,
                 "seconds --slaac waits for a global address (default 10)")
      ->type_name("SECONDS")
      ->check(seconds_between(0, 3600))
      ->group(group);
  app.add_option_function<std::string>(
         "--gw",
         [&options](const std::string& text) {
           const auto address = parse_ip_address(text);
           if (!address || !address->is_v4()) {
             throw CLI::ValidationError("--gw", "'" + text + "' is not an IPv4 address like 192.0.2.1");
           }
           options.gateway = address->v4();
         },
         "default IPv4 gateway (must be inside --ip's prefix)")
      ->type_name("ADDR")
      ->group(group);
  app.add_option_function<std::vector<std::string>>(
         "--dns",
         [&options](const std::vector<std::string>& texts) {
           for (const std::string& text : texts) {
             const auto address = parse_ip_address(text);
             if (!address || address->is_unspecified() || address->is_multicast()) {
               throw CLI::ValidationError("--dns", "'" + text + "' is not a unicast IP address like 192.0.2.1");
             }
             if (options.dns_servers.size() >= config::dns_max_servers) {
               throw CLI::ValidationError("--dns", "at most " + std::to_string(config::dns_max_servers) +
                                                       " DNS servers (CONFIG_LWIP_DNS_MAX_SERVERS)");
             }
             options.dns_servers.push_back(*address);
           }
         },
         "DNS server to ask for names (repeat it: the first is the main server,\n"
         "the next the backup)")
      ->type_name("ADDR")
      ->group(group);
  app.add_option("--pcap", options.pcap_path,
                 "write every frame lwnet receives and sends to FILE (pcap, readable by\n"
                 "tcpdump -r / wireshark)")
      ->type_name("FILE")
      ->group(group);
  app.add_flag("--no-offload", options.no_offload,
               "send TCP in MTU-sized frames only (by default large TCP packets go to the\n"
               "TAP whole and the kernel cuts them up: TCP segmentation offload)")
      ->group(group);
  app.add_flag("--no-receive-offload", options.no_receive_offload,
               "take TCP from the TAP in MTU-sized frames only (by default the kernel may\n"
               "hand lwnet TCP packets of up to 64 KiB whole, with checksums left to it:\n"
               "receive offload, counted as ethernet.rx_super_frames)")
      ->group(group);
  app.add_flag("--busy-poll", options.busy_poll,
               "never sleep between frames: look at the TAP again at once (the lowest\n"
               "latency, as Linux's SO_BUSY_POLL, for 100 % of a core)")
      ->group(group);
  app.add_option("--spin", options.spin_us,
                 "after a pass, keep looking at the TAP this long before sleeping, so that\n"
                 "the peer's next frame (a connection's next step) needs no wake-up; it\n"
                 "stops by itself where the frames do not come within it (default 0: sleep\n"
                 "at once; up to 10000)")
      ->type_name("MICROSECONDS")
      ->check(CLI::Range(0U, 10000U))
      ->group(group);
  app.add_option("--loss", options.loss_percent,
                 "lose this percentage of frames on purpose, each way, between the TAP and\n"
                 "the stack (seeded, for tests of TCP's recovery; default 0)")
      ->type_name("PERCENT")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !(value >= 0 && value < 100)) {
              return "'" + text + "' is not a percentage from 0 to below 100";
            }
            return "";
          },
          ""))
      ->group(group);
  app.add_flag("-v,--verbose", options.verbose, "log what happens to stderr")->group(group);

  // DHCP client.
  app.add_flag("--dhcp", options.dhcp,
               "get the IPv4 address, router and DNS servers by DHCP before the job\n"
               "(instead of --ip); the lease is renewed while lwnet runs")
      ->group(group);
  app.add_option("--hostname", options.hostname,
                 "the name lwnet's DHCP client sends (option 12; default \"" +
                     std::string(config::local_hostname) + "\")")
      ->type_name("NAME")
      ->check([](const std::string& name) -> std::string {
        if (name.empty() || name.size() > DhcpClient::max_hostname_len) return "a hostname has 1 to 63 characters";
        for (char c : name) {
          const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
          if (!ok) return "'" + name + "' is not a hostname (letters, digits, '-' and '.')";
        }
        return "";
      })
      ->group(group);
  app.add_option("--dhcp-lease-file", options.dhcp_lease_file,
                 "keep the DHCP lease in FILE and ask for the same address again at the next\n"
                 "start (INIT-REBOOT; ESP-IDF's CONFIG_LWIP_DHCP_RESTORE_LAST_IP)")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--dhcp-timeout", options.dhcp_timeout_seconds,
                 "seconds to wait for a DHCP lease, 1 to 3600 (default 30)")
      ->type_name("SECONDS")
      ->check(seconds_between(1, 3600))
      ->group(group);
  // Stateless DHCPv6 client.
  app.add_flag("--dhcp6", options.dhcp6,
               "ask a DHCPv6 server for DNS and NTP servers (stateless DHCPv6, RFC 8415)\n"
               "once a router advertisement has the O (or M) flag; waits up to\n"
               "--dhcp6-timeout seconds for the answer before the job")
      ->group(group);
  app.add_option("--dhcp6-timeout", options.dhcp6_timeout_seconds,
                 "seconds --dhcp6 waits for a DHCPv6 server's answer (default 10)")
      ->type_name("SECONDS")
      ->check(seconds_between(0, 3600))
      ->group(group);
  // Services around the job.
  app.add_option_function<std::string>(
         "--sntp", [&options](const std::string& text) { options.sntp_server = parse_host("--sntp", text); },
         "ask this NTP server for the time before the job and print the offset\n"
         "('sntp offset SECONDS from ADDR ...'; the system clock is not changed)")
      ->type_name("ADDR")
      ->group("Services");
  app.add_option("--netbios", options.netbios_name,
                 "answer NetBIOS name queries for NAME while the job runs (nmblookup NAME)")
      ->type_name("NAME")
      ->check([](const std::string& name) -> std::string {
        if (!NetbiosName::of(name, 0)) return "'" + name + "' is not a NetBIOS name (1 to 15 characters)";
        return "";
      })
      ->group("Services");
}

// ---- Signals ------------------------------------------------------------------

namespace {

// Set by the handler, read by the loop. The Waker makes the loop look.
volatile std::sig_atomic_t received_signal = 0;
const Waker* signal_waker = nullptr;

extern "C" void on_stop_signal(int number) {
  received_signal = number;
  if (signal_waker != nullptr) signal_waker->wake();
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void restore_default_handlers() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

// `what` names the option the failing object came from ("--tap lw0").
[[noreturn]] void fail(const std::string& what, const OsError& error) {
  throw std::runtime_error(what + ": " + error.message());
}

}  // namespace

// ---- App ------------------------------------------------------------------------

struct AppParts {
  InterfaceOptions options;
  Waker waker;
  TapDevice tap;
  std::optional<FaultInjector> fault_injector;
  std::optional<PcapFile> pcap_file;
  std::optional<PcapWriter> pcap_writer;
  Stack stack;
  NetifId netif{};
  WaitSet waits;
  std::size_t tap_index = 0;
  AdaptiveSpin spin;  // before the loop's sleeps (--spin)
  // The same descriptors plus the job's input, used in rounds that want it.
  WaitSet waits_with_input;
  // --dhcp.
  std::optional<DhcpLeaseFile> lease_file;
  std::optional<DhcpClient> dhcp;
  App::DhcpEventHandler dhcp_handler;
  // --dhcp6.
  std::optional<Dhcp6Client> dhcp6;
  std::size_t input_index = 0;
  bool has_input = false;
  bool input_wanted = false;
  bool input_readable = false;
  // --netbios and --sntp (the sync runs once, in the first run()).
  NetbiosResponder netbios;
  bool sntp_done = false;

  // The stack gives a closed bulk connection's ring pages back to the kernel.
  static StackConfig stack_config() {
    StackConfig config{random_seed()};
    config.release_memory = &release_memory;
    return config;
  }

  AppParts(const InterfaceOptions& opts, Waker w, TapDevice t)
      : options(opts),
        waker(std::move(w)),
        tap(std::move(t)),
        stack(stack_config()),
        waits(waker),
        waits_with_input(waker) {}

  // Below the pcap writer, so the capture shows what the stack sent and got.
  Device& link() {
    if (fault_injector) return *fault_injector;
    return tap;
  }
  Device& device() {
    if (pcap_writer) return *pcap_writer;
    return link();
  }
};

App::App(const InterfaceOptions& options) {
  if (options.tap.empty()) throw UsageError("--tap NAME is required");
  if constexpr (!config::ipv4) {
    // An IPv6-only build (CONFIG_LWIP_IPV4=0): IPv6 addresses are the interface's.
    if (options.ipv4 || options.dhcp) throw UsageError("--ip and --dhcp need IPv4, which this lwnet is built without");
    if (options.ipv6.empty() && !options.slaac) {
      throw UsageError("--ip6 ADDR/PREFIX or --slaac is required (this lwnet is built without IPv4)");
    }
  } else {
    if (!options.ipv4 && !options.dhcp) throw UsageError("--ip ADDR/PREFIX or --dhcp is required");
  }
  if constexpr (!config::ipv6) {
    // An IPv4-only build (CONFIG_LWIP_IPV6=0) says so rather than ignore them.
    if (!options.ipv6.empty() || options.slaac || options.dhcp6) {
      throw UsageError("--ip6, --slaac and --dhcp6 need IPv6, which this lwnet is built without");
    }
  }
  if (options.ipv4 && options.dhcp) throw UsageError("--ip and --dhcp exclude each other");
  if (!options.dhcp && (!options.hostname.empty() || !options.dhcp_lease_file.empty())) {
    throw UsageError(std::string(options.hostname.empty() ? "--dhcp-lease-file" : "--hostname") + " needs --dhcp");
  }
  if (options.gateway && options.dhcp) throw UsageError("--gw comes from DHCP with --dhcp");
  if (options.gateway) {
    const IpCidr& cidr = *options.ipv4;
    if (!cidr.contains(IpAddress(*options.gateway))) {
      throw UsageError("--gw " + to_text(IpAddress(*options.gateway)) + " is not inside --ip " + to_text(cidr));
    }
  }

  auto waker = Waker::create();
  if (!waker) fail("wait set", waker.os_error());
  TapConfig tap_config;
  tap_config.name = options.tap;
  tap_config.mode = TapConfig::Mode::CreateOrAttach;
  if (options.mtu != 0) tap_config.mtu = options.mtu;
  tap_config.segmentation_offload = !options.no_offload;
  // The fault injector's slots hold MTU-sized frames, and a loss should
  // take one segment, not a super-frame of dozens. Super-frames go into the
  // stack's large buffers: a build without them could take none.
  tap_config.receive_offload = !options.no_offload && !options.no_receive_offload &&
                               options.loss_percent == 0 && config::large_pool_size > 0;
  auto tap = TapDevice::open(tap_config);
  if (!tap) fail("--tap " + options.tap, tap.os_error());
  parts_ = std::make_unique<AppParts>(options, std::move(waker).value(), std::move(tap).value());

  if (options.loss_percent > 0) {
    FaultConfig faults;
    faults.seed = random_seed();
    faults.rx.drop = options.loss_percent / 100.0;
    faults.tx.drop = options.loss_percent / 100.0;
    parts_->fault_injector.emplace(parts_->tap, faults);
  }
  if (!options.pcap_path.empty()) {
    auto file = PcapFile::create(options.pcap_path);
    if (!file) fail("--pcap " + options.pcap_path, file.os_error());
    parts_->pcap_file.emplace(std::move(file).value());
    parts_->pcap_writer.emplace(parts_->link(), *parts_->pcap_file);
  }

  NetifConfig config;
  config.name = options.tap;
  config.mac = options.mac;
  config.ipv4 = options.ipv4;
  config.gateway = options.gateway;
  config.mtu = options.mtu;
  auto netif = parts_->stack.add_netif(parts_->device(), config, monotonic_now());
  if (!netif) {
    throw UsageError("the stack refused the interface (" + std::string(to_string(netif.error())) +
                     "): check --ip, --gw and --mtu");
  }
  parts_->netif = *netif;
  for (const IpCidr& cidr : options.ipv6) {
    const Status added = parts_->stack.add_ipv6_address(*netif, cidr, monotonic_now());
    if (!added) throw UsageError("--ip6 " + to_text(cidr) + ": " + std::string(to_string(added.error())));
  }
  if (options.slaac) parts_->stack.set_slaac(true);
  parts_->stack.set_default_netif(*netif);
  parts_->tap_index = parts_->waits.add(parts_->tap.fd());
  if (!options.netbios_name.empty()) {
    const Status named = parts_->netbios.set_name(options.netbios_name);
    const Status started = named ? parts_->netbios.start(parts_->stack) : named;
    if (!started) throw UsageError("--netbios " + options.netbios_name + ": " + to_string(started.error()));
  }

  signal_waker = &parts_->waker;
  received_signal = 0;
  install_stop_handlers();

  if (options.dhcp) start_dhcp();
  // Started before SLAAC's wait, so that both ride the same RAs.
  if (options.dhcp6) start_dhcp6();
  if (options.slaac) wait_for_slaac();
  if (options.dhcp6) wait_for_dhcp6();
}

DhcpClient* App::dhcp_client() { return parts_->dhcp ? &*parts_->dhcp : nullptr; }

void App::set_dhcp_event_handler(DhcpEventHandler handler) { parts_->dhcp_handler = std::move(handler); }

bool App::has_global_ipv6() const {
  const auto slots = parts_->stack.ipv6_addresses(parts_->netif);
  if (!slots) return false;
  for (const Ipv6NetifAddress& s : *slots) {
    if (s.state == Ipv6AddressState::Preferred && !s.address.is_link_local()) return true;
  }
  return false;
}

void App::wait_for_duplicate_address_detection(Duration limit) {
  const auto tentative = [this] {
    const auto slots = parts_->stack.ipv6_addresses(parts_->netif);
    if (!slots) return false;
    return std::any_of(slots->begin(), slots->end(),
                       [](const Ipv6NetifAddress& s) { return s.state == Ipv6AddressState::Tentative; });
  };
  const Instant give_up = monotonic_now() + limit;
  (void)run([&](Instant now) -> std::optional<Instant> {
    if (!tentative() || now >= give_up) return std::nullopt;
    // The stack's own DAD timers wake the loop; this bounds the wait.
    return give_up;
  });
}

void App::wait_for_slaac() {
  const Instant deadline = monotonic_now() + Duration::micros(static_cast<std::int64_t>(
                                                 parts_->options.slaac_timeout_seconds * 1e6));
  log("slaac: waiting for a router advertisement on " + parts_->options.tap);
  const RunEnd end = run([&](Instant now) -> std::optional<Instant> {
    if (has_global_ipv6() || now >= deadline) return std::nullopt;
    return deadline;
  });
  if (end == RunEnd::Stopped) throw std::runtime_error("--slaac: stopped before an address came");
  // No address is not an error here: `show` reports what there is, and a
  // job to an IPv4 or link-local peer still works.
  if (!has_global_ipv6()) log("slaac: no global address yet");
}

const Dhcp6Client* App::dhcp6_client() const { return parts_->dhcp6 ? &*parts_->dhcp6 : nullptr; }

void App::start_dhcp6() {
  Dhcp6Client& client = parts_->dhcp6.emplace(parts_->netif);
  const Status started = client.start(parts_->stack, monotonic_now());
  if (!started) {
    throw std::runtime_error(std::string("--dhcp6: cannot start the client: ") + to_string(started.error()));
  }
}

void App::wait_for_dhcp6() {
  const Dhcp6Client& client = *parts_->dhcp6;
  const Instant deadline = monotonic_now() + Duration::micros(static_cast<std::int64_t>(
                                                 parts_->options.dhcp6_timeout_seconds * 1e6));
  log("dhcp6: waiting for a router advertisement with O or M, then a DHCPv6 reply");
  const RunEnd end = run([&](Instant now) -> std::optional<Instant> {
    if (client.information() || now >= deadline) return std::nullopt;
    return deadline;
  });
  if (end == RunEnd::Stopped) throw std::runtime_error("--dhcp6: stopped before a reply came");
  if (client.stateful_requested()) {
    log("dhcp6: the router asks for stateful DHCPv6 (M flag): addresses from DHCPv6 are not supported, "
        "asking for other configuration only");
  }
  // No answer is not an error here, as for --slaac: `show` reports what
  // there is, and --dns still names a server.
  if (!client.information()) {
    log(std::string("dhcp6: no reply yet (") + to_string(client.state()) + ")");
    return;
  }
  std::string servers;
  for (const IpAddress& a : client.information()->dns()) servers += " " + to_text(a);
  log("dhcp6: reply from " + to_text(client.information()->server) + ", dns" + (servers.empty() ? " none" : servers));
}

void App::start_dhcp() {
  const InterfaceOptions& options = parts_->options;
  DhcpClientConfig config;
  if (!options.hostname.empty()) config.hostname = options.hostname;
  // A host tool reports everything the lease has (the NTP servers too,
  // which CONFIG_LWIP_DHCP_GET_NTP_SRV leaves off for the core's default).
  config.request_ntp_servers = true;
  if (!options.dhcp_lease_file.empty()) {
    parts_->lease_file.emplace(options.dhcp_lease_file);
    config.storage = &*parts_->lease_file;
    config.restore_last_ip = true;
  }
  parts_->dhcp_handler = [this](DhcpClientEvent event, const DhcpLease& lease) {
    log(std::string("dhcp: ") + to_string(event) + " " + to_text(lease));
  };
  DhcpClient& client = parts_->dhcp.emplace(parts_->netif, config);
  client.set_event_callback(
      [](void* context, DhcpClientEvent event, const DhcpLease& lease) {
        auto* parts = static_cast<AppParts*>(context);
        if (parts->dhcp_handler) parts->dhcp_handler(event, lease);
      },
      parts_.get());
  const Instant start = monotonic_now();
  const Status started = client.start(parts_->stack, start);
  if (!started) throw std::runtime_error(std::string("--dhcp: cannot start the client: ") + to_string(started.error()));
  log("dhcp: asking for an address on " + options.tap);
  const Instant deadline =
      start + Duration::micros(static_cast<std::int64_t>(options.dhcp_timeout_seconds * 1e6));
  const RunEnd end = run([&](Instant now) -> std::optional<Instant> {
    if (client.state() == DhcpClientState::Bound || now >= deadline) return std::nullopt;
    return deadline;
  });
  if (end == RunEnd::Stopped) throw std::runtime_error("--dhcp: stopped before a lease came");
  if (client.state() != DhcpClientState::Bound) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", options.dhcp_timeout_seconds);
    throw std::runtime_error(std::string("--dhcp: no lease from a DHCP server within ") + seconds + " s");
  }
}

App::~App() {
  if (parts_ && parts_->dhcp) parts_->dhcp->stop(parts_->stack, monotonic_now());
  if (parts_ && parts_->dhcp6) parts_->dhcp6->stop(parts_->stack);
  if (parts_) parts_->netbios.stop(parts_->stack);
  restore_default_handlers();
  signal_waker = nullptr;
  if (parts_ && parts_->pcap_file) {
    // A capture that lost frames must not pass for a complete one.
    const OsStatus closed = parts_->pcap_file->close();
    if (!closed) {
      std::fprintf(stderr, "lwnet: --pcap %s: %s\n", parts_->options.pcap_path.c_str(),
                   closed.os_error().message().c_str());
    }
  }
}

Stack& App::stack() { return parts_->stack; }
NetifId App::netif() const { return parts_->netif; }
const InterfaceOptions& App::options() const { return parts_->options; }
int App::stop_signal() const { return received_signal; }

void App::set_input(int fd) {
  parts_->waits_with_input.add(parts_->tap.fd());
  parts_->input_index = parts_->waits_with_input.add(fd);
  parts_->has_input = true;
}
void App::want_input(bool wanted) { parts_->input_wanted = wanted; }
bool App::take_input_readable() {
  const bool readable = parts_->input_readable;
  parts_->input_readable = false;
  return readable;
}

std::string App::describe_interface() const {
  const auto info = parts_->stack.netif_info(parts_->netif);
  std::string text = "tap " + parts_->options.tap + (info && info->up ? " up" : " down");
  if (info) {
    if (info->ipv4) text += ", " + to_text(*info->ipv4);
    if (info->gateway) text += " via " + to_text(IpAddress(*info->gateway));
    text += " (" + to_text(info->mac) + ")";
    if (parts_->options.mtu != 0) text += " mtu " + std::to_string(info->mtu);
  }
  return text;
}

RunEnd App::run(const Job& job) {
  if (parts_->options.sntp_server && !parts_->sntp_done) {
    parts_->sntp_done = true;
    const SntpOutcome outcome = query_sntp(*this, *parts_->options.sntp_server, Duration::seconds(15));
    if (outcome.sample) {
      const SntpSample& s = *outcome.sample;
      std::printf("sntp offset %s s from %s stratum %u delay %s s\n", format_seconds(s.offset_micros, true).c_str(),
                  to_text(s.server).c_str(), unsigned{s.stratum}, format_seconds(s.delay_micros, false).c_str());
    } else {
      std::fprintf(stderr, "lwnet: --sntp: %s\n", outcome.failure.c_str());
    }
  }
  for (;;) {
    if (received_signal != 0) return RunEnd::Stopped;
    const Instant now = monotonic_now();
    // What the poll and the job send leaves together (TAP writes batched).
    parts_->stack.begin_transmit_batch();
    parts_->stack.poll(now);
    const std::optional<Instant> wanted = job(now);
    parts_->stack.end_transmit_batch();
    if (!wanted) return RunEnd::Finished;
    Instant deadline = std::min(*wanted, parts_->stack.next_deadline());
    if (deadline <= now) continue;
    // A deadline already past makes the wait a look that does not sleep:
    // a frame is then taken without the wake-up of a sleeping thread, the
    // larger part of a ping's round trip through a TAP.
    if (parts_->options.busy_poll) deadline = Instant{};
    // Before sleeping, look for a while (as the TCP/IP thread does): the
    // peer's answer to what this pass sent usually comes within tens of
    // microseconds, and taken here it costs no wake-up of a sleeping
    // thread. AdaptiveSpin stops spinning where it does not pay (a ping
    // every 10 ms). The deadline may be sooner than the spin: timers first.
    const bool with_input = parts_->has_input && parts_->input_wanted;
    if (deadline > now && parts_->options.spin_us > 0) {
      WaitSet& set = with_input ? parts_->waits_with_input : parts_->waits;
      const Duration spin = std::min(Duration::micros(parts_->options.spin_us), deadline - now);
      const bool found = parts_->spin.spin_until(spin, [&] {
        const auto looked = set.wait(Instant{});
        return !looked || !looked->timed_out;
      });
      if (found) deadline = Instant{};  // the wait below takes it without sleeping
    }
    if (with_input) {
      auto waited = parts_->waits_with_input.wait(deadline);
      if (!waited) fail("waiting for frames and input", waited.os_error());
      parts_->input_readable = parts_->waits_with_input.readable(parts_->input_index);
    } else {
      parts_->input_readable = false;
      auto waited = parts_->waits.wait(deadline);
      if (!waited) fail("waiting for frames", waited.os_error());
    }
  }
}

void App::print_counters(std::FILE* out) const {
  parts_->stack.stats().for_each([out](const char* name, std::uint64_t value) {
    if (value != 0) std::fprintf(out, "%s %llu\n", name, static_cast<unsigned long long>(value));
  });
  std::fflush(out);
}

void App::log(const std::string& line) const {
  if (parts_->options.verbose) std::fprintf(stderr, "lwnet: %s\n", line.c_str());
}

}  // namespace lwnet::tools
