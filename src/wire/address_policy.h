// RFC 6724's default policy table (2.1), address scopes (3.1) and
// CommonPrefixLen (2.2): what both source address selection (ip/) and
// destination address ordering (apps/address_selection) compare.
#pragma once

#include <cstddef>

#include "wire/address.h"

namespace lwnet {

// RFC 4291 2.7 scope values, which RFC 6724 3.1 compares.
inline constexpr int address_scope_link_local = 2;
inline constexpr int address_scope_global = 14;

// Any thread. The scope of an IPv6 address: a multicast group's own, 2 for
// loopback and link-local unicast, 14 for the rest (unique local ones
// included, RFC 6724 3.1).
int ipv6_address_scope(const Ipv6Address& a);

// Any thread. Precedence and label from RFC 6724 2.1's default policy
// table; IPv4 addresses are looked up as IPv4-mapped (::ffff:0:0/96).
int address_precedence(const IpAddress& a);
int address_label(const IpAddress& a);

// Any thread. The number of leading bits `a` and `b` share.
std::size_t common_prefix_length(const Ipv6Address& a, const Ipv6Address& b);

}  // namespace lwnet
