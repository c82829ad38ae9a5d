#include "transport/tcp/tcp_send_queue.h"

#include <algorithm>
#include <limits>

#include "util/assert.h"

namespace lwnet {

std::size_t TcpSendQueue::write(ConstBytes data) { return ring_.write(data); }

Status TcpSendQueue::write_reference(ConstBytes data, ZeroCopyCompletion done) {
  if (data.empty() || data.size() > std::numeric_limits<std::uint32_t>::max() ||
      done.function == nullptr) {
    return Error::InvalidArgument;
  }
  if (references_full()) return Error::NoBuffers;
  // The ring bytes written since the last reference go before this one.
  const std::size_t before = ring_.size() - ring_bytes_before_references_;
  Reference& r = reference(reference_count_);
  r.data = data.data();
  r.length = static_cast<std::uint32_t>(data.size());
  r.ring_bytes_before = static_cast<std::uint32_t>(before);
  r.done = done;
  ++reference_count_;
  referenced_bytes_ += data.size();
  ring_bytes_before_references_ += before;
  return {};
}

void TcpSendQueue::add_ring_bytes(std::size_t ring_offset, std::size_t n,
                                  SegmentPayload& payload) const {
  auto [first, second] = ring_.readable();
  while (n > 0 && payload.count < SegmentPayload::max_pieces) {
    const bool in_first = ring_offset < first.size();
    const ConstBytes part = in_first ? first.subspan(ring_offset) : second.subspan(ring_offset - first.size());
    const std::size_t take = std::min(n, part.size());
    payload.pieces[payload.count++] = part.first(take);
    payload.size += take;
    ring_offset += take;
    n -= take;
  }
}

std::size_t TcpSendQueue::gather(std::size_t offset, std::size_t length,
                                 SegmentPayload& payload) const {
  payload.count = 0;
  payload.size = 0;
  const std::size_t end = std::min(offset + length, size());
  if (offset >= end) return 0;
  // Walk the stream: ring run, reference, ring run, ..., trailing ring run.
  std::size_t position = 0;       // stream offset of the current part
  std::size_t ring_position = 0;  // ring offset of the current ring run
  const auto take_part = [&](std::size_t part_length, auto add) {
    // Plain comparisons: std::max and std::min kept their operands in
    // memory on Cortex-M.
    const std::size_t from = offset > position ? offset : position;
    const std::size_t part_end = position + part_length;
    const std::size_t to = end < part_end ? end : part_end;
    if (from < to && payload.size == from - offset) add(from - position, to - from);
    position += part_length;
  };
  // The trailing ring run is the last pass's: one copy of the ring's part.
  for (std::size_t i = 0; i <= reference_count_ && position < end; ++i) {
    const bool trailing = i == reference_count_;
    const std::size_t ring_run = trailing ? ring_.size() - ring_position : reference(i).ring_bytes_before;
    take_part(ring_run, [&](std::size_t skip, std::size_t n) {
      add_ring_bytes(ring_position + skip, n, payload);
    });
    if (trailing) break;
    ring_position += ring_run;
    const Reference& r = reference(i);
    take_part(r.length, [&](std::size_t skip, std::size_t n) {
      if (payload.count == SegmentPayload::max_pieces) return;
      payload.pieces[payload.count++] = ConstBytes(r.data + skip, n);
      payload.size += n;
    });
  }
  return payload.size;
}

void TcpSendQueue::pop_front(bool delivered) {
  // Off the queue before the callback runs: it may free the memory.
  const ZeroCopyCompletion done = reference(0).done;
  referenced_bytes_ -= reference(0).length;
  ring_bytes_before_references_ -= reference(0).ring_bytes_before;
  reference(0) = Reference{};
  first_ = (first_ + 1) % references_.size();
  --reference_count_;
  done.function(done.context, delivered);
}

void TcpSendQueue::consume(std::size_t n) {
  LWNET_ASSERT(n <= size());
  while (n > 0 && reference_count_ > 0) {
    Reference& r = reference(0);
    const std::size_t ring_part = std::min<std::size_t>(n, r.ring_bytes_before);
    ring_.consume(ring_part);
    r.ring_bytes_before -= static_cast<std::uint32_t>(ring_part);
    ring_bytes_before_references_ -= ring_part;
    n -= ring_part;
    const std::size_t referenced_part = std::min<std::size_t>(n, r.length);
    r.data += referenced_part;
    r.length -= static_cast<std::uint32_t>(referenced_part);
    referenced_bytes_ -= referenced_part;
    n -= referenced_part;
    if (r.length == 0 && r.ring_bytes_before == 0) pop_front(true);
  }
  ring_.consume(std::min(n, ring_.size()));
}

void TcpSendQueue::release_all() {
  ring_.consume(ring_.size());
  while (reference_count_ > 0) {
    reference(0).ring_bytes_before = 0;
    ring_bytes_before_references_ = 0;
    pop_front(false);
  }
}

}  // namespace lwnet
