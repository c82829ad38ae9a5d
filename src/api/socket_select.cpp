// Readiness of a socket, and select()/poll() over sockets and OS descriptors.
#include "api/socket_internal.h"

#include <sys/resource.h>

#include <vector>

namespace lwnet::api {

using namespace socket_detail;

// ---- select and poll ---------------------------------------------------------------------

namespace {

// Linux reports POLLRDNORM with every POLLIN and POLLWRNORM with every
// POLLOUT (tcp_poll, datagram_poll); programs may ask for either.
short with_normal_bits(short r) {
  if ((r & POLLIN) != 0) r |= POLLRDNORM;
  if ((r & POLLOUT) != 0) r |= POLLWRNORM;
  return r;
}

// Whether poll bits `revents` put an entry asking for `events` (POLLIN:
// the read set, POLLOUT: the write set, POLLPRI: the exception set) in one
// of select()'s sets: Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET, with
// the guide's rule that a socket's error shows in the exception set. Other
// bits (POLLHUP alone for the write set, say) leave select() waiting.
bool selects(short events, short revents, bool ours) {
  if ((revents & POLLNVAL) != 0) return true;  // EBADF
  return ((events & POLLIN) != 0 && (revents & (POLLIN | POLLHUP | POLLERR)) != 0) ||
         ((events & POLLOUT) != 0 && (revents & (POLLOUT | POLLERR)) != 0) ||
         ((events & POLLPRI) != 0 && (revents & (ours ? POLLERR : POLLPRI)) != 0);
}

}  // namespace

short SocketLayer::readiness(Socket& s, Stack& stack) {
  short r = 0;
  bool shut_read = false;
  bool shut_write = false;
  int pending_error = 0;
  bool error_reported = false;
  {
    std::lock_guard lock(s.mutex);
    // Being closed by another thread: the waiting select()/poll() returns at
    // once (EBADF, POLLNVAL) instead of holding close() up until it times out.
    if (s.closing) return POLLNVAL;
    shut_read = s.shut_read;
    shut_write = s.shut_write;
    pending_error = s.pending_error;
    error_reported = s.connection_error_reported;
    if (s.early_size > 0) r |= POLLIN;
  }
  // The bits are Linux's (tcp_poll, datagram_poll), which programs test:
  // a side shut by shutdown() is readable (recv() gives 0) or writable
  // (send() fails at once with EPIPE) rather than never ready, and POLLHUP
  // means both sides are shut, or the socket has no connection at all.
  if (pending_error != 0) r |= POLLERR;
  if (s.kind == Kind::Udp || s.kind == Kind::Raw) {
    if (shut_read || (s.kind == Kind::Udp ? stack.udp_readable(s.udp) : stack.raw_readable(s.raw))) r |= POLLIN;
    if (shut_read) r |= POLLRDHUP;
    if (shut_read && shut_write) r |= POLLHUP;
    return with_normal_bits(static_cast<short>(r | POLLOUT | POLLWRBAND));
  }
  if (!s.has_tcp) return with_normal_bits(static_cast<short>(r | POLLOUT | POLLHUP));
  if (s.listening) {
    if (stack.tcp_pending_accepts(s.tcp) > 0) r |= POLLIN;
    return with_normal_bits(r);
  }
  const TcpConnection* c = stack.tcp_connection(s.tcp);
  // Gone (reset, or closed by both ends): both sides shut, as Linux's
  // tcp_done() leaves a socket.
  if (c == nullptr) return with_normal_bits(static_cast<short>(r | POLLIN | POLLRDHUP | POLLOUT | POLLHUP));
  const TcpState st = c->state();
  if (c->readable_bytes() > 0 || c->end_of_stream() || c->error() || shut_read) r |= POLLIN;
  // The read side is shut: the peer's FIN, shutdown(SHUT_RD), a reset.
  if (c->end_of_stream() || c->error() || shut_read) r |= POLLRDHUP;
  // A failed connect shows as writable; POLLERR until a call reported it.
  if (c->error()) r |= error_reported ? POLLOUT : POLLOUT | POLLERR;
  if (st != TcpState::SynSent && st != TcpState::SynReceived) {
    if (shut_write || st == TcpState::Closed) {
      r |= POLLOUT;
    } else if ((st == TcpState::Established || st == TcpState::CloseWait) && c->send_space() > 0) {
      r |= POLLOUT;
    }
  }
  if (st == TcpState::Closed || (shut_write && (shut_read || c->end_of_stream()))) r |= POLLHUP;
  return with_normal_bits(r);
}

int SocketLayer::wait_ready(pollfd* fds, nfds_t count, Instant deadline, bool for_select) {
  // A call that succeeds leaves errno as it found it (Linux), whatever the
  // reads and looks on the way set (an empty eventfd's EAGAIN, say).
  const int errno_before = errno;
  ThreadWait* wait = thread_wait();
  if (wait == nullptr) return fail(ENOMEM);
  std::vector<Use> uses(count);
  std::vector<Waiter> waiters(count);
  std::vector<pollfd> os;  // descriptors that are not ours, then the waker
  std::vector<std::size_t> os_index;
  for (nfds_t i = 0; i < count; ++i) {
    fds[i].revents = 0;
    if (fds[i].fd < 0) continue;
    if (owns(fds[i].fd)) {
      if (!acquire(fds[i].fd, uses[i])) {
        fds[i].revents = POLLNVAL;
        continue;
      }
      waiters[i].waker = &wait->waker;
      add_waiter(*uses[i].socket, waiters[i]);
    } else {
      os.push_back(pollfd{fds[i].fd, fds[i].events, 0});
      os_index.push_back(i);
    }
  }
  os.push_back(pollfd{wait->waker.fd(), POLLIN, 0});
  int ready = 0;
  int poll_error = 0;
  while (true) {
    ready = 0;
    tcpip_.call([&](Stack& stack, Instant) {
      for (nfds_t i = 0; i < count; ++i) {
        if (uses[i].socket == nullptr) continue;
        const short r = readiness(*uses[i].socket, stack);
        fds[i].revents = static_cast<short>(r & (fds[i].events | POLLERR | POLLHUP | POLLNVAL));
      }
    });
    for (nfds_t i = 0; i < count; ++i) {
      if (uses[i].socket == nullptr && fds[i].revents == 0) continue;
      const bool counts = for_select ? selects(fds[i].events, fds[i].revents, uses[i].socket != nullptr)
                                     : fds[i].revents != 0;
      ready += counts ? 1 : 0;
    }
    const Instant now = monotonic_now();
    int timeout_ms = 0;
    if (ready == 0 && deadline > now) {
      timeout_ms = deadline == Instant::max()
                       ? -1
                       : static_cast<int>(std::min<std::int64_t>((deadline - now).total_micros() / 1000 + 1, 1 << 30));
    }
    const int n = ::poll(os.data(), static_cast<nfds_t>(os.size()), timeout_ms);
    if (n < 0) {
      // EINTR too: a signal ends select() and poll() on Linux, even with
      // SA_RESTART (a program's handler sets a flag its loop then reads).
      ready = -1;
      poll_error = errno;
      break;
    }
    if (os.back().revents != 0) (void)wait->waker.clear();
    for (std::size_t k = 0; k + 1 < os.size(); ++k) {
      if (os[k].revents == 0) continue;
      if (for_select && !selects(os[k].events, os[k].revents, false)) {
        // Bits no set asked for (a pipe's POLLHUP in the write set): the OS
        // would report them at once on every poll, so the descriptor is
        // left out from here on, as nothing it can still report would count.
        os[k].fd = -1;
        continue;
      }
      fds[os_index[k]].revents = os[k].revents;
      ++ready;
    }
    if (ready > 0 || (deadline != Instant::max() && monotonic_now() >= deadline)) break;
    // Woken by a socket event, or the OS poll ended early: look again.
  }
  for (nfds_t i = 0; i < count; ++i) {
    if (uses[i].socket != nullptr) remove_waiter(*uses[i].socket, waiters[i]);
  }
  if (ready < 0) return fail(poll_error);
  // Re-count after the last look at the sockets (OS results were added).
  int total = 0;
  for (nfds_t i = 0; i < count; ++i) total += fds[i].revents != 0 ? 1 : 0;
  errno = errno_before;
  return total;
}

int SocketLayer::poll(pollfd* fds, nfds_t count, int timeout_ms) {
  // More entries than the process may have descriptors: EINVAL, as Linux
  // (RLIMIT_NOFILE), before anything is read. Counts this small are always
  // allowed, which spares the common calls the system call.
  if (count > 16) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && count > limit.rlim_cur) return fail(EINVAL);
  }
  if (fds == nullptr && count > 0) return fail(EFAULT);
  const Instant deadline = timeout_ms < 0 ? Instant::max() : monotonic_now() + Duration::millis(timeout_ms);
  return wait_ready(fds, count, deadline);
}

int SocketLayer::select(int nfds, fd_set* read_set, fd_set* write_set, fd_set* except_set, timeval* timeout) {
  if (nfds < 0 || nfds > FD_SETSIZE) return fail(EINVAL);
  std::vector<pollfd> fds;
  for (int fd = 0; fd < nfds; ++fd) {
    short events = 0;
    if (read_set != nullptr && FD_ISSET(fd, read_set)) events |= POLLIN;
    if (write_set != nullptr && FD_ISSET(fd, write_set)) events |= POLLOUT;
    if (except_set != nullptr && FD_ISSET(fd, except_set)) events |= POLLPRI;
    if (events != 0) fds.push_back(pollfd{fd, events, 0});
  }
  Instant deadline = Instant::max();
  if (timeout != nullptr) {
    if (timeout->tv_sec < 0 || timeout->tv_usec < 0) return fail(EINVAL);
    deadline = monotonic_now() + duration_of(*timeout);
  }
  const int n = wait_ready(fds.data(), static_cast<nfds_t>(fds.size()), deadline, true);
  if (timeout != nullptr && n >= 0) {
    // As Linux: the time left (none after a timeout), for a caller that
    // loops on the same timeval.
    const std::int64_t left = std::max<std::int64_t>((deadline - monotonic_now()).total_micros(), 0);
    timeout->tv_sec = static_cast<time_t>(left / 1000000);
    timeout->tv_usec = static_cast<suseconds_t>(left % 1000000);
  }
  if (n < 0) return -1;
  for (const pollfd& p : fds) {
    if (p.revents & POLLNVAL) return fail(EBADF);
  }
  if (read_set != nullptr) FD_ZERO(read_set);
  if (write_set != nullptr) FD_ZERO(write_set);
  if (except_set != nullptr) FD_ZERO(except_set);
  int count = 0;
  for (const pollfd& p : fds) {
    const bool ours = owns(p.fd);
    if ((p.events & POLLIN) && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      FD_SET(p.fd, read_set);
      ++count;
    }
    if ((p.events & POLLOUT) && (p.revents & (POLLOUT | POLLERR))) {
      FD_SET(p.fd, write_set);
      ++count;
    }
    // The guide: a socket with an error shows in the exception set, and the
    // reason is read with getsockopt(SO_ERROR).
    if ((p.events & POLLPRI) && (p.revents & (ours ? POLLERR : POLLPRI))) {
      FD_SET(p.fd, except_set);
      ++count;
    }
  }
  return count;
}

}  // namespace lwnet::api
