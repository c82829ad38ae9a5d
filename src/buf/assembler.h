// Tracks which byte ranges beyond the contiguous end of a TCP receive buffer
// have arrived out of order. The bytes themselves live in the RingBuffer
// (written with write_ahead); this only keeps the ranges, at most Capacity
// of them (CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS plays that role in lwIP).
// Core thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace lwnet {

// No member initialisers: Assembler leaves the slots past its count
// unwritten (see ranges_).
struct ByteRange {
  std::size_t start;  // offset from the contiguous end
  std::size_t end;    // one past the last byte
  bool operator==(const ByteRange&) const = default;
};

// TrackLastAdded: keep last_added() (only SACK output reads it).
template <std::size_t Capacity, bool TrackLastAdded = true>
class Assembler {
 public:
  static_assert(Capacity >= 1);

  // Records bytes [offset, offset + size). Returns how many bytes at the
  // front became contiguous (0 unless the merged range starts at 0); the
  // caller commits that many bytes and every stored range shifts down by it.
  // In-order data is add(0, n): it returns n plus whatever stored ranges it
  // joined. Returns false in `accepted` (and
  // records nothing) when the range would need a new slot and none is free.
  std::size_t add(std::size_t offset, std::size_t size, bool& accepted) {
    accepted = true;
    if (size == 0) return 0;
    std::size_t start = offset;
    std::size_t end = offset + size;
    // The stored ranges are sorted, apart (none touches another) and start
    // after 0; [first, last) are those the new one overlaps or touches,
    // which merge with it into one. Worked out in place, without a merged
    // copy of the table: the table is rewritten only once it is known to fit.
    std::size_t first = 0;
    while (first < count_ && ranges_[first].end < start) ++first;
    std::size_t last = first;
    while (last < count_ && ranges_[last].start <= end) ++last;
    if (last != first) {
      if (ranges_[first].start < start) start = ranges_[first].start;
      if (ranges_[last - 1].end > end) end = ranges_[last - 1].end;
    }
    // A range that now starts at 0 (then first is 0) leaves at once, so it
    // needs no slot.
    const std::size_t contiguous = start == 0 ? end : 0;
    const std::size_t new_count = count_ - (last - first) + (contiguous != 0 ? 0 : 1);
    if (new_count > Capacity) {
      accepted = false;
      return 0;
    }
    // The ranges after the merged ones move to just after its slot (or,
    // when it leaves, to the front, shifted down by what left).
    const std::size_t destination = contiguous != 0 ? 0 : first + 1;
    const std::size_t tail = count_ - last;
    if (tail != 0) std::memmove(&ranges_[destination], &ranges_[last], tail * sizeof(ByteRange));
    for (std::size_t i = 0; i < tail; ++i) {
      ranges_[destination + i].start -= contiguous;
      ranges_[destination + i].end -= contiguous;
    }
    if constexpr (TrackLastAdded) last_added_ = {};
    if (contiguous == 0) {
      ranges_[first] = {start, end};
      if constexpr (TrackLastAdded) last_added_ = ranges_[first];
    }
    count_ = new_count;
    return contiguous;
  }

  std::size_t range_count() const { return count_; }
  const ByteRange& range(std::size_t i) const { return ranges_[i]; }
  bool empty() const { return count_ == 0; }
  void clear() { count_ = 0; }
  // The range that the last add() produced after merging (RFC 2018: the
  // first SACK block reports the most recently received data).
  // Empty when not tracked.
  ByteRange last_added() const {
    if constexpr (TrackLastAdded) return last_added_;
    return {};
  }

 private:
  // Only the first count_ are ever read, so none is cleared here: inside a
  // value-initialised TcpConnectionState a clearing constructor wrote them
  // a second time after the state's own memset.
  std::array<ByteRange, Capacity> ranges_;
  std::size_t count_ = 0;
  struct NoRange {};
  [[no_unique_address]] std::conditional_t<TrackLastAdded, ByteRange, NoRange> last_added_{};
};

}  // namespace lwnet
