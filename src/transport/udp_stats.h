// Counters of the UDP code (gathered into StackStats by core/stack_stats.h).
#pragma once

#include <cstdint>

#include "util/stat_counter.h"

namespace lwnet {

struct UdpStats {
  StatCounter rx = 0, tx = 0, rx_delivered = 0;
  StatCounter drop_truncated = 0, drop_malformed = 0, drop_bad_checksum = 0;
  StatCounter drop_no_port = 0, drop_queue_full = 0, drop_no_buffer = 0;
};

}  // namespace lwnet
