// IPv6 reassembly (RFC 8200 4.5) with RFC 5722's rule for overlaps (the
// whole datagram is dropped, silently; a fragment that repeats bytes
// already held, exactly, is dropped alone, as its erratum 3089 and Linux
// have it) and RFC 6946's atomic fragments (offset 0 without more
// fragments: handed back at once, never mixed with a datagram in progress).
//
// Bounded like IPv4's (ip/ipv4_reassembly.h): at most
// CONFIG_LWNET_REASS_MAX_DATAGRAMS datagrams and CONFIG_LWIP_IP_REASS_MAX_PBUFS
// frame buffers held; a datagram that needs more moves into a large-pool
// buffer. A new datagram that finds every slot taken pushes out the oldest,
// and one that must move when older incomplete ones hold every large
// buffer takes the oldest one's: refused, a few fragments that never
// complete would stop all reassembly for a timeout. Each fragment's buffer
// is held whole, so that the first fragment stays available for the ICMPv6
// time exceeded (code 1) a timeout asks for; that buffer is kept even after
// its datagram moves to a large buffer.
//
// A complete datagram comes out as one buffer: the first fragment's
// unfragmentable part (IPv6 header and the extension headers before the
// fragment header) with its payload length and last Next Header rebuilt,
// then the fragment data. The unfragmentable part may be at most
// max_unfragmentable_len bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "ip/ip_stats.h"
#include "ip/ipv4_reassembly.h"  // ByteRanges
#include "ip/netif_types.h"
#include "time/instant.h"
#include "util/bytes.h"
#include "wire/ipv6.h"

namespace lwnet {

// Core thread only.
class Ipv6Reassembly {
 public:
  static constexpr Duration timeout = Duration::seconds(config::ip6_reass_timeout_seconds);
  static constexpr std::size_t max_payload = 65535;
  // The longest IPv6 header plus extension headers before the fragment
  // header that a reassembled datagram may carry.
  static constexpr std::size_t max_unfragmentable_len = 104;

  Ipv6Reassembly(Pools& pools, Ipv6ReassemblyStats& stats) : pools_(pools), stats_(stats) {}
  Ipv6Reassembly(const Ipv6Reassembly&) = delete;
  Ipv6Reassembly& operator=(const Ipv6Reassembly&) = delete;

  // Where an ICMPv6 parameter problem (code 0) about this fragment must
  // point, when RFC 8200 4.5 asks for one: at the payload length (4) when a
  // fragment with more to come is not a multiple of 8 bytes long, at the
  // fragment offset field when the datagram would exceed 65535 bytes.
  // nullopt otherwise. add() drops such fragments too (counted); this lets
  // the IP layer answer them first.
  static std::optional<std::uint32_t> parameter_problem_pointer(
      const Ipv6Repr& ip, std::size_t fragment_header_offset, const Ipv6FragmentHeader& fragment);

  // Takes one fragment. `packet` starts at its IPv6 header and ends with the
  // IPv6 payload (no link padding); `ip` is its parse, the fragment header
  // `fragment` starts fragment_header_offset bytes into ip.payload (the
  // walker's header().offset). Returns the whole datagram when this
  // fragment completes it (or is atomic). Every drop is counted in stats,
  // datagrams pushed out for room as reass_evicted, exact duplicates as
  // reass_duplicate; `packet` is taken (held or freed) in every case.
  std::optional<PacketBuf> add(PacketBuf&& packet, const Ipv6Repr& ip,
                               std::size_t fragment_header_offset,
                               const Ipv6FragmentHeader& fragment, NetifId netif, Instant now);

  // When the oldest incomplete datagram times out, or Instant::max().
  Instant next_deadline() const;
  // Drops the datagrams that timed out (reass_timeout). For each whose first
  // fragment had arrived, calls on_timeout(netif, first_fragment) with that
  // whole packet (IPv6 header first) before it is freed, so that an ICMPv6
  // time exceeded (code 1) can quote it (Icmpv6Repr::emit_error cuts it).
  template <class OnTimeout>
  void expire(Instant now, OnTimeout&& on_timeout) {
    for (std::size_t i = 0; i < datagrams_.size(); ++i) {
      Datagram& d = datagrams_[i];
      if (!d.used || d.deadline > now) continue;
      ++stats_->reass_timeout;
      if (const Held* first = first_fragment(i)) on_timeout(d.netif, first->packet.data());
      drop(i);
    }
  }

  // Frame buffers held now (at most CONFIG_LWIP_IP_REASS_MAX_PBUFS).
  std::size_t held_buffers() const { return held_count_; }
  // Datagrams being reassembled.
  std::size_t datagrams_in_progress() const;

 private:
  // A spilled datagram's data starts here in its large buffer, behind room
  // for the unfragmentable part, which is written when it completes.
  static constexpr std::size_t spill_data_at = max_unfragmentable_len;
  static constexpr std::size_t spill_headroom = 24;
  static_assert(config::large_buffer_size >= spill_headroom + spill_data_at + max_payload,
                "a large buffer holds the largest reassembled datagram");
  static_assert(spill_headroom >= 14, "a reassembled datagram keeps room for an Ethernet header");

  struct Datagram {
    bool used = false;
    Ipv6Address source;
    Ipv6Address destination;
    std::uint32_t identification = 0;
    NetifId netif;
    Instant deadline;
    ByteRanges received;
    std::optional<std::uint32_t> total;  // data length, known from the last fragment
    bool have_first = false;
    PacketBuf spill;  // large buffer, once spilled
  };
  struct Held {
    PacketBuf packet;              // the whole fragment, IPv6 header first
    std::uint16_t data_at = 0;     // where its fragment data starts in packet
    std::uint16_t unfragmentable_len = 0;  // first fragment: before the fragment header
    std::uint32_t offset = 0;      // of its data in the datagram
    std::uint8_t datagram = 0;
    bool first = false;
  };

  std::optional<PacketBuf> atomic(PacketBuf&& packet, const Ipv6Repr& ip,
                                  std::size_t unfragmentable_len, std::uint8_t next_header);
  std::optional<std::size_t> find_or_create(const Ipv6Repr& ip, std::uint32_t identification,
                                            NetifId netif, Instant now);
  const Held* first_fragment(std::size_t index) const;
  void drop(std::size_t index);
  bool spill(std::size_t index);
  bool store(std::size_t index, Held&& held);
  // Datagram `index` holds `bytes` at `offset` already, every byte the same.
  bool holds(std::size_t index, std::uint32_t offset, ConstBytes bytes) const;
  std::optional<PacketBuf> complete(std::size_t index);

  Pools& pools_;
  [[no_unique_address]] StatsRef<Ipv6ReassemblyStats> stats_;
  std::array<Datagram, config::ipv6_slots(config::reass_max_datagrams)> datagrams_{};
  std::array<Held, config::ipv6_slots(config::ip_reass_max_pbufs)> held_{};
  std::size_t held_count_ = 0;
};

// Any thread. Rebuilds the unfragmentable part of a reassembled (or atomic)
// datagram in place: the payload length becomes payload_len and the Next
// Header field that named the fragment header (in the IPv6 header or the
// last extension header of `unfragmentable`) becomes next_header. Returns
// false when the chain in `unfragmentable` does not lead to the fragment
// header where it ends.
bool ipv6_rewrite_unfragmentable(Bytes unfragmentable, std::size_t payload_len,
                                 std::uint8_t next_header);

}  // namespace lwnet
