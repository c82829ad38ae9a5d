// lwnet show: what the interface has after autoconfiguration: its
// addresses with their states and lifetimes, the default routers and
// prefixes router advertisements gave, and the DNS servers learned.
#include <cstdio>
#include <memory>
#include <string>

#include "app.h"
#include "port/clock.h"

namespace lwnet::tools {

namespace {

struct ShowOptions {
  double wait_seconds = 0;
};

std::string remaining(Instant deadline, Instant now) {
  if (deadline == Instant::max()) return "forever";
  if (deadline <= now) return "0s";
  return std::to_string((deadline - now).total_seconds()) + "s";
}

const char* state_name(Ipv6AddressState state) {
  switch (state) {
    case Ipv6AddressState::Invalid: return "invalid";
    case Ipv6AddressState::Tentative: return "tentative";
    case Ipv6AddressState::Preferred: return "preferred";
    case Ipv6AddressState::Deprecated: return "deprecated";
    case Ipv6AddressState::Duplicated: return "duplicated";
  }
  return "?";
}

const char* preference_name(RouterPreference p) {
  switch (p) {
    case RouterPreference::Low: return "low";
    case RouterPreference::Medium: return "medium";
    case RouterPreference::High: return "high";
  }
  return "?";
}

int show(const InterfaceOptions& interface, const ShowOptions& options) {
  App app(interface);
  app.log(app.describe_interface());
  const Instant deadline =
      monotonic_now() + Duration::micros(static_cast<std::int64_t>(options.wait_seconds * 1e6));
  if (options.wait_seconds > 0) {
    const RunEnd end = app.run([&](Instant now) -> std::optional<Instant> {
      if (app.has_global_ipv6() || now >= deadline) return std::nullopt;
      return deadline;
    });
    if (end == RunEnd::Stopped) return 1;
  }
  Stack& stack = app.stack();
  const Instant now = monotonic_now();
  const NetifId id = app.netif();
  const Result<NetifInfo> info = stack.netif_info(id);
  if (info) {
    std::printf("interface %s %s mtu %zu\n", interface.tap.c_str(), to_text(info->mac).c_str(),
                info->mtu);
    if (info->ipv4) std::printf("address %s ipv4\n", to_text(*info->ipv4).c_str());
  }
  if (const auto slots = stack.ipv6_addresses(id)) {
    for (const Ipv6NetifAddress& s : *slots) {
      if (s.state == Ipv6AddressState::Invalid) continue;
      std::printf("address %s %s%s valid %s preferred %s\n",
                  to_text(IpCidr{s.address, s.prefix_len}).c_str(), state_name(s.state),
                  s.autoconfigured ? " slaac" : "", remaining(s.valid_until, now).c_str(),
                  remaining(s.preferred_until, now).c_str());
    }
  }
  const RouterList& list = stack.router_list();
  for (const std::optional<DefaultRouter>& r : list.routers()) {
    if (!r || !(r->netif == id)) continue;
    std::printf("router %s lifetime %s preference %s\n", to_text(IpAddress(r->address)).c_str(),
                remaining(r->expires, now).c_str(), preference_name(r->preference));
  }
  for (const std::optional<OnLinkPrefix>& p : list.prefixes()) {
    if (!p || !(p->netif == id)) continue;
    std::printf("prefix %s valid %s\n", to_text(IpCidr{p->prefix, p->prefix_len}).c_str(),
                remaining(p->expires, now).c_str());
  }
  for (const std::optional<RouteInformation>& r : list.routes()) {
    if (!r || !(r->netif == id)) continue;
    std::printf("route %s via %s lifetime %s preference %s\n",
                to_text(IpCidr{r->prefix, r->prefix_len}).c_str(),
                to_text(IpAddress(r->router)).c_str(), remaining(r->expires, now).c_str(),
                preference_name(r->preference));
  }
  const RouterAdvertisementState ra = stack.router_advertisement(id);
  if (ra.received) {
    std::printf("ra managed %s other %s hop-limit %u\n", ra.managed ? "yes" : "no",
                ra.other ? "yes" : "no", static_cast<unsigned>(ra.current_hop_limit));
  }
  const LearnedServers& dns = stack.learned_dns_servers();
  for (const IpAddress& server : dns.servers()) {
    std::printf("dns %s from %s\n", to_text(server).c_str(), to_string(dns.source()));
  }
  for (const IpAddress& server : interface.dns_servers) {
    std::printf("dns %s from --dns\n", to_text(server).c_str());
  }
  const LearnedServers& ntp = stack.learned_ntp_servers();
  for (const IpAddress& server : ntp.servers()) {
    std::printf("ntp %s from %s\n", to_text(server).c_str(), to_string(ntp.source()));
  }
  if (const Dhcp6Client* dhcp6 = app.dhcp6_client()) {
    std::printf("dhcp6 %s", to_string(dhcp6->state()));
    if (const auto& learned = dhcp6->information()) {
      std::printf(" server %s refresh %s", to_text(learned->server).c_str(),
                  learned->refresh_seconds == 0xffffffffU ? "never"
                                                       : (std::to_string(learned->refresh_seconds) + "s").c_str());
    }
    std::printf("\n");
    if (dhcp6->stateful_requested()) std::printf("dhcp6 stateful not-supported (the RA has M=1)\n");
  }
  std::fflush(stdout);
  if (options.wait_seconds > 0 && !app.has_global_ipv6()) {
    std::fprintf(stderr, "lwnet: show: no global IPv6 address within %g s\n", options.wait_seconds);
    return 1;
  }
  return 0;
}

}  // namespace

Command add_show_command(CLI::App& lwnet) {
  auto options = std::make_shared<ShowOptions>();
  CLI::App* sub = lwnet.add_subcommand(
      "show", "print the interface's addresses, routers, prefixes, DNS and NTP servers");
  sub->footer(
      "\nOne item per line: 'address ADDR/LEN STATE [slaac] valid T preferred T',\n"
      "'router ADDR lifetime T preference P', 'prefix PREFIX/LEN valid T', 'route ...',\n"
      "'ra managed yes|no other yes|no hop-limit N', 'dns ADDR from SOURCE',\n"
      "'ntp ADDR from SOURCE', with --dhcp6 'dhcp6 STATE [server ADDR refresh T]'\n"
      "and 'dhcp6 stateful not-supported' when the RA asks for stateful DHCPv6.\n"
      "With --wait, waits up to SECONDS for a preferred global IPv6 address first and\n"
      "exits 1 when none came. Example: lwnet --tap lw0 --slaac show --wait 10");
  sub->add_option("--wait", options->wait_seconds,
                  "seconds to wait for autoconfiguration (a preferred global IPv6 address)")
      ->type_name("SECONDS")
      ->check(seconds_between(0, 3600));
  return Command{sub, [options](const InterfaceOptions& interface) { return show(interface, *options); }};
}

}  // namespace lwnet::tools
