// Segment-by-segment TCP tests with explicit time: the test plays the peer,
// feeds segments into one TcpConnection and checks every segment it sends
// (the style of smoltcp's socket tests and lwIP's tcp_helper.c).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "support/frames.h"
#include "transport/tcp/tcp_connection.h"

namespace lwnet::test {

struct SentSegment {
  TcpRepr header;
  std::vector<std::uint8_t> payload;
  std::size_t segment_size = 0;  // non-zero: handed over for segmentation offload
  std::string describe() const;
};

class RecordingOutput final : public TcpOutput {
 public:
  bool send_segment(const IpEndpoint& local, const IpEndpoint& remote, const TcpRepr& header,
                    std::span<const ConstBytes> payload, std::size_t segment_size, Instant now) override;
  std::size_t segmentation_limit(const IpEndpoint&, const IpEndpoint&) override { return offload; }
  std::deque<SentSegment> sent;
  bool refuse = false;  // simulate "no buffer"
  std::size_t offload = 0;  // what segmentation_limit() answers
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

  // Timestamps off, delayed ACK on, Nagle on: segments easy to read.
  static TcpSettings plain_settings();

  // Active open up to ESTABLISHED (peer MSS 1000, window 8192), leaving no
  // segment in `out.sent`.
  void establish_active(std::uint16_t peer_mss = 1000, std::uint16_t peer_window = 8192,
                        bool peer_permits_sack = false);
  // Passive open (the peer's SYN arrives at a listener) up to ESTABLISHED.
  void establish_passive(std::uint16_t peer_mss = 1000, std::uint16_t peer_window = 8192);

  // A segment from the peer; seq/ack default to what the peer expects now.
  TcpRepr peer_segment(std::uint8_t flags) const;
  void receive(const TcpRepr& segment, ConstBytes payload = {});
  // Peer sends data at its current sequence number (ACK of everything we sent).
  void receive_data(ConstBytes payload, std::uint8_t extra_flags = 0);
  void advance(Duration d);
  // Runs timers at the next deadline (and advances the clock to it).
  void run_next_timer();

  // Pops the oldest segment we sent (fails the test if none).
  SentSegment pop();
  bool nothing_sent() const { return out.sent.empty(); }

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
};

}  // namespace lwnet::test
