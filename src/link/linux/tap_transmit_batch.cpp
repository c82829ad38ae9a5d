#include "link/linux/tap_transmit_batch.h"

#include <cerrno>
#include <cstring>

#if LWNET_HAVE_LIBURING
#include <liburing.h>
#endif

namespace lwnet {

#if LWNET_HAVE_LIBURING

struct TapTransmitBatch::Ring {
  io_uring ring{};
  ~Ring() { io_uring_queue_exit(&ring); }
};

std::unique_ptr<TapTransmitBatch> TapTransmitBatch::create(int fd, std::size_t slot_size) {
  auto ring = std::make_unique<Ring>();
  if (io_uring_queue_init(capacity, &ring->ring, 0) < 0) return nullptr;
  return std::make_unique<TapTransmitBatch>(Key{}, fd, slot_size, std::move(ring));
}

void TapTransmitBatch::flush(DeviceStats& stats, int& last_error) {
  if (count_ == 0) return;
  std::size_t prepared = 0;
  for (; prepared < count_; ++prepared) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_->ring);
    // The queue has room for `capacity` entries and every flush empties it.
    if (sqe == nullptr) break;
    io_uring_prep_write(sqe, fd_, slots_.get() + prepared * slot_size_,
                        static_cast<unsigned>(header_sizes_[prepared] + lengths_[prepared]), 0);
    io_uring_sqe_set_data64(sqe, prepared);
  }
  if (prepared < count_) {
    stats.tx_dropped += count_ - prepared;
    last_error = EBUSY;
    failed_ = true;
  }
  std::size_t done = 0;
  int result = io_uring_submit_and_wait(&ring_->ring, static_cast<unsigned>(prepared));
  while (done < prepared) {
    if (result < 0 && result != -EINTR) {
      // io_uring itself failed: what it did not report is lost, as a failed
      // write's frame is, and the device writes frame by frame from now on.
      stats.tx_dropped += prepared - done;
      last_error = -result;
      failed_ = true;
      break;
    }
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_->ring, head, cqe) {
      const auto i = static_cast<std::size_t>(io_uring_cqe_get_data64(cqe));
      if (cqe->res >= 0 && static_cast<std::size_t>(cqe->res) == header_sizes_[i] + lengths_[i]) {
        ++stats.tx_frames;
        stats.tx_bytes += lengths_[i];
      } else {
        ++stats.tx_dropped;
        last_error = cqe->res < 0 ? -cqe->res : EIO;
      }
      ++seen;
    }
    io_uring_cq_advance(&ring_->ring, seen);
    done += seen;
    if (done < prepared) result = io_uring_submit_and_wait(&ring_->ring, 1);
  }
  count_ = 0;
}

#else

struct TapTransmitBatch::Ring {};

std::unique_ptr<TapTransmitBatch> TapTransmitBatch::create(int, std::size_t) { return nullptr; }

void TapTransmitBatch::flush(DeviceStats&, int&) { count_ = 0; }

#endif

TapTransmitBatch::TapTransmitBatch(Key, int fd, std::size_t slot_size, std::unique_ptr<Ring> ring)
    : fd_(fd),
      slot_size_(slot_size),
      ring_(std::move(ring)),
      // Not zero-filled: slots a light load never reaches stay out of the
      // resident set.
      slots_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity * slot_size)) {}

TapTransmitBatch::~TapTransmitBatch() = default;

bool TapTransmitBatch::add(const void* header, std::size_t header_size, ConstBytes frame) {
  if (count_ == capacity || header_size + frame.size() > slot_size_) return false;
  std::uint8_t* slot = slots_.get() + count_ * slot_size_;
  if (header_size > 0) std::memcpy(slot, header, header_size);
  std::memcpy(slot + header_size, frame.data(), frame.size());
  header_sizes_[count_] = header_size;
  lengths_[count_] = frame.size();
  ++count_;
  return true;
}

}  // namespace lwnet
