// A load generator: sends zeros as fast as the windows allow and never reads
// (what the peer sends stays in the receive buffer until its window closes).
// The zeros go by zero-copy writes of one static block, so the stack ->
// peer direction of the bench copies each byte once, into the frame.
// It stops when the peer's FIN arrives; closing with unread data then resets
// the connection, which is what a sender that ignores its input should do
// (RFC 2525 2.17).
#include <array>

#include "services/services.h"

namespace lwnet::tools {

namespace {

class SourceService final : public TcpService {
 public:
  SourceService(App& app, std::uint16_t port) : TcpService(app, "source", "--source", port) {}

 private:
  Step serve(TcpSession& session, Instant now) override {
    const TcpConnection* c = connection(session);
    if (c == nullptr || c->end_of_stream()) return Step::Finished;
    while (send_static(session, ConstBytes(zeros.data(), zeros.size()), now)) {
    }
    return Step::More;
  }

  // Not const: in .bss, whose pages nobody writes, reads map the kernel's
  // one zero page and the resident set does not grow; a constexpr block
  // would sit in the binary's .rodata and make 64 KiB of it resident.
  // Never written (send_static needs the bytes unchanged until acknowledged).
  static std::array<std::uint8_t, 65536> zeros;
};

std::array<std::uint8_t, 65536> SourceService::zeros{};

}  // namespace

std::unique_ptr<TcpService> make_source_service(App& app, std::uint16_t port) {
  return std::make_unique<SourceService>(app, port);
}

}  // namespace lwnet::tools
