#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "util/checksum.h"

namespace lwnet {
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
}  // namespace lwnet
