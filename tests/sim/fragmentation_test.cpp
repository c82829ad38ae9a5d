// IPv4 fragmentation on output and reassembly on input: whole datagrams up
// to 65507 bytes of UDP, timeouts with ICMP time exceeded, overlaps, and the
// CONFIG_LWIP_IP_REASS_MAX_PBUFS bound.
#include <gtest/gtest.h>

#include <span>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"
#include "util/checksum.h"
#include "transport/udp.h"

namespace lwnet::test::fragmentation_test {
namespace {

constexpr std::uint16_t more_fragments = 0x2000;

#if CONFIG_LWIP_IP4_REASSEMBLY

ByteVector fragment(std::uint16_t id, std::size_t offset, bool more, std::span<const std::uint8_t> data) {
  Ipv4Repr h;
  h.source = ip_peer;
  h.destination = ip_a;
  h.protocol = 17;
  h.ttl = 64;
  h.identification = id;
  h.more_fragments = more;
  h.fragment_offset = static_cast<std::uint16_t>(offset);
  return ipv4_packet(h, data);
}

bool is_last_fragment(ConstBytes f) {
  if (f.size() < 34 || load_be16(f, 12) != ipv4_type) return false;
  const std::uint16_t word = load_be16(f, 20);
  return (word & more_fragments) == 0 && (word & 0x1fff) != 0;
}

bool is_first_fragment(ConstBytes f) {
  if (f.size() < 34 || load_be16(f, 12) != ipv4_type) return false;
  const std::uint16_t word = load_be16(f, 20);
  return (word & more_fragments) != 0 && (word & 0x1fff) == 0;
}

// Sends `size` bytes of UDP from A to B and returns what B received.
ByteVector send_and_receive(TwoHosts& net, std::size_t size) {
  UdpHandle rx = *net.b.udp_open();
  EXPECT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload = pattern(size, 1);
  EXPECT_OK(net.a.udp_send_to(tx, payload, {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  ByteVector buf(70000);
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  if (!got) {
    ADD_FAILURE() << "nothing received: " << to_string(got.error());
    return {};
  }
  EXPECT_EQ(got->from.address, IpAddress(ip_a));
  buf.resize(got->copied);
  return buf;
}

TEST(FragmentationSim, FourThousandBytesInThreeFragments) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  EXPECT_EQ(send_and_receive(net, 4000), pattern(4000, 1));
  const auto frames = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].bytes.size(), 1514U);
  EXPECT_EQ(frames[1].bytes.size(), 1514U);
  EXPECT_EQ(frames[2].bytes.size(), 14U + 20U + (4008U - 2960U));
  EXPECT_EQ(frame_ip_fragment_word(frames[0].bytes), more_fragments | 0);
  EXPECT_EQ(frame_ip_fragment_word(frames[1].bytes), more_fragments | (1480 / 8));
  EXPECT_EQ(frame_ip_fragment_word(frames[2].bytes), 2960 / 8);
  // One identification for all three; each header checksum right.
  EXPECT_EQ(load_be16(frames[0].bytes, 18), load_be16(frames[2].bytes, 18));
  for (const auto& f : frames) {
    EXPECT_EQ(internet_checksum(ConstBytes(f.bytes).subspan(14, 20)), 0);
  }
  EXPECT_EQ(net.a.stats().ipv4.frag_tx, 3U);
  EXPECT_EQ(net.a.stats().ipv4.frag_tx_datagrams, 1U);
  EXPECT_EQ(net.b.stats().ipv4.reass_ok, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(FragmentationSim, LargestUdpDatagramArrivesWhole) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  const ByteVector got = send_and_receive(net, udp_max_payload);
  ASSERT_EQ(got.size(), udp_max_payload);
  EXPECT_EQ(got, pattern(udp_max_payload, 1));
  // 65515 bytes of IP payload in 1480-byte pieces.
  EXPECT_EQ(net.a.stats().ipv4.frag_tx, 45U);
  EXPECT_EQ(net.log.with_ethertype(ipv4_type, 0).size(), 45U);
  EXPECT_EQ(net.b.stats().ipv4.reass_ok, 1U);
  EXPECT_EQ(net.b.stats().ipv4.reass_no_room, 0U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(FragmentationSim, TimeoutSendsTimeExceededQuotingTheFirstFragment) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  net.log.set_filter([](int from, ConstBytes f) { return !(from == 0 && is_last_fragment(f)); });
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  const Instant start = net.sim.now();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4000), {ip_b, 7}, start));
  net.sim.settle();
  EXPECT_EQ(net.b.pools().in_use(), 2U);  // two fragments wait

  net.sim.run_until(start + Duration::seconds(config::reass_timeout_seconds) - Duration::micros(1));
  EXPECT_EQ(net.b.stats().ipv4.reass_timeout, 0U);
  EXPECT_EQ(net.b.pools().in_use(), 2U);
  net.sim.run_until(start + Duration::seconds(config::reass_timeout_seconds));
  EXPECT_EQ(net.b.stats().ipv4.reass_timeout, 1U);
  EXPECT_EQ(net.b.stats().icmp.tx_time_exceeded, 1U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
  EXPECT_FALSE(net.b.udp_readable(rx));

  const auto sent_by_a = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_FALSE(sent_by_a.empty());
  const ByteVector& first = sent_by_a[0].bytes;
  bool found = false;
  for (const auto& f : net.log.with_ethertype(ipv4_type, 1)) {
    if (frame_ip_protocol(f.bytes) != 1) continue;
    found = true;
    EXPECT_EQ(frame_ip_source(f.bytes), ip_b);
    EXPECT_EQ(frame_ip_destination(f.bytes), ip_a);
    const ByteVector icmp(f.bytes.begin() + 34, f.bytes.end());
    ASSERT_EQ(icmp.size(), 8U + 28U);
    EXPECT_EQ(icmp[0], 11);  // time exceeded
    EXPECT_EQ(icmp[1], 1);   // fragment reassembly time exceeded
    EXPECT_EQ(internet_checksum(icmp), 0);
    // The first fragment's header and 8 bytes: its UDP header.
    EXPECT_EQ(ByteVector(icmp.begin() + 8, icmp.end()),
              ByteVector(first.begin() + 14, first.begin() + 14 + 28));
  }
  EXPECT_TRUE(found);
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(FragmentationSim, TimeoutWithoutFirstFragmentIsSilent) {
  TwoHosts net;
  net.sim.settle();
  net.log.set_filter([](int from, ConstBytes f) { return !(from == 0 && is_first_fragment(f)); });
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4000), {ip_b, 7}, net.sim.now()));
  net.sim.run_for(Duration::seconds(config::reass_timeout_seconds + 1));
  EXPECT_EQ(net.b.stats().ipv4.reass_timeout, 1U);
  EXPECT_EQ(net.b.stats().icmp.tx_time_exceeded, 0U);
  EXPECT_EQ(net.b.stats().icmp.tx, 0U);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

// RFC 1122 3.2.2: no ICMP error about a datagram that came as a link-layer
// broadcast, time exceeded included: here the first fragment of a datagram
// to our unicast address, in a frame to ff:ff:ff:ff:ff:ff.
TEST(ReassemblySim, TimeoutOfALinkBroadcastDatagramIsSilent) {
  HostAndPeer net;
  net.sim.settle();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  (void)net.received();
  const ByteVector udp = udp_datagram(ip_peer, ip_a, 1234, 7, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  net.inject(ethernet_frame(MacAddress::broadcast(), mac_peer, ipv4_type, fragment(7, 0, true, all.first(24))));
  net.sim.run_for(Duration::seconds(config::reass_timeout_seconds + 1));
  EXPECT_EQ(net.a.stats().ipv4.reass_timeout, 1U);
  EXPECT_EQ(net.a.stats().icmp.tx_time_exceeded, 0U);
  EXPECT_EQ(net.a.stats().icmp.tx, 0U);
  for (const ByteVector& f : net.received()) {
    EXPECT_FALSE(frame_ethertype(f) == ipv4_type && frame_ip_protocol(f) == 1);
  }
  // The same fragment to our MAC times out with the error.
  net.inject_ipv4(fragment(8, 0, true, all.first(24)));
  net.sim.run_for(Duration::seconds(config::reass_timeout_seconds + 1));
  EXPECT_EQ(net.a.stats().ipv4.reass_timeout, 2U);
  EXPECT_EQ(net.a.stats().icmp.tx_time_exceeded, 1U);
  std::size_t errors = 0;
  for (const ByteVector& f : net.received()) {
    if (frame_ethertype(f) != ipv4_type || frame_ip_protocol(f) != 1) continue;
    ++errors;
    EXPECT_EQ(frame_ip_destination(f), ip_peer);
    EXPECT_EQ(f.at(34), 11);  // time exceeded
    EXPECT_EQ(f.at(35), 1);   // fragment reassembly time exceeded
  }
  EXPECT_EQ(errors, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// The same rule for a datagram that completes: one fragment in a link-layer
// broadcast, here the first, and a closed port draws no port unreachable,
// whichever fragment came last.
TEST(ReassemblySim, ALinkBroadcastFragmentKeepsTheWholeDatagramFromErrors) {
  HostAndPeer net;
  net.sim.settle();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  (void)net.received();
  const ByteVector udp = udp_datagram(ip_peer, ip_a, 1234, 9, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  net.inject(ethernet_frame(MacAddress::broadcast(), mac_peer, ipv4_type, fragment(9, 0, true, all.first(24))));
  net.inject_ipv4(fragment(9, 24, false, all.subspan(24)));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.reass_ok, 1U);
  EXPECT_EQ(net.a.stats().udp.drop_no_port, 1U);
  EXPECT_EQ(net.a.stats().icmp.tx_unreachable, 0U);
  EXPECT_TRUE(net.received().empty());
  // Both to A's MAC: the error goes.
  net.inject_ipv4(fragment(10, 0, true, all.first(24)));
  net.inject_ipv4(fragment(10, 24, false, all.subspan(24)));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().udp.drop_no_port, 2U);
  EXPECT_EQ(net.a.stats().icmp.tx_unreachable, 1U);
  const std::vector<ByteVector> frames = net.received();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frame_ip_protocol(frames[0]), 1);
  EXPECT_EQ(frames[0].at(34), 3);  // destination unreachable
  EXPECT_EQ(frames[0].at(35), 3);  // port
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ReassemblySim, FragmentsInAnyOrderMakeTheDatagram) {
  HostAndPeer net;
  net.sim.settle();
  UdpHandle rx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(rx, {IpAddress{}, 7}));
  const ByteVector udp = udp_datagram(ip_peer, ip_a, 1234, 7, pattern(40));  // 48 bytes
  const std::span<const std::uint8_t> all(udp);
  net.inject_ipv4(fragment(5, 32, false, all.subspan(32)));
  net.inject_ipv4(fragment(5, 0, true, all.first(16)));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_readable(rx));
  EXPECT_EQ(net.a.pools().in_use(), 2U);
  net.inject_ipv4(fragment(5, 16, true, all.subspan(16, 16)));
  net.sim.settle();
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = net.a.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->copied)), pattern(40));
  EXPECT_EQ(got->from, (IpEndpoint{ip_peer, 1234}));
  EXPECT_EQ(net.a.stats().ipv4.reass_ok, 1U);
  net.a.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ReassemblySim, OverlappingFragmentsDropTheWholeDatagram) {
  HostAndPeer net;
  net.sim.settle();
  UdpHandle rx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(rx, {IpAddress{}, 7}));
  const ByteVector udp = udp_datagram(ip_peer, ip_a, 1234, 7, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  net.inject_ipv4(fragment(100, 0, true, all.first(24)));
  net.inject_ipv4(fragment(100, 16, false, all.subspan(16)));  // bytes 16..23 twice
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.reass_overlap, 1U);
  EXPECT_EQ(net.a.stats().ipv4.reass_ok, 0U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);  // the first fragment is gone too
  EXPECT_FALSE(net.a.udp_readable(rx));

  // A late fragment of the dropped datagram starts a new one that times out
  // without its first fragment: nothing is delivered.
  net.inject_ipv4(fragment(100, 24, false, all.subspan(24)));
  net.sim.run_for(Duration::seconds(config::reass_timeout_seconds + 1));
  EXPECT_FALSE(net.a.udp_readable(rx));
  EXPECT_EQ(net.a.stats().ipv4.reass_timeout, 1U);

  // Without overlap the same bytes make the datagram.
  net.inject_ipv4(fragment(101, 0, true, all.first(24)));
  net.inject_ipv4(fragment(101, 24, false, all.subspan(24)));
  net.sim.settle();
  EXPECT_TRUE(net.a.udp_readable(rx));
  net.a.udp_close(rx);
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// A fragment the link carried twice (RFC 5722's erratum 3089, Linux): the
// copy is dropped and the datagram still arrives.
TEST(ReassemblySim, ADuplicatedFragmentIsDroppedAlone) {
  HostAndPeer net;
  net.sim.settle();
  UdpHandle rx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(rx, {IpAddress{}, 7}));
  const ByteVector udp = udp_datagram(ip_peer, ip_a, 1234, 7, pattern(40));
  const std::span<const std::uint8_t> all(udp);
  net.inject_ipv4(fragment(102, 0, true, all.first(24)));
  net.inject_ipv4(fragment(102, 0, true, all.first(24)));
  net.inject_ipv4(fragment(102, 24, false, all.subspan(24)));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.reass_duplicate, 1U);
  EXPECT_EQ(net.a.stats().ipv4.reass_overlap, 0U);
  EXPECT_EQ(net.a.stats().ipv4.reass_ok, 1U);
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> got = net.a.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->copied)), pattern(40));
  net.a.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ReassemblySim, DatagramsOver65535BytesAreRefused) {
  HostAndPeer net;
  net.sim.settle();
  // A fragment that alone ends past 65535 bytes is refused by the parser.
  net.inject_ipv4(fragment(8, 65528, false, pattern(16)));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.drop_malformed, 1U);
  // A first fragment with 40 bytes of options (NOPs and an end) and a last
  // fragment that fits alone, but not behind that header.
  ByteVector first = fragment(9, 0, true, pattern(16));
  first.insert(first.begin() + 20, 40, 0x01);
  first[20 + 39] = 0x00;
  first[0] = 0x4f;  // IHL 15
  store_be16(first, 2, static_cast<std::uint16_t>(first.size()));
  store_be16(first, 10, 0);
  store_be16(first, 10, internet_checksum(ConstBytes(first).first(60)));
  net.inject_ipv4(first);
  net.sim.settle();
  EXPECT_EQ(net.a.pools().in_use(), 1U);
  net.inject_ipv4(fragment(9, 65480, false, pattern(16)));  // 65480 + 16 + 60 > 65535
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.reass_too_big, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ReassemblySim, MalformedFragmentsAreCounted) {
  HostAndPeer net;
  net.sim.settle();
  net.inject_ipv4(fragment(10, 0, true, pattern(12)));  // not a multiple of 8
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.drop_malformed, 1U);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ReassemblySim, HoldsAtMostMaxPbufsFrameBuffers) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  const std::size_t limit = config::ip_reass_max_pbufs;
  const std::size_t large = config::large_pool_size;
  ASSERT_LT(large, config::reass_max_datagrams) << "the test needs a datagram that cannot spill";
  const ByteVector eight = pattern(8);
  auto feed = [&](std::uint16_t id, std::size_t first, std::size_t count) {
    for (std::size_t i = first; i < first + count; ++i) {
      net.inject_ipv4(fragment(id, i * 8, true, eight));
      net.sim.settle();
      EXPECT_LE(net.a.pools().frames.stats().used, limit) << "datagram " << id << " fragment " << i;
    }
  };
  const Instant start = net.sim.now();
  // Each of these outgrows the frame-buffer budget and moves to a large buffer.
  for (std::size_t d = 0; d < large; ++d) {
    feed(static_cast<std::uint16_t>(200 + d), 0, limit + 1);
    EXPECT_EQ(net.a.pools().large.stats().used, d + 1);
    EXPECT_EQ(net.a.pools().frames.stats().used, 0U);
  }
  // This one cannot: it is dropped with its buffers.
  feed(300, 0, limit);
  EXPECT_EQ(net.a.pools().frames.stats().used, limit);
  feed(300, limit, 1);
  EXPECT_EQ(net.a.stats().ipv4.reass_no_room, 1U);
  EXPECT_EQ(net.a.pools().frames.stats().used, 0U);

  net.sim.run_until(start + Duration::seconds(config::reass_timeout_seconds + 1));
  EXPECT_EQ(net.a.stats().ipv4.reass_timeout, large);
  EXPECT_EQ(net.a.stats().icmp.tx_time_exceeded, large);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  (void)net.received();
}

#else  // CONFIG_LWIP_IP4_REASSEMBLY

// ESP-IDF's default: fragments are sent but never reassembled.
TEST(FragmentationSim, FragmentsAreDroppedWhenReassemblyIsOff) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {IpAddress{}, 7}));
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4000), {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().ipv4.frag_tx, 3U);
  EXPECT_EQ(net.b.stats().ipv4.drop_fragment, 3U);
  EXPECT_FALSE(net.b.udp_readable(rx));
  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

#endif  // CONFIG_LWIP_IP4_REASSEMBLY

}  // namespace
}  // namespace lwnet::test::fragmentation_test
