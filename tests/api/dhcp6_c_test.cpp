// lwnet/dhcp6.h from a user thread: the stateless DHCPv6 client on a netif
// of the default TCP/IP thread's stack, with the test as router and DHCPv6
// server on the other end of a socketpair. Built without
// CONFIG_LWIP_IPV6_DHCP6 (ESP-IDF's default), every call says ENOTSUP.
#include "lwnet/dhcp6.h"
#include "lwnet/lwnet.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>

#include "api/tcpip_c.h"
#include "config/options.h"
#include "datagram_device.h"
#include "support/dhcp6_frames.h"

namespace lwnet::test::dhcp6_c_test {
namespace {

#if CONFIG_LWIP_IPV6_DHCP6
TEST(Dhcp6C, EnableAskDisableThroughTheTcpipThread) {
  tcpip_init(nullptr, nullptr);
  api::TcpipThread* thread = api::default_tcpip();
  ASSERT_NE(thread, nullptr);
  // Serves the thread until the process ends.
  static DatagramWire wire;
  NetifConfig config;
  config.name = "d6c0";
  config.mac = MacAddress{{0x02, 0, 0, 0, 0, 0x02}};
  ASSERT_TRUE(thread->add_netif(wire.device, wire.stack_fd, config).ok());
  const Ipv6Address client = parse_ip_address("fe80::ff:fe00:2")->v6();
  const Ipv6Address router = parse_ip_address("fe80::1")->v6();
  constexpr MacAddress router_mac{{0x02, 0, 0, 0, 0, 0xee}};

  EXPECT_EQ(lwnet_dhcp6_enable_stateless("nope"), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(lwnet_dhcp6_enable_stateless("lo"), -1);
  EXPECT_EQ(errno, EINVAL);
  lwnet_dhcp6_info_t info{};
  EXPECT_EQ(lwnet_dhcp6_get_info("d6c0", &info), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(lwnet_dhcp6_get_info("d6c0", nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
  ASSERT_EQ(lwnet_dhcp6_enable_stateless("d6c0"), 0);

  // The router answers the stack's first router solicitation (sent once
  // the link-local address passed DAD) with O; the Information-request
  // follows (the stack's NSs and MLD reports are skipped).
  std::optional<Dhcpv6Sent> request;
  bool advertised = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!request && std::chrono::steady_clock::now() < give_up) {
    const std::optional<std::vector<std::uint8_t>> frame = wire.next_frame(200);
    if (!frame) continue;
    const bool solicitation = frame->size() > 54 && (*frame)[20] == 58 && (*frame)[54] == 133;
    if (solicitation && !advertised) {
      ASSERT_TRUE(wire.send_frame(router_advertisement_frame(router_mac, router, false, true)));
      advertised = true;
    }
    request = dhcpv6_sent_of(*frame);
  }
  EXPECT_TRUE(advertised);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->source, client);
  EXPECT_EQ(request->message[0], static_cast<std::uint8_t>(Dhcpv6MessageType::InformationRequest));

  Dhcpv6ReplyContent content;
  content.dns = {parse_ip_address("2001:db8::53")->v6(), parse_ip_address("2001:db8::54")->v6(),
                 parse_ip_address("2001:db8::55")->v6()};
  content.ntp = {parse_ip_address("2001:db8::123")->v6()};
  content.refresh = 3600;
  ASSERT_TRUE(wire.send_frame(
      dhcpv6_reply_frame(router_mac, router, config.mac, client, dhcpv6_reply_message(*request, content))));
  bool informed = false;
  for (int i = 0; i < 500 && !informed; ++i) {
    informed = lwnet_dhcp6_get_info("d6c0", &info) == 0;
    if (!informed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(informed);
  EXPECT_EQ(info.dns_count, 2);  // main and backup of three
  EXPECT_EQ(info.dns[0][15], 0x53);
  EXPECT_EQ(info.dns[1][15], 0x54);
  EXPECT_EQ(info.ntp_count, 1);
  EXPECT_EQ(info.ntp[0][14], 0x01);
  EXPECT_EQ(info.ntp[0][15], 0x23);
  EXPECT_EQ(info.server[0], 0xfe);
  EXPECT_EQ(info.server[15], 0x01);
  EXPECT_EQ(info.refresh_seconds, 3600U);
  EXPECT_EQ(info.stateful_requested, 0);
  // Published to the stack, where the resolver takes them.
  const std::size_t learned = thread->call([](Stack& stack, Instant) { return stack.learned_dns_servers().servers().size(); });
  EXPECT_EQ(learned, 3U);

  ASSERT_EQ(lwnet_dhcp6_disable("d6c0"), 0);
  EXPECT_EQ(lwnet_dhcp6_get_info("d6c0", &info), -1);
  EXPECT_EQ(errno, EAGAIN);
  const std::size_t withdrawn = thread->call([](Stack& stack, Instant) { return stack.learned_dns_servers().servers().size(); });
  EXPECT_EQ(withdrawn, 0U);
  EXPECT_EQ(lwnet_dhcp6_disable("d6c0"), 0);  // twice: nothing to do
  // The thread stops before the device goes with the other statics.
  lwnet_shutdown();
}
#else
TEST(Dhcp6C, OffWithoutTheOption) {
  lwnet_dhcp6_info_t info{};
  EXPECT_EQ(lwnet_dhcp6_enable_stateless("any"), -1);
  EXPECT_EQ(errno, ENOTSUP);
  EXPECT_EQ(lwnet_dhcp6_disable("any"), -1);
  EXPECT_EQ(errno, ENOTSUP);
  EXPECT_EQ(lwnet_dhcp6_get_info("any", &info), -1);
  EXPECT_EQ(errno, ENOTSUP);
}
#endif

}  // namespace
}  // namespace lwnet::test::dhcp6_c_test
