// lwnet: brings lwnet's stack up on a Linux TAP device and runs one job.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app.h"
#include "commands.h"

namespace {

using lwnet::tools::Command;

// CLI11's messages may span lines; the command promises one.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "lwnet: %s (see lwnet --help)\n", one_line(message).c_str());
  return lwnet::tools::exit_usage;
}

const char* const description =
    "lwnet runs lwnet's TCP/IP stack (IPv4, ARP, ICMP, UDP, TCP) on a Linux TAP device and does\n"
    "one job with it, given as a subcommand. The global options describe the interface;\n"
    "put them before or after the subcommand.";

const char* const footer =
    "\nExample, as root (Linux is 192.0.2.1 on the TAP, lwnet is 192.0.2.2):\n"
    "  ip tuntap add dev lw0 mode tap\n"
    "  ip addr add 192.0.2.1/24 dev lw0 && ip link set lw0 up\n"
    "  lwnet --tap lw0 --ip 192.0.2.2/24 serve --udp-echo 7     # then: ping 192.0.2.2\n"
    "  lwnet --tap lw0 --ip 192.0.2.2/24 ping -c 3 192.0.2.1\n"
    "  lwnet --tap lw0 --ip 192.0.2.2/24 serve --echo 7 --iperf   # then: nc, iperf -c\n"
    "\nRun 'lwnet SUBCOMMAND --help' for a subcommand's options.\n"
    "Exit status: 0 success; 1 the job failed (ping: no reply; connect, iperf: the\n"
    "connection failed; the TAP could not be opened); 2 wrong arguments (one line on\n"
    "stderr says which).";

}  // namespace

int main(int argc, char** argv) {
  // Line-buffered even into a file or pipe, so scripts see each line as it happens.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  CLI::App app(description, "lwnet");
  app.footer(footer);
  // At most one; "none" is reported below with the list of subcommands.
  app.require_subcommand(0, 1);
  // Options of the interface may also follow the subcommand's name.
  app.fallthrough();
  lwnet::tools::InterfaceOptions options;
  lwnet::tools::add_interface_options(app, options);

  std::vector<Command> commands;
#define LWNET_REGISTER_COMMAND(name) commands.push_back(lwnet::tools::add_##name##_command(app));
  LWNET_COMMANDS(LWNET_REGISTER_COMMAND)
#undef LWNET_REGISTER_COMMAND

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help: CLI11 prints the (sub)command's help
    }
    return usage_error(e.what());
  }

  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) return command.run(options);
    }
    std::string names;
    for (const Command& command : commands) names += (names.empty() ? "" : ", ") + command.app->get_name();
    return usage_error("a subcommand is required: one of " + names);
  } catch (const lwnet::tools::UsageError& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lwnet: %s\n", one_line(e.what()).c_str());
    return lwnet::tools::exit_failed;
  }
}
