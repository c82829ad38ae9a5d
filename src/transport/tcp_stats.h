// Counters of the TCP layer (core/stack_stats.h gathers them).
#pragma once

#include <cstdint>

#include "util/stat_counter.h"

namespace lwnet {

struct TcpLayerStats {
  StatCounter rx = 0, tx = 0;
  StatCounter drop_malformed = 0, drop_bad_checksum = 0, drop_broadcast = 0;
  StatCounter drop_no_buffer = 0, drop_no_route = 0;
};

}  // namespace lwnet
