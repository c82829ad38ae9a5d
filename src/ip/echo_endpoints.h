// ICMP echo endpoints: what the Stack's ping API (and later raw ICMP
// sockets) receive echo replies through, matched by identifier.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "util/fixed_queue.h"
#include "ip/ping_handle.h"
#include "util/slot_index.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// CONFIG_LWIP_MAX_RAW_PCBS endpoints; each identifier is open at most once.
// Core thread only.
class EchoEndpoints {
 public:
  static constexpr std::size_t capacity = config::max_raw_pcbs;
  static constexpr std::size_t queue_len = 4;

  // AddressInUse when `identifier` is open already; TableFull.
  Result<PingHandle> open(std::uint16_t identifier);
  void close(PingHandle h);
  bool valid(PingHandle h) const;
  // The identifier of an open handle (the caller checked valid()).
  std::uint16_t identifier(PingHandle h) const { return slots_[h.slot].identifier; }

  enum class Deliver : std::uint8_t { Queued, NoListener, QueueFull };
  // Queues an echo reply; `data` is the ICMP data (after the 8-byte header).
  Deliver deliver(std::uint16_t identifier, PacketBuf&& data, const IpAddress& from,
                  std::uint16_t sequence, std::uint8_t ttl);
  // Closed for a stale handle, WouldBlock when nothing is queued.
  Result<EchoReply> receive(PingHandle h, Bytes into);

 private:
  struct Reply {
    PacketBuf data;
    IpAddress from;
    std::uint16_t sequence = 0;
    std::uint8_t ttl = 0;
  };
  struct Slot {
    bool open = false;
    std::uint16_t generation = 1;
    std::uint16_t identifier = 0;
    FixedQueue<Reply, queue_len> queue;
  };
  std::uint16_t find(std::uint16_t identifier) const;

  std::array<Slot, capacity> slots_{};
  SlotIndex<capacity> index_;
};

}  // namespace lwnet
