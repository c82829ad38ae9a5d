// The socket layer's threading promises, in both ways into the core: close()
// from another thread ends blocked calls at once, a reader, a writer and a
// closer on one socket, select() mixing sockets and OS descriptors, selects
// on overlapping sets while sockets close, and a stress test in the manner
// of lwIP's sockets_stresstest.
#include "socket_fixture.h"

#include <gtest/gtest.h>

namespace lwnet::test::socket_threads_test {
namespace {

using namespace sockets;

using SocketThreadsTest = SocketTest;

INSTANTIATE_TEST_SUITE_P(Modes, SocketThreadsTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}, spinning_mode,
                                           locking_spinning_mode),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST_P(SocketThreadsTest, CloseFromAnotherThreadEndsABlockedReceive) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in a = loopback(6002);
  ASSERT_EQ(l().bind(u, sa(a), in_len), 0);
  std::atomic<int> result{0};
  std::atomic<int> error{0};
  std::thread reader([&] {
    char buffer[16];
    result = static_cast<int>(l().recv(u, buffer, sizeof buffer, 0));
    error = errno;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the reader is blocked by now
  ASSERT_EQ(l().close(u), 0);  // returns once the reader has returned
  reader.join();
  EXPECT_EQ(result.load(), -1);
  EXPECT_EQ(error.load(), EBADF);
  // The number may be handed out again; the old socket is not reachable.
  const int fresh = l().socket(AF_INET, SOCK_DGRAM, 0);
  EXPECT_EQ(l().recv(fresh, nullptr, 0, MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(l().close(fresh), 0);
}

TEST_P(SocketThreadsTest, SelectMixesSocketsAndOsDescriptors) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in a = loopback(6003);
  ASSERT_EQ(l().bind(u, sa(a), in_len), 0);
  const int maxfd = std::max({pipe_fds[0], u}) + 1;
  // Nothing ready: times out.
  fd_set r;
  FD_ZERO(&r);
  FD_SET(pipe_fds[0], &r);
  FD_SET(u, &r);
  timeval tv{0, 20000};
  EXPECT_EQ(l().select(maxfd, &r, nullptr, nullptr, &tv), 0);
  // The pipe becomes readable from another thread while select waits.
  std::thread poke([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(::write(pipe_fds[1], "x", 1), 1);
  });
  FD_ZERO(&r);
  FD_SET(pipe_fds[0], &r);
  FD_SET(u, &r);
  tv = {5, 0};
  EXPECT_EQ(l().select(maxfd, &r, nullptr, nullptr, &tv), 1);
  EXPECT_TRUE(FD_ISSET(pipe_fds[0], &r));
  EXPECT_FALSE(FD_ISSET(u, &r));
  poke.join();
  // Then the socket, while select waits.
  char drained = 0;
  ASSERT_EQ(::read(pipe_fds[0], &drained, 1), 1);
  const int s = l().socket(AF_INET, SOCK_DGRAM, 0);
  std::thread send([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(l().sendto(s, "y", 1, 0, sa(a), in_len), 1);
  });
  FD_ZERO(&r);
  FD_SET(pipe_fds[0], &r);
  FD_SET(u, &r);
  tv = {5, 0};
  EXPECT_EQ(l().select(maxfd, &r, nullptr, nullptr, &tv), 1);
  EXPECT_TRUE(FD_ISSET(u, &r));
  EXPECT_FALSE(FD_ISSET(pipe_fds[0], &r));
  send.join();
  EXPECT_EQ(l().close(u), 0);
  EXPECT_EQ(l().close(s), 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

// In the manner of lwIP's sockets stress test: threads connecting, sending,
// receiving, selecting and closing on a shared listener for a fixed number of
// rounds, with nothing leaked at the end.
TEST_P(SocketThreadsTest, StressManyThreadsConnectSendReceiveClose) {
  const int server = listener(5005, 6);
  std::atomic<bool> stop{false};
  std::thread acceptor([&] {
    while (!stop) {
      pollfd p{server, POLLIN, 0};
      if (l().poll(&p, 1, 20) != 1) continue;
      const int a = l().accept(server, nullptr, nullptr);
      if (a < 0) continue;
      // Echo until the client closes.
      std::array<char, 512> buffer{};
      while (true) {
        const ssize_t n = l().recv(a, buffer.data(), buffer.size(), 0);
        if (n <= 0) break;
        if (l().send(a, buffer.data(), static_cast<std::size_t>(n), 0) != n) break;
      }
      l().close(a);
    }
  });
  constexpr int threads = 3;
  constexpr int rounds = 15;
  std::vector<std::thread> clients;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      for (int round = 0; round < rounds; ++round) {
        const int c = l().socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0) {
          ++failures;
          continue;
        }
        const sockaddr_in a = loopback(5005);
        if (l().connect(c, sa(a), in_len) != 0) {
          // The acceptor serves one connection at a time: a full backlog
          // refuses, as ESP-IDF does. Try again next round.
          l().close(c);
          continue;
        }
        const std::string message = "thread " + std::to_string(t) + " round " + std::to_string(round);
        if (l().send(c, message.data(), message.size(), 0) != static_cast<ssize_t>(message.size())) ++failures;
        std::string echoed(message.size(), '\0');
        if (l().recv(c, echoed.data(), echoed.size(), MSG_WAITALL) != static_cast<ssize_t>(message.size()) ||
            echoed != message) {
          ++failures;
        }
        l().close(c);
      }
    });
  }
  for (auto& c : clients) c.join();
  stop = true;
  acceptor.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(l().close(server), 0);
}

// Full duplex on one TCP socket: a reader blocked in recv(), a writer blocked
// in send() (the peer does not read), and a third thread closing it: close()
// returns once both have returned, and both fail at once with EBADF.
TEST_P(SocketThreadsTest, ReaderWriterAndCloserOnOneSocket) {
  int server = -1;
  auto [c, peer] = connected_pair(5006, server);
  std::atomic<int> read_result{0}, read_error{0}, write_error{0};
  std::atomic<bool> writer_blocked{false};
  std::thread reader([&, c = c] {
    char buffer[64];
    read_result = static_cast<int>(l().recv(c, buffer, sizeof buffer, 0));
    read_error = errno;
  });
  std::thread writer([&, c = c] {
    std::vector<char> chunk(16384, 'x');
    // Fills the peer's window and the send buffer; then send() blocks
    // until the close below ends it.
    while (true) {
      writer_blocked = true;
      if (l().send(c, chunk.data(), chunk.size(), 0) < 0) {
        write_error = errno;
        return;
      }
    }
  });
  // Both are blocked by now (the writer has filled what the windows take).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(writer_blocked.load());
  const auto before = std::chrono::steady_clock::now();
  std::thread closer([&, c = c] { EXPECT_EQ(l().close(c), 0); });
  closer.join();
  reader.join();
  writer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  EXPECT_EQ(read_result.load(), -1);
  EXPECT_EQ(read_error.load(), EBADF);
  EXPECT_EQ(write_error.load(), EBADF);
  EXPECT_EQ(l().close(peer), 0);
  EXPECT_EQ(l().close(server), 0);
}

// Several threads in select() on overlapping sets while the sockets close
// under them: each select() returns at once with EBADF when a socket of its
// set is closed (it does not hold close() up until its timeout), and a
// descriptor closed before the call gives EBADF too.
TEST_P(SocketThreadsTest, SelectsOnOverlappingSetsReturnWhenSocketsCloseUnderThem) {
  constexpr std::size_t count = 4;
  std::array<int, count> sockets{};
  for (std::size_t i = 0; i < count; ++i) {
    sockets[i] = l().socket(AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in a = loopback(static_cast<std::uint16_t>(6010 + i));
    ASSERT_EQ(l().bind(sockets[i], sa(a), in_len), 0);
  }
  std::array<std::atomic<int>, count> results{};
  std::array<std::atomic<int>, count> errors{};
  std::array<std::chrono::steady_clock::duration, count> waited{};
  std::vector<std::thread> selecting;
  for (std::size_t t = 0; t < count; ++t) {
    selecting.emplace_back([&, t] {
      const int first = sockets[t];
      const int second = sockets[(t + 1) % count];
      fd_set r;
      FD_ZERO(&r);
      FD_SET(first, &r);
      FD_SET(second, &r);
      timeval tv{10, 0};  // far beyond what the test allows: a hang fails it
      const auto start = std::chrono::steady_clock::now();
      results[t] = l().select(std::max(first, second) + 1, &r, nullptr, nullptr, &tv);
      errors[t] = errno;
      waited[t] = std::chrono::steady_clock::now() - start;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // all four wait by now
  // Closing one socket ends the two selects that watch it; the others keep
  // waiting until theirs close.
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(l().close(sockets[i]), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& t : selecting) t.join();
  for (std::size_t t = 0; t < count; ++t) {
    EXPECT_EQ(results[t].load(), -1) << "select " << t;
    EXPECT_EQ(errors[t].load(), EBADF) << "select " << t;
    EXPECT_LT(waited[t], std::chrono::seconds(2)) << "select " << t;
  }
  // On a descriptor that is closed already: EBADF at once, as Linux.
  fd_set r;
  FD_ZERO(&r);
  FD_SET(sockets[0], &r);
  timeval tv{0, 0};
  const int fresh = l().socket(AF_INET, SOCK_DGRAM, 0);  // may take a freed number
  if (fresh != sockets[0]) {
    EXPECT_EQ(l().select(sockets[0] + 1, &r, nullptr, nullptr, &tv), -1);
  }
  EXPECT_EQ(l().close(fresh), 0);
}


}  // namespace
}  // namespace lwnet::test::socket_threads_test
