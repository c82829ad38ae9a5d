// Ready-made simulated networks: two stacks on one PipePair (A 192.0.2.1,
// B 192.0.2.2), or one stack facing a raw pipe end that the test drives
// frame by frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/stack.h"
#include "link/pipe.h"
#include "support/frames.h"
#include "support/sim.h"

namespace lwnet::test {

inline constexpr MacAddress mac_a{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
inline constexpr MacAddress mac_b{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};
inline constexpr MacAddress mac_c{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0c}};
inline constexpr MacAddress mac_peer{{0x02, 0x00, 0x00, 0x00, 0x00, 0xee}};
inline constexpr Ipv4Address ip_a = Ipv4Address::of(192, 0, 2, 1);
inline constexpr Ipv4Address ip_b = Ipv4Address::of(192, 0, 2, 2);
inline constexpr Ipv4Address ip_peer = Ipv4Address::of(192, 0, 2, 99);

NetifConfig netif_config(std::string_view name, const MacAddress& mac, Ipv4Address address,
                         std::uint8_t prefix_len, std::optional<Ipv4Address> gateway = {});

// A and B over one pipe; the log sees every frame. Addresses are set before
// the first poll, so each stack's first poll sends its gratuitous ARP.
struct TwoHosts {
  explicit TwoHosts(const PipeConfig& pipe_config = {});
  PipePair pipe;
  FrameLog log{pipe};
  Stack a{StackConfig{1}};
  Stack b{StackConfig{2}};
  NetifId a_if;
  NetifId b_if;
  Simulation sim;
};

// A (192.0.2.1) and B (192.0.2.2) on devices the test made (a pipe's ends,
// perhaps wrapped in a fault injector or another test device), settled: ARP
// and gratuitous ARP done.
struct StacksOn {
  StacksOn(Device& device_a, Device& device_b, std::uint64_t seed_a = 1, std::uint64_t seed_b = 2);
  Stack a;
  Stack b;
  Simulation sim;
};

// A TCP connection between two stacks of one simulation: `server` listens
// on `port`, `client` connects to `server_address`, and both ends come back
// once the server accepted (nullopt when that took longer than `limit`).
struct TcpPair {
  TcpHandle listener;  // on the server stack
  TcpHandle client;
  TcpHandle server;
};
std::optional<TcpPair> open_tcp_pair(Simulation& sim, Stack& client, Stack& server,
                                     Ipv4Address server_address, std::uint16_t port,
                                     Duration limit = Duration::seconds(120),
                                     const TcpSettings* server_settings = nullptr);

// The connect `c` of `host` has ended with `error`: Closed, its error
// event raised.
void expect_connect_failed(Stack& host, TcpHandle c, Error error);

// Stack A on the pipe's a() end; the test is the host at b() (mac_peer,
// ip_peer), reading and writing raw frames.
struct HostAndPeer {
  HostAndPeer();
  PipePair pipe;
  FrameLog log{pipe};
  Stack a{StackConfig{1}};
  NetifId a_if;
  Simulation sim;

  PipeEnd& peer() { return pipe.b(); }
  // Sends a frame from the peer to A (arrives at the next poll).
  void inject(const ByteVector& frame) { (void)pipe.b().transmit(frame, sim.now()); }
  // Sends an IPv4 packet from the peer to A's MAC.
  void inject_ipv4(const ByteVector& packet);
  // Frames A sent to the peer since the last call.
  std::vector<ByteVector> received() { return drain(pipe.b(), sim.now()); }
};

}  // namespace lwnet::test
