#include "support/sim.h"

#include <gtest/gtest.h>

namespace lwnet::test {

Instant Simulation::earliest_deadline() const {
  Instant earliest = Instant::max();
  for (const Stack* s : stacks_) {
    const Instant d = s->next_deadline();
    if (d < earliest) earliest = d;
  }
  return earliest;
}

void Simulation::settle() {
  // Each round lets every stack answer what the others sent in the previous
  // one; a conversation that never ends is a bug in the stack.
  for (int round = 0; round < 100000; ++round) {
    for (Stack* s : stacks_) s->poll(now_);
    if (earliest_deadline() > now_) return;
  }
  ADD_FAILURE() << "the simulation does not settle at " << now_.total_micros() << " us";
}

void Simulation::run_until(Instant until) {
  for (;;) {
    settle();
    const Instant next = earliest_deadline();
    if (next > until) break;
    now_ = next;
  }
  if (until > now_) now_ = until;
  settle();
}

bool Simulation::run_until(const std::function<bool()>& done, Duration limit) {
  const Instant until = now_ + limit;
  for (;;) {
    settle();
    if (done()) return true;
    const Instant next = earliest_deadline();
    if (next > until) break;
    now_ = next;
  }
  if (until > now_) now_ = until;
  settle();
  return done();
}

FrameLog::FrameLog(PipePair& pipe) : pipe_(pipe) { pipe_.set_observer(&FrameLog::observe, this); }

FrameLog::~FrameLog() { pipe_.set_observer(nullptr, nullptr); }

bool FrameLog::observe(void* context, int from, ConstBytes frame, Instant now) {
  auto* self = static_cast<FrameLog*>(context);
  const bool deliver = !self->filter_ || self->filter_(from, frame);
  self->frames_.push_back(Frame{now, from, std::vector<std::uint8_t>(frame.begin(), frame.end()), !deliver});
  return deliver;
}

std::vector<FrameLog::Frame> FrameLog::with_ethertype(std::uint16_t ethertype, int from) const {
  std::vector<Frame> out;
  for (const Frame& f : frames_) {
    if (f.bytes.size() < 14 || load_be16(f.bytes, 12) != ethertype) continue;
    if (from >= 0 && f.from != from) continue;
    out.push_back(f);
  }
  return out;
}

}  // namespace lwnet::test
