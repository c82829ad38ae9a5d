// The connection table: listen/accept, RST for segments nobody owns,
// backlog limits, port rules, ISNs, slot recycling, memory bound.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "support/tcp_script.h"
#include "support/tcp_table_pair.h"

namespace lwnet::tcp_table_test {
namespace {

using test::pattern;
using test::RecordingOutput;
using test::TcpTablePair;

struct Connected {
  TcpHandle listener;
  TcpHandle client;
  TcpHandle server;
};

Connected connect_pair(TcpTablePair& p, std::uint16_t port = 80) {
  Connected c;
  auto listener = p.b.listen(IpEndpoint{p.address_b, port}, 4, false);
  EXPECT_TRUE(listener.ok());
  c.listener = *listener;
  auto client = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, port},
                            TcpTablePair::mss_limit, p.now, p.a_out);
  EXPECT_TRUE(client.ok());
  c.client = *client;
  EXPECT_TRUE(p.run_until([&] { return p.b.pending_accepts(c.listener) == 1; }, Duration::seconds(5)));
  auto server = p.b.accept(c.listener);
  EXPECT_TRUE(server.ok());
  c.server = *server;
  EXPECT_TRUE(p.run_until(
      [&] { return p.a.connection(c.client)->state() == TcpState::Established; }, Duration::seconds(5)));
  return c;
}

// A default TcpSettings is a copy of defaults built at compile time
// (tcp_settings.cpp): every field must still be the configured default.
TEST(TcpSettings, DefaultsAreTheConfiguredOnes) {
  const TcpSettings settings;
  EXPECT_EQ(settings.send_buffer, config::tcp_snd_buf_default);
  EXPECT_EQ(settings.receive_buffer, config::tcp_wnd_default);
  EXPECT_EQ(settings.mss, config::tcp_mss);
  EXPECT_FALSE(settings.nodelay);
  EXPECT_TRUE(settings.delayed_ack);
  EXPECT_FALSE(settings.keepalive);
  EXPECT_EQ(settings.congestion, CongestionAlgorithm::NewReno);
  EXPECT_EQ(settings.max_retransmits, config::tcp_maxrtx);
  EXPECT_EQ(settings.syn_max_retransmits, config::tcp_synmaxrtx);
  EXPECT_EQ(settings.delayed_ack_timeout.total_millis(), config::tcp_delayed_ack_ms);
  EXPECT_EQ(settings.keepalive_idle.total_millis(), config::tcp_keepidle_ms);
  EXPECT_EQ(settings.keepalive_interval.total_millis(), config::tcp_keepintvl_ms);
  EXPECT_EQ(settings.keepalive_count, config::tcp_keepcnt);
  EXPECT_EQ(settings.window_scaling, config::wnd_scale);
  EXPECT_EQ(settings.timestamps, config::tcp_timestamps);
  EXPECT_EQ(settings.sack_out, config::tcp_sack_out);
  EXPECT_EQ(settings.queue_out_of_order, config::tcp_queue_ooseq);
  EXPECT_EQ(settings.initial_rto.total_millis(), config::tcp_rto_time_ms);
  EXPECT_EQ(settings.time_wait.total_millis(), 2 * std::int64_t{config::tcp_msl_ms});
  EXPECT_EQ(settings.fin_wait_2_timeout.total_millis(), config::tcp_fin_wait_timeout_ms);
  EXPECT_FALSE(settings.ip.ttl.has_value());
  EXPECT_EQ(settings.ip.tos, 0);
  EXPECT_FALSE(settings.ip.netif.has_value());
  EXPECT_FALSE(settings.ip.v6only);
}

TEST(TcpTable, ListenAcceptAndExchangeData) {
  TcpTablePair p(1);
  Connected c = connect_pair(p);
  EXPECT_EQ(p.b.connection(c.server)->state(), TcpState::Established);
  EXPECT_EQ(p.b.connection(c.server)->remote(), p.a.connection(c.client)->local());
  const auto request = pattern(300, 1);
  ASSERT_TRUE(p.a.send(c.client, request, p.now, p.a_out).ok());
  std::vector<std::uint8_t> got(1000);
  std::size_t n = 0;
  ASSERT_TRUE(p.run_until(
      [&] {
        auto r = p.b.receive(c.server, got, p.now, p.b_out);
        if (r.ok()) n = *r;
        return r.ok();
      },
      Duration::seconds(5)));
  got.resize(n);
  EXPECT_EQ(got, request);
  EXPECT_NE(p.a.take_events(c.client) & tcp_events::writable, 0);
}

TEST(TcpTable, SynToClosedPortGetsRstAck) {
  Random random(7);
  TcpTable table({}, random);
  RecordingOutput out;
  TcpRepr syn;
  syn.source_port = 40000;
  syn.destination_port = 81;
  syn.sequence = 12345;
  syn.flags = tcp_flags::syn;
  const IpAddress peer = Ipv4Address::of(192, 0, 2, 1);
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  table.on_segment(peer, us, syn, 1460, Instant::from_seconds(1), out);
  ASSERT_EQ(out.sent.size(), 1U);
  const TcpRepr& rst = out.sent.front().header;
  EXPECT_EQ(rst.flags, tcp_flags::rst | tcp_flags::ack);
  EXPECT_EQ(rst.sequence, 0U);
  EXPECT_EQ(rst.acknowledgment, 12346U);
  EXPECT_EQ(rst.source_port, 81);
  EXPECT_EQ(rst.destination_port, 40000);
  EXPECT_EQ(table.stats().drop_no_listener, 1U);
  // An ACK to nobody: RST with its acknowledgment as sequence number.
  out.sent.clear();
  TcpRepr ack = syn;
  ack.flags = tcp_flags::ack;
  ack.acknowledgment = 777;
  table.on_segment(peer, us, ack, 1460, Instant::from_seconds(1), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::rst);
  EXPECT_EQ(out.sent.front().header.sequence, 777U);
  // A RST to nobody is never answered.
  out.sent.clear();
  TcpRepr rst_in = syn;
  rst_in.flags = tcp_flags::rst;
  table.on_segment(peer, us, rst_in, 1460, Instant::from_seconds(1), out);
  EXPECT_TRUE(out.sent.empty());
}

TEST(TcpTable, FullBacklogAnswersRst) {
  TcpTablePair p(2);
  auto listener = p.b.listen(IpEndpoint{p.address_b, 80}, 1, false);
  ASSERT_TRUE(listener.ok());
  auto first = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now, p.a_out);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(p.run_until([&] { return p.b.pending_accepts(*listener) == 1; }, Duration::seconds(5)));
  auto second = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now, p.a_out);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(p.run_until(
      [&] { return p.a.connection(*second)->state() == TcpState::Closed; }, Duration::seconds(5)));
  EXPECT_EQ(p.a.connection(*second)->error(), std::optional<Error>(Error::ConnectionRefused));
  EXPECT_EQ(p.b.stats().drop_backlog_full, 1U);
  EXPECT_EQ(p.a.connection(*first)->state(), TcpState::Established);
}

TEST(TcpTable, PortRulesAndReuseAddress) {
  TcpTablePair p(3);
  auto l1 = p.b.listen(IpEndpoint{p.address_b, 80}, 2, false);
  ASSERT_TRUE(l1.ok());
  auto dup = p.b.listen(IpEndpoint{IpAddress{}, 80}, 2, false);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error(), Error::AddressInUse);
  auto zero = p.b.listen(IpEndpoint{p.address_b, 0}, 2, false);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error(), Error::InvalidArgument);

  // The server closes first: its side ends in TIME-WAIT on port 80.
  Connected c;
  c.listener = *l1;
  auto client = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now, p.a_out);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(p.run_until([&] { return p.b.pending_accepts(*l1) == 1; }, Duration::seconds(5)));
  c.server = *p.b.accept(*l1);
  p.b.close(*l1, p.now, p.b_out);
  p.b.close(c.server, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.a.connection(*client)->state() == TcpState::CloseWait; },
                          Duration::seconds(5)));
  p.a.close(*client, p.now, p.a_out);
  ASSERT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 0; }, Duration::seconds(5)));
  ASSERT_EQ(p.b.connections_in_use(), 1U);  // TIME-WAIT
  auto again = p.b.listen(IpEndpoint{p.address_b, 80}, 2, false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), Error::AddressInUse);
  auto reused = p.b.listen(IpEndpoint{p.address_b, 80}, 2, true);
  EXPECT_TRUE(reused.ok());
  // TIME-WAIT ends after 2 MSL and the slot is free.
  ASSERT_TRUE(p.run_until([&] { return p.b.connections_in_use() == 0; }, Duration::seconds(200)));
}

TEST(TcpTable, IsnDependsOnTupleAndClock) {
  Random random(11);
  TcpTable table({}, random);
  const IpEndpoint local{Ipv4Address::of(192, 0, 2, 2), 80};
  const IpEndpoint remote{Ipv4Address::of(192, 0, 2, 1), 40000};
  const IpEndpoint other{Ipv4Address::of(192, 0, 2, 1), 40001};
  const Instant t0 = Instant::from_seconds(5);
  EXPECT_EQ(table.initial_sequence_number(local, remote, t0), table.initial_sequence_number(local, remote, t0));
  EXPECT_NE(table.initial_sequence_number(local, remote, t0), table.initial_sequence_number(local, other, t0));
  // The clock part advances one per 4 microseconds.
  EXPECT_EQ(table.initial_sequence_number(local, remote, t0 + Duration::micros(400)) -
                table.initial_sequence_number(local, remote, t0),
            100);
  // A different secret (stack) gives a different ISN for the same tuple.
  Random other_random(12);
  TcpTable other_table({}, other_random);
  EXPECT_NE(table.initial_sequence_number(local, remote, t0),
            other_table.initial_sequence_number(local, remote, t0));
}

TEST(TcpTable, EphemeralPortsAreRandomizedInRange) {
  TcpTablePair p(4);
  auto l = p.b.listen(IpEndpoint{p.address_b, 80}, 4, false);
  ASSERT_TRUE(l.ok());
  std::set<std::uint16_t> ports;
  for (int i = 0; i < 4; ++i) {
    auto h = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now, p.a_out);
    ASSERT_TRUE(h.ok());
    const std::uint16_t port = p.a.connection(*h)->local().port;
    EXPECT_GE(port, 49152);
    ports.insert(port);
  }
  EXPECT_EQ(ports.size(), 4U);
  // Not simply sequential from the start of the range.
  EXPECT_NE(*ports.begin(), 49152);
}

TEST(TcpTable, FullTableRecyclesTimeWait) {
  TcpTableConfig config;
  config.max_connections = 2;
  TcpTablePair p(5, {}, config);
  auto l = p.b.listen(IpEndpoint{p.address_b, 80}, 2, false);
  ASSERT_TRUE(l.ok());
  // A closes first, so A's slots end in TIME-WAIT.
  for (int round = 0; round < 5; ++round) {
    auto client = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now, p.a_out);
    ASSERT_TRUE(client.ok()) << "round " << round;
    ASSERT_TRUE(p.run_until([&] { return p.b.pending_accepts(*l) == 1; }, Duration::seconds(5)));
    TcpHandle server = *p.b.accept(*l);
    p.a.close(*client, p.now, p.a_out);
    ASSERT_TRUE(p.run_until([&] { return p.b.connection(server)->state() == TcpState::CloseWait; },
                            Duration::seconds(5)));
    p.b.close(server, p.now, p.b_out);
    ASSERT_TRUE(p.run_until([&] { return p.b.connections_in_use() == 0; }, Duration::seconds(5)));
  }
  EXPECT_EQ(p.a.connections_in_use(), 2U);  // both in TIME-WAIT
  EXPECT_GE(p.a.stats().time_wait_recycled, 3U);
}

TEST(TcpTable, ThousandConnectCloseCyclesLeakNoSlot) {
  TcpTablePair p(6);
  auto l = p.b.listen(IpEndpoint{p.address_b, 7}, 4, false);
  ASSERT_TRUE(l.ok());
  for (int i = 0; i < 1000; ++i) {
    auto client = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 7}, 1460, p.now, p.a_out);
    ASSERT_TRUE(client.ok()) << i;
    ASSERT_TRUE(p.run_until([&] { return p.b.pending_accepts(*l) == 1; }, Duration::seconds(5))) << i;
    TcpHandle server = *p.b.accept(*l);
    const std::uint8_t one = static_cast<std::uint8_t>(i);
    ASSERT_TRUE(p.a.send(*client, ConstBytes(&one, 1), p.now, p.a_out).ok());
    std::uint8_t echo = 0;
    ASSERT_TRUE(p.run_until([&] { return p.b.receive(server, Bytes(&echo, 1), p.now, p.b_out).ok(); },
                            Duration::seconds(5)))
        << i << " " << to_string(p.b.connection(server)->state()) << " "
        << to_string(p.a.connection(*client)->state());
    EXPECT_EQ(echo, one);
    // The client closes first (as the CRR benchmark does); the server
    // closes when it reads the end of the stream.
    p.a.close(*client, p.now, p.a_out);
    ASSERT_TRUE(p.run_until(
        [&] {
          auto r = p.b.receive(server, Bytes(&echo, 1), p.now, p.b_out);
          return r.ok() && *r == 0;
        },
        Duration::seconds(5)))
        << i;
    p.b.close(server, p.now, p.b_out);
    ASSERT_TRUE(p.run_until([&] { return p.b.connections_in_use() == 0; }, Duration::seconds(5))) << i;
  }
  // The closing side keeps at most its table's worth of TIME-WAIT slots.
  EXPECT_LE(p.a.connections_in_use(), config::max_active_tcp);
  EXPECT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 0; }, Duration::seconds(300)));
  EXPECT_EQ(p.b.listeners_in_use(), 1U);
}

TEST(TcpTable, BufferSizesPerConnectionWithinTheCaps) {
  TcpTablePair p(8);
  TcpSettings small;
  small.send_buffer = 2000;
  small.receive_buffer = 3000;
  TcpSettings huge;
  huge.send_buffer = 1 << 30;  // far over CONFIG_LWNET_TCP_SND_BUF_MAX
  auto l = p.b.listen(IpEndpoint{p.address_b, 80}, 2, false, &small);
  ASSERT_TRUE(l.ok());
  auto client = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now,
                            p.a_out, &huge);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(p.run_until([&] { return p.b.pending_accepts(*l) == 1; }, Duration::seconds(5)));
  TcpHandle server = *p.b.accept(*l);
  EXPECT_EQ(p.b.connection(server)->send_space(), 2000U);
  EXPECT_EQ(p.a.connection(*client)->send_space(), config::tcp_snd_buf_max);
  // The accepted side advertised its 3000-byte receive buffer: A may send no more.
  ASSERT_TRUE(p.run_until([&] { return p.a.connection(*client)->send_window() == 3000U; },
                          Duration::seconds(5)));
}

TEST(TcpTable, BufferSizesChangeOnALiveConnection) {
  TcpTablePair p(9);
  TcpSettings small;
  small.send_buffer = 2000;
  small.receive_buffer = 3000;
  auto l = p.b.listen(IpEndpoint{p.address_b, 80}, 2, false, &small);
  ASSERT_TRUE(l.ok());
  auto client = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, 1460, p.now, p.a_out);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(p.run_until([&] { return p.b.pending_accepts(*l) == 1; }, Duration::seconds(5)));
  TcpHandle server = *p.b.accept(*l);
  ASSERT_TRUE(p.run_until([&] { return p.a.connection(*client)->send_window() == 3000U; },
                          Duration::seconds(5)));
  // Raised past the caps: clamped to them. The peer hears of the new window.
  ASSERT_TRUE(p.b.set_buffer_sizes(server, 1 << 30, 1 << 30, p.now, p.b_out).ok());
  EXPECT_EQ(p.b.connection(server)->send_buffer_size(), config::tcp_snd_buf_max);
  EXPECT_EQ(p.b.connection(server)->receive_buffer_size(), config::tcp_wnd_max);
  EXPECT_EQ(p.b.connection(server)->send_space(), config::tcp_snd_buf_max);
  ASSERT_TRUE(p.run_until(
      [&] { return p.a.connection(*client)->send_window() == std::min<std::size_t>(config::tcp_wnd_max, 0xffff); },
      Duration::seconds(5)));
  // Lowered to 1 byte: clamped to what the connection promised (its window).
  ASSERT_TRUE(p.b.set_buffer_sizes(server, 1, 1, p.now, p.b_out).ok());
  EXPECT_EQ(p.b.connection(server)->send_buffer_size(), 1U);
  EXPECT_EQ(p.b.connection(server)->receive_buffer_size(), config::tcp_wnd_max);
  // A stale handle is refused.
  p.b.abort(server, p.now, p.b_out);
  EXPECT_EQ(p.b.set_buffer_sizes(server, 100, 100, p.now, p.b_out).error(), Error::Closed);
  p.a.abort(*client, p.now, p.a_out);
}

TEST(TcpTable, PeakMemoryFormulaIsAnUpperBound) {
  Random random(1);
  TcpTable table({}, random);
  // The guide: tcp_conns x (tx_win + rx_win + tcp_conn).
  const std::size_t tcp_conn = TcpTable::connection_object_size();
  const std::size_t formula = config::max_active_tcp *
                              (config::tcp_snd_buf_max + config::tcp_wnd_max + tcp_conn);
  EXPECT_EQ(table.memory_per_connection() * config::max_active_tcp, formula);
  // One slot is one TcpConnection (less than 1 KiB) plus bookkeeping.
  EXPECT_LT(sizeof(TcpConnection), 1024U);
  EXPECT_LE(tcp_conn - sizeof(TcpConnection), 96U);
}

TEST(TcpTable, SynFinToListenerIsDroppedUnanswered) {
  Random random(21);
  TcpTable table({}, random);
  RecordingOutput out;
  const IpAddress peer = Ipv4Address::of(192, 0, 2, 1);
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  auto listener = table.listen(IpEndpoint{us, 80}, 4, false);
  ASSERT_TRUE(listener.ok());
  TcpRepr syn_fin;
  syn_fin.source_port = 40000;
  syn_fin.destination_port = 80;
  syn_fin.sequence = 12345;
  syn_fin.flags = tcp_flags::syn | tcp_flags::fin;
  syn_fin.window = 8192;
  table.on_segment(peer, us, syn_fin, 1460, Instant::from_seconds(1), out);
  EXPECT_TRUE(out.sent.empty());
  EXPECT_EQ(table.stats().drop_syn_fin, 1U);
  EXPECT_EQ(table.stats().tx_resets, 0U);
  EXPECT_EQ(table.connections_in_use(), 0U);
  EXPECT_EQ(table.pending_accepts(*listener), 0U);
  // A plain SYN from the same peer still opens a connection.
  TcpRepr syn = syn_fin;
  syn.flags = tcp_flags::syn;
  table.on_segment(peer, us, syn, 1460, Instant::from_seconds(1), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(out.sent.front().header.acknowledgment, 12346U);
  EXPECT_EQ(table.stats().drop_syn_fin, 1U);
  EXPECT_EQ(table.connections_in_use(), 1U);
}

TEST(TcpTable, DefaultHandleNeverReachesAnything) {
  TcpTablePair p(22);
  // Slot 0 holds the first listener and the first connection of each table.
  Connected c = connect_pair(p);
  ASSERT_EQ(c.listener.slot, 0U);
  ASSERT_EQ(c.client.slot, 0U);
  ASSERT_EQ(c.server.slot, 0U);
  EXPECT_NE(c.listener.generation, 0U);
  EXPECT_NE(c.client.generation, 0U);
  const TcpHandle none{};
  const TcpHandle no_listener{0, 0, true};
  EXPECT_EQ(p.a.connection(none), nullptr);
  EXPECT_EQ(p.b.connection(none), nullptr);
  EXPECT_EQ(p.b.accept(no_listener).error(), Error::Closed);
  EXPECT_EQ(p.b.pending_accepts(no_listener), 0U);
  EXPECT_EQ(p.a.send(none, pattern(10, 1), p.now, p.a_out).error(), Error::Closed);
  EXPECT_EQ(p.a.take_events(none), tcp_events::error | tcp_events::closed);
  p.a.close(none, p.now, p.a_out);
  p.b.close(no_listener, p.now, p.b_out);
  p.b.abort(none, p.now, p.b_out);
  EXPECT_EQ(p.a.connection(c.client)->state(), TcpState::Established);
  EXPECT_EQ(p.b.connection(c.server)->state(), TcpState::Established);
  EXPECT_EQ(p.b.listeners_in_use(), 1U);
}

TEST(TcpTable, StaleHandleDoesNotReachTheSlotsNextUser) {
  TcpTablePair p(23);
  Connected first = connect_pair(p);
  p.a.abort(first.client, p.now, p.a_out);
  p.b.abort(first.server, p.now, p.b_out);
  p.b.close(first.listener, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 0 && p.b.connections_in_use() == 0; },
                          Duration::seconds(5)));
  Connected second = connect_pair(p);
  // The same slots, new generations: the old handles reach nothing.
  EXPECT_EQ(second.listener.slot, first.listener.slot);
  EXPECT_EQ(second.client.slot, first.client.slot);
  EXPECT_EQ(second.server.slot, first.server.slot);
  EXPECT_NE(second.listener.generation, first.listener.generation);
  EXPECT_NE(second.client.generation, first.client.generation);
  EXPECT_EQ(p.a.connection(first.client), nullptr);
  EXPECT_EQ(p.b.connection(first.server), nullptr);
  EXPECT_EQ(p.b.accept(first.listener).error(), Error::Closed);
  EXPECT_EQ(p.a.send(first.client, pattern(10, 1), p.now, p.a_out).error(), Error::Closed);
  p.a.close(first.client, p.now, p.a_out);
  p.b.close(first.listener, p.now, p.b_out);
  EXPECT_EQ(p.a.connection(second.client)->state(), TcpState::Established);
  EXPECT_EQ(p.b.listeners_in_use(), 1U);
  EXPECT_EQ(p.b.pending_accepts(second.listener), 0U);
}

// A SYN as Linux sends it: MSS 1460, SACK, timestamps, window scale 7.
TcpRepr linux_syn(std::uint16_t port, std::uint32_t sequence, std::uint32_t tsval) {
  TcpRepr syn;
  syn.source_port = port;
  syn.destination_port = 80;
  syn.sequence = sequence;
  syn.flags = tcp_flags::syn;
  syn.window = 64240;
  syn.mss = 1460;
  syn.window_scale = 7;
  syn.sack_permitted = true;
  syn.timestamp = TcpTimestamp{tsval, 0};
  return syn;
}

// The ACK with which such a client completes the handshake `syn_ack` began
// (returning its cookie, if it carries one).
TcpRepr linux_ack_of(const TcpRepr& syn_ack, std::uint16_t port, std::uint32_t sequence, std::uint32_t tsval) {
  TcpRepr ack;
  ack.source_port = port;
  ack.destination_port = 80;
  ack.sequence = sequence;
  ack.acknowledgment = syn_ack.sequence + 1;
  ack.flags = tcp_flags::ack;
  ack.window = 1000;
  ack.timestamp = TcpTimestamp{tsval, syn_ack.timestamp->value};
  return ack;
}

TEST(TcpTable, SynCookiesOnceTheBacklogIsFullOfHalfOpenConnections) {
  Random random(24);
  TcpTable table({}, random);
  RecordingOutput out;
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  const IpAddress spoofed = Ipv4Address::of(198, 51, 100, 7);
  const IpAddress real = Ipv4Address::of(203, 0, 113, 5);
  Instant now = Instant::from_seconds(100);
  TcpSettings settings;
  settings.window_scaling = true;
  auto listener = table.listen(IpEndpoint{us, 80}, 2, false, &settings);
  ASSERT_TRUE(listener.ok());
  // Two SYNs that will never be answered fill the backlog with handshakes.
  table.on_segment(spoofed, us, linux_syn(1000, 111, 7), 1460, now, out);
  table.on_segment(spoofed, us, linux_syn(1001, 222, 7), 1460, now + Duration::millis(1), out);
  ASSERT_EQ(out.sent.size(), 2U);
  const TcpRepr stateful = out.sent.back().header;
  out.sent.clear();
  EXPECT_EQ(table.connections_in_use(), 2U);

  // The real client's SYN gets a cookie: a SYN-ACK like the stateful one,
  // and nothing stored.
  now += Duration::millis(10);
  table.on_segment(real, us, linux_syn(40000, 5000, 900), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 1U);
  const TcpRepr syn_ack = out.sent.front().header;
  out.sent.clear();
  EXPECT_EQ(table.connections_in_use(), 2U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 1U);
  EXPECT_EQ(syn_ack.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(syn_ack.source_port, 80);
  EXPECT_EQ(syn_ack.destination_port, 40000);
  EXPECT_EQ(syn_ack.acknowledgment, 5001U);
  EXPECT_EQ(syn_ack.sequence & 0x7fU, 3U | 7U << 2 | 1U << 6);  // MSS 1460, shift 7, SACK
  EXPECT_EQ(syn_ack.mss, stateful.mss);
  EXPECT_EQ(syn_ack.window, stateful.window);
  ASSERT_TRUE(stateful.window_scale.has_value());
  EXPECT_EQ(syn_ack.window_scale, stateful.window_scale);
  EXPECT_TRUE(syn_ack.sack_permitted);
  ASSERT_TRUE(syn_ack.timestamp.has_value());
  EXPECT_EQ(syn_ack.timestamp->echo_reply, 900U);

  // An ACK with a wrong cookie: RST, counted, nothing created.
  TcpRepr ack;
  ack.source_port = 40000;
  ack.destination_port = 80;
  ack.sequence = 5001;
  ack.acknowledgment = syn_ack.sequence + 1 + 0x80;  // another hash
  ack.flags = tcp_flags::ack;
  ack.window = 502;  // x 128
  ack.timestamp = TcpTimestamp{901, syn_ack.timestamp->value};
  table.on_segment(real, us, ack, 1460, now + Duration::millis(1), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::rst);
  EXPECT_EQ(out.sent.front().header.sequence, ack.acknowledgment);
  out.sent.clear();
  EXPECT_EQ(table.stats().syn_cookies_rejected, 1U);
  EXPECT_EQ(table.stats().syn_cookies_validated, 0U);
  EXPECT_EQ(table.connections_in_use(), 2U);

  // The right cookie, with the first data: the connection is created
  // ESTABLISHED in place of the oldest handshake, ready for accept().
  const auto request = pattern(5, 9);
  ack.acknowledgment = syn_ack.sequence + 1;
  ack.payload = request;
  ack.flags = tcp_flags::ack | tcp_flags::psh;
  table.on_segment(real, us, ack, 1460, now + Duration::millis(2), out);
  EXPECT_TRUE(out.sent.empty()) << out.sent.front().describe();  // the data's ACK is delayed
  EXPECT_EQ(table.stats().syn_cookies_validated, 1U);
  EXPECT_EQ(table.stats().syn_cookies_rejected, 1U);
  EXPECT_EQ(table.stats().half_open_evicted, 1U);
  EXPECT_EQ(table.connections_in_use(), 2U);
  ASSERT_EQ(table.pending_accepts(*listener), 1U);
  auto server = table.accept(*listener);
  ASSERT_TRUE(server.ok());
  TcpConnection& c = *table.connection(*server);
  EXPECT_EQ(c.state(), TcpState::Established);
  EXPECT_EQ(c.remote(), (IpEndpoint{real, 40000}));
  // The peer's 1460 or our own limit; timestamps ride in every segment.
  EXPECT_EQ(c.send_mss(), std::min<std::size_t>(1460, config::tcp_mss) - 12);
  EXPECT_EQ(c.send_window(), 502U * 128U);
  EXPECT_EQ(table.take_events(*server) & (tcp_events::connected | tcp_events::readable),
            tcp_events::connected | tcp_events::readable);
  std::vector<std::uint8_t> got(100);
  auto n = table.receive(*server, got, now, out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, request);
  // Our first byte follows the cookie; the timestamp clock goes on from the
  // SYN-ACK's.
  out.sent.clear();
  ASSERT_TRUE(table.send(*server, pattern(3, 1), now + Duration::millis(3), out).ok());
  ASSERT_FALSE(out.sent.empty());
  const TcpRepr& reply = out.sent.back().header;
  EXPECT_EQ(reply.sequence, syn_ack.sequence + 1);
  EXPECT_EQ(reply.acknowledgment, 5006U);
  ASSERT_TRUE(reply.timestamp.has_value());
  EXPECT_EQ(reply.timestamp->value, syn_ack.timestamp->value + 3);  // 3 ms later
  EXPECT_EQ(reply.timestamp->echo_reply, 901U);

  // The evicted handshake was the oldest (port 1000): its late ACK finds
  // nothing and is refused; the younger one (port 1001) is still there.
  out.sent.clear();
  TcpRepr late;
  late.source_port = 1000;
  late.destination_port = 80;
  late.sequence = 112;
  late.acknowledgment = 1;
  late.flags = tcp_flags::ack;
  table.on_segment(spoofed, us, late, 1460, now + Duration::millis(4), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::rst);
  EXPECT_EQ(table.stats().syn_cookies_rejected, 2U);
  EXPECT_EQ(table.stats().tx_resets, 2U);
  EXPECT_EQ(table.connections_in_use(), 2U);
}

TEST(TcpTable, StaleCookieIsRejected) {
  Random random(25);
  TcpTable table({}, random);
  RecordingOutput out;
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  const IpAddress peer = Ipv4Address::of(198, 51, 100, 8);
  Instant now = Instant::from_seconds(64 * 10);
  auto listener = table.listen(IpEndpoint{us, 80}, 1, false);
  ASSERT_TRUE(listener.ok());
  table.on_segment(peer, us, linux_syn(1000, 1, 1), 1460, now, out);
  table.on_segment(peer, us, linux_syn(1001, 2, 1), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 2U);
  ASSERT_EQ(table.stats().syn_cookies_sent, 1U);
  const TcpRepr syn_ack = out.sent.back().header;
  out.sent.clear();
  TcpRepr ack;
  ack.source_port = 1001;
  ack.destination_port = 80;
  ack.sequence = 3;
  ack.acknowledgment = syn_ack.sequence + 1;
  ack.flags = tcp_flags::ack;
  ack.window = 100;
  // Two whole slots later the cookie is stale. (The listener still takes
  // cookies: it sent one less than 128 s ago.)
  table.on_segment(peer, us, linux_syn(1002, 3, 1), 1460, now + Duration::seconds(100), out);
  ASSERT_EQ(table.stats().syn_cookies_sent, 2U);
  out.sent.clear();
  table.on_segment(peer, us, ack, 1460, now + Duration::seconds(128), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::rst);
  EXPECT_EQ(table.stats().syn_cookies_rejected, 1U);
  EXPECT_EQ(table.stats().syn_cookies_validated, 0U);
  EXPECT_EQ(table.pending_accepts(*listener), 0U);
}

TEST(TcpTable, FullTableAnswersWithCookiesWhileHandshakesCanBeEvicted) {
  Random random(26);
  TcpTableConfig config;
  config.max_connections = 2;
  TcpTable table(config, random);
  RecordingOutput out;
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  const IpAddress spoofed = Ipv4Address::of(198, 51, 100, 7);
  const IpAddress real = Ipv4Address::of(203, 0, 113, 5);
  const Instant now = Instant::from_seconds(100);
  auto listener = table.listen(IpEndpoint{us, 80}, 4, false);
  ASSERT_TRUE(listener.ok());
  // Two handshakes fill the table, not the backlog.
  table.on_segment(spoofed, us, linux_syn(1000, 111, 7), 1460, now, out);
  table.on_segment(spoofed, us, linux_syn(1001, 222, 7), 1460, now + Duration::millis(1), out);
  ASSERT_EQ(table.connections_in_use(), 2U);
  out.sent.clear();
  table.on_segment(real, us, linux_syn(40000, 5000, 900), 1460, now + Duration::millis(2), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 1U);
  EXPECT_EQ(table.stats().drop_no_slot, 0U);
  TcpRepr ack = linux_ack_of(out.sent.front().header, 40000, 5001, 901);
  out.sent.clear();
  table.on_segment(real, us, ack, 1460, now + Duration::millis(3), out);
  EXPECT_TRUE(out.sent.empty());
  EXPECT_EQ(table.stats().syn_cookies_validated, 1U);
  EXPECT_EQ(table.stats().half_open_evicted, 1U);
  ASSERT_EQ(table.pending_accepts(*listener), 1U);
  auto first = table.accept(*listener);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(table.connection(*first)->state(), TcpState::Established);

  // A second real client evicts the last handshake.
  table.on_segment(real, us, linux_syn(40001, 6000, 950), 1460, now + Duration::millis(4), out);
  ASSERT_EQ(out.sent.size(), 1U);
  ack.source_port = 40001;
  ack.sequence = 6001;
  ack.acknowledgment = out.sent.front().header.sequence + 1;
  ack.timestamp = TcpTimestamp{951, out.sent.front().header.timestamp->value};
  out.sent.clear();
  table.on_segment(real, us, ack, 1460, now + Duration::millis(5), out);
  EXPECT_EQ(table.stats().syn_cookies_validated, 2U);
  EXPECT_EQ(table.stats().half_open_evicted, 2U);
  auto second = table.accept(*listener);
  ASSERT_TRUE(second.ok());

  // Now the table holds only live connections: a SYN is refused, a cookie
  // would find no slot either.
  table.on_segment(real, us, linux_syn(40002, 7000, 990), 1460, now + Duration::millis(6), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::rst | tcp_flags::ack);
  EXPECT_EQ(table.stats().drop_no_slot, 1U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 2U);
  EXPECT_EQ(table.connections_in_use(), 2U);
}

// CONFIG_LWNET_TCP_BUFFERED_CONNECTIONS below CONFIG_LWIP_MAX_ACTIVE_TCP: the
// buffer pairs are fewer than the slots; TIME-WAIT lends its pair.
TcpTableConfig two_pairs_three_slots() {
  TcpTableConfig config;
  config.max_connections = 3;
  config.buffered_connections = 2;
  return config;
}

TEST(TcpTable, ATimeWaitConnectionLendsItsBuffersToANewOne) {
  TcpTablePair p(31, {}, two_pairs_three_slots());
  auto x = p.open_connection(80);
  auto y = p.open_connection(81);
  ASSERT_TRUE(x && y);
  EXPECT_EQ(p.a.buffers_in_use(), 2U);
  // A slot is free, no pair is: refused as when the table is full.
  auto refused = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, TcpTablePair::mss_limit,
                             p.now, p.a_out);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), Error::TableFull);
  EXPECT_EQ(p.a.stats().drop_no_buffers, 1U);
  EXPECT_EQ(p.a.connections_in_use(), 2U);

  // x closes actively on a: a's end goes to TIME-WAIT, still holding its pair.
  const IpEndpoint x_local = p.a.connection(x->client)->local();
  const IpEndpoint x_remote = p.a.connection(x->client)->remote();
  p.a.close(x->client, p.now, p.a_out);
  ASSERT_TRUE(p.run_until([&] { return p.b.connection(x->server)->state() == TcpState::CloseWait; },
                          Duration::seconds(5)));
  p.b.close(x->server, p.now, p.b_out);

  ASSERT_TRUE(p.run_until([&] { return p.b.connections_in_use() == 1; }, Duration::seconds(5)));
  ASSERT_EQ(p.a.connections_in_use(), 2U);  // x in TIME-WAIT, y
  EXPECT_EQ(p.a.buffers_in_use(), 2U);
  // How x in TIME-WAIT answers a segment that is not acceptable (RFC 9293
  // 3.10.7.4: with an ACK), while it holds its pair.
  TcpRepr stray;
  stray.source_port = x_remote.port;
  stray.destination_port = x_local.port;
  stray.sequence = 1;
  stray.acknowledgment = 1;
  stray.flags = tcp_flags::ack;
  RecordingOutput before;
  p.a.on_segment(x_remote.address, x_local.address, stray, TcpTablePair::mss_limit, p.now, before);
  ASSERT_EQ(before.sent.size(), 1U);

  // z takes x's pair; x stays in TIME-WAIT.
  auto z = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, TcpTablePair::mss_limit,
                       p.now, p.a_out);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(p.a.stats().buffers_lent, 1U);
  EXPECT_EQ(p.a.connections_in_use(), 3U);
  EXPECT_EQ(p.a.buffers_in_use(), 2U);
  TcpHandle z_server;
  ASSERT_TRUE(p.run_until(
      [&] {
        auto accepted = p.b.accept(x->listener);
        if (accepted.ok()) z_server = *accepted;
        return accepted.ok();
      },
      Duration::seconds(5)));
  // The lent pair carries z's data both ways, whole.
  const auto request = pattern(3000, 5);
  const auto reply = pattern(2500, 6);
  std::vector<std::uint8_t> got_request, got_reply, chunk(4096);
  std::size_t sent_request = 0, sent_reply = 0;
  ASSERT_TRUE(p.run_until(
      [&] {
        if (sent_request < request.size()) {
          auto n = p.a.send(*z, ConstBytes(request).subspan(sent_request), p.now, p.a_out);
          if (n.ok()) sent_request += *n;
        }
        if (sent_reply < reply.size()) {
          auto n = p.b.send(z_server, ConstBytes(reply).subspan(sent_reply), p.now, p.b_out);
          if (n.ok()) sent_reply += *n;
        }
        if (auto n = p.b.receive(z_server, chunk, p.now, p.b_out); n.ok()) {
          got_request.insert(got_request.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        if (auto n = p.a.receive(*z, chunk, p.now, p.a_out); n.ok()) {
          got_reply.insert(got_reply.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        return got_request.size() == request.size() && got_reply.size() == reply.size();
      },
      Duration::seconds(10)));
  EXPECT_EQ(got_request, request);
  EXPECT_EQ(got_reply, reply);

  // x, without buffers, still does TIME-WAIT's work: the same answer.
  RecordingOutput after;
  p.a.on_segment(x_remote.address, x_local.address, stray, TcpTablePair::mss_limit, p.now, after);
  ASSERT_EQ(after.sent.size(), 1U);
  const TcpRepr& was = before.sent.front().header;
  const TcpRepr& is = after.sent.front().header;
  EXPECT_EQ(is.flags, tcp_flags::ack);
  EXPECT_EQ(is.source_port, x_local.port);
  EXPECT_EQ(is.destination_port, x_remote.port);
  EXPECT_EQ(is.sequence, was.sequence);
  EXPECT_EQ(is.acknowledgment, was.acknowledgment);
  EXPECT_EQ(is.window, was.window);
  EXPECT_TRUE(after.sent.front().payload.empty());
  EXPECT_EQ(p.a.connections_in_use(), 3U);

  // x's TIME-WAIT ends: no pair comes back (it had none); y's does on close.
  ASSERT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 2; }, Duration::seconds(300)));
  EXPECT_EQ(p.a.buffers_in_use(), 2U);
  p.a.abort(y->client, p.now, p.a_out);
  EXPECT_EQ(p.a.buffers_in_use(), 1U);
}

TEST(TcpTable, ATimeWaitConnectionWithUnreadDataKeepsItsBuffers) {
  TcpTablePair p(32, {}, two_pairs_three_slots());
  auto x = p.open_connection(80);
  auto y = p.open_connection(81);
  ASSERT_TRUE(x && y);
  // b sends 100 bytes a does not read; a ends its side first, then b.
  ASSERT_TRUE(p.b.send(x->server, pattern(100, 9), p.now, p.b_out).ok());
  ASSERT_TRUE(p.a.shutdown_send(x->client, p.now, p.a_out).ok());
  ASSERT_TRUE(p.run_until([&] { return p.b.connection(x->server)->state() == TcpState::CloseWait; },
                          Duration::seconds(5)));
  p.b.close(x->server, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.a.connection(x->client)->state() == TcpState::TimeWait; },
                          Duration::seconds(5)));
  auto refused = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, TcpTablePair::mss_limit,
                             p.now, p.a_out);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), Error::TableFull);
  EXPECT_EQ(p.a.stats().buffers_lent, 0U);
  // Read: now it has nothing left to keep.
  std::vector<std::uint8_t> got(200);
  auto n = p.a.receive(x->client, got, p.now, p.a_out);
  ASSERT_TRUE(n.ok());
  got.resize(*n);
  EXPECT_EQ(got, pattern(100, 9));
  auto z = p.a.connect(IpEndpoint{p.address_a, 0}, IpEndpoint{p.address_b, 80}, TcpTablePair::mss_limit,
                       p.now, p.a_out);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(p.a.stats().buffers_lent, 1U);
  // x's owner still reads the end of the stream, and resizing its buffers
  // says the connection is done with them.
  auto end = p.a.receive(x->client, got, p.now, p.a_out);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 0U);
  EXPECT_EQ(p.a.set_buffer_sizes(x->client, 1000, 1000, p.now, p.a_out).error(), Error::Closed);
}

TEST(TcpTable, ASynWithNoBuffersLeftGetsACookieThatEvictsAHandshake) {
  Random random(33);
  TcpTableConfig config;
  config.max_connections = 2;
  config.buffered_connections = 1;
  TcpTable table(config, random);
  RecordingOutput out;
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  const IpAddress spoofed = Ipv4Address::of(198, 51, 100, 7);
  const IpAddress real = Ipv4Address::of(203, 0, 113, 5);
  const Instant now = Instant::from_seconds(100);
  auto listener = table.listen(IpEndpoint{us, 80}, 4, false);
  ASSERT_TRUE(listener.ok());
  table.on_segment(spoofed, us, linux_syn(1000, 111, 7), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(table.buffers_in_use(), 1U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 0U);
  // A slot is free, the only pair is not: a cookie, nothing stored.
  out.sent.clear();
  table.on_segment(real, us, linux_syn(40000, 5000, 900), 1460, now + Duration::millis(1), out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(table.stats().syn_cookies_sent, 1U);
  EXPECT_EQ(table.stats().drop_no_buffers, 1U);
  EXPECT_EQ(table.connections_in_use(), 1U);
  // The cookie comes back: the spoofed handshake goes, its pair serves the
  // real client.
  const TcpRepr ack = linux_ack_of(out.sent.front().header, 40000, 5001, 901);
  out.sent.clear();
  table.on_segment(real, us, ack, 1460, now + Duration::millis(2), out);
  EXPECT_TRUE(out.sent.empty());
  EXPECT_EQ(table.stats().syn_cookies_validated, 1U);
  EXPECT_EQ(table.stats().half_open_evicted, 1U);
  EXPECT_EQ(table.connections_in_use(), 1U);
  EXPECT_EQ(table.buffers_in_use(), 1U);
  auto accepted = table.accept(*listener);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(table.connection(*accepted)->state(), TcpState::Established);
  EXPECT_EQ(table.connection(*accepted)->remote(), (IpEndpoint{real, 40000}));
}

// A hard ICMP error about the SYN-ACK of a passive open (the client's port
// is closed, or its host cannot read what we sent) drops the half-open
// connection at once, as Linux drops the request (tcp_req_err): its slot
// and the listener's backlog place are free again, and nothing more is
// sent. Only a quote of the SYN-ACK's ISN does it; a soft error there is
// kept for the timeout.
TEST(TcpTable, AHardIcmpErrorQuotingTheIsnDropsAHalfOpenConnection) {
  Random random(34);
  TcpTableConfig config;
  config.max_connections = 1;
  TcpTable table(config, random);
  RecordingOutput out;
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  const IpAddress client = Ipv4Address::of(203, 0, 113, 5);
  const IpEndpoint local{us, 80};
  const IpEndpoint remote{client, 40000};
  Instant now = Instant::from_seconds(100);
  auto listener = table.listen(local, 1, false);
  ASSERT_TRUE(listener.ok());
  table.on_segment(client, us, linux_syn(40000, 5000, 900), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 1U);
  const TcpRepr syn_ack = out.sent.front().header;
  ASSERT_EQ(syn_ack.flags, tcp_flags::syn | tcp_flags::ack);
  out.sent.clear();
  const std::uint32_t isn = syn_ack.sequence;

  // Other sequence numbers (the ACK side of the SYN-ACK, one off, far off)
  // are out of the window; a soft error is only kept.
  for (const std::uint32_t wrong : {isn + 1, isn - 1, isn ^ 0x80000000U, 5001U}) {
    table.on_icmp_error(local, remote, Error::ConnectionRefused, true, wrong);
  }
  table.on_icmp_error(local, remote, Error::HostUnreachable, false, isn);
  EXPECT_EQ(table.connections_in_use(), 1U);
  EXPECT_EQ(table.stats().half_open_icmp_aborted, 0U);
  EXPECT_TRUE(out.sent.empty());
  // Still half-open: the SYN-ACK goes again when its timer fires.
  now = table.next_deadline();
  table.on_timer(now, out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(out.sent.front().header.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_EQ(out.sent.front().header.sequence, isn);
  out.sent.clear();

  // An error about another tuple reaches nothing.
  table.on_icmp_error(local, IpEndpoint{client, 40001}, Error::ConnectionRefused, true, isn);
  EXPECT_EQ(table.connections_in_use(), 1U);

  table.on_icmp_error(local, remote, Error::ConnectionRefused, true, isn);
  EXPECT_EQ(table.connections_in_use(), 0U);
  EXPECT_EQ(table.stats().half_open_icmp_aborted, 1U);
  EXPECT_EQ(table.pending_accepts(*listener), 0U);
  EXPECT_EQ(table.next_deadline(), Instant::max());
  table.on_timer(now + Duration::seconds(300), out);
  EXPECT_TRUE(out.sent.empty());  // no SYN-ACK again, no RST
  EXPECT_EQ(table.stats().tx_resets, 0U);
  // A second error finds nothing.
  table.on_icmp_error(local, remote, Error::ConnectionRefused, true, isn);
  EXPECT_EQ(table.stats().half_open_icmp_aborted, 1U);

  // The only slot and the backlog of one take the client's next try, with
  // state (no cookie), and it completes.
  now += Duration::seconds(3);
  table.on_segment(client, us, linux_syn(40000, 9000, 4000), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 0U);
  EXPECT_EQ(table.stats().drop_backlog_full, 0U);
  EXPECT_EQ(table.stats().drop_no_slot, 0U);
  const TcpRepr ack = linux_ack_of(out.sent.front().header, 40000, 9001, 4001);
  out.sent.clear();
  table.on_segment(client, us, ack, 1460, now + Duration::millis(1), out);
  auto accepted = table.accept(*listener);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(table.connection(*accepted)->state(), TcpState::Established);
  EXPECT_EQ(table.stats().connections_accepted, 1U);
}

// What TcpTableConfig::release_memory was asked to give back.
std::vector<std::size_t> released_sizes;
void record_release(void*, std::size_t bytes) { released_sizes.push_back(bytes); }

TEST(TcpTable, FreedSlotGivesBackOnlyRingsWrittenPastTheThreshold) {
  released_sizes.clear();
  TcpTableConfig config;
  config.send_buffer_cap = config.receive_buffer_cap = 8192;
  config.defaults.send_buffer = config.defaults.receive_buffer = 8192;
  config.release_memory = &record_release;
  config.release_threshold = 2000;
  TcpTablePair p(9, {}, config);
  std::vector<std::uint8_t> buffer(4096);
  // Few bytes (a connection per request): nothing to give back.
  Connected c = connect_pair(p);
  ASSERT_TRUE(p.a.send(c.client, pattern(300, 1), p.now, p.a_out).ok());
  ASSERT_TRUE(p.run_until([&] { return p.b.receive(c.server, buffer, p.now, p.b_out).ok(); },
                          Duration::seconds(5)));
  p.a.close(c.client, p.now, p.a_out);
  ASSERT_TRUE(p.run_until([&] { return p.b.connection(c.server)->state() == TcpState::CloseWait; },
                          Duration::seconds(5)));
  p.b.close(c.server, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.b.connections_in_use() == 0; }, Duration::seconds(5)));
  EXPECT_TRUE(released_sizes.empty());
  p.b.close(c.listener, p.now, p.b_out);

  // A bulk transfer wraps B's receive ring: its whole 8192 bytes go back
  // when B's slot is freed, and B's send ring, never written, stays.
  c = connect_pair(p, 81);
  const auto data = pattern(20000, 2);
  std::size_t sent = 0, received = 0;
  ASSERT_TRUE(p.run_until(
      [&] {
        if (sent < data.size()) {
          auto r = p.a.send(c.client, ConstBytes(data).subspan(sent), p.now, p.a_out);
          if (r.ok()) sent += *r;
        }
        auto r = p.b.receive(c.server, buffer, p.now, p.b_out);
        if (r.ok()) received += *r;
        return received == data.size();
      },
      Duration::seconds(30)));
  p.a.close(c.client, p.now, p.a_out);
  ASSERT_TRUE(p.run_until([&] { return p.b.connection(c.server)->state() == TcpState::CloseWait; },
                          Duration::seconds(5)));
  p.b.close(c.server, p.now, p.b_out);
  ASSERT_TRUE(p.run_until([&] { return p.b.connections_in_use() == 0; }, Duration::seconds(5)));
  EXPECT_EQ(released_sizes, std::vector<std::size_t>{8192});
  // A's send ring goes back too once its slot leaves TIME-WAIT.
  ASSERT_TRUE(p.run_until([&] { return p.a.connections_in_use() == 0; }, Duration::seconds(600)));
  EXPECT_EQ(released_sizes, (std::vector<std::size_t>{8192, 8192}));
}

}  // namespace
}  // namespace lwnet::tcp_table_test
