#include "support/tcp_script.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace lwnet::test {

namespace {

std::string flag_names(std::uint8_t flags) {
  std::string s;
  const char* names = "FSRPAUEC";
  for (int i = 0; i < 8; ++i) {
    if ((flags >> i) & 1) s += names[i];
  }
  return s.empty() ? "none" : s;
}

std::string describe_options(const TcpOptions& o) {
  std::ostringstream s;
  bool any = false;
  const auto sep = [&] {
    if (any) s << ' ';
    any = true;
  };
  if (o.mss) {
    sep();
    s << "mss=" << *o.mss;
  }
  if (o.window_scale) {
    sep();
    s << "wscale=" << unsigned{*o.window_scale};
  }
  if (o.sack_permitted) {
    sep();
    s << "sack_permitted";
  }
  if (o.timestamp) {
    sep();
    s << "ts=" << o.timestamp->value << "/" << o.timestamp->echo_reply;
  }
  if (!o.sack.empty()) {
    sep();
    s << "sack=";
    for (std::size_t i = 0; i < o.sack.size(); ++i) {
      s << (i ? "," : "") << o.sack[i].left << "-" << o.sack[i].right;
    }
  }
  return any ? s.str() : "none";
}

TcpOptions options_of(const TcpRepr& h) {
  TcpOptions o;
  o.mss = h.mss;
  o.window_scale = h.window_scale;
  o.sack_permitted = h.sack_permitted;
  o.timestamp = h.timestamp;
  o.sack.assign(h.sack_blocks.begin(), h.sack_blocks.begin() + h.sack_count);
  return o;
}

std::string describe_payload(const std::vector<std::uint8_t>& payload) {
  std::ostringstream s;
  s << payload.size() << " bytes";
  if (!payload.empty()) {
    s << " [";
    for (std::size_t i = 0; i < std::min<std::size_t>(payload.size(), 8); ++i) {
      s << (i ? " " : "") << unsigned{payload[i]};
    }
    s << (payload.size() > 8 ? " ...]" : "]");
  }
  return s.str();
}

std::string describe_all(const std::deque<SentSegment>& sent) {
  std::ostringstream s;
  for (const SentSegment& segment : sent) s << "\n  " << segment.describe();
  return s.str();
}

}  // namespace

std::string SentSegment::describe() const {
  std::ostringstream s;
  s << "seq=" << header.sequence << " ack=" << header.acknowledgment
    << " flags=" << flag_names(header.flags) << " win=" << header.window
    << " options=" << describe_options(options_of(header)) << " payload=" << describe_payload(payload);
  if (segment_size != 0) s << " segment_size=" << segment_size;
  return s.str();
}

std::vector<std::uint8_t> bytes_of(ConstBytes data) { return {data.begin(), data.end()}; }

bool RecordingOutput::send_segment(const IpEndpoint&, const IpEndpoint&, const TcpIpOptions&,
                                   const TcpRepr& header,
                                   std::span<const ConstBytes> payload, std::size_t segment_size,
                                   Instant now) {
  if (refuse) return false;
  SentSegment s{header, {}, segment_size, now};
  for (ConstBytes piece : payload) s.payload.insert(s.payload.end(), piece.begin(), piece.end());
  s.header.payload = {};
  if (header.timestamp && !first_timestamp) first_timestamp = {{header.timestamp->value, now}};
  sent.push_back(std::move(s));
  return true;
}

TcpSettings TcpScript::plain_settings() {
  TcpSettings s;
  s.timestamps = false;
  s.window_scaling = false;
  s.sack_out = false;
  s.mss = 1460;
  return s;
}

TcpScript::TcpScript(TcpSettings settings, std::size_t send_size, std::size_t receive_size)
    : storage_send(send_size),
      storage_receive(receive_size),
      connection(storage_send, storage_receive, settings) {}

TcpScript::~TcpScript() {
  if (!out.sent.empty()) {
    ADD_FAILURE() << out.sent.size() << " segment(s) sent that the test never checked:"
                  << describe_all(out.sent);
  }
}

std::uint8_t TcpScript::our_window_scale() const {
  std::uint8_t shift = 0;
  while (shift < 14 && (storage_receive.size() >> shift) > 0xffff) ++shift;
  return std::max(shift, config::tcp_rcv_scale);
}

std::uint32_t TcpScript::our_timestamp(Instant at) const {
  if (!out.first_timestamp) {
    ADD_FAILURE() << "no timestamp sent yet: the TSval clock is unknown";
    return 0;
  }
  return out.first_timestamp->first +
         static_cast<std::uint32_t>((at - out.first_timestamp->second).total_millis());
}

void TcpScript::establish_active(std::uint16_t peer_mss, std::uint16_t window, bool peer_permits_sack) {
  const TcpSettings& settings = connection.settings();
  ASSERT_TRUE(connection.open_active(local, remote, Seq32(our_iss), 1460, now, out).ok());
  TcpOptions syn_options{.mss = std::min<std::uint16_t>(1460, settings.mss),
                         .window_scale = std::nullopt,
                         .sack_permitted = true,
                         .timestamp = std::nullopt,
                         .sack = {}};
  if (settings.window_scaling) syn_options.window_scale = our_window_scale();
  if (settings.timestamps) syn_options.timestamp = TcpTimestamp{our_timestamp(), 0};
  const auto receive_window = static_cast<std::uint16_t>(std::min<std::size_t>(storage_receive.size(), 0xffff));
  expect_segment({.seq = our_iss, .flags = tcp_flags::syn, .window = receive_window, .options = syn_options});
  peer_timestamps = settings.timestamps;
  TcpRepr synack = peer_segment(tcp_flags::syn | tcp_flags::ack);
  synack.sequence = peer_iss;
  synack.mss = peer_mss;
  synack.window = window;
  synack.sack_permitted = peer_permits_sack;
  if (peer_timestamps) synack.timestamp = TcpTimestamp{peer_ts, our_timestamp()};
  peer_window = window;
  receive(synack);
  peer_next = peer_iss + 1;
  ASSERT_EQ(connection.state(), TcpState::Established);
  TcpOptions ack_options;
  if (peer_timestamps) ack_options.timestamp = TcpTimestamp{our_timestamp(), peer_ts};
  expect_segment({.seq = our_iss + 1,
                  .ack = peer_iss + 1,
                  .flags = tcp_flags::ack,
                  .window = receive_window,
                  .options = ack_options});
  expect_nothing_sent();
  (void)connection.take_events();
}

void TcpScript::establish_passive(std::uint16_t peer_mss, std::uint16_t window) {
  TcpRepr syn;
  syn.source_port = peer_port;
  syn.destination_port = our_port;
  syn.sequence = peer_iss;
  syn.flags = tcp_flags::syn;
  syn.window = window;
  syn.mss = peer_mss;
  peer_window = window;
  ASSERT_TRUE(connection.open_passive(local, remote, syn, Seq32(our_iss), 1460, now, out).ok());
  const auto receive_window = static_cast<std::uint16_t>(std::min<std::size_t>(storage_receive.size(), 0xffff));
  // A SYN-ACK offers only what the SYN offered: here MSS alone.
  expect_segment({.seq = our_iss,
                  .ack = peer_iss + 1,
                  .flags = tcp_flags::syn | tcp_flags::ack,
                  .window = receive_window,
                  .options = {.mss = std::min<std::uint16_t>(1460, connection.settings().mss)}});
  ASSERT_EQ(connection.state(), TcpState::SynReceived);
  peer_next = peer_iss + 1;
  receive(peer_segment(tcp_flags::ack));
  ASSERT_EQ(connection.state(), TcpState::Established);
  expect_nothing_sent();
  (void)connection.take_events();
}

TcpRepr TcpScript::peer_segment(std::uint8_t flags) const {
  TcpRepr s;
  s.source_port = peer_port;
  s.destination_port = our_port;
  s.sequence = peer_next;
  s.acknowledgment = (flags & tcp_flags::ack) != 0 ? peer_ack : 0;
  s.flags = flags;
  s.window = peer_window;
  if (peer_timestamps && (flags & tcp_flags::rst) == 0) s.timestamp = TcpTimestamp{peer_ts, peer_ts_echo};
  return s;
}

void TcpScript::receive(const TcpRepr& segment, ConstBytes payload) {
  TcpRepr s = segment;
  s.payload = payload;
  connection.on_segment(s, now, out);
}

void TcpScript::receive_data(ConstBytes payload, std::uint8_t extra_flags) {
  receive(peer_segment(tcp_flags::ack | extra_flags), payload);
  peer_next += static_cast<std::uint32_t>(payload.size());
  if ((extra_flags & tcp_flags::fin) != 0) peer_next += 1;
}

void TcpScript::advance(Duration d) { now += d; }

void TcpScript::run_next_timer() {
  const Instant deadline = connection.next_deadline();
  ASSERT_NE(deadline, Instant::max()) << "no timer armed";
  if (deadline > now) now = deadline;
  connection.on_timer(now, out);
}

SentSegment TcpScript::expect_segment(const ExpectedSegment& expected, std::source_location where) {
  if (out.sent.empty()) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
        << "expected a segment (seq=" << expected.seq << " ack=" << expected.ack
        << " flags=" << flag_names(expected.flags) << " win=" << expected.window
        << " options=" << describe_options(expected.options)
        << " payload=" << describe_payload(expected.payload) << "), none was sent";
    return {};
  }
  SentSegment s = std::move(out.sent.front());
  out.sent.pop_front();
  const TcpRepr& h = s.header;
  std::ostringstream diff;
  const auto field = [&](const char* name, const auto& want, const auto& got) {
    if (!(want == got)) diff << "\n  " << name << ": expected " << want << ", got " << got;
  };
  field("source port", our_port, h.source_port);
  field("destination port", peer_port, h.destination_port);
  field("seq", expected.seq, h.sequence);
  field("ack", expected.ack, h.acknowledgment);
  if (expected.flags != h.flags) {
    diff << "\n  flags: expected " << flag_names(expected.flags) << ", got " << flag_names(h.flags);
  }
  field("window", expected.window, h.window);
  field("urgent pointer", 0, h.urgent_pointer);
  const TcpOptions got_options = options_of(h);
  const auto option = [&](const char* name, const auto& want, const auto& got, const TcpOptions& w,
                          const TcpOptions& g) {
    if (!(want == got)) {
      diff << "\n  option " << name << ": expected " << describe_options(w) << ", got "
           << describe_options(g);
    }
  };
  option("MSS", expected.options.mss, got_options.mss, TcpOptions{.mss = expected.options.mss},
         TcpOptions{.mss = got_options.mss});
  option("window scale", expected.options.window_scale, got_options.window_scale,
         TcpOptions{.window_scale = expected.options.window_scale},
         TcpOptions{.window_scale = got_options.window_scale});
  option("SACK-permitted", expected.options.sack_permitted, got_options.sack_permitted,
         TcpOptions{.sack_permitted = expected.options.sack_permitted},
         TcpOptions{.sack_permitted = got_options.sack_permitted});
  option("timestamps", expected.options.timestamp, got_options.timestamp,
         TcpOptions{.timestamp = expected.options.timestamp}, TcpOptions{.timestamp = got_options.timestamp});
  option("SACK blocks", expected.options.sack, got_options.sack, TcpOptions{.sack = expected.options.sack},
         TcpOptions{.sack = got_options.sack});
  if (expected.payload != s.payload) {
    diff << "\n  payload: expected " << describe_payload(expected.payload) << ", got "
         << describe_payload(s.payload);
    const std::size_t common = std::min(expected.payload.size(), s.payload.size());
    const auto mismatch = std::mismatch(expected.payload.begin(), expected.payload.begin() + static_cast<std::ptrdiff_t>(common),
                                        s.payload.begin());
    if (mismatch.first != expected.payload.begin() + static_cast<std::ptrdiff_t>(common)) {
      diff << " (first difference at byte " << (mismatch.first - expected.payload.begin()) << ")";
    }
  }
  field("segment size (offload)", expected.segment_size, s.segment_size);
  if (!diff.str().empty()) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
        << "segment differs:" << diff.str() << "\n  sent: " << s.describe();
  }
  return s;
}

void TcpScript::expect_nothing_sent(std::source_location where) {
  if (out.sent.empty()) return;
  ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
      << "expected no segment, " << out.sent.size() << " sent:" << describe_all(out.sent);
  out.sent.clear();
}

}  // namespace lwnet::test
