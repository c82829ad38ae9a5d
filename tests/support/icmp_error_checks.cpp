#include "support/icmp_error_checks.h"

#include <gtest/gtest.h>

#include "support/status.h"

namespace lwnet::test {

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
