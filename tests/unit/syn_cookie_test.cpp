// SYN cookies: what a cookie carries comes back exactly, it expires after
// its time window, and a wrong one is refused.
#include <gtest/gtest.h>

#include "transport/tcp/syn_cookie.h"

namespace lwnet::syn_cookie_test {
namespace {

SipKey key_of(std::uint8_t seed) {
  SipKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + 7 * i);
  return key;
}

const IpEndpoint local{Ipv4Address::of(192, 0, 2, 2), 80};
const IpEndpoint remote{Ipv4Address::of(198, 51, 100, 9), 40000};
const Seq32 peer_isn(0x12345678);
const Instant made_at = Instant::from_seconds(1000);

TEST(SynCookie, OptionsRoundTripExactly) {
  const SipKey key = key_of(1);
  int checked = 0;
  for (std::uint16_t mss : syn_cookie_mss_table) {
    for (int scale = -1; scale <= 14; ++scale) {
      for (bool sack : {false, true}) {
        SynCookieOptions options;
        options.peer_mss = mss;
        if (scale >= 0) options.window_scale = static_cast<std::uint8_t>(scale);
        options.sack_permitted = sack;
        const std::uint32_t cookie = make_syn_cookie(key, local, remote, peer_isn, options, made_at);
        const auto back = check_syn_cookie(key, local, remote, peer_isn, cookie, made_at);
        ASSERT_TRUE(back.has_value()) << mss << " " << scale << " " << sack;
        EXPECT_EQ(*back, options) << mss << " " << scale << " " << sack;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 4 * 16 * 2);
}

TEST(SynCookie, SynOptionsRoundDownToWhatTheCookieCarries) {
  TcpRepr syn;
  syn.flags = tcp_flags::syn;
  syn.mss = 1460;
  syn.window_scale = 7;
  syn.sack_permitted = true;
  EXPECT_EQ(syn_cookie_options(syn), (SynCookieOptions{1460, 7, true}));
  syn.mss = 1459;  // rounds down, never up
  syn.window_scale = 20;  // RFC 7323 2.3: taken as 14
  syn.sack_permitted = false;
  EXPECT_EQ(syn_cookie_options(syn), (SynCookieOptions{1440, 14, false}));
  syn.mss = 9000;
  syn.window_scale.reset();
  EXPECT_EQ(syn_cookie_options(syn), (SynCookieOptions{1460, std::nullopt, false}));
  syn.mss = 1300;
  EXPECT_EQ(syn_cookie_options(syn).peer_mss, 1220);
  syn.mss.reset();  // RFC 9293: no option means 536
  EXPECT_EQ(syn_cookie_options(syn).peer_mss, 536);
  syn.mss = 100;  // below the table: every host takes 536
  EXPECT_EQ(syn_cookie_options(syn).peer_mss, 536);
}

TEST(SynCookie, ValidForTheCurrentAndThePreviousSlotOnly) {
  const SipKey key = key_of(2);
  const SynCookieOptions options{1460, 7, true};
  // Made at the very start of a 64-second slot.
  const Instant start = Instant::from_seconds(64 * 100);
  const std::uint32_t cookie = make_syn_cookie(key, local, remote, peer_isn, options, start);
  EXPECT_TRUE(check_syn_cookie(key, local, remote, peer_isn, cookie, start).has_value());
  EXPECT_TRUE(check_syn_cookie(key, local, remote, peer_isn, cookie, start + Duration::seconds(127)).has_value());
  EXPECT_FALSE(check_syn_cookie(key, local, remote, peer_isn, cookie, start + Duration::seconds(128)).has_value());
  // Made at the end of a slot: the next slot still takes it, the one after not.
  const Instant late = start + Duration::seconds(63);
  const std::uint32_t late_cookie = make_syn_cookie(key, local, remote, peer_isn, options, late);
  EXPECT_TRUE(check_syn_cookie(key, local, remote, peer_isn, late_cookie, late + Duration::seconds(64)).has_value());
  EXPECT_FALSE(check_syn_cookie(key, local, remote, peer_isn, late_cookie, late + Duration::seconds(65)).has_value());
  // Nor from the future (a cookie for a later slot).
  EXPECT_FALSE(check_syn_cookie(key, local, remote, peer_isn, cookie, start - Duration::seconds(1)).has_value());
}

TEST(SynCookie, WrongCookieIsRejected) {
  const SipKey key = key_of(3);
  const SynCookieOptions options{1440, 2, false};
  const std::uint32_t cookie = make_syn_cookie(key, local, remote, peer_isn, options, made_at);
  ASSERT_TRUE(check_syn_cookie(key, local, remote, peer_isn, cookie, made_at).has_value());
  // Any single flipped bit: in the hash, or in the options it covers.
  for (unsigned bit = 0; bit < 32; ++bit) {
    EXPECT_FALSE(check_syn_cookie(key, local, remote, peer_isn, cookie ^ (1U << bit), made_at).has_value())
        << "bit " << bit;
  }
  // The same cookie for another 4-tuple, peer ISN or secret.
  const IpEndpoint other_port{remote.address, 40001};
  const IpEndpoint other_address{Ipv4Address::of(198, 51, 100, 10), 40000};
  const IpEndpoint other_local{Ipv4Address::of(192, 0, 2, 2), 81};
  EXPECT_FALSE(check_syn_cookie(key, local, other_port, peer_isn, cookie, made_at).has_value());
  EXPECT_FALSE(check_syn_cookie(key, local, other_address, peer_isn, cookie, made_at).has_value());
  EXPECT_FALSE(check_syn_cookie(key, other_local, remote, peer_isn, cookie, made_at).has_value());
  EXPECT_FALSE(check_syn_cookie(key, local, remote, peer_isn + 1, cookie, made_at).has_value());
  EXPECT_FALSE(check_syn_cookie(key_of(4), local, remote, peer_isn, cookie, made_at).has_value());
  // Another secret makes another cookie.
  EXPECT_NE(make_syn_cookie(key_of(4), local, remote, peer_isn, options, made_at), cookie);
}

TEST(SynCookie, LowBitsHoldTheOptionsAsDocumented) {
  const SipKey key = key_of(5);
  const std::uint32_t cookie =
      make_syn_cookie(key, local, remote, peer_isn, SynCookieOptions{1440, 9, true}, made_at);
  EXPECT_EQ(cookie & 0x3U, 2U);          // index of 1440
  EXPECT_EQ(cookie >> 2 & 0xfU, 9U);     // the shift
  EXPECT_EQ(cookie >> 6 & 0x1U, 1U);     // SACK permitted
  const std::uint32_t unscaled =
      make_syn_cookie(key, local, remote, peer_isn, SynCookieOptions{536, std::nullopt, false}, made_at);
  EXPECT_EQ(unscaled & 0x7fU, 15U << 2);
}

}  // namespace
}  // namespace lwnet::syn_cookie_test
