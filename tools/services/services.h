// The TCP services `lwnet serve` offers, one file each (tools/services/).
//
// Threads: the main (core) thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "services/tcp_service.h"

namespace lwnet::tools {

// RFC 862: sends back every byte it reads; closes after the peer's FIN.
std::unique_ptr<TcpService> make_echo_service(App& app, std::uint16_t port);
// RFC 863: reads and drops everything.
std::unique_ptr<TcpService> make_discard_service(App& app, std::uint16_t port);
// RFC 864: sends the 72-character rotating lines until the peer closes.
std::unique_ptr<TcpService> make_chargen_service(App& app, std::uint16_t port);
// Sends zeros as fast as the peer takes them and never reads, until the peer
// closes (a load generator, like lwIP's benchmark "source").
std::unique_ptr<TcpService> make_source_service(App& app, std::uint16_t port);
// An iperf 2 server: counts the bytes of each connection until its end and
// prints "lwnet: iperf HOST:PORT bytes N secs S Mbits/sec R" to stdout.
std::unique_ptr<TcpService> make_iperf_service(App& app, std::uint16_t port);
// HTTP/1.0: answers every request with a fixed text body and closes.
std::unique_ptr<TcpService> make_http_service(App& app, std::uint16_t port);

}  // namespace lwnet::tools
