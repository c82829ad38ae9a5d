// UDP to multicast groups between stacks: delivery to joined groups,
// SO_REUSEADDR with CONFIG_LWIP_SO_REUSE_RXTOALL (copies for every socket),
// IP_MULTICAST_LOOP, IP_MULTICAST_TTL and IP_MULTICAST_IF.
#include <gtest/gtest.h>

#include <array>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/ethernet.h"

namespace lwnet::test::udp_multicast_test {

static_assert(config::so_reuse_rxtoall, "these tests are for the default CONFIG_LWIP_SO_REUSE_RXTOALL=1");

namespace {

constexpr Ipv4Address group = Ipv4Address::of(239, 1, 2, 3);
const MacAddress group_mac{{0x01, 0x00, 0x5e, 0x01, 0x02, 0x03}};

UdpHandle reuse_socket(Stack& stack, const IpEndpoint& local) {
  UdpHandle h = *stack.udp_open();
  stack.udp_set_reuse_address(h, true);
  EXPECT_OK(stack.udp_bind(h, local));
  return h;
}

// The payload of the next datagram queued for `h`, empty when none.
ByteVector next_payload(Stack& stack, UdpHandle h) {
  std::array<std::uint8_t, 256> buf{};
  Result<UdpReceived> got = stack.udp_receive(h, buf);
  if (!got) return {};
  return ByteVector(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->copied));
}

// UDP frames A sent (IGMP and ARP left out).
std::vector<FrameLog::Frame> udp_sent(const FrameLog& log, int from = 0) {
  std::vector<FrameLog::Frame> out;
  for (const FrameLog::Frame& f : log.with_ethertype(ipv4_type, from)) {
    if (frame_ip_protocol(f.bytes) == 17) out.push_back(f);
  }
  return out;
}

TEST(UdpMulticastSim, RxToAllGivesEveryMatchingReuseSocketACopy) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle any1 = reuse_socket(net.b, {IpAddress{}, 5000});
  UdpHandle any2 = reuse_socket(net.b, {IpAddress{}, 5000});
  UdpHandle to_group = reuse_socket(net.b, {group, 5000});
  UdpHandle to_b = reuse_socket(net.b, {ip_b, 5000});
  // One join is enough for every socket on the port (as on Linux).
  ASSERT_OK(net.b.udp_join_group(any1, group, Ipv4Address{}, net.sim.now()));
  UdpHandle tx = *net.a.udp_open();
  net.a.udp_set_broadcast(tx, true);

  const ByteVector multicast = pattern(40, 1);
  ASSERT_OK(net.a.udp_send_to(tx, multicast, {group, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(next_payload(net.b, any1), multicast);
  EXPECT_EQ(next_payload(net.b, any2), multicast);
  EXPECT_EQ(next_payload(net.b, to_group), multicast);
  EXPECT_FALSE(net.b.udp_readable(to_b));  // bound to a unicast address
  EXPECT_EQ(net.b.stats().udp.rx_delivered, 3U);

  // A broadcast: the endpoints on any address and on B's own.
  const ByteVector broadcast = pattern(30, 2);
  ASSERT_OK(net.a.udp_send_to(tx, broadcast, {Ipv4Address::of(192, 0, 2, 255), 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(next_payload(net.b, any1), broadcast);
  EXPECT_EQ(next_payload(net.b, any2), broadcast);
  EXPECT_EQ(next_payload(net.b, to_b), broadcast);
  EXPECT_FALSE(net.b.udp_readable(to_group));

  // A unicast goes to one: the most specific (bound to B's address)...
  const ByteVector unicast = pattern(20, 3);
  ASSERT_OK(net.a.udp_send_to(tx, unicast, {ip_b, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(next_payload(net.b, to_b), unicast);
  EXPECT_FALSE(net.b.udp_readable(any1));
  EXPECT_FALSE(net.b.udp_readable(any2));
  // ... then, among equals, the first bound.
  net.b.udp_close(to_b);
  ASSERT_OK(net.a.udp_send_to(tx, unicast, {ip_b, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(next_payload(net.b, any1), unicast);
  EXPECT_FALSE(net.b.udp_readable(any2));

  for (UdpHandle h : {any1, any2, to_group}) net.b.udp_close(h);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpMulticastSim, ReuseNeedsEverySocketOnThePortToAsk) {
  TwoHosts net;
  UdpHandle plain = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(plain, {IpAddress{}, 5001}));
  UdpHandle reuse = *net.b.udp_open();
  net.b.udp_set_reuse_address(reuse, true);
  EXPECT_ERROR(net.b.udp_bind(reuse, {IpAddress{}, 5001}), Error::AddressInUse);
  EXPECT_ERROR(net.b.udp_bind(reuse, {group, 5001}), Error::AddressInUse);
  ASSERT_OK(net.b.udp_bind(reuse, {IpAddress{}, 5002}));
  UdpHandle late = *net.b.udp_open();
  EXPECT_ERROR(net.b.udp_bind(late, {IpAddress{}, 5002}), Error::AddressInUse);
  net.b.udp_set_reuse_address(late, true);
  EXPECT_OK(net.b.udp_bind(late, {IpAddress{}, 5002}));
}

TEST(UdpMulticastSim, CopyWithoutABufferIsDroppedAndCounted) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle r1 = reuse_socket(net.b, {IpAddress{}, 5000});
  UdpHandle r2 = reuse_socket(net.b, {IpAddress{}, 5000});
  ASSERT_OK(net.b.udp_join_group(r1, group, Ipv4Address{}, net.sim.now()));
  // Fill B's frame pool with datagrams queued on other endpoints, leaving one
  // buffer: the multicast arrives in it, and its copy finds none.
  std::vector<UdpHandle> fillers;
  for (std::size_t i = 0; i < 12; ++i) {
    fillers.push_back(*net.b.udp_open());
    ASSERT_OK(net.b.udp_bind(fillers.back(), {IpAddress{}, static_cast<std::uint16_t>(6000 + i)}));
  }
  UdpHandle tx = *net.a.udp_open();
  const std::size_t frames = config::frame_pool_size;
  for (std::size_t i = 0; net.b.pools().frames.stats().used < frames - 1; ++i) {
    ASSERT_LT(i, frames);
    const auto port = static_cast<std::uint16_t>(6000 + i % fillers.size());
    ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_b, port}, net.sim.now()));
    net.sim.settle();
  }
  ASSERT_OK(net.a.udp_send_to(tx, pattern(9), {group, 5000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.b.stats().udp.drop_no_buffer, 1U);
  // The original went to the first bound.
  EXPECT_TRUE(net.b.udp_readable(r1));
  EXPECT_FALSE(net.b.udp_readable(r2));
  for (UdpHandle h : fillers) net.b.udp_close(h);
  net.b.udp_close(r1);
  net.b.udp_close(r2);
  net.a.udp_close(tx);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpMulticastSim, LoopDeliversACopyHereWhenThisHostIsAMember) {
  TwoHosts net;
  net.sim.settle();
  UdpHandle local = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(local, {IpAddress{}, 6000}));
  ASSERT_OK(net.a.udp_join_group(local, group, Ipv4Address{}, net.sim.now()));
  UdpHandle remote = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(remote, {IpAddress{}, 6000}));
  ASSERT_OK(net.b.udp_join_group(remote, group, Ipv4Address{}, net.sim.now()));
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(tx, {IpAddress{}, 4000}));

  const ByteVector looped = pattern(12, 4);
  ASSERT_OK(net.a.udp_send_to(tx, looped, {group, 6000}, net.sim.now()));
  net.sim.settle();
  std::array<std::uint8_t, 64> buf{};
  Result<UdpReceived> here = net.a.udp_receive(local, buf);
  ASSERT_OK(here);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 12), looped);
  EXPECT_EQ(here->from, (IpEndpoint{ip_a, 4000}));
  EXPECT_EQ(here->to, IpAddress(group));
  EXPECT_EQ(next_payload(net.b, remote), looped);
  EXPECT_EQ(udp_sent(net.log).size(), 1U);

  // Loop off: B still gets it, A does not.
  net.a.udp_set_multicast_loop(tx, false);
  ASSERT_OK(net.a.udp_send_to(tx, looped, {group, 6000}, net.sim.now()));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_readable(local));
  EXPECT_EQ(next_payload(net.b, remote), looped);

  // Loop on but A no longer a member: no copy.
  net.a.udp_set_multicast_loop(tx, true);
  ASSERT_OK(net.a.udp_leave_group(local, group, Ipv4Address{}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, looped, {group, 6000}, net.sim.now()));
  net.sim.settle();
  EXPECT_FALSE(net.a.udp_readable(local));
  EXPECT_EQ(next_payload(net.b, remote), looped);

  for (UdpHandle h : {local, tx}) net.a.udp_close(h);
  net.b.udp_close(remote);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(UdpMulticastSim, MulticastTtlAndGroupMacInTheFrame) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {group, 7000}, net.sim.now()));
  net.a.udp_set_multicast_ttl(tx, 7);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {group, 7000}, net.sim.now()));
  // Unicast keeps IP_TTL.
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {ip_b, 7000}, net.sim.now()));
  net.sim.settle();
  const std::vector<FrameLog::Frame> sent = udp_sent(net.log);
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(frame_ip_ttl(sent[0].bytes), 1);
  EXPECT_EQ(frame_ip_ttl(sent[1].bytes), 7);
  EXPECT_EQ(frame_ip_ttl(sent[2].bytes), config::ip_default_ttl);
  EXPECT_EQ(frame_destination_mac(sent[0].bytes), group_mac);
  EXPECT_EQ(frame_ip_destination(sent[0].bytes), group);
  EXPECT_EQ(frame_ip_source(sent[0].bytes), ip_a);
  // No ARP for a group: the only request is for B (the unicast).
  for (const FrameLog::Frame& f : net.log.with_ethertype(static_cast<std::uint16_t>(EtherType::Arp), 0)) {
    EXPECT_EQ(Ipv4Address{load_be32(f.bytes, 14 + 24)}, ip_b);
  }

  // TTL 0: for this host only (a member gets its loop copy; nothing leaves).
  UdpHandle local = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(local, {IpAddress{}, 7000}));
  ASSERT_OK(net.a.udp_join_group(local, group, Ipv4Address{}, net.sim.now()));
  net.sim.settle();
  net.log.clear();
  net.a.udp_set_multicast_ttl(tx, 0);
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {group, 7000}, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(udp_sent(net.log).empty());
  EXPECT_TRUE(net.a.udp_readable(local));
  net.a.udp_close(local);
  net.a.udp_close(tx);
}

// A with two netifs: a0 192.0.2.1 (the default) and a1 198.51.100.1.
struct TwoNetifs {
  TwoNetifs() {
    first = *a.add_netif(pipe0.a(), netif_config("a0", mac_a, ip_a, 24), sim.now());
    second = *a.add_netif(pipe1.a(), netif_config("a1", mac_c, other, 24), sim.now());
    sim.add(a);
    sim.settle();
    (void)drain(pipe0.b(), sim.now());
    (void)drain(pipe1.b(), sim.now());
  }
  static constexpr Ipv4Address other = Ipv4Address::of(198, 51, 100, 1);
  PipePair pipe0;
  PipePair pipe1;
  Stack a{StackConfig{5}};
  NetifId first;
  NetifId second;
  Simulation sim;
};

TEST(UdpMulticastSim, MulticastInterfaceChoosesTheNetif) {
  TwoNetifs net;
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {group, 7000}, net.sim.now()));
  net.sim.settle();
  std::vector<ByteVector> on0 = drain(net.pipe0.b(), net.sim.now());
  ASSERT_EQ(on0.size(), 1U);
  EXPECT_EQ(frame_ip_source(on0[0]), ip_a);
  EXPECT_TRUE(drain(net.pipe1.b(), net.sim.now()).empty());

  ASSERT_OK(net.a.udp_set_multicast_interface(tx, TwoNetifs::other));
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {group, 7000}, net.sim.now()));
  net.sim.settle();
  EXPECT_TRUE(drain(net.pipe0.b(), net.sim.now()).empty());
  std::vector<ByteVector> on1 = drain(net.pipe1.b(), net.sim.now());
  ASSERT_EQ(on1.size(), 1U);
  EXPECT_EQ(frame_ip_source(on1[0]), TwoNetifs::other);
  EXPECT_EQ(frame_destination_mac(on1[0]), group_mac);
  EXPECT_EQ(MacAddress::from_bytes(ConstBytes(on1[0]).subspan(6, 6)), mac_c);

  EXPECT_ERROR(net.a.udp_set_multicast_interface(tx, Ipv4Address::of(203, 0, 113, 9)),
               Error::AddressNotAvailable);
  // Back to the default netif.
  ASSERT_OK(net.a.udp_set_multicast_interface(tx, Ipv4Address{}));
  ASSERT_OK(net.a.udp_send_to(tx, pattern(5), {group, 7000}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(drain(net.pipe0.b(), net.sim.now()).size(), 1U);

  // A join names its netif by address: the report goes out there only.
  UdpHandle rx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_join_group(rx, group, TwoNetifs::other, net.sim.now()));
  EXPECT_TRUE(net.a.igmp_is_member(net.second, group));
  EXPECT_FALSE(net.a.igmp_is_member(net.first, group));
  net.sim.settle();
  EXPECT_TRUE(drain(net.pipe0.b(), net.sim.now()).empty());
  std::vector<ByteVector> report = drain(net.pipe1.b(), net.sim.now());
  ASSERT_EQ(report.size(), 1U);
  EXPECT_EQ(frame_ip_protocol(report[0]), 2);
  EXPECT_EQ(frame_ip_source(report[0]), TwoNetifs::other);
  // Leaving with the wrong interface finds nothing; close() leaves.
  EXPECT_ERROR(net.a.udp_leave_group(rx, group, ip_a, net.sim.now()), Error::AddressNotAvailable);
  net.a.udp_close(rx);
  net.sim.settle();
  EXPECT_FALSE(net.a.igmp_is_member(net.second, group));
  std::vector<ByteVector> leave = drain(net.pipe1.b(), net.sim.now());
  ASSERT_EQ(leave.size(), 1U);
  EXPECT_EQ(frame_ip_destination(leave[0]), Ipv4Address::of(224, 0, 0, 2));
  net.a.udp_close(tx);
}

TEST(UdpMulticastSim, JoinErrors) {
  TwoHosts net;
  UdpHandle h = *net.a.udp_open();
  EXPECT_ERROR(net.a.udp_join_group(h, ip_b, Ipv4Address{}, net.sim.now()), Error::InvalidArgument);
  EXPECT_ERROR(net.a.udp_join_group(h, group, Ipv4Address::of(203, 0, 113, 9), net.sim.now()),
               Error::NoRoute);
  ASSERT_OK(net.a.udp_join_group(h, group, Ipv4Address{}, net.sim.now()));
  EXPECT_ERROR(net.a.udp_join_group(h, group, ip_a, net.sim.now()), Error::AddressInUse);
  EXPECT_ERROR(net.a.udp_leave_group(h, Ipv4Address::of(239, 9, 9, 9), Ipv4Address{}, net.sim.now()),
               Error::AddressNotAvailable);
  // Another endpoint's join of the same group is its own.
  UdpHandle other = *net.a.udp_open();
  ASSERT_OK(net.a.udp_join_group(other, group, Ipv4Address{}, net.sim.now()));
  ASSERT_OK(net.a.udp_leave_group(h, group, Ipv4Address{}, net.sim.now()));
  EXPECT_TRUE(net.a.igmp_is_member(net.a_if, group));
  EXPECT_ERROR(net.a.udp_leave_group(h, group, Ipv4Address{}, net.sim.now()), Error::AddressNotAvailable);
  // The group table fills: NoBuffers (ENOBUFS in the socket layer).
  for (std::size_t i = 1; i < config::igmp_max_groups; ++i) {
    ASSERT_OK(net.a.udp_join_group(h, Ipv4Address::of(239, 0, 0, static_cast<std::uint8_t>(i)), Ipv4Address{},
                                   net.sim.now()));
  }
  EXPECT_ERROR(net.a.udp_join_group(h, Ipv4Address::of(239, 0, 0, 200), Ipv4Address{}, net.sim.now()),
               Error::NoBuffers);
  net.a.udp_close(h);
  net.a.udp_close(other);
  EXPECT_FALSE(net.a.igmp_is_member(net.a_if, group));
}

}  // namespace
}  // namespace lwnet::test::udp_multicast_test
