// A connection's outgoing byte stream, kept until acknowledged: bytes copied
// into the send ring, interleaved with zero-copy writes that reference the
// caller's memory until the peer acknowledges their last byte.
//
// The stream is ring bytes and references in write order. Each reference
// records how many ring bytes come before it (after the previous
// reference), so the ring stays one FIFO and a reference costs 32 bytes.
// Core thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "buf/ring_buffer.h"
#include "config/options.h"
#include "util/bytes.h"
#include "util/result.h"

namespace lwnet {

// What the stack runs when it lets go of a zero-copy write's memory:
// `delivered` is true when the peer acknowledged every byte, false when the
// connection dropped them (reset, abort, timeout). It runs on the core
// thread while the stack is processing; it may free or reuse the memory
// but must not call into the stack.
struct ZeroCopyCompletion {
  void (*function)(void* context, bool delivered) = nullptr;
  void* context = nullptr;
};

// One segment's payload as a gather list: the pieces in order.
struct SegmentPayload {
  static constexpr std::size_t max_pieces = 8;
  std::array<ConstBytes, max_pieces> pieces{};
  std::size_t count = 0;
  std::size_t size = 0;
  std::span<const ConstBytes> view() const { return {pieces.data(), count}; }
};

class TcpSendQueue {
 public:
  explicit TcpSendQueue(Bytes storage) : ring_(storage) {}
  TcpSendQueue(const TcpSendQueue&) = delete;
  TcpSendQueue& operator=(const TcpSendQueue&) = delete;
  // References still held complete with delivered = false.
  ~TcpSendQueue() { release_all(); }

  // Bytes queued: copied and referenced.
  std::size_t size() const { return ring_.size() + referenced_bytes_; }
  // Room for copied bytes (references do not use the ring).
  std::size_t free_space() const { return ring_.free_space(); }
  std::size_t capacity() const { return ring_.capacity(); }
  std::size_t copied_bytes() const { return ring_.size(); }
  // Bytes of the storage ever written (RingBuffer::touched()).
  std::size_t touched() const { return ring_.touched(); }
  std::size_t references() const { return reference_count_; }
  bool references_full() const { return reference_count_ == references_.size(); }

  // Copies as much of data as fits behind what is queued; returns it.
  std::size_t write(ConstBytes data);
  // Queues data by reference. NoBuffers when CONFIG_LWNET_TCP_ZERO_COPY_WRITES
  // references are already held, InvalidArgument for an empty or over-4-GiB
  // span or a completion without a function.
  Status write_reference(ConstBytes data, ZeroCopyCompletion done);
  // Fills payload with bytes [offset, offset + length) of the stream, fewer
  // when they need more than SegmentPayload::max_pieces pieces; returns the
  // bytes gathered.
  std::size_t gather(std::size_t offset, std::size_t length, SegmentPayload& payload) const;
  // Drops n acknowledged bytes from the front (n <= size()); references
  // wholly dropped complete with delivered = true.
  void consume(std::size_t n);
  // Drops everything; references complete with delivered = false.
  void release_all();
  // Moves the copied bytes to new storage of another size (SO_SNDBUF on a
  // live connection); false when they would not fit.
  bool relocate(Bytes storage) { return ring_.relocate(storage, ring_.size()); }
  // RingBuffer::release_storage(), for an empty queue (size() == 0).
  void release_storage() { ring_.release_storage(); }

 private:
  struct Reference {
    const std::uint8_t* data = nullptr;
    std::uint32_t length = 0;
    std::uint32_t ring_bytes_before = 0;  // ring bytes between the previous reference and this one
    ZeroCopyCompletion done;
  };
  Reference& reference(std::size_t i) { return references_[(first_ + i) % references_.size()]; }
  const Reference& reference(std::size_t i) const {
    return references_[(first_ + i) % references_.size()];
  }
  void pop_front(bool delivered);
  // Adds ring bytes [ring_offset, ring_offset + n) to payload, at most two pieces.
  void add_ring_bytes(std::size_t ring_offset, std::size_t n, SegmentPayload& payload) const;

  RingBuffer ring_;
  std::array<Reference, config::tcp_zero_copy_writes> references_{};
  std::size_t first_ = 0;
  std::size_t reference_count_ = 0;
  std::size_t referenced_bytes_ = 0;
  std::size_t ring_bytes_before_references_ = 0;  // sum of ring_bytes_before
};

}  // namespace lwnet
