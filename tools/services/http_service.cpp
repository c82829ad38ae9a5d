// A tiny HTTP/1.0 responder: reads a request up to its blank line, answers
// 200 with a fixed text body (300 lines "lwnet http line NNNN"), and closes.
// Enough for curl and for checking a body byte for byte.
#include <cstdio>
#include <string>
#include <string_view>

#include "services/services.h"

namespace lwnet::tools {

namespace {

constexpr std::size_t max_request = 8192;

std::string http_body() {
  std::string body;
  char line[32];
  for (int i = 1; i <= 300; ++i) {
    std::snprintf(line, sizeof line, "lwnet http line %04d\n", i);
    body += line;
  }
  return body;
}

class HttpService final : public TcpService {
 public:
  HttpService(App& app, std::uint16_t port) : TcpService(app, "http", "--http", port) {
    const std::string body = http_body();
    const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    response_ = head + body;
  }

 private:
  // session.position: 0 reading the request, 1 answering.
  Step serve(TcpSession& session, Instant now) override {
    if (session.position == 0) {
      for (;;) {
        const TcpRead read = receive(session, Bytes(scratch_.data(), scratch_.size()), now);
        if (read.blocked) return Step::More;
        if (read.end && session.error) return Step::Finished;
        session.text.append(reinterpret_cast<const char*>(scratch_.data()), read.bytes);
        if (read.end || session.text.find("\r\n\r\n") != std::string::npos || session.text.size() > max_request) {
          break;
        }
      }
      app_.log("http: " + std::string(std::string_view(session.text).substr(0, session.text.find('\r'))));
      session.pending.assign(response_.begin(), response_.end());
      session.position = 1;
    }
    // Whatever else the client sends is dropped, so the close is a FIN (not
    // the RST that unread data would cause).
    drain(session, now);
    return flush(session, now) ? Step::Finished : Step::More;
  }

  std::string response_;
};

}  // namespace

std::unique_ptr<TcpService> make_http_service(App& app, std::uint16_t port) {
  return std::make_unique<HttpService>(app, port);
}

}  // namespace lwnet::tools
