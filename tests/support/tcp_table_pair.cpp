#include "support/tcp_table_pair.h"

#include <algorithm>

namespace lwnet::test {

TcpTablePair::TcpTablePair(std::uint64_t seed, NetworkFaults faults, TcpTableConfig config)
    : random_a(seed * 3 + 1),
      random_b(seed * 5 + 2),
      a(config, random_a),
      b(config, random_b),
      faults_(faults),
      network_random_(seed) {}

bool TcpTablePair::Link::send_segment(const IpEndpoint& local, const IpEndpoint& remote,
                                      const TcpIpOptions& /*ip*/, const TcpRepr& header, std::span<const ConstBytes> payload,
                                      std::size_t /*segment_size*/, Instant now) {
  ++pair_.segments_sent;
  if (pair_.chance(pair_.faults_.loss)) {
    ++pair_.segments_dropped;
    return true;  // lost on the way: the sender cannot tell
  }
  InFlight f{to_b_, local, remote, header, {}, now + pair_.faults_.latency};
  for (ConstBytes piece : payload) f.payload.insert(f.payload.end(), piece.begin(), piece.end());
  f.header.payload = {};
  if (pair_.chance(pair_.faults_.reorder)) {
    f.arrives += Duration::micros(static_cast<std::int64_t>(
        pair_.network_random_.below(static_cast<std::uint32_t>(pair_.faults_.latency.total_micros() * 5))));
  }
  if (pair_.chance(pair_.faults_.duplicate)) pair_.in_flight_.push_back(f);
  pair_.in_flight_.push_back(std::move(f));
  return true;
}

std::optional<TcpTablePair::Connection> TcpTablePair::open_connection(std::uint16_t port,
                                                                     Duration limit) {
  auto listener = b.listen(IpEndpoint{address_b, port}, 1, false);
  if (!listener) return std::nullopt;
  auto client = a.connect(IpEndpoint{address_a, 0}, IpEndpoint{address_b, port}, mss_limit, now, a_out);
  if (!client) return std::nullopt;
  if (!run_until([&] { return b.pending_accepts(*listener) == 1; }, limit)) return std::nullopt;
  auto server = b.accept(*listener);
  if (!server) return std::nullopt;
  return Connection{*listener, *client, *server};
}

bool TcpTablePair::run_until(const std::function<bool()>& done, Duration limit) {
  const Instant end = now + limit;
  while (!done()) {
    // Deliver everything due, earliest first.
    std::stable_sort(in_flight_.begin(), in_flight_.end(),
                     [](const InFlight& x, const InFlight& y) { return x.arrives < y.arrives; });
    while (!in_flight_.empty() && in_flight_.front().arrives <= now) {
      InFlight f = std::move(in_flight_.front());
      in_flight_.pop_front();
      f.header.payload = f.payload;
      if (f.to_b) {
        b.on_segment(f.source.address, f.destination.address, f.header, mss_limit, now, b_out);
      } else {
        a.on_segment(f.source.address, f.destination.address, f.header, mss_limit, now, a_out);
      }
      if (done()) return true;
    }
    if (a.next_deadline() <= now) a.on_timer(now, a_out);
    if (b.next_deadline() <= now) b.on_timer(now, b_out);
    if (done()) return true;
    Instant next = std::min(a.next_deadline(), b.next_deadline());
    for (const InFlight& f : in_flight_) next = std::min(next, f.arrives);
    if (next == Instant::max() || next > end) return done();
    if (next > now) now = next;
  }
  return true;
}

}  // namespace lwnet::test
