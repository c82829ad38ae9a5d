// RFC 863 discard over TCP: reads everything, keeps nothing, closes after
// the peer's FIN. The bytes show in the service's counters.
#include "services/services.h"

namespace lwnet::tools {

namespace {

class DiscardService final : public TcpService {
 public:
  DiscardService(App& app, std::uint16_t port) : TcpService(app, "discard", "--discard", port) {}

 private:
  Step serve(TcpSession& session, Instant now) override {
    return drain(session, now) ? Step::Finished : Step::More;
  }
};

}  // namespace

std::unique_ptr<TcpService> make_discard_service(App& app, std::uint16_t port) {
  return std::make_unique<DiscardService>(app, port);
}

}  // namespace lwnet::tools
