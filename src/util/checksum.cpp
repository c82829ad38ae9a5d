#include "util/checksum.h"

#include <bit>
#include <cstring>

namespace lwnet {

namespace {

// The sum of the 16-bit words of `data` (an even offset into the stream),
// taken a machine word at a time in the machine's byte order and folded to
// 16 bits: RFC 1071 2(B) lets any byte order be summed and swapped at the
// end, so no byte is shifted into place one by one (3-4x faster than
// summing big-endian words on x86-64; the checksum was 4 % of the CPU
// lwnet spends sending 1514-byte frames).
template <class Sum>
std::uint32_t sum_words_in_machine_order(const std::uint8_t* data, std::size_t size) {
  std::size_t i = 0;
  Sum sum = 0;
  if constexpr (sizeof(Sum) < 8) {
    // 4 bytes a step into 32 bits, each carry out added back at once: the
    // sum never returns to 0 once it left it, so it folds as the exact sum.
    for (; i + 4 <= size; i += 4) {
      std::uint32_t word;
      std::memcpy(&word, data + i, 4);
      sum += word;
      sum += sum < word ? 1U : 0U;
    }
    if (i < size) {  // size is even: one 16-bit word left
      std::uint16_t word;
      std::memcpy(&word, data + i, 2);
      sum += word;
      sum += sum < word ? 1U : 0U;
    }
  } else {
    // Two 32-bit halves per step into 64 bits: no carry is lost below 2^31 steps.
    for (; i + 8 <= size; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, data + i, 8);
      sum += word & 0xffffffffU;
      sum += word >> 32;
    }
    for (; i + 2 <= size; i += 2) {
      std::uint16_t word;
      std::memcpy(&word, data + i, 2);
      sum += word;
    }
  }
  while (sum >> 16) sum = (sum & 0xffffU) + (sum >> 16);
  auto folded = static_cast<std::uint16_t>(sum);
  if constexpr (std::endian::native == std::endian::little) {
    folded = static_cast<std::uint16_t>((folded >> 8) | (folded << 8));
  }
  return folded;
}

}  // namespace

template <class Sum>
BasicChecksum<Sum>& BasicChecksum<Sum>::add(ConstBytes data) {
  std::size_t i = 0;
  if (odd_ && !data.empty()) {
    accumulate(data[0]);
    i = 1;
    odd_ = false;
  }
  const std::size_t words = (data.size() - i) & ~std::size_t{1};
  accumulate(sum_words_in_machine_order<Sum>(data.data() + i, words));
  i += words;
  if (i < data.size()) {
    accumulate(std::uint32_t{data[i]} << 8);
    odd_ = true;
  }
  return *this;
}

template <class Sum>
BasicChecksum<Sum>& BasicChecksum<Sum>::add16(std::uint16_t word) {
  accumulate(word);
  return *this;
}

template <class Sum>
BasicChecksum<Sum>& BasicChecksum<Sum>::add32(std::uint32_t word) {
  accumulate(word >> 16);
  accumulate(word & 0xffffU);
  return *this;
}

template <class Sum>
std::uint16_t BasicChecksum<Sum>::folded() const {
  Sum s = sum_;
  while (s >> 16) s = (s & 0xffffU) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

template <class Sum>
std::uint16_t BasicChecksum<Sum>::finish() const {
  return static_cast<std::uint16_t>(~folded());
}

template class BasicChecksum<std::uint32_t>;
template class BasicChecksum<std::uint64_t>;

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
