// The core in the Cortex-M size check's configuration (tests/size/lwip_sizes.h
// with CONFIG_LWIP_IPV6=0, the row compared with lwIP's minimal
// configuration), built for the host: what that header compiles out must
// leave a stack that still works, and behaves as its options say. TCP
// offers neither SACK nor timestamps and still carries data both ways;
// IPv4 groups cannot be joined (no IGMP); packets to the stack's own
// address are dropped, not queued (no loopback queue).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/options.h"
#include "core/stack_stats.h"
#include "support/frames.h"
#include "support/hosts.h"
#include "support/sim.h"
#include "util/stat_counter.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

namespace lwnet::test {

static_assert(!config::ipv6 && !config::igmp && !config::netif_loopback && !config::tcp_sack_in &&
                  !config::tcp_syn_cookies && !config::tcp_cubic && !config::tcp_timestamps &&
                  !config::device_offload,
              "built with tests/size/lwip_sizes.h and CONFIG_LWIP_IPV6=0");
static_assert(sizeof(StatCounter) == 4, "lwip_sizes.h: 32-bit counters (CONFIG_LWNET_STATS_COUNTER_BITS 32)");

namespace {

constexpr std::uint8_t protocol_tcp = 6;

// The TCP header of an Ethernet + IPv4 frame, or nullopt for any other frame.
std::optional<TcpRepr> tcp_of(const ByteVector& frame) {
  if (frame_ethertype(frame) != 0x0800 || frame_ip_protocol(frame) != protocol_tcp) return std::nullopt;
  Result<Ipv4Repr> ip = Ipv4Repr::parse(ConstBytes(frame).subspan(14), false);
  if (!ip) return std::nullopt;
  Result<TcpRepr> tcp = TcpRepr::parse(ip->payload, IpAddress(ip->source), IpAddress(ip->destination), true);
  if (!tcp) return std::nullopt;
  return *tcp;
}

TEST(LwipSizes, TcpCarriesDataWithoutSackOrTimestamps) {
  TwoHosts net;
  const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, 5001);
  ASSERT_TRUE(pair.has_value());
  const ByteVector data = pattern(20000, 3);
  std::size_t sent = 0;
  ByteVector got;
  std::array<std::uint8_t, 1024> buffer{};
  const bool done = net.sim.run_until(
      [&] {
        if (sent < data.size()) {
          Result<std::size_t> n = net.a.tcp_send(pair->client, ConstBytes(data).subspan(sent), net.sim.now());
          if (n) sent += *n;
        }
        while (true) {
          Result<std::size_t> n = net.b.tcp_receive(pair->server, buffer, net.sim.now());
          if (!n || *n == 0) break;
          got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        return got.size() == data.size();
      },
      Duration::seconds(60));
  ASSERT_TRUE(done);
  EXPECT_EQ(got, data);

  std::size_t syns = 0;
  for (const FrameLog::Frame& f : net.log.frames()) {
    const std::optional<TcpRepr> tcp = tcp_of(f.bytes);
    if (!tcp) continue;
    EXPECT_FALSE(tcp->timestamp.has_value());
    EXPECT_EQ(tcp->sack_count, 0U);
    if (tcp->has(tcp_flags::syn)) {
      ++syns;
      EXPECT_FALSE(tcp->sack_permitted);
      EXPECT_TRUE(tcp->mss.has_value());
    }
  }
  EXPECT_EQ(syns, 2U);  // the SYN and the SYN-ACK
}

TEST(LwipSizes, Ipv4GroupsCannotBeJoined) {
  TwoHosts net;
  EXPECT_EQ(net.a.igmp_join(net.a_if, Ipv4Address::of(224, 0, 0, 251), net.sim.now()).error(),
            Error::Unsupported);
  EXPECT_FALSE(net.a.igmp_is_member(net.a_if, Ipv4Address::of(224, 0, 0, 1)));
}

TEST(LwipSizes, PacketsToOurOwnAddressAreDropped) {
  TwoHosts net;
  net.sim.settle();
  Result<UdpHandle> socket = net.a.udp_open();
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(net.a.udp_bind(*socket, {IpAddress(ip_a), 7000}).ok());
  const ByteVector payload = pattern(32, 1);
  (void)net.a.udp_send_to(*socket, payload, {IpAddress(ip_a), 7000}, net.sim.now());
  net.sim.run_for(Duration::seconds(1));
  std::array<std::uint8_t, 64> buffer{};
  EXPECT_FALSE(net.a.udp_receive(*socket, buffer).ok());
  // Nothing went out on the wire instead.
  for (const FrameLog::Frame& f : net.log.frames()) {
    if (frame_ethertype(f.bytes) == 0x0800) {
      EXPECT_NE(frame_ip_destination(f.bytes), ip_a);
    }
  }
}

// Five connection slots (lwIP's MEMP_NUM_TCP_PCB), buffers for four at once
// (CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS): a fifth live connection is
// refused; one in TIME-WAIT lends its buffers to the next.
TEST(LwipSizes, FiveConnectionsShareFourBufferPairs) {
  static_assert(config::max_active_tcp == 5 && config::tcp_buffered_connections == 4);
  TwoHosts net;
  std::vector<TcpPair> pairs;
  for (std::uint16_t port = 5001; port <= 5004; ++port) {
    const std::optional<TcpPair> pair = open_tcp_pair(net.sim, net.a, net.b, ip_b, port);
    ASSERT_TRUE(pair.has_value());
    pairs.push_back(*pair);
  }
  Result<TcpHandle> fifth = net.a.tcp_connect({IpAddress(ip_b), 5001}, net.sim.now());
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error(), Error::TableFull);
  EXPECT_EQ(net.a.stats().tcp_table.drop_no_buffers, 1U);

  // A closes the first connection first: its end waits in TIME-WAIT.
  net.a.tcp_close(pairs[0].client, net.sim.now());
  ASSERT_TRUE(net.sim.run_until(
      [&] { return net.b.tcp_connection(pairs[0].server)->state() == TcpState::CloseWait; }, Duration::seconds(5)));
  net.b.tcp_close(pairs[0].server, net.sim.now());
  net.sim.run_for(Duration::seconds(1));
  EXPECT_EQ(net.a.stats().tcp_table.buffers_lent, 0U);

  fifth = net.a.tcp_connect({IpAddress(ip_b), 5001}, net.sim.now());
  ASSERT_TRUE(fifth.ok());
  EXPECT_EQ(net.a.stats().tcp_table.buffers_lent, 1U);
  ASSERT_TRUE(net.sim.run_until(
      [&] { return net.a.tcp_connection(*fifth)->state() == TcpState::Established; }, Duration::seconds(5)));
  // The lent buffers carry a stream larger than both of them, whole.
  const ByteVector data = pattern(5000, 4);
  std::optional<TcpHandle> server;
  std::size_t sent = 0;
  ByteVector got;
  std::array<std::uint8_t, 1024> buffer{};
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        if (sent < data.size()) {
          Result<std::size_t> n = net.a.tcp_send(*fifth, ConstBytes(data).subspan(sent), net.sim.now());
          if (n) sent += *n;
        }
        if (!server) {
          Result<TcpHandle> accepted = net.b.tcp_accept(pairs[0].listener);
          if (accepted) server = *accepted;
        }
        while (server) {
          Result<std::size_t> n = net.b.tcp_receive(*server, buffer, net.sim.now());
          if (!n || *n == 0) break;
          got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        return got.size() == data.size();
      },
      Duration::seconds(30)));
  EXPECT_EQ(got, data);
}

}  // namespace
}  // namespace lwnet::test

namespace lwnet::test {
namespace {

// 32-bit counters wrap instead of trapping or saturating, as lwIP's do.
TEST(LwipSizes, CountersAreThirtyTwoBitsAndWrap) {
  StatCounter counter = 0xfffffffeU;
  count(counter, 3);
  EXPECT_EQ(counter, 1U);
  StackStats stats;
  EXPECT_EQ(sizeof stats.ethernet.rx, 4U);
}

}  // namespace
}  // namespace lwnet::test
