// lwnet serve: keeps the interface up (answering ARP and ping) and runs the
// services its flags ask for (UDP echo here, the TCP ones in services/) until
// SIGINT or SIGTERM, then prints the stack's and the services' counters.
#include <csignal>
#include <cstdio>
#include <memory>
#include <vector>

#include "app.h"
#include "apps/dhcp_server.h"
#include "port/clock.h"
#include "services/services.h"

namespace lwnet::tools {

namespace {

// A TCP service asked for on the command line.
struct TcpServiceRequest {
  std::unique_ptr<TcpService> (*make)(App& app, std::uint16_t port);
  std::uint16_t port;
};

struct ServeOptions {
  std::optional<std::uint16_t> udp_echo_port;
  std::vector<TcpServiceRequest> tcp_services;
  // --dhcp-server [START-END]: empty range for ESP-IDF's default pool.
  std::optional<std::pair<Ipv4Address, Ipv4Address>> dhcp_pool;
};

// --dhcp-server: ESP-IDF's DHCP server on the interface; every ACK prints
// "lwnet: dhcp-server assigned ADDR to MAC hostname NAME".
std::unique_ptr<DhcpServer> start_dhcp_server(App& app, std::pair<Ipv4Address, Ipv4Address> pool) {
  auto server = std::make_unique<DhcpServer>(app.netif());
  DhcpServerConfig config;
  config.pool_start = pool.first;
  config.pool_end = pool.second;
  const Status started = server->start(app.stack(), config, monotonic_now());
  if (!started) {
    throw UsageError("--dhcp-server: the pool must lie inside the interface's subnet, leave out its\n"
                     "address and hold at most 100 addresses (" + std::string(to_string(started.error())) + ")");
  }
  server->set_assigned_callback(
      [](void*, const DhcpServerClient& client) {
        std::printf("lwnet: dhcp-server assigned %s to %s hostname %s\n", to_text(IpAddress(client.address)).c_str(),
                    to_text(client.mac).c_str(), client.hostname[0] != 0 ? client.hostname.data() : "-");
      },
      nullptr);
  std::printf("lwnet: dhcp-server pool %s-%s lease %u s\n", to_text(IpAddress(server->pool_start())).c_str(),
              to_text(IpAddress(server->pool_end())).c_str(), unsigned{server->lease_seconds()});
  return server;
}

void print_dhcp_server_counters(const DhcpServer& server) {
  const DhcpServerStats& s = server.stats();
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"rx_discover", s.rx_discover}, {"rx_request", s.rx_request},   {"rx_decline", s.rx_decline},
      {"rx_release", s.rx_release},   {"tx_offer", s.tx_offer},       {"tx_ack", s.tx_ack},
      {"tx_nak", s.tx_nak},           {"tx_failed", s.tx_failed},     {"drop_malformed", s.drop_malformed},
      {"drop_unexpected", s.drop_unexpected}, {"pool_exhausted", s.pool_exhausted}, {"evicted", s.evicted}};
  for (const auto& [name, value] : counters) {
    if (value != 0) std::printf("dhcp_server.%s %llu\n", name, static_cast<unsigned long long>(value));
  }
}

// RFC 862 over UDP: every datagram goes back to where it came from.
class UdpEcho {
 public:
  UdpEcho(App& app, std::uint16_t port) : app_(app), buffer_(65535) {
    auto handle = app.stack().udp_open();
    if (!handle) throw std::runtime_error(std::string("udp echo: cannot open an endpoint: ") + to_string(handle.error()));
    handle_ = *handle;
    // :: without IPV6_V6ONLY serves both families.
    const Status bound = app.stack().udp_bind(handle_, IpEndpoint{any_address(), port});
    if (!bound) {
      throw UsageError("--udp-echo " + std::to_string(port) + ": cannot bind (" + to_string(bound.error()) + ")");
    }
  }
  ~UdpEcho() { app_.stack().udp_close(handle_); }
  UdpEcho(const UdpEcho&) = delete;
  UdpEcho& operator=(const UdpEcho&) = delete;

  void run(Instant now) {
    for (;;) {
      auto received = app_.stack().udp_receive(handle_, Bytes(buffer_.data(), buffer_.size()));
      if (!received) return;  // WouldBlock: nothing more queued
      const UdpReceived& datagram = *received;
      const Status sent = app_.stack().udp_send_to(
          handle_, ConstBytes(buffer_.data(), datagram.copied), datagram.from, now);
      app_.log("udp echo: " + std::to_string(datagram.copied) + " bytes from " +
               to_text(datagram.from.address) + ":" + std::to_string(datagram.from.port) +
               (sent ? "" : std::string(", reply not sent: ") + to_string(sent.error())));
    }
  }

 private:
  App& app_;
  UdpHandle handle_{};
  std::vector<std::uint8_t> buffer_;
};

const char* signal_name(int number) {
  switch (number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

int serve(const InterfaceOptions& interface, const ServeOptions& options) {
  App app(interface);
  std::unique_ptr<UdpEcho> udp_echo;
  if (options.udp_echo_port) udp_echo = std::make_unique<UdpEcho>(app, *options.udp_echo_port);
  std::unique_ptr<DhcpServer> dhcp_server;
  if (options.dhcp_pool) dhcp_server = start_dhcp_server(app, *options.dhcp_pool);
  std::vector<std::unique_ptr<TcpService>> tcp_services;
  for (const TcpServiceRequest& request : options.tcp_services) {
    tcp_services.push_back(request.make(app, request.port));
  }

  // Accepting as soon as a handshake completes (see accept_pending()).
  app.stack().set_tcp_event_callback(
      [](void* context, TcpHandle handle, std::uint8_t events) {
        if (!handle.listener || (events & tcp_events::readable) == 0) return;
        for (const auto& service : *static_cast<std::vector<std::unique_ptr<TcpService>>*>(context)) {
          if (service->listener() == handle) service->accept_pending(monotonic_now());
        }
      },
      &tcp_services);

  std::printf("lwnet: %s\n", app.describe_interface().c_str());
  if (options.udp_echo_port) std::printf("lwnet: udp echo on port %u\n", unsigned{*options.udp_echo_port});
  for (const auto& service : tcp_services) {
    std::printf("lwnet: tcp %s on port %u\n", service->name().c_str(), unsigned{service->port()});
  }
  std::printf("lwnet: serving until SIGINT or SIGTERM\n");

  app.run([&](Instant now) -> std::optional<Instant> {
    if (udp_echo) udp_echo->run(now);
    for (const auto& service : tcp_services) service->run(now);
    return Instant::max();
  });

  std::printf("lwnet: stopped by %s; counters:\n", signal_name(app.stop_signal()));
  app.print_counters(stdout);
  // Before closing them: "NAME.open N" says how many were still open.
  for (const auto& service : tcp_services) service->print_counters(stdout);
  if (dhcp_server) {
    print_dhcp_server_counters(*dhcp_server);
    dhcp_server->stop(app.stack());
  }
  for (const auto& service : tcp_services) service->close_all(monotonic_now());
  app.stack().set_tcp_event_callback(nullptr, nullptr);
  return exit_ok;
}

}  // namespace

Command add_serve_command(CLI::App& lwnet) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* sub = lwnet.add_subcommand(
      "serve", "answer ARP and ping (and the services asked for) until SIGINT/SIGTERM");
  sub->footer(
      "\nBrings the interface up, prints it ('lwnet: tap lw0 up, 192.0.2.2/24 (02:...)'),\n"
      "and serves until SIGINT or SIGTERM. Then prints every non-zero counter of the\n"
      "stack as 'group.name value', one per line, then each TCP service's\n"
      "(NAME.connections, NAME.bytes_received, NAME.bytes_sent, NAME.failed, NAME.open),\n"
      "and exits 0. Services run together, each with as many connections as the\n"
      "stack has slots (CONFIG_LWIP_MAX_ACTIVE_TCP).\n"
      "Interface options (--tap, --ip, ...): see lwnet --help.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 serve --udp-echo 7 --echo 7 --iperf");
  sub->add_option_function<std::uint16_t>(
         "--udp-echo", [options](std::uint16_t port) { options->udp_echo_port = port; },
         "echo UDP datagrams received on PORT back to their sender (RFC 862; 7 is echo)")
      ->type_name("PORT")
      ->check(whole_number(1, 65535));
  const auto add_tcp = [sub, options](const std::string& flag, auto make, const std::string& help) {
    return sub
        ->add_option_function<std::uint16_t>(
            flag, [options, make](std::uint16_t port) { options->tcp_services.push_back({make, port}); }, help)
        ->type_name("PORT")
        ->check(whole_number(1, 65535));
  };
  add_tcp("--echo", make_echo_service, "TCP echo on PORT: send back every byte (RFC 862)");
  add_tcp("--discard", make_discard_service, "TCP discard on PORT: read and drop everything (RFC 863)");
  add_tcp("--chargen", make_chargen_service, "TCP chargen on PORT: send RFC 864 lines until the peer closes");
  add_tcp("--source", make_source_service, "on PORT, send zeros until the peer closes, never reading");
  add_tcp("--http", make_http_service, "HTTP/1.0 on PORT: answer every request with a fixed text body");
  add_tcp("--iperf", make_iperf_service,
          "iperf 2 server (sink) on PORT (default 5001): count each connection's\n"
          "bytes and print 'lwnet: iperf HOST:PORT bytes N secs S Mbits/sec R'")
      ->expected(0, 1)
      ->default_str("5001");
  sub->add_option_function<std::string>(
         "--dhcp-server",
         [options](const std::string& text) {
           if (text.empty()) {
             options->dhcp_pool = std::pair<Ipv4Address, Ipv4Address>{};
             return;
           }
           const std::size_t dash = text.find('-');
           const auto first = parse_ip_address(text.substr(0, dash));
           const auto last = dash == std::string::npos ? std::nullopt : parse_ip_address(text.substr(dash + 1));
           if (!first || !last || !first->is_v4() || !last->is_v4()) {
             throw CLI::ValidationError("--dhcp-server", "'" + text + "' is not a pool like 192.0.2.10-192.0.2.20");
           }
           options->dhcp_pool = std::pair{first->v4(), last->v4()};
         },
         "run ESP-IDF's DHCP server on the interface, handing out POOL (START-END,\n"
         "default: up to 100 addresses next to --ip's); prints each assignment")
      ->type_name("[POOL]")
      ->expected(0, 1);
  return Command{sub, [options](const InterfaceOptions& interface) { return serve(interface, *options); }};
}

}  // namespace lwnet::tools
