// Names for netifs that every layer above ip/ and the Stack's API share.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "time/instant.h"
#include "wire/address.h"

namespace lwnet {

// Index of a netif in its stack (0 is the loopback netif).
struct NetifId {
  std::uint8_t value = 0;
  bool operator==(const NetifId&) const = default;
};

// RFC 4862 address states. Tentative: DAD is still probing, the address
// takes only ND for itself; Preferred and Deprecated: usable (Deprecated
// only for what already uses it); Duplicated: DAD found another host with
// it, never used (lwIP's IP6_ADDR_DUPLICATED); Invalid: a free slot.
enum class Ipv6AddressState : std::uint8_t { Invalid, Tentative, Preferred, Deprecated, Duplicated };

// One IPv6 address of a netif. Lifetimes are deadlines (Instant::max():
// infinite, as a static address has).
struct Ipv6NetifAddress {
  Ipv6Address address;
  std::uint8_t prefix_len = 64;
  Ipv6AddressState state = Ipv6AddressState::Invalid;
  std::uint8_t dad_probes_sent = 0;
  Instant next_dad_probe;
  Instant valid_until = Instant::max();
  Instant preferred_until = Instant::max();
  // Formed by SLAAC from a router's prefix: its lifetimes come from RAs,
  // and its prefix says nothing of what is on-link (RFC 5942).
  bool autoconfigured = false;
  // The Nonce option of this DAD attempt's probes (RFC 7527), drawn with
  // its first probe: a probe for the address carrying it is our own, sent
  // back by the link. Last, where the struct's padding was.
  std::array<std::uint8_t, 6> dad_nonce{};
  bool usable() const {
    return state == Ipv6AddressState::Preferred || state == Ipv6AddressState::Deprecated;
  }
  // Holds the address in some way: ND for it is ours to answer or watch.
  bool assigned() const { return usable() || state == Ipv6AddressState::Tentative; }
};

// A snapshot of one netif's state, for display.
struct NetifInfo {
  std::array<char, 16> name{};
  MacAddress mac;
  std::optional<IpCidr> ipv4;
  std::optional<Ipv4Address> gateway;
  std::size_t mtu = 0;
  bool up = false;
  bool link_up = false;
  bool is_loopback = false;
};

}  // namespace lwnet
