// An iperf 2 server (a sink): counts each connection's bytes until its end of
// stream, then prints one line a script can compare with the client's:
//   lwnet: iperf 192.0.2.1:40000 bytes 12345678 secs 3.004 Mbits/sec 32.88
// The client's optional iperf header is counted as data: iperf -c counts it
// as sent too.
#include <cstdio>

#include "services/services.h"

namespace lwnet::tools {

namespace {

class IperfService final : public TcpService {
 public:
  IperfService(App& app, std::uint16_t port) : TcpService(app, "iperf", "--iperf", port) {}

 private:
  Step serve(TcpSession& session, Instant now) override {
    return drain(session, now) ? Step::Finished : Step::More;
  }

  void on_end(const TcpSession& session, Instant now) override {
    const double seconds = static_cast<double>((now - session.started).total_micros()) / 1e6;
    const double mbits = seconds > 0 ? static_cast<double>(session.received) * 8.0 / seconds / 1e6 : 0.0;
    std::printf("lwnet: iperf %s bytes %llu secs %.3f Mbits/sec %.2f%s\n", to_text(session.remote).c_str(),
                static_cast<unsigned long long>(session.received), seconds, mbits,
                session.error ? (std::string(" (") + to_string(*session.error) + ")").c_str() : "");
    std::fflush(stdout);
  }
};

}  // namespace

std::unique_ptr<TcpService> make_iperf_service(App& app, std::uint16_t port) {
  return std::make_unique<IperfService>(app, port);
}

}  // namespace lwnet::tools
