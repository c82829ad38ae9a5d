// Which local bindings of one port collide, for UDP and TCP alike, with the
// dual-stack rules of Linux: an IPv6 socket bound to :: without IPV6_V6ONLY
// also takes IPv4, so it collides with every IPv4 binding of its port, and an
// IPv6 socket bound to an IPv4-mapped address (::ffff:a.b.c.d) is an IPv4
// binding of a.b.c.d.
#pragma once

#include "wire/address.h"

namespace lwnet {

// Any thread. The IPv4 address an IPv4-mapped IPv6 address stands for; any
// other address as it is.
constexpr IpAddress unmap_v4(const IpAddress& a) {
  if (!core_is_v6(a) || !a.v6().is_v4_mapped()) return a;
  const auto& o = a.v6().octets;
  return Ipv4Address::of(o[12], o[13], o[14], o[15]);
}

// Any thread. The wildcard of `a`'s family (an implicit bind's address).
constexpr IpAddress any_of_family(const IpAddress& a) {
  return core_is_v6(a) ? IpAddress(Ipv6Address{}) : IpAddress(Ipv4Address{});
}

// Any thread. Whether the bindings `a` and `b` (with their IPV6_V6ONLY) of
// one port overlap: of one family, when either is the wildcard or both are
// the same address; across families, when the IPv6 one is a dual-stack
// wildcard.
constexpr bool bindings_overlap(const IpAddress& a, bool a_v6only, const IpAddress& b,
                                bool b_v6only) {
  // IPv4 only: nothing is mapped, and comparing the addresses in place
  // makes no copies for an out-of-line ==.
  if constexpr (!config::ipv6) return a.is_unspecified() || b.is_unspecified() || a == b;
  const IpAddress x = unmap_v4(a);
  const IpAddress y = unmap_v4(b);
  if (core_is_v6(x) == core_is_v6(y)) return x.is_unspecified() || y.is_unspecified() || x == y;
  if (core_is_v6(x)) return x.is_unspecified() && !a_v6only;
  return y.is_unspecified() && !b_v6only;
}

// Any thread. unmap_v4(a) == b, without a copy of `a` where nothing is
// mapped (IPv4-only builds).
constexpr bool unmapped_equals(const IpAddress& a, const IpAddress& b) {
  if constexpr (!config::ipv6) return a == b;
  return unmap_v4(a) == b;
}

// Any thread. Whether a datagram or SYN to `destination` reaches a binding
// to `bound` (with its IPV6_V6ONLY), wildcards included.
constexpr bool binding_accepts(const IpAddress& bound, bool v6only, const IpAddress& destination) {
  const IpAddress b = unmap_v4(bound);
  if (!b.is_unspecified()) return b == destination;
  return core_is_v6(b) == core_is_v6(destination) || (core_is_v6(b) && !v6only && core_is_v4(destination));
}

}  // namespace lwnet
