// TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 3.4).
#pragma once

#include <cstdint>

namespace lwnet {

// Any thread. Comparisons are valid while the two values are less than 2^31
// apart, which TCP's window rules guarantee.
class Seq32 {
 public:
  constexpr Seq32() = default;
  constexpr explicit Seq32(std::uint32_t value) : value_(value) {}
  constexpr std::uint32_t value() const { return value_; }

  constexpr Seq32 operator+(std::uint32_t n) const { return Seq32(value_ + n); }
  constexpr Seq32 operator-(std::uint32_t n) const { return Seq32(value_ - n); }
  constexpr Seq32& operator+=(std::uint32_t n) { value_ += n; return *this; }
  // Signed distance from other to this.
  constexpr std::int32_t operator-(Seq32 other) const {
    return static_cast<std::int32_t>(value_ - other.value_);
  }
  constexpr bool operator==(const Seq32&) const = default;
  constexpr bool operator<(Seq32 o) const { return (*this - o) < 0; }
  constexpr bool operator<=(Seq32 o) const { return (*this - o) <= 0; }
  constexpr bool operator>(Seq32 o) const { return (*this - o) > 0; }
  constexpr bool operator>=(Seq32 o) const { return (*this - o) >= 0; }

  static constexpr Seq32 max(Seq32 a, Seq32 b) { return a < b ? b : a; }
  static constexpr Seq32 min(Seq32 a, Seq32 b) { return a < b ? a : b; }

 private:
  std::uint32_t value_ = 0;
};

}  // namespace lwnet
