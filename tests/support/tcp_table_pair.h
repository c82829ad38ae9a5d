// Two TCP tables joined by an in-memory "network" that may drop, duplicate,
// delay and reorder segments, in virtual time. Proves the TCP layer end to
// end without IP underneath.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "transport/tcp/tcp_table.h"
#include "util/random.h"

namespace lwnet::test {

struct NetworkFaults {
  double loss = 0;
  double duplicate = 0;
  double reorder = 0;  // chance of an extra delay of up to 5 x latency
  Duration latency = Duration::millis(1);
};

class TcpTablePair {
 public:
  explicit TcpTablePair(std::uint64_t seed, NetworkFaults faults = {},
                        TcpTableConfig config = {});

  static constexpr std::uint16_t mss_limit = 1460;
  IpAddress address_a{Ipv4Address::of(192, 0, 2, 1)};
  IpAddress address_b{Ipv4Address::of(192, 0, 2, 2)};

  // Delivers segments and fires timers until `done` holds or `limit` of
  // virtual time passes; returns whether `done` held.
  bool run_until(const std::function<bool()>& done, Duration limit);

  // b listens on `port`, a connects to it, b accepts: both ends, once the
  // handshake completed within `limit` of virtual time (nullopt if not).
  struct Connection {
    TcpHandle listener;  // on b
    TcpHandle client;    // on a
    TcpHandle server;    // on b
  };
  std::optional<Connection> open_connection(std::uint16_t port, Duration limit = Duration::seconds(120));

  Random random_a;
  Random random_b;
  TcpTable a;
  TcpTable b;
  Instant now = Instant::from_seconds(10);
  std::uint64_t segments_sent = 0, segments_dropped = 0;

 private:
  struct InFlight {
    bool to_b;
    IpEndpoint source;
    IpEndpoint destination;
    TcpRepr header;
    std::vector<std::uint8_t> payload;
    Instant arrives;
  };
  class Link final : public TcpOutput {
   public:
    Link(TcpTablePair& pair, bool to_b) : pair_(pair), to_b_(to_b) {}
    bool send_segment(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                      const TcpRepr& header,
                      std::span<const ConstBytes> payload, std::size_t segment_size, Instant now) override;

   private:
    TcpTablePair& pair_;
    bool to_b_;
  };

 public:
  Link a_out{*this, true};
  Link b_out{*this, false};

 private:
  NetworkFaults faults_;
  Random network_random_;
  std::deque<InFlight> in_flight_;
  bool chance(double p) { return p > 0 && (network_random_.next_u32() / 4294967296.0) < p; }
};

}  // namespace lwnet::test
