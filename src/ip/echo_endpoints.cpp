#include "ip/echo_endpoints.h"

#include <algorithm>

namespace lwnet {

std::uint16_t EchoEndpoints::find(std::uint16_t identifier) const {
  for (std::uint16_t s = index_.first(identifier); s != index_.none; s = index_.next(s)) {
    if (slots_[s].identifier == identifier) return s;
  }
  return index_.none;
}

Result<PingHandle> EchoEndpoints::open(std::uint16_t identifier) {
  if (find(identifier) != index_.none) return Error::AddressInUse;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (s.open) continue;
    s.open = true;
    s.identifier = identifier;
    const auto slot = static_cast<std::uint16_t>(i);
    index_.insert(identifier, slot);
    return PingHandle{slot, s.generation};
  }
  return Error::TableFull;
}

bool EchoEndpoints::valid(PingHandle h) const {
  return h.slot < slots_.size() && slots_[h.slot].open && slots_[h.slot].generation == h.generation;
}

void EchoEndpoints::close(PingHandle h) {
  if (!valid(h)) return;
  Slot& s = slots_[h.slot];
  index_.erase(s.identifier, h.slot);
  s.queue.clear();
  s.open = false;
  // Generation 0 is never handed out, so a zeroed handle is never valid.
  s.generation = static_cast<std::uint16_t>(s.generation == 0xffff ? 1 : s.generation + 1);
}

EchoEndpoints::Deliver EchoEndpoints::deliver(std::uint16_t identifier, PacketBuf&& data,
                                              const IpAddress& from, std::uint16_t sequence,
                                              std::uint8_t ttl) {
  const std::uint16_t slot = find(identifier);
  if (slot == index_.none) return Deliver::NoListener;
  Reply r{std::move(data), from, sequence, ttl};
  if (!slots_[slot].queue.push(std::move(r))) return Deliver::QueueFull;
  return Deliver::Queued;
}

Result<EchoReply> EchoEndpoints::receive(PingHandle h, Bytes into) {
  if (!valid(h)) return Error::Closed;
  Slot& s = slots_[h.slot];
  if (s.queue.empty()) return Error::WouldBlock;
  Reply r = s.queue.pop();
  ConstBytes data = r.data.data();
  EchoReply out;
  out.from = r.from;
  out.sequence = r.sequence;
  out.ttl = r.ttl;
  out.size = data.size();
  out.copied = std::min(data.size(), into.size());
  std::copy_n(data.begin(), out.copied, into.begin());
  return out;
}

}  // namespace lwnet
