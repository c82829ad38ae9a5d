// Destination address ordering of RFC 6724 section 6, for getaddrinfo with
// AF_UNSPEC: which of a name's IPv4 and IPv6 addresses to try first, given
// the source addresses this host has.
#pragma once

#include <span>

#include "wire/address.h"

namespace lwnet {

// What source addresses the host could use (the loopback netif aside).
struct SourceAddresses {
  bool ipv4 = false;               // a netif that is up has an IPv4 address
  bool ipv6_global = false;        // ... a global IPv6 address (not unique local)
  bool ipv6_unique_local = false;  // ... a unique local one (fc00::/7, RFC 4193)
  bool ipv6_link_local = false;    // ... an IPv6 link-local address
};

// Any thread. Sorts `addresses` in place, stably, by RFC 6724's rules 1
// (avoid destinations no source can reach), 2 (prefer a source of matching
// scope), 5 (prefer a source of matching label: a host with only a unique
// local IPv6 address reaches a global IPv6 destination worse than an IPv4
// one), 6 (prefer higher precedence in the default policy table, shared
// with source selection: wire/address_policy.h) and 8 (prefer smaller
// scope); rule 10 keeps the resolver's order for ties. The source is the
// one section 5 would pick from the kinds of address the host has (a global
// source taken to be native, label 1). Rules 3, 4, 7 and 9 (deprecated,
// home and temporary addresses, prefix length) change nothing among the
// addresses this host can have yet. With no IPv6 source, IPv4 comes first;
// with a global IPv6 source, global IPv6 destinations come before IPv4 ones.
void order_destinations(std::span<IpAddress> addresses, const SourceAddresses& sources);

class Stack;
// The sources the stack could use now (getaddrinfo's and `lwnet resolve`'s,
// so that both order alike). Core thread only.
SourceAddresses source_addresses(const Stack& stack);

}  // namespace lwnet
