// Sockets and the stack's events: the threads that wait on a socket, the
// events that wake them, the hand-over of a blocked call's look to the
// TCP/IP thread (and the look posted with it), what the last look found
// (Socket::quiet) and the data taken early (Socket::early).
#include "api/socket_layer.h"

#include "api/socket_errors.h"
#include "api/socket_internal.h"

namespace lwnet::api {

using namespace socket_detail;

void SocketLayer::add_waiter(Socket& s, Waiter& waiter) {
  std::lock_guard lock(s.mutex);
  waiter.next = s.waiters;
  s.waiters = &waiter;
}

void SocketLayer::remove_waiter(Socket& s, Waiter& waiter) {
  std::lock_guard lock(s.mutex);
  for (Waiter** at = &s.waiters; *at != nullptr; at = &(*at)->next) {
    if (*at == &waiter) {
      *at = waiter.next;
      break;
    }
  }
}

void SocketLayer::wake_all(Socket& s) {
  // Under s.mutex. Whatever changed, the last look is out of date.
  s.quiet = Quiet::Unknown;
  const bool own_input_pass = TcpipThread::in_caller_input_pass();
  // Only the TCP/IP thread queues looks (it runs them after its current
  // work); an event from elsewhere (close, shutdown) wakes the thread.
  const bool queue_here = message_passing_ && tcpip_.on_own_thread();
  for (Waiter* w = s.waiters; w != nullptr; w = w->next) {
    if (own_input_pass && w->thread == std::this_thread::get_id()) continue;
    if (w->look != nullptr) {
      switch (w->handover) {
        case Handover::Running:
          w->again = true;  // the run may have looked too early: the thread looks again
          continue;
        case Handover::Queued:
        case Handover::Posted:  // its look runs after this (core context) or sees this change
        case Handover::Done: continue;  // its flag is raised when the look has run
        case Handover::Armed:
          if (queue_here) {
            w->handover = Handover::Queued;
            if (!s.handover_queued) {
              s.handover_queued = true;
              pending_handovers_.push_back(&s);
            }
            continue;
          }
          w->handover = Handover::Idle;
          break;
        case Handover::Idle: break;
      }
    }
    if (w->flag != nullptr) {
      w->flag->raise();
    } else {
      w->waker->wake();
    }
  }
}

void SocketLayer::arm_handover(Socket& s, Waiter& waiter) {
  std::lock_guard lock(s.mutex);
  waiter.handover = Handover::Armed;
  handovers_armed_.fetch_add(1, std::memory_order_relaxed);
}

std::optional<int> SocketLayer::disarm_handover(Socket& s, Waiter& waiter, WakeFlag& flag) {
  while (true) {
    // Reset before the look at the state: the TCP/IP thread raises the flag
    // after it leaves Running, under the mutex.
    flag.reset();
    {
      std::lock_guard lock(s.mutex);
      switch (waiter.handover) {
        case Handover::Done:
          waiter.handover = Handover::Idle;
          return waiter.result;
        case Handover::Running:
        case Handover::Posted:
          // Woken by its deadline while the TCP/IP thread runs its look (or
          // before its posted look ran): the waiter (and the caller's buffer)
          // must stay until it ends.
          waiter.waits_for_run = true;
          break;
        case Handover::Armed:
        case Handover::Queued:  // not run yet: run_handovers() will skip it
        case Handover::Idle:
          waiter.handover = Handover::Idle;
          return std::nullopt;
      }
    }
    (void)flag.sleep(Instant::max());
  }
}

void SocketLayer::run_handovers() {
  // Entries pushed while this runs (a look's own events) are run too.
  for (std::size_t i = 0; i < pending_handovers_.size(); ++i) {
    Socket& s = *pending_handovers_[i];
    s.handover_queued = false;
    while (true) {
      Waiter* w = nullptr;
      {
        std::lock_guard lock(s.mutex);
        for (Waiter* c = s.waiters; c != nullptr; c = c->next) {
          if (c->handover == Handover::Queued) {
            w = c;
            break;
          }
        }
        if (w == nullptr) break;
        w->handover = Handover::Running;
        w->again = false;
        w->waits_for_run = false;
      }
      // Without the socket's mutex: the look takes it, and its events too.
      const int r = w->run_look(w->look, tcpip_.stack(), monotonic_now());
      std::lock_guard lock(s.mutex);
      if (r >= 0) handovers_finished_.fetch_add(1, std::memory_order_relaxed);
      if (finish_handover(s, *w, r)) w->flag->raise();
    }
  }
  pending_handovers_.clear();
}

bool SocketLayer::finish_handover(Socket& s, Waiter& w, int r) {
  if (r >= 0) {
    w.result = r;
    w.handover = Handover::Done;
    return true;
  }
  if (w.again || w.waits_for_run || s.closing) {
    w.handover = Handover::Idle;
    return true;
  }
  w.handover = Handover::Armed;  // nothing yet: it sleeps on
  return false;
}

struct SocketLayer::PostedLook {
  SocketLayer* layer = nullptr;
  Socket* socket = nullptr;
  Waiter* waiter = nullptr;
  std::atomic<bool> ran{false};  // the message has finished with the waiter
};

std::optional<int> SocketLayer::post_look(Socket& s, Waiter& waiter, WakeFlag& flag, Instant deadline,
                                          Duration recheck) {
  PostedLook posted;
  posted.layer = this;
  posted.socket = &s;
  posted.waiter = &waiter;
  {
    std::lock_guard lock(s.mutex);
    waiter.handover = Handover::Posted;
    waiter.again = false;
    waiter.waits_for_run = false;
  }
  if (!tcpip_.post(&run_posted_look, &posted).ok()) {
    std::lock_guard lock(s.mutex);
    waiter.handover = Handover::Idle;
    return std::nullopt;
  }
  // As call() waits for its answer: a short spin first, since the answer
  // often comes within it; then the flag, which the message raises only
  // with an answer (a look that found nothing leaves the thread asleep).
  thread_local AdaptiveSpin spinner;
  (void)spinner.spin_until(tcpip_.config().spin_before_sleep,
                           [&] { return posted.ran.load(std::memory_order_acquire); });
  const Instant now = monotonic_now();
  const Instant until = recheck > Duration::zero() ? std::min(deadline, now + recheck) : deadline;
  (void)flag.sleep(until);
  // Waits for the message if it has not run yet (Posted, Running): it
  // uses this frame.
  const std::optional<int> done = disarm_handover(s, waiter, flag);
  return done ? *done : -1;
}

void SocketLayer::run_posted_look(void* context) {
  auto& posted = *static_cast<PostedLook*>(context);
  SocketLayer& layer = *posted.layer;
  Socket& s = *posted.socket;
  Waiter& w = *posted.waiter;
  {
    std::lock_guard lock(s.mutex);
    w.handover = Handover::Running;  // waits_for_run stays: the caller may have given up already
  }
  const int r = w.run_look(w.look, layer.tcpip_.stack(), monotonic_now());
  std::lock_guard lock(s.mutex);
  if (layer.finish_handover(s, w, r)) w.flag->raise();
  if (w.handover == Handover::Armed) layer.handovers_armed_.fetch_add(1, std::memory_order_relaxed);
  // The caller may return as soon as it sees this (the frame goes).
  posted.ran.store(true, std::memory_order_release);
}

void SocketLayer::remember_quiet(Socket& s, Stack& stack) {
  Quiet quiet = Quiet::Unknown;
  std::size_t room = 0;
  std::lock_guard lock(s.mutex);
  if (s.kind == Kind::Tcp && s.has_tcp && !s.closing && s.pending_error == 0) {
    if (s.listening) {
      if (!s.shut_read && stack.tcp_pending_accepts(s.tcp) == 0) quiet = Quiet::NoConnection;
    } else if (const TcpConnection* c = stack.tcp_connection(s.tcp); c != nullptr && !c->error()) {
      if (!s.shut_read && established_or_later(c->state()) && c->state() != TcpState::Closed &&
          s.early_size == 0 && c->readable_bytes() == 0 && !c->end_of_stream()) {
        quiet = Quiet::NoData;
      } else if (s.early_size == 0 && c->readable_bytes() == 0 && c->end_of_stream()) {
        quiet = Quiet::Drained;
      }
      // Where tcp_send takes data at once (TcpConnection::check_can_send).
      if (!s.shut_write && (c->state() == TcpState::Established || c->state() == TcpState::CloseWait)) {
        const std::size_t space = c->send_space();
        room = space > s.posted_bytes ? space - s.posted_bytes : 0;
      }
    }
  }
  s.quiet = quiet;
  s.send_room = room;
}

void SocketLayer::take_early_data(Socket& s, Stack& stack, Instant now) {
  if (!message_passing_ || s.kind != Kind::Tcp || !s.has_tcp || s.listening) return;
  const TcpConnection* c = stack.tcp_connection(s.tcp);
  if (c == nullptr) return;
  const std::size_t readable = c->readable_bytes();
  if (readable == 0 || readable > Socket::early_max) return;
  {
    // A blocked call's own look takes the data (hand-over); select() and
    // poll() waiters have none, and their thread's recv() follows. A socket
    // with early bytes keeps them until a call takes them.
    std::lock_guard lock(s.mutex);
    if (s.early_size != 0 || s.shut_read || s.closing) return;
    for (const Waiter* w = s.waiters; w != nullptr; w = w->next) {
      if (w->look != nullptr) return;
    }
  }
  // Only core context fills `early`, and only while early_size is 0, which
  // no other thread changes then: no call reads these bytes meanwhile.
  const Result<std::size_t> taken = stack.tcp_receive(s.tcp, Bytes(s.early.data(), readable), now);
  if (!taken || *taken == 0) return;
  std::lock_guard lock(s.mutex);
  s.early_size = static_cast<std::uint16_t>(*taken);
  // With the bytes, not at the wake_all() that follows: a reader between
  // the two would otherwise see bytes and "nothing to read" together.
  s.quiet = Quiet::Unknown;
  early_data_taken_.fetch_add(1, std::memory_order_relaxed);
}

std::size_t SocketLayer::read_early_data(Socket& s, Bytes into, bool peek) {
  const std::size_t n = std::min<std::size_t>(into.size(), s.early_size);
  if (n == 0) return 0;
  std::copy_n(s.early.begin(), n, into.begin());
  if (!peek) {
    std::copy(s.early.begin() + static_cast<std::ptrdiff_t>(n), s.early.begin() + s.early_size, s.early.begin());
    s.early_size = static_cast<std::uint16_t>(s.early_size - n);
  }
  return n;
}

// Each core handle carries its socket as its user pointer (set when the
// socket takes the handle, dropped by the core when it is closed); the
// handle comparison also rejects a pointer left from an earlier use.
SocketLayer::Socket* SocketLayer::owner_of(TcpHandle h) {
  auto* s = static_cast<Socket*>(tcpip_.stack().tcp_user_data(h));
  return s != nullptr && s->has_tcp && s->tcp == h ? s : nullptr;
}

SocketLayer::Socket* SocketLayer::owner_of(UdpHandle h) {
  auto* s = static_cast<Socket*>(tcpip_.stack().udp_user_data(h));
  return s != nullptr && s->kind == Kind::Udp && s->udp == h ? s : nullptr;
}

SocketLayer::Socket* SocketLayer::owner_of(RawHandle h) {
  auto* s = static_cast<Socket*>(tcpip_.stack().raw_user_data(h));
  return s != nullptr && s->kind == Kind::Raw && s->raw == h ? s : nullptr;
}

void SocketLayer::on_tcp_event(void* context, TcpHandle h, std::uint8_t events) {
  auto* self = static_cast<SocketLayer*>(context);
  Socket* s = self->owner_of(h);
  if (s == nullptr) return;
  int error = 0;
  if ((events & tcp_events::error) != 0) {
    if (const TcpConnection* c = self->tcpip_.stack().tcp_connection(h); c != nullptr && c->error()) {
      error = errno_of(*c->error());
    }
  }
  if ((events & tcp_events::readable) != 0 && error == 0) {
    self->take_early_data(*s, self->tcpip_.stack(), monotonic_now());
  }
  std::lock_guard lock(s->mutex);
  // A reset after the peer's FIN while we still send (CLOSE-WAIT) is
  // EPIPE on Linux, not ECONNRESET.
  if (error == ECONNRESET && !s->shut_write) {
    if (const TcpConnection* c = self->tcpip_.stack().tcp_connection(h); c != nullptr && c->end_of_stream()) {
      error = EPIPE;
    }
  }
  if (error != 0 && !s->connection_error_reported) s->pending_error = error;
  // Events only add room (data acknowledged), except those that end
  // sending altogether (Socket::send_room).
  if ((events & (tcp_events::error | tcp_events::closed)) != 0) s->send_room = 0;
  self->wake_all(*s);
}

void SocketLayer::on_udp_event(void* context, UdpHandle h) {
  auto* self = static_cast<SocketLayer*>(context);
  Socket* s = self->owner_of(h);
  if (s == nullptr) return;
  // An ICMP error the core recorded becomes the socket's pending error
  // (SO_ERROR, and the next recv/send).
  const std::optional<Error> error = self->tcpip_.stack().udp_take_error(h);
  std::lock_guard lock(s->mutex);
  if (error) s->pending_error = errno_of(*error);
  self->wake_all(*s);
}

void SocketLayer::on_raw_event(void* context, RawHandle h) {
  auto* self = static_cast<SocketLayer*>(context);
  Socket* s = self->owner_of(h);
  if (s == nullptr) return;
  std::lock_guard lock(s->mutex);
  self->wake_all(*s);
}

}  // namespace lwnet::api
