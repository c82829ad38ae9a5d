#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "util/checksum.h"

namespace lwnet::checksum_test {
namespace {

// RFC 1071 section 3's worked example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
TEST(Checksum, Rfc1071Example) {
  const std::array<std::uint8_t, 8> data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(Checksum{}.add(data).folded(), 0xddf2);
  EXPECT_EQ(internet_checksum(data), static_cast<std::uint16_t>(~0xddf2));
}

TEST(Checksum, SplitAtOddBoundaryEqualsContiguous) {
  const std::array<std::uint8_t, 7> data{0x45, 0x00, 0x00, 0x54, 0xab, 0xcd, 0x40};
  const std::uint16_t whole = internet_checksum(data);
  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    Checksum c;
    c.add(ConstBytes(data).first(cut)).add(ConstBytes(data).subspan(cut));
    EXPECT_EQ(c.finish(), whole) << "cut at " << cut;
  }
}

// The sum taken in wide machine-order words equals RFC 1071's big-endian
// 16-bit sum, for every length, start and split (the odd byte carried
// across add() calls), and with sums that carry many times (0xff bytes).
std::uint16_t big_endian_word_sum(ConstBytes bytes) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    sum += i % 2 == 0 ? std::uint64_t{bytes[i]} << 8 : bytes[i];
  }
  while (sum >> 16) sum = (sum & 0xffffU) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// Both accumulators: 64 bits (this host's Checksum) and 32 bits with the
// carries added back (a 32-bit target's, built here too so it is tested).
template <class Sum>
class WideSum : public ::testing::Test {};
using Accumulators = ::testing::Types<std::uint32_t, std::uint64_t>;
TYPED_TEST_SUITE(WideSum, Accumulators);

TYPED_TEST(WideSum, EqualsBigEndianWordSum) {
  using Sum = BasicChecksum<TypeParam>;
  std::array<std::uint8_t, 301> data{};
  std::uint32_t state = 12345;
  for (auto& b : data) {
    state = state * 1103515245U + 12345U;
    b = static_cast<std::uint8_t>(state >> 16);
  }
  for (int fill = 0; fill < 2; ++fill) {
    if (fill == 1) data.fill(0xff);
    for (std::size_t start = 0; start < 9; ++start) {
      for (std::size_t length = 0; start + length <= data.size(); length += 7) {
        const ConstBytes part = ConstBytes(data).subspan(start, length);
        EXPECT_EQ(Sum{}.add(part).folded(), big_endian_word_sum(part)) << start << "+" << length;
        for (std::size_t cut : {std::size_t{1}, std::size_t{3}, length / 2}) {
          if (cut > length) continue;
          Sum split;
          split.add(part.first(cut)).add(part.subspan(cut));
          EXPECT_EQ(split.folded(), big_endian_word_sum(part)) << start << "+" << length << " cut " << cut;
        }
      }
    }
  }
}

// Many carries out of 32 bits: 64 KiB of 0xff and of random bytes in
// spans of every parity, then add16/add32 on top, against the exact sum.
TYPED_TEST(WideSum, LongSpansAndWordsFoldAsTheExactSum) {
  using Sum = BasicChecksum<TypeParam>;
  std::vector<std::uint8_t> data(65536 + 5, 0xff);
  for (int round = 0; round < 2; ++round) {
    if (round == 1) {
      std::uint32_t state = 99;
      for (auto& b : data) {
        state = state * 1103515245U + 12345U;
        b = static_cast<std::uint8_t>(state >> 16);
      }
    }
    Sum sum;
    std::uint64_t exact = 0;
    std::size_t at = 0;
    for (std::size_t span : {std::size_t{1}, std::size_t{4000}, std::size_t{3}, std::size_t{40000}, std::size_t{0}}) {
      if (span == 0) span = data.size() - at;
      const ConstBytes part = ConstBytes(data).subspan(at, span);
      sum.add(part);
      at += span;
    }
    ASSERT_EQ(at, data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
      exact += i % 2 == 0 ? std::uint64_t{data[i]} << 8 : data[i];
    }
    // The data ended on an odd byte: the words below start a new stream
    // of words, as the pseudo-header's do before a payload.
    Sum words;
    std::uint64_t exact_words = 0;
    for (std::uint32_t i = 0; i < 1000; ++i) {
      const std::uint32_t value = 0xfffffff0U - i * 7919U;
      words.add16(static_cast<std::uint16_t>(value)).add32(value);
      exact_words += (value & 0xffffU) + (value >> 16) + (value & 0xffffU);
    }
    const auto fold = [](std::uint64_t s) {
      while (s >> 16) s = (s & 0xffffU) + (s >> 16);
      return static_cast<std::uint16_t>(s);
    };
    EXPECT_EQ(sum.folded(), fold(exact)) << "round " << round;
    EXPECT_EQ(words.folded(), fold(exact_words));
    EXPECT_EQ(words.finish(), static_cast<std::uint16_t>(~fold(exact_words)));
  }
}

// An IPv4 header of a Linux ping from 192.0.2.1 to 192.0.2.2 verifies to zero.
TEST(Checksum, RealIpv4HeaderVerifies) {
  const std::array<std::uint8_t, 20> header{0x45, 0x00, 0x00, 0x54, 0x3c, 0x8e, 0x40, 0x00, 0x40, 0x01,
                                            0x7a, 0x17, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02};
  EXPECT_EQ(internet_checksum(header), 0);
}

TEST(Checksum, IncrementalUpdateMatchesRecompute) {
  std::array<std::uint8_t, 20> header{0x45, 0x00, 0x00, 0x54, 0x3c, 0x8e, 0x40, 0x00, 0x40, 0x01,
                                      0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02};
  const std::uint16_t before = internet_checksum(header);
  // Decrement the TTL (byte 8, high half of the TTL/protocol word).
  const std::uint16_t old_word = load_be16(header, 8);
  header[8] = 0x3f;
  const std::uint16_t new_word = load_be16(header, 8);
  EXPECT_EQ(checksum_update16(before, old_word, new_word), internet_checksum(header));
}

}  // namespace
}  // namespace lwnet::checksum_test
