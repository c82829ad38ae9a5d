// Counters of the TCP layer (core/stack_stats.h gathers them).
#pragma once

#include <cstdint>

namespace lwnet {

struct TcpLayerStats {
  std::uint64_t rx = 0, tx = 0;
  std::uint64_t drop_malformed = 0, drop_bad_checksum = 0, drop_broadcast = 0;
  std::uint64_t drop_no_buffer = 0, drop_no_route = 0;
};

}  // namespace lwnet
