// The TCP table built without SACK input (CONFIG_LWNET_TCP_SACK_IN=0) but
// with SYN cookies (their default): a SYN-ACK offers SACK-permitted only
// where SACK blocks would be taken in, so neither the stateful SYN-ACK nor a
// cookie's echoes a SYN's SACK-permitted here.
#include <gtest/gtest.h>

#include <vector>

#include "transport/tcp/tcp_table.h"

namespace lwnet::test::sack_in_off_check {
namespace {

static_assert(!config::tcp_sack_in && config::tcp_syn_cookies);

class Recorder final : public TcpOutput {
 public:
  bool send_segment(const IpEndpoint&, const IpEndpoint&, const TcpIpOptions&, const TcpRepr& header,
                    std::span<const ConstBytes>, std::size_t, Instant) override {
    sent.push_back(header);
    return true;
  }
  std::vector<TcpRepr> sent;
};

TcpRepr syn_offering_sack(std::uint16_t port, std::uint32_t sequence) {
  TcpRepr syn;
  syn.source_port = port;
  syn.destination_port = 80;
  syn.sequence = sequence;
  syn.flags = tcp_flags::syn;
  syn.window = 64240;
  syn.mss = 1460;
  syn.sack_permitted = true;
  return syn;
}

// Both SYN-ACKs carry the MSS option alone: 24 bytes of header.
void expect_no_sack_permitted(const TcpRepr& syn_ack) {
  EXPECT_EQ(syn_ack.flags, tcp_flags::syn | tcp_flags::ack);
  EXPECT_FALSE(syn_ack.sack_permitted);
  EXPECT_EQ(syn_ack.header_len(), 24U);
}

TEST(SackInOff, NeitherTheStatefulNorTheCookieSynAckOffersSack) {
  Random random(3);
  TcpTable table({}, random);
  Recorder out;
  const IpAddress us = Ipv4Address::of(192, 0, 2, 2);
  const IpAddress peer = Ipv4Address::of(203, 0, 113, 5);
  Instant now = Instant::from_seconds(100);
  ASSERT_TRUE(table.listen(IpEndpoint{us, 80}, 1, false).ok());

  table.on_segment(peer, us, syn_offering_sack(40000, 1000), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 1U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 0U);
  expect_no_sack_permitted(out.sent.back());

  // The backlog is full of that handshake: the next SYN gets a cookie.
  now += Duration::millis(10);
  table.on_segment(peer, us, syn_offering_sack(40001, 5000), 1460, now, out);
  ASSERT_EQ(out.sent.size(), 2U);
  EXPECT_EQ(table.stats().syn_cookies_sent, 1U);
  expect_no_sack_permitted(out.sent.back());
}

}  // namespace
}  // namespace lwnet::test::sack_in_off_check
