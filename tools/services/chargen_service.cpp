// RFC 864 character generator over TCP: line n holds the 72 printable ASCII
// characters (of the 95 from ' ' to '~') starting at offset n mod 95, then
// CR LF. It sends until the peer closes, and drops whatever the peer sends.
#include "services/services.h"

namespace lwnet::tools {

namespace {

constexpr std::size_t printable_count = 95;  // ' ' (32) to '~' (126)
constexpr std::size_t line_chars = 72;
constexpr std::size_t lines_per_batch = 64;

class ChargenService final : public TcpService {
 public:
  ChargenService(App& app, std::uint16_t port) : TcpService(app, "chargen", "--chargen", port) {}

 private:
  Step serve(TcpSession& session, Instant now) override {
    if (drain(session, now)) return Step::Finished;
    while (flush(session, now)) {
      for (std::size_t line = 0; line < lines_per_batch; ++line) {
        const std::size_t first = static_cast<std::size_t>(session.position % printable_count);
        for (std::size_t i = 0; i < line_chars; ++i) {
          session.pending.push_back(static_cast<std::uint8_t>(' ' + (first + i) % printable_count));
        }
        session.pending.push_back('\r');
        session.pending.push_back('\n');
        ++session.position;
      }
    }
    return Step::More;
  }
};

}  // namespace

std::unique_ptr<TcpService> make_chargen_service(App& app, std::uint16_t port) {
  return std::make_unique<ChargenService>(app, port);
}

}  // namespace lwnet::tools
