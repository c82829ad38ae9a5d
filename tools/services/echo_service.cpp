// RFC 862 echo over TCP. Reads only once what it read before is in the send
// buffer, so a peer that does not read its echo is slowed by its own window.
#include "services/services.h"

namespace lwnet::tools {

namespace {

class EchoService final : public TcpService {
 public:
  EchoService(App& app, std::uint16_t port) : TcpService(app, "echo", "--echo", port) {}

 private:
  Step serve(TcpSession& session, Instant now) override {
    for (;;) {
      if (!flush(session, now)) return Step::More;
      if (session.end_of_input) return Step::Finished;
      const TcpRead read = receive(session, Bytes(scratch_.data(), scratch_.size()), now);
      if (read.blocked) return Step::More;
      if (read.end) continue;  // flushed already: finish (or fail) on the next turn
      session.pending.assign(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(read.bytes));
    }
  }
};

}  // namespace

std::unique_ptr<TcpService> make_echo_service(App& app, std::uint16_t port) {
  return std::make_unique<EchoService>(app, port);
}

}  // namespace lwnet::tools
