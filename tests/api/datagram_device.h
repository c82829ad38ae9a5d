// A Device over one end of a SOCK_DGRAM socketpair: each datagram is one
// Ethernet frame. The TCP/IP thread waits on fd(); the test plays the other
// host on the other end from its own thread (the kernel carries the frames,
// so the two threads share no memory).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "link/device.h"

namespace lwnet::test {

class DatagramDevice final : public Device {
 public:
  explicit DatagramDevice(int fd) : fd_(fd) {}
  DeviceCapabilities capabilities() const override { return {}; }
  // Core thread.
  std::optional<std::size_t> receive(Bytes into, Instant) override {
    for (;;) {
      const ssize_t n = recv(fd_, into.data(), into.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) return std::nullopt;
      const auto length = static_cast<std::size_t>(n);
      if (length > into.size()) {
        ++stats_.rx_dropped;
        continue;
      }
      ++stats_.rx_frames;
      stats_.rx_bytes += length;
      if (std::this_thread::get_id() == counted_thread_.load()) ++frames_on_counted_thread_;
      return length;
    }
  }
  // Core thread.
  bool transmit(ConstBytes frame, Instant) override {
    const ssize_t n = send(fd_, frame.data(), frame.size(), MSG_DONTWAIT);
    if (n != static_cast<ssize_t>(frame.size())) {
      ++stats_.tx_dropped;
      return false;
    }
    ++stats_.tx_frames;
    stats_.tx_bytes += frame.size();
    return true;
  }
  const DeviceStats& stats() const override { return stats_; }
  int fd() const { return fd_; }
  // Any thread. Counts from now on the frames that `thread` receives (a
  // caller that reads input itself, for instance).
  void count_frames_received_on(std::thread::id thread) {
    frames_on_counted_thread_.store(0);
    counted_thread_.store(thread);
  }
  // Any thread.
  std::uint64_t frames_received_on_counted_thread() const { return frames_on_counted_thread_.load(); }

 private:
  int fd_;
  DeviceStats stats_;
  std::atomic<std::thread::id> counted_thread_{};
  std::atomic<std::uint64_t> frames_on_counted_thread_{0};
};

// Both ends of a socketpair: `device` for the stack, `peer_fd` for the test.
struct DatagramWire {
  DatagramWire() : DatagramWire(make_pair()) {}
  ~DatagramWire() {
    if (stack_fd >= 0) close(stack_fd);
    if (peer_fd >= 0) close(peer_fd);
  }
  DatagramWire(const DatagramWire&) = delete;
  DatagramWire& operator=(const DatagramWire&) = delete;

  // The next frame the stack sent, waiting up to `timeout_ms`.
  std::optional<std::vector<std::uint8_t>> next_frame(int timeout_ms) const {
    pollfd p{peer_fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    std::vector<std::uint8_t> frame(2048);
    const ssize_t n = recv(peer_fd, frame.data(), frame.size(), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    frame.resize(static_cast<std::size_t>(n));
    return frame;
  }
  bool send_frame(const std::vector<std::uint8_t>& frame) const {
    return send(peer_fd, frame.data(), frame.size(), 0) == static_cast<ssize_t>(frame.size());
  }

  int stack_fd = -1;
  int peer_fd = -1;
  DatagramDevice device;

 private:
  static std::array<int, 2> make_pair() {
    int fds[2] = {-1, -1};
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) != 0) return {-1, -1};
    return {fds[0], fds[1]};
  }
  explicit DatagramWire(std::array<int, 2> fds) : stack_fd(fds[0]), peer_fd(fds[1]), device(fds[0]) {}
};

}  // namespace lwnet::test
