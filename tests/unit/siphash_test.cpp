#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "util/siphash.h"

namespace lwnet::siphash_test {
namespace {

// Test vectors from the SipHash paper's reference implementation: key
// 00 01 .. 0f, message 00 01 .. (n-1).
TEST(SipHash, ReferenceVectors) {
  SipKey key{};
  for (std::uint8_t i = 0; i < 16; ++i) key[i] = i;
  std::array<std::uint8_t, 64> message{};
  for (std::uint8_t i = 0; i < 64; ++i) message[i] = i;
  EXPECT_EQ(siphash24(key, ConstBytes(message).first(0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash24(key, ConstBytes(message).first(1)), 0x74f839c593dc67fdULL);
  EXPECT_EQ(siphash24(key, ConstBytes(message).first(8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(siphash24(key, ConstBytes(message).first(15)), 0xa129ca6149be45e5ULL);
}

}  // namespace
}  // namespace lwnet::siphash_test
