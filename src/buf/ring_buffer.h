// A byte ring over storage it does not own: a TCP connection's send buffer
// (data kept until acknowledged, re-read for retransmission) or receive
// buffer (out-of-order data written ahead of the tail, committed when the
// gap fills). Core thread only.
#pragma once

#include <cstddef>
#include <utility>

#include "util/bytes.h"

namespace lwnet {

class RingBuffer {
 public:
  RingBuffer() = default;
  explicit RingBuffer(Bytes storage) : storage_(storage) {}

  std::size_t capacity() const { return storage_.size(); }
  std::size_t size() const { return size_; }
  std::size_t free_space() const { return storage_.size() - size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == storage_.size(); }

  // Appends as much of data as fits; returns the bytes taken.
  std::size_t write(ConstBytes data);
  // Copies from the front into out and drops what was copied; returns it.
  std::size_t read(Bytes out);
  // Copies bytes [offset, offset + out.size()) counted from the front,
  // without dropping them; returns the bytes copied (fewer at the end).
  std::size_t peek(std::size_t offset, Bytes out) const;
  // Drops n bytes from the front (n <= size()).
  void consume(std::size_t n);

  // Writes data at `offset` bytes past the end of the stored data without
  // making it readable (out-of-order arrival); returns the bytes written,
  // fewer when they would not fit in the free space.
  std::size_t write_ahead(std::size_t offset, ConstBytes data);
  // Makes n bytes written by write_ahead (or just beyond the end) readable.
  void commit(std::size_t n);

  // How many bytes from the start of the storage were ever written (the
  // whole storage once a write wrapped; after relocate(), the larger of the
  // two storages). The rest was never touched, so it need not be resident.
  std::size_t touched() const { return touched_; }

  // The stored data as at most two contiguous spans (for zero-copy output).
  std::pair<ConstBytes, ConstBytes> readable() const;
  // Empties the ring (and forgets the storage position).
  void clear() { head_ = size_ = 0; }

  // Moves to new storage (a buffer resized at run time; it may overlap the
  // old one), keeping the first `keep` bytes from the front: the stored
  // data and, beyond it, whatever write_ahead() put there. False, and
  // nothing changes, when keep < size() or keep > the new capacity.
  bool relocate(Bytes storage, std::size_t keep);
  // Gives the storage up (a connection in TIME-WAIT lending its buffers),
  // dropping what is stored: no capacity left. touched() still describes
  // the storage given up, for whoever takes it next.
  void release_storage() {
    storage_ = {};
    head_ = size_ = 0;
  }

 private:
  std::size_t wrap(std::size_t position) const {
    return position >= storage_.size() ? position - storage_.size() : position;
  }

  Bytes storage_;
  std::size_t head_ = 0;  // index of the first stored byte
  std::size_t size_ = 0;
  std::size_t touched_ = 0;
};

}  // namespace lwnet
