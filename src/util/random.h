// Randomness is injected (ISN secret, ephemeral ports, DHCP xid, DNS id), so a
// run can be replayed from its seed. The core never reads an entropy source.
#pragma once

#include <cstdint>

namespace lwnet {

// SplitMix64: small, fast, passes BigCrush; good enough for protocol ids.
// Not for secrets on its own: seed it from a real entropy source
// (port/ does that on Linux). Core thread only.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint32_t next_u32() { return static_cast<std::uint32_t>(next_u64() >> 32); }
  // Uniform in [0, bound) for bound > 0 (Lemire's multiply-shift, bias < 2^-32).
  std::uint32_t below(std::uint32_t bound) {
    return static_cast<std::uint32_t>((std::uint64_t{next_u32()} * bound) >> 32);
  }

 private:
  std::uint64_t state_;
};

}  // namespace lwnet
