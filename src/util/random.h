// Randomness is injected (ISN secret, ephemeral ports, DHCP xid, DNS id), so a
// run can be replayed from its seed. The core never reads an entropy source.
#pragma once

#include <array>
#include <cstdint>

#include "config/options.h"
#include "util/siphash.h"

namespace lwnet {

// next_u32() and below() for a generator with next_u64().
template <class Generator>
class RandomDraws {
 public:
  // Out of line: each inlined copy of the generator costs about 90 bytes
  // of Thumb code, and nothing draws per packet.
  [[gnu::noinline]] std::uint32_t next_u32() { return static_cast<std::uint32_t>(self().next_u64() >> 32); }
  // Uniform in [0, bound) for bound > 0 (Lemire's multiply-shift, bias < 2^-32).
  std::uint32_t below(std::uint32_t bound) {
    return static_cast<std::uint32_t>((std::uint64_t{next_u32()} * bound) >> 32);
  }

 private:
  Generator& self() { return static_cast<Generator&>(*this); }
};

// SplitMix64: small, fast, passes BigCrush, but not a secret: its state
// follows from two outputs. Random keys a PRF with it; fault injection
// draws from it as it is. Any thread (one object per thread).
class SplitMix64 : public RandomDraws<SplitMix64> {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// The stack's randomness. With config::random_keyed (the default) each
// output is SipHash-2-4 of a counter under a 128-bit key expanded from the
// seed: a keyed PRF, so outputs an attacker sees (a broadcast DHCP xid)
// reveal neither the key nor the next output (a DNS id, RFC 5452), nor the
// ISN key drawn earlier. Seed it from a real entropy source (port/ does
// that on Linux). Core thread only.
class Random : public RandomDraws<Random> {
 public:
  explicit Random(std::uint64_t seed) : plain_(seed) {
    if constexpr (config::random_keyed) {
      for (std::size_t i = 0; i < key_.size(); i += 8) {
        const std::uint64_t word = plain_.next_u64();
        for (std::size_t b = 0; b < 8; ++b) key_[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
      }
    }
  }
  std::uint64_t next_u64() {
    if constexpr (!config::random_keyed) {
      return plain_.next_u64();
    } else {
      std::array<std::uint8_t, 8> block{};
      for (std::size_t b = 0; b < block.size(); ++b) block[b] = static_cast<std::uint8_t>(counter_ >> (8 * b));
      ++counter_;
      return siphash24(key_, ConstBytes(block.data(), block.size()));
    }
  }

 private:
  SplitMix64 plain_;
  SipKey key_{};
  std::uint64_t counter_ = 0;
};

}  // namespace lwnet
