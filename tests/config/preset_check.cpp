// Runs TCP under one configuration preset (built with the preset's header,
// see CMakeLists.txt): the memory formula holds with the preset's sizes,
// and a transfer through two tables moves every byte with the preset's
// windows, not the defaults'.
#include <gtest/gtest.h>

#include <cstdio>
#include <string_view>
#include <type_traits>

#include "config/options.h"
#include "util/stat_counter.h"
#include "support/frames.h"
#include "support/tcp_table_pair.h"

namespace lwnet::preset_check {
namespace {

constexpr std::string_view preset = LWNET_PRESET_NAME;

TEST(Preset, MemoryPerConnectionFollowsThePresetsSizes) {
  Random random(1);
  TcpTable table({}, random);
  const std::size_t tcp_conn = TcpTable::connection_object_size();
  EXPECT_EQ(table.memory_per_connection(), tcp_conn + config::tcp_snd_buf_max + config::tcp_wnd_max);
  std::printf("[ memory ] preset %s: tcp_conn %zu bytes, %zu bytes per connection, %zu connections\n",
              LWNET_PRESET_NAME, tcp_conn, table.memory_per_connection(), config::max_active_tcp);
  if (preset == "host") {
    EXPECT_EQ(config::tcp_wnd_default, 262144U);
    EXPECT_EQ(config::tcp_snd_buf_default, 262144U);
    EXPECT_TRUE(config::wnd_scale);
    EXPECT_TRUE(config::tcp_sack_out);
    EXPECT_TRUE(config::ip4_reassembly);
    EXPECT_EQ(config::tcp_mss, 1460U);
    EXPECT_EQ(config::max_active_tcp, 256U);
    EXPECT_EQ(config::tcpip_spin_us, 50U);
  } else if (preset == "throughput") {
    EXPECT_EQ(config::tcp_wnd_default, 65534U);
    EXPECT_EQ(config::tcp_snd_buf_default, 65534U);
    EXPECT_TRUE(config::wnd_scale);
    EXPECT_EQ(config::tcp_wnd_max, 262144U);
  } else {
    EXPECT_EQ(preset, "minimum_ram");
    EXPECT_EQ(config::max_active_tcp, 4U);
    EXPECT_EQ(config::tcp_wnd_default, 2U * config::tcp_mss);
    EXPECT_EQ(config::tcp_zero_copy_writes, 1U);
    EXPECT_EQ(config::tcpip_spin_us, 0U);  // never burn a small target's CPU
  }
}

// Counters exist in every preset but minimum_ram, which compiles them out
// (CONFIG_LWNET_STATS 0): there they take no room and read 0 after traffic
// that moves them elsewhere, and the traffic itself is unchanged.
TEST(Preset, CountersFollowThePreset) {
  test::TcpTablePair p(11);
  const auto opened = p.open_connection(5002);
  ASSERT_TRUE(opened.has_value());
  const auto data = test::pattern(3000, 5);
  std::size_t sent = 0;
  std::vector<std::uint8_t> received(data.size());
  std::size_t got = 0;
  ASSERT_TRUE(p.run_until(
      [&] {
        if (sent < data.size()) {
          auto r = p.a.send(opened->client, ConstBytes(data).subspan(sent), p.now, p.a_out);
          if (r.ok()) sent += *r;
        }
        auto r = p.b.receive(opened->server, Bytes(received).subspan(got), p.now, p.b_out);
        if (r.ok()) got += *r;
        return got == data.size();
      },
      Duration::seconds(60)));
  EXPECT_EQ(received, data);
  if (preset == "minimum_ram") {
    EXPECT_FALSE(config::stats);
    EXPECT_TRUE(std::is_empty_v<StatCounter>);
    EXPECT_EQ(sizeof(StatCounter), 1U);  // an empty member: one byte, no counting
    EXPECT_EQ(p.a.stats().connections_opened, 0U);
    EXPECT_EQ(p.b.stats().connections_accepted, 0U);
    EXPECT_EQ(p.b.stats().rx_segments, 0U);
  } else {
    EXPECT_TRUE(config::stats);
    EXPECT_EQ(sizeof(StatCounter), 8U);
    EXPECT_EQ(p.a.stats().connections_opened, 1U);
    EXPECT_EQ(p.b.stats().connections_accepted, 1U);
    EXPECT_GT(p.b.stats().rx_segments, 2U);
  }
  p.a.abort(opened->client, p.now, p.a_out);
  p.b.abort(opened->server, p.now, p.b_out);
}

TEST(Preset, TransferUsesThePresetsWindows) {
  test::TcpTablePair p(7);
  const auto opened = p.open_connection(5001);
  ASSERT_TRUE(opened.has_value());
  const TcpHandle client = opened->client;
  const TcpHandle server = opened->server;
  if (preset == "throughput") {
    // Beyond 64 KiB only with window scaling: raise the receiver to its cap.
    ASSERT_TRUE(p.b.set_buffer_sizes(server, config::tcp_snd_buf_max, config::tcp_wnd_max, p.now, p.b_out).ok());
  }
  const auto data = test::pattern(4 * 1024 * 1024, 3);
  std::vector<std::uint8_t> received;
  std::vector<std::uint8_t> chunk(65536);
  std::size_t sent = 0;
  std::size_t largest_window = 0;
  ASSERT_TRUE(p.run_until(
      [&] {
        while (sent < data.size()) {
          auto r = p.a.send(client, ConstBytes(data).subspan(sent), p.now, p.a_out);
          if (!r.ok()) break;
          sent += *r;
        }
        largest_window = std::max(largest_window, p.a.connection(client)->send_window());
        while (true) {
          auto r = p.b.receive(server, chunk, p.now, p.b_out);
          if (!r.ok() || *r == 0) break;
          received.insert(received.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*r));
        }
        return received.size() == data.size();
      },
      Duration::seconds(600)));
  EXPECT_EQ(received, data);
  if (preset == "throughput") {
    EXPECT_GT(largest_window, 65535U);  // scaled past the 16-bit field
    EXPECT_LE(largest_window, config::tcp_wnd_max);
  } else if (preset == "host") {
    EXPECT_GT(largest_window, 65535U);  // the default window is already scaled
    EXPECT_LE(largest_window, config::tcp_wnd_max);
  } else {
    EXPECT_EQ(largest_window, config::tcp_wnd_default);
  }
  p.a.abort(client, p.now, p.a_out);
  p.b.abort(server, p.now, p.b_out);
}

}  // namespace
}  // namespace lwnet::preset_check
