#include "util/checksum.h"

namespace lwnet {

Checksum& Checksum::add(ConstBytes data) {
  std::size_t i = 0;
  if (odd_ && !data.empty()) {
    sum_ += data[0];
    i = 1;
    odd_ = false;
  }
  // Sum 32 bits at a time into a 64-bit accumulator: no carries are lost
  // for any input shorter than 2^32 words.
  for (; i + 4 <= data.size(); i += 4) {
    sum_ += (std::uint32_t{data[i]} << 8) | data[i + 1];
    sum_ += (std::uint32_t{data[i + 2]} << 8) | data[i + 3];
  }
  for (; i + 2 <= data.size(); i += 2) {
    sum_ += (std::uint32_t{data[i]} << 8) | data[i + 1];
  }
  if (i < data.size()) {
    sum_ += std::uint32_t{data[i]} << 8;
    odd_ = true;
  }
  return *this;
}

Checksum& Checksum::add16(std::uint16_t word) {
  sum_ += word;
  return *this;
}

Checksum& Checksum::add32(std::uint32_t word) {
  sum_ += word >> 16;
  sum_ += word & 0xffffU;
  return *this;
}

std::uint16_t Checksum::folded() const {
  std::uint64_t s = sum_;
  while (s >> 16) s = (s & 0xffffU) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

std::uint16_t Checksum::finish() const { return static_cast<std::uint16_t>(~folded()); }

std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_word,
                                std::uint16_t new_word) {
  // HC' = ~(~HC + ~m + m')
  std::uint32_t s = static_cast<std::uint16_t>(~checksum);
  s += static_cast<std::uint16_t>(~old_word);
  s += new_word;
  while (s >> 16) s = (s & 0xffffU) + (s >> 16);
  return static_cast<std::uint16_t>(~s);
}

}  // namespace lwnet
