// A Device that wraps another and makes its link worse on purpose: it loses,
// duplicates, reorders and corrupts frames, and can cap their rate and size,
// each by a seeded chance, so a test of TCP or of the stack's drop counters
// replays exactly from its seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "link/device.h"
#include "time/instant.h"
#include "util/bytes.h"
#include "util/random.h"

namespace lwnet {

// What happens to the frames going one way. Chances are probabilities in
// [0, 1]; values outside are clamped.
struct FaultDirection {
  double drop = 0;       // lost
  double duplicate = 0;  // delivered twice in a row
  double reorder = 0;    // held back and delivered after the next frame
  double corrupt = 0;    // one random bit flipped
  // A held-back frame is released after the next frame, or once this much
  // time has passed without one.
  Duration reorder_delay = Duration::millis(10);
  // At most this many frames per rate_interval (0: no limit); the rest are
  // dropped. Windows start at the first frame after the previous one ended.
  std::uint32_t max_frames_per_interval = 0;
  Duration rate_interval = Duration::seconds(1);
  // Frames longer than this are dropped (0: no limit).
  std::size_t max_frame_size = 0;
};

struct FaultConfig {
  std::uint64_t seed = 1;
  FaultDirection rx;  // frames the inner device delivers, on their way up
  FaultDirection tx;  // frames the stack sends, on their way to the inner device
  // Largest frame that can be held, duplicated or corrupted on receive and
  // corrupted on transmit (storage is taken at construction). 0: the inner
  // device's MTU plus an Ethernet header with one VLAN tag. Longer frames
  // still pass, and may be dropped, but are never delayed or changed.
  std::size_t max_stored_frame = 0;
};

// What the injector did, per direction.
struct FaultCounters {
  std::uint64_t dropped = 0;       // by chance
  std::uint64_t rate_limited = 0;  // over max_frames_per_interval
  std::uint64_t oversized = 0;     // over max_frame_size
  std::uint64_t duplicated = 0;
  std::uint64_t reordered = 0;     // held back
  std::uint64_t corrupted = 0;
};

struct FaultStats {
  FaultCounters rx;
  FaultCounters tx;
};

// Core thread only, like the device it wraps (which must outlive it).
//
// The device's own stats() count what crossed the injector's upper edge:
// rx_frames are frames handed to the stack (duplicates included), tx_frames
// frames the stack gave it. A frame lost on purpose is a success for the
// stack (transmit() returns true, as a real lossy link would); tx_dropped
// counts only frames the inner device refused, rx_dropped frames the
// injector dropped or could not fit into the caller's buffer.
//
// Each direction draws from its own random stream, so the fate of received
// frames does not depend on how many were sent, and the reverse.
class FaultInjector final : public Device {
 public:
  FaultInjector(Device& inner, const FaultConfig& config);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // The inner device's, without segmentation or receive offload: the
  // injector's frame slots hold one MTU-sized frame each, and a loss should
  // take one segment, not dozens.
  DeviceCapabilities capabilities() const override {
    DeviceCapabilities c = inner_.capabilities();
    c.tcp_segmentation = 0;
    c.receive_offload = 0;
    return c;
  }
  std::optional<std::size_t> receive(Bytes into, Instant now) override;
  bool transmit(ConstBytes frame, Instant now) override;
  // The earliest of the inner device's deadline and the release of a held
  // frame; a past instant when a received frame is ready now.
  Instant next_deadline() const override;
  const DeviceStats& stats() const override { return stats_; }

  // Sends held transmit frames whose delay has run out. receive() does this
  // too, so a stack that polls its devices needs no extra call.
  void poll(Instant now);

  const FaultStats& fault_stats() const { return fault_stats_; }

 private:
  // A frame kept by the injector, in storage taken at construction.
  struct Slot {
    std::uint8_t* data = nullptr;
    std::size_t size = 0;
    bool used = false;
    Instant release;  // for a held frame
  };
  // A direction's chances as thresholds on a 32-bit draw.
  struct Thresholds {
    std::uint64_t drop, duplicate, reorder, corrupt;
  };
  struct RateWindow {
    Instant start;
    std::uint32_t frames = 0;
    bool open = false;
  };

  static Thresholds thresholds_of(const FaultDirection& direction);
  static bool chance(SplitMix64& random, std::uint64_t threshold);
  // True when the rate and size limits let the frame through; counts it if not.
  bool admit(const FaultDirection& direction, RateWindow& window, FaultCounters& counters,
             std::size_t size, Instant now);
  void flip_random_bit(SplitMix64& random, Bytes frame);
  bool store(Slot& slot, ConstBytes frame);
  bool transmit_inner(ConstBytes frame, Instant now);
  // Delivers slot into the caller's buffer; nullopt (counted) if it does not fit.
  std::optional<std::size_t> deliver(Slot& slot, Bytes into);

  Device& inner_;
  FaultDirection rx_config_;
  FaultDirection tx_config_;
  Thresholds rx_thresholds_;
  Thresholds tx_thresholds_;
  SplitMix64 rx_random_;
  SplitMix64 tx_random_;
  RateWindow rx_window_;
  RateWindow tx_window_;

  std::size_t slot_capacity_;
  std::unique_ptr<std::uint8_t[]> storage_;
  // Receive: frames decided on and waiting to be handed up, in order (a
  // duplicate, then a released held frame), and the frame being held back.
  Slot rx_ready_[2];
  Slot rx_held_;
  Slot tx_held_;
  Slot tx_scratch_;  // a corrupted copy of a transmitted frame
  Instant last_now_;

  DeviceStats stats_;
  FaultStats fault_stats_;
};

}  // namespace lwnet
