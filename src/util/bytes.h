// Byte spans and big-endian field access. Header fields are read through
// shifts on byte spans and written through a byte swap and a memcpy, never
// by casting to packed structs.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace lwnet {

using Bytes = std::span<std::uint8_t>;
using ConstBytes = std::span<const std::uint8_t>;

// Any thread. The caller guarantees the span holds the field.
inline std::uint16_t load_be16(ConstBytes b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline std::uint32_t load_be32(ConstBytes b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}
// Swapped in a register and stored whole: GCC merges the byte loads above
// into one load, but not byte stores (two or four stores and shifts each
// on Cortex-M4, one swap and one store this way).
inline void store_be16(Bytes b, std::size_t at, std::uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) v = static_cast<std::uint16_t>((v >> 8) | (v << 8));
  std::memcpy(b.subspan(at, 2).data(), &v, 2);
}
inline void store_be32(Bytes b, std::size_t at, std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    v = (v >> 24) | ((v >> 8) & 0xff00U) | ((v << 8) & 0xff0000U) | (v << 24);
  }
  std::memcpy(b.subspan(at, 4).data(), &v, 4);
}

}  // namespace lwnet
