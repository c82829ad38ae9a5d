// lwnet dhcp: gets a lease with lwnet's DHCP client and prints it in plain
// "key value" lines; optionally renews it (RENEWING, unicast) and releases
// it before exiting.
#include <cstdio>
#include <memory>

#include "app.h"
#include "port/clock.h"

namespace lwnet::tools {

namespace {

struct DhcpOptions {
  bool renew = false;
  bool release = false;
};

void print_lease(const DhcpLease& lease) {
  std::printf("address %s\n", to_text(IpCidr{lease.address, lease.prefix_len}).c_str());
  std::printf("netmask %s\n", to_text(IpAddress(lease.netmask)).c_str());
  if (lease.router) std::printf("router %s\n", to_text(IpAddress(*lease.router)).c_str());
  for (const Ipv4Address& a : lease.dns_servers) std::printf("dns %s\n", to_text(IpAddress(a)).c_str());
  for (const Ipv4Address& a : lease.ntp_servers) std::printf("ntp %s\n", to_text(IpAddress(a)).c_str());
  if (lease.mtu) std::printf("mtu %u\n", unsigned{*lease.mtu});
  std::printf("server %s\n", to_text(IpAddress(lease.server_id)).c_str());
  std::printf("lease %u\n", unsigned{lease.lease_seconds});
  std::printf("renewal %u\n", unsigned{lease.renewal_seconds});
  std::printf("rebinding %u\n", unsigned{lease.rebinding_seconds});
}

int dhcp(InterfaceOptions interface, const DhcpOptions& options) {
  if (interface.ipv4) throw UsageError("lwnet dhcp gets the address itself: leave out --ip");
  interface.dhcp = true;
  App app(interface);
  DhcpClient& client = *app.dhcp_client();
  std::vector<DhcpClientEvent> events;
  app.set_dhcp_event_handler([&](DhcpClientEvent event, const DhcpLease& lease) {
    events.push_back(event);
    std::printf("event %s %s\n", to_string(event), to_text(lease).c_str());
  });
  print_lease(*client.lease());
  if (options.renew) {
    const Instant start = monotonic_now();
    const Status renewing = client.renew(app.stack(), start);
    if (!renewing) throw std::runtime_error(std::string("renew: ") + to_string(renewing.error()));
    const Instant deadline = start + Duration::seconds(static_cast<std::int64_t>(interface.dhcp_timeout_seconds));
    app.run([&](Instant now) -> std::optional<Instant> {
      if (!events.empty() || now >= deadline) return std::nullopt;
      return deadline;
    });
    if (events.empty() || events.back() != DhcpClientEvent::LeaseRenewed) {
      std::fprintf(stderr, "lwnet: renew: the server did not renew the lease\n");
      return exit_failed;
    }
  }
  if (options.release) {
    client.release(app.stack(), monotonic_now());
    // One more round sends the RELEASE (it may wait for ARP).
    const Instant until = monotonic_now() + Duration::millis(500);
    app.run([&](Instant now) -> std::optional<Instant> {
      if (now >= until || client.stats().tx_release != 0) return std::nullopt;
      return until;
    });
    std::printf("released %s\n", client.stats().tx_release != 0 ? "yes" : "no");
  }
  return exit_ok;
}

}  // namespace

Command add_dhcp_command(CLI::App& lwnet) {
  auto options = std::make_shared<DhcpOptions>();
  CLI::App* sub = lwnet.add_subcommand("dhcp", "get an IPv4 lease by DHCP, print it and exit");
  sub->footer(
      "\nPrints the lease as 'key value' lines: address ADDR/PREFIX, netmask, router, dns\n"
      "(one line per server), ntp, mtu, server, lease, renewal, rebinding (seconds).\n"
      "--renew then renews it at once and prints 'event renewed ...'; --release sends\n"
      "RELEASE and prints 'released yes'. Exits 1 when no lease came (--dhcp-timeout).\n"
      "Interface options (--tap, --hostname, --dhcp-lease-file, ...): see lwnet --help.\n"
      "Example: lwnet --tap lw0 --hostname sensor1 dhcp");
  sub->add_flag("--renew", options->renew, "renew the lease right away (REQUEST unicast to the server)");
  sub->add_flag("--release", options->release, "release the lease before exiting (RELEASE)");
  return Command{sub, [options](const InterfaceOptions& interface) { return dhcp(interface, *options); }};
}

}  // namespace lwnet::tools
