// lwnet/dhcp.h from a user thread: the client and the server on two netifs
// of the default TCP/IP thread's stack, joined by a socketpair; events, the
// "assigned" callback and the lease storage's calls arrive on the TCP/IP
// thread. The client's hostname and lease storage set from C.
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

// What the client asked of its lease storage (CONFIG_LWIP_DHCP_RESTORE_LAST_IP).
struct Stored {
  std::mutex mutex;
  std::string calls;           // "r" restore, "s" store, "e" erase, in order
  std::uint32_t to_restore = 0;  // what restore() hands back; 0: nothing stored
  std::uint32_t last_stored = 0;
  std::string ifname;
};

lwnet_dhcp_ip_addr_storage_t storage_of(Stored& stored) {
  lwnet_dhcp_ip_addr_storage_t storage{};
  storage.restore = [](const char* ifname, lwnet_dhcp_lease_t* lease, void* arg) -> int {
    auto* s = static_cast<Stored*>(arg);
    const std::lock_guard lock(s->mutex);
    s->calls += 'r';
    s->ifname = ifname;
    if (s->to_restore == 0) return 0;
    *lease = lwnet_dhcp_lease_t{};
    lease->address = s->to_restore;
    lease->netmask = inet_addr("255.255.255.0");
    return 1;
  };
  storage.store = [](const char*, const lwnet_dhcp_lease_t* lease, void* arg) {
    auto* s = static_cast<Stored*>(arg);
    const std::lock_guard lock(s->mutex);
    s->calls += 's';
    s->last_stored = lease->address;
  };
  storage.erase = [](const char*, void* arg) {
    auto* s = static_cast<Stored*>(arg);
    const std::lock_guard lock(s->mutex);
    s->calls += 'e';
  };
  storage.arg = &stored;
  return storage;
}

std::string hostname_of(const char* ifname) {
  char buffer[64] = "unset";
  if (lwnet_netif_get_hostname(ifname, buffer, sizeof buffer) != 0) return "error " + std::to_string(errno);
  return buffer;
}

// The TCP/IP thread stops at the end of every test, also one that an ASSERT
// ended early: the devices are statics, and a thread still polling them
// while they are destroyed at exit calls into a half-destroyed object.
class DhcpC : public ::testing::Test {
 protected:
  void TearDown() override {
    lwnet_dhcp_set_event_callback(nullptr, nullptr);
    lwnet_dhcps_set_assigned_callback(nullptr, nullptr);
    lwnet_shutdown();
  }
};

TEST_F(DhcpC, ClientAndServerThroughTheTcpipThread) {
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
  server_config.accept_local = true;  // the client is this stack's own cli0
  ASSERT_TRUE(thread->add_netif(server_device, fds[0], server_config).ok());
  NetifConfig client_config;
  client_config.name = "cli0";
  client_config.mac = MacAddress{{0x02, 0, 0, 0, 0, 0x02}};
  client_config.accept_local = true;  // the server is this stack's own srv0
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

  // netif_set_hostname / esp_netif_set_hostname: the name option 12
  // carries (the server reports what it parsed), up to 63 characters.
  EXPECT_EQ(lwnet_netif_set_hostname("nope", "x"), -1);
  EXPECT_EQ(errno, ENODEV);
  EXPECT_EQ(lwnet_netif_set_hostname("cli0", std::string(64, 'h').c_str()), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(hostname_of("cli0"), "espressif");
  char small[4];
  EXPECT_EQ(lwnet_netif_get_hostname("cli0", small, sizeof small), -1);
  EXPECT_EQ(errno, ERANGE);
  ASSERT_EQ(lwnet_netif_set_hostname("cli0", std::string(63, 'h').c_str()), 0);
  EXPECT_EQ(hostname_of("cli0"), std::string(63, 'h'));
  ASSERT_EQ(lwnet_netif_set_hostname("cli0", "sensor-7"), 0);
  EXPECT_EQ(hostname_of("cli0"), "sensor-7");

  // CONFIG_LWIP_DHCP_RESTORE_LAST_IP from C: the stored address is asked
  // for at start (INIT-REBOOT, granted: it is free in the pool), every
  // lease is stored, a RELEASE erases it.
  static Stored stored;
  stored.to_restore = address("192.0.2.15");
  const lwnet_dhcp_ip_addr_storage_t storage = storage_of(stored);
  EXPECT_EQ(lwnet_dhcp_set_ip_addr_storage("nope", &storage), -1);
  EXPECT_EQ(errno, ENODEV);
  lwnet_dhcp_ip_addr_storage_t incomplete = storage;
  incomplete.store = nullptr;
  EXPECT_EQ(lwnet_dhcp_set_ip_addr_storage("cli0", &incomplete), -1);
  EXPECT_EQ(errno, EINVAL);
  ASSERT_EQ(lwnet_dhcp_set_ip_addr_storage("cli0", &storage), 0);
  ASSERT_EQ(lwnet_dhcp_start("cli0"), 0);
  ASSERT_TRUE(seen.got_ip.try_acquire_for(std::chrono::seconds(10)));
  ASSERT_EQ(lwnet_dhcp_get_lease("cli0", &lease), 0);
  EXPECT_EQ(lease.address, address("192.0.2.15"));
  {
    const std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.hostname, "sensor-7");
    EXPECT_EQ(seen.assigned_address.load(), address("192.0.2.15"));
  }
  {
    const std::lock_guard lock(stored.mutex);
    EXPECT_EQ(stored.calls, "rs");
    EXPECT_EQ(stored.ifname, "cli0");
    EXPECT_EQ(stored.last_stored, address("192.0.2.15"));
  }
  // No name: no option 12, the server reports an empty one.
  ASSERT_EQ(lwnet_netif_set_hostname("cli0", nullptr), 0);
  EXPECT_EQ(hostname_of("cli0"), "");
  ASSERT_EQ(lwnet_dhcp_renew("cli0"), 0);
  ASSERT_TRUE(seen.renewed.try_acquire_for(std::chrono::seconds(10)));
  {
    const std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.hostname, "");
  }
  ASSERT_EQ(lwnet_dhcp_release("cli0"), 0);
  {
    const std::lock_guard lock(stored.mutex);
    EXPECT_EQ(stored.calls, "rsse");
  }
  ASSERT_EQ(lwnet_dhcp_set_ip_addr_storage("cli0", nullptr), 0);
  EXPECT_EQ(lwnet_dhcps_stop("srv0"), 0);
}

}  // namespace
}  // namespace lwnet::test::dhcp_c_test
