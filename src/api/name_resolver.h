// The blocking face of the DNS resolver (apps/dns_resolver.h): one
// DnsResolver attached to a TcpipThread's stack, and calls that start
// lookups on the TCP/IP thread and wait for their answers. netdb_c_api.cpp
// builds getaddrinfo, gethostbyname(_r) and lwIP's dns_* calls on the
// default one.
//
// Threads: any, except where a comment says otherwise.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "api/tcpip_thread.h"
#include "apps/address_selection.h"
#include "apps/dns_resolver.h"

namespace lwnet::api {

enum class AddressFamily : std::uint8_t { V4, V6, Any };

struct Resolution {
  DnsOutcome outcome = DnsOutcome::NotFound;
  // Up to CONFIG_LWIP_DNS_MAX_HOST_IP addresses of each family asked for,
  // in RFC 6724 order (apps/address_selection.h).
  std::array<IpAddress, 2 * config::dns_max_host_ip> addresses{};
  std::size_t count = 0;
};

class NameResolver {
 public:
  // Attaches a resolver to the thread's stack (through call()).
  explicit NameResolver(TcpipThread& thread);
  // Detaches it; lookups still waiting end TimedOut first.
  ~NameResolver();
  NameResolver(const NameResolver&) = delete;
  NameResolver& operator=(const NameResolver&) = delete;

  // Blocks until the answer is in: at most every server's tries (see
  // DnsResolver). On the TCP/IP thread itself (or under the core lock) it
  // cannot wait: names that need a query end TimedOut there. AF_UNSPEC asks
  // A and AAAA at once; the outcome is Found when either found an address.
  // When other threads' lookups fill the resolver's table
  // (CONFIG_LWNET_DNS_TABLE_SIZE queries, CONFIG_LWNET_DNS_MAX_REQUESTS
  // lookups), it waits for room within the same time limit instead of
  // failing. Any thread.
  Resolution resolve(std::string_view name, AddressFamily family);

  // DnsResolver::set_server / server / clear_cache, through the thread.
  Status set_server(std::size_t index, const IpAddress& server);
  IpAddress server(std::size_t index);
  void clear_cache();
  DnsStats stats();

  // Core context only: the resolver itself (hooks, tests).
  DnsResolver& resolver() { return resolver_; }

 private:
  TcpipThread& thread_;
  DnsResolver resolver_;
};

// The default instance, over default_tcpip() (made on first use, with the
// servers the instance closed last had); null before tcpip_init() or
// lwnet_tap_up(). Any thread, the TCP/IP thread too: it is made in core
// context, with no lock held while the caller waits for the TCP/IP thread,
// and on that thread it never waits.
NameResolver* default_name_resolver();
// Drops the default instance (lwnet_shutdown(), and at exit), keeping its
// servers for the next one, in core context. Not while another thread
// resolves through it. Any thread.
void close_default_name_resolver();

// The sources the stack could use now, for order_destinations() (in apps/,
// which `lwnet resolve` shares). Core context only.
using lwnet::source_addresses;

}  // namespace lwnet::api
