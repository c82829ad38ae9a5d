// The link probes' Ethernet driver (tests/size/cortex_m_probe.cpp,
// socket_probe.cpp): what an application writes for its MAC (lwIP's
// netif->linkoutput and the input path of ethernetif.c). Frames come from
// and go to volatiles, so that nothing folds away. Not counted as the
// stack's: the size check counts lwnet's own objects only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "link/device.h"

namespace lwnet::size_probe {

inline volatile std::size_t next_frame_length = 0;
inline volatile std::uint8_t frame_byte = 0;
inline volatile std::size_t frames_out = 0;

class ProbeDevice final : public Device {
 public:
  DeviceCapabilities capabilities() const override { return {}; }
  std::optional<std::size_t> receive(Bytes into, Instant) override {
    const std::size_t length = next_frame_length;
    if (length == 0 || length > into.size()) return std::nullopt;
    for (std::size_t i = 0; i < length; ++i) into[i] = frame_byte;
    next_frame_length = 0;
    return length;
  }
  bool transmit(ConstBytes frame, Instant) override {
    frames_out = frames_out + frame.size();
    return true;
  }
  const DeviceStats& stats() const override { return stats_; }

 private:
  DeviceStats stats_;
};

}  // namespace lwnet::size_probe
