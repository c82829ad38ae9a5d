// The link probe of the Cortex-M size check (tests/size/run.sh): a bare-metal
// program that uses the core the way a minimal lwIP application does (one
// Ethernet netif with a static IPv4 address, or 2001:db8::2/64 in an
// IPv6-only build; ARP, ICMP echo, UDP, a TCP
// listener and an active TCP connection; no threads), so that the linker
// keeps exactly what such an application needs. Every input comes from a
// volatile, so nothing folds away. It runs under QEMU's Cortex-M4 board
// (mps2-an386) and prints, through semihosting, the heap the stack took at
// construction: the core allocates its pools and tables once, there.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <memory>

#include "core/stack.h"
#include "link/device.h"
#include "probe_device.h"

#ifndef LWNET_SIZE_PROBE_PING
#define LWNET_SIZE_PROBE_PING 1
#endif

namespace {

using lwnet::size_probe::frames_out;
using lwnet::size_probe::ProbeDevice;

volatile std::int64_t clock_micros = 0;

lwnet::Instant now() { return lwnet::Instant::from_micros(clock_micros); }

}  // namespace

int main() {
  const auto heap_before = static_cast<std::size_t>(mallinfo().uordblks);
  static ProbeDevice device;
  // Never destroyed, as firmware keeps its stack until reset (lwIP has no
  // teardown either): a static Stack would link every destructor through
  // atexit.
  alignas(lwnet::Stack) static unsigned char stack_storage[sizeof(lwnet::Stack)];
  lwnet::Stack& stack =
      *std::construct_at(reinterpret_cast<lwnet::Stack*>(stack_storage), lwnet::StackConfig{0x1234});
  const auto heap_after = static_cast<std::size_t>(mallinfo().uordblks);

  lwnet::NetifConfig config;
  config.mac = lwnet::MacAddress{{0x02, 0, 0, 0, 0, 1}};
  // The peer: IPv4 where the build has it, else IPv6 (2001:db8::1), so an
  // IPv6-only build links its own output paths, not an IPv4 refusal.
  lwnet::IpAddress peer;
  if constexpr (lwnet::config::ipv4) {
    config.ipv4 = lwnet::IpCidr{lwnet::Ipv4Address::of(192, 0, 2, 2), 24};
    config.gateway = lwnet::Ipv4Address::of(192, 0, 2, 1);
    peer = lwnet::IpAddress(lwnet::Ipv4Address::of(192, 0, 2, 1));
  } else {
    lwnet::Ipv6Address v6;
    v6.octets[0] = 0x20;
    v6.octets[1] = 0x01;
    v6.octets[2] = 0x0d;
    v6.octets[3] = 0xb8;
    v6.octets[15] = 1;
    peer = lwnet::IpAddress(v6);
  }
  auto netif = stack.add_netif(device, config, now());
  if (!netif) return 1;
  stack.set_default_netif(*netif);
  if constexpr (!lwnet::config::ipv4) {
    lwnet::Ipv6Address own = peer.v6();
    own.octets[15] = 2;
    if (!stack.add_ipv6_address(*netif, lwnet::IpCidr{lwnet::IpAddress(own), 64}, now())) return 1;
  }

  std::uint8_t buffer[256];
  auto udp = stack.udp_open();
  if (udp) {
    (void)stack.udp_bind(*udp, {lwnet::IpAddress{}, 7});
  }
  auto listener = stack.tcp_listen({lwnet::IpAddress{}, 80}, 4);
  auto client = stack.tcp_connect({peer, 8080}, now());
  // No ping session in lwIP's minimal configuration (lwip_sizes.h), whose
  // ping is an application outside the stack.
  auto ping = LWNET_SIZE_PROBE_PING ? stack.ping_open(0x5a5a)
                                    : lwnet::Result<lwnet::PingHandle>(lwnet::Error::Unsupported);

  for (int round = 0; round < 1000; ++round) {
    stack.poll(now());
    clock_micros = clock_micros + 1000;
    if (udp) {
      if (auto got = stack.udp_receive(*udp, buffer)) {
        (void)stack.udp_send_to(*udp, lwnet::ConstBytes(buffer, got->copied), got->from, now());
      }
    }
    if (listener) {
      if (auto accepted = stack.tcp_accept(*listener)) {
        if (auto n = stack.tcp_receive(*accepted, buffer, now()); n && *n > 0) {
          (void)stack.tcp_send(*accepted, lwnet::ConstBytes(buffer, *n), now());
        }
        stack.tcp_close(*accepted, now());
      }
    }
    if (client) {
      (void)stack.tcp_send(*client, lwnet::ConstBytes(buffer, 10), now());
      (void)stack.tcp_receive(*client, buffer, now());
    }
    if (LWNET_SIZE_PROBE_PING && ping) {
      (void)stack.ping_send(*ping, peer,
                            static_cast<std::uint16_t>(round), lwnet::ConstBytes(buffer, 32), 0, now());
      (void)stack.ping_receive(*ping, buffer);
    }
    (void)stack.next_deadline();
  }
  std::printf("heap_at_construction %u\n", static_cast<unsigned>(heap_after - heap_before));
  return static_cast<int>(frames_out & 1U);
}
