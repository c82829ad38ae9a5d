// Tracks which byte ranges beyond the contiguous end of a TCP receive buffer
// have arrived out of order. The bytes themselves live in the RingBuffer
// (written with write_ahead); this only keeps the ranges, at most Capacity
// of them (CONFIG_LWIP_TCP_OOSEQ_MAX_PBUFS plays that role in lwIP).
// Core thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace lwnet {

struct ByteRange {
  std::size_t start = 0;  // offset from the contiguous end
  std::size_t end = 0;    // one past the last byte
  bool operator==(const ByteRange&) const = default;
};

template <std::size_t Capacity>
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
    ByteRange incoming{offset, offset + size};
    // Merge with every range it overlaps or touches.
    std::size_t write = 0;
    bool inserted = false;
    std::array<ByteRange, Capacity + 1> merged{};
    for (std::size_t i = 0; i < count_; ++i) {
      const ByteRange& r = ranges_[i];
      if (r.end < incoming.start) {
        merged[write++] = r;
      } else if (incoming.end < r.start) {
        if (!inserted) { merged[write++] = incoming; inserted = true; }
        merged[write++] = r;
      } else {
        incoming.start = incoming.start < r.start ? incoming.start : r.start;
        incoming.end = incoming.end > r.end ? incoming.end : r.end;
      }
    }
    if (!inserted) merged[write++] = incoming;
    // A range that now starts at 0 leaves at once, so it needs no slot.
    std::size_t contiguous = merged[0].start == 0 ? merged[0].end : 0;
    std::size_t first_kept = contiguous != 0 ? 1 : 0;
    if (write - first_kept > Capacity) {
      accepted = false;
      return 0;
    }
    count_ = 0;
    for (std::size_t i = first_kept; i < write; ++i) {
      ranges_[count_++] = {merged[i].start - contiguous, merged[i].end - contiguous};
    }
    last_added_ = {incoming.start > contiguous ? incoming.start - contiguous : 0,
                   incoming.end > contiguous ? incoming.end - contiguous : 0};
    return contiguous;
  }

  std::size_t range_count() const { return count_; }
  const ByteRange& range(std::size_t i) const { return ranges_[i]; }
  bool empty() const { return count_ == 0; }
  void clear() { count_ = 0; }
  // The range that the last add() produced after merging (RFC 2018: the
  // first SACK block reports the most recently received data).
  const ByteRange& last_added() const { return last_added_; }

 private:
  std::array<ByteRange, Capacity> ranges_{};
  std::size_t count_ = 0;
  ByteRange last_added_{};
};

}  // namespace lwnet
