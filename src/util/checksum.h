// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "util/bytes.h"

namespace lwnet {

// Accumulates 16-bit big-endian words; odd lengths are handled across calls,
// so a pseudo-header and a payload in two spans sum as if contiguous.
// `Sum` is the accumulator: 64 bits on 64-bit hosts; 32 bits on 32-bit
// targets, each carry out added back at once (2^32 is 1 modulo 0xffff, so
// it folds to the same 16 bits), without 64-bit arithmetic's code there.
// Both are built on hosts, where the tests compare them. Any thread.
template <class Sum>
class BasicChecksum {
  static_assert(std::is_same_v<Sum, std::uint32_t> || std::is_same_v<Sum, std::uint64_t>);

 public:
  BasicChecksum& add(ConstBytes data);
  BasicChecksum& add16(std::uint16_t word);
  BasicChecksum& add32(std::uint32_t word);
  // The one's complement of the folded sum, ready to store in a header.
  std::uint16_t finish() const;
  // The folded sum without the complement (0xffff when data with a correct
  // checksum field is summed).
  std::uint16_t folded() const;

 private:
  void accumulate(std::uint32_t value) {
    sum_ += value;
    if constexpr (sizeof(Sum) < 8) sum_ += sum_ < value ? 1U : 0U;
  }
  Sum sum_ = 0;
  bool odd_ = false;  // the previous add() ended in the middle of a word
};

extern template class BasicChecksum<std::uint32_t>;
extern template class BasicChecksum<std::uint64_t>;

using Checksum = BasicChecksum<std::conditional_t<(sizeof(std::size_t) < 8), std::uint32_t, std::uint64_t>>;

// Any thread. Checksum of one span.
inline std::uint16_t internet_checksum(ConstBytes data) { return Checksum{}.add(data).finish(); }

// Any thread. RFC 1624 eqn. 3: new checksum after one 16-bit field changes
// from old_word to new_word.
std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_word,
                                std::uint16_t new_word);

}  // namespace lwnet
