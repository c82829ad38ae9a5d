// Stack::set_timers_enabled (sys_timeouts_deinit / sys_timeouts_init of the
// TCP/IP thread): while disabled, no timer fires and next_deadline() waits
// for input only, but input is still served; timers that came due meanwhile
// fire at the first poll after enabling.
#include <gtest/gtest.h>

#include "core/stack.h"
#include "link/pipe.h"
#include "support/frames.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::stack_timers_enabled_test {
namespace {

TEST(StackTimersEnabled, DisabledTimersDoNotFireButInputIsServed) {
  PipePair pipe;
  Stack stack{StackConfig{1}};
  const Instant start = Instant::from_seconds(1);
  EXPECT_TRUE(stack.timers_enabled());
  stack.set_timers_enabled(false);
  EXPECT_FALSE(stack.timers_enabled());
  // Adding a netif with an address arms the gratuitous ARP timer at `start`.
  ASSERT_OK(stack.add_netif(pipe.a(), netif_config("en0", mac_a, ip_a, 24), start));
  EXPECT_EQ(stack.next_deadline(), Instant::max());

  stack.poll(start + Duration::seconds(5));
  EXPECT_TRUE(drain(pipe.b(), start + Duration::seconds(5)).empty());
  EXPECT_EQ(stack.stats().arp.tx_gratuitous, 0U);

  // Input still gets its answer: an ARP request for A is replied to.
  const Instant later = start + Duration::seconds(6);
  ASSERT_TRUE(pipe.b().transmit(
      ethernet_frame(MacAddress::broadcast(), mac_peer, arp_type,
                     arp_packet(ArpOperation::Request, mac_peer, ip_peer, MacAddress{}, ip_a)),
      later));
  // The frame in flight is a device deadline: it counts while timers are off.
  EXPECT_EQ(stack.next_deadline(), later);
  stack.poll(later);
  const std::vector<ByteVector> replies = drain(pipe.b(), later);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(frame_ethertype(replies[0]), arp_type);
  EXPECT_EQ(frame_destination_mac(replies[0]), mac_peer);
  EXPECT_EQ(stack.stats().arp.tx_reply, 1U);
  EXPECT_EQ(stack.stats().arp.tx_gratuitous, 0U);
  EXPECT_EQ(stack.next_deadline(), Instant::max());

  // Enabled again: the overdue gratuitous ARP is due at once and goes out,
  // and so do the MLD report of the IPv6 link-local address's
  // solicited-node group and its DAD probe.
  stack.set_timers_enabled(true);
  EXPECT_LE(stack.next_deadline(), later);
  stack.poll(later);
  const std::vector<ByteVector> announcements = drain(pipe.b(), later);
  ASSERT_EQ(announcements.size(), 3U);
  EXPECT_EQ(frame_ethertype(announcements[1]), 0x86dd);
  EXPECT_EQ(frame_ethertype(announcements[2]), 0x86dd);
  EXPECT_EQ(stack.stats().mld.tx_v2_report, 1U);
  EXPECT_EQ(stack.stats().nd.tx_solicitation, 1U);
  EXPECT_EQ(frame_ethertype(announcements[0]), arp_type);
  EXPECT_EQ(frame_destination_mac(announcements[0]), MacAddress::broadcast());
  EXPECT_EQ(stack.stats().arp.tx_gratuitous, 1U);
  // The next one (CONFIG_LWIP_GARP_TMR_INTERVAL) is a timer again.
  EXPECT_NE(stack.next_deadline(), Instant::max());
}

TEST(StackTimersEnabled, DisablingStopsTcpRetransmission) {
  PipePair pipe;
  Stack stack{StackConfig{1}};
  Instant now = Instant::from_seconds(1);
  const Result<NetifId> id = stack.add_netif(pipe.a(), netif_config("en0", mac_a, ip_a, 24), now);
  ASSERT_OK(id);
  ASSERT_OK(stack.arp_add_static(*id, ip_peer, mac_peer));
  stack.poll(now);
  (void)drain(pipe.b(), now);  // the gratuitous ARP
  ASSERT_OK(stack.tcp_connect({ip_peer, 80}, now));
  stack.poll(now);
  ASSERT_EQ(drain(pipe.b(), now).size(), 1U);  // the SYN

  stack.set_timers_enabled(false);
  EXPECT_EQ(stack.next_deadline(), Instant::max());
  now = now + Duration::seconds(30);
  stack.poll(now);
  EXPECT_TRUE(drain(pipe.b(), now).empty());  // no SYN retransmission

  stack.set_timers_enabled(true);
  EXPECT_LE(stack.next_deadline(), now);
  stack.poll(now);
  // The retransmitted SYN (and MLD's overdue repeat report, over IPv6).
  std::size_t ipv4_frames = 0;
  for (const ByteVector& f : drain(pipe.b(), now)) {
    if (frame_ethertype(f) == 0x0800) ++ipv4_frames;
  }
  EXPECT_EQ(ipv4_frames, 1U);
}

}  // namespace
}  // namespace lwnet::test::stack_timers_enabled_test
