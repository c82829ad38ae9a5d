// The address helpers of <lwip/ip4_addr.h> and <lwip/ip_addr.h>:
// ip4addr_aton/ntoa, ipaddr_addr/aton/ntoa, ip6addr_aton/ntoa and the
// constant addresses (IP_ADDR_ANY & co.).
#include <arpa/inet.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "lwip/ip_addr.h"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// The value of digit c in `base`, or -1.
int digit_value(char c, unsigned base) {
  int value = -1;
  if (c >= '0' && c <= '9') {
    value = c - '0';
  } else if (base == 16 && c >= 'a' && c <= 'f') {
    value = c - 'a' + 10;
  } else if (base == 16 && c >= 'A' && c <= 'F') {
    value = c - 'A' + 10;
  }
  return value >= 0 && static_cast<unsigned>(value) < base ? value : -1;
}

// inet_aton's grammar; the address in host order.
bool parse_ipv4(const char* text, std::uint32_t* host_order) {
  std::uint32_t parts[4] = {};
  int count = 0;
  const char* p = text;
  for (;;) {
    if (*p < '0' || *p > '9') return false;  // every part starts with a digit
    unsigned base = 10;
    bool have_digit = false;
    if (*p == '0') {
      base = 8;
      have_digit = true;  // "0" alone is zero
      ++p;
      if (*p == 'x' || *p == 'X') {
        base = 16;
        have_digit = false;
        ++p;
      }
    }
    std::uint64_t value = 0;
    for (;; ++p) {
      const int digit = digit_value(*p, base);
      if (digit < 0) {
        if (base == 8 && (*p == '8' || *p == '9')) return false;
        break;
      }
      value = value * base + static_cast<unsigned>(digit);
      if (value > 0xffffffffU) return false;
      have_digit = true;
    }
    if (!have_digit) return false;  // "0x" without digits
    if (*p == '.') {
      if (count == 3) return false;
      parts[count++] = static_cast<std::uint32_t>(value);
      ++p;
      continue;
    }
    if (*p != '\0' && !is_space(*p)) return false;
    parts[count++] = static_cast<std::uint32_t>(value);
    break;
  }
  // The last part fills the bytes the earlier ones leave.
  const std::uint32_t last = parts[count - 1];
  const std::uint32_t last_max = count == 1 ? 0xffffffffU : (0xffffffffU >> (8 * (count - 1)));
  if (last > last_max) return false;
  std::uint32_t result = last;
  for (int i = 0; i < count - 1; ++i) {
    if (parts[i] > 0xff) return false;
    result |= parts[i] << (24 - 8 * i);
  }
  *host_order = result;
  return true;
}

// Copies text into buf when it fits (with its NUL).
char* copy_out(const char* text, char* buf, int buflen) {
  if (buf == nullptr || buflen <= 0) return nullptr;
  const std::size_t length = std::strlen(text);
  if (length + 1 > static_cast<std::size_t>(buflen)) return nullptr;
  std::memcpy(buf, text, length + 1);
  return buf;
}

}  // namespace

extern "C" {

const ip_addr_t ip_addr_any = IPADDR4_INIT(IPADDR_ANY);
const ip_addr_t ip_addr_broadcast = IPADDR4_INIT(IPADDR_BROADCAST);
const ip_addr_t ip6_addr_any = IPADDR6_INIT(0UL, 0UL, 0UL, 0UL);
const ip_addr_t ip_addr_any_type = IPADDR_ANY_TYPE_INIT;

int ip4addr_aton(const char* cp, ip4_addr_t* addr) {
  std::uint32_t host_order = 0;
  if (cp == nullptr || !parse_ipv4(cp, &host_order)) return 0;
  if (addr != nullptr) addr->addr = htonl(host_order);
  return 1;
}

u32_t ipaddr_addr(const char* cp) {
  ip4_addr_t address;
  return ip4addr_aton(cp, &address) != 0 ? address.addr : IPADDR_NONE;
}

char* ip4addr_ntoa_r(const ip4_addr_t* addr, char* buf, int buflen) {
  if (addr == nullptr) return nullptr;
  const std::uint32_t host_order = ntohl(addr->addr);
  char text[IP4ADDR_STRLEN_MAX];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", static_cast<unsigned>(host_order >> 24),
                static_cast<unsigned>((host_order >> 16) & 0xff), static_cast<unsigned>((host_order >> 8) & 0xff),
                static_cast<unsigned>(host_order & 0xff));
  return copy_out(text, buf, buflen);
}

char* ip4addr_ntoa(const ip4_addr_t* addr) {
  thread_local char buffer[IP4ADDR_STRLEN_MAX];
  return ip4addr_ntoa_r(addr, buffer, sizeof buffer);
}

u8_t ip4_addr_netmask_valid(u32_t netmask) {
  const std::uint32_t inverted = ~ntohl(netmask);  // ones where the host part is
  return (inverted & (inverted + 1)) == 0 ? 1 : 0;
}

int ip6addr_aton(const char* cp, ip6_addr_t* addr) {
  unsigned char bytes[16];
  if (cp == nullptr || inet_pton(AF_INET6, cp, bytes) != 1) return 0;
  if (addr != nullptr) {
    std::memcpy(addr->addr, bytes, sizeof bytes);
    addr->zone = IP6_NO_ZONE;
  }
  return 1;
}

char* ip6addr_ntoa_r(const ip6_addr_t* addr, char* buf, int buflen) {
  if (addr == nullptr) return nullptr;
  char text[IP6ADDR_STRLEN_MAX];
  if (inet_ntop(AF_INET6, addr->addr, text, sizeof text) == nullptr) return nullptr;
  return copy_out(text, buf, buflen);
}

char* ip6addr_ntoa(const ip6_addr_t* addr) {
  thread_local char buffer[IP6ADDR_STRLEN_MAX];
  return ip6addr_ntoa_r(addr, buffer, sizeof buffer);
}

int ipaddr_aton(const char* cp, ip_addr_t* addr) {
  if (cp == nullptr) return 0;
  if (std::strchr(cp, ':') != nullptr) {
    ip6_addr_t address;
    if (ip6addr_aton(cp, &address) == 0) return 0;
    if (addr != nullptr) ip_addr_copy_from_ip6(*addr, address);
    return 1;
  }
  ip4_addr_t address;
  if (ip4addr_aton(cp, &address) == 0) return 0;
  if (addr != nullptr) ip_addr_copy_from_ip4(*addr, address);
  return 1;
}

char* ipaddr_ntoa_r(const ip_addr_t* addr, char* buf, int buflen) {
  if (addr == nullptr) return nullptr;
  if (IP_IS_V6_VAL(*addr)) return ip6addr_ntoa_r(ip_2_ip6(addr), buf, buflen);
  return ip4addr_ntoa_r(ip_2_ip4(addr), buf, buflen);
}

char* ipaddr_ntoa(const ip_addr_t* addr) {
  thread_local char buffer[IPADDR_STRLEN_MAX];
  return ipaddr_ntoa_r(addr, buffer, sizeof buffer);
}

}  // extern "C"
