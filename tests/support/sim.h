// Virtual-time simulation of stacks joined by PipePairs: poll every stack,
// then jump time to the earliest next_deadline() of all of them, so that
// minutes of protocol timers pass in microseconds and every run is the same.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/stack.h"
#include "link/pipe.h"
#include "time/instant.h"
#include "util/bytes.h"

namespace lwnet::test {

class Simulation {
 public:
  explicit Simulation(Instant start = Instant::from_seconds(1)) : now_(start) {}

  void add(Stack& stack) { stacks_.push_back(&stack); }
  Instant now() const { return now_; }

  // Polls every stack at now() until none has anything due at now().
  void settle();
  // Settles, then jumps from deadline to deadline up to `until` (settling at
  // each), and ends at `until`.
  void run_until(Instant until);
  void run_for(Duration d) { run_until(now_ + d); }
  // Like run_for, but stops as soon as `done()` holds after a settle.
  // Returns done().
  bool run_until(const std::function<bool()>& done, Duration limit);

 private:
  Instant earliest_deadline() const;

  std::vector<Stack*> stacks_;
  Instant now_;
};

// Every frame that crossed a PipePair, in order. An optional filter loses
// chosen frames on the wire (return false to lose one).
class FrameLog {
 public:
  struct Frame {
    Instant at;
    int from = 0;  // 0: sent by the pipe's a() end, 1: by b()
    std::vector<std::uint8_t> bytes;
    bool lost = false;
  };
  using Filter = std::function<bool(int from, ConstBytes frame)>;

  explicit FrameLog(PipePair& pipe);
  ~FrameLog();
  FrameLog(const FrameLog&) = delete;
  FrameLog& operator=(const FrameLog&) = delete;

  void set_filter(Filter filter) { filter_ = std::move(filter); }
  const std::vector<Frame>& frames() const { return frames_; }
  void clear() { frames_.clear(); }
  // Frames with this EtherType (bytes 12..13), from one end or both (-1).
  std::vector<Frame> with_ethertype(std::uint16_t ethertype, int from = -1) const;

 private:
  static bool observe(void* context, int from, ConstBytes frame, Instant now);

  PipePair& pipe_;
  Filter filter_;
  std::vector<Frame> frames_;
};

}  // namespace lwnet::test
