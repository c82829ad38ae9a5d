#include "ip/raw_endpoints.h"

#include <algorithm>

#include "wire/ip.h"

namespace lwnet {

Result<RawHandle> RawEndpoints::open(std::uint8_t protocol) {
  if (protocol != static_cast<std::uint8_t>(IpProtocol::Icmp) &&
      protocol != static_cast<std::uint8_t>(IpProtocol::Icmpv6)) {
    return Error::Unsupported;
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.open) continue;
    s.open = true;
    s.protocol = protocol;
    s.local = {};
    s.remote = {};
    s.blocked = {};
    s.user_data = nullptr;
    return RawHandle{static_cast<std::uint16_t>(i), s.generation};
  }
  return Error::TableFull;
}

bool RawEndpoints::valid(RawHandle h) const {
  return h.slot < slots_.size() && slots_[h.slot].open && slots_[h.slot].generation == h.generation;
}

void RawEndpoints::close(RawHandle h) {
  if (!valid(h)) return;
  Slot& s = slots_[h.slot];
  packets_.clear(s.queue);
  s.open = false;
  // Generation 0 is never handed out, so a zeroed handle is never valid.
  s.generation = static_cast<std::uint16_t>(s.generation == 0xffff ? 1 : s.generation + 1);
}

Status RawEndpoints::set_user_data(RawHandle h, void* user_data) {
  if (!valid(h)) return Error::Closed;
  slots_[h.slot].user_data = user_data;
  return {};
}

void* RawEndpoints::user_data(RawHandle h) const {
  return valid(h) ? slots_[h.slot].user_data : nullptr;
}

Status RawEndpoints::bind(RawHandle h, const IpAddress& local) {
  if (!valid(h)) return Error::Closed;
  slots_[h.slot].local = local;
  return {};
}

Status RawEndpoints::connect(RawHandle h, const IpAddress& remote) {
  if (!valid(h)) return Error::Closed;
  slots_[h.slot].remote = remote;
  return {};
}

Status RawEndpoints::set_icmpv6_filter(RawHandle h, const Icmpv6Filter& blocked) {
  if (!valid(h)) return Error::Closed;
  if (slots_[h.slot].protocol != static_cast<std::uint8_t>(IpProtocol::Icmpv6)) return Error::InvalidArgument;
  slots_[h.slot].blocked = blocked;
  return {};
}

RawEndpoints::Icmpv6Filter RawEndpoints::icmpv6_filter(RawHandle h) const {
  return valid(h) ? slots_[h.slot].blocked : Icmpv6Filter{};
}

std::size_t RawEndpoints::deliver(ConstBytes packet, std::uint8_t protocol, const IpAddress& source,
                                  const IpAddress& destination, NetifId netif, std::size_t& dropped) {
  std::size_t queued = 0;
  // ICMP6_FILTER: without IPv6 no ICMPv6 arrives, and the test is compiled out.
  const bool icmpv6 = config::ipv6 && protocol == static_cast<std::uint8_t>(IpProtocol::Icmpv6) &&
                      !packet.empty();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (!s.open || s.protocol != protocol) continue;
    if (icmpv6 && (s.blocked[packet[0] >> 5U] >> (packet[0] & 31U) & 1U) != 0) continue;
    if (!s.local.is_unspecified() && s.local != destination) continue;
    if (!s.remote.is_unspecified() && s.remote != source) continue;
    if (s.queue.size() >= queue_len) {
      ++dropped;
      continue;
    }
    std::optional<PacketBuf> copy = pools_.allocate(0, packet.size());
    if (!copy) {
      ++dropped;
      continue;
    }
    Bytes into = copy->append(packet.size());
    std::copy(packet.begin(), packet.end(), into.begin());
    if (!packets_.push(s.queue, Packet{std::move(*copy), source, netif}, queue_len)) {
      ++dropped;  // unreachable: the pool has an entry per buffer
      continue;
    }
    ++queued;
    if (event_callback_ != nullptr) {
      event_callback_(event_context_, RawHandle{static_cast<std::uint16_t>(i), s.generation});
    }
  }
  return queued;
}

Result<RawReceived> RawEndpoints::receive(RawHandle h, Bytes into, bool peek) {
  if (!valid(h)) return Error::Closed;
  Slot& s = slots_[h.slot];
  if (s.queue.empty()) return Error::WouldBlock;
  const Packet& p = packets_.front(s.queue);
  ConstBytes data = p.data.data();
  RawReceived r;
  r.size = data.size();
  r.copied = std::min(data.size(), into.size());
  std::copy_n(data.begin(), r.copied, into.begin());
  r.from = p.from;
  r.netif = p.netif;
  if (!peek) packets_.drop_front(s.queue);  // frees the buffer
  return r;
}

bool RawEndpoints::readable(RawHandle h) const { return valid(h) && !slots_[h.slot].queue.empty(); }

std::size_t RawEndpoints::next_packet_size(RawHandle h) const {
  return readable(h) ? packets_.front(slots_[h.slot].queue).data.size() : 0;
}

}  // namespace lwnet
