#include <gtest/gtest.h>

#include <array>
#include <cstdint>

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
TEST(Checksum, WideSumEqualsBigEndianWordSum) {
  std::array<std::uint8_t, 301> data{};
  std::uint32_t state = 12345;
  for (auto& b : data) {
    state = state * 1103515245U + 12345U;
    b = static_cast<std::uint8_t>(state >> 16);
  }
  const auto reference = [](ConstBytes bytes) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      sum += i % 2 == 0 ? std::uint64_t{bytes[i]} << 8 : bytes[i];
    }
    while (sum >> 16) sum = (sum & 0xffffU) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
  };
  for (int fill = 0; fill < 2; ++fill) {
    if (fill == 1) data.fill(0xff);
    for (std::size_t start = 0; start < 9; ++start) {
      for (std::size_t length = 0; start + length <= data.size(); length += 7) {
        const ConstBytes part = ConstBytes(data).subspan(start, length);
        EXPECT_EQ(Checksum{}.add(part).folded(), reference(part)) << start << "+" << length;
        for (std::size_t cut : {std::size_t{1}, std::size_t{3}, length / 2}) {
          if (cut > length) continue;
          Checksum split;
          split.add(part.first(cut)).add(part.subspan(cut));
          EXPECT_EQ(split.folded(), reference(part)) << start << "+" << length << " cut " << cut;
        }
      }
    }
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
