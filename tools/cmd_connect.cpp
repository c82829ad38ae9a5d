// lwnet connect: a netcat over lwnet's stack. Opens a TCP connection to
// HOST:PORT, copies stdin into it and what arrives to stdout. The end of stdin
// becomes a FIN (the peer reads its end of stream); the command exits once the
// peer closed its side too and everything sent was acknowledged.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "app.h"
#include "port/clock.h"

namespace lwnet::tools {

namespace {

struct ConnectOptions {
  IpAddress host;
  std::uint16_t port = 0;
};

class Netcat {
 public:
  Netcat(App& app, const ConnectOptions& options) : app_(app), options_(options), buffer_(16384) {
    app_.set_input(STDIN_FILENO);
  }
  Netcat(const Netcat&) = delete;
  Netcat& operator=(const Netcat&) = delete;

  // One round of the event loop; nullopt when done.
  std::optional<Instant> step(Instant now) {
    Stack& stack = app_.stack();
    if (!started_) {
      started_ = true;
      auto handle = stack.tcp_connect(IpEndpoint{options_.host, options_.port}, now);
      if (!handle) {
        if (handle.error() == Error::NoRoute) {
          throw UsageError(to_text(options_.host) + " is unreachable: it is outside --ip and there is no --gw");
        }
        return finish_with(std::string("cannot connect: ") + to_string(handle.error()));
      }
      handle_ = *handle;
      open_ = true;
    }
    const std::uint8_t events = stack.tcp_events(handle_);
    const TcpConnection* c = stack.tcp_connection(handle_);
    if (c == nullptr) return finish_with("connection lost");
    if (c->error()) return finish_with(to_string(*c->error()));
    if (!connected_) {
      if ((events & tcp_events::connected) == 0 && !is_synchronized(c->state())) return Instant::max();
      connected_ = true;
      app_.log("connected to " + to_text(options_.host) + ":" + std::to_string(options_.port));
    }
    receive(now);
    if (failed_) return std::nullopt;
    send(now);
    if (failed_) return std::nullopt;
    const TcpState state = c->state();
    if (peer_done_ && shut_down_ && (state == TcpState::TimeWait || state == TcpState::Closed)) {
      stack.tcp_close(handle_, now);
      open_ = false;
      status_ = exit_ok;
      return std::nullopt;
    }
    app_.want_input(!stdin_done_ && pending_offset_ == pending_.size());
    return Instant::max();
  }

  // On a stop signal: lets the connection go.
  int finish(Instant now) {
    if (open_) app_.stack().tcp_abort(handle_, now);
    open_ = false;
    return status_;
  }

 private:
  std::optional<Instant> finish_with(const std::string& problem) {
    std::fprintf(stderr, "lwnet: connect %s:%u: %s\n", to_text(options_.host).c_str(), unsigned{options_.port},
                 problem.c_str());
    failed_ = true;
    status_ = exit_failed;
    return std::nullopt;
  }

  void receive(Instant now) {
    while (!peer_done_) {
      auto got = app_.stack().tcp_receive(handle_, Bytes(buffer_.data(), buffer_.size()), now);
      if (!got) {
        if (got.error() != Error::WouldBlock) finish_with(to_string(got.error()));
        return;
      }
      if (*got == 0) {
        peer_done_ = true;
        app_.log("the peer closed its side");
        return;
      }
      if (std::fwrite(buffer_.data(), 1, *got, stdout) != *got) {
        finish_with(std::string("writing stdout: ") + std::strerror(errno));
        return;
      }
    }
    std::fflush(stdout);
  }

  void send(Instant now) {
    for (;;) {
      while (pending_offset_ < pending_.size()) {
        auto sent = app_.stack().tcp_send(
            handle_, ConstBytes(pending_.data() + pending_offset_, pending_.size() - pending_offset_), now);
        if (!sent) {
          if (sent.error() != Error::WouldBlock) finish_with(to_string(sent.error()));
          return;
        }
        pending_offset_ += *sent;
      }
      if (stdin_done_ || !app_.take_input_readable()) break;
      pending_.resize(buffer_.size());
      pending_offset_ = 0;
      const ssize_t n = ::read(STDIN_FILENO, pending_.data(), pending_.size());
      if (n < 0) {
        pending_.clear();
        if (errno == EAGAIN || errno == EINTR) break;
        finish_with(std::string("reading stdin: ") + std::strerror(errno));
        return;
      }
      pending_.resize(static_cast<std::size_t>(n));
      if (n == 0) stdin_done_ = true;
    }
    if (stdin_done_ && pending_offset_ == pending_.size() && !shut_down_) {
      const Status shut = app_.stack().tcp_shutdown(handle_, now);
      if (!shut) {
        finish_with(std::string("shutdown: ") + to_string(shut.error()));
        return;
      }
      shut_down_ = true;
      app_.log("end of stdin: FIN queued");
    }
  }

  App& app_;
  const ConnectOptions& options_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> pending_;  // read from stdin, not yet in the send buffer
  std::size_t pending_offset_ = 0;
  TcpHandle handle_{};
  bool started_ = false, open_ = false, connected_ = false;
  bool stdin_done_ = false, shut_down_ = false, peer_done_ = false, failed_ = false;
  int status_ = exit_failed;
};

int connect(const InterfaceOptions& interface, const ConnectOptions& options) {
  App app(interface);
  app.log(app.describe_interface());
  Netcat netcat(app, options);
  app.run([&](Instant now) { return netcat.step(now); });
  return netcat.finish(monotonic_now());
}

}  // namespace

Command add_connect_command(CLI::App& lwnet) {
  auto options = std::make_shared<ConnectOptions>();
  CLI::App* sub = lwnet.add_subcommand("connect", "open a TCP connection to HOST PORT: stdin to it, it to stdout");
  sub->footer(
      "\nLike netcat: copies stdin into the connection and what arrives to stdout. The end\n"
      "of stdin sends a FIN; lwnet exits once the peer closed its side as well and all\n"
      "it sent was acknowledged (0), or when the connection fails: refused, reset or\n"
      "timed out (1, with one line on stderr).\n"
      "Interface options (--tap, --ip, ...): see lwnet --help.\n"
      "Example: lwnet --tap lw0 --ip 192.0.2.2/24 connect 192.0.2.1 5000 <file >reply");
  sub->add_option_function<std::string>(
         "HOST",
         [options](const std::string& text) {
           options->host = parse_host("HOST", text);
         },
         "IPv4 address to connect to")
      ->required()
      ->type_name("ADDR");
  sub->add_option("PORT", options->port, "TCP port, 1 to 65535")->required()->check(whole_number(1, 65535));
  return Command{sub, [options](const InterfaceOptions& interface) { return connect(interface, *options); }};
}

}  // namespace lwnet::tools
