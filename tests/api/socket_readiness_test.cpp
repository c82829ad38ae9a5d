// Readiness as Linux reports it: poll()'s POLLRDHUP, POLLRDNORM and
// POLLWRNORM, select() that keeps waiting when a descriptor's bits belong
// to none of the sets it is in (a review found lwnet returning 0 at once
// there, which makes a `while (select(...) == 0)` loop spin), and both
// ended by a signal. In the four thread modes.
#include "socket_fixture.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>

#include <future>
#include <limits>
#include <string>

namespace lwnet::test::socket_readiness {
namespace {

using namespace sockets;

class SocketReadinessTest : public SocketTest {};
INSTANTIATE_TEST_SUITE_P(Modes, SocketReadinessTest,
                         ::testing::Values(Mode{false, "MessagePassing"}, Mode{true, "CoreLocking"}, spinning_mode,
                                           locking_spinning_mode),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

constexpr short all_bits = POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLWRBAND | POLLPRI;

short revents_now(SocketLayer& layer, int fd, short events) {
  pollfd p{fd, events, 0};
  const int n = layer.poll(&p, 1, 0);
  EXPECT_GE(n, 0) << std::strerror(errno);
  return p.revents;
}

// Linux's tcp_poll and datagram_poll (checked on this kernel): every
// POLLIN comes with POLLRDNORM, every POLLOUT with POLLWRNORM (UDP also
// POLLWRBAND), and a shut read side (the peer's FIN, shutdown(SHUT_RD), a
// reset) with POLLRDHUP. A program that waits for POLLRDHUP alone wakes
// when the peer closes.
TEST_P(SocketReadinessTest, PollReportsRdhupAndTheNormalBits) {
  const int fresh = l().socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(revents_now(l(), fresh, all_bits), POLLOUT | POLLWRNORM | POLLHUP);
  EXPECT_EQ(l().close(fresh), 0);

  int server = -1;
  auto [c, a] = connected_pair(5301, server);
  EXPECT_EQ(revents_now(l(), c, all_bits), POLLOUT | POLLWRNORM);
  ASSERT_EQ(l().send(a, "d", 1, 0), 1);
  pollfd data{c, POLLRDNORM, 0};
  ASSERT_EQ(l().poll(&data, 1, 5000), 1);
  EXPECT_EQ(data.revents, POLLRDNORM);
  char byte = 0;
  ASSERT_EQ(l().recv(c, &byte, 1, 0), 1);

  // The peer's FIN: a thread waiting for POLLRDHUP alone wakes.
  ASSERT_EQ(l().shutdown(a, SHUT_WR), 0);
  pollfd end{c, POLLRDHUP, 0};
  ASSERT_EQ(l().poll(&end, 1, 5000), 1);
  EXPECT_EQ(end.revents, POLLRDHUP);
  EXPECT_EQ(revents_now(l(), c, all_bits), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM);
  // Our own SHUT_RD too; both sides shut: POLLHUP.
  EXPECT_EQ(revents_now(l(), a, POLLRDHUP), 0);
  ASSERT_EQ(l().shutdown(a, SHUT_RD), 0);
  EXPECT_EQ(revents_now(l(), a, all_bits), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP);

  // A listener with a connection to accept: POLLIN | POLLRDNORM.
  const int c2 = l().socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in to = loopback(5301);
  ASSERT_EQ(l().connect(c2, sa(to), in_len), 0);
  pollfd acceptable{server, POLLRDNORM, 0};
  ASSERT_EQ(l().poll(&acceptable, 1, 5000), 1);
  EXPECT_EQ(revents_now(l(), server, all_bits), POLLIN | POLLRDNORM);

  // UDP: writable with POLLWRBAND too; POLLRDHUP once its read side is shut.
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in u_address = loopback(5302);
  ASSERT_EQ(l().bind(u, sa(u_address), in_len), 0);
  ASSERT_EQ(l().connect(u, sa(u_address), in_len), 0);
  EXPECT_EQ(revents_now(l(), u, all_bits), POLLOUT | POLLWRNORM | POLLWRBAND);
  ASSERT_EQ(l().shutdown(u, SHUT_RD), 0);
  EXPECT_EQ(revents_now(l(), u, all_bits), POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLWRBAND);

  for (int fd : {a, c, c2, server, u}) EXPECT_EQ(l().close(fd), 0);
}

// select() returns 0 only when its timeout has passed, also when a
// descriptor has poll bits that none of its sets counts (Linux's do_select
// counts POLLIN_SET, POLLOUT_SET and POLLEX_SET only): an unconnected TCP
// socket (POLLOUT | POLLHUP) and a shut one in the exception set alone, a
// pipe whose writer closed (POLLHUP) in the write set alone. Each waits its
// 200 ms and writes back no time left.
TEST_P(SocketReadinessTest, SelectWaitsItsTimeoutWhenNoSetCountsTheBits) {
  const int fresh = l().socket(AF_INET, SOCK_STREAM, 0);
  int server = -1;
  auto [c, a] = connected_pair(5303, server);
  ASSERT_EQ(l().shutdown(c, SHUT_RDWR), 0);
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  ::close(pipe_ends[1]);
  struct Case {
    const char* what;
    int fd;
    bool write_set;
  };
  for (const Case& one : {Case{"unconnected socket, exception set", fresh, false},
                          Case{"shut socket, exception set", c, false},
                          Case{"pipe without a writer, write set", pipe_ends[0], true}}) {
    SCOPED_TRACE(one.what);
    fd_set chosen;
    FD_ZERO(&chosen);
    FD_SET(one.fd, &chosen);
    timeval timeout{0, 200000};
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(l().select(one.fd + 1, nullptr, one.write_set ? &chosen : nullptr, one.write_set ? nullptr : &chosen,
                         &timeout),
              0);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(195));
    EXPECT_EQ(timeout.tv_sec, 0);
    EXPECT_EQ(timeout.tv_usec, 0);
    EXPECT_FALSE(FD_ISSET(one.fd, &chosen));
  }
  // The same socket in the read set is ready at once (POLLHUP counts there).
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(fresh, &readable);
  timeval timeout{5, 0};
  EXPECT_EQ(l().select(fresh + 1, &readable, nullptr, nullptr, &timeout), 1);
  EXPECT_TRUE(FD_ISSET(fresh, &readable));
  // A huge timeout is no overflow: a socket that is ready still ends it.
  FD_SET(fresh, &readable);
  timeval forever{std::numeric_limits<time_t>::max(), 999999};
  EXPECT_EQ(l().select(fresh + 1, &readable, nullptr, nullptr, &forever), 1);
  ::close(pipe_ends[0]);
  for (int fd : {fresh, a, c, server}) EXPECT_EQ(l().close(fd), 0);
}

// A signal ends select() and poll() with EINTR, as on Linux (which never
// restarts them, even under SA_RESTART): a program's handler sets a flag
// that its loop reads. Before, lwnet waited on to the timeout.
void on_signal(int) {}

TEST_P(SocketReadinessTest, ASignalEndsSelectAndPollWithEintr) {
  struct sigaction action {};
  action.sa_handler = &on_signal;
  action.sa_flags = SA_RESTART;
  struct sigaction previous {};
  ASSERT_EQ(::sigaction(SIGUSR1, &action, &previous), 0);
  int server = -1;
  auto [c, a] = connected_pair(5304, server);
  for (const bool use_select : {true, false}) {
    SCOPED_TRACE(use_select ? "select" : "poll");
    std::atomic<pthread_t> waiter{};
    std::atomic<bool> started{false};
    auto waited = std::async(std::launch::async, [&] {
      waiter = pthread_self();
      started = true;
      int r = 0;
      if (use_select) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(c, &readable);
        timeval timeout{10, 0};
        r = l().select(c + 1, &readable, nullptr, nullptr, &timeout);
      } else {
        pollfd p{c, POLLIN, 0};
        r = l().poll(&p, 1, 10000);
      }
      return std::pair{r, errno};
    });
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // Until it is inside the call: signals until it returns.
    std::future_status status = std::future_status::timeout;
    for (int i = 0; i < 100 && status != std::future_status::ready; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ASSERT_EQ(::pthread_kill(waiter.load(), SIGUSR1), 0);
      status = waited.wait_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(status, std::future_status::ready);
    const auto [r, error] = waited.get();
    EXPECT_EQ(r, -1);
    EXPECT_EQ(error, EINTR);
  }
  // A receive timeout too large for the clock is no overflow: a long wait.
  const timeval forever{std::numeric_limits<time_t>::max(), 0};
  ASSERT_EQ(l().setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever), 0);
  ASSERT_EQ(l().send(a, "t", 1, 0), 1);
  char byte = 0;
  EXPECT_EQ(l().recv(c, &byte, 1, 0), 1);
  ASSERT_EQ(::sigaction(SIGUSR1, &previous, nullptr), 0);
  for (int fd : {a, c, server}) EXPECT_EQ(l().close(fd), 0);
}

}  // namespace
}  // namespace lwnet::test::socket_readiness
