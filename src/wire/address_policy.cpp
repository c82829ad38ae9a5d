#include "wire/address_policy.h"

#include <bit>
#include <initializer_list>

namespace lwnet {

namespace {

bool in_prefix(const Ipv6Address& a, std::initializer_list<std::uint8_t> bytes, std::size_t bits) {
  std::size_t i = 0;
  for (std::uint8_t b : bytes) {
    const std::size_t left = bits - i * 8;
    const auto mask = static_cast<std::uint8_t>(left >= 8 ? 0xff : 0xff << (8 - left));
    if ((a.octets[i] & mask) != (b & mask)) return false;
    ++i;
  }
  return true;
}

struct Policy {
  int precedence;
  int label;
};

// RFC 6724 2.1, the longest matching prefix first.
Policy policy_of(const Ipv6Address& a) {
  if (a.is_loopback()) return {50, 0};                                            // ::1/128
  if (a.is_v4_mapped()) return {35, 4};                                           // ::ffff:0:0/96
  if (in_prefix(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return {1, 3};     // ::/96
  if (in_prefix(a, {0x20, 0x01, 0x00, 0x00}, 32)) return {5, 5};                 // Teredo
  if (in_prefix(a, {0x20, 0x02}, 16)) return {30, 2};                            // 6to4
  if (in_prefix(a, {0x3f, 0xfe}, 16)) return {1, 12};                            // 6bone
  if (in_prefix(a, {0xfe, 0xc0}, 10)) return {1, 11};                            // site-local
  if (in_prefix(a, {0xfc}, 7)) return {3, 13};                                   // unique local
  return {40, 1};                                                                 // ::/0
}

constexpr Policy ipv4_policy{35, 4};

}  // namespace

int ipv6_address_scope(const Ipv6Address& a) {
  if (a.is_multicast()) return a.octets[1] & 0x0f;
  if (a.is_loopback() || a.is_link_local()) return address_scope_link_local;
  return address_scope_global;
}

int address_precedence(const IpAddress& a) {
  return core_is_v4(a) ? ipv4_policy.precedence : policy_of(a.v6()).precedence;
}

int address_label(const IpAddress& a) { return core_is_v4(a) ? ipv4_policy.label : policy_of(a.v6()).label; }

std::size_t common_prefix_length(const Ipv6Address& a, const Ipv6Address& b) {
  std::size_t bits = 0;
  for (std::size_t i = 0; i < a.octets.size(); ++i) {
    const auto differ = static_cast<std::uint8_t>(a.octets[i] ^ b.octets[i]);
    if (differ != 0) return bits + static_cast<std::size_t>(std::countl_zero(differ));
    bits += 8;
  }
  return bits;
}

}  // namespace lwnet
