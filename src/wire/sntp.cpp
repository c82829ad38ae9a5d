#include "wire/sntp.h"

namespace lwnet {
namespace {

constexpr std::int64_t micros_per_second = 1000000;
constexpr std::int64_t era_seconds = std::int64_t{1} << 32;

// Floor division for a positive divisor (C++ division truncates toward 0).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

NtpTimestamp load_timestamp(ConstBytes b, std::size_t at) {
  return {load_be32(b, at), load_be32(b, at + 4)};
}

void store_timestamp(Bytes b, std::size_t at, NtpTimestamp t) {
  store_be32(b, at, t.seconds);
  store_be32(b, at + 4, t.fraction);
}

// Microseconds of the fractional part, rounded down.
std::int64_t fraction_micros(std::uint32_t fraction) {
  return static_cast<std::int64_t>((std::uint64_t{fraction} * micros_per_second) >> 32);
}

}  // namespace

NtpTimestamp NtpTimestamp::from_unix_micros(std::int64_t unix_micros) {
  const std::int64_t unix_seconds = floor_div(unix_micros, micros_per_second);
  const std::int64_t micros = unix_micros - unix_seconds * micros_per_second;
  const std::int64_t ntp_seconds = unix_seconds + ntp_unix_epoch_offset;
  NtpTimestamp t;
  t.seconds = static_cast<std::uint32_t>(static_cast<std::uint64_t>(ntp_seconds) & 0xffffffffU);
  // Rounded up so that to_unix_micros() gives the same microsecond back.
  t.fraction = static_cast<std::uint32_t>(
      ((static_cast<std::uint64_t>(micros) << 32) + micros_per_second - 1) / micros_per_second);
  return t;
}

std::int64_t NtpTimestamp::to_unix_micros(std::int64_t pivot_unix_micros) const {
  const std::int64_t pivot_ntp_seconds =
      floor_div(pivot_unix_micros, micros_per_second) + ntp_unix_epoch_offset;
  const std::int64_t pivot_era = floor_div(pivot_ntp_seconds, era_seconds);
  std::int64_t best = pivot_era * era_seconds + seconds;
  // The neighbouring eras may lie nearer the pivot.
  for (std::int64_t candidate : {best - era_seconds, best + era_seconds}) {
    const std::int64_t distance = candidate - pivot_ntp_seconds;
    const std::int64_t best_distance = best - pivot_ntp_seconds;
    if ((distance < 0 ? -distance : distance) < (best_distance < 0 ? -best_distance : best_distance)) {
      best = candidate;
    }
  }
  return (best - ntp_unix_epoch_offset) * micros_per_second + fraction_micros(fraction);
}

std::int64_t NtpTimestamp::to_unix_micros() const {
  const std::int64_t era = (seconds & 0x80000000U) != 0 ? 0 : 1;
  return (era * era_seconds + seconds - ntp_unix_epoch_offset) * micros_per_second +
         fraction_micros(fraction);
}

std::int64_t ntp_fixed_to_micros(std::int64_t fixed) {
  // Split so that nothing overflows: the whole seconds (arithmetic shift,
  // rounding toward minus infinity) and the non-negative fraction.
  const std::int64_t whole = fixed >> 32;
  const auto fraction = static_cast<std::uint32_t>(static_cast<std::uint64_t>(fixed) & 0xffffffffU);
  return whole * micros_per_second + fraction_micros(fraction);
}

Result<NtpRepr> NtpRepr::parse(ConstBytes packet) {
  if (packet.size() < header_len) return Error::Truncated;
  NtpRepr r;
  const std::uint8_t first = packet[0];
  r.leap = static_cast<std::uint8_t>(first >> 6);
  r.version = static_cast<std::uint8_t>((first >> 3) & 0x7);
  r.mode = static_cast<NtpMode>(first & 0x7);
  if (r.version == 0 || r.version > 4) return Error::Unsupported;
  r.stratum = packet[1];
  r.poll = static_cast<std::int8_t>(packet[2]);
  r.precision = static_cast<std::int8_t>(packet[3]);
  r.root_delay = load_be32(packet, 4);
  r.root_dispersion = load_be32(packet, 8);
  r.reference_id = load_be32(packet, 12);
  r.reference = load_timestamp(packet, 16);
  r.origin = load_timestamp(packet, 24);
  r.receive = load_timestamp(packet, 32);
  r.transmit = load_timestamp(packet, 40);
  return r;
}

void NtpRepr::emit(Bytes packet) const {
  packet[0] = static_cast<std::uint8_t>(((leap & 0x3) << 6) | ((version & 0x7) << 3) |
                                        (static_cast<std::uint8_t>(mode) & 0x7));
  packet[1] = stratum;
  packet[2] = static_cast<std::uint8_t>(poll);
  packet[3] = static_cast<std::uint8_t>(precision);
  store_be32(packet, 4, root_delay);
  store_be32(packet, 8, root_dispersion);
  store_be32(packet, 12, reference_id);
  store_timestamp(packet, 16, reference);
  store_timestamp(packet, 24, origin);
  store_timestamp(packet, 32, receive);
  store_timestamp(packet, 40, transmit);
}

}  // namespace lwnet
