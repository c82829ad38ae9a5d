// Segment-by-segment TCP tests with explicit time: the test plays the peer,
// feeds segments into one TcpConnection and checks every segment it sends
// (the style of smoltcp's socket tests and lwIP's tcp_helper.c).
//
// Every segment the connection sends must be checked: expect_segment()
// compares a whole segment (every header field, every option, the payload
// bytes), and a TcpScript that ends with segments nobody took fails the test.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include "support/frames.h"
#include "transport/tcp/tcp_connection.h"

// Expected segments are written with designated initializers that name only
// the fields that are not their default (`{.seq = 1, .flags = ...}`). GCC 12
// warns about every member such an initializer leaves to its default member
// initializer, which is the point here: off for the files using this script.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace lwnet::test {

struct SentSegment {
  TcpRepr header;
  std::vector<std::uint8_t> payload;
  std::size_t segment_size = 0;  // non-zero: handed over for segmentation offload
  Instant sent_at;
  std::string describe() const;
};

// The options a segment carries (RFC 9293 MSS, RFC 7323, RFC 2018).
struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  std::optional<TcpTimestamp> timestamp;
  std::vector<TcpSackBlock> sack;  // in the order sent
};

// A whole segment as the test expects it. Every field is compared: one left
// out must be what its default says (no ACK number, no options, no payload).
// The ports are always the script's.
struct ExpectedSegment {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  TcpOptions options{};
  std::vector<std::uint8_t> payload{};
  std::size_t segment_size = 0;  // non-zero: a packet for the device to segment
};

class RecordingOutput final : public TcpOutput {
 public:
  bool send_segment(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                    const TcpRepr& header,
                    std::span<const ConstBytes> payload, std::size_t segment_size, Instant now) override;
  std::size_t segmentation_limit(const IpEndpoint&, const IpEndpoint&, const TcpIpOptions&) override {
    return offload;
  }
  std::deque<SentSegment> sent;
  bool refuse = false;  // simulate "no buffer"
  std::size_t offload = 0;  // what segmentation_limit() answers
  // The first timestamp the connection sent, and when: its TSval clock.
  std::optional<std::pair<std::uint32_t, Instant>> first_timestamp;
};

// One connection, its storage, the peer's view, and a clock.
class TcpScript {
 public:
  static constexpr std::uint32_t our_iss = 5000;
  static constexpr std::uint32_t peer_iss = 1000;
  static constexpr std::uint16_t our_port = 49152;
  static constexpr std::uint16_t peer_port = 80;

  explicit TcpScript(TcpSettings settings = plain_settings(), std::size_t send_size = 4096,
                     std::size_t receive_size = 4096);
  // Fails the test if the connection sent a segment the test did not take.
  ~TcpScript();
  TcpScript(const TcpScript&) = delete;
  TcpScript& operator=(const TcpScript&) = delete;

  // Timestamps off, delayed ACK on, Nagle on: segments easy to read.
  static TcpSettings plain_settings();

  // Active open up to ESTABLISHED (peer MSS 1000, window 8192), leaving no
  // segment in `out.sent`. With timestamps on in the settings, the peer
  // offers them too (its TSval peer_ts).
  void establish_active(std::uint16_t peer_mss = 1000, std::uint16_t peer_window = 8192,
                        bool peer_permits_sack = false);
  // Passive open (the peer's SYN arrives at a listener) up to ESTABLISHED.
  void establish_passive(std::uint16_t peer_mss = 1000, std::uint16_t peer_window = 8192);

  // A segment from the peer; seq/ack default to what the peer expects now,
  // with a timestamp option (TSval peer_ts, TSecr peer_ts_echo) once
  // timestamps were negotiated.
  TcpRepr peer_segment(std::uint8_t flags) const;
  void receive(const TcpRepr& segment, ConstBytes payload = {});
  // Peer sends data at its current sequence number (ACK of everything we sent).
  void receive_data(ConstBytes payload, std::uint8_t extra_flags = 0);
  void advance(Duration d);
  // Runs timers at the next deadline (and advances the clock to it).
  void run_next_timer();

  // Takes the oldest segment we sent and fails the test (at the caller's
  // line) unless it is exactly `expected`, listing every field that differs.
  SentSegment expect_segment(const ExpectedSegment& expected,
                             std::source_location where = std::source_location::current());
  // Fails the test (listing them) if segments were sent that nobody took.
  void expect_nothing_sent(std::source_location where = std::source_location::current());

  // The TSval the connection puts in a segment sent at `at`: its first
  // timestamp plus the milliseconds since (RFC 7323 clock of 1 ms).
  std::uint32_t our_timestamp(Instant at) const;
  std::uint32_t our_timestamp() const { return our_timestamp(now); }
  // The window scale our SYN offers with window scaling on: the smallest
  // shift that lets 16 bits say the receive buffer (RFC 7323 2.3).
  std::uint8_t our_window_scale() const;

  std::vector<std::uint8_t> storage_send;
  std::vector<std::uint8_t> storage_receive;
  TcpConnection connection;
  RecordingOutput out;
  Instant now = Instant::from_seconds(1000);
  IpEndpoint local{Ipv4Address::of(192, 0, 2, 2), our_port};
  IpEndpoint remote{Ipv4Address::of(192, 0, 2, 1), peer_port};
  std::uint32_t peer_next = peer_iss + 1;  // the peer's SND.NXT
  std::uint32_t peer_ack = our_iss + 1;    // what the peer acknowledges
  std::uint16_t peer_window = 8192;
  // The peer's timestamps once negotiated: the TSval it sends, and the
  // TSecr (set by the test to what it echoes; 0 until it does).
  bool peer_timestamps = false;
  std::uint32_t peer_ts = 700000;
  std::uint32_t peer_ts_echo = 0;
};

// The bytes of `data` as a vector, for ExpectedSegment::payload.
std::vector<std::uint8_t> bytes_of(ConstBytes data);

// What scripted tests write segments with: the first sequence number after
// each side's SYN, the usual flag sets, and byte helpers.
// (`using namespace lwnet::test::script_values;`)
namespace script_values {
inline constexpr std::uint32_t our_data = TcpScript::our_iss + 1;
inline constexpr std::uint32_t peer_data = TcpScript::peer_iss + 1;
inline constexpr std::uint8_t ack_flag = tcp_flags::ack;
inline constexpr std::uint8_t ack_psh = tcp_flags::ack | tcp_flags::psh;
inline constexpr std::uint8_t fin_ack = tcp_flags::fin | tcp_flags::ack;
// Bytes [from, from + n) of data.
inline std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& data, std::size_t from, std::size_t n) {
  return bytes_of(ConstBytes(data).subspan(from, n));
}
inline std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}
}  // namespace script_values

}  // namespace lwnet::test
