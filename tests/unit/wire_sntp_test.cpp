// NTP packets (RFC 5905 7.3) byte-exact against a real chronyd reply, the
// 64-bit timestamp arithmetic across the 2036 era rollover, and the
// packets a client must not take apart wrongly.
#include <gtest/gtest.h>

#include <vector>

#include "support/hex.h"
#include "wire/sntp.h"

namespace lwnet::wire_sntp_test {
namespace {

using test::hex;

// Captured from chronyd 4.3 (Debian 12, `local stratum 1`) answering a
// version 4 client request whose transmit timestamp was e0000000.12345678.
const std::vector<std::uint8_t> chrony_request = hex(
    "23 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 e0 00 00 00 12 34 56 78");
const std::vector<std::uint8_t> chrony_reply = hex(
    "24 01 00 e6 00 00 00 00 00 00 00 00 7f 7f 01 01"
    "ee bd 11 fc f1 7d 8b 64 e0 00 00 00 12 34 56 78"
    "ee bd 11 fe 04 c9 2e d7 ee bd 11 fe 05 6f 8b fe");

std::vector<std::uint8_t> emitted(const NtpRepr& repr) {
  std::vector<std::uint8_t> out(NtpRepr::header_len, 0xaa);
  repr.emit(out);
  return out;
}

TEST(WireSntp, ParsesChronyReply) {
  Result<NtpRepr> r = NtpRepr::parse(chrony_reply);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->leap, 0);
  EXPECT_EQ(r->version, 4);
  EXPECT_EQ(r->mode, NtpMode::Server);
  EXPECT_EQ(r->stratum, 1);
  EXPECT_EQ(r->poll, 0);
  EXPECT_EQ(r->precision, -26);
  EXPECT_EQ(r->root_delay, 0u);
  EXPECT_EQ(r->root_dispersion, 0u);
  EXPECT_EQ(r->reference_id, 0x7f7f0101u);
  EXPECT_EQ(r->reference, (NtpTimestamp{0xeebd11fc, 0xf17d8b64}));
  EXPECT_EQ(r->origin, (NtpTimestamp{0xe0000000, 0x12345678}));
  EXPECT_EQ(r->receive, (NtpTimestamp{0xeebd11fe, 0x04c92ed7}));
  EXPECT_EQ(r->transmit, (NtpTimestamp{0xeebd11fe, 0x056f8bfe}));
  EXPECT_FALSE(r->is_kiss_of_death());
  // 2026-12-04T10:18:38.021233 UTC.
  EXPECT_EQ(r->transmit.to_unix_micros(), 1796379518021233);
  // Emitting what was parsed gives the same bytes back.
  EXPECT_EQ(emitted(*r), chrony_reply);
}

TEST(WireSntp, EmitsClientRequest) {
  NtpRepr request;
  request.version = 4;
  request.mode = NtpMode::Client;
  request.transmit = {0xe0000000, 0x12345678};
  EXPECT_EQ(emitted(request), chrony_request);
  Result<NtpRepr> back = NtpRepr::parse(chrony_request);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->mode, NtpMode::Client);
  EXPECT_TRUE(back->origin.is_zero());
}

TEST(WireSntp, KissOfDeathCodes) {
  // A RATE kiss as RFC 5905 7.4 lays it out: LI 3, stratum 0, the code in
  // the reference id, our transmit timestamp in origin.
  std::vector<std::uint8_t> kiss = chrony_reply;
  kiss[0] = 0xe4;
  kiss[1] = 0;
  kiss[12] = 'R'; kiss[13] = 'A'; kiss[14] = 'T'; kiss[15] = 'E';
  Result<NtpRepr> r = NtpRepr::parse(kiss);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->leap, ntp_leap_unsynchronized);
  EXPECT_TRUE(r->is_kiss_of_death());
  EXPECT_EQ(r->reference_id, ntp_kiss_rate);
  EXPECT_EQ(ntp_kiss_deny, 0x44454e59u);
  EXPECT_EQ(ntp_kiss_rstr, 0x52535452u);
}

TEST(WireSntp, RejectsShortAndUnknownVersions) {
  EXPECT_EQ(NtpRepr::parse(ConstBytes(chrony_reply.data(), 47)).error(), Error::Truncated);
  EXPECT_EQ(NtpRepr::parse({}).error(), Error::Truncated);
  std::vector<std::uint8_t> bad = chrony_reply;
  bad[0] = 0x04;  // version 0
  EXPECT_EQ(NtpRepr::parse(bad).error(), Error::Unsupported);
  bad[0] = 0x2c;  // version 5
  EXPECT_EQ(NtpRepr::parse(bad).error(), Error::Unsupported);
  bad[0] = 0x0c;  // version 1, still a client's to judge
  EXPECT_TRUE(NtpRepr::parse(bad).ok());
  // Extension fields after the header are ignored, not an error.
  std::vector<std::uint8_t> longer = chrony_reply;
  longer.resize(68, 0);
  EXPECT_TRUE(NtpRepr::parse(longer).ok());
}

TEST(WireSntp, UnixConversionsRoundTrip) {
  // The Unix epoch is NTP second 2208988800 of era 0.
  EXPECT_EQ(NtpTimestamp::from_unix_micros(0), (NtpTimestamp{2208988800u, 0}));
  // Half a second is fraction 2^31.
  EXPECT_EQ(NtpTimestamp::from_unix_micros(500000).fraction, 0x80000000u);
  for (std::int64_t us : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999999},
                          std::int64_t{1420070400123456}, std::int64_t{1796379518021233}}) {
    EXPECT_EQ(NtpTimestamp::from_unix_micros(us).to_unix_micros(), us) << us;
    EXPECT_EQ(NtpTimestamp::from_unix_micros(us).to_unix_micros(us + 1000000), us) << us;
  }
}

// 2036-02-07T06:28:16Z, where era 0 ends.
constexpr std::int64_t era_1_start_unix = 2085978496;

TEST(WireSntp, EraRolloverIn2036) {
  const NtpTimestamp last = NtpTimestamp::from_unix_micros((era_1_start_unix - 1) * 1000000);
  const NtpTimestamp first = NtpTimestamp::from_unix_micros(era_1_start_unix * 1000000);
  EXPECT_EQ(last, (NtpTimestamp{0xffffffffu, 0}));
  EXPECT_EQ(first, (NtpTimestamp{0, 0}));
  // RFC 4330 3: top bit clear means era 1.
  EXPECT_EQ(first.to_unix_micros(), era_1_start_unix * 1000000);
  EXPECT_EQ(last.to_unix_micros(), (era_1_start_unix - 1) * 1000000);
  // 2048 (ESP-IDF's sntp_client_time_2048 test): era 1 both ways.
  const std::int64_t y2048 = 2461449600LL * 1000000;  // 2048-01-01T00:00:00Z
  EXPECT_EQ(NtpTimestamp::from_unix_micros(y2048).to_unix_micros(), y2048);
  EXPECT_EQ(NtpTimestamp::from_unix_micros(y2048).to_unix_micros(y2048 - 86400000000), y2048);
  // The pivot rule reaches past 2104 where the fixed rule cannot.
  const std::int64_t y2110 = 4417977600LL * 1000000;  // 2110-01-01
  EXPECT_EQ(NtpTimestamp::from_unix_micros(y2110).to_unix_micros(y2110 + 3600000000), y2110);
  EXPECT_NE(NtpTimestamp::from_unix_micros(y2110).to_unix_micros(), y2110);
  // Differences are modular: one second across the rollover is one second.
  EXPECT_EQ(ntp_difference(first, last), std::int64_t{1} << 32);
  EXPECT_EQ(ntp_difference(last, first), -(std::int64_t{1} << 32));
}

TEST(WireSntp, FixedPointToMicros) {
  EXPECT_EQ(ntp_fixed_to_micros(0), 0);
  EXPECT_EQ(ntp_fixed_to_micros(std::int64_t{1} << 32), 1000000);
  EXPECT_EQ(ntp_fixed_to_micros(std::int64_t{1} << 31), 500000);
  EXPECT_EQ(ntp_fixed_to_micros(-(std::int64_t{1} << 31)), -500000);
  EXPECT_EQ(ntp_fixed_to_micros(-(std::int64_t{3} << 32)), -3000000);
  // 68 years either way does not overflow.
  EXPECT_EQ(ntp_fixed_to_micros(std::int64_t{0x7fffffff} << 32), 2147483647LL * 1000000);
}

}  // namespace
}  // namespace lwnet::wire_sntp_test
