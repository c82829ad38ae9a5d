// TcpTable's listeners: listen() and accept(), and what a SYN for a
// listener does (the backlog, SYN cookies, evicting the oldest half-open
// connection under a flood). The rest of the table is in tcp_table.cpp.
#include "transport/tcp/tcp_table.h"

#include "transport/port_binding.h"
#include "transport/tcp/syn_cookie.h"
#include "transport/tcp/tcp_table_slots.h"

#include <algorithm>

namespace lwnet {

TcpTable::ListenerSlot* TcpTable::find_listener(const IpEndpoint& local,
                                                std::optional<NetifId> netif) {
  // An exact address match beats a wildcard listener on the same port.
  ListenerSlot* wildcard = nullptr;
  for (std::size_t i = 0; i < config_.max_listeners; ++i) {
    ListenerSlot& l = listeners_[i];
    if (!l.in_use || l.local.port != local.port) continue;
    if (netif && l.settings.ip.netif && *l.settings.ip.netif != *netif) continue;
    if (l.local.address == local.address) return &l;
    // A wildcard of the same family, or :: without IPV6_V6ONLY for IPv4
    // (dual stack: the connection keeps IPv4 addresses).
    if (l.local.address.is_unspecified() &&
        binding_accepts(l.local.address, l.settings.ip.v6only, local.address)) {
      wildcard = &l;
    }
  }
  return wildcard;
}

std::optional<NetifId> TcpTable::listener_netif(const IpEndpoint& local, NetifId arrived) {
  const ListenerSlot* l = find_listener(local, arrived);
  return l != nullptr ? l->settings.ip.netif : std::nullopt;
}

Result<TcpHandle> TcpTable::listen(const IpEndpoint& local, std::size_t backlog, bool reuse_address,
                                   const TcpSettings* settings) {
  if (local.port == 0) return Error::InvalidArgument;
  const bool v6only = (settings != nullptr ? *settings : config_.defaults).ip.v6only;
  if (port_in_use(local.address, local.port, reuse_address, v6only)) return Error::AddressInUse;
  for (std::size_t i = 0; i < config_.max_listeners; ++i) {
    ListenerSlot& l = listeners_[i];
    if (l.in_use) continue;
    l.in_use = true;
    l.local = local;
    // lwIP takes a backlog of 0 as 1; the accept mailbox caps it.
    l.backlog = std::clamp<std::size_t>(backlog, 1, config::tcp_acceptmbox_size);
    l.embryonic = l.ready_head = l.ready_count = 0;
    l.pending_events = 0;
    l.settings = settings != nullptr ? *settings : config_.defaults;
    if constexpr (config::tcp_syn_cookies) l.last_cookie_sent.reset();
    l.user_data = nullptr;
    return TcpHandle{static_cast<std::uint16_t>(i), l.generation, true};
  }
  return Error::TableFull;
}

TcpTable::ListenerSlot* TcpTable::listener_of(TcpHandle h) {
  if (!h.listener || h.slot >= config_.max_listeners) return nullptr;
  ListenerSlot& l = listeners_[h.slot];
  return l.in_use && l.generation == h.generation ? &l : nullptr;
}
const TcpTable::ListenerSlot* TcpTable::listener_of(TcpHandle h) const {
  return const_cast<TcpTable*>(this)->listener_of(h);
}

TcpSettings* TcpTable::listener_settings(TcpHandle listener) {
  ListenerSlot* l = listener_of(listener);
  return l != nullptr ? &l->settings : nullptr;
}

Result<TcpHandle> TcpTable::accept(TcpHandle listener) {
  ListenerSlot* l = listener_of(listener);
  if (!l) return Error::Closed;
  if (l->ready_count == 0) return Error::WouldBlock;
  const auto index = static_cast<std::uint16_t>(l->ready[l->ready_head]);
  l->ready_head = (l->ready_head + 1) % l->ready.size();
  --l->ready_count;
  ConnectionSlot& s = slots_[index];
  s.listener = no_slot;
  s.queued = false;
  s.owned = true;
  ++stats_.connections_accepted;
  return TcpHandle{index, s.generation, false};
}

std::size_t TcpTable::pending_accepts(TcpHandle listener) const {
  const ListenerSlot* l = listener_of(listener);
  return l ? l->ready_count : 0;
}

void TcpTable::send_syn_cookie(ListenerSlot& l, const IpEndpoint& local, const IpEndpoint& remote,
                               const TcpRepr& syn, std::uint16_t mss_limit, Instant now,
                               TcpOutput& out) {
  const SynCookieOptions options = syn_cookie_options(syn);
  const Seq32 cookie(make_syn_cookie(secret_, local, remote, Seq32(syn.sequence), options, now));
  const std::size_t receive =
      std::clamp<std::size_t>(l.settings.receive_buffer, 1, config_.receive_buffer_cap);
  const TcpRepr syn_ack = TcpConnection::cookie_syn_ack(syn, cookie, options, l.settings, receive,
                                                        config_.receive_buffer_cap, mss_limit, now);
  ++stats_.syn_cookies_sent;
  l.last_cookie_sent = now;
  (void)out.send_segment(local, remote, l.settings.ip, syn_ack, {}, 0, now);
}

std::optional<std::uint16_t> TcpTable::oldest_half_open(const ListenerSlot* of) const {
  std::optional<std::uint16_t> oldest;
  for (std::size_t i = 0; i < config_.max_connections; ++i) {
    const ConnectionSlot& s = slots_[i];
    if (!s.connection || s.listener == no_slot || s.queued ||
        s.connection->state() != TcpState::SynReceived) {
      continue;
    }
    if (of != nullptr && s.listener != static_cast<std::int16_t>(of - listeners_.get())) continue;
    if (!oldest || s.opened_at < slots_[*oldest].opened_at) oldest = static_cast<std::uint16_t>(i);
  }
  return oldest;
}

std::optional<std::uint16_t> TcpTable::evict_half_open(const ListenerSlot* of) {
  auto index = oldest_half_open(of);
  if (!index) return std::nullopt;
  // Silently: its peer has not answered our SYN-ACK, most likely because it
  // does not exist (a spoofed SYN); a real one that answers late gets the
  // RST any ACK for no connection gets.
  --listeners_[static_cast<std::size_t>(slots_[*index].listener)].embryonic;
  free_slot(*index);
  (void)take_buffers(*index);  // the pair it held (only TIME-WAIT lends its pair)
  ++stats_.half_open_evicted;
  return index;
}

void TcpTable::open_from_cookie(ListenerSlot& l, const IpEndpoint& local, const IpEndpoint& remote,
                                const TcpRepr& ack, const SynCookieOptions& options,
                                std::uint16_t mss_limit, Instant now, TcpOutput& out) {
  if (l.ready_count >= l.backlog) {
    ++stats_.drop_backlog_full;
    send_reset_for(remote.address, local.address, ack, now, out);
    return;
  }
  // Eviction happens here, for a peer that returned a cookie and so proved
  // it owns its address, never for a bare SYN: SYNs from spoofed sources
  // would evict each other, and every real client's handshake, faster than
  // any SYN-ACK round trip. The oldest half-open goes: the longer a
  // handshake waits, the less likely its peer exists.
  std::optional<std::uint16_t> index;
  if (l.embryonic + l.ready_count >= l.backlog) {
    index = evict_half_open(&l);  // keeps half-open + queued within the backlog
  } else {
    const std::int32_t allocated = allocate_slot(now, out);
    index = allocated != no_free_slot ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(allocated))
                                      : evict_half_open(nullptr);
  }
  if (!index) {
    ++stats_.drop_no_slot;
    send_reset_for(remote.address, local.address, ack, now, out);
    return;
  }
  ConnectionSlot& s = slots_[*index];
  emplace_connection(*index, l.settings);
  s.listener = static_cast<std::int16_t>(&l - listeners_.get());
  s.opened_at = now;
  ++l.embryonic;  // after_activity() moves it to the accept queue
  (void)s.connection->open_from_cookie(local, remote, ack, options, mss_limit, now, out);
  link(*index);
  after_activity(*index);
}

}  // namespace lwnet
