#include "ip/path_mtu_table.h"

namespace lwnet {

const PathMtuTable::Entry* PathMtuTable::lookup(const Ipv6Address& destination) const {
  for (const Entry& e : entries_) {
    if (e.mtu != 0 && e.destination == destination) return &e;
  }
  return nullptr;
}

PathMtuTable::Learn PathMtuTable::learn(const Ipv6Address& destination, std::size_t mtu, Instant now) {
  if (const Entry* found = lookup(destination)) {
    Entry& e = entries_[static_cast<std::size_t>(found - entries_.data())];
    if (mtu >= e.mtu) return Learn::Ignored;
    e.mtu = mtu;
    e.expires = now + lifetime;
    e.last_used = now;
    return Learn::Lowered;
  }
  Entry* slot = nullptr;
  for (Entry& e : entries_) {
    if (e.mtu == 0) {
      slot = &e;
      break;
    }
    if (slot == nullptr || e.last_used < slot->last_used) slot = &e;
  }
  const bool evicted = slot->mtu != 0;
  *slot = Entry{destination, mtu, now + lifetime, now};
  return evicted ? Learn::Evicted : Learn::Added;
}

std::optional<std::size_t> PathMtuTable::find(const Ipv6Address& destination) const {
  const Entry* e = lookup(destination);
  if (e == nullptr) return std::nullopt;
  return e->mtu;
}

std::optional<std::size_t> PathMtuTable::use(const Ipv6Address& destination, Instant now) {
  const Entry* found = lookup(destination);
  if (found == nullptr) return std::nullopt;
  Entry& e = entries_[static_cast<std::size_t>(found - entries_.data())];
  e.last_used = now;
  return e.mtu;
}

std::size_t PathMtuTable::expire(Instant now) {
  std::size_t expired = 0;
  for (Entry& e : entries_) {
    if (e.mtu != 0 && e.expires <= now) {
      e = Entry{};
      ++expired;
    }
  }
  return expired;
}

Instant PathMtuTable::next_deadline() const {
  Instant earliest = Instant::max();
  for (const Entry& e : entries_) {
    if (e.mtu != 0 && e.expires < earliest) earliest = e.expires;
  }
  return earliest;
}

std::size_t PathMtuTable::size() const {
  std::size_t n = 0;
  for (const Entry& e : entries_) n += e.mtu != 0 ? 1U : 0U;
  return n;
}

}  // namespace lwnet
