// The ARP cache (RFC 826): IPv4 address -> MAC per netif, with aging, static
// entries, and the packets that wait while an address is being resolved.
// It sends nothing itself: the ARP protocol (ip_layer) asks it what to do.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "ip/evicted_queue.h"
#include "ip/ip_stats.h"
#include "util/fixed_queue.h"
#include "ip/netif_types.h"
#include "time/instant.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

namespace arp_timing {
// A request is repeated every second; after `max_requests` without a reply
// the address is unreachable and its queued packets are dropped.
inline constexpr Duration request_interval = Duration::seconds(1);
inline constexpr std::uint8_t max_requests = 3;
// A learned entry is forgotten this long after it was last confirmed.
inline constexpr Duration max_age = Duration::seconds(config::arp_maxage_seconds);
// A learned entry that output uses this close to its expiry is confirmed
// by a unicast request, at most one a request_interval (RFC 1122 2.3.2.1).
inline constexpr Duration refresh_window =
    Duration::seconds(std::min<std::uint32_t>(30, config::arp_maxage_seconds / 2));
}  // namespace arp_timing

// CONFIG_LWNET_ARP_TABLE_SIZE entries shared by all netifs. Lookups try the
// entry of the previous hit first, then scan the (small) table. Drops are
// counted in the ArpStats given at construction. Core thread only.
class ArpCache {
 public:
  using PendingQueue = FixedQueue<PacketBuf, config::ipv4_slots(config::arp_queue_len)>;
  enum class State : std::uint8_t { Free, Pending, Stable, Static };

  struct Entry {
    State state = State::Free;
    NetifId netif;
    Ipv4Address ip;
    MacAddress mac;
    Instant updated;   // Stable: last confirmed; Pending: created
    Instant deadline;  // Stable: expiry; Pending: next request; Static: never
    std::uint8_t requests = 0;  // Pending: requests sent
    Instant next_refresh;       // Stable: no confirming request before this
    PendingQueue queue;         // Pending: IPv4 datagrams waiting for the MAC
  };

  explicit ArpCache(ArpStats& stats) : stats_(stats) {}
  ArpCache(const ArpCache&) = delete;
  ArpCache& operator=(const ArpCache&) = delete;

  // The MAC of a Stable or Static entry.
  std::optional<MacAddress> lookup(NetifId netif, Ipv4Address ip) const;
  // Output is about to use the Stable entry of `ip`: true when it is within
  // arp_timing::refresh_window of its expiry and no confirming request went
  // in the last request_interval, for the caller to send one to its MAC.
  // Its reply renews the entry (learn()) before it expires, so that a flow
  // to a neighbour that never sends us ARP does not stop for a resolution.
  bool refresh_due(NetifId netif, Ipv4Address ip, Instant now);
  const Entry* find(NetifId netif, Ipv4Address ip) const;

  enum class Enqueue : std::uint8_t {
    SendRequest,  // a new Pending entry holds the packet: send the first request
    Queued,       // queued behind a request already sent
    QueueFull,    // dropped (arp.drop_queue_full)
    TableFull,    // dropped: every entry is static (arp.drop_unresolved)
  };
  // Holds `packet` until `ip` resolves. Called only after lookup() missed.
  // A new entry may evict the oldest dynamic one (arp.cache_evictions); a
  // Pending one gives up as if its requests had run out: the packets it
  // held (counted as arp.drop_unresolved) move to `evicted`, as far as it
  // has room (the rest are dropped), for the caller to report as
  // expire()'s unresolved() does.
  Enqueue enqueue(NetifId netif, Ipv4Address ip, PacketBuf&& packet, Instant now, EvictedQueue& evicted);

  enum class Learn : std::uint8_t {
    NotFound,  // no entry and !create: nothing changed
    Updated,   // an existing dynamic entry now maps to `mac`
    Created,
    Static,    // a static entry: left as it is
  };
  // Records ip -> mac. Existing dynamic entries are refreshed; a new one is
  // made only when `create` (a request for our address). When a Pending
  // entry resolves, its packets move to `resolved` for the caller to send.
  // `evicted`: as enqueue()'s, for the entry a new one pushes out.
  Learn learn(NetifId netif, Ipv4Address ip, const MacAddress& mac, bool create, Instant now,
              PendingQueue& resolved, EvictedQueue& evicted);

  // A permanent entry (replaces a dynamic one; its waiting packets move to
  // `resolved`). TableFull when every entry is static already. `evicted`:
  // as enqueue()'s.
  Status add_static(NetifId netif, Ipv4Address ip, const MacAddress& mac,
                    PendingQueue& resolved, EvictedQueue& evicted);
  // InvalidArgument when there is no such entry. Waiting packets are dropped.
  Status remove(NetifId netif, Ipv4Address ip);
  // Forgets the dynamic and pending entries of a netif that went down.
  void flush_netif(NetifId netif);

  // The earliest expiry or request retransmission, or Instant::max().
  Instant next_deadline() const;
  // Forgets expired entries; for each Pending entry due, calls
  // request(netif, ip) to send another request, or gives up after
  // max_requests: unresolved(packet) for each packet it held, which are
  // then dropped (counted as arp.drop_unresolved).
  template <class Request, class Unresolved>
  void expire(Instant now, Request&& request, Unresolved&& unresolved) {
    for (Entry& e : entries_) {
      if (e.state == State::Stable && e.deadline <= now) {
        free(e);
      } else if (e.state == State::Pending && e.deadline <= now) {
        if (e.requests >= arp_timing::max_requests) {
          e.queue.for_each(unresolved);
          free(e);
        } else {
          ++e.requests;
          e.deadline = now + arp_timing::request_interval;
          request(e.netif, e.ip);
        }
      }
    }
  }

  // Addresses being resolved may take at most half the table (at least one
  // entry) while learned mappings exist to evict: see allocate().
  static constexpr std::size_t max_pending = config::arp_table_size / 2 > 0 ? config::arp_table_size / 2 : 1;

  const std::array<Entry, config::ipv4_slots(config::arp_table_size)>& entries() const { return entries_; }
  std::size_t pending_packets() const;

 private:
  Entry* find_mut(NetifId netif, Ipv4Address ip) const;
  // A free entry, evicting the oldest stable one if needed (the oldest
  // pending one once max_pending are pending, its packets into `evicted`
  // as room allows);
  // nullptr when all are static.
  Entry* allocate(EvictedQueue& evicted);
  void free(Entry& e);

  mutable std::array<Entry, config::ipv4_slots(config::arp_table_size)> entries_{};
  mutable std::size_t hint_ = 0;
  [[no_unique_address]] StatsRef<ArpStats> stats_;
};

}  // namespace lwnet
