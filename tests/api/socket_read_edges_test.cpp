// Reads at the edges, where a review of the message-passing paths (posted
// looks, early data) found lwnet unlike Linux: a read() of no bytes,
// shutdown(SHUT_RD) with a thread blocked in recv() and bytes still queued,
// and a non-blocking MSG_WAITALL racing early data. In the four thread modes.
#include "socket_fixture.h"

#include <gtest/gtest.h>
#include <sys/uio.h>

#include <future>
#include <string>

namespace lwnet::test::socket_read_edges {
namespace {

using namespace sockets;

class SocketReadEdgesTest : public SocketTest {};
INSTANTIATE_TEST_SUITE_P(Modes, SocketReadEdgesTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}, spinning_mode,
                                           locking_spinning_mode),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

// Linux: read() and readv() of no bytes return 0 at once on any socket
// (sock_read_iter); recv() and recvmsg() of no bytes on TCP wait for data
// (AReadOfNoBytesWaitsForDataAndTakesNone). A closed descriptor is still
// EBADF, bad pieces still EFAULT.
TEST_P(SocketReadEdgesTest, ReadAndReadvOfNoBytesReturnAtOnce) {
  int server = -1;
  auto [c, a] = connected_pair(5191, server);
  const timeval two_seconds{2, 0};
  ASSERT_EQ(l().setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds), 0);
  char buffer[4] = {};
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(l().read(a, buffer, 0), 0) << std::strerror(errno);
  EXPECT_EQ(l().read(a, nullptr, 0), 0) << std::strerror(errno);
  iovec nothing[2] = {{buffer, 0}, {nullptr, 0}};
  EXPECT_EQ(l().readv(a, nothing, 2), 0) << std::strerror(errno);
  EXPECT_EQ(l().readv(a, nothing, 0), 0) << std::strerror(errno);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
  iovec bad{nullptr, 4};
  EXPECT_EQ(l().readv(a, &bad, 1), -1);
  EXPECT_EQ(errno, EFAULT);

  // Nothing taken: the byte sent now is the next read's.
  ASSERT_EQ(l().send(c, "z", 1, 0), 1);
  EXPECT_EQ(l().read(a, buffer, 0), 0);
  EXPECT_EQ(l().read(a, buffer, sizeof buffer), 1);
  EXPECT_EQ(buffer[0], 'z');

  // UDP: a read of no bytes leaves the datagram queued.
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in u_address = loopback(5197);
  ASSERT_EQ(l().bind(u, sa(u_address), in_len), 0);
  ASSERT_EQ(l().sendto(u, "dgram", 5, 0, sa(u_address), in_len), 5);
  pollfd readable{u, POLLIN, 0};
  ASSERT_EQ(l().poll(&readable, 1, 5000), 1);
  EXPECT_EQ(l().read(u, buffer, 0), 0);
  EXPECT_EQ(l().recv(u, buffer, sizeof buffer, 0), 4);  // cut short, but there
  EXPECT_EQ(std::string(buffer, 4), "dgra");

  for (int fd : {a, c, server, u}) EXPECT_EQ(l().close(fd), 0);
  EXPECT_EQ(l().read(a, buffer, 0), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(l().readv(a, nothing, 1), -1);
  EXPECT_EQ(errno, EBADF);
}

// Linux: shutdown(SHUT_RD) (or SHUT_RDWR) wakes a thread blocked in recv()
// on the socket, which returns 0 (the idiom that stops a reader thread);
// bytes queued before the shutdown are still read, then 0 at once, never
// a wait.
TEST_P(SocketReadEdgesTest, ShutdownReadWakesABlockedRecvAndKeepsQueuedBytes) {
  for (const int how : {SHUT_RD, SHUT_RDWR}) {
    SCOPED_TRACE(how == SHUT_RD ? "SHUT_RD" : "SHUT_RDWR");
    int server = -1;
    auto [c, a] = connected_pair(how == SHUT_RD ? 5192 : 5193, server);
    const timeval ten_seconds{10, 0};
    ASSERT_EQ(l().setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &ten_seconds, sizeof ten_seconds), 0);
    auto blocked = std::async(std::launch::async, [&] {
      char byte = 0;
      const ssize_t n = l().recv(a, &byte, 1, 0);
      return std::pair{n, errno};
    });
    EXPECT_EQ(blocked.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
    ASSERT_EQ(l().shutdown(a, how), 0);
    ASSERT_EQ(blocked.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    const auto [n, error] = blocked.get();
    EXPECT_EQ(n, 0) << std::strerror(error);
    char byte = 0;
    EXPECT_EQ(l().recv(a, &byte, 1, 0), 0);  // again, at once
    for (int fd : {a, c, server}) EXPECT_EQ(l().close(fd), 0);
  }

  int server = -1;
  auto [c, a] = connected_pair(5194, server);
  ASSERT_EQ(l().send(c, "abc", 3, 0), 3);
  ASSERT_EQ(pending_bytes_after_wait(a, 3), 3);
  ASSERT_EQ(l().shutdown(a, SHUT_RD), 0);
  pollfd readable{a, POLLIN, 0};
  EXPECT_EQ(l().poll(&readable, 1, 0), 1);
  std::array<char, 8> buffer{};
  EXPECT_EQ(l().recv(a, buffer.data(), 2, MSG_PEEK), 2);
  EXPECT_EQ(l().recv(a, buffer.data(), buffer.size(), MSG_WAITALL), 3);
  EXPECT_EQ(std::string(buffer.data(), 3), "abc");
  EXPECT_EQ(l().recv(a, buffer.data(), buffer.size(), 0), 0);
  int pending = -1;
  ASSERT_EQ(l().ioctl(a, FIONREAD, &pending), 0);
  EXPECT_EQ(pending, 0);
  // The other way still works: a half-closed reader may send.
  ASSERT_EQ(l().send(a, "ok", 2, 0), 2);
  EXPECT_EQ(l().recv(c, buffer.data(), 2, MSG_WAITALL), 2);
  EXPECT_EQ(std::string(buffer.data(), 2), "ok");
  for (int fd : {a, c, server}) EXPECT_EQ(l().close(fd), 0);
}

// A non-blocking reader asking for more than there is with MSG_WAITALL
// gets what there is (Linux); under message passing that may be early
// bytes (Socket::early) the TCP/IP thread moved into the socket a moment
// before. Every byte of the stream must come, in order: a first version
// dropped early bytes it had copied when the socket still said it had
// nothing (Socket::quiet), in about one run in two.
TEST_P(SocketReadEdgesTest, NonBlockingWaitAllKeepsEveryEarlyByte) {
  int server = -1;
  auto [c, a] = connected_pair(5195, server);
  ASSERT_EQ(l().fcntl(a, F_SETFL, O_NONBLOCK), 0);
  std::string sent;
  for (int i = 0; i < 4000; ++i) sent += "<" + std::to_string(i) + ">";
  auto writer = std::async(std::launch::async, [&] {
    std::size_t at = 0;
    for (int i = 0; at < sent.size(); ++i) {
      const std::size_t n = std::min<std::size_t>(sent.size() - at, 1 + static_cast<std::size_t>(i * 13 % 40));
      if (l().send(c, sent.data() + at, n, 0) != static_cast<ssize_t>(n)) return false;
      at += n;
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // each piece to an idle reader
    }
    return l().shutdown(c, SHUT_WR) == 0;
  });
  std::string got;
  std::array<char, 4096> buffer{};
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    const ssize_t n = l().recv(a, buffer.data(), buffer.size(), MSG_WAITALL);
    if (n == 0) break;
    if (n > 0) {
      got.append(buffer.data(), static_cast<std::size_t>(n));
    } else {
      ASSERT_EQ(errno, EAGAIN) << std::strerror(errno);
    }
  }
  EXPECT_TRUE(writer.get());
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_TRUE(got == sent) << "first difference at "
                           << std::distance(got.begin(), std::mismatch(got.begin(), got.end(), sent.begin()).first);
  for (int fd : {a, c, server}) EXPECT_EQ(l().close(fd), 0);
}

}  // namespace
}  // namespace lwnet::test::socket_read_edges
