#include "support/icmp_error_checks.h"

#include <gtest/gtest.h>

#include "config/options.h"
#include "support/status.h"
#include "wire/tcp.h"

namespace lwnet::test {

namespace {

// A segment from the peer's port `port` to A's port 80 (a SYN offers an
// MSS).
ByteVector segment_from_peer(const IcmpErrorScript& script, std::uint16_t port, std::uint8_t flags,
                             std::uint32_t sequence, std::uint32_t acknowledgment = 0) {
  TcpRepr segment;
  segment.source_port = port;
  segment.destination_port = 80;
  segment.sequence = sequence;
  segment.acknowledgment = acknowledgment;
  segment.flags = flags;
  segment.window = 64240;
  if ((flags & tcp_flags::syn) != 0) segment.mss = 1200;
  ByteVector bytes(segment.header_len());
  segment.emit(bytes, script.peer, script.local);
  return bytes;
}

}  // namespace

void expect_hard_error_drops_syn_received(const IcmpErrorScript& script,
                                          const std::function<void(const ByteVector& packet)>& inject) {
  HostAndPeer& net = script.net;
  const std::size_t tcp_at = script.ip_header_len;
  Result<TcpHandle> listener = net.a.tcp_listen({script.local, 80}, 1);
  ASSERT_OK(listener);
  const std::uint64_t errors_before = net.a.stats().icmp.errors_to_transport + net.a.stats().icmpv6.errors_to_transport;
  script.inject_tcp(segment_from_peer(script, 40000, tcp_flags::syn, 1000));
  net.sim.settle();
  std::vector<ByteVector> packets = script.sent();
  ASSERT_EQ(packets.size(), 1U);
  const ByteVector syn_ack = packets[0];
  ASSERT_EQ(syn_ack.at(tcp_at + 13), tcp_flags::syn | tcp_flags::ack);
  const std::uint32_t isn = load_be32(syn_ack, tcp_at + 4);

  ByteVector stale = syn_ack;
  stale.at(tcp_at + 4) ^= 0x80;  // the sequence number's top bit
  inject(stale);
  ByteVector next = syn_ack;
  store_be32(next, tcp_at + 4, isn + 1);
  inject(next);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().tcp_table.half_open_icmp_aborted, 0U);
  // Still half-open: its SYN-ACK goes again when the timer fires.
  net.sim.run_for(Duration::millis(config::tcp_rto_time_ms));
  packets = script.sent();
  ASSERT_EQ(packets.size(), 1U);
  EXPECT_EQ(packets[0].at(tcp_at + 13), tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(load_be32(packets[0], tcp_at + 4), isn);

  inject(syn_ack);
  net.sim.settle();
  EXPECT_EQ(net.a.stats().tcp_table.half_open_icmp_aborted, 1U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport + net.a.stats().icmpv6.errors_to_transport,
            errors_before + 3);
  EXPECT_EQ(net.a.tcp_pending_accepts(*listener), 0U);
  net.sim.run_for(Duration::seconds(120));
  EXPECT_TRUE(script.sent().empty());  // no SYN-ACK again, no RST
  EXPECT_EQ(net.a.stats().tcp_table.tx_resets, 0U);

  // The next SYN gets a SYN-ACK with state (no cookie: the backlog of one
  // is free) and completes.
  script.inject_tcp(segment_from_peer(script, 40001, tcp_flags::syn, 7000));
  net.sim.settle();
  packets = script.sent();
  ASSERT_EQ(packets.size(), 1U);
  EXPECT_EQ(packets[0].at(tcp_at + 13), tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(net.a.stats().tcp_table.syn_cookies_sent, 0U);
  script.inject_tcp(
      segment_from_peer(script, 40001, tcp_flags::ack, 7001, load_be32(packets[0], tcp_at + 4) + 1));
  net.sim.settle();
  Result<TcpHandle> accepted = net.a.tcp_accept(*listener);
  ASSERT_OK(accepted);
  ASSERT_NE(net.a.tcp_connection(*accepted), nullptr);
  EXPECT_EQ(net.a.tcp_connection(*accepted)->state(), TcpState::Established);
  EXPECT_EQ(net.a.tcp_connection(*accepted)->remote(), (IpEndpoint{script.peer, 40001}));
  net.a.tcp_abort(*accepted, net.sim.now());
  net.a.tcp_close(*listener, net.sim.now());
  net.sim.settle();
  (void)script.sent();
}

void expect_hard_error_ends_syn_sent(const IcmpErrorScript& script,
                                     const std::function<void(const ByteVector& packet)>& inject, Error error) {
  HostAndPeer& net = script.net;
  Result<TcpHandle> c = net.a.tcp_connect({script.peer, 80}, net.sim.now());
  ASSERT_OK(c);
  net.sim.settle();
  const std::vector<ByteVector> packets = script.sent();
  ASSERT_EQ(packets.size(), 1U);  // the SYN
  ByteVector stale = packets[0];
  stale.at(script.ip_header_len + 4) ^= 0x80;  // the sequence number's top bit
  inject(stale);
  net.sim.settle();
  ASSERT_NE(net.a.tcp_connection(*c), nullptr);
  EXPECT_EQ(net.a.tcp_connection(*c)->state(), TcpState::SynSent);
  EXPECT_FALSE(net.a.tcp_connection(*c)->error());

  inject(packets[0]);
  net.sim.settle();
  const TcpConnection* conn = net.a.tcp_connection(*c);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->state(), TcpState::Closed);
  EXPECT_EQ(conn->error(), error);
  EXPECT_NE(net.a.tcp_events(*c) & tcp_events::error, 0);
  net.a.tcp_close(*c, net.sim.now());
}

TcpHandle connect_for_soft_errors(const IcmpErrorScript& script, ByteVector& syn) {
  HostAndPeer& net = script.net;
  TcpSettings settings;
  settings.syn_max_retransmits = 2;
  Result<TcpHandle> c = net.a.tcp_connect({script.peer, 80}, net.sim.now(), {}, &settings);
  EXPECT_OK(c);
  if (!c) return TcpHandle{};
  net.sim.settle();
  const std::vector<ByteVector> packets = script.sent();
  EXPECT_EQ(packets.size(), 1U);
  if (!packets.empty()) syn = packets[0];
  return *c;
}

void expect_connect_ends_with_soft_error(const IcmpErrorScript& script, TcpHandle c, Error soft_error) {
  HostAndPeer& net = script.net;
  const TcpConnection* conn = net.a.tcp_connection(c);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->state(), TcpState::SynSent);  // still trying
  EXPECT_EQ(conn->soft_error(), soft_error);
  EXPECT_FALSE(conn->error());
  net.sim.run_for(Duration::seconds(120));
  conn = net.a.tcp_connection(c);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->state(), TcpState::Closed);
  EXPECT_EQ(conn->error(), soft_error);  // not TimedOut
  net.a.tcp_close(c, net.sim.now());
}

}  // namespace lwnet::test
