// lwnet/dhcp.h from a user thread: the client and the server on two netifs
// of the default TCP/IP thread's stack, joined by a socketpair; events and
// the "assigned" callback arrive on the TCP/IP thread.
#include "lwnet/dhcp.h"
#include "lwnet/lwnet.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>

#include "api/tcpip_c.h"
#include "datagram_device.h"

namespace lwnet::test::dhcp_c_test {
namespace {

std::uint32_t address(const char* text) { return inet_addr(text); }

struct Seen {
  std::counting_semaphore<16> got_ip{0};
  std::counting_semaphore<16> renewed{0};
  std::atomic<std::uint32_t> assigned_address{0};
  std::mutex mutex;
  std::string hostname;
};

TEST(DhcpC, ClientAndServerThroughTheTcpipThread) {
  tcpip_init(nullptr, nullptr);
  api::TcpipThread* thread = api::default_tcpip();
  ASSERT_NE(thread, nullptr);
  int fds[2] = {-1, -1};
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
  // They serve the thread until the process ends: never closed.
  static DatagramDevice server_device(fds[0]);
  static DatagramDevice client_device(fds[1]);
  NetifConfig server_config;
  server_config.name = "srv0";
  server_config.mac = MacAddress{{0x02, 0, 0, 0, 0, 0x01}};
  server_config.ipv4 = IpCidr{Ipv4Address::of(192, 0, 2, 1), 24};
  ASSERT_TRUE(thread->add_netif(server_device, fds[0], server_config).ok());
  NetifConfig client_config;
  client_config.name = "cli0";
  client_config.mac = MacAddress{{0x02, 0, 0, 0, 0, 0x02}};
  ASSERT_TRUE(thread->add_netif(client_device, fds[1], client_config).ok());

  EXPECT_EQ(lwnet_dhcp_start("nope"), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(lwnet_dhcp_renew("cli0"), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(lwnet_dhcps_start("cli0", nullptr, nullptr, 0), -1);  // no address to serve from
  EXPECT_EQ(errno, EINVAL);

  static Seen seen;
  lwnet_dhcp_set_event_callback(
      [](const char* ifname, lwnet_dhcp_event event, const lwnet_dhcp_lease_t*, void* arg) {
        auto* s = static_cast<Seen*>(arg);
        if (std::string(ifname) != "cli0") return;
        if (event == LWNET_DHCP_GOT_IP) s->got_ip.release();
        if (event == LWNET_DHCP_RENEWED) s->renewed.release();
      },
      &seen);
  lwnet_dhcps_set_assigned_callback(
      [](const char*, uint32_t assigned, const uint8_t*, const char* hostname, void* arg) {
        auto* s = static_cast<Seen*>(arg);
        const std::lock_guard lock(s->mutex);
        s->hostname = hostname;
        s->assigned_address = assigned;
      },
      &seen);

  ASSERT_EQ(lwnet_dhcps_start("srv0", "192.0.2.10", "192.0.2.20", 0), 0);
  EXPECT_EQ(lwnet_dhcps_start("srv0", "192.0.2.1", "192.0.2.20", 0), -1);  // the server's own address
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(lwnet_dhcps_start("srv0", "192.0.2.10", nullptr, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  lwnet_dhcp_lease_t lease{};
  EXPECT_EQ(lwnet_dhcp_get_lease("cli0", &lease), -1);
  ASSERT_EQ(lwnet_dhcp_start("cli0"), 0);
  ASSERT_TRUE(seen.got_ip.try_acquire_for(std::chrono::seconds(10)));

  ASSERT_EQ(lwnet_dhcp_get_lease("cli0", &lease), 0);
  EXPECT_EQ(lease.address, address("192.0.2.10"));
  EXPECT_EQ(lease.netmask, address("255.255.255.0"));
  EXPECT_EQ(lease.gateway, address("192.0.2.1"));
  EXPECT_EQ(lease.dns[0], address("192.0.2.1"));
  EXPECT_EQ(lease.dns[1], 0u);
  EXPECT_EQ(lease.server, address("192.0.2.1"));
  EXPECT_EQ(lease.lease_seconds, 7200u);
  EXPECT_EQ(lease.mtu, 1500);
  EXPECT_EQ(lease.link_local, 0);
  {
    const std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.hostname, "espressif");
    EXPECT_EQ(seen.assigned_address.load(), address("192.0.2.10"));
  }
  const uint8_t client_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::uint32_t found = 0;
  ASSERT_EQ(lwnet_dhcps_search_ip_on_mac("srv0", client_mac, &found), 0);
  EXPECT_EQ(found, address("192.0.2.10"));

  ASSERT_EQ(lwnet_dhcp_renew("cli0"), 0);
  EXPECT_TRUE(seen.renewed.try_acquire_for(std::chrono::seconds(10)));

  ASSERT_EQ(lwnet_dhcp_release("cli0"), 0);
  EXPECT_EQ(lwnet_dhcp_get_lease("cli0", &lease), -1);
  EXPECT_EQ(errno, EAGAIN);
  bool forgotten = false;
  for (int i = 0; i < 200 && !forgotten; ++i) {
    forgotten = lwnet_dhcps_search_ip_on_mac("srv0", client_mac, &found) == -1 && errno == ENOENT;
    if (!forgotten) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(forgotten);
  EXPECT_EQ(lwnet_dhcps_stop("srv0"), 0);
  lwnet_dhcp_set_event_callback(nullptr, nullptr);
  lwnet_dhcps_set_assigned_callback(nullptr, nullptr);
  // The thread stops before the devices go with the other statics.
  lwnet_shutdown();
}

}  // namespace
}  // namespace lwnet::test::dhcp_c_test
