// The SNTP client's step-or-slew decision (ESP-IDF's smooth mode steps when
// more than 35 minutes off) and the RFC 5905 offset/delay arithmetic on
// timestamps, without a network.
#include <gtest/gtest.h>

#include "apps/sntp_client.h"
#include "wire/sntp.h"

namespace lwnet::sntp_adjustment_test {
namespace {

constexpr std::int64_t now_micros = 1796379518000000;
constexpr std::int64_t threshold = 35LL * 60 * 1000000;

TEST(SntpAdjustment, ImmediateModeAlwaysSteps) {
  for (std::int64_t offset : {std::int64_t{0}, std::int64_t{1}, -threshold, threshold * 4}) {
    SntpAdjustment a = sntp_adjustment(SntpSyncMode::Immediate, offset, now_micros);
    EXPECT_TRUE(a.step) << offset;
    EXPECT_EQ(a.offset_micros, offset);
    EXPECT_EQ(a.new_time_unix_micros, now_micros + offset);
  }
}

TEST(SntpAdjustment, SmoothModeSlewsUpTo35MinutesAndStepsBeyond) {
  EXPECT_FALSE(sntp_adjustment(SntpSyncMode::Smooth, 0, now_micros).step);
  EXPECT_FALSE(sntp_adjustment(SntpSyncMode::Smooth, 1500, now_micros).step);
  EXPECT_FALSE(sntp_adjustment(SntpSyncMode::Smooth, threshold, now_micros).step);
  EXPECT_FALSE(sntp_adjustment(SntpSyncMode::Smooth, -threshold, now_micros).step);
  EXPECT_TRUE(sntp_adjustment(SntpSyncMode::Smooth, threshold + 1, now_micros).step);
  EXPECT_TRUE(sntp_adjustment(SntpSyncMode::Smooth, -threshold - 1, now_micros).step);
  SntpAdjustment back = sntp_adjustment(SntpSyncMode::Smooth, -2 * threshold, now_micros);
  EXPECT_EQ(back.new_time_unix_micros, now_micros - 2 * threshold);
}

// RFC 5905 8 on the four timestamps of one exchange: the client 1.5 s
// behind, 40 ms out and 60 ms back, 5 ms in the server.
TEST(SntpAdjustment, OffsetAndDelayFromFourTimestamps) {
  const std::int64_t t1 = now_micros;
  const std::int64_t t2 = t1 + 1500000 + 40000;
  const std::int64_t t3 = t2 + 5000;
  const std::int64_t t4 = t3 - 1500000 + 60000;
  const NtpTimestamp a = NtpTimestamp::from_unix_micros(t1);
  const NtpTimestamp b = NtpTimestamp::from_unix_micros(t2);
  const NtpTimestamp c = NtpTimestamp::from_unix_micros(t3);
  const NtpTimestamp d = NtpTimestamp::from_unix_micros(t4);
  const std::int64_t offset = ntp_fixed_to_micros((ntp_difference(b, a) >> 1) + (ntp_difference(c, d) >> 1));
  const std::int64_t delay = ntp_fixed_to_micros(ntp_difference(d, a) - ntp_difference(c, b));
  // Asymmetric paths bias the offset by half the difference: 1.5 s - 10 ms.
  EXPECT_NEAR(static_cast<double>(offset), 1490000.0, 1.0);
  EXPECT_NEAR(static_cast<double>(delay), 100000.0, 1.0);
}

}  // namespace
}  // namespace lwnet::sntp_adjustment_test
