#include "buf/buf_pool.h"

#include <utility>

#include "util/assert.h"

namespace lwnet {

PacketBuf::PacketBuf(Key, BufPool* pool, std::uint32_t index, std::size_t headroom) {
  const auto mark = static_cast<std::uint32_t>(headroom);
  s_ = State{pool, pool->storage_.get() + std::size_t{index} * pool->buffer_size_, index, pool->buffer_size_,
             headroom, 0, {mark, mark, mark}, false};
}

PacketBuf::PacketBuf(PacketBuf&& other) noexcept : s_(other.s_) { other.forget(); }

PacketBuf& PacketBuf::operator=(PacketBuf&& other) noexcept {
  if (this != &other) {
    release();
    s_ = other.s_;
    other.forget();
  }
  return *this;
}

void PacketBuf::forget() { s_ = State{}; }

PacketBuf::~PacketBuf() { release(); }

void PacketBuf::release() {
  if (s_.pool_ != nullptr) {
    s_.pool_->give_back(s_.index_);
    forget();
  }
}

Bytes PacketBuf::push(std::size_t n) {
  LWNET_ASSERT(n <= s_.head_);
  s_.head_ -= n;
  s_.size_ += n;
  return Bytes(s_.base_ + s_.head_, n);
}

void PacketBuf::consume(std::size_t n) {
  LWNET_ASSERT(n <= s_.size_);
  s_.head_ += n;
  s_.size_ -= n;
}

Bytes PacketBuf::append(std::size_t n) {
  LWNET_ASSERT(n <= tailroom());
  Bytes added(s_.base_ + s_.head_ + s_.size_, n);
  s_.size_ += n;
  return added;
}

void PacketBuf::truncate(std::size_t n) {
  LWNET_ASSERT(n <= s_.size_);
  s_.size_ = n;
}

void PacketBuf::reset(std::size_t headroom) {
  LWNET_ASSERT(headroom <= s_.capacity_);
  s_.head_ = headroom;
  s_.size_ = 0;
  s_.marks_.fill(static_cast<std::uint32_t>(headroom));
  s_.checksum_trusted_ = false;
}

ConstBytes PacketBuf::from_mark(Layer layer) const {
  std::size_t start = s_.marks_[static_cast<std::size_t>(layer)];
  std::size_t end = s_.head_ + s_.size_;
  if (start > end) return {};
  return ConstBytes(s_.base_ + start, end - start);
}

BufPool::BufPool(std::size_t count, std::size_t buffer_size)
    : buffer_size_(buffer_size),
      // Not zero-filled: untouched buffers stay out of the resident set.
      storage_(std::make_unique_for_overwrite<std::uint8_t[]>(count * buffer_size)),
      free_list_(std::make_unique_for_overwrite<std::uint32_t[]>(count)),  // every entry written below
      free_count_(count) {
  stats_.capacity = count;
  // Hand out low indices first: easier to read in a debugger.
  for (std::size_t i = 0; i < count; ++i) {
    free_list_[i] = static_cast<std::uint32_t>(count - 1 - i);
  }
}

BufPool::~BufPool() { LWNET_ASSERT(stats_.used == 0 && "a PacketBuf outlived its BufPool"); }

std::optional<PacketBuf> BufPool::allocate(std::size_t headroom) {
  if (free_count_ == 0 || headroom > buffer_size_) {
    ++stats_.failures;
    return std::nullopt;
  }
  std::uint32_t index = free_list_[--free_count_];
  ++stats_.used;
  if (stats_.used > stats_.max_used) stats_.max_used = stats_.used;
  return std::optional<PacketBuf>(std::in_place, PacketBuf::Key{}, this, index, headroom);
}

void BufPool::give_back(std::uint32_t index) {
  LWNET_ASSERT(free_count_ < stats_.capacity);
  free_list_[free_count_++] = index;
  --stats_.used;
}

std::optional<PacketBuf> Pools::allocate(std::size_t headroom, std::size_t payload) {
  if (headroom + payload <= frames.buffer_size()) return frames.allocate(headroom);
  if (headroom + payload <= large.buffer_size()) return large.allocate(headroom);
  return std::nullopt;
}

}  // namespace lwnet
