// Frames written to a TAP together, with one system call (io_uring): what
// TapDevice::transmit() takes during a poll (Device::begin_batch() to
// end_batch()). Per frame, a write(2) on this kind of machine costs more in
// entering and leaving the kernel than in the kernel's own work: frames
// submitted 16 at a time cost about half (tests/bench: lwnet without
// offload, stack -> Linux). The kernel carries each write out at once, in
// order, inside the one io_uring_enter(2).
//
// Without liburing at build time, or where the kernel refuses io_uring
// (io_uring_disabled, a seccomp filter), create() gives nullptr and frames
// are written one by one as before. Core thread only.
#pragma once

#include <cstddef>
#include <memory>

#include "link/device.h"
#include "util/bytes.h"

namespace lwnet {

class TapTransmitBatch {
 public:
  static constexpr std::size_t capacity = 16;

  // For descriptor `fd`, frames of up to `slot_size` bytes (net header
  // included); nullptr when io_uring is not available.
  static std::unique_ptr<TapTransmitBatch> create(int fd, std::size_t slot_size);
  ~TapTransmitBatch();
  TapTransmitBatch(const TapTransmitBatch&) = delete;
  TapTransmitBatch& operator=(const TapTransmitBatch&) = delete;

  // Copies `header` (header_size bytes, may be 0) and `frame` behind it into
  // the next slot; false, nothing held, when they do not fit a slot or the
  // batch is full.
  bool add(const void* header, std::size_t header_size, ConstBytes frame);
  bool full() const { return count_ == capacity; }
  bool empty() const { return count_ == 0; }
  // False once io_uring failed (not for a write's own error): the device
  // writes frame by frame from then on.
  bool usable() const { return !failed_; }
  // Writes every held frame, in order, and waits until the kernel took
  // them. Each counts in `stats` as a write(2) would: tx_frames and
  // tx_bytes (the frame without its net header), or tx_dropped with
  // `last_error` set to the write's errno.
  void flush(DeviceStats& stats, int& last_error);

 private:
  struct Ring;
  struct Key {
    explicit Key() = default;
  };

 public:
  // For create() only (Key is private).
  TapTransmitBatch(Key, int fd, std::size_t slot_size, std::unique_ptr<Ring> ring);

 private:
  int fd_;
  std::size_t slot_size_;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<std::uint8_t[]> slots_;
  std::size_t lengths_[capacity] = {};
  std::size_t header_sizes_[capacity] = {};
  std::size_t count_ = 0;
  bool failed_ = false;
};

}  // namespace lwnet
