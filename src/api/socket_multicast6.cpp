// The IPv6 multicast options of UDP sockets (see socket_layer.h): group
// membership over the core's MLD, and the interface, hop limit and loop of
// what the socket sends to groups.
#include <netinet/in.h>

#include "api/socket_errors.h"
#include "api/socket_internal.h"

namespace lwnet::api {

using namespace socket_detail;

namespace {

Ipv6Address ipv6_of(const in6_addr& a) {
  Ipv6Address out{};
  std::memcpy(out.octets.data(), a.s6_addr, out.octets.size());
  return out;
}

// Core context. The interface index of the netif that has `address` (one of
// its IPv6 addresses in any state but invalid); 0 when none has it.
std::uint32_t index_of_address(const Stack& stack, const Ipv6Address& address) {
  for (std::uint32_t index = 1; index <= config::max_netifs; ++index) {
    auto addresses = stack.ipv6_addresses(*netif_of_index(index));
    if (!addresses) continue;
    for (const Ipv6NetifAddress& a : *addresses) {
      if (a.state != Ipv6AddressState::Invalid && a.address == address) return index;
    }
  }
  return 0;
}

}  // namespace

bool SocketLayer::is_ipv6_multicast_option(int level, int name) {
  return level == IPPROTO_IPV6 && (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP ||
                                   name == IPV6_MULTICAST_IF || name == IPV6_MULTICAST_HOPS ||
                                   name == IPV6_MULTICAST_LOOP);
}

int SocketLayer::set_ipv6_multicast_option(Socket& s, int name, const void* value, socklen_t length) {
  // Linux has no IPv6 level on an AF_INET socket; lwIP takes these on UDP only.
  if (s.family != AF_INET6 || s.kind != Kind::Udp) return ENOPROTOOPT;
  if (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP) {
    if (length < static_cast<socklen_t>(sizeof(ipv6_mreq))) return EINVAL;
    ipv6_mreq m{};
    std::memcpy(&m, value, sizeof m);
    const Ipv6Address group = ipv6_of(m.ipv6mr_multiaddr);
    // Linux looks at the group before the interface.
    if (!group.is_multicast()) return EINVAL;
    const bool join = name == IPV6_JOIN_GROUP;
    const std::uint32_t index = m.ipv6mr_interface;
    return tcpip_.call([&](Stack& stack, Instant now) -> int {
      std::optional<NetifId> netif;
      if (index != 0) {
        netif = netif_of_index(index);
        // Linux: no such device for a join; for a leave, no membership on it.
        if (!netif || !stack.netif_info(*netif)) return join ? ENODEV : EADDRNOTAVAIL;
      }
      const Status done = join ? stack.udp_join_group_v6(s.udp, IpAddress(group), netif, now)
                               : stack.udp_leave_group_v6(s.udp, IpAddress(group), netif, now);
      return done ? 0 : multicast_errno(done.error());
    });
  }
  if (name == IPV6_MULTICAST_IF && length >= static_cast<socklen_t>(sizeof(in6_addr))) {
    // ESP-IDF's documented form: one of the netif's addresses (:: for none).
    in6_addr a{};
    std::memcpy(&a, value, sizeof a);
    const Ipv6Address address = ipv6_of(a);
    return tcpip_.call([&](Stack& stack, Instant) -> int {
      const std::uint32_t index = address.is_unspecified() ? 0 : index_of_address(stack, address);
      if (!address.is_unspecified() && index == 0) return EADDRNOTAVAIL;
      const std::optional<NetifId> bound = stack.udp_bound_netif(s.udp);
      if (bound && index != 0 && interface_index(*bound) != index) return EINVAL;
      const Status set = stack.udp_set_multicast_interface_v6(s.udp, IpAddress(address));
      if (!set) return errno_of(set.error());
      s.options.multicast_interface_v6 = index;
      return 0;
    });
  }
  // An int (Linux) or one byte (ESP-IDF); nothing in between.
  int v = 0;
  if (length != 1 && length < static_cast<socklen_t>(sizeof(int))) return EINVAL;
  if (!read_int_or_byte(value, length, v)) return EINVAL;
  if (name == IPV6_MULTICAST_HOPS) {
    if (v < -1 || v > 255) return EINVAL;
    if (v == -1) v = 1;  // Linux: the default
  }
  if (name == IPV6_MULTICAST_LOOP && v != 0 && v != 1) return EINVAL;  // as Linux
  return tcpip_.call([&](Stack& stack, Instant) -> int {
    switch (name) {
      case IPV6_MULTICAST_HOPS:
        s.options.multicast_ttl = static_cast<std::uint8_t>(v);
        stack.udp_set_multicast_ttl(s.udp, s.options.multicast_ttl);
        return 0;
      case IPV6_MULTICAST_LOOP:
        s.options.multicast_loop = v != 0;
        stack.udp_set_multicast_loop(s.udp, v != 0);
        return 0;
      default: {  // IPV6_MULTICAST_IF by index
        const auto index = static_cast<std::uint32_t>(v);
        std::optional<NetifId> netif;
        if (index != 0) {
          netif = netif_of_index(index);
          if (v < 0 || !netif || !stack.netif_info(*netif)) return ENODEV;
          // Linux: a socket bound to a device sends through no other.
          const std::optional<NetifId> bound = stack.udp_bound_netif(s.udp);
          if (bound && *bound != *netif) return EINVAL;
        }
        const Status set = stack.udp_set_multicast_netif_v6(s.udp, netif);
        if (!set) return multicast_errno(set.error());
        s.options.multicast_interface_v6 = index;
        return 0;
      }
    }
  });
}

int SocketLayer::get_ipv6_multicast_option(Socket& s, int name, void* value, socklen_t* length) {
  if (s.family != AF_INET6 || s.kind != Kind::Udp) return ENOPROTOOPT;
  // Memberships cannot be read back (Linux neither).
  if (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP) return ENOPROTOOPT;
  const int v = tcpip_.call([&](Stack&, Instant) -> int {
    switch (name) {
      case IPV6_MULTICAST_HOPS: return s.options.multicast_ttl;
      case IPV6_MULTICAST_LOOP: return s.options.multicast_loop ? 1 : 0;
      default: return static_cast<int>(s.options.multicast_interface_v6);
    }
  });
  write_int_or_byte(value, length, v);
  return 0;
}

}  // namespace lwnet::api
