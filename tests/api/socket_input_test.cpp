// CONFIG_LWIP_TCPIP_CORE_LOCKING_INPUT (TcpipConfig::core_locking_input):
// blocked socket calls wait on the devices and process the input they find
// themselves. Two TCP/IP threads joined by a socketpair (real device
// descriptors, so the callers' input path runs), each with a SocketLayer:
// many short connections (connect, request, echo, close: the bench's CRR)
// and a bulk transfer each way, every byte checked, with the callers' input
// on and off. Also run by the ThreadSanitizer job.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/socket_layer.h"
#include "api/tcpip_thread.h"
#include "datagram_device.h"
#include "support/hosts.h"

namespace lwnet::test::socket_input_test {
namespace {

using api::SocketLayer;
using api::TcpipConfig;
using api::TcpipThread;

struct InputMode {
  bool input;
  const char* name;
};

TcpipConfig config_of(bool input, std::uint64_t seed) {
  TcpipConfig c;
  c.core_locking = true;
  c.core_locking_input = input;
  c.spin_before_sleep = Duration::micros(50);
  c.random_seed = seed;
  return c;
}

class SocketInputTest : public ::testing::TestWithParam<InputMode> {
 protected:
  SocketInputTest()
      : client_thread_(config_of(GetParam().input, 21)), server_thread_(config_of(GetParam().input, 22)) {}

  void SetUp() override {
    int fds[2] = {-1, -1};
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
    fds_ = {fds[0], fds[1]};
    client_device_.emplace(fds_[0]);
    server_device_.emplace(fds_[1]);
    ASSERT_TRUE(client_thread_.start().ok());
    ASSERT_TRUE(server_thread_.start().ok());
    ASSERT_TRUE(client_thread_.add_netif(*client_device_, fds_[0], netif_config("in0", mac_a, ip_a, 24)).ok());
    ASSERT_TRUE(server_thread_.add_netif(*server_device_, fds_[1], netif_config("in1", mac_b, ip_b, 24)).ok());
    EXPECT_EQ(client_thread_.callers_read_input(), GetParam().input);
    client_.emplace(client_thread_);
    server_.emplace(server_thread_);
  }

  void TearDown() override {
    if (client_) {
      EXPECT_EQ(client_->open_count(), 0U);
    }
    if (server_) {
      EXPECT_EQ(server_->open_count(), 0U);
    }
    client_.reset();
    server_.reset();
    client_thread_.stop();
    server_thread_.stop();
    for (const int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }

  static sockaddr_in address_of(Ipv4Address ip, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(ip.value);
    return a;
  }

  int server_listener(std::uint16_t port) {
    const int s = server_->socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in a = address_of(Ipv4Address{}, port);
    EXPECT_EQ(server_->bind(s, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(server_->listen(s, 8), 0);
    return s;
  }

  int client_connect(std::uint16_t port) {
    const int c = client_->socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in a = address_of(ip_b, port);
    EXPECT_EQ(client_->connect(c, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0) << errno;
    return c;
  }

  // A listener on `port` and one connection to it: the client's socket and
  // the server's accepted one (-1 on failure, which the caller asserts).
  struct Connection {
    int listener = -1;
    int client = -1;
    int accepted = -1;
  };
  Connection connection_on(std::uint16_t port) {
    Connection c;
    c.listener = server_listener(port);
    std::thread accepter([&] { c.accepted = server_->accept(c.listener, nullptr, nullptr); });
    c.client = client_connect(port);
    accepter.join();
    return c;
  }

  TcpipThread client_thread_;
  TcpipThread server_thread_;
  std::array<int, 2> fds_{-1, -1};
  std::optional<DatagramDevice> client_device_;
  std::optional<DatagramDevice> server_device_;
  std::optional<SocketLayer> client_;
  std::optional<SocketLayer> server_;
};

INSTANTIATE_TEST_SUITE_P(Modes, SocketInputTest,
                         ::testing::Values(InputMode{false, "CoreLocking"}, InputMode{true, "CoreLockingInput"}),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

// The bench's CRR service: the server accepts, reads the request, echoes it,
// reads until end of file and closes; every blocking call waits for input.
TEST_P(SocketInputTest, ShortConnectionsEchoEveryRequest) {
  constexpr int connections = 100;
  const int listener = server_listener(7001);
  std::thread server([&] {
    for (int i = 0; i < connections; ++i) {
      const int s = server_->accept(listener, nullptr, nullptr);
      ASSERT_GE(s, 0) << errno;
      char request[64];
      const ssize_t n = server_->recv(s, request, sizeof request, 0);
      ASSERT_GT(n, 0) << errno;
      ASSERT_EQ(server_->send(s, request, static_cast<std::size_t>(n), 0), n);
      char rest[8];
      ASSERT_EQ(server_->recv(s, rest, sizeof rest, 0), 0);
      ASSERT_EQ(server_->close(s), 0);
    }
  });
  for (int i = 0; i < connections; ++i) {
    const int c = client_connect(7001);
    const std::array<char, 3> request{'r', static_cast<char>('0' + i % 10), '\n'};
    ASSERT_EQ(client_->send(c, request.data(), request.size(), 0), 3);
    std::array<char, 3> echoed{};
    ASSERT_EQ(client_->recv(c, echoed.data(), echoed.size(), MSG_WAITALL), 3) << errno;
    EXPECT_EQ(echoed, request) << "connection " << i;
    ASSERT_EQ(client_->close(c), 0);
  }
  server.join();
  EXPECT_EQ(server_->close(listener), 0);
}

// A caller blocked for its input reads the frames that come for it itself:
// the TCP/IP thread leaves the devices to it, so a frame wakes one thread,
// not two racing for the core. Ten 1-byte segments, 10 ms apart, into one
// recv(MSG_WAITALL) on the server; with callers' input off the TCP/IP
// thread reads them all.
TEST_P(SocketInputTest, ABlockedCallerReadsTheFramesThatComeForIt) {
  constexpr int segments = 10;
  const auto [listener, c, accepted] = connection_on(7003);
  ASSERT_GE(accepted, 0);
  const int one = 1;
  ASSERT_EQ(client_->setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);  // a segment a byte
  std::atomic<bool> counting{false};
  std::array<char, segments> received{};
  ssize_t got = -1;
  std::thread reader([&] {
    server_device_->count_frames_received_on(std::this_thread::get_id());
    counting.store(true);
    got = server_->recv(accepted, received.data(), received.size(), MSG_WAITALL);
  });
  while (!counting.load()) std::this_thread::yield();
  for (int i = 0; i < segments; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const char byte = static_cast<char>('a' + i);
    ASSERT_EQ(client_->send(c, &byte, 1, 0), 1);
  }
  reader.join();
  ASSERT_EQ(got, segments) << errno;
  EXPECT_EQ(std::string(received.data(), received.size()), "abcdefghij");
  const std::uint64_t by_caller = server_device_->frames_received_on_counted_thread();
  if (GetParam().input) {
    // All ten but for a frame that meets the TCP/IP thread's look at the
    // end of a handover slice (a busy machine can stretch one).
    EXPECT_GE(by_caller, static_cast<std::uint64_t>(segments - 2));
  } else {
    EXPECT_EQ(by_caller, 0U);
  }
  EXPECT_EQ(client_->close(c), 0);
  EXPECT_EQ(server_->close(accepted), 0);
  EXPECT_EQ(server_->close(listener), 0);
}

// The TCP/IP thread takes input again once callers stop reading: a caller
// that read for a long while (the thread then sleeps without the devices
// until woken) gets its byte and makes no further call; what comes next is
// received (FIONREAD, which waits for nothing, sees it) by the TCP/IP thread.
TEST_P(SocketInputTest, InputIsTakenAfterTheLastReaderHasGone) {
  const auto [listener, c, accepted] = connection_on(7004);
  ASSERT_GE(accepted, 0);
  char first = 0;
  std::thread reader([&] { ASSERT_EQ(server_->recv(accepted, &first, 1, 0), 1) << errno; });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // several handover slices
  ASSERT_EQ(client_->send(c, "x", 1, 0), 1);
  reader.join();
  EXPECT_EQ(first, 'x');
  server_device_->count_frames_received_on(std::this_thread::get_id());
  ASSERT_EQ(client_->send(c, "later", 5, 0), 5);
  int pending = 0;
  for (int i = 0; i < 2000 && pending < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(server_->ioctl(accepted, FIONREAD, &pending), 0);
  }
  EXPECT_EQ(pending, 5);
  EXPECT_EQ(server_device_->frames_received_on_counted_thread(), 0U);
  char rest[5];
  EXPECT_EQ(server_->recv(accepted, rest, sizeof rest, MSG_DONTWAIT), 5);
  EXPECT_EQ(client_->close(c), 0);
  EXPECT_EQ(server_->close(accepted), 0);
  EXPECT_EQ(server_->close(listener), 0);
}

// A caller blocked with nothing for it in the input it reads (an accept on
// an idle listener while datagrams come for a UDP socket nobody reads, as
// pings to a sockets server) takes the devices again after each pass
// without waking the TCP/IP thread: that thread sleeps only as its timers
// ask. It was woken twice a frame (when the reader gave the role up, and
// after its blind slice). Without the callers' input the TCP/IP thread
// itself takes every frame, so it wakes for each.
TEST_P(SocketInputTest, ACallerThatReadsAgainLeavesTheTcpipThreadAsleep) {
  constexpr int datagrams = 60;
  const int listener = server_listener(7005);
  const int sink = server_->socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in sink_address = address_of(Ipv4Address{}, 7006);
  ASSERT_EQ(server_->bind(sink, reinterpret_cast<const sockaddr*>(&sink_address), sizeof sink_address), 0);
  int accepted = -1;
  std::thread accepter([&] { accepted = server_->accept(listener, nullptr, nullptr); });
  const int sender = client_->socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = address_of(ip_b, 7006);
  const auto send_one = [&] {
    EXPECT_EQ(client_->sendto(sender, "p", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to), 1);
  };
  // Resolved (the ARP exchange) and the accepter waiting on the devices.
  send_one();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::uint64_t sleeps_before = server_thread_.sleeps();
  // Taken without waiting (a non-blocking recv reads no device), as they
  // come: the socket's mailbox holds CONFIG_LWIP_UDP_RECVMBOX_SIZE.
  int received = 0;
  const auto take_what_came = [&] {
    char byte = 0;
    while (server_->recv(sink, &byte, 1, MSG_DONTWAIT) == 1) ++received;
  };
  for (int i = 0; i < datagrams; ++i) {
    send_one();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    take_what_came();
  }
  for (int i = 0; i < 2000 && received < datagrams + 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    take_what_came();
  }
  EXPECT_EQ(received, datagrams + 1);
  const std::uint64_t sleeps = server_thread_.sleeps() - sleeps_before;
  if (GetParam().input) {
    // Its timers' deadlines only (none is due more often than every 100 ms
    // here); 2 x 60 before.
    EXPECT_LT(sleeps, static_cast<std::uint64_t>(datagrams / 4));
  } else {
    EXPECT_GE(sleeps, static_cast<std::uint64_t>(datagrams));
  }
  const int c = client_connect(7005);  // ends the accept
  accepter.join();
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(client_->close(c), 0);
  EXPECT_EQ(client_->close(sender), 0);
  EXPECT_EQ(server_->close(accepted), 0);
  EXPECT_EQ(server_->close(sink), 0);
  EXPECT_EQ(server_->close(listener), 0);
}

// 2 MB each way at once (a writer and a reader thread per side), every byte
// a function of its offset.
TEST_P(SocketInputTest, BulkBothWaysLosesNoByte) {
  constexpr std::size_t total = 2U << 20U;
  const auto [listener, c, accepted] = connection_on(7002);
  ASSERT_GE(accepted, 0);
  auto byte_at = [](std::size_t offset, unsigned salt) {
    return static_cast<char>((offset * 7U + salt + offset / 251U) & 0xffU);
  };
  auto writer = [&](SocketLayer& layer, int fd, unsigned salt) {
    std::vector<char> chunk(7000);
    std::size_t sent = 0;
    while (sent < total) {
      const std::size_t n = std::min(chunk.size(), total - sent);
      for (std::size_t i = 0; i < n; ++i) chunk[i] = byte_at(sent + i, salt);
      const ssize_t w = layer.send(fd, chunk.data(), n, 0);
      ASSERT_GT(w, 0) << errno;
      sent += static_cast<std::size_t>(w);
    }
    ASSERT_EQ(layer.shutdown(fd, SHUT_WR), 0);
  };
  auto reader = [&](SocketLayer& layer, int fd, unsigned salt, std::size_t& received, std::size_t& wrong) {
    std::vector<char> buffer(9000);
    for (;;) {
      const ssize_t r = layer.recv(fd, buffer.data(), buffer.size(), 0);
      ASSERT_GE(r, 0) << errno;
      if (r == 0) return;
      for (std::size_t i = 0; i < static_cast<std::size_t>(r); ++i) {
        if (buffer[i] != byte_at(received + i, salt)) ++wrong;
      }
      received += static_cast<std::size_t>(r);
    }
  };
  std::size_t client_received = 0, client_wrong = 0, server_received = 0, server_wrong = 0;
  std::thread client_writer([&] { writer(*client_, c, 1); });
  std::thread server_writer([&] { writer(*server_, accepted, 2); });
  std::thread client_reader([&] { reader(*client_, c, 2, client_received, client_wrong); });
  std::thread server_reader([&] { reader(*server_, accepted, 1, server_received, server_wrong); });
  client_writer.join();
  server_writer.join();
  client_reader.join();
  server_reader.join();
  EXPECT_EQ(client_received, total);
  EXPECT_EQ(server_received, total);
  EXPECT_EQ(client_wrong, 0U);
  EXPECT_EQ(server_wrong, 0U);
  EXPECT_EQ(client_->close(c), 0);
  EXPECT_EQ(server_->close(accepted), 0);
  EXPECT_EQ(server_->close(listener), 0);
}

}  // namespace
}  // namespace lwnet::test::socket_input_test
