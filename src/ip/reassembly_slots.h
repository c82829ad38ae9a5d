// The datagram slots of a reassembly, IPv4's (ip/ipv4_reassembly.h) and
// IPv6's (ip/ipv6_reassembly.h) alike: which incomplete datagram gives way
// when room runs out, when the next one times out, how many are in use.
//
// Room runs out two ways: every slot taken when a new datagram arrives, or
// every large buffer taken when a datagram must move into one. Either way
// the oldest incomplete datagram gives way (reass_evicted). Refused instead,
// a few fragments that never complete (one lost, or forged ones sent once
// per timeout) would stop all reassembly until they time out; given way, a
// flood has to outpace a real datagram's fragments to stop it.
//
// `Datagram` is the reassembly's slot: `used`, `deadline` (when it times
// out, so the earliest is the oldest) and `spill` (its large buffer, once it
// moved into one). `drop(index)` frees slot `index` and all it holds.
// Core thread only, as the reassemblies are.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

#include "buf/buf_pool.h"
#include "time/instant.h"
#include "util/stat_counter.h"

namespace lwnet::reassembly_slots {

// Every slot is taken: drops the oldest datagram (counted in `evicted`) and
// returns its slot, free now. Callers with no slots at all never get here.
template <class Datagram, std::size_t N, class Drop>
std::size_t evict_oldest(const std::array<Datagram, N>& datagrams, StatCounter& evicted,
                         Drop&& drop) {
  std::size_t oldest = 0;
  for (std::size_t i = 1; i < N; ++i) {
    if (datagrams[i].deadline < datagrams[oldest].deadline) oldest = i;
  }
  ++evicted;
  drop(oldest);
  return oldest;
}

// A large buffer (`headroom` bytes in front) for datagram `index` to move
// into. When every one is taken, the oldest datagram holding one gives way
// (counted in `evicted`) if it is older than `index`, so that two with a
// lost fragment each cannot stop every long datagram until they time out.
// nullopt when no buffer can be had.
template <class Datagram, std::size_t N, class Drop>
std::optional<PacketBuf> large_buffer_for(std::size_t index,
                                          const std::array<Datagram, N>& datagrams, BufPool& large,
                                          std::size_t headroom, StatCounter& evicted, Drop&& drop) {
  std::optional<PacketBuf> big = large.allocate(headroom);
  if (big) return big;
  std::optional<std::size_t> oldest;
  for (std::size_t i = 0; i < N; ++i) {
    const Datagram& other = datagrams[i];
    if (i == index || !other.used || !other.spill.valid()) continue;
    if (!oldest || other.deadline < datagrams[*oldest].deadline) oldest = i;
  }
  if (!oldest || !(datagrams[*oldest].deadline < datagrams[index].deadline)) return std::nullopt;
  ++evicted;
  drop(*oldest);
  return large.allocate(headroom);
}

// When the oldest incomplete datagram times out, or Instant::max().
template <class Datagram, std::size_t N>
Instant next_deadline(const std::array<Datagram, N>& datagrams) {
  Instant earliest = Instant::max();
  for (const Datagram& d : datagrams) {
    if (d.used && d.deadline < earliest) earliest = d.deadline;
  }
  return earliest;
}

template <class Datagram, std::size_t N>
std::size_t in_use(const std::array<Datagram, N>& datagrams) {
  return static_cast<std::size_t>(
      std::count_if(datagrams.begin(), datagrams.end(), [](const Datagram& d) { return d.used; }));
}

}  // namespace lwnet::reassembly_slots
