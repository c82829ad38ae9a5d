// The fixture of the socket layer's api tests (socket_test.cpp,
// socket_threads_test.cpp): a TCP/IP thread in either way into the core
// (message passing, core locking) with a SocketLayer over it, and helpers
// for addresses, listeners and connected pairs. The other api tests of the
// socket layer use its helpers (Mode, address, sa, in_len) with fixtures of
// their own.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api/socket_layer.h"
#include "api/socket_options.h"
#include "api/tcpip_thread.h"

namespace lwnet::test::sockets {

using api::SocketLayer;
using api::TcpipConfig;
using api::TcpipThread;

struct Mode {
  bool core_locking;
  const char* name;
  // TcpipConfig::spin_before_sleep (CONFIG_LWNET_TCPIP_SPIN_US)
  Duration spin = Duration::zero();
  // TcpipConfig::core_locking_input: blocked calls process their input.
  bool input = false;
};
// Message passing with the TCP/IP thread and callers spinning before they
// sleep (the host preset's CONFIG_LWNET_TCPIP_SPIN_US).
inline constexpr Mode spinning_mode{false, "MessagePassingSpinning", Duration::micros(50)};
// The host preset: core locking with input (blocked calls process the input
// they wait for), the TCP/IP thread spinning for input without the core
// mutex before it sleeps.
inline constexpr Mode locking_spinning_mode{true, "CoreLockingInputSpinning", Duration::micros(50), true};

inline sockaddr_in address(std::uint32_t host, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(host);
  return a;
}
inline sockaddr_in loopback(std::uint16_t port) { return address(INADDR_LOOPBACK, port); }
inline const sockaddr* sa(const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); }
inline sockaddr* sa(sockaddr_in& a) { return reinterpret_cast<sockaddr*>(&a); }
constexpr socklen_t in_len = sizeof(sockaddr_in);

// A TCP/IP thread, in message passing or core locking, with a SocketLayer
// over it: the fixtures of the socket layer's api tests derive from it.
// start_layer() starts both (in SetUp); TearDown checks that the test closed
// every socket it opened, then stops them.
template <class Param>
class SocketLayerFixture : public ::testing::TestWithParam<Param> {
 protected:
  SocketLayerFixture(bool core_locking, std::uint64_t seed, Duration spin = Duration::zero(),
                     bool input = false)
      : thread_(config_of(core_locking, seed, spin, input)) {}
  void start_layer() {
    ASSERT_TRUE(thread_.start().ok());
    layer_.emplace(thread_);
  }
  void TearDown() override {
    if (layer_) {
      EXPECT_EQ(layer_->open_count(), 0U);
    }
    layer_.reset();
    thread_.stop();
  }
  static TcpipConfig config_of(bool core_locking, std::uint64_t seed, Duration spin, bool input) {
    TcpipConfig c;
    c.core_locking = core_locking;
    c.core_locking_input = input;
    c.random_seed = seed;
    c.spin_before_sleep = spin;
    return c;
  }
  SocketLayer& l() { return *layer_; }

  TcpipThread thread_;
  std::optional<SocketLayer> layer_;
};

class SocketTest : public SocketLayerFixture<Mode> {
 protected:
  SocketTest() : SocketLayerFixture(GetParam().core_locking, 7, GetParam().spin, GetParam().input) {}
  void SetUp() override { start_layer(); }

  // A listening socket on 127.0.0.1:port.
  int listener(std::uint16_t port, int backlog = 4) {
    const int s = l().socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(s, 0);
    const int on = 1;
    EXPECT_EQ(l().setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), 0);
    const sockaddr_in a = loopback(port);
    EXPECT_EQ(l().bind(s, sa(a), in_len), 0);
    EXPECT_EQ(l().listen(s, backlog), 0);
    return s;
  }
  // FIONREAD of `fd` once it says `bytes` (polled for up to 5 s).
  int pending_bytes_after_wait(int fd, int bytes) {
    int pending = -1;
    for (int i = 0; i < 2500; ++i) {
      if (l().ioctl(fd, FIONREAD, &pending) != 0 || pending == bytes) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pending;
  }
  // A connected pair: {client, server side}.
  std::pair<int, int> connected_pair(std::uint16_t port, int& server) {
    server = listener(port);
    const int c = l().socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in a = loopback(port);
    EXPECT_EQ(l().connect(c, sa(a), in_len), 0) << std::strerror(errno);
    const int a_fd = l().accept(server, nullptr, nullptr);
    EXPECT_GE(a_fd, 0) << std::strerror(errno);
    return {c, a_fd};
  }
};

}  // namespace lwnet::test::sockets
