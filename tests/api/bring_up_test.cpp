// lwnet_tap_up() and lwnet_shutdown() (lwnet/lwnet.h) on a real TAP device,
// with datagrams both ways between lwnet's sockets and the kernel's on the
// Linux side of the TAP. The test moves this process into a network
// namespace of its own first (unshare): the TAP is made there, and the
// namespace goes, with the TAP, when the process ends, however it ends.
// Needs root (CAP_SYS_ADMIN for the namespace, CAP_NET_ADMIN for the TAP).
#include <gtest/gtest.h>

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#define LWIP_COMPAT_SOCKETS 0
#include "lwip/apps/netbiosns.h"
#include "lwip/sockets.h"
#include "lwnet/dhcp.h"
#include "lwnet/dhcp6.h"
#include "lwnet/lwnet.h"
#include "ping/ping_sock.h"

#include "config/options.h"

namespace lwnet::api::bring_up_test {
namespace {

constexpr char tap_name[] = "lwbringup0";
constexpr std::uint16_t lwnet_port = 5000;
constexpr std::uint16_t linux_port = 5001;

// A descriptor closed when it goes out of scope: `close` for the kernel's
// sockets, lwip_close for lwnet's.
template <int (*close_function)(int)>
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) close_function(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};
using KernelSocket = Descriptor<::close>;
using LwnetSocket = Descriptor<lwip_close>;

sockaddr_in endpoint(const char* address, std::uint16_t port) {
  sockaddr_in out{};
  out.sin_family = AF_INET;
  out.sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, address, &out.sin_addr), 1) << address;
  return out;
}

// Into a network namespace of this process's own, once: every test of the
// process uses the same TAP, which stays attached until the process ends.
::testing::AssertionResult enter_own_namespace() {
  static const int entered = unshare(CLONE_NEWNET) == 0 ? 0 : errno;
  if (entered != 0) return ::testing::AssertionFailure() << "unshare: " << std::strerror(entered);
  return ::testing::AssertionSuccess();
}

// The Linux side of the TAP: 192.0.2.1/24, up.
::testing::AssertionResult configure_linux_side() {
  const KernelSocket control(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, tap_name, IFNAMSIZ - 1);
  const sockaddr_in address = endpoint("192.0.2.1", 0);
  std::memcpy(&request.ifr_addr, &address, sizeof address);
  if (ioctl(control.get(), SIOCSIFADDR, &request) != 0) {
    return ::testing::AssertionFailure() << "SIOCSIFADDR: " << std::strerror(errno);
  }
  const sockaddr_in netmask = endpoint("255.255.255.0", 0);
  std::memcpy(&request.ifr_netmask, &netmask, sizeof netmask);
  if (ioctl(control.get(), SIOCSIFNETMASK, &request) != 0) {
    return ::testing::AssertionFailure() << "SIOCSIFNETMASK: " << std::strerror(errno);
  }
  if (ioctl(control.get(), SIOCGIFFLAGS, &request) != 0) {
    return ::testing::AssertionFailure() << "SIOCGIFFLAGS: " << std::strerror(errno);
  }
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (ioctl(control.get(), SIOCSIFFLAGS, &request) != 0) {
    return ::testing::AssertionFailure() << "SIOCSIFFLAGS: " << std::strerror(errno);
  }
  return ::testing::AssertionSuccess();
}

void receive_timeout(int fd, int (*set)(int, int, int, const void*, socklen_t)) {
  const timeval five_seconds{5, 0};
  EXPECT_EQ(set(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds), 0);
}

// The Linux side sends `payload` to lwnet's `lwnet_address`, after a
// datagram to `unanswered_address` when one is given (an address lwnet no
// longer has, so the first datagram lwnet's socket reads must be the
// payload's); lwnet's socket sends the payload back to where it came from.
::testing::AssertionResult exchange(const char* lwnet_address, const std::string& payload,
                                    const char* unanswered_address = nullptr) {
  const LwnetSocket lwnet_socket(lwip_socket(AF_INET, SOCK_DGRAM, 0));
  if (lwnet_socket.get() < 0) return ::testing::AssertionFailure() << "lwip_socket: " << std::strerror(errno);
  const sockaddr_in any = endpoint("0.0.0.0", lwnet_port);
  if (lwip_bind(lwnet_socket.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) {
    return ::testing::AssertionFailure() << "lwip_bind: " << std::strerror(errno);
  }
  receive_timeout(lwnet_socket.get(), lwip_setsockopt);
  const KernelSocket linux_socket(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const sockaddr_in linux_end = endpoint("192.0.2.1", linux_port);
  if (bind(linux_socket.get(), reinterpret_cast<const sockaddr*>(&linux_end), sizeof linux_end) != 0) {
    return ::testing::AssertionFailure() << "bind: " << std::strerror(errno);
  }
  receive_timeout(linux_socket.get(), setsockopt);

  if (unanswered_address != nullptr) {
    const sockaddr_in old = endpoint(unanswered_address, lwnet_port);
    const std::string lost = "to " + std::string(unanswered_address);
    if (sendto(linux_socket.get(), lost.data(), lost.size(), 0, reinterpret_cast<const sockaddr*>(&old),
               sizeof old) != static_cast<ssize_t>(lost.size())) {
      return ::testing::AssertionFailure() << "sendto " << unanswered_address << ": " << std::strerror(errno);
    }
  }
  const sockaddr_in lwnet_end = endpoint(lwnet_address, lwnet_port);
  if (sendto(linux_socket.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&lwnet_end),
             sizeof lwnet_end) != static_cast<ssize_t>(payload.size())) {
    return ::testing::AssertionFailure() << "sendto: " << std::strerror(errno);
  }
  char buffer[64] = {};
  sockaddr_in from{};
  socklen_t from_size = sizeof from;
  const ssize_t got = lwip_recvfrom(lwnet_socket.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from),
                                    &from_size);
  if (got < 0) return ::testing::AssertionFailure() << "lwip_recvfrom: " << std::strerror(errno);
  if (std::string(buffer, static_cast<std::size_t>(got)) != payload) {
    return ::testing::AssertionFailure() << "lwnet read \"" << std::string(buffer, static_cast<std::size_t>(got))
                                         << "\", not \"" << payload << "\"";
  }
  if (from.sin_addr.s_addr != linux_end.sin_addr.s_addr || from.sin_port != linux_end.sin_port) {
    return ::testing::AssertionFailure() << "from another endpoint";
  }
  if (lwip_sendto(lwnet_socket.get(), buffer, static_cast<std::size_t>(got), 0, reinterpret_cast<sockaddr*>(&from),
                  from_size) != got) {
    return ::testing::AssertionFailure() << "lwip_sendto: " << std::strerror(errno);
  }
  char echoed[64] = {};
  const ssize_t back = recv(linux_socket.get(), echoed, sizeof echoed, 0);
  if (back < 0) return ::testing::AssertionFailure() << "recv: " << std::strerror(errno);
  if (std::string(echoed, static_cast<std::size_t>(back)) != payload) {
    return ::testing::AssertionFailure() << "Linux read \"" << std::string(echoed, static_cast<std::size_t>(back))
                                         << "\"";
  }
  return ::testing::AssertionSuccess();
}

// Up, shutdown, up again on the same TAP: the second up used to open the
// TAP a second time while the first descriptor was still open (EBUSY), and
// the old netif went on answering.
TEST(BringUp, TheSameTapUpAgainAfterShutdown) {
  ASSERT_TRUE(enter_own_namespace());
  ASSERT_EQ(lwnet_tap_up(tap_name, "192.0.2.2/24", nullptr), 0) << std::strerror(errno);
  ASSERT_TRUE(configure_linux_side());
  EXPECT_TRUE(exchange("192.0.2.2", "first up"));

  // Attached already: refused, and the netif works on.
  errno = 0;
  EXPECT_EQ(lwnet_tap_up(tap_name, "192.0.2.2/24", nullptr), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_TRUE(exchange("192.0.2.2", "still up"));

  lwnet_shutdown();
  // The same TAP again, with another address: the old one is gone.
  ASSERT_EQ(lwnet_tap_up(tap_name, "192.0.2.3/24", nullptr), 0) << std::strerror(errno);
  EXPECT_TRUE(exchange("192.0.2.3", "second up", "192.0.2.2"));

  lwnet_shutdown();
  ASSERT_EQ(lwnet_tap_up(tap_name, "192.0.2.2/24", nullptr), 0) << std::strerror(errno);
  EXPECT_TRUE(exchange("192.0.2.2", "third up", "192.0.2.3"));
  lwnet_shutdown();
}

// Binds a socket of lwnet's to `port` on every address of `family`: 0, or
// the errno of lwip_bind (EADDRINUSE while an app holds the port).
int bind_error(int family, std::uint16_t port) {
  const LwnetSocket s(lwip_socket(family, SOCK_DGRAM, 0));
  if (s.get() < 0) return errno;
  sockaddr_storage address{};
  socklen_t size = 0;
  if (family == AF_INET) {
    sockaddr_in v4 = endpoint("0.0.0.0", port);
    std::memcpy(&address, &v4, sizeof v4);
    size = sizeof v4;
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&address, &v6, sizeof v6);
    size = sizeof v6;
  }
  return lwip_bind(s.get(), reinterpret_cast<const sockaddr*>(&address), size) == 0 ? 0 : errno;
}

std::uint32_t ping_requests(esp_ping_handle_t session) {
  std::uint32_t requests = 0;
  EXPECT_EQ(esp_ping_get_profile(session, ESP_PING_PROF_REQUEST, &requests, sizeof requests), ESP_OK);
  return requests;
}

// A session deleted when the test ends, however it ends: its callbacks
// point into the test's frame.
class HeldSession {
 public:
  HeldSession() = default;
  ~HeldSession() {
    if (session_ != nullptr) (void)esp_ping_delete_session(session_);
  }
  HeldSession(const HeldSession&) = delete;
  HeldSession& operator=(const HeldSession&) = delete;
  esp_ping_handle_t* out() { return &session_; }
  esp_ping_handle_t get() const { return session_; }
  // Deletes it now: what esp_ping_delete_session() returned.
  esp_err_t remove() { return esp_ping_delete_session(std::exchange(session_, nullptr)); }

 private:
  esp_ping_handle_t session_ = nullptr;
};

struct PingSeen {
  std::atomic<int> replies{0};
  std::atomic<int> ends{0};
  // What esp_ping_start() said from on_ping_end.
  std::atomic<esp_err_t> started_from_end{ESP_OK};
};

// The apps started through the C APIs (the DHCP client and server, the
// DHCPv6 client, an esp_ping session, the NetBIOS responder) stop at
// lwnet_shutdown(), as the resolver's lookups end there: after the next
// lwnet_tap_up() none of them runs until the user starts it again, and a
// ping session still held may be started again or deleted. They stayed
// attached to the stack and ran on after the restart (their ports taken,
// the session sending).
TEST(BringUp, AppsStartedThroughTheCApisStopAtShutdown) {
  ASSERT_TRUE(enter_own_namespace());
  ASSERT_EQ(lwnet_tap_up(tap_name, "192.0.2.2/24", nullptr), 0) << std::strerror(errno);
  ASSERT_TRUE(configure_linux_side());

  ASSERT_EQ(lwnet_dhcp_start(tap_name), 0) << std::strerror(errno);
  ASSERT_EQ(lwnet_dhcps_start(tap_name, "192.0.2.10", "192.0.2.20", 0), 0) << std::strerror(errno);
  if (config::ipv6_dhcp6) {
    ASSERT_EQ(lwnet_dhcp6_enable_stateless(tap_name), 0) << std::strerror(errno);
  }
  netbiosns_init();
  EXPECT_EQ(bind_error(AF_INET, 68), EADDRINUSE);
  EXPECT_EQ(bind_error(AF_INET, 67), EADDRINUSE);
  if (config::ipv6_dhcp6) {
    EXPECT_EQ(bind_error(AF_INET6, 546), EADDRINUSE);
  }
  EXPECT_EQ(bind_error(AF_INET, 137), EADDRINUSE);

  // To the Linux side, until stopped, a request every 20 ms.
  esp_ping_config_t config = ESP_PING_DEFAULT_CONFIG();
  config.count = ESP_PING_COUNT_INFINITE;
  config.interval_ms = 20;
  config.target_addr.type = IPADDR_TYPE_V4;
  config.target_addr.u_addr.ip4.addr = endpoint("192.0.2.1", 0).sin_addr.s_addr;
  PingSeen seen;
  esp_ping_callbacks_t callbacks{};
  callbacks.cb_args = &seen;
  callbacks.on_ping_success = [](esp_ping_handle_t, void* args) { ++static_cast<PingSeen*>(args)->replies; };
  // Started again from on_ping_end, it would run on after the restart.
  callbacks.on_ping_end = [](esp_ping_handle_t session, void* args) {
    auto* s = static_cast<PingSeen*>(args);
    ++s->ends;
    s->started_from_end = esp_ping_start(session);
  };
  HeldSession session;
  ASSERT_EQ(esp_ping_new_session(&config, &callbacks, session.out()), ESP_OK);
  ASSERT_EQ(esp_ping_start(session.get()), ESP_OK);
  for (int i = 0; i < 500 && seen.replies.load() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(seen.replies.load(), 2);

  lwnet_shutdown();
  // Ended as esp_ping_stop() ends a batch: on_ping_end, once, where it
  // cannot start the session again.
  EXPECT_EQ(seen.ends.load(), 1);
  EXPECT_EQ(seen.started_from_end.load(), ESP_ERR_INVALID_STATE);
  ASSERT_EQ(lwnet_tap_up(tap_name, "192.0.2.2/24", nullptr), 0) << std::strerror(errno);
  EXPECT_EQ(bind_error(AF_INET, 68), 0);
  EXPECT_EQ(bind_error(AF_INET, 67), 0);
  if (config::ipv6_dhcp6) {
    EXPECT_EQ(bind_error(AF_INET6, 546), 0);
  }
  EXPECT_EQ(bind_error(AF_INET, 137), 0);
  const std::uint32_t requests = ping_requests(session.get());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten intervals
  EXPECT_EQ(ping_requests(session.get()), requests);
  EXPECT_EQ(seen.ends.load(), 1);

  // Started again by the user, each runs again.
  ASSERT_EQ(lwnet_dhcp_start(tap_name), 0) << std::strerror(errno);
  ASSERT_EQ(lwnet_dhcps_start(tap_name, "192.0.2.10", "192.0.2.20", 0), 0) << std::strerror(errno);
  netbiosns_init();
  EXPECT_EQ(bind_error(AF_INET, 68), EADDRINUSE);
  EXPECT_EQ(bind_error(AF_INET, 67), EADDRINUSE);
  EXPECT_EQ(bind_error(AF_INET, 137), EADDRINUSE);
  const int replies = seen.replies.load();
  ASSERT_EQ(esp_ping_start(session.get()), ESP_OK);
  for (int i = 0; i < 500 && seen.replies.load() < replies + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(seen.replies.load(), replies + 2);

  // Shut down with the session still held (running): deleting it afterwards
  // is safe, and on_ping_end ran for the second batch too.
  seen.started_from_end = ESP_OK;
  lwnet_shutdown();
  EXPECT_EQ(seen.ends.load(), 2);
  EXPECT_EQ(seen.started_from_end.load(), ESP_ERR_INVALID_STATE);
  EXPECT_EQ(session.remove(), ESP_OK);
}

}  // namespace
}  // namespace lwnet::api::bring_up_test
