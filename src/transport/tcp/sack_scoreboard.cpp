#include "transport/tcp/sack_scoreboard.h"

namespace lwnet {

void SackScoreboard::add_blocks(const TcpRepr& ack, Seq32 una, Seq32 max) {
  if constexpr (!config::tcp_sack_in) return;
  for (std::size_t i = 0; i < ack.sack_count; ++i) {
    Seq32 left(ack.sack_blocks[i].left);
    Seq32 right(ack.sack_blocks[i].right);
    // D-SACKs (below SND.UNA) and nonsense (beyond what we sent) are ignored.
    if (right <= left || right <= una || right > max) continue;
    if (left < una) left = una;
    insert(left, right);
  }
}

void SackScoreboard::insert(Seq32 left, Seq32 right) {
  if constexpr (!config::tcp_sack_in) return;
  std::array<Range, capacity + 1> merged{};
  std::size_t n = 0;
  bool placed = false;
  for (std::size_t i = 0; i < count_; ++i) {
    const Range& r = ranges_[i];
    if (r.right < left) {
      merged[n++] = r;
    } else if (right < r.left) {
      if (!placed) {
        merged[n++] = {left, right};
        placed = true;
      }
      merged[n++] = r;
    } else {
      left = Seq32::min(left, r.left);
      right = Seq32::max(right, r.right);
    }
  }
  if (!placed) merged[n++] = {left, right};
  // Full: keep the highest ranges, which say most about what is lost below.
  const std::size_t skip = n > capacity ? n - capacity : 0;
  count_ = n - skip;
  for (std::size_t i = 0; i < count_; ++i) ranges_[i] = merged[i + skip];
}

void SackScoreboard::acknowledge(Seq32 una) {
  if constexpr (!config::tcp_sack_in) return;
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    Range r = ranges_[i];
    if (r.right <= una) continue;
    if (r.left < una) r.left = una;
    ranges_[n++] = r;
  }
  count_ = n;
}

std::size_t SackScoreboard::sacked_bytes() const {
  if constexpr (!config::tcp_sack_in) return 0;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    total += static_cast<std::size_t>(ranges_[i].right - ranges_[i].left);
  }
  return total;
}

bool SackScoreboard::is_lost(Seq32 seq, std::size_t mss) const {
  if constexpr (!config::tcp_sack_in) return false;
  std::size_t above = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    if (ranges_[i].right <= seq) continue;
    const Seq32 left = Seq32::max(ranges_[i].left, seq + 1);
    above += static_cast<std::size_t>(ranges_[i].right - left);
  }
  return above >= 2 * mss + 1;  // (DupThresh - 1) * SMSS + 1 bytes
}

std::size_t SackScoreboard::next_hole(Seq32 from, Seq32 una, Seq32& start) const {
  if constexpr (!config::tcp_sack_in) return 0;
  Seq32 cursor = Seq32::max(from, una);
  for (std::size_t i = 0; i < count_; ++i) {
    const Range& r = ranges_[i];
    if (cursor < r.left) {
      start = cursor;
      return static_cast<std::size_t>(r.left - cursor);
    }
    if (cursor < r.right) cursor = r.right;
  }
  return 0;
}

}  // namespace lwnet
