// Time as the core sees it: every entry point takes `Instant now`; the core
// never reads a clock. Microseconds in a signed 64-bit count never wrap.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace lwnet {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration micros(std::int64_t us) { return Duration(us); }
  static constexpr Duration millis(std::int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration seconds(std::int64_t s) { return Duration(s * 1000000); }
  static constexpr Duration zero() { return Duration(0); }

  constexpr std::int64_t total_micros() const { return us_; }
  constexpr std::int64_t total_millis() const { return us_ / 1000; }
  constexpr std::int64_t total_seconds() const { return us_ / 1000000; }

  constexpr Duration operator+(Duration o) const { return Duration(us_ + o.us_); }
  constexpr Duration operator-(Duration o) const { return Duration(us_ - o.us_); }
  constexpr Duration operator*(std::int64_t k) const { return Duration(us_ * k); }
  constexpr Duration operator/(std::int64_t k) const { return Duration(us_ / k); }
  constexpr Duration& operator+=(Duration o) { us_ += o.us_; return *this; }
  // Plain comparisons, not a defaulted operator<=>: GCC -Os outlines the
  // spaceship, and every deadline check on Cortex-M4 became a call.
  constexpr bool operator==(const Duration&) const = default;
  constexpr bool operator<(Duration o) const { return us_ < o.us_; }
  constexpr bool operator<=(Duration o) const { return us_ <= o.us_; }
  constexpr bool operator>(Duration o) const { return us_ > o.us_; }
  constexpr bool operator>=(Duration o) const { return us_ >= o.us_; }

 private:
  constexpr explicit Duration(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant from_micros(std::int64_t us) { return Instant(us); }
  static constexpr Instant from_millis(std::int64_t ms) { return Instant(ms * 1000); }
  static constexpr Instant from_seconds(std::int64_t s) { return Instant(s * 1000000); }
  // "Never": the value next_deadline() gives when nothing is pending.
  static constexpr Instant max() { return Instant(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t total_micros() const { return us_; }
  constexpr std::int64_t total_millis() const { return us_ / 1000; }

  constexpr Instant operator+(Duration d) const { return Instant(us_ + d.total_micros()); }
  constexpr Instant operator-(Duration d) const { return Instant(us_ - d.total_micros()); }
  constexpr Duration operator-(Instant o) const { return Duration::micros(us_ - o.us_); }
  constexpr Instant& operator+=(Duration d) { us_ += d.total_micros(); return *this; }
  // Plain comparisons for the same reason as Duration's.
  constexpr bool operator==(const Instant&) const = default;
  constexpr bool operator<(Instant o) const { return us_ < o.us_; }
  constexpr bool operator<=(Instant o) const { return us_ <= o.us_; }
  constexpr bool operator>(Instant o) const { return us_ > o.us_; }
  constexpr bool operator>=(Instant o) const { return us_ >= o.us_; }

 private:
  constexpr explicit Instant(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

}  // namespace lwnet
