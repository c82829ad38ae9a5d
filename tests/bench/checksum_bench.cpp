// The Internet checksum (util/checksum.h) over a TCP segment's payload
// (1460 bytes), a header (20) and a super-frame (65536), beside the loop it
// replaced (big-endian 16-bit words assembled byte by byte), in one run.
// Google Benchmark, run by hand from a Release build; bytes per second is
// the figure. CTest runs it only as a smoke test (bench_checksum_smoke).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "util/checksum.h"

namespace lwnet::test {
namespace {

std::vector<std::uint8_t> pattern(std::size_t size) {
  std::vector<std::uint8_t> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 131 + 7);
  return data;
}

// The previous lwnet loop, kept here as the baseline.
std::uint16_t bytewise_checksum(const std::vector<std::uint8_t>& data) {
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 2 <= data.size(); i += 2) sum += (std::uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += std::uint32_t{data[i]} << 8;
  while (sum >> 16) sum = (sum & 0xffffU) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

void BM_Checksum(benchmark::State& state) {
  const auto data = pattern(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(internet_checksum(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_ChecksumBytewise(benchmark::State& state) {
  const auto data = pattern(static_cast<std::size_t>(state.range(0)));
  if (bytewise_checksum(data) != internet_checksum(data)) {
    state.SkipWithError("the two loops disagree");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(bytewise_checksum(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_Checksum)->Arg(20)->Arg(1460)->Arg(65536);
BENCHMARK(BM_ChecksumBytewise)->Arg(20)->Arg(1460)->Arg(65536);

}  // namespace
}  // namespace lwnet::test

BENCHMARK_MAIN();
