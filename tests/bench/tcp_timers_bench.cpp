// What idle connections cost the stack's timer work: TcpTable::next_deadline()
// (asked before every sleep) and on_timer() with nothing due, at 10, 1,000
// and 10,000 established, idle connections. Both look at a heap of deadlines
// (time/deadline_heap.h), not at every slot, so the figures stay flat as the
// count grows; before the heap both scanned every slot. Google Benchmark;
// `tests/bench/run.sh` runs it and prints its lines; not a CTest test beyond
// a smoke run (bench_tcp_timers_smoke).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

#include "config/options.h"
#include "support/tcp_table_pair.h"

namespace lwnet::test {
namespace {

// A pair of tables with `count` established, idle connections between them
// (small rings: the figure is about slots, not buffers).
std::unique_ptr<TcpTablePair> idle_pair(std::size_t count) {
  TcpTableConfig config;
  config.max_connections = count;
  config.max_listeners = 1;
  config.send_buffer_cap = 1024;
  config.receive_buffer_cap = 1024;
  config.defaults.send_buffer = 1024;
  config.defaults.receive_buffer = 1024;
  config.max_reservations = 1;
  auto pair = std::make_unique<TcpTablePair>(1, NetworkFaults{}, config);
  const std::size_t batch = config::tcp_acceptmbox_size;
  auto listener = pair->b.listen(IpEndpoint{pair->address_b, 80}, batch, false);
  if (!listener) std::abort();
  std::size_t opened = 0;
  while (opened < count) {
    const std::size_t now_opening = std::min(batch, count - opened);
    for (std::size_t i = 0; i < now_opening; ++i) {
      if (!pair->a.connect(IpEndpoint{pair->address_a, 0}, IpEndpoint{pair->address_b, 80},
                           TcpTablePair::mss_limit, pair->now, pair->a_out)) {
        std::abort();
      }
    }
    if (!pair->run_until([&] { return pair->b.pending_accepts(*listener) == now_opening; },
                         Duration::seconds(60))) {
      std::abort();
    }
    for (std::size_t i = 0; i < now_opening; ++i) {
      if (!pair->b.accept(*listener)) std::abort();
    }
    opened += now_opening;
  }
  // Let the last ACKs land: nothing is due afterwards.
  (void)pair->run_until([] { return false; }, Duration::seconds(1));
  return pair;
}

// Built once per size and kept for the process (the set-up is the slow part).
TcpTablePair& pair_for(std::size_t count) {
  static std::array<std::unique_ptr<TcpTablePair>, 3> pairs;
  const std::size_t slot = count <= 10 ? 0 : count <= 1000 ? 1 : 2;
  if (!pairs[slot]) pairs[slot] = idle_pair(count);
  return *pairs[slot];
}

void NextDeadline(benchmark::State& state) {
  TcpTablePair& pair = pair_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pair.b.next_deadline());
  state.counters["connections"] = static_cast<double>(pair.b.connections_in_use());
}

void TimerPassWithNothingDue(benchmark::State& state) {
  TcpTablePair& pair = pair_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) pair.b.on_timer(pair.now, pair.b_out);
  state.counters["connections"] = static_cast<double>(pair.b.connections_in_use());
}

BENCHMARK(NextDeadline)->Arg(10)->Arg(1000)->Arg(10000);
BENCHMARK(TimerPassWithNothingDue)->Arg(10)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace lwnet::test

BENCHMARK_MAIN();
