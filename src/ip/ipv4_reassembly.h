// IPv4 reassembly (RFC 791 section 3.2, RFC 815), with RFC 5722's rule for
// overlaps: a datagram with overlapping fragments is dropped whole, except
// that a fragment repeating bytes already held, exactly, is dropped alone
// (its erratum 3089).
//
// Fragments are held as the frame buffers they arrived in, at most
// CONFIG_LWIP_IP_REASS_MAX_PBUFS of them in total. When one more would not
// fit, the datagram it belongs to moves into a large-pool buffer (its held
// fragments are copied there and freed) and later fragments are copied
// straight in: a 64 KiB datagram (45 fragments) completes with the default of
// 10, while no more than 10 frame buffers ever wait here. A complete
// datagram comes out as one buffer with a rebuilt header.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "ip/ip_stats.h"
#include "ip/netif_types.h"
#include "time/instant.h"
#include "util/bytes.h"
#include "wire/ipv4.h"

namespace lwnet {

// Disjoint, sorted, merged [start, end) byte ranges. Core thread only.
class ByteRanges {
 public:
  static constexpr std::size_t capacity = 16;
  enum class Insert : std::uint8_t { Ok, Overlap, Full };

  Insert insert(std::uint32_t start, std::uint32_t end);  // start < end
  // One range holds all of [start, end).
  bool contains(std::uint32_t start, std::uint32_t end) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if (ranges_[i].start <= start && end <= ranges_[i].end) return true;
    }
    return false;
  }
  bool covers(std::uint32_t total) const {
    return count_ == 1 && ranges_[0].start == 0 && ranges_[0].end == total;
  }
  std::uint32_t end() const { return count_ == 0 ? 0 : ranges_[count_ - 1].end; }
  std::size_t size() const { return count_; }
  void clear() { count_ = 0; }

 private:
  struct Range {
    std::uint32_t start = 0;
    std::uint32_t end = 0;
  };
  std::array<Range, capacity> ranges_{};
  std::size_t count_ = 0;
};

// Core thread only.
class Ipv4Reassembly {
 public:
  static constexpr Duration timeout = Duration::seconds(config::reass_timeout_seconds);
  static constexpr std::size_t max_datagram = 65535;
  // The first fragment's header and 8 bytes of its payload: what an ICMP
  // time exceeded message quotes.
  static constexpr std::size_t max_quote = 60 + 8;

  Ipv4Reassembly(Pools& pools, Ipv4Stats& stats) : pools_(pools), stats_(stats) {}
  Ipv4Reassembly(const Ipv4Reassembly&) = delete;
  Ipv4Reassembly& operator=(const Ipv4Reassembly&) = delete;

  // Takes one fragment: `fragment`'s payload starts at its IP header and
  // ends with the IP payload (no link padding); `ip` is its parse. Returns
  // the whole datagram, header first (total length, flags and checksum
  // rebuilt), when this fragment completes it. `link_broadcast`: in, this
  // fragment came in a link-layer broadcast or multicast frame; out, when
  // the datagram completes, one of its fragments did (RFC 1122 3.2.2: then
  // no ICMP error may answer it). Drops are counted in the
  // Ipv4Stats: reass_overlap, reass_too_big, reass_no_room, drop_malformed,
  // drop_no_buffer. A new datagram that finds every slot taken pushes out
  // the oldest one, and one that needs a large buffer when reassembly holds
  // them all, the oldest holder when that one is older (reass_evicted). A fragment that repeats bytes already
  // held, exactly, is dropped alone (reass_duplicate); any other overlap
  // drops the datagram (reass_overlap).
  std::optional<PacketBuf> add(PacketBuf&& fragment, const Ipv4Repr& ip, NetifId netif,
                               bool& link_broadcast, Instant now);

  // When the oldest incomplete datagram times out, or Instant::max().
  Instant next_deadline() const;
  // Drops the datagrams that timed out (ipv4.reass_timeout). For each whose
  // first fragment had arrived, none in a link-layer broadcast (RFC 1122
  // 3.2.2: no ICMP error about those), calls on_timeout(netif, quote)
  // before its buffers are freed, so that an ICMP time exceeded (code 1)
  // can quote it.
  template <class OnTimeout>
  void expire(Instant now, OnTimeout&& on_timeout) {
    for (std::size_t i = 0; i < datagrams_.size(); ++i) {
      Datagram& d = datagrams_[i];
      if (!d.used || d.deadline > now) continue;
      ++stats_->reass_timeout;
      if (d.have_first && !d.link_broadcast) {
        on_timeout(d.netif, ConstBytes(d.quote.data(), d.quote_len));
      }
      drop(i);
    }
  }

  // Frame buffers held now (at most CONFIG_LWIP_IP_REASS_MAX_PBUFS).
  std::size_t held_buffers() const { return held_count_; }
  // Datagrams being reassembled.
  std::size_t datagrams_in_progress() const;

 private:
  // Where a spilled datagram's payload starts in its large buffer: room for
  // the longest header in front, written when the datagram completes.
  static constexpr std::size_t spill_payload_at = 60;
  static constexpr std::size_t spill_headroom = config::headroom - spill_payload_at;
  static_assert(config::headroom >= spill_payload_at + 34,
                "a reassembled datagram keeps room for an Ethernet and IPv4 header in front");
  static_assert(config::large_buffer_size >=
                    spill_headroom + spill_payload_at + max_datagram - Ipv4Repr::min_header_len,
                "a large buffer holds the largest reassembled datagram");

  struct Datagram {
    bool used = false;
    Ipv4Address source;
    Ipv4Address destination;
    std::uint16_t identification = 0;
    std::uint8_t protocol = 0;
    NetifId netif;
    Instant deadline;
    ByteRanges received;
    std::optional<std::uint32_t> total;  // payload length, known from the last fragment
    bool have_first = false;
    bool link_broadcast = false;  // a fragment came in a link-layer broadcast
    std::size_t header_len = 0;
    std::array<std::uint8_t, max_quote> quote{};  // first fragment: header + 8 bytes
    std::size_t quote_len = 0;
    std::size_t held = 0;  // frame buffers held for this datagram
    PacketBuf spill;       // large buffer, once spilled
  };
  struct Held {
    PacketBuf payload;      // the fragment's IP payload
    std::uint32_t offset = 0;
    std::uint8_t datagram = 0;
  };

  std::optional<std::size_t> find_or_create(const Ipv4Repr& ip, NetifId netif, Instant now);
  void drop(std::size_t index);
  bool spill(std::size_t index);
  bool store(std::size_t index, PacketBuf&& fragment, std::uint32_t offset);
  // Datagram `index` holds `bytes` at `offset` already, every byte the same.
  bool holds(std::size_t index, std::uint32_t offset, ConstBytes bytes) const;
  std::optional<PacketBuf> complete(std::size_t index);

  Pools& pools_;
  [[no_unique_address]] StatsRef<Ipv4Stats> stats_;
  // None when reassembly is off (CONFIG_LWIP_IP4_REASSEMBLY=0): the IPv4
  // input drops fragments then, and add() refuses them before any index.
  static constexpr std::size_t datagram_slots =
      config::ip4_reassembly ? config::ipv4_slots(config::reass_max_datagrams) : 0;
  std::array<Datagram, datagram_slots> datagrams_{};
  std::array<Held, config::ip4_reassembly ? config::ipv4_slots(config::ip_reass_max_pbufs) : 0> held_{};
  std::size_t held_count_ = 0;
};

}  // namespace lwnet
