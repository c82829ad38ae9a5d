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

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#define LWIP_COMPAT_SOCKETS 0
#include "lwip/sockets.h"
#include "lwnet/lwnet.h"

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
  ASSERT_EQ(unshare(CLONE_NEWNET), 0) << std::strerror(errno);
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

}  // namespace
}  // namespace lwnet::api::bring_up_test
