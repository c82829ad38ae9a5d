#include "ip/ipv4_reassembly.h"

#include <algorithm>

#include "ip/reassembly_slots.h"
#include "util/checksum.h"

namespace lwnet {

static_assert(config::reass_max_datagrams >= 1 && config::reass_max_datagrams <= 255);

ByteRanges::Insert ByteRanges::insert(std::uint32_t start, std::uint32_t end) {
  // i: the first range that starts after `start`.
  std::size_t i = 0;
  while (i < count_ && ranges_[i].start <= start) ++i;
  const bool touches_previous = i > 0 && ranges_[i - 1].end == start;
  const bool touches_next = i < count_ && ranges_[i].start == end;
  if ((i > 0 && ranges_[i - 1].end > start) || (i < count_ && ranges_[i].start < end)) {
    return Insert::Overlap;
  }
  if (touches_previous && touches_next) {
    ranges_[i - 1].end = ranges_[i].end;
    std::copy(ranges_.begin() + static_cast<std::ptrdiff_t>(i + 1),
              ranges_.begin() + static_cast<std::ptrdiff_t>(count_),
              ranges_.begin() + static_cast<std::ptrdiff_t>(i));
    --count_;
  } else if (touches_previous) {
    ranges_[i - 1].end = end;
  } else if (touches_next) {
    ranges_[i].start = start;
  } else {
    if (count_ == capacity) return Insert::Full;
    std::copy_backward(ranges_.begin() + static_cast<std::ptrdiff_t>(i),
                       ranges_.begin() + static_cast<std::ptrdiff_t>(count_),
                       ranges_.begin() + static_cast<std::ptrdiff_t>(count_ + 1));
    ranges_[i] = Range{start, end};
    ++count_;
  }
  return Insert::Ok;
}

std::size_t Ipv4Reassembly::datagrams_in_progress() const {
  return reassembly_slots::in_use(datagrams_);
}

Instant Ipv4Reassembly::next_deadline() const {
  return reassembly_slots::next_deadline(datagrams_);
}

std::optional<std::size_t> Ipv4Reassembly::find_or_create(const Ipv4Repr& ip, NetifId netif,
                                                          Instant now) {
  // No slots: never reached (add() refuses fragments first), and an empty
  // table has no oldest entry to index.
  if constexpr (datagram_slots == 0) return std::nullopt;
  std::optional<std::size_t> free_slot;
  for (std::size_t i = 0; i < datagrams_.size(); ++i) {
    const Datagram& d = datagrams_[i];
    if (!d.used) {
      if (!free_slot) free_slot = i;
      continue;
    }
    if (d.identification == ip.identification && d.source == ip.source &&
        d.destination == ip.destination && d.protocol == ip.protocol) {
      return i;
    }
  }
  if (!free_slot) {
    free_slot = reassembly_slots::evict_oldest(datagrams_, stats_->reass_evicted,
                                               [this](std::size_t i) { drop(i); });
  }
  Datagram& d = datagrams_[*free_slot];
  d.used = true;
  d.source = ip.source;
  d.destination = ip.destination;
  d.identification = ip.identification;
  d.protocol = ip.protocol;
  d.netif = netif;
  d.deadline = now + timeout;
  return free_slot;
}

void Ipv4Reassembly::drop(std::size_t index) {
  if constexpr (datagram_slots == 0) return;  // no slots: nothing is ever held
  // Never reached without IPv4, whose tables are then empty (config::ipv4_slots).
  if constexpr (!config::ipv4) return;
  for (Held& h : held_) {
    if (h.payload.valid() && h.datagram == index) {
      h.payload.release();
      --held_count_;
    }
  }
  Datagram& d = datagrams_[index];
  d.spill.release();
  d.used = false;
  d.received.clear();
  d.total.reset();
  d.have_first = false;
  d.link_broadcast = false;
  d.header_len = 0;
  d.quote_len = 0;
  d.held = 0;
}

bool Ipv4Reassembly::spill(std::size_t index) {
  if constexpr (datagram_slots == 0) return false;
  // Never reached without IPv4, whose tables are then empty (config::ipv4_slots).
  if constexpr (!config::ipv4) return false;
  Datagram& d = datagrams_[index];
  std::optional<PacketBuf> big = reassembly_slots::large_buffer_for(
      index, datagrams_, pools_.large, spill_headroom, stats_->reass_evicted,
      [this](std::size_t i) { drop(i); });
  if (!big) return false;
  (void)big->append(spill_payload_at + max_datagram - Ipv4Repr::min_header_len);
  Bytes area = big->data().subspan(spill_payload_at);
  for (Held& h : held_) {
    if (h.payload.valid() && h.datagram == index) {
      ConstBytes bytes = h.payload.data();
      std::copy(bytes.begin(), bytes.end(), area.subspan(h.offset).begin());
      h.payload.release();
      --held_count_;
    }
  }
  d.held = 0;
  d.spill = std::move(*big);
  return true;
}

bool Ipv4Reassembly::store(std::size_t index, PacketBuf&& payload, std::uint32_t offset) {
  if constexpr (datagram_slots == 0) return false;
  // Never reached without IPv4, whose tables are then empty (config::ipv4_slots).
  if constexpr (!config::ipv4) return false;
  Datagram& d = datagrams_[index];
  if (!d.spill.valid() && held_count_ == held_.size() && !spill(index)) {
    ++stats_->reass_no_room;
    payload.release();
    return false;
  }
  if (d.spill.valid()) {
    ConstBytes bytes = payload.data();
    std::copy(bytes.begin(), bytes.end(), d.spill.data().subspan(spill_payload_at + offset).begin());
    payload.release();
    return true;
  }
  for (Held& h : held_) {
    if (!h.payload.valid()) {
      h.payload = std::move(payload);
      h.offset = offset;
      h.datagram = static_cast<std::uint8_t>(index);
      ++held_count_;
      ++d.held;
      return true;
    }
  }
  return false;  // unreachable: held_count_ < capacity means a free slot
}

bool Ipv4Reassembly::holds(std::size_t index, std::uint32_t offset, ConstBytes bytes) const {
  if constexpr (datagram_slots == 0) return false;
  const Datagram& d = datagrams_[index];
  const auto end = static_cast<std::uint32_t>(offset + bytes.size());
  if (!d.received.contains(offset, end)) return false;
  if (d.spill.valid()) {
    ConstBytes area = d.spill.data().subspan(spill_payload_at + offset, bytes.size());
    return std::equal(bytes.begin(), bytes.end(), area.begin());
  }
  // The received ranges are exactly what the held fragments cover.
  for (const Held& h : held_) {
    if (!h.payload.valid() || h.datagram != index) continue;
    ConstBytes held = h.payload.data();
    const std::uint32_t from = std::max(offset, h.offset);
    const auto to = std::min(end, static_cast<std::uint32_t>(h.offset + held.size()));
    if (from >= to) continue;
    const ConstBytes overlap = held.subspan(from - h.offset, to - from);
    if (!std::equal(overlap.begin(), overlap.end(), bytes.subspan(from - offset).begin())) return false;
  }
  return true;
}

std::optional<PacketBuf> Ipv4Reassembly::complete(std::size_t index) {
  if constexpr (datagram_slots == 0) return std::nullopt;
  // Never reached without IPv4, whose tables are then empty (config::ipv4_slots).
  if constexpr (!config::ipv4) return std::nullopt;
  Datagram& d = datagrams_[index];
  const std::size_t header_len = d.header_len;
  const std::size_t total = *d.total;
  PacketBuf out;
  if (d.spill.valid()) {
    out = std::move(d.spill);
    out.consume(spill_payload_at - header_len);
    out.truncate(header_len + total);
  } else {
    std::optional<PacketBuf> buf = pools_.allocate(config::headroom, header_len + total);
    if (!buf) {
      ++stats_->drop_no_buffer;
      drop(index);
      return std::nullopt;
    }
    out = std::move(*buf);
    Bytes all = out.append(header_len + total);
    for (Held& h : held_) {
      if (h.payload.valid() && h.datagram == index) {
        ConstBytes bytes = h.payload.data();
        std::copy(bytes.begin(), bytes.end(), all.begin() + static_cast<std::ptrdiff_t>(header_len + h.offset));
        h.payload.release();
        --held_count_;
      }
    }
    d.held = 0;
  }
  Bytes bytes = out.data();
  std::copy_n(d.quote.begin(), header_len, bytes.begin());
  store_be16(bytes, 2, static_cast<std::uint16_t>(header_len + total));
  // Whole again: no more-fragments flag, offset 0 (DF stays as it came).
  store_be16(bytes, 6, static_cast<std::uint16_t>(load_be16(bytes, 6) & 0x4000U));
  store_be16(bytes, 10, 0);
  store_be16(bytes, 10, internet_checksum(bytes.first(header_len)));
  ++stats_->reass_ok;
  drop(index);
  return out;
}

std::optional<PacketBuf> Ipv4Reassembly::add(PacketBuf&& fragment, const Ipv4Repr& ip,
                                             NetifId netif, bool& link_broadcast, Instant now) {
  if constexpr (datagram_slots == 0) {
    ++stats_->reass_no_room;
    return std::nullopt;
  }
  const auto offset = static_cast<std::uint32_t>(ip.fragment_offset);
  const auto length = static_cast<std::uint32_t>(ip.payload.size());
  const std::uint32_t end = offset + length;
  // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
  if (length == 0 || (ip.more_fragments && length % 8 != 0)) {
    ++stats_->drop_malformed;
    return std::nullopt;
  }
  const std::optional<std::size_t> index = find_or_create(ip, netif, now);
  if (!index) return std::nullopt;
  Datagram& d = datagrams_[*index];

  if (ip.header_len + end > max_datagram) {
    ++stats_->reass_too_big;
    drop(*index);
    return std::nullopt;
  }
  if (!ip.more_fragments) {
    if ((d.total && *d.total != end) || d.received.end() > end) {
      ++stats_->drop_malformed;
      drop(*index);
      return std::nullopt;
    }
    d.total = end;
  } else if (d.total && end > *d.total) {
    ++stats_->drop_malformed;
    drop(*index);
    return std::nullopt;
  }
  switch (d.received.insert(offset, end)) {
    case ByteRanges::Insert::Ok:
      break;
    case ByteRanges::Insert::Overlap:
      // The same bytes again (a fragment sent or carried twice): only the
      // copy goes, as RFC 5722's erratum 3089 and Linux have it. Bytes that
      // differ could be read two ways: the whole datagram goes.
      if (holds(*index, offset, ip.payload)) {
        ++stats_->reass_duplicate;
        return std::nullopt;
      }
      ++stats_->reass_overlap;
      drop(*index);
      return std::nullopt;
    case ByteRanges::Insert::Full:
      ++stats_->reass_no_room;
      drop(*index);
      return std::nullopt;
  }
  // The first fragment's header (options included) and the last one's end
  // together may exceed what one datagram can be.
  const std::size_t first_header_len = offset == 0 ? ip.header_len : d.header_len;
  if ((offset == 0 || d.have_first) && d.total && first_header_len + *d.total > max_datagram) {
    ++stats_->reass_too_big;
    drop(*index);
    return std::nullopt;
  }
  d.link_broadcast = d.link_broadcast || link_broadcast;
  if (offset == 0) {
    d.have_first = true;
    d.header_len = ip.header_len;
    d.quote_len = ip.header_len + std::min<std::size_t>(8, length);
    ConstBytes bytes = fragment.data();
    std::copy_n(bytes.begin(), d.quote_len, d.quote.begin());
  }
  fragment.consume(ip.header_len);
  fragment.truncate(length);
  if (!store(*index, std::move(fragment), offset)) {
    drop(*index);
    return std::nullopt;
  }
  if (d.have_first && d.total && d.received.covers(*d.total)) {
    link_broadcast = d.link_broadcast;
    return complete(*index);
  }
  return std::nullopt;
}

}  // namespace lwnet
