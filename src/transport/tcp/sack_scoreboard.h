// What the peer told us it holds beyond SND.UNA (RFC 2018 SACK blocks), for
// loss recovery by RFC 6675: which holes to resend, and how much data is
// still in the network ("pipe").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "config/options.h"
#include "util/seq32.h"
#include "wire/tcp.h"

namespace lwnet {

// Core thread only.
class SackScoreboard {
 public:
  static constexpr std::size_t capacity = 8;

  // Records the blocks of one ACK, ignoring any outside (una, max].
  void add_blocks(const TcpRepr& ack, Seq32 una, Seq32 max);
  // The cumulative ACK moved to una: forget what it covers.
  void acknowledge(Seq32 una);
  // Nothing to clear without SACK input: nothing reads count_ then.
  void clear() {
    if constexpr (config::tcp_sack_in) count_ = 0;
  }
  // Always, without SACK input (CONFIG_LWNET_TCP_SACK_IN=0).
  bool empty() const { return !config::tcp_sack_in || count_ == 0; }

  std::size_t sacked_bytes() const;
  // One past the highest SACKed byte (una when empty).
  Seq32 highest(Seq32 una) const {
    if constexpr (!config::tcp_sack_in) return una;
    return count_ == 0 ? una : ranges_[count_ - 1].right;
  }
  // RFC 6675 IsLost: at least three segments' worth SACKed above seq.
  bool is_lost(Seq32 seq, std::size_t mss) const;
  // The first un-SACKed byte at or after `from` below highest(): a hole to
  // resend. Returns its length (0 when there is none) and sets `start`.
  std::size_t next_hole(Seq32 from, Seq32 una, Seq32& start) const;

 private:
  struct Range {
    Seq32 left;
    Seq32 right;
  };
  void insert(Seq32 left, Seq32 right);

  // Sorted, disjoint, not touching. No room without SACK input (nothing is
  // ever stored: every call returns first).
  std::array<Range, config::tcp_sack_in ? capacity : 0> ranges_{};
  std::size_t count_ = 0;
};

}  // namespace lwnet
