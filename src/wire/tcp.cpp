#include "wire/tcp.h"

#include <algorithm>

#include "config/options.h"
#include "wire/ip.h"

namespace lwnet {

namespace {

enum OptionKind : std::uint8_t {
  end_of_options = 0, nop = 1, mss_kind = 2, window_scale_kind = 3, sack_permitted_kind = 4,
  sack_kind = 5, timestamp_kind = 8,
};
constexpr std::size_t max_options_len = TcpRepr::max_header_len - TcpRepr::min_header_len;
constexpr std::size_t sack_block_len = 8;
constexpr std::size_t max_sack_blocks = 4;

// Without CONFIG_LWNET_TCP_TIMESTAMPS nothing sets one: its code goes.
bool has_timestamp(const TcpRepr& r) { return config::tcp_timestamps && r.timestamp.has_value(); }
bool has_window_scale(const TcpRepr& r) { return config::tcp_window_scaling_built && r.window_scale.has_value(); }
// Only SACK input offers SACK-permitted (a SYN cookie's SYN-ACK too):
// without it nothing sets it on a header to send.
bool has_sack_permitted(const TcpRepr& r) { return config::tcp_sack_in && r.sack_permitted; }

// Bytes emit() spends on everything but the SACK blocks (each piece is
// already a multiple of 4 long).
std::size_t fixed_options_len(const TcpRepr& r) {
  std::size_t n = 0;
  if (r.mss) n += 4;
  if (has_timestamp(r)) {
    n += 12;
  } else if (has_sack_permitted(r)) {
    n += 4;
  }
  if (has_window_scale(r)) n += 4;
  return n;
}

// SACK blocks emit() writes: as many as were set (at most 4) and fit in the
// 40 option bytes after the other options. RFC 2018: the first block is the
// most recent, so dropping from the end loses the least information.
std::size_t sack_blocks_emitted(const TcpRepr& r) {
  if constexpr (!config::tcp_sack_out_built) return 0;
  std::size_t wanted = std::min<std::size_t>(r.sack_count, max_sack_blocks);
  if (wanted == 0) return 0;
  std::size_t room = max_options_len - fixed_options_len(r);
  if (room < 4 + sack_block_len) return 0;
  return std::min(wanted, (room - 4) / sack_block_len);
}

Status parse_options(ConstBytes options, TcpRepr& repr) {
  std::size_t i = 0;
  while (i < options.size()) {
    std::uint8_t kind = options[i];
    if (kind == end_of_options) break;
    if (kind == nop) {
      ++i;
      continue;
    }
    if (i + 1 >= options.size()) return Error::Malformed;
    std::size_t length = options[i + 1];
    if (length < 2 || length > options.size() - i) return Error::Malformed;
    ConstBytes option = options.subspan(i, length);
    switch (kind) {
      case mss_kind:
        if (length != 4) return Error::Malformed;
        repr.mss = load_be16(option, 2);
        break;
      case window_scale_kind:
        if constexpr (!config::tcp_window_scaling_built) break;
        if (length != 3) return Error::Malformed;
        // Kept as sent; RFC 7323 2.3's clamp to 14 is the connection's job.
        repr.window_scale = option[2];
        break;
      case sack_permitted_kind:
        if (length != 2) return Error::Malformed;
        repr.sack_permitted = true;
        break;
      case sack_kind: {
        // Without SACK input (CONFIG_LWNET_TCP_SACK_IN 0) the blocks are
        // nobody's: skipped as an unknown option, as lwIP does.
        if constexpr (!config::tcp_sack_in) break;
        std::size_t blocks = (length - 2) / sack_block_len;
        if ((length - 2) % sack_block_len != 0 || blocks < 1 || blocks > max_sack_blocks) {
          return Error::Malformed;
        }
        for (std::size_t b = 0; b < blocks; ++b) {
          repr.sack_blocks[b] = {load_be32(option, 2 + b * sack_block_len),
                                 load_be32(option, 6 + b * sack_block_len)};
        }
        repr.sack_count = static_cast<std::uint8_t>(blocks);
        break;
      }
      case timestamp_kind:
        // Never offered without CONFIG_LWNET_TCP_TIMESTAMPS, so never in use.
        if constexpr (!config::tcp_timestamps) break;
        if (length != 10) return Error::Malformed;
        repr.timestamp = TcpTimestamp{load_be32(option, 2), load_be32(option, 6)};
        break;
      default:
        break;  // unknown: skipped by its length
    }
    i += length;
  }
  return {};
}

}  // namespace

Result<TcpRepr> TcpRepr::parse(ConstBytes segment, const IpAddress& source,
                               const IpAddress& destination, bool verify_checksum) {
  if (segment.size() < min_header_len) return Error::Truncated;
  std::size_t header_len = std::size_t{static_cast<std::uint8_t>(segment[12] >> 4)} * 4;
  if (header_len < min_header_len) return Error::Malformed;
  if (segment.size() < header_len) return Error::Truncated;
  if (verify_checksum) {
    Checksum sum = pseudo_header_checksum(source, destination, IpProtocol::Tcp,
                                          static_cast<std::uint32_t>(segment.size()));
    if (sum.add(segment).folded() != 0xffff) return Error::BadChecksum;
  }
  TcpRepr repr;
  repr.source_port = load_be16(segment, 0);
  repr.destination_port = load_be16(segment, 2);
  repr.sequence = load_be32(segment, 4);
  repr.acknowledgment = load_be32(segment, 8);
  repr.flags = segment[13];
  repr.window = load_be16(segment, 14);
  repr.urgent_pointer = load_be16(segment, 18);
  if (Status s = parse_options(segment.subspan(min_header_len, header_len - min_header_len), repr);
      !s) {
    return s.error();
  }
  repr.payload = segment.subspan(header_len);
  return repr;
}

std::size_t TcpRepr::header_len() const {
  std::size_t blocks = sack_blocks_emitted(*this);
  std::size_t sack_len = blocks == 0 ? 0 : 4 + blocks * sack_block_len;
  return min_header_len + fixed_options_len(*this) + sack_len;
}

void TcpRepr::emit(Bytes segment, const IpAddress& source, const IpAddress& destination) const {
  std::size_t length = header_len();
  // Word by word, as the options below.
  store_be32(segment, 0, std::uint32_t{source_port} << 16 | destination_port);
  store_be32(segment, 4, sequence);
  store_be32(segment, 8, acknowledgment);
  store_be32(segment, 12, static_cast<std::uint32_t>(length / 4) << 28 | std::uint32_t{flags} << 16 | window);
  store_be32(segment, 16, urgent_pointer);  // the checksum's field 0 until it is computed

  // The order Linux uses, every option aligned on 4 bytes with NOPs:
  // MSS; SACK-permitted sharing a word with timestamps (or alone behind two
  // NOPs); window scale behind a NOP; SACK blocks behind two NOPs.
  std::size_t at = min_header_len;
  auto put32 = [&](std::uint32_t value) {
    store_be32(segment, at, value);
    at += 4;
  };
  // Each word as one store, not byte by byte: kinds and lengths are known.
  const auto word = [](std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return std::uint32_t{a} << 24 | std::uint32_t{b} << 16 | std::uint32_t{c} << 8 | d;
  };
  if (mss) put32(std::uint32_t{mss_kind} << 24 | 4U << 16 | *mss);
  if (has_timestamp(*this)) {
    put32(sack_permitted ? word(sack_permitted_kind, 2, timestamp_kind, 10) : word(nop, nop, timestamp_kind, 10));
    put32(timestamp->value);
    put32(timestamp->echo_reply);
  } else if (has_sack_permitted(*this)) {
    put32(word(nop, nop, sack_permitted_kind, 2));
  }
  if (has_window_scale(*this)) put32(word(nop, window_scale_kind, 3, *window_scale));
  if (std::size_t blocks = sack_blocks_emitted(*this); blocks != 0) {
    put32(word(nop, nop, sack_kind, static_cast<std::uint8_t>(2 + blocks * sack_block_len)));
    for (std::size_t b = 0; b < blocks; ++b) {
      put32(sack_blocks[b].left);
      put32(sack_blocks[b].right);
    }
  }
  // Every piece above is a multiple of 4 long; this only guards the invariant.
  while (at < length) segment[at++] = end_of_options;

  Checksum sum = pseudo_header_checksum(source, destination, IpProtocol::Tcp,
                                        static_cast<std::uint32_t>(segment.size()));
  store_be16(segment, 16, sum.add(segment).finish());
}

void TcpRepr::emit_for_offload(Bytes segment, const IpAddress& source,
                               const IpAddress& destination) const {
  // emit() over the header alone writes every field; only the checksum
  // differs, and it is rewritten below.
  emit(segment.first(header_len()), source, destination);
  Checksum sum = pseudo_header_checksum(source, destination, IpProtocol::Tcp,
                                        static_cast<std::uint32_t>(segment.size()));
  store_be16(segment, 16, sum.folded());
}

}  // namespace lwnet
