#include "ip/path_mtu_table.h"

namespace lwnet {

std::optional<std::size_t> PathMtuTable::lookup(const IpAddress& destination) const {
  for (std::size_t i = 0; i < capacity; ++i) {
    if (entries_[i].mtu != 0 && entries_[i].destination == destination) return i;
  }
  return std::nullopt;
}

PathMtuTable::Learn PathMtuTable::learn(const IpAddress& destination, std::size_t mtu, Instant now) {
  if constexpr (capacity == 0) return Learn::Ignored;
  if (const std::optional<std::size_t> found = lookup(destination)) {
    Entry& e = entries_[*found];
    if (mtu >= e.mtu) return Learn::Ignored;
    e.mtu = mtu;
    e.expires = now + lifetime;
    e.last_used = now;
    return Learn::Lowered;
  }
  // A free slot, else the least recently used entry.
  std::size_t slot = 0;
  for (std::size_t i = 0; i < capacity; ++i) {
    if (entries_[i].mtu == 0) {
      slot = i;
      break;
    }
    if (entries_[i].last_used < entries_[slot].last_used) slot = i;
  }
  const bool evicted = entries_[slot].mtu != 0;
  if (!evicted) ++used_;
  entries_[slot] = Entry{destination, mtu, now + lifetime, now};
  return evicted ? Learn::Evicted : Learn::Added;
}

std::optional<std::size_t> PathMtuTable::find(const IpAddress& destination) const {
  const std::optional<std::size_t> found = lookup(destination);
  if (!found) return std::nullopt;
  return entries_[*found].mtu;
}

std::optional<std::size_t> PathMtuTable::use(const IpAddress& destination, Instant now) {
  const std::optional<std::size_t> found = lookup(destination);
  if (!found) return std::nullopt;
  entries_[*found].last_used = now;
  return entries_[*found].mtu;
}

PathMtuTable::Expired PathMtuTable::expire(Instant now) {
  Expired expired;
  for (Entry& e : entries_) {
    if (e.mtu != 0 && e.expires <= now) {
      ++(core_is_v4(e.destination) ? expired.v4 : expired.v6);
      e = Entry{};
      --used_;
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
