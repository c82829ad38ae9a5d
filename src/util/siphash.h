// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash short enough to
// run per connection. TCP uses it for RFC 6528 initial sequence numbers, so
// an off-path attacker cannot predict them without the stack's secret.
#pragma once

#include <array>
#include <cstdint>

#include "util/bytes.h"

namespace lwnet {

using SipKey = std::array<std::uint8_t, 16>;

// Any thread.
std::uint64_t siphash24(const SipKey& key, ConstBytes message);

}  // namespace lwnet
