// The path MTU part of the IPv6 destination cache (RFC 4861 5.1, RFC 8201)
// and its IPv4 counterpart (RFC 1191): per destination, the MTU a Packet
// Too Big or a Fragmentation Needed message reported, for IP output to cut
// fragments to and for TCP to size its segments. Both families share the
// table, as both share the route cache in Linux.
//
// Fixed size (CONFIG_LWIP_IPV6_ND6_NUM_DESTINATIONS; none in an IPv4-only
// build without CONFIG_LWNET_IP4_PATH_MTU_DISCOVERY): when it is full, the
// entry least recently used (learned or sent through) makes room. An entry
// lives ten minutes from when it was last lowered (RFC 8201 4: at least
// five, ten recommended); then it is forgotten and the link MTU holds
// again, which is how a path that grew back is found (RFC 8201 5.3). A
// destination with no entry has the MTU of its outgoing link.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config/options.h"
#include "time/instant.h"
#include "wire/address.h"

namespace lwnet {

// The least IPv4 path MTU a Fragmentation Needed may teach. RFC 1191 3
// allows down to 68, but a hop claiming less than 576 (every host must
// take 576-byte datagrams, RFC 791) is more likely an attacker shrinking
// TCP's segments than a real link; Linux stops at 552 for the same reason.
// Datagrams to a path at this floor go without DF, so a narrower path
// still works through routers' fragmentation.
inline constexpr std::size_t ipv4_min_path_mtu = 576;

// Core thread only.
class PathMtuTable {
 public:
  static constexpr std::size_t capacity = config::path_mtu_table ? config::ipv6_nd6_num_destinations : 0;
  static constexpr Duration lifetime = Duration::seconds(600);

  enum class Learn : std::uint8_t {
    Added,    // a new entry
    Lowered,  // an entry's MTU went down
    Evicted,  // a new entry, in the place of the least recently used one
    Ignored,  // not below what the table already held (RFC 8201 4: never raise)
  };

  // Forgotten entries, by family (their stats count them apart).
  struct Expired {
    std::size_t v4 = 0;
    std::size_t v6 = 0;
  };

  // Records that packets to `destination` must be at most `mtu` bytes.
  Learn learn(const IpAddress& destination, std::size_t mtu, Instant now);
  // The path MTU learned for `destination`, if any. use() also marks the
  // entry as used at `now` (sending through it), for the LRU choice.
  std::optional<std::size_t> find(const IpAddress& destination) const;
  std::optional<std::size_t> use(const IpAddress& destination, Instant now);
  // Forgets the entries whose lifetime ended by `now`; returns how many.
  Expired expire(Instant now);
  // When the next entry expires, or Instant::max().
  Instant next_deadline() const;
  std::size_t size() const;
  // No entry at all: output can skip the look-up (the usual case).
  bool empty() const { return capacity == 0 || used_ == 0; }

 private:
  struct Entry {
    IpAddress destination;
    std::size_t mtu = 0;  // 0: a free slot
    Instant expires;
    Instant last_used;
  };
  // The index of `destination`'s entry.
  std::optional<std::size_t> lookup(const IpAddress& destination) const;

  std::array<Entry, capacity> entries_{};
  std::size_t used_ = 0;
};

}  // namespace lwnet
