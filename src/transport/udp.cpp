#include "transport/udp.h"

#include <algorithm>

#include "transport/port_binding.h"
#include "wire/udp.h"

namespace lwnet {

UdpEndpoints::UdpEndpoints(IpLayer& ip, Pools& pools, UdpStats& stats, Ipv4Stats& ipv4_stats,
                           Random& random)
    : ip_(ip), pools_(pools), stats_(stats), ipv4_stats_(ipv4_stats), random_(random) {}

UdpEndpoints::Endpoint* UdpEndpoints::get(UdpHandle h) {
  if (h.slot >= endpoints_.size()) return nullptr;
  Endpoint& e = endpoints_[h.slot];
  return e.open && e.generation == h.generation ? &e : nullptr;
}

const UdpEndpoints::Endpoint* UdpEndpoints::get(UdpHandle h) const {
  if (h.slot >= endpoints_.size()) return nullptr;
  const Endpoint& e = endpoints_[h.slot];
  return e.open && e.generation == h.generation ? &e : nullptr;
}

Result<UdpHandle> UdpEndpoints::open() {
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    Endpoint& e = endpoints_[i];
    if (e.open) continue;
    // A closed endpoint holds its defaults already (the constructor's, or
    // close()'s reset): only the flag and the first generation to set.
    if (e.generation == 0) e.generation = 1;
    e.open = true;
    return UdpHandle{static_cast<std::uint16_t>(i), e.generation};
  }
  return Error::TableFull;
}

Status UdpEndpoints::set_user_data(UdpHandle h, void* user_data) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  e->user_data = user_data;
  return {};
}

void* UdpEndpoints::user_data(UdpHandle h) const {
  const Endpoint* e = get(h);
  return e != nullptr ? e->user_data : nullptr;
}

std::size_t UdpEndpoints::open_count() const {
  return static_cast<std::size_t>(
      std::count_if(endpoints_.begin(), endpoints_.end(), [](const Endpoint& e) { return e.open; }));
}

bool UdpEndpoints::port_in_use(std::uint16_t port, const IpAddress& address, const Endpoint& binder,
                               bool reuse) const {
  for (std::uint16_t s = by_port_.first(port); s != by_port_.none; s = by_port_.next(s)) {
    const Endpoint& e = endpoints_[s];
    if (e.local_port != port) continue;
    // Linux: every one of them asked (never set without CONFIG_LWIP_SO_REUSE,
    // which says so at compile time).
    if (config::so_reuse && reuse && e.reuse_address) continue;
    // Each takes only its netif's datagrams.
    if (binder.netif && e.netif && *binder.netif != *e.netif) continue;
    if (bindings_overlap(e.local_address, e.v6only, address, binder.v6only)) return true;
  }
  return false;
}

Status UdpEndpoints::bind_slot(std::uint16_t slot, const IpAddress& address, std::uint16_t port) {
  const Endpoint& binder = endpoints_[slot];
  if (port == 0) {
    constexpr std::uint32_t count = ephemeral_port_last - ephemeral_port_first + 1U;
    const std::uint32_t start = random_.below(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      const auto candidate = static_cast<std::uint16_t>(ephemeral_port_first + (start + i) % count);
      if (!port_in_use(candidate, address, binder, false)) {
        port = candidate;
        break;
      }
    }
    if (port == 0) return Error::AddressInUse;
  } else if (port_in_use(port, address, binder, binder.reuse_address)) {
    return Error::AddressInUse;
  }
  Endpoint& e = endpoints_[slot];
  e.bind_order = binds_++;
  e.bound = true;
  e.local_address = address;
  e.local_port = port;
  by_port_.insert(port, slot);
  return {};
}

Status UdpEndpoints::bind_implicitly(std::uint16_t slot, const IpAddress& peer) {
  const Endpoint& e = endpoints_[slot];
  // IPv4 only: the address bind() named, or 0.0.0.0, which is what the
  // peer's family gives: bound as it is, with no copy made.
  if constexpr (!config::ipv6) return bind_slot(slot, e.local_address, 0);
  // An address bind() named stays after disconnect() gave its port back.
  return bind_slot(slot, e.local_address.is_unspecified() ? any_of_family(unmap_v4(peer)) : e.local_address, 0);
}

Status UdpEndpoints::bind(UdpHandle h, const IpEndpoint& local) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (e->bound) return Error::InvalidArgument;
  const IpAddress unmapped = unmap_v4(local.address);
  const IpAddress& a = config::ipv6 ? unmapped : local.address;  // IPv4 only: nothing mapped
  // Ours, a group, or a broadcast address (Linux's too): bound to one, the
  // endpoint gets what is sent to it and sends from the netif's address.
  const bool broadcast = core_is_v4(a) && ip_.is_broadcast(a.v4());
  if (!a.is_unspecified() && !a.is_multicast() && !broadcast && !ip_.is_local(a)) {
    return Error::AddressNotAvailable;
  }
  Status bound = bind_slot(h.slot, local.address, local.port);
  if (bound) {
    e->sends_from_netif = a.is_multicast() || broadcast;
    e->port_chosen = local.port != 0;
  }
  return bound;
}

Status UdpEndpoints::connect(UdpHandle h, const IpEndpoint& remote) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (remote.port == 0 || remote.address.is_unspecified()) return Error::InvalidArgument;
  // A broadcast peer needs SO_BROADCAST already (Linux refuses the
  // connect(), as send_to() refuses the datagram). A destination without a
  // route is taken: its datagrams fail when sent.
  if (!e->broadcast) {
    const IpAddress destination = unmap_v4(remote.address);
    bool broadcast = core_is_v4(destination) && destination.v4().is_broadcast();  // 255.255.255.255
    if (!broadcast) {
      const Result<IpRoute> route = ip_.route(destination, IpAddress{}, e->netif);
      broadcast = route && route->broadcast;  // a netif's subnet broadcast
    }
    if (broadcast) return Error::InvalidArgument;
  }
  if (!e->bound) {
    Status s = bind_implicitly(h.slot, remote.address);
    if (!s) return s;
  }
  e->connected = true;
  e->error.reset();
  e->remote_address = remote.address;
  e->remote_port = remote.port;
  e->remote_scope_id = remote.scope_id;
  return {};
}

Status UdpEndpoints::disconnect(UdpHandle h) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  e->connected = false;
  e->remote_address = {};
  e->remote_port = 0;
  e->remote_scope_id = 0;
  e->error.reset();
  if (e->bound && !e->port_chosen) {
    by_port_.erase(e->local_port, h.slot);
    e->bound = false;
    e->local_port = 0;
  }
  return {};
}

Result<IpEndpoint> UdpEndpoints::local(UdpHandle h) const {
  const Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  // Connected from a wildcard: the address its datagrams leave from (the
  // route's choice, as send_to() makes it), which is how programs learn
  // their outgoing address (Linux picks it at connect()).
  if (e->connected && !e->sends_from_netif && e->local_address.is_unspecified()) {
    const IpAddress remote = unmap_v4(e->remote_address);
    const IpAddress from = core_is_v4(remote) ? IpAddress{e->multicast_interface} : IpAddress{};
    if (Result<IpRoute> route = ip_.route(remote, remote.is_multicast() ? from : IpAddress{}, e->netif)) {
      return IpEndpoint{route->source, e->local_port};
    }
  }
  return IpEndpoint{e->local_address, e->local_port};
}

std::size_t UdpEndpoints::endpoint_object_size() { return sizeof(Endpoint); }

Status UdpEndpoints::send_to(UdpHandle h, ConstBytes payload, const IpEndpoint& to, Instant now) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (to.port == 0 || to.address.is_unspecified()) return Error::InvalidArgument;
  if (payload.size() > udp_max_payload) return Error::TooBig;
  if (!e->bound) {
    Status s = bind_implicitly(h.slot, to.address);
    if (!s) return s;
  }
  // An IPv6 endpoint reaches IPv4 peers through mapped addresses (none in
  // an IPv4-only build: `to` itself, no copy).
  const IpAddress unmapped = unmap_v4(to.address);
  const IpAddress& destination = config::ipv6 ? unmapped : to.address;
  const bool multicast = destination.is_multicast();
  // A multicast- or broadcast-bound endpoint sends from the netif's own
  // address.
  IpAddress source = e->sends_from_netif ? IpAddress{} : unmap_v4(e->local_address);
  // IP_MULTICAST_IF picks the netif through its address (source routing).
  if (multicast && source.is_unspecified() && core_is_v4(destination)) source = e->multicast_interface;
  // A scope id (sin6_scope_id: the netif's id + 1) picks the netif of a
  // link-local or link-scope multicast destination, unless bound to one;
  // IPV6_MULTICAST_IF names the netif of multicast ones.
  std::optional<NetifId> via = e->netif;
  if (!via && to.scope_id != 0 && core_is_v6(destination)) {
    if (to.scope_id > 256) return Error::NoRoute;
    via = NetifId{static_cast<std::uint8_t>(to.scope_id - 1U)};
  }
  if (multicast && core_is_v6(destination) && !via) via = e->multicast_netif_v6;
  Result<IpRoute> route = ip_.route(destination, source, via);
  if (!route) {
    ++ipv4_stats_.drop_no_route;
    return route.error();
  }
  IpRoute& r = *route;  // checked once (each -> checks again where checks are built)
  if (r.broadcast && !e->broadcast) return Error::InvalidArgument;  // SO_BROADCAST
  if (e->broadcast_from_unspecified && core_is_v4(destination) && destination.v4().is_broadcast()) {
    r.source = IpAddress(Ipv4Address::any());
  }

  const std::size_t length = UdpRepr::header_len + payload.size();
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (!buf) {
    ++stats_.drop_no_buffer;
    return Error::NoBuffers;
  }
  Bytes datagram = buf->append(length);
  std::copy(payload.begin(), payload.end(), datagram.begin() + UdpRepr::header_len);
  UdpRepr udp;
  udp.source_port = e->local_port;
  udp.destination_port = to.port;
  udp.emit(datagram, r.source, destination, !e->no_checksum);

  IpSendOptions options;
  options.protocol = IpProtocol::Udp;
  options.hop_limit = multicast ? std::optional<std::uint8_t>(e->multicast_ttl) : e->ttl;
  options.multicast_loop = multicast && !e->no_multicast_loop;
  options.tos = e->tos;
  Status s = ip_.output(std::move(*buf), r, destination, options, now);
  if (s) ++stats_.tx;
  return s;
}

Status UdpEndpoints::send(UdpHandle h, ConstBytes payload, Instant now) {
  const Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (!e->connected) return Error::NotConnected;
  return send_to(h, payload, IpEndpoint{e->remote_address, e->remote_port, e->remote_scope_id}, now);
}

Result<UdpReceived> UdpEndpoints::receive(UdpHandle h, Bytes into, bool keep) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (e->queue.empty()) return Error::WouldBlock;
  // Filled in the Result the caller gets, not built aside and copied.
  return Result<UdpReceived>::filled([&](UdpReceived& r) {
    const Datagram& d = datagrams_.front(e->queue);
    ConstBytes data = d.payload.data();
    const std::size_t copied = std::min(data.size(), into.size());
    std::copy_n(data.begin(), copied, into.begin());
    r.size = data.size();
    r.copied = copied;
    r.from = IpEndpoint{d.from_address, d.from_port};
    r.to = d.to;
    r.netif = d.netif;
    if (!keep) {
      e->queued_bytes -= data.size();
      datagrams_.drop_front(e->queue);  // frees the datagram's buffer
    }
  });
}

bool UdpEndpoints::readable(UdpHandle h) const {
  const Endpoint* e = get(h);
  return e != nullptr && !e->queue.empty();
}

std::size_t UdpEndpoints::next_datagram_size(UdpHandle h) const {
  const Endpoint* e = get(h);
  return e != nullptr && !e->queue.empty() ? datagrams_.front(e->queue).payload.size() : 0;
}

void UdpEndpoints::set_receive_buffer(UdpHandle h, std::size_t bytes) {
  if (Endpoint* e = get(h)) e->receive_buffer = bytes;
}

void UdpEndpoints::set_broadcast(UdpHandle h, bool allowed) {
  if (Endpoint* e = get(h)) e->broadcast = allowed;
}

void UdpEndpoints::set_broadcast_from_unspecified(UdpHandle h, bool on) {
  if (Endpoint* e = get(h)) e->broadcast_from_unspecified = on;
}

void UdpEndpoints::set_ttl(UdpHandle h, std::uint8_t ttl) {
  if (Endpoint* e = get(h)) e->ttl = ttl == 0 ? std::nullopt : std::optional<std::uint8_t>(ttl);
}

void UdpEndpoints::set_checksum(UdpHandle h, bool send_checksum) {
  if (Endpoint* e = get(h)) e->no_checksum = !send_checksum;
}

void UdpEndpoints::set_tos(UdpHandle h, std::uint8_t tos) {
  if (Endpoint* e = get(h)) e->tos = tos;
}

Status UdpEndpoints::set_v6only(UdpHandle h, bool v6only) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  e->v6only = v6only;
  return {};
}

Status UdpEndpoints::bind_netif(UdpHandle h, std::optional<NetifId> netif) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (netif && ip_.netifs().get(*netif) == nullptr) return Error::InvalidArgument;
  e->netif = netif;
  return {};
}

std::optional<NetifId> UdpEndpoints::bound_netif(UdpHandle h) const {
  const Endpoint* e = get(h);
  return e != nullptr ? e->netif : std::nullopt;
}

void UdpEndpoints::set_reuse_address(UdpHandle h, bool reuse) {
  if (Endpoint* e = get(h)) e->reuse_address = config::so_reuse && reuse;
}

std::optional<NetifId> UdpEndpoints::multicast_netif(Ipv4Address interface) const {
  const NetifTable& netifs = ip_.netifs();
  if (interface.is_unspecified()) return netifs.default_netif();
  return netifs.find_by_address(interface);
}

Status UdpEndpoints::join_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now) {
  if (get(h) == nullptr) return Error::Closed;
  if (!group.is_multicast()) return Error::InvalidArgument;
  const std::optional<NetifId> netif = multicast_netif(interface);
  if (!netif) return Error::NoRoute;
  return join_on(h, IpAddress(group), *netif, now);
}

Status UdpEndpoints::join_group_v6(UdpHandle h, const Ipv6Address& group, std::optional<NetifId> netif,
                                   Instant now) {
  if (get(h) == nullptr) return Error::Closed;
  if (!config::ipv6 || !group.is_multicast()) return Error::InvalidArgument;
  // Interface index 0: the netif of the route to the group, as Linux does;
  // with no netif up there is no such route (Linux: ENODEV).
  const bool chosen_by_route = !netif;
  if (chosen_by_route) netif = ipv6_multicast_netif(ip_.netifs());
  if (!netif || ip_.netifs().get(*netif) == nullptr) return Error::NoRoute;
  if (chosen_by_route && !ip_.netifs()[*netif].up) return Error::NoRoute;
  return join_on(h, IpAddress(group), *netif, now);
}

Status UdpEndpoints::join_on(UdpHandle h, const IpAddress& group, NetifId netif, Instant now) {
  Membership* free = nullptr;
  for (Membership& m : memberships_) {
    if (!m.used) {
      if (free == nullptr) free = &m;
      continue;
    }
    if (m.slot == h.slot && m.netif == netif && m.group == group) return Error::AddressInUse;
  }
  if (free == nullptr) return Error::NoBuffers;
  const Status joined = ip_join(netif, group, now);
  if (!joined) return joined.error() == Error::TableFull ? Error::NoBuffers : joined.error();
  *free = Membership{true, h.slot, netif, group};
  return {};
}

Status UdpEndpoints::ip_join(NetifId netif, const IpAddress& group, Instant now) {
  if (core_is_v4(group)) return ip_.igmp_join(netif, group.v4(), now);
  if constexpr (config::ipv6) return ip_.mld_join(netif, group.v6(), now);
  return Error::Unsupported;
}

Status UdpEndpoints::ip_leave(NetifId netif, const IpAddress& group, Instant now) {
  if (core_is_v4(group)) return ip_.igmp_leave(netif, group.v4(), now);
  if constexpr (config::ipv6) return ip_.mld_leave(netif, group.v6(), now);
  return Error::Unsupported;
}

Status UdpEndpoints::leave_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now) {
  if (get(h) == nullptr) return Error::Closed;
  if (!group.is_multicast()) return Error::InvalidArgument;
  std::optional<NetifId> netif;
  if (!interface.is_unspecified()) {
    netif = ip_.netifs().find_by_address(interface);
    if (!netif) return Error::AddressNotAvailable;
  }
  return leave_on(h, IpAddress(group), netif, now);
}

Status UdpEndpoints::leave_group_v6(UdpHandle h, const Ipv6Address& group, std::optional<NetifId> netif,
                                    Instant now) {
  if (get(h) == nullptr) return Error::Closed;
  if (!group.is_multicast()) return Error::InvalidArgument;
  return leave_on(h, IpAddress(group), netif, now);
}

Status UdpEndpoints::leave_on(UdpHandle h, const IpAddress& group, std::optional<NetifId> netif,
                              Instant now) {
  for (Membership& m : memberships_) {
    if (!m.used || m.slot != h.slot || m.group != group || (netif && m.netif != *netif)) continue;
    m.used = false;
    return ip_leave(m.netif, group, now);
  }
  return Error::AddressNotAvailable;
}

Status UdpEndpoints::set_multicast_netif_v6(UdpHandle h, std::optional<NetifId> netif) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (netif && ip_.netifs().get(*netif) == nullptr) return Error::NoRoute;
  e->multicast_netif_v6 = netif;
  return {};
}

Status UdpEndpoints::set_multicast_interface(UdpHandle h, Ipv4Address interface) {
  Endpoint* e = get(h);
  if (e == nullptr) return Error::Closed;
  if (!interface.is_unspecified() && !ip_.netifs().find_by_address(interface)) {
    return Error::AddressNotAvailable;
  }
  e->multicast_interface = interface;
  return {};
}

void UdpEndpoints::set_multicast_ttl(UdpHandle h, std::uint8_t ttl) {
  if (Endpoint* e = get(h)) e->multicast_ttl = ttl;
}

void UdpEndpoints::set_multicast_loop(UdpHandle h, bool loop) {
  if (Endpoint* e = get(h)) e->no_multicast_loop = !loop;
}

void UdpEndpoints::close(UdpHandle h, Instant now) {
  Endpoint* e = get(h);
  if (e == nullptr) return;
  for (Membership& m : memberships_) {
    if (!m.used || m.slot != h.slot) continue;
    m.used = false;
    (void)ip_leave(m.netif, m.group, now);
  }
  if (e->bound) by_port_.erase(e->local_port, h.slot);
  datagrams_.clear(e->queue);
  // Back to every default (closed, unbound, unconnected, no options), so
  // that open() has nothing to reset. Generation 0 is never handed out, so
  // a zeroed handle is never valid.
  const auto generation = static_cast<std::uint16_t>(e->generation == 0xffff ? 1 : e->generation + 1);
  *e = Endpoint{};
  e->generation = generation;
}

void UdpEndpoints::input(IpDelivery&& d, Instant now) {
  ++stats_.rx;
  Result<UdpRepr> parsed =
      UdpRepr::parse(d.packet.data(), d.source, d.destination,
                     config::checksum_check_udp && !d.packet.checksum_trusted());
  if (!parsed) {
    switch (parsed.error()) {
      case Error::Truncated: ++stats_.drop_truncated; break;
      case Error::BadChecksum: ++stats_.drop_bad_checksum; break;
      default: ++stats_.drop_malformed; break;
    }
    return;
  }
  const UdpRepr& udp = *parsed;
  const std::uint16_t port = udp.destination_port;

  // The best match: the highest score, then the first bound.
  std::uint16_t best = by_port_.none;
  int best_score = -1;
  // CONFIG_LWIP_SO_REUSE_RXTOALL: a broadcast or multicast datagram goes to
  // every endpoint that matches, each with its own copy.
  const bool to_all = config::so_reuse_rxtoall && d.broadcast;
  std::size_t matches = 0;
  for (std::uint16_t s = by_port_.first(port); s != by_port_.none; s = by_port_.next(s)) {
    const int score = match(endpoints_[s], d, udp.source_port, port);
    if (score < 0) continue;
    ++matches;
    if (score > best_score ||
        (score == best_score && endpoints_[s].bind_order < endpoints_[best].bind_order)) {
      best = s;
      best_score = score;
    }
  }
  if (best == by_port_.none) {
    ++stats_.drop_no_port;
    ip_.reject_port(d, now);
    return;
  }
  const std::uint16_t source_port = udp.source_port;
  const std::size_t length = udp.payload.size();
  d.packet.consume(UdpRepr::header_len);
  d.packet.truncate(length);
  if (to_all && matches > 1) {
    // Copies for every other match; the best one keeps the original.
    for (std::uint16_t s = by_port_.first(port); s != by_port_.none; s = by_port_.next(s)) {
      if (s == best || match(endpoints_[s], d, source_port, port) < 0) continue;
      std::optional<PacketBuf> copy = pools_.allocate(0, length);
      if (!copy) {
        ++stats_.drop_no_buffer;
        continue;
      }
      ConstBytes payload = d.packet.data();
      std::copy(payload.begin(), payload.end(), copy->append(length).begin());
      (void)enqueue(s, std::move(*copy), d, source_port);
    }
  }
  (void)enqueue(best, std::move(d.packet), d, source_port);
}

int UdpEndpoints::match(const Endpoint& e, const IpDelivery& d, std::uint16_t source_port,
                        std::uint16_t destination_port) const {
  if (e.local_port != destination_port) return -1;
  // SO_BINDTODEVICE: only what arrived on that netif.
  if (e.netif && *e.netif != d.netif) return -1;
  // Connected to this source (8) over bound to this address or this netif
  // (2 each) over bound to any address on any netif (0). Linux weighs the
  // netif as the address: with SO_REUSEADDR, an endpoint bound to the
  // netif a datagram came in on takes it before an unbound one.
  int score = e.netif ? 2 : 0;
  if (e.local_address.is_unspecified()) {
    if (!binding_accepts(e.local_address, e.v6only, d.destination)) return -1;
  } else {
    // A broadcast reaches endpoints bound to the address of the netif it
    // came in on; a multicast only those bound to the group (or to any).
    const Netif& netif = ip_.netifs()[d.netif];
    const bool matches = unmapped_equals(e.local_address, d.destination) ||
                         (d.broadcast && !d.destination.is_multicast() && netif.has_ipv4 &&
                          e.local_address == IpAddress(netif.address));
    if (!matches) return -1;
    score += 2;
  }
  if (e.connected) {
    if (!unmapped_equals(e.remote_address, d.source) || e.remote_port != source_port) return -1;
    score += 8;
  }
  return score;
}

bool UdpEndpoints::enqueue(std::uint16_t slot, PacketBuf&& payload, const IpDelivery& d,
                           std::uint16_t source_port) {
  Endpoint& e = endpoints_[slot];
  const std::size_t size = payload.size();
  if (e.receive_buffer != 0 && e.queued_bytes + size > e.receive_buffer) {
    ++stats_.drop_queue_full;
    return false;
  }
  Datagram* datagram = datagrams_.push_default(e.queue, config::udp_recvmbox_size);
  if (datagram == nullptr) {
    ++stats_.drop_queue_full;
    return false;
  }
  datagram->payload = std::move(payload);
  datagram->from_address = d.source;
  datagram->from_port = source_port;
  datagram->to = d.destination;
  datagram->netif = d.netif;
  e.queued_bytes += size;
  ++stats_.rx_delivered;
  if (event_callback_ != nullptr) event_callback_(event_context_, UdpHandle{slot, e.generation});
  return true;
}

void UdpEndpoints::icmp_error(const IcmpErrorReport& report) {
  if (!report.hard) return;
  const IpAddress& local = report.local.address;
  const IpAddress& remote = report.remote.address;
  for (std::uint16_t s = by_port_.first(report.local.port); s != by_port_.none; s = by_port_.next(s)) {
    Endpoint& e = endpoints_[s];
    if (e.local_port != report.local.port || !e.connected) continue;
    if (!unmapped_equals(e.remote_address, remote) || e.remote_port != report.remote.port) continue;
    if (!e.local_address.is_unspecified() && !e.local_address.is_multicast() &&
        !unmapped_equals(e.local_address, local)) {
      continue;
    }
    e.error = report.error;
    if (event_callback_ != nullptr) event_callback_(event_context_, UdpHandle{s, e.generation});
  }
}

std::optional<Error> UdpEndpoints::take_error(UdpHandle h) {
  Endpoint* e = get(h);
  if (e == nullptr) return std::nullopt;
  std::optional<Error> error = e->error;
  e->error.reset();
  return error;
}

bool UdpEndpoints::has_error(UdpHandle h) const {
  const Endpoint* e = get(h);
  return e != nullptr && e->error.has_value();
}

}  // namespace lwnet
