// A SYN flood against one listener: thousands of SYNs from spoofed sources
// that never answer. An established connection keeps transferring, a real
// client gets through at once (a SYN cookie), and every counter of the
// listener's stack is exact.
#include <gtest/gtest.h>

#include "link/pipe.h"
#include "support/frames.h"
#include "support/hosts.h"
#include "support/sim.h"
#include "support/status.h"
#include "wire/ethernet.h"
#include "wire/tcp.h"

namespace lwnet::test::tcp_syn_flood_test {
namespace {

constexpr std::uint16_t port = 80;
constexpr std::size_t backlog = 4;
constexpr int bursts = 100;          // one every 10 ms: a second of flood
constexpr int syns_per_burst = 30;
constexpr int spoofed_syns = bursts * syns_per_burst;
constexpr int real_connect_burst = 50;
constexpr int bad_cookie_acks = 5;
constexpr MacAddress mac_spoofer{{0x02, 0x00, 0x00, 0x00, 0x00, 0x5f}};

// Spoofed source number i: on-link addresses (B has to ARP for them, and
// nobody answers) and addresses behind B's gateway A (A drops the SYN-ACKs),
// all in the documentation ranges; every source port differs.
IpEndpoint spoofed_source(int i) {
  const auto host = static_cast<std::uint8_t>(100 + i % 100);
  switch (i % 3) {
    case 0:
      return {Ipv4Address::of(192, 0, 2, host), static_cast<std::uint16_t>(10000 + i)};
    case 1:
      return {Ipv4Address::of(198, 51, 100, host), static_cast<std::uint16_t>(10000 + i)};
    default:
      return {Ipv4Address::of(203, 0, 113, host), static_cast<std::uint16_t>(10000 + i)};
  }
}

ByteVector tcp_frame(const IpEndpoint& source, const IpEndpoint& destination, const TcpRepr& header) {
  ByteVector segment(header.header_len());
  header.emit(segment, source.address, destination.address);
  Ipv4Repr ip;
  ip.source = source.address.v4();
  ip.destination = destination.address.v4();
  ip.protocol = static_cast<std::uint8_t>(IpProtocol::Tcp);
  return ethernet_frame(mac_b, mac_spoofer, static_cast<std::uint16_t>(EtherType::Ipv4),
                        ipv4_packet(ip, segment));
}

ByteVector spoofed_syn(int i) {
  const IpEndpoint source = spoofed_source(i);
  TcpRepr syn;
  syn.source_port = source.port;
  syn.destination_port = port;
  syn.sequence = 0x10000000U + static_cast<std::uint32_t>(i) * 7919U;
  syn.flags = tcp_flags::syn;
  syn.window = 64240;
  syn.mss = 1460;
  syn.window_scale = 7;
  syn.sack_permitted = true;
  syn.timestamp = TcpTimestamp{static_cast<std::uint32_t>(i), 0};
  return tcp_frame(source, IpEndpoint{ip_b, port}, syn);
}

// A plays the client; B (the listener) routes off-link addresses through A.
struct FloodNet {
  FloodNet() : pipe(pipe_config()) {
    Result<NetifId> ia = a.add_netif(pipe.a(), netif_config("a0", mac_a, ip_a, 24), sim.now());
    Result<NetifId> ib = b.add_netif(pipe.b(), netif_config("b0", mac_b, ip_b, 24, ip_a), sim.now());
    EXPECT_TRUE(ia.ok());
    EXPECT_TRUE(ib.ok());
    sim.add(a);
    sim.add(b);
  }
  static PipeConfig pipe_config() {
    PipeConfig config;
    config.latency = Duration::millis(1);
    config.queue_capacity = 4096;  // a burst of SYNs plus the transfer's frames
    return config;
  }
  PipePair pipe;
  Stack a{StackConfig{1}};
  Stack b{StackConfig{2}};
  Simulation sim;
};

TEST(TcpSynFlood, EstablishedKeepsTransferringAndARealClientGetsThroughAtOnce) {
  FloodNet net;
  net.sim.run_for(Duration::millis(10));
  Result<TcpHandle> listener = net.b.tcp_listen({IpAddress{}, port}, backlog);
  ASSERT_OK(listener);

  // The connection that transfers data throughout the flood.
  Result<TcpHandle> sender = net.a.tcp_connect({ip_b, port}, net.sim.now());
  ASSERT_OK(sender);
  TcpHandle receiver{};
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        Result<TcpHandle> accepted = net.b.tcp_accept(*listener);
        if (accepted) receiver = *accepted;
        return accepted.ok();
      },
      Duration::seconds(1)));

  std::size_t sent = 0;
  std::size_t received = 0;
  bool intact = true;
  ByteVector chunk(4096);
  const auto move_data = [&] {
    for (;;) {
      ByteVector data = pattern(chunk.size(), static_cast<std::uint8_t>(sent % 251));
      Result<std::size_t> n = net.a.tcp_send(*sender, data, net.sim.now());
      if (!n || *n == 0) break;
      sent += *n;
    }
    for (;;) {
      Result<std::size_t> n = net.b.tcp_receive(receiver, chunk, net.sim.now());
      if (!n || *n == 0) break;
      const ByteVector expected = pattern(*n, static_cast<std::uint8_t>(received % 251));
      intact = intact && std::equal(expected.begin(), expected.end(), chunk.begin());
      received += *n;
    }
  };
  // pattern(n, seed) is i + seed mod 251, so consecutive pieces continue it.

  TcpHandle real_client{};
  TcpHandle real_server{};
  Instant real_connect_at;
  std::size_t received_before = 0;
  for (int burst = 0; burst < bursts; ++burst) {
    for (int k = 0; k < syns_per_burst; ++k) {
      ASSERT_TRUE(net.pipe.a().transmit(spoofed_syn(burst * syns_per_burst + k), net.sim.now()));
    }
    if (burst == real_connect_burst) {
      Result<TcpHandle> client = net.a.tcp_connect({ip_b, port}, net.sim.now());
      ASSERT_OK(client);
      real_client = *client;
      real_connect_at = net.sim.now();
    }
    net.sim.run_for(Duration::millis(10));
    move_data();
    if (burst == real_connect_burst) {
      // The handshake took one round trip: no SYN waited for a retry.
      Result<TcpHandle> accepted = net.b.tcp_accept(*listener);
      ASSERT_OK(accepted);
      real_server = *accepted;
      EXPECT_EQ(net.a.tcp_connection(real_client)->state(), TcpState::Established);
      EXPECT_EQ(net.a.tcp_connection(real_client)->retransmissions(), 0U);
      EXPECT_LE(net.sim.now() - real_connect_at, Duration::millis(10));
    }
    if (burst % 10 == 9) {
      // Every 100 ms of flood the transfer moved on.
      EXPECT_GT(received, received_before) << "burst " << burst;
      received_before = received;
    }
  }
  EXPECT_TRUE(intact);
  EXPECT_GT(received, 100000U);

  // The real connection carries data both ways.
  const ByteVector hello = pattern(100, 42);
  ASSERT_OK(net.a.tcp_send(real_client, hello, net.sim.now()));
  ByteVector got(200);
  std::size_t got_n = 0;
  ASSERT_TRUE(net.sim.run_until(
      [&] {
        Result<std::size_t> r = net.b.tcp_receive(real_server, got, net.sim.now());
        if (r) got_n = *r;
        return r.ok();
      },
      Duration::seconds(1)));
  got.resize(got_n);
  EXPECT_EQ(got, hello);

  // ACKs with wrong cookies (as a blind attacker would guess them) and a
  // SYN+FIN: refused and counted.
  for (int i = 0; i < bad_cookie_acks; ++i) {
    // SYNs 1000.. got cookies (the handshakes are SYNs 0..3 and 1530).
    const int n = 1000 + i;
    TcpRepr ack;
    ack.source_port = spoofed_source(n).port;
    ack.destination_port = port;
    ack.sequence = 0x10000000U + static_cast<std::uint32_t>(n) * 7919U + 1;
    ack.acknowledgment = 0x12345678U + static_cast<std::uint32_t>(i);
    ack.flags = tcp_flags::ack;
    ack.window = 100;
    ASSERT_TRUE(net.pipe.a().transmit(tcp_frame(spoofed_source(n), IpEndpoint{ip_b, port}, ack),
                                      net.sim.now()));
  }
  {
    TcpRepr syn_fin;
    syn_fin.source_port = 999;
    syn_fin.destination_port = port;
    syn_fin.sequence = 1;
    syn_fin.flags = tcp_flags::syn | tcp_flags::fin;
    ASSERT_TRUE(net.pipe.a().transmit(
        tcp_frame(IpEndpoint{Ipv4Address::of(203, 0, 113, 77), 999}, IpEndpoint{ip_b, port}, syn_fin),
        net.sim.now()));
  }
  net.sim.run_for(Duration::millis(10));

  const TcpTableStats& t = net.b.stats().tcp_table;
  // The first `backlog` SYNs became handshakes; the real client's cookie
  // evicted the oldest of them, and once it was accepted the next spoofed
  // SYN took that place. A handshake with an on-link spoofed source ends
  // when B gives up resolving it: the flood's SYN-ACKs push its ARP entry
  // out of the table, and the SYN-ACK that waited there is reported as a
  // host unreachable; the next spoofed SYN takes that place too. Every
  // other SYN, the real one included, got a cookie.
  EXPECT_EQ(t.half_open_icmp_aborted, 2U);
  EXPECT_EQ(t.syn_cookies_sent,
            static_cast<std::uint64_t>(spoofed_syns + 1 - (backlog + 1) - t.half_open_icmp_aborted));
  EXPECT_EQ(t.syn_cookies_validated, 1U);
  EXPECT_EQ(t.syn_cookies_rejected, static_cast<std::uint64_t>(bad_cookie_acks));
  EXPECT_EQ(t.half_open_evicted, 1U);
  EXPECT_EQ(t.drop_syn_fin, 1U);
  EXPECT_EQ(t.drop_backlog_full, 0U);
  EXPECT_EQ(t.drop_no_slot, 0U);
  EXPECT_EQ(t.drop_no_listener, 0U);
  EXPECT_EQ(t.tx_resets, static_cast<std::uint64_t>(bad_cookie_acks));
  EXPECT_EQ(t.connections_accepted, 2U);
  EXPECT_EQ(t.connections_opened, 0U);
  // Both connections, and the handshakes the backlog allows.
  EXPECT_EQ(net.b.tcp_connection(receiver)->state(), TcpState::Established);
  EXPECT_EQ(net.b.tcp_connection(real_server)->state(), TcpState::Established);

  // Wind down: every handshake gives up, the connections close, nothing
  // stays allocated.
  net.a.tcp_close(*sender, net.sim.now());
  net.a.tcp_close(real_client, net.sim.now());
  move_data();
  net.b.tcp_close(receiver, net.sim.now());
  net.b.tcp_close(real_server, net.sim.now());
  net.b.tcp_close(*listener, net.sim.now());
  net.sim.run_for(Duration::seconds(300));
  EXPECT_EQ(net.b.stats().tcp_table.syn_cookies_sent, t.syn_cookies_sent);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::tcp_syn_flood_test
