#include "ip/nd_cache.h"

namespace lwnet {

NdCache::Entry* NdCache::find_mut(NetifId netif, const Ipv6Address& ip) {
  for (Entry& e : entries_) {
    if (e.state != State::Free && e.netif == netif && e.ip == ip) return &e;
  }
  return nullptr;
}

const NdCache::Entry* NdCache::find(NetifId netif, const Ipv6Address& ip) const {
  for (const Entry& e : entries_) {
    if (e.state != State::Free && e.netif == netif && e.ip == ip) return &e;
  }
  return nullptr;
}

std::optional<MacAddress> NdCache::lookup(NetifId netif, const Ipv6Address& ip) const {
  const Entry* e = find(netif, ip);
  if (e == nullptr || e->state == State::Incomplete) return std::nullopt;
  return e->mac;
}

std::optional<MacAddress> NdCache::use(NetifId netif, const Ipv6Address& ip, Instant now) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr || e->state == State::Incomplete) return std::nullopt;
  if (e->state == State::Stale) {
    e->state = State::Delay;
    e->deadline = now + nd_timing::delay_first_probe;
  }
  return e->mac;
}

void NdCache::free(Entry& e) {
  count(stats_->drop_unresolved, e.queue.size());
  e.queue.clear();
  e.state = State::Free;
  e.probes = 0;
  e.router = false;
}

void NdCache::take_queue(Entry& e, PendingQueue& resolved) {
  while (!e.queue.empty()) {
    if (!resolved.push(e.queue.pop())) break;  // same capacity: never
  }
}

NdCache::Entry* NdCache::allocate(EvictedQueue& evicted) {
  Entry* oldest = nullptr;
  for (Entry& e : entries_) {
    if (e.state == State::Free) return &e;
    if (e.state == State::Static) continue;
    // Entries being resolved go last: they hold packets.
    const bool better = oldest == nullptr ||
                        (oldest->state == State::Incomplete && e.state != State::Incomplete) ||
                        ((oldest->state == State::Incomplete) == (e.state == State::Incomplete) &&
                         e.updated < oldest->updated);
    if (better) oldest = &e;
  }
  if (oldest == nullptr) return nullptr;
  ++stats_->cache_evictions;
  // An Incomplete victim gives up as one whose solicitations ran out: what
  // waited goes to the caller to be reported (a connect fails at once, as
  // ARP's does), what finds no room is dropped by free(), unreported.
  hand_over_evicted(oldest->queue, evicted, stats_->drop_unresolved);
  free(*oldest);
  return oldest;
}

NdCache::Enqueue NdCache::enqueue(NetifId netif, const Ipv6Address& ip, PacketBuf&& packet,
                                  Instant now, EvictedQueue& evicted) {
  if (Entry* e = find_mut(netif, ip)) {
    if (!e->queue.push(std::move(packet))) {
      ++stats_->drop_queue_full;
      return Enqueue::QueueFull;
    }
    return Enqueue::Queued;
  }
  Entry* e = allocate(evicted);
  if (e == nullptr) {
    ++stats_->drop_unresolved;
    return Enqueue::TableFull;
  }
  e->state = State::Incomplete;
  e->netif = netif;
  e->ip = ip;
  e->mac = MacAddress{};
  e->updated = now;
  e->probes = 1;  // the caller sends the first solicitation now
  e->deadline = now + timing(netif).retrans_timer;
  (void)e->queue.push(std::move(packet));
  return Enqueue::SendSolicitation;
}

bool NdCache::advertisement(NetifId netif, const Ipv6Address& ip, std::optional<MacAddress> mac,
                            bool solicited, bool override, bool router, Instant now,
                            PendingQueue& resolved) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr) return false;
  if (e->state == State::Static) return true;
  if (e->state == State::Incomplete) {
    // Without a target link-layer address the NA cannot resolve anything.
    if (!mac) return true;
    e->mac = *mac;
    e->state = solicited ? State::Reachable : State::Stale;
    e->deadline = solicited ? now + timing(netif).reachable_time : Instant::max();
    e->updated = now;
    e->probes = 0;
    e->router = router;
    take_queue(*e, resolved);
    return true;
  }
  const bool different = mac && *mac != e->mac;
  if (!override && different) {
    // RFC 4861 7.2.5: a Reachable entry only becomes Stale; nothing else changes.
    if (e->state == State::Reachable) {
      e->state = State::Stale;
      e->deadline = Instant::max();
    }
    return true;
  }
  if (mac) e->mac = *mac;
  if (solicited) {
    e->state = State::Reachable;
    e->deadline = now + timing(netif).reachable_time;
    e->updated = now;
    e->probes = 0;
  } else if (different) {
    e->state = State::Stale;
    e->deadline = Instant::max();
  }
  e->router = router;
  return true;
}

void NdCache::learn(NetifId netif, const Ipv6Address& ip, const MacAddress& mac, Instant now,
                    PendingQueue& resolved, EvictedQueue& evicted) {
  Entry* e = find_mut(netif, ip);
  if (e != nullptr && (e->state == State::Static || (e->state != State::Incomplete && e->mac == mac))) {
    return;
  }
  if (e == nullptr) {
    e = allocate(evicted);
    if (e == nullptr) return;
    e->netif = netif;
    e->ip = ip;
  }
  e->mac = mac;
  e->state = State::Stale;
  e->deadline = Instant::max();
  e->updated = now;
  e->probes = 0;
  take_queue(*e, resolved);
}

void NdCache::mark_router(NetifId netif, const Ipv6Address& ip) {
  if (Entry* e = find_mut(netif, ip)) e->router = true;
}

Status NdCache::add_static(NetifId netif, const Ipv6Address& ip, const MacAddress& mac,
                           PendingQueue& resolved, EvictedQueue& evicted) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr) {
    e = allocate(evicted);
    if (e == nullptr) return Error::TableFull;
    e->netif = netif;
    e->ip = ip;
  }
  e->mac = mac;
  e->state = State::Static;
  e->deadline = Instant::max();
  e->probes = 0;
  take_queue(*e, resolved);
  return {};
}

Status NdCache::remove(NetifId netif, const Ipv6Address& ip) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr) return Error::InvalidArgument;
  free(*e);
  return {};
}

void NdCache::flush_netif(NetifId netif) {
  for (Entry& e : entries_) {
    if (e.state != State::Free && e.state != State::Static && e.netif == netif) free(e);
  }
  set_timing(netif, Timing{});
}

void NdCache::set_timing(NetifId netif, const Timing& values) {
  if (netif.value < timing_.size()) timing_[netif.value] = values;
}

Instant NdCache::next_deadline() const {
  Instant earliest = Instant::max();
  for (const Entry& e : entries_) {
    if (e.state != State::Free && e.state != State::Static && e.deadline < earliest) {
      earliest = e.deadline;
    }
  }
  return earliest;
}

}  // namespace lwnet
