#include "transport/tcp/syn_cookie.h"

#include <algorithm>

#include "util/bytes.h"

namespace lwnet {

namespace {

constexpr std::uint32_t mss_bits = 0x3;
constexpr unsigned scale_shift = 2;
constexpr std::uint32_t scale_bits = 0xf;
constexpr std::uint8_t no_scaling = 15;
constexpr std::uint32_t sack_bit = 1U << 6;
constexpr unsigned hash_shift = 7;
constexpr std::uint8_t max_window_shift = 14;

std::uint32_t time_slot(Instant now) {
  return static_cast<std::uint32_t>(now.total_micros() / syn_cookie_slot_length.total_micros());
}

void write_endpoint(Bytes out, const IpEndpoint& endpoint) {
  // 1 byte version, 16 bytes address (IPv4 zero-padded), 2 bytes port:
  // an IPv4 address never hashes like an IPv6 one.
  out[0] = core_is_v4(endpoint.address) ? 4 : 6;
  if (core_is_v4(endpoint.address)) {
    endpoint.address.v4().write(out.subspan(1, 4));
  } else {
    endpoint.address.v6().write(out.subspan(1, 16));
  }
  store_be16(out, 17, endpoint.port);
}

// The top 25 bits of the cookie for these inputs.
std::uint32_t cookie_hash(const SipKey& secret, const IpEndpoint& local, const IpEndpoint& remote,
                          Seq32 peer_isn, std::uint32_t slot, std::uint32_t option_bits) {
  std::array<std::uint8_t, 19 + 19 + 4 + 4 + 1> message{};
  write_endpoint(Bytes(message).subspan(0, 19), local);
  write_endpoint(Bytes(message).subspan(19, 19), remote);
  store_be32(message, 38, peer_isn.value());
  store_be32(message, 42, slot);
  message[46] = static_cast<std::uint8_t>(option_bits);
  return static_cast<std::uint32_t>(siphash24(secret, message)) << hash_shift;
}

std::uint32_t option_bits_of(const SynCookieOptions& options) {
  std::uint32_t mss_index = 0;
  for (std::uint32_t i = 0; i < syn_cookie_mss_table.size(); ++i) {
    if (syn_cookie_mss_table[i] <= options.peer_mss) mss_index = i;
  }
  const std::uint32_t scale =
      options.window_scale ? std::min(*options.window_scale, max_window_shift) : no_scaling;
  return mss_index | scale << scale_shift | (options.sack_permitted ? sack_bit : 0U);
}

SynCookieOptions options_of_bits(std::uint32_t bits) {
  SynCookieOptions options;
  options.peer_mss = syn_cookie_mss_table[bits & mss_bits];
  const auto scale = static_cast<std::uint8_t>(bits >> scale_shift & scale_bits);
  if (scale != no_scaling) options.window_scale = scale;
  options.sack_permitted = (bits & sack_bit) != 0;
  return options;
}

}  // namespace

SynCookieOptions syn_cookie_options(const TcpRepr& syn) {
  // RFC 9293 3.7.1: no MSS option means 536. Round down: never send the
  // peer more than it asked for.
  const std::uint16_t offered = syn.mss.value_or(536);
  SynCookieOptions options;
  options.peer_mss = syn_cookie_mss_table[0];
  for (std::uint16_t mss : syn_cookie_mss_table) {
    if (mss <= offered) options.peer_mss = mss;
  }
  if (syn.window_scale) options.window_scale = std::min(*syn.window_scale, max_window_shift);
  options.sack_permitted = syn.sack_permitted;
  return options;
}

std::uint32_t make_syn_cookie(const SipKey& secret, const IpEndpoint& local, const IpEndpoint& remote,
                              Seq32 peer_isn, const SynCookieOptions& options, Instant now) {
  const std::uint32_t bits = option_bits_of(options);
  return cookie_hash(secret, local, remote, peer_isn, time_slot(now), bits) | bits;
}

std::optional<SynCookieOptions> check_syn_cookie(const SipKey& secret, const IpEndpoint& local,
                                                 const IpEndpoint& remote, Seq32 peer_isn,
                                                 std::uint32_t cookie, Instant now) {
  const std::uint32_t bits = cookie & ((1U << hash_shift) - 1);
  const std::uint32_t hash = cookie & ~((1U << hash_shift) - 1);
  const std::uint32_t slot = time_slot(now);
  for (std::uint32_t age = 0; age < 2 && age <= slot; ++age) {
    if (cookie_hash(secret, local, remote, peer_isn, slot - age, bits) == hash) {
      return options_of_bits(bits);
    }
  }
  return std::nullopt;
}

}  // namespace lwnet
