#include "ip/redirect_table.h"

namespace lwnet {

RedirectTable::Entry* RedirectTable::lookup(NetifId netif, const Ipv6Address& destination) {
  for (Entry& e : entries_) {
    if (e.used && e.netif == netif && e.destination == destination) return &e;
  }
  return nullptr;
}

const RedirectTable::Entry* RedirectTable::lookup(NetifId netif, const Ipv6Address& destination) const {
  for (const Entry& e : entries_) {
    if (e.used && e.netif == netif && e.destination == destination) return &e;
  }
  return nullptr;
}

RedirectTable::Learn RedirectTable::learn(NetifId netif, const Ipv6Address& destination,
                                          const Ipv6Address& router, const Ipv6Address& target,
                                          Instant now) {
  // An IPv4-only build has no slots to choose from.
  if constexpr (capacity == 0) return Learn::Evicted;
  if (Entry* e = lookup(netif, destination)) {
    *e = Entry{true, netif, destination, router, target, now + lifetime, now};
    return Learn::Updated;
  }
  // A free slot, else the least recently used entry.
  std::size_t slot = 0;
  for (std::size_t i = 0; i < capacity; ++i) {
    if (!entries_[i].used) {
      slot = i;
      break;
    }
    if (entries_[i].last_used < entries_[slot].last_used) slot = i;
  }
  const bool evicted = entries_[slot].used;
  if (!evicted) ++used_;
  entries_[slot] = Entry{true, netif, destination, router, target, now + lifetime, now};
  return evicted ? Learn::Evicted : Learn::Added;
}

std::optional<Ipv6Address> RedirectTable::find(NetifId netif, const Ipv6Address& destination,
                                               const Ipv6Address& router) const {
  const Entry* e = lookup(netif, destination);
  if (e == nullptr || !(e->router == router)) return std::nullopt;
  return e->target;
}

const RedirectTable::Entry* RedirectTable::find(const Ipv6Address& destination) const {
  for (const Entry& e : entries_) {
    if (e.used && e.destination == destination) return &e;
  }
  return nullptr;
}

void RedirectTable::use(NetifId netif, const Ipv6Address& destination, Instant now) {
  if (Entry* e = lookup(netif, destination)) e->last_used = now;
}

std::size_t RedirectTable::forget_target(NetifId netif, const Ipv6Address& target) {
  return forget_if([&](const Entry& e) { return e.netif == netif && e.target == target; });
}

std::size_t RedirectTable::flush_netif(NetifId netif) {
  return forget_if([&](const Entry& e) { return e.netif == netif; });
}

std::size_t RedirectTable::expire(Instant now) {
  return forget_if([&](const Entry& e) { return e.expires <= now; });
}

Instant RedirectTable::next_deadline() const {
  Instant earliest = Instant::max();
  for (const Entry& e : entries_) {
    if (e.used && e.expires < earliest) earliest = e.expires;
  }
  return earliest;
}

}  // namespace lwnet
