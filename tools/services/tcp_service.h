// What every TCP service of `lwnet serve` shares: a listener on one port,
// the connections it accepted, and a round of work for each of them that
// never blocks (the event loop calls run() after every poll of the stack).
//
// A service is a small state machine per connection: serve() moves one
// session as far as the send and receive buffers allow and returns; it runs
// again on the next round, which comes when a frame arrives (an ACK frees
// send space, data fills the receive buffer) or a timer fires.
//
// Threads: the main (core) thread only, like the App.
#pragma once

#include <cstdint>
#include <cstdio>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "app.h"

namespace lwnet::tools {

// One accepted connection and what the service knows of it.
struct TcpSession {
  TcpHandle handle{};
  IpEndpoint remote;
  Instant started;
  std::uint64_t received = 0;  // bytes read from the connection
  std::uint64_t sent = 0;      // bytes accepted into its send buffer
  // Bytes the service has to send that the send buffer did not take yet.
  std::vector<std::uint8_t> pending;
  std::size_t pending_offset = 0;
  std::uint64_t position = 0;   // the service's own progress (chargen: next line)
  std::string text;             // what the service collects (http: the request)
  bool end_of_input = false;    // the peer finished sending (FIN read)
  std::optional<Error> error;   // reset, timed out...: the session ends
};

// The outcome of one read.
struct TcpRead {
  std::size_t bytes = 0;
  bool blocked = false;  // nothing there yet
  bool end = false;      // end of stream (or error: see TcpSession::error)
};

class TcpService {
 public:
  // Listens on `port` (every local address). Throws UsageError when the
  // port cannot be had, naming `option` ("--echo 7").
  TcpService(App& app, std::string name, std::string option, std::uint16_t port);
  virtual ~TcpService();
  TcpService(const TcpService&) = delete;
  TcpService& operator=(const TcpService&) = delete;

  // One round: accepts waiting connections, serves each, closes the
  // finished ones.
  void run(Instant now);
  // Takes the connections waiting in the listener's accept queue. Also
  // called from the stack's event callback (inside poll): a burst of
  // handshakes completes within one poll, and the queue holds only
  // CONFIG_LWIP_TCP_ACCEPTMBOX_SIZE.
  void accept_pending(Instant now);
  TcpHandle listener() const { return listener_; }
  // Lets every connection go (on exit).
  void close_all(Instant now);

  const std::string& name() const { return name_; }
  std::uint16_t port() const { return port_; }
  // "NAME.connections 3", ... (non-zero counters only, like the stack's).
  void print_counters(std::FILE* out) const;

 protected:
  enum class Step {
    More,      // call again on a later round
    Finished,  // done: the connection is closed (FIN after what is queued)
  };
  // Serves `session` as far as it can without blocking.
  virtual Step serve(TcpSession& session, Instant now) = 0;
  // After the session's last round (finished, failed or stopped).
  virtual void on_end(const TcpSession& session, Instant now);

  // Reads into `into`, counting; an error ends the session.
  TcpRead receive(TcpSession& session, Bytes into, Instant now);
  // Reads and drops everything waiting; true at the end of the stream.
  bool drain(TcpSession& session, Instant now);
  // Puts as much of `data` as fits into the send buffer; returns how much.
  std::size_t send(TcpSession& session, ConstBytes data, Instant now);
  // Queues `data` without copying (TcpConnection::send_zero_copy); false
  // when the connection already holds its CONFIG_LWNET_TCP_ZERO_COPY_WRITES.
  // `data` must be static: the stack may read it after the session ends.
  bool send_static(TcpSession& session, ConstBytes data, Instant now);
  // Sends session.pending; true once all of it is in the send buffer.
  bool flush(TcpSession& session, Instant now);
  // The connection's own view (state, end of stream), or nullptr.
  TcpConnection* connection(const TcpSession& session);

  App& app_;
  std::vector<std::uint8_t> scratch_;  // read buffer shared by the sessions

 private:
  void end_session(TcpSession& session, Instant now);

  std::string name_;
  std::uint16_t port_;
  TcpHandle listener_{};
  std::list<TcpSession> sessions_;
  std::uint64_t connections_ = 0, failed_ = 0;
  std::uint64_t bytes_received_ = 0, bytes_sent_ = 0;
};

// "192.0.2.1:40000"
std::string to_text(const IpEndpoint& endpoint);

}  // namespace lwnet::tools
