// ip_addr_t (lwIP's C address, network order) to and from IpAddress, for
// the C APIs of the apps (esp_sntp, esp_ping).
//
// Threads: any.
#pragma once

#include <arpa/inet.h>

#include <cstring>

#include "lwip/ip_addr.h"
#include "wire/address.h"

namespace lwnet::api {

inline IpAddress from_ip_addr(const ip_addr_t& address) {
  if (address.type == IPADDR_TYPE_V6) {
    Ipv6Address v6;
    std::memcpy(v6.octets.data(), address.u_addr.ip6.addr, 16);
    return v6;
  }
  return Ipv4Address{ntohl(address.u_addr.ip4.addr)};
}

inline ip_addr_t to_ip_addr(const IpAddress& address) {
  ip_addr_t out;
  std::memset(&out, 0, sizeof out);
  if (address.is_v6()) {
    out.type = IPADDR_TYPE_V6;
    std::memcpy(out.u_addr.ip6.addr, address.v6().octets.data(), 16);
  } else {
    out.type = IPADDR_TYPE_V4;
    out.u_addr.ip4.addr = htonl(address.v4().value);
  }
  return out;
}

}  // namespace lwnet::api
