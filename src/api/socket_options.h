// What setsockopt() stored on a socket, applied to the core when the socket
// gets its endpoint (listen, connect, accept) and at once to a live one.
#pragma once

#include <array>
#include <climits>
#include <cstdint>

#include "config/options.h"
#include "transport/tcp/tcp_connection.h"
#include "wire/address.h"

namespace lwnet::api {

// lwIP's TCP_KEEPALIVE (the idle time in milliseconds). Linux has no such
// option, and lwIP's own number (2) is Linux's TCP_MAXSEG, so lwnet's C
// header defines TCP_KEEPALIVE as this value, which no Linux option uses.
inline constexpr int lwnet_tcp_keepalive = 0x1001;

struct SocketOptions {
  bool reuse_address = false;  // SO_REUSEADDR
  bool broadcast = false;      // SO_BROADCAST
  bool no_check = false;       // SO_NO_CHECK (UDP: send without a checksum)
  bool linger = false;         // SO_LINGER on
  int linger_seconds = 0;
  bool linger_abort = false;   // SO_LINGER on with 0 s: close() resets
  // Multicast (UDP), as getsockopt reports them.
  std::uint8_t multicast_ttl = 1;        // IP_MULTICAST_TTL
  bool multicast_loop = true;            // IP_MULTICAST_LOOP
  Ipv4Address multicast_interface;       // IP_MULTICAST_IF (unspecified: default netif)
  std::uint32_t multicast_interface_v6 = 0;  // IPV6_MULTICAST_IF's index (0: the route's choice)
  std::uint8_t ttl = config::ip_default_ttl;  // IP_TTL (UDP, raw; TCP: tcp.ip.ttl)
  std::uint8_t tos = 0;        // IP_TOS (UDP, raw; TCP: tcp.ip.tos)
  bool packet_info = false;    // IP_PKTINFO (UDP)
  int udp_receive_buffer = INT_MAX;  // SO_RCVBUF (UDP, CONFIG_LWIP_SO_RCVBUF): INT_MAX is no bound
  std::array<char, 16> device{};  // SO_BINDTODEVICE's name; empty: not bound
  TcpSettings tcp{};           // TCP_NODELAY, keepalive, buffer sizes, TTL, TOS, netif
};

}  // namespace lwnet::api
