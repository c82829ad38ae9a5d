#include "buf/ring_buffer.h"

#include <algorithm>
#include <cstring>

#include "util/assert.h"

namespace lwnet {

std::size_t RingBuffer::write(ConstBytes data) {
  // Nothing to copy touches nothing (write_ahead would note its position).
  if (data.empty()) return 0;
  const std::size_t n = write_ahead(0, data);
  size_ += n;
  return n;
}

std::size_t RingBuffer::peek(std::size_t offset, Bytes out) const {
  if (offset >= size_) return 0;
  std::size_t n = std::min(out.size(), size_ - offset);
  std::size_t at = wrap(head_ + offset);
  std::size_t first = std::min(n, storage_.size() - at);
  std::memcpy(out.data(), storage_.data() + at, first);
  std::memcpy(out.data() + first, storage_.data(), n - first);
  return n;
}

std::size_t RingBuffer::read(Bytes out) {
  std::size_t n = peek(0, out);
  consume(n);
  return n;
}

void RingBuffer::consume(std::size_t n) {
  LWNET_ASSERT(n <= size_);
  // head_ keeps moving even when the ring empties: data written ahead of
  // the tail (out-of-order segments) must stay where it is.
  size_ -= n;
  head_ = wrap(head_ + n);
}

std::size_t RingBuffer::write_ahead(std::size_t offset, ConstBytes data) {
  if (offset >= free_space()) return 0;
  const std::size_t n = std::min(data.size(), free_space() - offset);
  // Copied in at `at`, wrapping at the end of the storage.
  const std::size_t at = wrap(head_ + size_ + offset);
  const std::size_t first = std::min(n, storage_.size() - at);
  std::memcpy(storage_.data() + at, data.data(), first);
  std::memcpy(storage_.data(), data.data() + first, n - first);
  touched_ = first < n ? storage_.size() : std::max(touched_, at + first);
  return n;
}

void RingBuffer::commit(std::size_t n) {
  LWNET_ASSERT(n <= free_space());
  size_ += n;
}

bool RingBuffer::relocate(Bytes storage, std::size_t keep) {
  if (keep < size_ || keep > storage.size() || keep > storage_.size()) return false;
  // Rotating in place first puts the kept bytes at the start of the old
  // storage, so one memmove is right even when the two areas overlap.
  if (!storage_.empty()) std::rotate(storage_.begin(), storage_.begin() + static_cast<std::ptrdiff_t>(head_), storage_.end());
  if (keep > 0 && storage.data() != storage_.data()) std::memmove(storage.data(), storage_.data(), keep);
  // The rotation wrote all of the old storage.
  touched_ = std::max(storage_.size(), storage.size());
  storage_ = storage;
  head_ = 0;
  return true;
}

std::pair<ConstBytes, ConstBytes> RingBuffer::readable() const {
  std::size_t first = std::min(size_, storage_.size() - head_);
  return {ConstBytes(storage_.data() + head_, first), ConstBytes(storage_.data(), size_ - first)};
}

}  // namespace lwnet
