// Fixed pools of equal-sized buffers and the PacketBuf that owns one of them.
// All memory is taken once, when the pool is built; allocation afterwards is a
// free-list pop, and an empty pool is a counted failure, never a malloc.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "util/bytes.h"

namespace lwnet {

class BufPool;

// Layers whose header start a PacketBuf remembers (gVisor's PacketBuffer
// idea): the ICMP error path needs the offending IP header after the IP
// layer has consumed it.
enum class Layer : std::uint8_t { Link = 0, Network = 1, Transport = 2 };

// Move-only owner of one pool buffer. The payload is the window
// [head, head + size) of the buffer; headers are pushed in front on output
// and consumed from the front on input. Core thread only (like its pool).
class PacketBuf {
  // What only BufPool can make: the constructor that takes a buffer is
  // public for std::optional to build a PacketBuf in place (no PacketBuf
  // built aside and moved in), yet only BufPool can call it.
  class Key {
    friend class BufPool;
    Key() = default;
  };

 public:
  PacketBuf() = default;
  // Buffer `index` of `pool`, its payload empty after `headroom` bytes.
  PacketBuf(Key key, BufPool* pool, std::uint32_t index, std::size_t headroom);
  PacketBuf(PacketBuf&& other) noexcept;
  PacketBuf& operator=(PacketBuf&& other) noexcept;
  PacketBuf(const PacketBuf&) = delete;
  PacketBuf& operator=(const PacketBuf&) = delete;
  ~PacketBuf();

  bool valid() const { return s_.pool_ != nullptr; }
  // Inline: a call returns the span through memory, which costs each
  // caller more code than the three loads it hides.
  Bytes data() { return Bytes(s_.base_ + s_.head_, s_.size_); }
  ConstBytes data() const { return ConstBytes(s_.base_ + s_.head_, s_.size_); }
  std::size_t size() const { return s_.size_; }
  std::size_t headroom() const { return s_.head_; }
  std::size_t tailroom() const { return s_.capacity_ - s_.head_ - s_.size_; }
  std::size_t capacity() const { return s_.capacity_; }

  // Grows the payload at the front by n bytes and returns them (a new header).
  // The caller checked headroom() >= n.
  Bytes push(std::size_t n);
  // Drops n bytes from the front (a parsed header). n <= size().
  void consume(std::size_t n);
  // Grows the payload at the back by n bytes and returns them. n <= tailroom().
  Bytes append(std::size_t n);
  // Keeps the first n bytes (drops trailing padding). n <= size().
  void truncate(std::size_t n);
  // Empties the payload and puts its start `headroom` bytes into the buffer.
  void reset(std::size_t headroom);

  // Remembers that the current front is where `layer`'s header starts.
  void mark(Layer layer) { s_.marks_[static_cast<std::size_t>(layer)] = static_cast<std::uint32_t>(s_.head_); }
  // The bytes from `layer`'s marked header start to the end of the payload.
  ConstBytes from_mark(Layer layer) const;

  // Returns the buffer to its pool now (also done by the destructor).
  void release();

  // The device vouches for the transport checksum of this received frame
  // (the host checked it, or the frame comes from the host's own stack and
  // never crossed a wire): the transport need not sum the payload again.
  // reset() and release() clear it.
  bool checksum_trusted() const { return s_.checksum_trusted_; }
  void set_checksum_trusted(bool trusted) { s_.checksum_trusted_ = trusted; }

 private:
  friend class BufPool;
  // Leaves a buffer without its storage (what a move and release() leave).
  void forget();

  // One plain struct, so that a move copies it as a block and a buffer
  // given up is reset with one store of an empty State.
  struct State {
    BufPool* pool_ = nullptr;
    std::uint8_t* base_ = nullptr;
    std::uint32_t index_ = 0;
    std::size_t capacity_ = 0;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
    std::array<std::uint32_t, 3> marks_{};
    bool checksum_trusted_ = false;
  };
  State s_;
};

struct PoolStats {
  std::size_t capacity = 0;   // buffers in the pool
  std::size_t used = 0;       // allocated now
  std::size_t max_used = 0;   // high-water mark
  std::size_t failures = 0;   // allocations refused because the pool was empty
};

// Core thread only.
class BufPool {
 public:
  BufPool(std::size_t count, std::size_t buffer_size);
  // Every PacketBuf must be gone by now: one that outlived its pool would
  // hand its buffer back to freed memory (asserted in debug builds).
  ~BufPool();
  BufPool(const BufPool&) = delete;
  BufPool& operator=(const BufPool&) = delete;

  // A buffer with `headroom` bytes reserved in front of an empty payload, or
  // nullopt (counted in stats().failures) when the pool is empty.
  std::optional<PacketBuf> allocate(std::size_t headroom);
  const PoolStats& stats() const { return stats_; }
  std::size_t buffer_size() const { return buffer_size_; }

 private:
  friend class PacketBuf;
  void give_back(std::uint32_t index);

  std::size_t buffer_size_;
  std::unique_ptr<std::uint8_t[]> storage_;
  std::unique_ptr<std::uint32_t[]> free_list_;
  std::size_t free_count_;
  PoolStats stats_;
};

// The two pools of a stack: Ethernet-frame buffers and whole-datagram buffers
// (reassembly output, large datagrams to be fragmented). Core thread only.
struct Pools {
  BufPool frames;
  BufPool large;
  Pools(std::size_t frame_count, std::size_t frame_size, std::size_t large_count,
        std::size_t large_size)
      : frames(frame_count, frame_size), large(large_count, large_size) {}
  // A buffer whose tailroom after `headroom` holds `payload` bytes: a frame
  // buffer when it fits, else a large one. nullopt when none is free or none
  // is big enough.
  std::optional<PacketBuf> allocate(std::size_t headroom, std::size_t payload);
  std::size_t in_use() const { return frames.stats().used + large.stats().used; }
};

}  // namespace lwnet
