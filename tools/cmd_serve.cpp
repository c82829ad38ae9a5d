// lwnet serve: keeps the interface up (answering ARP and ping) and runs the
// services its flags ask for until SIGINT or SIGTERM, then prints the stack's
// counters.
#include <csignal>
#include <cstdio>
#include <memory>
#include <vector>

#include "app.h"

namespace lwnet::tools {

namespace {

struct ServeOptions {
  std::optional<std::uint16_t> udp_echo_port;
};

// RFC 862 over UDP: every datagram goes back to where it came from.
class UdpEcho {
 public:
  UdpEcho(App& app, std::uint16_t port) : app_(app), buffer_(65535) {
    auto handle = app.stack().udp_open();
    if (!handle) throw std::runtime_error(std::string("udp echo: cannot open an endpoint: ") + to_string(handle.error()));
    handle_ = *handle;
    const Status bound = app.stack().udp_bind(handle_, IpEndpoint{IpAddress(Ipv4Address::any()), port});
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

  std::printf("lwnet: %s\n", app.describe_interface().c_str());
  if (options.udp_echo_port) std::printf("lwnet: udp echo on port %u\n", unsigned{*options.udp_echo_port});
  std::printf("lwnet: serving until SIGINT or SIGTERM\n");

  app.run([&](Instant now) -> std::optional<Instant> {
    if (udp_echo) udp_echo->run(now);
    return Instant::max();
  });

  std::printf("lwnet: stopped by %s; counters:\n", signal_name(app.stop_signal()));
  app.print_counters(stdout);
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
      "stack as 'group.name value', one per line, and exits 0.\n"
      "Interface options (--tap, --ip, ...): see lwnet --help.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 serve --udp-echo 7");
  sub->add_option_function<std::uint16_t>(
         "--udp-echo", [options](std::uint16_t port) { options->udp_echo_port = port; },
         "echo UDP datagrams received on PORT back to their sender (RFC 862; 7 is echo)")
      ->type_name("PORT")
      ->check(whole_number(1, 65535));
  return Command{sub, [options](const InterfaceOptions& interface) { return serve(interface, *options); }};
}

}  // namespace lwnet::tools
