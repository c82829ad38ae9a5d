// DNS and NTP servers that protocols learned (DHCPv4 options 6 and 42,
// DHCPv6, RDNSS in router advertisements), kept by the stack so that the
// protocols that learn them and the ones that use them (the DNS resolver,
// SNTP) never need to know each other: lwIP's dhcp and nd6 call the global
// dns_setserver(); lwnet's apps publish here and the users pull.
//
// Last writer wins, as in lwIP: a new publication replaces the previous one
// whatever its source. Withdrawing (an empty list) clears only what the same
// source published on the same netif, so a lease lost on one netif does not
// wipe the servers another netif's RA gave.
//
// Core thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ip/netif_types.h"
#include "wire/address.h"

namespace lwnet {

enum class ServerSource : std::uint8_t { Dhcp4, Dhcp6, RouterAdvertisement };
inline const char* to_string(ServerSource source) {
  switch (source) {
    case ServerSource::Dhcp4: return "dhcp";
    case ServerSource::Dhcp6: return "dhcp6";
    case ServerSource::RouterAdvertisement: return "ra";
  }
  return "?";
}

class LearnedServers {
 public:
  // More than a resolver or SNTP client keeps (main and backup DNS; up to
  // CONFIG_LWIP_SNTP_MAX_SERVERS NTP servers); the rest of a longer list is
  // dropped.
  static constexpr std::size_t capacity = 4;

  // Replaces the servers with `servers` (unspecified addresses skipped), or
  // withdraws them when `servers` is empty and the current ones came from
  // `source` on `netif`. Every change bumps generation().
  void publish(ServerSource source, NetifId netif, std::span<const IpAddress> servers) {
    if (servers.empty()) {
      if (count_ == 0 || source_ != source || netif_ != netif) return;
      count_ = 0;
      ++generation_;
      return;
    }
    std::size_t n = 0;
    for (const IpAddress& s : servers) {
      if (n == capacity) break;
      if (!s.is_unspecified()) servers_[n++] = s;
    }
    count_ = n;
    source_ = source;
    netif_ = netif;
    ++generation_;
  }

  std::span<const IpAddress> servers() const { return {servers_.data(), count_}; }
  ServerSource source() const { return source_; }
  NetifId netif() const { return netif_; }
  // Changes whenever the list does: a user compares it with the one it last
  // took instead of comparing lists.
  std::uint32_t generation() const { return generation_; }

 private:
  std::array<IpAddress, capacity> servers_{};
  std::size_t count_ = 0;
  ServerSource source_ = ServerSource::Dhcp4;
  NetifId netif_{};
  std::uint32_t generation_ = 0;
};

}  // namespace lwnet
