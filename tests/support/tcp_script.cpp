#include "support/tcp_script.h"

#include <gtest/gtest.h>

#include <sstream>

namespace lwnet::test {

std::string SentSegment::describe() const {
  std::ostringstream s;
  s << "seq=" << header.sequence << " ack=" << header.acknowledgment << " flags=";
  const char* names = "FSRPAUEC";
  for (int i = 0; i < 8; ++i) {
    if ((header.flags >> i) & 1) s << names[i];
  }
  s << " win=" << header.window << " len=" << payload.size();
  return s.str();
}

bool RecordingOutput::send_segment(const IpEndpoint&, const IpEndpoint&, const TcpRepr& header,
                                   std::span<const ConstBytes> payload, std::size_t segment_size,
                                   Instant) {
  if (refuse) return false;
  SentSegment s{header, {}, segment_size};
  for (ConstBytes piece : payload) s.payload.insert(s.payload.end(), piece.begin(), piece.end());
  s.header.payload = {};
  sent.push_back(std::move(s));
  return true;
}

TcpSettings TcpScript::plain_settings() {
  TcpSettings s;
  s.timestamps = false;
  s.window_scaling = false;
  s.sack_out = false;
  s.mss = 1460;
  return s;
}

TcpScript::TcpScript(TcpSettings settings, std::size_t send_size, std::size_t receive_size)
    : storage_send(send_size),
      storage_receive(receive_size),
      connection(storage_send, storage_receive, settings) {}

void TcpScript::establish_active(std::uint16_t peer_mss, std::uint16_t window, bool peer_permits_sack) {
  ASSERT_TRUE(connection.open_active(local, remote, Seq32(our_iss), 1460, now, out).ok());
  SentSegment syn = pop();
  ASSERT_EQ(syn.header.flags, tcp_flags::syn);
  TcpRepr synack = peer_segment(tcp_flags::syn | tcp_flags::ack);
  synack.sequence = peer_iss;
  synack.mss = peer_mss;
  synack.window = window;
  synack.sack_permitted = peer_permits_sack;
  peer_window = window;
  receive(synack);
  peer_next = peer_iss + 1;
  ASSERT_EQ(connection.state(), TcpState::Established);
  SentSegment ack = pop();
  ASSERT_EQ(ack.header.flags, tcp_flags::ack);
  ASSERT_EQ(ack.header.acknowledgment, peer_iss + 1);
  ASSERT_TRUE(nothing_sent());
  (void)connection.take_events();
}

void TcpScript::establish_passive(std::uint16_t peer_mss, std::uint16_t window) {
  TcpRepr syn;
  syn.source_port = peer_port;
  syn.destination_port = our_port;
  syn.sequence = peer_iss;
  syn.flags = tcp_flags::syn;
  syn.window = window;
  syn.mss = peer_mss;
  peer_window = window;
  ASSERT_TRUE(connection.open_passive(local, remote, syn, Seq32(our_iss), 1460, now, out).ok());
  SentSegment synack = pop();
  ASSERT_EQ(synack.header.flags, tcp_flags::syn | tcp_flags::ack);
  ASSERT_EQ(synack.header.acknowledgment, peer_iss + 1);
  ASSERT_EQ(connection.state(), TcpState::SynReceived);
  peer_next = peer_iss + 1;
  receive(peer_segment(tcp_flags::ack));
  ASSERT_EQ(connection.state(), TcpState::Established);
  ASSERT_TRUE(nothing_sent());
  (void)connection.take_events();
}

TcpRepr TcpScript::peer_segment(std::uint8_t flags) const {
  TcpRepr s;
  s.source_port = peer_port;
  s.destination_port = our_port;
  s.sequence = peer_next;
  s.acknowledgment = (flags & tcp_flags::ack) != 0 ? peer_ack : 0;
  s.flags = flags;
  s.window = peer_window;
  return s;
}

void TcpScript::receive(const TcpRepr& segment, ConstBytes payload) {
  TcpRepr s = segment;
  s.payload = payload;
  connection.on_segment(s, now, out);
}

void TcpScript::receive_data(ConstBytes payload, std::uint8_t extra_flags) {
  receive(peer_segment(tcp_flags::ack | extra_flags), payload);
  peer_next += static_cast<std::uint32_t>(payload.size());
  if ((extra_flags & tcp_flags::fin) != 0) peer_next += 1;
}

void TcpScript::advance(Duration d) { now += d; }

void TcpScript::run_next_timer() {
  const Instant deadline = connection.next_deadline();
  ASSERT_NE(deadline, Instant::max()) << "no timer armed";
  if (deadline > now) now = deadline;
  connection.on_timer(now, out);
}

SentSegment TcpScript::pop() {
  if (out.sent.empty()) {
    ADD_FAILURE() << "expected a segment, none was sent";
    return {};
  }
  SentSegment s = std::move(out.sent.front());
  out.sent.pop_front();
  return s;
}


}  // namespace lwnet::test
