#include "ip/arp_cache.h"

namespace lwnet {

ArpCache::Entry* ArpCache::find_mut(NetifId netif, Ipv4Address ip) const {
  // Never reached without IPv4, whose tables are then empty (config::ipv4_slots).
  if constexpr (!config::ipv4) return nullptr;
  Entry& hinted = entries_[hint_];
  if (hinted.state != State::Free && hinted.ip == ip && hinted.netif == netif) return &hinted;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    if (e.state != State::Free && e.ip == ip && e.netif == netif) {
      hint_ = i;
      return &e;
    }
  }
  return nullptr;
}

const ArpCache::Entry* ArpCache::find(NetifId netif, Ipv4Address ip) const {
  return find_mut(netif, ip);
}

std::optional<MacAddress> ArpCache::lookup(NetifId netif, Ipv4Address ip) const {
  const Entry* e = find_mut(netif, ip);
  if (e == nullptr || (e->state != State::Stable && e->state != State::Static)) return std::nullopt;
  return e->mac;
}

bool ArpCache::refresh_due(NetifId netif, Ipv4Address ip, Instant now) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr || e->state != State::Stable) return false;
  if (now + arp_timing::refresh_window < e->deadline || now < e->next_refresh) return false;
  e->next_refresh = now + arp_timing::request_interval;
  return true;
}

void ArpCache::free(Entry& e) {
  count(stats_->drop_unresolved, e.queue.size());
  e.queue.clear();
  e.state = State::Free;
  e.requests = 0;
}

ArpCache::Entry* ArpCache::allocate(EvictedQueue& evicted) {
  Entry* oldest_stable = nullptr;
  Entry* oldest_pending = nullptr;
  std::size_t pending = 0;
  for (Entry& e : entries_) {
    switch (e.state) {
      case State::Free:
        return &e;
      case State::Stable:
        if (oldest_stable == nullptr || e.updated < oldest_stable->updated) oldest_stable = &e;
        break;
      case State::Pending:
        ++pending;
        if (oldest_pending == nullptr || e.updated < oldest_pending->updated) oldest_pending = &e;
        break;
      case State::Static:
        break;
    }
  }
  // Forget a learned mapping before giving up on an address being resolved,
  // except when resolutions fill half the table already: then the oldest of
  // them goes. Packets to many unknown addresses (SYN-ACKs to a flood of
  // spoofed sources on the link) would otherwise push out every learned
  // mapping, the gateway's and real clients' included.
  Entry* victim = oldest_stable;
  if (victim == nullptr || (pending >= max_pending && oldest_pending != nullptr)) victim = oldest_pending;
  if (victim == nullptr) return nullptr;
  ++stats_->cache_evictions;
  // A resolution given up for room is as unresolved as one whose requests
  // ran out: what waited goes to the caller, to be reported to its
  // transport (a connect fails at once instead of waiting for a SYN
  // timeout). What finds no room is dropped here, unreported.
  hand_over_evicted(victim->queue, evicted, stats_->drop_unresolved);
  free(*victim);  // counts what found no room
  return victim;
}

ArpCache::Enqueue ArpCache::enqueue(NetifId netif, Ipv4Address ip, PacketBuf&& packet,
                                    Instant now, EvictedQueue& evicted) {
  if (Entry* e = find_mut(netif, ip)) {
    // A Stable or Static entry would have been found by lookup(): Pending.
    if (!e->queue.push(std::move(packet))) {
      ++stats_->drop_queue_full;
      packet.release();
      return Enqueue::QueueFull;
    }
    return Enqueue::Queued;
  }
  Entry* e = allocate(evicted);
  if (e == nullptr) {
    ++stats_->drop_unresolved;
    packet.release();
    return Enqueue::TableFull;
  }
  e->state = State::Pending;
  e->netif = netif;
  e->ip = ip;
  e->mac = {};
  e->updated = now;
  e->requests = 1;
  e->deadline = now + arp_timing::request_interval;
  (void)e->queue.push(std::move(packet));
  return Enqueue::SendRequest;
}

ArpCache::Learn ArpCache::learn(NetifId netif, Ipv4Address ip, const MacAddress& mac,
                                bool create, Instant now, PendingQueue& resolved,
                                EvictedQueue& evicted) {
  Entry* e = find_mut(netif, ip);
  Learn outcome = Learn::Updated;
  if (e == nullptr) {
    if (!create) return Learn::NotFound;
    e = allocate(evicted);
    if (e == nullptr) return Learn::NotFound;
    e->netif = netif;
    e->ip = ip;
    outcome = Learn::Created;
  } else if (e->state == State::Static) {
    return Learn::Static;
  }
  e->state = State::Stable;
  e->mac = mac;
  e->updated = now;
  e->deadline = now + arp_timing::max_age;
  e->next_refresh = Instant{};
  e->requests = 0;
  while (!e->queue.empty()) {
    if (!resolved.push(e->queue.pop())) ++stats_->drop_queue_full;
  }
  return outcome;
}

Status ArpCache::add_static(NetifId netif, Ipv4Address ip, const MacAddress& mac,
                            PendingQueue& resolved, EvictedQueue& evicted) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr) {
    e = allocate(evicted);
    if (e == nullptr) return Error::TableFull;
    e->netif = netif;
    e->ip = ip;
  }
  e->state = State::Static;
  e->mac = mac;
  e->deadline = Instant::max();
  e->requests = 0;
  while (!e->queue.empty()) {
    if (!resolved.push(e->queue.pop())) ++stats_->drop_queue_full;
  }
  return {};
}

Status ArpCache::remove(NetifId netif, Ipv4Address ip) {
  Entry* e = find_mut(netif, ip);
  if (e == nullptr) return Error::InvalidArgument;
  free(*e);
  return {};
}

void ArpCache::flush_netif(NetifId netif) {
  for (Entry& e : entries_) {
    if (e.netif == netif && (e.state == State::Stable || e.state == State::Pending)) free(e);
  }
}

Instant ArpCache::next_deadline() const {
  Instant earliest = Instant::max();
  for (const Entry& e : entries_) {
    if ((e.state == State::Stable || e.state == State::Pending) && e.deadline < earliest) {
      earliest = e.deadline;
    }
  }
  return earliest;
}

std::size_t ArpCache::pending_packets() const {
  std::size_t n = 0;
  for (const Entry& e : entries_) n += e.queue.size();
  return n;
}

}  // namespace lwnet
