// The next-hop part of the IPv6 destination cache (RFC 4861 5.1, 8.3): per
// destination, the better first hop a Redirect named, which route_ipv6
// uses instead of the router it would have picked. The path MTU part is
// PathMtuTable; both have CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS entries.
//
// An entry remembers the router the redirect replaced and holds only while
// route_ipv6 still picks that router for the destination: when the routers
// change, the redirect (which was that router's advice) no longer steers
// anything, and IpLayer forgets it once the router leaves the list. It is
// also forgotten when resolving its target fails (the better first hop is
// gone: back to the router, which redirects again if it still knows
// better), when its netif goes down, and ten minutes after the last
// redirect for it, the path MTU entries' lifetime (RFC 4861 sets none; a
// router that still holds its view redirects again, one message per ten
// minutes). When the table is full, the entry least recently used (learned
// or sent through) makes room.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config/options.h"
#include "ip/netif_types.h"
#include "time/instant.h"
#include "wire/address.h"

namespace lwnet {

// Core thread only.
class RedirectTable {
 public:
  static constexpr std::size_t capacity = config::ipv6_slots(config::ipv6_nd6_num_destinations);
  static constexpr Duration lifetime = Duration::seconds(600);

  struct Entry {
    bool used = false;  // false: a free slot
    NetifId netif;
    Ipv6Address destination;
    Ipv6Address router;  // the first hop route_ipv6 picked when the redirect came
    Ipv6Address target;  // the better first hop; the destination itself: on-link
    Instant expires;
    Instant last_used;
  };

  enum class Learn : std::uint8_t { Added, Updated, Evicted };

  // Packets to `destination` (routed on `netif` through `router`) go to
  // `target` from now on.
  Learn learn(NetifId netif, const Ipv6Address& destination, const Ipv6Address& router,
              const Ipv6Address& target, Instant now);
  // The target that replaces `router` as the first hop to `destination`.
  std::optional<Ipv6Address> find(NetifId netif, const Ipv6Address& destination,
                                  const Ipv6Address& router) const;
  // The entry for `destination` on any netif (for the Stack's accessor).
  const Entry* find(const Ipv6Address& destination) const;
  // A packet to `destination` left on `netif`: its entry is recently used.
  void use(NetifId netif, const Ipv6Address& destination, Instant now);

  // Forgets the entries `gone(entry)` is true for; returns how many.
  template <class Gone>
  std::size_t forget_if(Gone&& gone) {
    std::size_t forgotten = 0;
    for (Entry& e : entries_) {
      if (e.used && gone(static_cast<const Entry&>(e))) {
        e = Entry{};
        --used_;
        ++forgotten;
      }
    }
    return forgotten;
  }
  // Forgets the entries whose target is `target` on `netif`.
  std::size_t forget_target(NetifId netif, const Ipv6Address& target);
  std::size_t flush_netif(NetifId netif);
  // Forgets the entries whose lifetime ended by `now`; returns how many.
  std::size_t expire(Instant now);
  // When the next entry expires, or Instant::max().
  Instant next_deadline() const;
  std::size_t size() const { return used_; }
  bool empty() const { return capacity == 0 || used_ == 0; }

 private:
  Entry* lookup(NetifId netif, const Ipv6Address& destination);
  const Entry* lookup(NetifId netif, const Ipv6Address& destination) const;

  std::array<Entry, capacity> entries_{};
  std::size_t used_ = 0;
};

}  // namespace lwnet
