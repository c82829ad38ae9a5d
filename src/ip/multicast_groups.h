// The multicast groups a stack's netifs have joined: one entry per (netif,
// group), reference-counted so that several sockets can join one group, in
// a fixed table of CONFIG_LWNET_IGMP_MAX_GROUPS IPv4 entries and (with IPv6)
// CONFIG_LWNET_MLD6_MAX_GROUPS IPv6 ones.
//
// Each entry carries the host state of RFC 2236 6 (Delaying / Idle member,
// the "last reporter" flag). MLD (RFC 2710 4) has the same states, so the
// table keys on IpAddress and knows no message format: igmp.cpp speaks
// IGMPv2 over it, and mld.cpp speaks MLD over the IPv6 entries.
// The all-hosts group (224.0.0.1) never takes an entry: every netif is in it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config/options.h"
#include "ip/netif_types.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// Core thread only.
class MulticastGroups {
 public:
  // At least one entry: the code that indexes the table is compiled even
  // when neither IGMP nor MLD is.
  static constexpr std::size_t capacity = std::max<std::size_t>(
      1, (config::igmp ? config::igmp_max_groups : 0) + config::ipv6_slots(config::mld6_max_groups));

  enum class State : std::uint8_t {
    Free,      // not an entry
    Delaying,  // a report is due when the entry's timer fires
    Idle,      // member, nothing due
  };
  struct Group {
    State state = State::Free;
    NetifId netif;
    IpAddress address;
    std::uint16_t references = 0;
    // We sent the latest report for the group (nobody suppressed ours), so
    // our leave matters to the router (RFC 2236 6: "flag").
    bool last_reporter = false;
    // Unsolicited reports still to send after a join (MLD's robustness).
    std::uint8_t unsolicited_left = 0;
  };

  std::optional<std::size_t> find(NetifId netif, const IpAddress& group) const {
    for (std::size_t i = 0; i < capacity; ++i) {
      const Group& g = groups_[i];
      if (g.state != State::Free && g.netif == netif && g.address == group) return i;
    }
    return std::nullopt;
  }
  // True when `group` is joined on any netif.
  bool joined_anywhere(const IpAddress& group) const {
    for (const Group& g : groups_) {
      if (g.state != State::Free && g.address == group) return true;
    }
    return false;
  }
  // A new entry (one reference, state Idle): TableFull when none is free
  // or the group's family has all the entries it may take.
  Result<std::size_t> add(NetifId netif, const IpAddress& group) {
    std::size_t same_family = 0;
    for (const Group& g : groups_) {
      if (g.state != State::Free && core_is_v4(g.address) == core_is_v4(group)) ++same_family;
    }
    if (same_family >= (core_is_v4(group) ? config::igmp_max_groups : config::mld6_max_groups)) {
      return Error::TableFull;
    }
    for (std::size_t i = 0; i < capacity; ++i) {
      Group& g = groups_[i];
      if (g.state != State::Free) continue;
      g = Group{State::Idle, netif, group, 1, false, 0};
      return i;
    }
    return Error::TableFull;
  }
  void remove(std::size_t slot) { groups_[slot] = Group{}; }

  Group& operator[](std::size_t slot) { return groups_[slot]; }
  const Group& operator[](std::size_t slot) const { return groups_[slot]; }
  std::size_t size() const {
    std::size_t n = 0;
    for (const Group& g : groups_) n += g.state != State::Free ? 1 : 0;
    return n;
  }

 private:
  std::array<Group, capacity> groups_{};
};

}  // namespace lwnet
