// IPv6 output fragmentation (RFC 8200 4.5, CONFIG_LWIP_IP6_FRAG) between
// two stacks, the receiver reassembling: large UDP datagrams and large
// echo requests and replies, fragment by fragment.
#include <gtest/gtest.h>

#include <vector>

#include "config/options.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::ipv6_fragmentation_test {
namespace {

#if CONFIG_LWIP_IPV6

Ipv6Address v6(const char* text) { return parse_ip_address(text)->v6(); }

const Ipv6Address global_a = v6("2001:db8::1");
const Ipv6Address global_b = v6("2001:db8::2");

// Two stacks with 2001:db8::1/64 and ::2/64, DAD finished.
struct Ipv6Hosts {
  Ipv6Hosts() {
    EXPECT_OK(net.a.add_ipv6_address(net.a_if, IpCidr{global_a, 64}, net.sim.now()));
    EXPECT_OK(net.b.add_ipv6_address(net.b_if, IpCidr{global_b, 64}, net.sim.now()));
    net.sim.run_for(Duration::seconds(2));
    net.log.clear();
  }
  // The fragments (next header 44) one side sent, from the IPv6 header on.
  std::vector<ByteVector> fragments(int from) const {
    std::vector<ByteVector> out;
    for (const FrameLog::Frame& f : net.log.with_ethertype(ipv6_type, from)) {
      if (f.bytes[20] == 44) out.emplace_back(f.bytes.begin() + 14, f.bytes.end());
    }
    return out;
  }
  TwoHosts net;
};

#if CONFIG_LWIP_IP6_FRAG && CONFIG_LWIP_IP6_REASSEMBLY

// The fragment header's offset and M flag word, and its identification.
std::uint16_t offset_word(const ByteVector& packet) { return load_be16(packet, 42); }
std::uint32_t identification(const ByteVector& packet) { return load_be32(packet, 44); }

TEST(Ipv6FragmentationSim, FourThousandBytesOfUdpInThreeFragments) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {Ipv6Address{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload = pattern(4000, 1);
  ASSERT_OK(net.a.udp_send_to(tx, payload, {global_b, 7}, net.sim.now()));
  net.sim.settle();
  ByteVector buf(5000);
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->copied)), payload);
  EXPECT_EQ(got->from.address, IpAddress(global_a));

  // 4008 bytes of UDP: 1448 (the most that is a multiple of 8 behind 48
  // bytes of headers in 1500), 1448, then 1112.
  const std::vector<ByteVector> pieces = h.fragments(0);
  ASSERT_EQ(pieces.size(), 3U);
  EXPECT_EQ(pieces[0].size(), 1496U);
  EXPECT_EQ(pieces[1].size(), 1496U);
  EXPECT_EQ(pieces[2].size(), 48U + 1112U);
  EXPECT_EQ(to_hex(ConstBytes(pieces[0]).first(8)), to_hex(hex("60 00 00 00 05 b0 2c 40")));
  EXPECT_EQ(to_hex(ConstBytes(pieces[2]).first(8)), to_hex(hex("60 00 00 00 04 60 2c 40")));
  EXPECT_EQ(pieces[0][40], 17);  // the fragment header names UDP
  EXPECT_EQ(offset_word(pieces[0]), 0x0001);
  EXPECT_EQ(offset_word(pieces[1]), 1448 | 1);
  EXPECT_EQ(offset_word(pieces[2]), 2896);
  EXPECT_EQ(identification(pieces[1]), identification(pieces[0]));
  EXPECT_EQ(identification(pieces[2]), identification(pieces[0]));
  // The first fragment starts with the UDP header: ports 49152+ to 7.
  EXPECT_EQ(load_be16(pieces[0], 50), 7);
  EXPECT_EQ(load_be16(pieces[0], 52), 4008);
  EXPECT_EQ(net.a.stats().ipv6.frag_tx, 3U);
  EXPECT_EQ(net.a.stats().ipv6.frag_tx_datagrams, 1U);
  EXPECT_EQ(net.b.stats().ipv6.reassembly.reass_ok, 1U);

  // The next datagram gets another identification.
  net.log.clear();
  ASSERT_OK(net.a.udp_send_to(tx, payload, {global_b, 7}, net.sim.now()));
  net.sim.settle();
  const std::vector<ByteVector> next = h.fragments(0);
  ASSERT_EQ(next.size(), 3U);
  EXPECT_NE(identification(next[0]), identification(pieces[0]));
  ASSERT_OK(net.b.udp_receive(rx, buf));
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(Ipv6FragmentationSim, LargePingIsFragmentedBothWays) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  PingHandle ping = *net.a.ping_open(0x4242);
  const ByteVector data = pattern(4000, 7);
  ASSERT_OK(net.a.ping_send(ping, global_b, 1, data, 0, net.sim.now()));
  net.sim.settle();
  ByteVector buf(5000);
  Result<EchoReply> reply = net.a.ping_receive(ping, buf);
  ASSERT_OK(reply);
  EXPECT_EQ(reply->from, IpAddress(global_b));
  EXPECT_EQ(reply->sequence, 1);
  ASSERT_EQ(reply->copied, data.size());
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 4000), data);
  // 4008 bytes of ICMPv6 each way, in the same three pieces; the first
  // fragment of each starts with the echo header.
  const std::vector<ByteVector> requests = h.fragments(0);
  const std::vector<ByteVector> replies = h.fragments(1);
  ASSERT_EQ(requests.size(), 3U);
  ASSERT_EQ(replies.size(), 3U);
  EXPECT_EQ(requests[0][40], 58);
  EXPECT_EQ(requests[0][48], 128);
  EXPECT_EQ(replies[0][48], 129);
  EXPECT_EQ(replies[2].size(), 48U + 1112U);
  EXPECT_EQ(offset_word(replies[2]), 2896);
  EXPECT_EQ(net.b.stats().icmpv6.tx_echo_reply, 1U);
  EXPECT_EQ(net.b.stats().ipv6.frag_tx_datagrams, 1U);
  net.a.ping_close(ping);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(Ipv6FragmentationSim, ANetifMtuBelow1500CutsSmallerFragments) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  ASSERT_OK(net.a.set_mtu(net.a_if, 1280));
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {Ipv6Address{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload = pattern(2000, 2);
  ASSERT_OK(net.a.udp_send_to(tx, payload, {global_b, 7}, net.sim.now()));
  net.sim.settle();
  ByteVector buf(3000);
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(got->copied, payload.size());
  const std::vector<ByteVector> pieces = h.fragments(0);
  ASSERT_EQ(pieces.size(), 2U);
  EXPECT_EQ(pieces[0].size(), 48U + 1232U);
  EXPECT_EQ(pieces[1].size(), 48U + 2008U - 1232U);
  net.a.udp_close(tx);
  net.b.udp_close(rx);
}

#endif  // CONFIG_LWIP_IP6_FRAG && CONFIG_LWIP_IP6_REASSEMBLY

#if !CONFIG_LWIP_IP6_FRAG

// Without CONFIG_LWIP_IP6_FRAG a datagram over the path MTU is refused at
// once (EMSGSIZE at a socket) and counted; one that fits still leaves.
TEST(Ipv6FragmentationSim, WithoutFragmentationAnOversizeDatagramIsRefused) {
  Ipv6Hosts h;
  TwoHosts& net = h.net;
  UdpHandle tx = *net.a.udp_open();
  EXPECT_EQ(net.a.udp_send_to(tx, pattern(1500), {global_b, 7}, net.sim.now()).error(), Error::TooBig);
  EXPECT_EQ(net.a.stats().ipv6.drop_too_big, 1U);
  EXPECT_OK(net.a.udp_send_to(tx, pattern(1452), {global_b, 7}, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(h.fragments(0).empty());
  net.a.udp_close(tx);
}

#endif  // !CONFIG_LWIP_IP6_FRAG

#endif  // CONFIG_LWIP_IPV6

}  // namespace
}  // namespace lwnet::test::ipv6_fragmentation_test
