#include "ip/ipv6_reassembly.h"

#include <algorithm>

#include "ip/reassembly_slots.h"

namespace lwnet {

static_assert(config::reass_max_datagrams >= 1 && config::reass_max_datagrams <= 255);

bool ipv6_rewrite_unfragmentable(Bytes unfragmentable, std::size_t payload_len,
                                 std::uint8_t next_header) {
  if (unfragmentable.size() < Ipv6Repr::header_len) return false;
  std::size_t field_at = 6;
  std::size_t at = Ipv6Repr::header_len;
  while (at < unfragmentable.size()) {
    const std::uint8_t type = unfragmentable[field_at];
    if (type == ipv6_next_header::fragment || !Ipv6HeaderWalker::is_extension_header(type) ||
        unfragmentable.size() - at < 8) {
      return false;
    }
    const std::size_t length = type == ipv6_next_header::authentication
                                   ? (std::size_t{unfragmentable[at + 1]} + 2) * 4
                                   : (std::size_t{unfragmentable[at + 1]} + 1) * 8;
    field_at = at;
    at += length;
  }
  if (at != unfragmentable.size() || unfragmentable[field_at] != ipv6_next_header::fragment) {
    return false;
  }
  store_be16(unfragmentable, 4, static_cast<std::uint16_t>(payload_len));
  unfragmentable[field_at] = next_header;
  return true;
}

std::optional<std::uint32_t> Ipv6Reassembly::parameter_problem_pointer(
    const Ipv6Repr& ip, std::size_t fragment_header_offset, const Ipv6FragmentHeader& fragment) {
  if (ip.payload.size() < fragment_header_offset + Ipv6FragmentHeader::header_len) {
    return std::nullopt;
  }
  const std::size_t length =
      ip.payload.size() - fragment_header_offset - Ipv6FragmentHeader::header_len;
  if (fragment.more_fragments && length % 8 != 0) return 4;  // the Payload Length field
  if (fragment_header_offset + fragment.fragment_offset + length > max_payload) {
    return static_cast<std::uint32_t>(Ipv6Repr::header_len + fragment_header_offset + 2);
  }
  return std::nullopt;
}

std::size_t Ipv6Reassembly::datagrams_in_progress() const {
  return reassembly_slots::in_use(datagrams_);
}

Instant Ipv6Reassembly::next_deadline() const {
  return reassembly_slots::next_deadline(datagrams_);
}

const Ipv6Reassembly::Held* Ipv6Reassembly::first_fragment(std::size_t index) const {
  for (const Held& h : held_) {
    if (h.packet.valid() && h.datagram == index && h.first) return &h;
  }
  return nullptr;
}

std::optional<std::size_t> Ipv6Reassembly::find_or_create(const Ipv6Repr& ip,
                                                          std::uint32_t identification,
                                                          NetifId netif, Instant now) {
  // Never reached without IPv6 (add() is never called), and an empty table
  // has no oldest entry to index.
  if constexpr (!config::ipv6) return std::nullopt;
  std::optional<std::size_t> free_slot;
  for (std::size_t i = 0; i < datagrams_.size(); ++i) {
    const Datagram& d = datagrams_[i];
    if (!d.used) {
      if (!free_slot) free_slot = i;
      continue;
    }
    if (d.identification == identification && d.source == ip.source &&
        d.destination == ip.destination) {
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
  d.identification = identification;
  d.netif = netif;
  d.deadline = now + timeout;
  return free_slot;
}

void Ipv6Reassembly::drop(std::size_t index) {
  // Never reached without IPv6, whose tables are then empty (config::ipv6_slots).
  if constexpr (!config::ipv6) return;
  for (Held& h : held_) {
    if (h.packet.valid() && h.datagram == index) {
      h.packet.release();
      --held_count_;
    }
  }
  Datagram& d = datagrams_[index];
  d.spill.release();
  d.used = false;
  d.received.clear();
  d.total.reset();
  d.have_first = false;
}

bool Ipv6Reassembly::spill(std::size_t index) {
  // Never reached without IPv6, whose tables are then empty (config::ipv6_slots).
  if constexpr (!config::ipv6) return false;
  Datagram& d = datagrams_[index];
  std::optional<PacketBuf> big = reassembly_slots::large_buffer_for(
      index, datagrams_, pools_.large, spill_headroom, stats_->reass_evicted,
      [this](std::size_t i) { drop(i); });
  if (!big) return false;
  Bytes area = big->append(spill_data_at + max_payload).subspan(spill_data_at);
  for (Held& h : held_) {
    if (!h.packet.valid() || h.datagram != index) continue;
    ConstBytes data = h.packet.data().subspan(h.data_at);
    std::copy(data.begin(), data.end(), area.subspan(h.offset).begin());
    // The first fragment stays: its header is the datagram's, and a
    // timeout quotes it.
    if (!h.first) {
      h.packet.release();
      --held_count_;
    }
  }
  d.spill = std::move(*big);
  return true;
}

bool Ipv6Reassembly::store(std::size_t index, Held&& held) {
  // Never reached without IPv6, whose tables are then empty (config::ipv6_slots).
  if constexpr (!config::ipv6) return false;
  Datagram& d = datagrams_[index];
  if (!d.spill.valid() && held_count_ == held_.size() && !spill(index)) {
    ++stats_->reass_no_room;
    return false;
  }
  if (d.spill.valid()) {
    ConstBytes data = held.packet.data().subspan(held.data_at);
    std::copy(data.begin(), data.end(), d.spill.data().subspan(spill_data_at + held.offset).begin());
    if (!held.first) {
      held.packet.release();
      return true;
    }
  }
  for (Held& h : held_) {
    if (!h.packet.valid()) {
      h = std::move(held);
      h.datagram = static_cast<std::uint8_t>(index);
      ++held_count_;
      return true;
    }
  }
  ++stats_->reass_no_room;  // a spilled datagram's first fragment, and every slot taken
  return false;
}

bool Ipv6Reassembly::holds(std::size_t index, std::uint32_t offset, ConstBytes bytes) const {
  // Never reached without IPv6, whose tables are then empty (config::ipv6_slots).
  if constexpr (!config::ipv6) return false;
  const Datagram& d = datagrams_[index];
  const auto end = static_cast<std::uint32_t>(offset + bytes.size());
  if (!d.received.contains(offset, end)) return false;
  if (d.spill.valid()) {
    ConstBytes area = d.spill.data().subspan(spill_data_at + offset, bytes.size());
    return std::equal(bytes.begin(), bytes.end(), area.begin());
  }
  // The received ranges are exactly what the held fragments cover.
  for (const Held& h : held_) {
    if (!h.packet.valid() || h.datagram != index) continue;
    ConstBytes held = h.packet.data().subspan(h.data_at);
    const std::uint32_t from = std::max(offset, h.offset);
    const auto to = std::min(end, static_cast<std::uint32_t>(h.offset + held.size()));
    if (from >= to) continue;
    const ConstBytes overlap = held.subspan(from - h.offset, to - from);
    if (!std::equal(overlap.begin(), overlap.end(), bytes.subspan(from - offset).begin())) return false;
  }
  return true;
}

std::optional<PacketBuf> Ipv6Reassembly::complete(std::size_t index) {
  Datagram& d = datagrams_[index];
  const Held* first = first_fragment(index);
  if (first == nullptr) {  // have_first promises one; never trust that blindly
    ++stats_->drop_malformed;
    drop(index);
    return std::nullopt;
  }
  const std::size_t unfragmentable_len = first->unfragmentable_len;
  const std::size_t total = *d.total;
  PacketBuf out;
  if (d.spill.valid()) {
    out = std::move(d.spill);
    out.consume(spill_data_at - unfragmentable_len);
    out.truncate(unfragmentable_len + total);
  } else {
    std::optional<PacketBuf> buf = pools_.allocate(config::headroom, unfragmentable_len + total);
    if (!buf) {
      ++stats_->drop_no_buffer;
      drop(index);
      return std::nullopt;
    }
    out = std::move(*buf);
    Bytes all = out.append(unfragmentable_len + total);
    for (const Held& h : held_) {
      if (!h.packet.valid() || h.datagram != index) continue;
      ConstBytes data = h.packet.data().subspan(h.data_at);
      std::copy(data.begin(), data.end(),
                all.begin() + static_cast<std::ptrdiff_t>(unfragmentable_len + h.offset));
    }
  }
  ConstBytes first_bytes = first->packet.data();
  Bytes bytes = out.data();
  std::copy_n(first_bytes.begin(), unfragmentable_len, bytes.begin());
  const std::uint8_t next_header = first_bytes[unfragmentable_len];  // the fragment header's
  const bool rebuilt = ipv6_rewrite_unfragmentable(
      bytes.first(unfragmentable_len), unfragmentable_len - Ipv6Repr::header_len + total,
      next_header);
  drop(index);
  if (!rebuilt) {  // add() took the offset from a walk of this very chain
    ++stats_->drop_malformed;
    return std::nullopt;
  }
  ++stats_->reass_ok;
  return out;
}

std::optional<PacketBuf> Ipv6Reassembly::atomic(PacketBuf&& packet, const Ipv6Repr& ip,
                                                std::size_t unfragmentable_len,
                                                std::uint8_t next_header) {
  // Close the gap the fragment header leaves: the unfragmentable part moves
  // 8 bytes towards the data, in place.
  Bytes bytes = packet.data();
  std::copy_backward(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(unfragmentable_len),
                     bytes.begin() + static_cast<std::ptrdiff_t>(unfragmentable_len +
                                                                 Ipv6FragmentHeader::header_len));
  packet.consume(Ipv6FragmentHeader::header_len);
  Bytes unfragmentable = packet.data().first(unfragmentable_len);
  // The last Next Header of the moved part still names the fragment header,
  // which the rewrite checks and replaces.
  if (!ipv6_rewrite_unfragmentable(unfragmentable,
                                   ip.payload.size() - Ipv6FragmentHeader::header_len,
                                   next_header)) {
    ++stats_->drop_malformed;
    return std::nullopt;
  }
  ++stats_->atomic;
  return std::move(packet);
}

std::optional<PacketBuf> Ipv6Reassembly::add(PacketBuf&& packet, const Ipv6Repr& ip,
                                             std::size_t fragment_header_offset,
                                             const Ipv6FragmentHeader& fragment, NetifId netif,
                                             Instant now) {
  // Taken whatever happens: a dropped fragment's buffer goes back now.
  PacketBuf taken = std::move(packet);
  if (ip.payload.size() < fragment_header_offset + Ipv6FragmentHeader::header_len ||
      taken.size() < Ipv6Repr::header_len + ip.payload.size()) {
    ++stats_->drop_malformed;
    return std::nullopt;
  }
  taken.truncate(Ipv6Repr::header_len + ip.payload.size());
  const std::size_t unfragmentable_len = Ipv6Repr::header_len + fragment_header_offset;
  if (fragment.is_atomic()) {
    return atomic(std::move(taken), ip, unfragmentable_len, fragment.next_header);
  }
  const auto offset = static_cast<std::uint32_t>(fragment.fragment_offset);
  const auto length = static_cast<std::uint32_t>(ip.payload.size() - fragment_header_offset -
                                                 Ipv6FragmentHeader::header_len);
  const std::uint32_t end = offset + length;
  if (length == 0 || (fragment.more_fragments && length % 8 != 0)) {
    ++stats_->drop_malformed;
    return std::nullopt;
  }
  if (fragment_header_offset + end > max_payload ||
      (offset == 0 && unfragmentable_len > max_unfragmentable_len)) {
    ++stats_->reass_too_big;
    return std::nullopt;
  }
  const std::optional<std::size_t> index =
      find_or_create(ip, fragment.identification, netif, now);
  if (!index) return std::nullopt;
  Datagram& d = datagrams_[*index];

  if (!fragment.more_fragments) {
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
  const ConstBytes data = ConstBytes(taken.data()).subspan(
      unfragmentable_len + Ipv6FragmentHeader::header_len, length);
  switch (d.received.insert(offset, end)) {
    case ByteRanges::Insert::Ok:
      break;
    case ByteRanges::Insert::Overlap:
      // The same bytes again (a fragment sent or carried twice): only the
      // copy goes, as RFC 5722's erratum 3089 and Linux have it. Bytes that
      // differ could be read two ways: the whole datagram goes.
      if (holds(*index, offset, data)) {
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
  // The first fragment's extension headers and the last one's end together
  // may exceed what one payload can be.
  const Held* first = offset == 0 ? nullptr : first_fragment(*index);
  const std::size_t extension_len =
      offset == 0 ? fragment_header_offset
                  : (first != nullptr ? first->unfragmentable_len - Ipv6Repr::header_len : 0);
  if (d.total && extension_len + *d.total > max_payload) {
    ++stats_->reass_too_big;
    drop(*index);
    return std::nullopt;
  }
  Held held;
  held.packet = std::move(taken);
  held.data_at = static_cast<std::uint16_t>(unfragmentable_len + Ipv6FragmentHeader::header_len);
  held.unfragmentable_len = static_cast<std::uint16_t>(unfragmentable_len);
  held.offset = offset;
  held.first = offset == 0;
  if (!store(*index, std::move(held))) {
    drop(*index);
    return std::nullopt;
  }
  if (offset == 0) d.have_first = true;
  if (d.have_first && d.total && d.received.covers(*d.total)) return complete(*index);
  return std::nullopt;
}

}  // namespace lwnet
