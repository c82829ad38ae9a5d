#include "apps/ping_session.h"

#include <algorithm>

namespace lwnet {

PingSession::~PingSession() {
  for (CallbackFrame* frame = innermost_callback_; frame != nullptr; frame = frame->outer) frame->destroyed = true;
}

bool PingSession::notify(Callback callback) {
  if (callback == nullptr) return true;
  CallbackFrame frame;
  frame.outer = innermost_callback_;
  innermost_callback_ = &frame;
  callback(callbacks_.context, *this);
  if (frame.destroyed) return false;
  innermost_callback_ = frame.outer;
  if (end_pending_) {
    end_pending_ = false;
    return notify(callbacks_.on_end);
  }
  return true;
}

Status PingSession::configure(const PingSessionConfig& config, const Callbacks& callbacks) {
  if (config.data_size > max_data_size || config.interval < Duration::zero() ||
      config.timeout < Duration::zero() || config.target.is_unspecified()) {
    return Error::InvalidArgument;
  }
  config_ = config;
  callbacks_ = callbacks;
  // ESP-IDF's session answers ESP_PING_PROF_IPADDR with the target until a
  // reply comes (its examples print it in on_ping_timeout).
  profile_.replier = config.target;
  // ESP-IDF's payload: 'A', 'B', ... wrapping at 256.
  for (std::size_t i = 0; i < payload_.size(); ++i) payload_[i] = static_cast<std::uint8_t>('A' + i);
  return {};
}

Status PingSession::start(Stack& stack, Instant now) {
  if (end_pending_) {
    // Stopped and started again inside one callback: the old batch's end
    // comes before the new batch.
    end_pending_ = false;
    if (!notify(callbacks_.on_end)) return Error::Closed;
  }
  if (running_) return Error::AlreadyConnected;
  if (config_.target.is_unspecified()) return Error::InvalidArgument;
  // A random identifier, another one if a session holds it already.
  Result<PingHandle> h = Error::AddressInUse;
  for (int attempt = 0; attempt < 8 && !h; ++attempt) {
    h = stack.ping_open(static_cast<std::uint16_t>(stack.random_u32()));
    if (!h && h.error() != Error::AddressInUse) break;
  }
  if (!h) return h.error();
  if (Status s = stack.attach_app(*this); !s) {
    stack.ping_close(*h);
    return s;
  }
  profile_.sequence = 0;
  profile_.requests = 0;
  profile_.replies = 0;
  profile_.duration_ms = 0;
  profile_.tos = config_.tos;
  next_sequence_ = 1;
  attempts_ = 0;
  ++batch_;
  handle_ = *h;
  running_ = true;
  awaiting_ = false;
  deadline_ = now;
  return {};
}

void PingSession::close_batch(Stack& stack) {
  stack.ping_close(handle_);
  stack.detach_app(*this);
  running_ = false;
  awaiting_ = false;
  deadline_ = Instant::max();
}

void PingSession::stop(Stack& stack) {
  if (!running_) return;
  close_batch(stack);
  // Nested in the callback, on_end would run while the user's callback is
  // half done (holding its locks, say); ESP-IDF's ping task calls it after.
  if (innermost_callback_ != nullptr) {
    end_pending_ = true;
    return;
  }
  (void)notify(callbacks_.on_end);
}

void PingSession::stop_silently(Stack& stack) {
  end_pending_ = false;
  if (running_) close_batch(stack);
}

void PingSession::send(Stack& stack, Instant now) {
  const std::uint16_t sequence = next_sequence_++;
  profile_.sequence = sequence;
  ++attempts_;
  sent_at_ = now;
  awaiting_ = true;
  deadline_ = config_.timeout == Duration::zero() ? Instant::max() : now + config_.timeout;
  // A request the stack refused (no route, no buffers) is a timeout to the
  // user, as a socket send error is to ESP-IDF's ping task, and not counted
  // among the requests, as ESP-IDF counts only what sendto() took.
  if (stack.ping_send(handle_, config_.target, sequence, ConstBytes(payload_.data(), config_.data_size),
                      config_.ttl, now, config_.tos, config_.netif)) {
    ++profile_.requests;
  }
}

bool PingSession::finish_request(Stack& stack, Instant now, bool answered) {
  awaiting_ = false;
  profile_.time_gap_ms = static_cast<std::uint32_t>((now - sent_at_).total_millis());
  profile_.duration_ms += profile_.time_gap_ms;
  const std::uint32_t batch = batch_;
  if (!notify(answered ? callbacks_.on_success : callbacks_.on_timeout)) return false;
  if (!running_ || batch_ != batch) return true;  // the callback stopped or restarted the session
  if (config_.count != 0 && attempts_ >= config_.count) {
    close_batch(stack);
    return notify(callbacks_.on_end);
  }
  deadline_ = std::max(sent_at_ + config_.interval, now);
  return true;
}

void PingSession::poll(Stack& stack, Instant now) {
  if (!running_) return;
  while (running_) {
    Result<EchoReply> got = stack.ping_receive(handle_, reply_);
    if (!got) break;
    // Late replies to earlier requests, and replies from elsewhere, are not
    // this request's answer.
    if (!awaiting_ || got->sequence != profile_.sequence || !(got->from == config_.target)) continue;
    ++profile_.replies;
    profile_.ttl = got->ttl;
    profile_.replier = got->from;
    profile_.size = static_cast<std::uint32_t>(got->size);
    if (!finish_request(stack, now, true)) return;
  }
  if (!running_ || now < deadline_) return;
  if (awaiting_) {
    if (!finish_request(stack, now, false)) return;
    if (!running_ || now < deadline_) return;
  }
  send(stack, now);
}

}  // namespace lwnet
