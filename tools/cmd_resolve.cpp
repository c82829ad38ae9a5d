// lwnet resolve: a name through lwnet's DNS resolver (apps/dns_resolver.h),
// one address per line, in the order getaddrinfo would give them.
#include <cstdio>
#include <memory>
#include <string>

#include "app.h"
#include "apps/address_selection.h"
#include "apps/dns_resolver.h"
#include "port/clock.h"

namespace lwnet::tools {

namespace {

struct ResolveOptions {
  std::string name;
  std::string family = "any";
};

const char* describe(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::Found: return "found";
    case DnsOutcome::NotFound: return "no such name, or no address of that family";
    case DnsOutcome::TimedOut: return "no answer from the DNS servers";
    case DnsOutcome::ServerFailure: return "the DNS servers failed to answer";
    case DnsOutcome::NoServers: return "no DNS server: give one with --dns";
  }
  return "?";
}

// Both lookups (A, AAAA) run side by side; each callback fills its slot.
struct Lookups {
  struct Slot {
    Lookups* owner = nullptr;
    bool asked = false;
    bool done = false;
    DnsResult result;
  };
  std::array<Slot, 2> slots;
  static void on_answer(void* context, const DnsResult& result) {
    auto* slot = static_cast<Slot*>(context);
    slot->result = result;
    slot->done = true;
  }
  bool finished() const {
    for (const Slot& s : slots) {
      if (s.asked && !s.done) return false;
    }
    return true;
  }
};

int resolve(const InterfaceOptions& interface, const ResolveOptions& options) {
  App app(interface);
  app.log(app.describe_interface());
  DnsResolver resolver;
  // --dns names the servers: a DHCP lease's do not replace them.
  resolver.set_use_learned_servers(interface.dns_servers.empty());
  for (std::size_t i = 0; i < interface.dns_servers.size(); ++i) {
    if (!resolver.set_server(i, interface.dns_servers[i])) {
      throw UsageError("--dns " + to_text(interface.dns_servers[i]) + " cannot be used");
    }
  }
  if (const Status attached = app.stack().attach_app(resolver); !attached) {
    throw std::runtime_error(std::string("resolve: the resolver cannot run: ") + to_string(attached.error()));
  }
  // The answers are ordered by the sources the host has (RFC 6724): an
  // --ip6 address counts once Duplicate Address Detection let it go.
  if (!interface.ipv6.empty()) app.wait_for_duplicate_address_detection(Duration::seconds(5));
  Lookups lookups;
  const bool want_v4 = options.family != "6";
  const bool want_v6 = options.family != "4";
  const Instant start = monotonic_now();
  for (std::size_t i = 0; i < 2; ++i) {
    Lookups::Slot& slot = lookups.slots[i];
    slot.owner = &lookups;
    if ((i == 0 && !want_v4) || (i == 1 && !want_v6)) continue;
    const DnsRecordType type = i == 0 ? DnsRecordType::A : DnsRecordType::AAAA;
    Result<DnsResult> now_known =
        resolver.lookup(app.stack(), options.name, type, &Lookups::on_answer, &slot, start);
    slot.asked = true;
    if (now_known.ok()) {
      slot.result = *now_known;
      slot.done = true;
    } else if (now_known.error() == Error::InvalidArgument) {
      throw UsageError("'" + options.name + "' is not a valid name");
    } else if (now_known.error() != Error::InProgress) {
      throw std::runtime_error(std::string("resolve: ") + to_string(now_known.error()));
    }
  }
  const RunEnd end = app.run([&](Instant) -> std::optional<Instant> {
    if (lookups.finished()) return std::nullopt;
    return Instant::max();  // the resolver's own deadlines wake the loop
  });
  resolver.close(app.stack(), monotonic_now());
  app.stack().detach_app(resolver);
  if (end == RunEnd::Stopped) return exit_failed;

  std::vector<IpAddress> addresses;
  DnsOutcome outcome = DnsOutcome::NotFound;
  for (const Lookups::Slot& slot : lookups.slots) {
    if (!slot.asked) continue;
    if (slot.result.outcome == DnsOutcome::Found) {
      for (std::size_t i = 0; i < slot.result.count; ++i) addresses.push_back(slot.result.addresses[i]);
    } else if (outcome == DnsOutcome::NotFound) {
      outcome = slot.result.outcome;
    }
  }
  // All the sources the stack has, as getaddrinfo takes them: with only
  // sources.ipv4 set, `--ip6` hosts got IPv4 destinations first.
  order_destinations(addresses, source_addresses(app.stack()));
  for (const IpAddress& a : addresses) std::printf("%s\n", to_text(a).c_str());
  std::fflush(stdout);
  if (interface.verbose) {
    const DnsStats& s = resolver.stats();
    std::fprintf(stderr, "lwnet: dns queries_sent %llu retries %llu answers %llu truncated %llu drop_spoofed %llu\n",
                 static_cast<unsigned long long>(s.queries_sent), static_cast<unsigned long long>(s.retries),
                 static_cast<unsigned long long>(s.answers), static_cast<unsigned long long>(s.truncated),
                 static_cast<unsigned long long>(s.drop_spoofed));
  }
  if (addresses.empty()) {
    std::fprintf(stderr, "lwnet: resolve %s: %s\n", options.name.c_str(), describe(outcome));
    return exit_failed;
  }
  return exit_ok;
}

}  // namespace

Command add_resolve_command(CLI::App& lwnet) {
  auto options = std::make_shared<ResolveOptions>();
  CLI::App* sub = lwnet.add_subcommand("resolve", "look NAME up with lwnet's DNS resolver, print its addresses");
  sub->footer(
      "\nPrints one address per line (IPv4 first while lwnet has no IPv6 address, as\n"
      "RFC 6724 orders them) and exits 0; exits 1 when the name has no address (the\n"
      "reason goes to stderr), 2 on wrong arguments. NAME.local is asked by a one-shot\n"
      "mDNS query on the link (224.0.0.251 port 5353); other names of the --dns servers.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 --dns 192.0.2.1 resolve host.example --family 4");
  sub->add_option("NAME", options->name, "the name to look up (numeric addresses are printed as they are)")
      ->required();
  sub->add_option("--family", options->family, "4 (A records), 6 (AAAA) or any (both; the default)")
      ->type_name("4|6|any")
      ->check(CLI::IsMember({"4", "6", "any"}));
  return Command{sub, [options](const InterfaceOptions& interface) { return resolve(interface, *options); }};
}

}  // namespace lwnet::tools
