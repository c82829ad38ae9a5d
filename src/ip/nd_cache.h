// The IPv6 neighbor cache (RFC 4861 5.1, 7.3): IPv6 address -> MAC per
// netif, with Neighbor Unreachability Detection states, static entries and
// the packets that wait while an address is being resolved. Like ArpCache
// it sends nothing itself: the ND code (ip/ndisc.cpp) asks it what to do.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "ip/evicted_queue.h"
#include "ip/ip_stats.h"
#include "ip/netif_types.h"
#include "time/instant.h"
#include "util/fixed_queue.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// RFC 4861 10, host constants. RetransTimer and ReachableTime are each
// netif's defaults until a router advertisement gives its own
// (NdCache::Timing).
namespace nd_timing {
inline constexpr Duration retrans_timer = Duration::seconds(1);
inline constexpr Duration reachable_time = Duration::seconds(30);
inline constexpr Duration delay_first_probe = Duration::seconds(5);
inline constexpr std::uint8_t max_multicast_solicit = 3;
inline constexpr std::uint8_t max_unicast_solicit = 3;
// How often a ReachableTime drawn from an RA's base is drawn again (RFC
// 4861 6.3.4: "at least every few hours"; FreeBSD's interval).
inline constexpr Duration reachable_time_redraw = Duration::seconds(2 * 3600);
}  // namespace nd_timing

// CONFIG_LWIP_IPV6_ND6_NUM_NEIGHBORS entries shared by all netifs, each
// holding up to CONFIG_LWIP_IPV6_MEMP_NUM_ND6_QUEUE packets while
// Incomplete. Core thread only.
class NdCache {
 public:
  using PendingQueue = FixedQueue<PacketBuf, config::ipv6_slots(config::ipv6_nd6_queue)>;
  // RFC 4861 7.3.2, plus Static (never probed, never replaced by ND).
  enum class State : std::uint8_t { Free, Incomplete, Reachable, Stale, Delay, Probe, Static };

  struct Entry {
    State state = State::Free;
    NetifId netif;
    Ipv6Address ip;
    MacAddress mac;
    Instant updated;   // last confirmed or created: the eviction order
    Instant deadline;  // the state's timer; Instant::max() when none
    std::uint8_t probes = 0;  // solicitations sent in Incomplete or Probe
    bool router = false;      // the IsRouter flag (RFC 4861 5.1)
    PendingQueue queue;       // Incomplete: packets waiting for the MAC
  };

  // A netif's ReachableTime (how long a confirmation keeps a neighbor
  // Reachable) and RetransTimer (between solicitations, DAD's included):
  // RFC 4861 6.3.2, set from router advertisements (IpLayer).
  struct Timing {
    Duration reachable_time = nd_timing::reachable_time;
    Duration retrans_timer = nd_timing::retrans_timer;
  };

  explicit NdCache(NdStats& stats) : stats_(stats) {}
  NdCache(const NdCache&) = delete;
  NdCache& operator=(const NdCache&) = delete;

  // The MAC of an entry in any state but Incomplete (what may be sent to).
  std::optional<MacAddress> lookup(NetifId netif, const Ipv6Address& ip) const;
  const Entry* find(NetifId netif, const Ipv6Address& ip) const;
  // lookup() for a packet about to leave: a Stale entry starts NUD (Delay,
  // RFC 4861 7.3.3).
  std::optional<MacAddress> use(NetifId netif, const Ipv6Address& ip, Instant now);

  enum class Enqueue : std::uint8_t {
    SendSolicitation,  // a new Incomplete entry holds the packet: send the first NS
    Queued,            // queued behind a solicitation already sent
    QueueFull,         // dropped (nd.drop_queue_full)
    TableFull,         // dropped: every entry is static (nd.drop_unresolved)
  };
  // Holds `packet` until `ip` resolves. Called only after use() missed.
  // A new entry may evict the least recently confirmed dynamic one
  // (nd.cache_evictions); an Incomplete one (only when every dynamic entry
  // is) gives up as if its solicitations had run out: the packets it held
  // (counted as nd.drop_unresolved) move to `evicted`, as far as it has
  // room (the rest are dropped), for the caller to report as expire()'s
  // unresolved() does.
  Enqueue enqueue(NetifId netif, const Ipv6Address& ip, PacketBuf&& packet, Instant now,
                  EvictedQueue& evicted);

  // A neighbor advertisement for `ip` (RFC 4861 7.2.5): false when there is
  // no entry (an NA nobody asked for: ignored). An Incomplete entry
  // resolves (its packets move to `resolved`); a known one is confirmed
  // (solicited: Reachable) or, with override or no MAC yet, updated.
  bool advertisement(NetifId netif, const Ipv6Address& ip, std::optional<MacAddress> mac,
                     bool solicited, bool override, bool router, Instant now,
                     PendingQueue& resolved);
  // A source link-layer address option in an NS, RS or RA (RFC 4861 7.2.3,
  // 6.3.4): creates or updates a Stale entry (packets of an Incomplete one
  // move to `resolved`); leaves static entries and unchanged MACs alone.
  // `evicted`: as enqueue()'s, for the entry a new one pushes out.
  void learn(NetifId netif, const Ipv6Address& ip, const MacAddress& mac, Instant now,
             PendingQueue& resolved, EvictedQueue& evicted);
  // A router advertisement from `ip` (RFC 4861 6.3.4): its entry, if any,
  // becomes a router's (IsRouter set).
  void mark_router(NetifId netif, const Ipv6Address& ip);

  // A permanent entry (replaces a dynamic one; its waiting packets move to
  // `resolved`). TableFull when every entry is static already. `evicted`:
  // as enqueue()'s.
  Status add_static(NetifId netif, const Ipv6Address& ip, const MacAddress& mac,
                    PendingQueue& resolved, EvictedQueue& evicted);
  // InvalidArgument when there is no such entry. Waiting packets are dropped.
  Status remove(NetifId netif, const Ipv6Address& ip);
  // Forgets the netif's dynamic entries and the timing its routers set.
  void flush_netif(NetifId netif);

  // Applies from the next timer a state starts; entries keep their running
  // deadlines.
  void set_timing(NetifId netif, const Timing& values);
  Timing timing(NetifId netif) const {
    return netif.value < timing_.size() ? timing_[netif.value] : Timing{};
  }

  Instant next_deadline() const;
  // Runs the NUD timers: an Incomplete entry solicits again by multicast
  // (solicit(netif, ip, nullopt)) up to max_multicast_solicit times, a Probe
  // entry by unicast to its MAC up to max_unicast_solicit times, then they
  // are forgotten: unresolved(packet) for each packet they held, which are
  // then dropped (counted as nd.drop_unresolved), then forgotten(netif, ip);
  // Reachable becomes Stale, Delay becomes Probe.
  template <class Solicit, class Unresolved, class Forgotten>
  void expire(Instant now, Solicit&& solicit, Unresolved&& unresolved, Forgotten&& forgotten) {
    for (Entry& e : entries_) {
      if (e.state == State::Free || e.state == State::Static || e.deadline > now) continue;
      switch (e.state) {
        case State::Incomplete:
        case State::Probe: {
          const bool incomplete = e.state == State::Incomplete;
          const std::uint8_t limit =
              incomplete ? nd_timing::max_multicast_solicit : nd_timing::max_unicast_solicit;
          if (e.probes >= limit) {
            e.queue.for_each(unresolved);
            const NetifId netif = e.netif;
            const Ipv6Address ip = e.ip;
            free(e);
            forgotten(netif, ip);
            break;
          }
          ++e.probes;
          e.deadline = now + timing(e.netif).retrans_timer;
          solicit(e.netif, e.ip, incomplete ? std::nullopt : std::optional<MacAddress>(e.mac));
          break;
        }
        case State::Reachable:
          e.state = State::Stale;
          e.deadline = Instant::max();
          break;
        case State::Delay:
          e.state = State::Probe;
          e.probes = 1;
          e.deadline = now + timing(e.netif).retrans_timer;
          solicit(e.netif, e.ip, std::optional<MacAddress>(e.mac));
          break;
        default:
          break;
      }
    }
  }

  const std::array<Entry, config::ipv6_slots(config::ipv6_nd6_num_neighbors)>& entries() const { return entries_; }

 private:
  Entry* find_mut(NetifId netif, const Ipv6Address& ip);
  // A free entry, evicting the least recently confirmed dynamic one
  // (nd.cache_evictions; an Incomplete one's packets into `evicted` as room
  // allows); nullptr when all are static.
  Entry* allocate(EvictedQueue& evicted);
  void free(Entry& e);
  static void take_queue(Entry& e, PendingQueue& resolved);

  std::array<Entry, config::ipv6_slots(config::ipv6_nd6_num_neighbors)> entries_{};
  // None without IPv6: timing() then reads the defaults and set_timing()
  // keeps nothing.
  std::array<Timing, config::ipv6_slots(config::max_netifs)> timing_{};
  [[no_unique_address]] StatsRef<NdStats> stats_;
};

}  // namespace lwnet
