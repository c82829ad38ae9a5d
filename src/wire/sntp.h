// NTP packets as an SNTP client sees them (RFC 5905 7.3, RFC 4330 4): the
// 48-byte header, 64-bit timestamps with era handling, kiss codes.
// Extension fields and the MAC (RFC 5905 7.5) are ignored when parsing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"
#include "util/result.h"

namespace lwnet {

inline constexpr std::uint16_t ntp_port = 123;

// Seconds from the NTP prime epoch (1900-01-01) to the Unix epoch.
inline constexpr std::int64_t ntp_unix_epoch_offset = 2208988800;

// A 64-bit NTP timestamp (32.32 fixed point seconds since the start of its
// era). The wire carries no era number, so converting to an absolute time
// needs a hint of which era is meant.
struct NtpTimestamp {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;

  bool operator==(const NtpTimestamp&) const = default;
  // Any thread. Zero means "not set" on the wire (RFC 5905 7.3).
  bool is_zero() const { return seconds == 0 && fraction == 0; }
  std::uint64_t raw() const { return (std::uint64_t{seconds} << 32) | fraction; }
  static NtpTimestamp from_raw(std::uint64_t raw) {
    return {static_cast<std::uint32_t>(raw >> 32), static_cast<std::uint32_t>(raw)};
  }

  // Any thread. The timestamp of a Unix time in microseconds (any era: the
  // seconds wrap modulo 2^32, so 2036-02-07T06:28:16Z becomes 0.0 of era 1).
  // The fraction is rounded up, so to_unix_micros() gives the microsecond back.
  static NtpTimestamp from_unix_micros(std::int64_t unix_micros);
  // Any thread. The Unix time (microseconds) of this timestamp in the era
  // that puts it nearest to `pivot_unix_micros` (within 68 years of it), as
  // RFC 5905 A.4 lets a client that roughly knows the date resolve eras.
  std::int64_t to_unix_micros(std::int64_t pivot_unix_micros) const;
  // Any thread. RFC 4330 3's rule for clients that know nothing of the
  // date: seconds with the top bit set are in 1968..2036 (era 0), the others
  // in 2036..2104 (era 1).
  std::int64_t to_unix_micros() const;
};

// Any thread. b - a as a signed 32.32 fixed-point duration: modular, so it
// is right across an era boundary when the two are less than 68 years apart
// (RFC 5905 6: "the 64-bit difference ... is correct").
inline std::int64_t ntp_difference(NtpTimestamp b, NtpTimestamp a) {
  return static_cast<std::int64_t>(b.raw() - a.raw());
}
// Any thread. A 32.32 fixed-point duration in microseconds (rounded toward
// minus infinity).
std::int64_t ntp_fixed_to_micros(std::int64_t fixed);

enum class NtpMode : std::uint8_t {
  Reserved = 0,
  SymmetricActive = 1,
  SymmetricPassive = 2,
  Client = 3,
  Server = 4,
  Broadcast = 5,
  Control = 6,
  Private = 7,
};

// Leap indicator value 3: the server's clock is not synchronized.
inline constexpr std::uint8_t ntp_leap_unsynchronized = 3;

// Kiss codes (RFC 5905 7.4), the reference id of a stratum 0 packet, as
// the four ASCII bytes read big-endian.
constexpr std::uint32_t ntp_kiss_code(const char (&code)[5]) {
  return (std::uint32_t{static_cast<std::uint8_t>(code[0])} << 24) |
         (std::uint32_t{static_cast<std::uint8_t>(code[1])} << 16) |
         (std::uint32_t{static_cast<std::uint8_t>(code[2])} << 8) |
         std::uint32_t{static_cast<std::uint8_t>(code[3])};
}
inline constexpr std::uint32_t ntp_kiss_rate = ntp_kiss_code("RATE");
inline constexpr std::uint32_t ntp_kiss_deny = ntp_kiss_code("DENY");
inline constexpr std::uint32_t ntp_kiss_rstr = ntp_kiss_code("RSTR");

struct NtpRepr {
  static constexpr std::size_t header_len = 48;

  std::uint8_t leap = 0;        // LI, 0..3
  std::uint8_t version = 4;     // VN, 1..4 parse
  NtpMode mode = NtpMode::Client;
  std::uint8_t stratum = 0;     // 0: kiss-o'-death (or unspecified), 1: primary, 16: unsynchronized
  std::int8_t poll = 0;         // log2 seconds
  std::int8_t precision = 0;    // log2 seconds
  std::uint32_t root_delay = 0;       // NTP short format, 16.16 seconds
  std::uint32_t root_dispersion = 0;  // NTP short format
  std::uint32_t reference_id = 0;     // kiss code when stratum is 0
  NtpTimestamp reference;
  NtpTimestamp origin;
  NtpTimestamp receive;
  NtpTimestamp transmit;

  // Any thread. Truncated below 48 bytes; Unsupported for version 0 or
  // above 4 (RFC 4330 5: a client accepts versions 1 to 4). Nothing else is
  // judged here: whether the mode, stratum and timestamps make a usable
  // reply is the client's call.
  static Result<NtpRepr> parse(ConstBytes packet);
  // Any thread. Writes the 48-byte header into packet[0..48).
  void emit(Bytes packet) const;

  bool is_kiss_of_death() const { return stratum == 0; }
};

}  // namespace lwnet
