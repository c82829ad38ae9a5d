// Two Ethernet devices joined back to back in one process: what one end
// transmits, the other end receives after a fixed latency. Two stacks on a
// PipePair talk to each other under virtual time; next_deadline() of each end
// says when the next frame arrives, so a simulation can jump time to it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "link/device.h"
#include "link/loopback.h"
#include "time/instant.h"

namespace lwnet {

struct PipeConfig {
  Duration latency = Duration::zero();
  std::size_t queue_capacity = 128;  // frames in flight per direction
  std::size_t mtu = 1500;            // largest IP packet; frames may be 14 bytes longer
};

class PipePair;

// One end of a PipePair. Core thread only (the thread that polls the stack
// this end belongs to; a simulation polls both stacks from one thread).
class PipeEnd final : public Device {
 public:
  DeviceCapabilities capabilities() const override;
  // Frames whose arrival time has come, oldest first.
  std::optional<std::size_t> receive(Bytes into, Instant now) override;
  // Queues a copy of `frame` for the other end, arriving at now + latency.
  // False (tx_dropped, and PipePair::dropped()) when that queue is full or
  // the frame is longer than the MTU allows.
  bool transmit(ConstBytes frame, Instant now) override;
  Instant next_deadline() const override { return inbound_.front_ready_at(); }
  const DeviceStats& stats() const override { return stats_; }

  // Frames on their way to this end.
  std::size_t in_flight() const { return inbound_.size(); }

 private:
  friend class PipePair;
  PipeEnd(PipePair& pair, int index, const PipeConfig& config);

  PipePair& pair_;
  int index_;
  PipeEnd* peer_ = nullptr;
  std::size_t mtu_;
  FrameRing inbound_;
  DeviceStats stats_;
};

class PipePair {
 public:
  explicit PipePair(const PipeConfig& config = {});
  PipePair(const PipePair&) = delete;
  PipePair& operator=(const PipePair&) = delete;

  PipeEnd& a() { return a_; }
  PipeEnd& b() { return b_; }

  // Called for every frame handed to either end's transmit, before it is
  // queued: `from` is 0 for a(), 1 for b(). Returning false loses the frame
  // on the wire (transmit still succeeds, as on a real link). Tests use it
  // to capture, drop or check frames. A plain function + context: no
  // allocation. Core thread only.
  using Observer = bool (*)(void* context, int from, ConstBytes frame, Instant now);
  void set_observer(Observer observer, void* context) {
    observer_ = observer;
    observer_context_ = context;
  }

  // Frames refused because a direction's queue was full or too long.
  std::uint64_t dropped() const { return dropped_; }
  // Frames the observer chose to lose.
  std::uint64_t lost() const { return lost_; }

 private:
  friend class PipeEnd;
  PipeConfig config_;
  PipeEnd a_;
  PipeEnd b_;
  Observer observer_ = nullptr;
  void* observer_context_ = nullptr;
  std::uint64_t dropped_ = 0;
  std::uint64_t lost_ = 0;
};

}  // namespace lwnet
