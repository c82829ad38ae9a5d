// TCP header and options (RFC 9293; MSS, window scale and timestamps RFC
// 7323, SACK RFC 2018). The TCP state machine lives in transport/tcp/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "config/options.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

namespace tcp_flags {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10,
                              urg = 0x20, ece = 0x40, cwr = 0x80;
}

struct TcpSackBlock {
  std::uint32_t left = 0;   // first sequence number of the block
  std::uint32_t right = 0;  // sequence number after the block
  bool operator==(const TcpSackBlock&) const = default;
};

struct TcpTimestamp {
  std::uint32_t value = 0;
  std::uint32_t echo_reply = 0;
  bool operator==(const TcpTimestamp&) const = default;
};

// Stand-ins for the TcpRepr members of options the build compiles out
// (config/options.h): no room in a header ([[no_unique_address]]), read as
// absent, writes dropped, so that the code testing for the option folds
// away and headers built, cleared and copied are smaller (84 bytes to 32
// on Cortex-M with SACK and timestamps out).
template <class T>
struct TcpNoOption {
  static constexpr T none{};
  constexpr bool has_value() const { return false; }
  constexpr explicit operator bool() const { return false; }
  constexpr const T* operator->() const { return &none; }
  constexpr const T& operator*() const { return none; }
  constexpr TcpNoOption& operator=(const T&) { return *this; }
  constexpr TcpNoOption& operator=(const std::optional<T>&) { return *this; }
  constexpr void reset() {}
  operator std::optional<T>() const { return std::nullopt; }
  bool operator==(const TcpNoOption&) const = default;
};
// A flag or count that is always 0.
template <class T>
struct TcpNoValue {
  constexpr operator T() const { return 0; }
  constexpr TcpNoValue& operator=(T) { return *this; }
  constexpr T operator++(int) { return 0; }
  bool operator==(const TcpNoValue&) const = default;
};
struct TcpNoSackBlocks {
  static constexpr TcpSackBlock none{};
  // By value: an assignment to it is one to a temporary, and goes nowhere.
  constexpr TcpSackBlock operator[](std::size_t) const { return {}; }
  constexpr const TcpSackBlock* begin() const { return &none; }
  constexpr const TcpSackBlock* end() const { return &none; }
  bool operator==(const TcpNoSackBlocks&) const = default;
};

// Which options a TcpRepr has room for: SACK blocks for SACK input or
// output, SACK-permitted also for SYN cookies (which carry it).
inline constexpr bool tcp_repr_sack = config::tcp_sack_in || config::tcp_sack_out_built;
inline constexpr bool tcp_repr_sack_permitted = tcp_repr_sack || config::tcp_syn_cookies;

struct TcpRepr {
  static constexpr std::size_t min_header_len = 20;
  static constexpr std::size_t max_header_len = 60;

  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;
  std::uint8_t flags = 0;  // tcp_flags bits
  std::uint16_t window = 0;
  std::uint16_t urgent_pointer = 0;
  // Options (unknown ones are skipped on parse; so are SACK blocks without
  // CONFIG_LWNET_TCP_SACK_IN, timestamps without CONFIG_LWNET_TCP_TIMESTAMPS
  // and window scale where the build has no window scaling
  // (config::tcp_window_scaling_built), and emit() then never writes the
  // latter two; nor SACK blocks without config::tcp_sack_out_built, nor
  // SACK-permitted without SACK input, which alone sets it).
  // Where the build leaves an option out, its member is a stand-in above.
  std::optional<std::uint16_t> mss;
  [[no_unique_address]] std::conditional_t<config::tcp_window_scaling_built, std::optional<std::uint8_t>,
                                           TcpNoOption<std::uint8_t>> window_scale;
  [[no_unique_address]] std::conditional_t<tcp_repr_sack_permitted, bool, TcpNoValue<bool>> sack_permitted{};
  [[no_unique_address]] std::conditional_t<tcp_repr_sack, std::array<TcpSackBlock, 4>, TcpNoSackBlocks>
      sack_blocks{};
  [[no_unique_address]] std::conditional_t<tcp_repr_sack, std::uint8_t, TcpNoValue<std::uint8_t>> sack_count{};
  [[no_unique_address]] std::conditional_t<config::tcp_timestamps, std::optional<TcpTimestamp>,
                                           TcpNoOption<TcpTimestamp>> timestamp;
  ConstBytes payload;  // parse only

  // Any thread. Truncated below 20 bytes or the data offset; Malformed for a
  // data offset < 5, or an option whose length is < 2 or runs past the header,
  // or a known option with the wrong length; BadChecksum when verify_checksum.
  static Result<TcpRepr> parse(ConstBytes segment, const IpAddress& source,
                               const IpAddress& destination, bool verify_checksum);
  // Header length with the options set here, padded to 4 bytes. Options go
  // out in Linux's order, each aligned with NOPs: MSS; SACK-permitted with
  // timestamps; window scale; SACK blocks. SACK blocks that do not fit in the
  // 40 option bytes (after the others) are left out from the last one on.
  std::size_t header_len() const;
  // Any thread. Writes header_len() bytes of header and options, then the
  // checksum over the pseudo-header and all of segment (payload in place).
  void emit(Bytes segment, const IpAddress& source, const IpAddress& destination) const;
  // The same, but for a device that completes the checksum itself (TCP
  // segmentation offload): the checksum field holds the folded
  // pseudo-header sum only, as Linux's CHECKSUM_PARTIAL expects, and the
  // payload is not read.
  void emit_for_offload(Bytes segment, const IpAddress& source, const IpAddress& destination) const;
  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

}  // namespace lwnet
