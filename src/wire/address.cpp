#include "wire/address.h"

#include <algorithm>
#include <array>

namespace lwnet {

namespace {

constexpr std::uint32_t v4_mask(std::uint8_t prefix_len) {
  // A shift by 32 is undefined, so /0 is its own case.
  if (prefix_len == 0) return 0;
  if (prefix_len >= 32) return 0xffffffffU;
  return 0xffffffffU << (32U - prefix_len);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_decimal(char c) { return c >= '0' && c <= '9'; }

// A decimal number without sign or leading zeros ("0" itself is fine), at most
// max_value. Leading zeros are refused because some parsers read them as octal.
std::optional<std::uint32_t> parse_decimal(std::string_view text, std::uint32_t max_value) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!is_decimal(c)) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max_value) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

std::optional<Ipv4Address> parse_v4(std::string_view text) {
  std::uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    std::size_t dot = text.find('.');
    bool last = part == 3;
    if (last != (dot == std::string_view::npos)) return std::nullopt;
    std::string_view digits = last ? text : text.substr(0, dot);
    if (digits.size() > 3) return std::nullopt;
    auto octet = parse_decimal(digits, 255);
    if (!octet) return std::nullopt;
    value = (value << 8) | *octet;
    if (!last) text.remove_prefix(dot + 1);
  }
  return Ipv4Address{value};
}

// RFC 4291 section 2.2: eight groups of 1-4 hex digits, one "::" standing for
// one or more zero groups, and optionally a dotted quad as the last 32 bits.
std::optional<Ipv6Address> parse_v6(std::string_view text) {
  std::array<std::uint16_t, 8> groups{};
  std::size_t count = 0;
  std::optional<std::size_t> gap;  // index in groups where "::" stands

  if (text.starts_with("::")) {
    gap = 0;
    text.remove_prefix(2);
  } else if (text.starts_with(":")) {
    return std::nullopt;  // a single leading colon
  }
  while (!text.empty()) {
    if (count == 8) return std::nullopt;
    std::size_t end = text.find(':');
    std::string_view field = text.substr(0, end);
    if (field.find('.') != std::string_view::npos) {
      // Embedded IPv4: must be the last field and needs two group slots.
      if (end != std::string_view::npos || count > 6) return std::nullopt;
      auto v4 = parse_v4(field);
      if (!v4) return std::nullopt;
      groups[count++] = static_cast<std::uint16_t>(v4->value >> 16);
      groups[count++] = static_cast<std::uint16_t>(v4->value);
      text = {};
      break;
    }
    if (field.empty() || field.size() > 4) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : field) {
      int d = hex_digit(c);
      if (d < 0) return std::nullopt;
      value = (value << 4) | static_cast<std::uint32_t>(d);
    }
    groups[count++] = static_cast<std::uint16_t>(value);
    if (end == std::string_view::npos) {
      text = {};
      break;
    }
    text.remove_prefix(end + 1);
    if (text.starts_with(":")) {
      if (gap) return std::nullopt;  // a second "::"
      gap = count;
      text.remove_prefix(1);
    } else if (text.empty()) {
      return std::nullopt;  // a single trailing colon
    }
  }

  Ipv6Address out;
  if (gap) {
    // "::" stands for at least one group (RFC 4291), so 8 written groups
    // plus a "::" is too many.
    if (count >= 8) return std::nullopt;
    std::size_t tail = count - *gap;
    std::size_t zeros = 8 - count;
    std::array<std::uint16_t, 8> full{};
    for (std::size_t i = 0; i < *gap; ++i) full[i] = groups[i];
    for (std::size_t i = 0; i < tail; ++i) full[*gap + zeros + i] = groups[*gap + i];
    groups = full;
  } else if (count != 8) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < 8; ++i) {
    out.octets[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    out.octets[2 * i + 1] = static_cast<std::uint8_t>(groups[i]);
  }
  return out;
}

// Appends to a fixed buffer; remembers when it ran out of room.
class TextWriter {
 public:
  explicit TextWriter(std::span<char> out) : out_(out) {}
  void put(char c) {
    if (used_ < out_.size()) {
      out_[used_++] = c;
    } else {
      overflow_ = true;
    }
  }
  void put_decimal(std::uint32_t v) {
    std::array<char, 10> digits{};
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  void put_hex(std::uint32_t v, bool leading_zeros, int width) {
    static constexpr char hex[] = "0123456789abcdef";
    bool started = leading_zeros;
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) {
      std::uint32_t d = (v >> shift) & 0xfU;
      if (d != 0 || started || shift == 0) {
        put(hex[d]);
        started = true;
      }
    }
  }
  void put_v4(Ipv4Address a) {
    auto o = a.octets();
    for (std::size_t i = 0; i < 4; ++i) {
      if (i != 0) put('.');
      put_decimal(o[i]);
    }
  }
  // The text, NUL-terminated when there is room; empty when it did not fit.
  std::string_view result() {
    if (overflow_) return {};
    if (used_ < out_.size()) out_[used_] = '\0';
    return std::string_view(out_.data(), used_);
  }

 private:
  std::span<char> out_;
  std::size_t used_ = 0;
  bool overflow_ = false;
};

}  // namespace

bool IpCidr::contains(const IpAddress& other) const {
  if (other.version() != address.version()) return false;
  if (address.is_v4()) {
    std::uint32_t mask = v4_mask(prefix_len);
    return (address.v4().value & mask) == (other.v4().value & mask);
  }
  std::size_t bits = std::min<std::size_t>(prefix_len, 128);
  const auto& a = address.v6().octets;
  const auto& b = other.v6().octets;
  std::size_t whole = bits / 8;
  for (std::size_t i = 0; i < whole; ++i) {
    if (a[i] != b[i]) return false;
  }
  std::size_t rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xffU << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

Ipv4Address IpCidr::netmask_v4() const { return {v4_mask(prefix_len)}; }

Ipv4Address IpCidr::broadcast_v4() const {
  // /31 (RFC 3021) and /32 have no subnet broadcast; the limited broadcast
  // keeps "is this a broadcast?" checks from matching a host address.
  if (prefix_len >= 31) return Ipv4Address::broadcast();
  std::uint32_t mask = v4_mask(prefix_len);
  return {(address.v4().value & mask) | ~mask};
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    auto v6 = parse_v6(text);
    if (!v6) return std::nullopt;
    return IpAddress(*v6);
  }
  auto v4 = parse_v4(text);
  if (!v4) return std::nullopt;
  return IpAddress(*v4);
}

std::optional<IpCidr> parse_ip_cidr(std::string_view text) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  auto prefix = parse_decimal(text.substr(slash + 1), address->is_v4() ? 32 : 128);
  if (!prefix) return std::nullopt;
  return IpCidr{*address, static_cast<std::uint8_t>(*prefix)};
}

std::optional<MacAddress> parse_mac_address(std::string_view text) {
  // "02:00:00:00:00:01" or "02-00-00-00-00-01": six pairs of hex digits.
  if (text.size() != 17) return std::nullopt;
  char separator = text[2];
  if (separator != ':' && separator != '-') return std::nullopt;
  MacAddress mac;
  for (std::size_t i = 0; i < 6; ++i) {
    int high = hex_digit(text[3 * i]);
    int low = hex_digit(text[3 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    if (i < 5 && text[3 * i + 2] != separator) return std::nullopt;
    mac.octets[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return mac;
}

std::string_view format_ip_address(const IpAddress& a, std::span<char> out) {
  TextWriter w(out);
  if (a.is_v4()) {
    w.put_v4(a.v4());
    return w.result();
  }
  const auto& o = a.v6().octets;
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) {
    groups[i] = static_cast<std::uint16_t>((o[2 * i] << 8) | o[2 * i + 1]);
  }
  // RFC 5952 section 4.2: "::" replaces the longest run of two or more zero
  // groups, the first one when two runs are equally long.
  std::size_t best_start = 8;
  std::size_t best_len = 0;
  for (std::size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  // RFC 5952 section 5: IPv4-mapped addresses end in dotted decimal.
  std::size_t hex_groups = a.v6().is_v4_mapped() ? 6 : 8;
  for (std::size_t i = 0; i < hex_groups;) {
    if (i == best_start) {
      w.put(':');
      w.put(':');
      i += best_len;
      continue;
    }
    if (i != 0 && i != best_start + best_len) w.put(':');
    w.put_hex(groups[i], false, 4);
    ++i;
  }
  if (hex_groups == 6) {
    if (best_start + best_len != 6) w.put(':');
    w.put_v4(Ipv4Address::from_bytes(ConstBytes(o).subspan(12)));
  }
  return w.result();
}

std::string_view format_mac_address(const MacAddress& m, std::span<char> out) {
  TextWriter w(out);
  for (std::size_t i = 0; i < 6; ++i) {
    if (i != 0) w.put(':');
    w.put_hex(m.octets[i], true, 2);
  }
  return w.result();
}

}  // namespace lwnet
