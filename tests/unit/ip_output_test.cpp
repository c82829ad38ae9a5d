// The IP layer's output on its own: fragment sizes on a small MTU, and the
// don't-fragment rule.
#include <gtest/gtest.h>

#include "ip/ip_layer.h"
#include "link/loopback.h"
#include "link/pipe.h"
#include "support/frames.h"
#include "support/status.h"

namespace lwnet::ip_output_test {
namespace {

struct IpOutputTest : ::testing::Test {
  IpOutputTest() {
    NetifConfig c;
    c.mac = MacAddress{{0x02, 0, 0, 0, 0, 1}};
    c.ipv4 = IpCidr{Ipv4Address::of(192, 0, 2, 1), 24};
    c.mtu = 576;
    id = *ip.add_netif(pipe.a(), c, now);
    EXPECT_OK(ip.arp_add_static(id, peer, MacAddress{{0x02, 0, 0, 0, 0, 2}}, now));
  }
  PacketBuf payload(std::size_t n) {
    PacketBuf b = *pools.allocate(config::headroom, n);
    const test::ByteVector bytes = test::pattern(n);
    Bytes room = b.append(n);
    std::copy(bytes.begin(), bytes.end(), room.begin());
    return b;
  }

  Pools pools{64, config::frame_buffer_size, 2, config::large_buffer_size};
  EthernetStats ethernet;
  ArpStats arp;
  Ipv4Stats ipv4;
  IcmpStats icmp;
  IgmpStats igmp;
  Random random{7};
  Loopback loopback;
  PipePair pipe;
  Ipv6Stats ipv6;
  Icmpv6Stats icmpv6;
  NdStats nd;
  MldStats mld;
  IpLayer ip{pools, IpLayerStats{ethernet, arp, ipv4, icmp, igmp, ipv6, icmpv6, nd, mld}, random, loopback};
  NetifId id;
  Instant now = Instant::from_seconds(1);
  Ipv4Address peer = Ipv4Address::of(192, 0, 2, 2);
};

TEST_F(IpOutputTest, FragmentsFitTheMtu) {
  Result<IpRoute> r = ip.route(peer, {});
  ASSERT_OK(r);
  ASSERT_OK(ip.output(payload(1200), *r, peer, IpSendOptions{}, now));
  const auto frames = test::drain(pipe.b(), now);
  ASSERT_EQ(frames.size(), 3U);
  // (576 - 20) / 8 * 8 = 552 bytes of payload per fragment.
  EXPECT_EQ(frames[0].size(), 14U + 20U + 552U);
  EXPECT_EQ(frames[1].size(), 14U + 20U + 552U);
  EXPECT_EQ(frames[2].size(), 14U + 20U + 96U);
  EXPECT_EQ(test::frame_ip_fragment_word(frames[1]), 0x2000 | (552 / 8));
  EXPECT_EQ(ipv4.frag_tx, 3U);
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(IpOutputTest, DontFragmentOverTheMtuIsDropped) {
  Result<IpRoute> r = ip.route(peer, {});
  ASSERT_OK(r);
  IpSendOptions df;
  df.dont_fragment = true;
  EXPECT_ERROR(ip.output(payload(1200), *r, peer, df, now), Error::TooBig);
  EXPECT_EQ(ipv4.drop_too_big_df, 1U);
  EXPECT_OK(ip.output(payload(500), *r, peer, df, now));
  const auto frames = test::drain(pipe.b(), now);
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(test::frame_ip_fragment_word(frames[0]), 0x4000);
  EXPECT_EQ(pools.in_use(), 0U);
}

TEST_F(IpOutputTest, RefusedFramesAreCountedAsDeviceBusy) {
  Result<IpRoute> r = ip.route(peer, {});
  ASSERT_OK(r);
  // Fill the pipe (128 frames in flight), then one more is refused.
  for (int i = 0; i < 128; ++i) ASSERT_OK(ip.output(payload(10), *r, peer, IpSendOptions{}, now));
  EXPECT_ERROR(ip.output(payload(10), *r, peer, IpSendOptions{}, now), Error::NoBuffers);
  EXPECT_EQ(ethernet.drop_device_busy, 1U);
  EXPECT_EQ(pipe.dropped(), 1U);
  (void)test::drain(pipe.b(), now);
  EXPECT_EQ(pools.in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::ip_output_test
