#include "port/wait.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "port/clock.h"

namespace lwnet {

OsResult<Waker> Waker::create() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    return OsError::last("eventfd");
  }
  return Waker(fd);
}

Waker::Waker(Waker&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Waker& Waker::operator=(Waker&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Waker::~Waker() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

void Waker::wake() const noexcept {
  const int saved_errno = errno;
  const std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: the eventfd is readable anyway.
  [[maybe_unused]] const ssize_t n = write(fd_, &one, sizeof one);
  errno = saved_errno;
}

namespace {

// Reading an eventfd returns its counter and resets it to zero.
bool drain_eventfd(int fd) {
  std::uint64_t count = 0;
  return read(fd, &count, sizeof count) == static_cast<ssize_t>(sizeof count);
}

}  // namespace

bool Waker::clear() const noexcept { return drain_eventfd(fd_); }

WaitSet::WaitSet(const Waker& waker) : first_(1) {
  fds_.push_back(pollfd{waker.fd(), POLLIN, 0});
}

std::size_t WaitSet::add(int fd) {
  fds_.push_back(pollfd{fd, POLLIN, 0});
  return fds_.size() - 1 - first_;
}

OsResult<WaitResult> WaitSet::wait(Instant deadline) {
  for (;;) {
    timespec timeout{};
    timespec* timeout_pointer = nullptr;
    if (deadline != Instant::max()) {
      const std::int64_t left = (deadline - monotonic_now()).total_micros();
      if (left > 0) {
        timeout.tv_sec = static_cast<time_t>(left / 1000000);
        timeout.tv_nsec = static_cast<long>((left % 1000000) * 1000);
      }
      timeout_pointer = &timeout;  // zero when the deadline has passed: poll once
    }
    for (pollfd& p : fds_) {
      p.revents = 0;
    }
    const int ready = ppoll(fds_.data(), fds_.size(), timeout_pointer, nullptr);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      return OsError::last("ppoll");
    }
    WaitResult result;
    if (ready == 0) {
      result.timed_out = true;
      return result;
    }
    for (const pollfd& p : fds_) {
      if ((p.revents & POLLNVAL) != 0) {
        return OsError("ppoll", EBADF, "a descriptor in the wait set is closed");
      }
    }
    if (first_ == 1 && (fds_[0].revents & POLLIN) != 0) {
      result.woken = true;
      drain_eventfd(fds_[0].fd);
    }
    return result;
  }
}

bool WaitSet::readable(std::size_t index) const {
  return (fds_[first_ + index].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
}

}  // namespace lwnet
