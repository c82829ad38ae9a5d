// Raw IP endpoints (lwIP's raw PCBs, under SOCK_RAW sockets): each takes a
// copy of every received packet of its protocol and sends messages of that
// protocol with an IP header the stack builds.
//
// IPPROTO_ICMP and IPPROTO_ICMPV6: the IP layer offers every ICMP (ICMPv6)
// message that passed its checks (length, checksum) to every matching
// endpoint before handling it itself, as lwIP's raw_input() does for a raw
// PCB that does not eat the packet (its sockets never do): echo requests to
// us, echo replies, errors, Neighbor Discovery, unknown types. ICMP copies
// start at the IPv4 header (as lwIP and Linux raw IPv4 sockets); ICMPv6
// ones at the ICMPv6 header (RFC 3542 3: an IPv6 raw socket never sees the
// IPv6 header). ICMPv6 endpoints filter by type (RFC 3542 3.2,
// ICMP6_FILTER). The copy comes from the stack's buffer pools.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "ip/raw_handle.h"
#include "util/queue_pool.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// CONFIG_LWIP_MAX_RAW_PCBS endpoints (apart from the ping handles of
// EchoEndpoints), each with a queue of CONFIG_LWIP_UDP_RECVMBOX_SIZE packets
// (lwIP's DEFAULT_RAW_RECVMBOX_SIZE; ESP-IDF has no option of its own for
// it). Core thread only.
class RawEndpoints {
 public:
  static constexpr std::size_t capacity = config::max_raw_pcbs;
  static constexpr std::size_t queue_len = config::udp_recvmbox_size;

  explicit RawEndpoints(Pools& pools) : pools_(pools) {}
  RawEndpoints(const RawEndpoints&) = delete;
  RawEndpoints& operator=(const RawEndpoints&) = delete;

  // Unsupported for any protocol but ICMP and ICMPv6; TableFull.
  Result<RawHandle> open(std::uint8_t protocol);
  void close(RawHandle h);
  bool valid(RawHandle h) const;
  std::uint8_t protocol(RawHandle h) const { return slots_[h.slot].protocol; }
  // Only packets to `local` (unspecified: any of ours); sent from it.
  Status bind(RawHandle h, const IpAddress& local);
  // Only packets from `remote` (unspecified: from anyone again).
  Status connect(RawHandle h, const IpAddress& remote);
  IpAddress local(RawHandle h) const { return slots_[h.slot].local; }
  // ICMPv6 endpoints: the types they take (RFC 3542's struct icmp6_filter:
  // bit t of the 256 set blocks type t). Everything passes after open().
  using Icmpv6Filter = RawIcmpv6Filter;
  Status set_icmpv6_filter(RawHandle h, const Icmpv6Filter& blocked);
  Icmpv6Filter icmpv6_filter(RawHandle h) const;
  // The owner's pointer for a handle, null until set and again for the
  // next handle in the slot. Closed for a stale handle.
  Status set_user_data(RawHandle h, void* user_data);
  void* user_data(RawHandle h) const;  // null for a stale handle

  // Offers one received packet (`packet`: from its IPv4 header on, or from
  // the ICMPv6 header on) that arrived on `netif` to every open endpoint of
  // `protocol` whose filters match. Returns how many queued a copy;
  // `dropped` counts those whose queue was full or that found no buffer.
  std::size_t deliver(ConstBytes packet, std::uint8_t protocol, const IpAddress& source,
                      const IpAddress& destination, NetifId netif, std::size_t& dropped);
  // Closed for a stale handle, WouldBlock when nothing is queued. peek
  // (MSG_PEEK): the packet stays queued.
  Result<RawReceived> receive(RawHandle h, Bytes into, bool peek = false);
  bool readable(RawHandle h) const;
  std::size_t next_packet_size(RawHandle h) const;

  // Runs (inside deliver()) after a packet was queued for a handle.
  using EventCallback = void (*)(void* context, RawHandle h);
  void set_event_callback(EventCallback callback, void* context) {
    event_callback_ = callback;
    event_context_ = context;
  }

 private:
  struct Packet {
    PacketBuf data;
    IpAddress from;
    NetifId netif;
  };
  struct Slot {
    bool open = false;
    std::uint16_t generation = 1;
    std::uint8_t protocol = 0;
    IpAddress local;   // unspecified: any
    IpAddress remote;  // unspecified: any
    Icmpv6Filter blocked{};
    void* user_data = nullptr;
    PooledQueue queue;  // in packets_, at most queue_len
  };

  Pools& pools_;
  std::array<Slot, capacity> slots_{};
  // Without endpoints (CONFIG_LWIP_MAX_RAW_PCBS 0) no slot ever opens and
  // nothing is ever queued: no pool (and no entry of one) to set up.
  struct NoPackets {
    void clear(PooledQueue&) {}
    bool push(PooledQueue&, Packet&&, std::size_t) { return false; }
    const Packet& front(const PooledQueue&) const {
      static const Packet none{};
      return none;
    }
    void drop_front(PooledQueue&) {}
  };
  // Every queued packet holds a buffer of the stack's pools, so the queues
  // never need more entries than those have buffers.
  [[no_unique_address]] std::conditional_t<capacity == 0, NoPackets,
                                           QueuePool<Packet, config::frame_pool_size + config::large_pool_size>>
      packets_;
  EventCallback event_callback_ = nullptr;
  void* event_context_ = nullptr;
};

}  // namespace lwnet
