// What waited on a neighbour resolution (ARP or ND) that a full table gave
// up for room: handed over by the cache that evicted it, for IpLayer to
// report to the transports as it reports a resolution that ran out.
#pragma once

#include <algorithm>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "util/fixed_queue.h"
#include "util/stat_counter.h"

namespace lwnet {

// One queue serves both families: evictions are rare and reported from the
// next poll, so a dual-stack build pays for the larger family's queue only.
// No room (the packets are dropped at once) in a build that reports nothing
// to the transports.
using EvictedQueue =
    FixedQueue<PacketBuf, config::icmp_errors_to_transports
                              ? std::max(config::ipv4_slots(config::arp_queue_len),
                                         config::ipv6_slots(config::ipv6_nd6_queue))
                              : 0>;

// Moves what `waiting` held into `evicted` as far as it has room, each
// counted in `unresolved`; what finds no room stays for the cache's own
// free() to drop (and count), unreported.
template <class Waiting>
void hand_over_evicted(Waiting& waiting, EvictedQueue& evicted, StatCounter& unresolved) {
  if constexpr (EvictedQueue::capacity() > 0) {
    while (!waiting.empty() && !evicted.full()) {
      (void)evicted.push(waiting.pop());
      ++unresolved;
    }
  }
}

}  // namespace lwnet
