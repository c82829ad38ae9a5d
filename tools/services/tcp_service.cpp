#include "services/tcp_service.h"

#include <utility>

#include "config/options.h"
#include "port/clock.h"

namespace lwnet::tools {

std::string to_text(const IpEndpoint& endpoint) {
  return to_text(endpoint.address) + ":" + std::to_string(endpoint.port);
}

TcpService::TcpService(App& app, std::string name, std::string option, std::uint16_t port)
    : app_(app), scratch_(16384), name_(std::move(name)), port_(port) {
  // reuse_address: a restarted serve must not wait for old TIME-WAITs.
  // :: without IPV6_V6ONLY takes both families.
  auto listener = app.stack().tcp_listen(IpEndpoint{any_address(), port},
                                         config::tcp_acceptmbox_size, true);
  if (!listener) {
    throw UsageError(option + " " + std::to_string(port) + ": cannot listen (" +
                     to_string(listener.error()) + ")");
  }
  listener_ = *listener;
}

TcpService::~TcpService() {
  // The stack outlives the services (it belongs to the App); no time is
  // needed to let go of a listener.
  app_.stack().tcp_close(listener_, monotonic_now());
}

void TcpService::accept_pending(Instant now) {
  Stack& stack = app_.stack();
  for (;;) {
    auto accepted = stack.tcp_accept(listener_);
    if (!accepted) break;
    TcpSession& session = sessions_.emplace_back();
    session.handle = *accepted;
    session.started = now;
    if (const TcpConnection* c = stack.tcp_connection(*accepted)) session.remote = c->remote();
    ++connections_;
    app_.log(name_ + ": connection from " + to_text(session.remote));
  }
}

void TcpService::run(Instant now) {
  Stack& stack = app_.stack();
  accept_pending(now);
  stack.tcp_events(listener_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    TcpSession& session = *it;
    stack.tcp_events(session.handle);  // the round looks at everything anyway
    const TcpConnection* c = stack.tcp_connection(session.handle);
    Step step = Step::Finished;
    if (c == nullptr) {
      session.error = Error::Closed;
    } else if (c->error()) {
      session.error = c->error();
    } else {
      step = serve(session, now);
    }
    if (step == Step::Finished || session.error) {
      end_session(session, now);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

void TcpService::end_session(TcpSession& session, Instant now) {
  if (session.error) {
    ++failed_;
    app_.log(name_ + ": connection from " + to_text(session.remote) + " failed: " + to_string(*session.error));
  } else {
    app_.log(name_ + ": connection from " + to_text(session.remote) + " done, " +
             std::to_string(session.received) + " bytes in, " + std::to_string(session.sent) + " out");
  }
  on_end(session, now);
  app_.stack().tcp_close(session.handle, now);
}

void TcpService::close_all(Instant now) {
  for (TcpSession& session : sessions_) end_session(session, now);
  sessions_.clear();
}

void TcpService::on_end(const TcpSession&, Instant) {}

void TcpService::print_counters(std::FILE* out) const {
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"connections", connections_},       {"failed", failed_},
      {"bytes_received", bytes_received_}, {"bytes_sent", bytes_sent_},
      {"open", sessions_.size()},
  };
  for (const auto& [counter, value] : counters) {
    if (value != 0) std::fprintf(out, "%s.%s %llu\n", name_.c_str(), counter, static_cast<unsigned long long>(value));
  }
  std::fflush(out);
}

TcpRead TcpService::receive(TcpSession& session, Bytes into, Instant now) {
  TcpRead read;
  auto got = app_.stack().tcp_receive(session.handle, into, now);
  if (!got) {
    if (got.error() == Error::WouldBlock) {
      read.blocked = true;
    } else {
      session.error = got.error();
      read.end = true;
    }
    return read;
  }
  if (*got == 0) {
    session.end_of_input = true;
    read.end = true;
    return read;
  }
  read.bytes = *got;
  session.received += *got;
  bytes_received_ += *got;
  return read;
}

bool TcpService::drain(TcpSession& session, Instant now) {
  for (;;) {
    const TcpRead read = receive(session, Bytes(scratch_.data(), scratch_.size()), now);
    if (read.end) return true;
    if (read.blocked) return false;
  }
}

std::size_t TcpService::send(TcpSession& session, ConstBytes data, Instant now) {
  std::size_t total = 0;
  while (total < data.size()) {
    auto sent = app_.stack().tcp_send(session.handle, data.subspan(total), now);
    if (!sent) {
      if (sent.error() != Error::WouldBlock) session.error = sent.error();
      break;
    }
    if (*sent == 0) break;
    total += *sent;
  }
  session.sent += total;
  bytes_sent_ += total;
  return total;
}

bool TcpService::send_static(TcpSession& session, ConstBytes data, Instant now) {
  // Static memory needs nothing done when the stack lets go of it.
  const ZeroCopyCompletion nothing_to_free{[](void*, bool) {}, nullptr};
  Status queued = app_.stack().tcp_send_zero_copy(session.handle, data, nothing_to_free, now);
  if (!queued) {
    if (queued.error() != Error::NoBuffers) session.error = queued.error();
    return false;
  }
  session.sent += data.size();
  bytes_sent_ += data.size();
  return true;
}

bool TcpService::flush(TcpSession& session, Instant now) {
  const std::size_t left = session.pending.size() - session.pending_offset;
  if (left != 0) {
    session.pending_offset +=
        send(session, ConstBytes(session.pending.data() + session.pending_offset, left), now);
  }
  if (session.pending_offset < session.pending.size()) return false;
  session.pending.clear();
  session.pending_offset = 0;
  return true;
}

TcpConnection* TcpService::connection(const TcpSession& session) {
  return app_.stack().tcp_connection(session.handle);
}

}  // namespace lwnet::tools
