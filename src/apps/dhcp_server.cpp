#include "apps/dhcp_server.h"

#include <algorithm>
#include <tuple>

#include "apps/whole_datagrams.h"

namespace lwnet {

namespace {

// How long an OFFER holds its address for the client's REQUEST.
constexpr Duration offer_hold = Duration::seconds(60);

std::uint32_t mask_of(std::uint8_t prefix_len) {
  return prefix_len == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_len);
}

}  // namespace

DhcpServer::DhcpServer(NetifId netif) : netif_(netif) {}

DhcpServer::~DhcpServer() {
  if (stack_ != nullptr) stop(*stack_);
}

std::pair<Ipv4Address, Ipv4Address> DhcpServer::default_pool(Ipv4Address server, std::uint8_t prefix_len) {
  const std::uint32_t mask = mask_of(prefix_len);
  const std::uint32_t first = (server.value & mask) + 1;
  const std::uint32_t last = (server.value | ~mask) - 1;
  if (prefix_len > 30 || server.value < first || server.value > last) return {server, server};
  const std::uint32_t above = last - server.value;
  const std::uint32_t below = server.value - first;
  if (above >= below) {
    return {Ipv4Address{server.value + 1},
            Ipv4Address{server.value + std::min<std::uint32_t>(above, max_pool_size)}};
  }
  return {Ipv4Address{server.value - std::min<std::uint32_t>(below, max_pool_size)}, Ipv4Address{server.value - 1}};
}

Status DhcpServer::start(Stack& stack, const DhcpServerConfig& config, Instant now) {
  if constexpr (!config::ipv4) return Error::Unsupported;  // an IPv6-only build
  (void)now;
  Result<NetifInfo> info = stack.netif_info(netif_);
  if (!info || info->is_loopback || !info->ipv4) return Error::InvalidArgument;
  const Ipv4Address server = info->ipv4->address.v4();
  const std::uint8_t prefix_len = info->ipv4->prefix_len;
  Ipv4Address start_address = config.pool_start;
  Ipv4Address end_address = config.pool_end;
  if (start_address.is_unspecified() && end_address.is_unspecified()) {
    std::tie(start_address, end_address) = default_pool(server, prefix_len);
  }
  const std::uint32_t mask = mask_of(prefix_len);
  const std::uint32_t first = (server.value & mask) + 1;
  const std::uint32_t last = (server.value | ~mask) - 1;
  if (prefix_len > 30 || start_address.value > end_address.value || start_address.value < first ||
      end_address.value > last || (start_address.value <= server.value && server.value <= end_address.value) ||
      end_address.value - start_address.value + 1 > max_pool_size || config.lease_units == 0 ||
      config.lease_units > UINT32_MAX / config::dhcps_lease_unit_secs ||
      config.captive_portal_uri.size() > max_uri_len) {
    return Error::InvalidArgument;
  }
  if (stack_ != nullptr) {
    if (handle_) stack_->udp_close(*handle_);
    handle_.reset();
    stack_->detach_app(*this);
    stack_ = nullptr;
  }
  Result<UdpHandle> handle = stack.udp_open();
  if (!handle) return handle.error();
  stack.udp_set_reuse_address(*handle, true);
  stack.udp_set_broadcast(*handle, true);
  Status s = stack.udp_bind_netif(*handle, netif_);
  if (s) s = stack.udp_bind(*handle, IpEndpoint{IpAddress(Ipv4Address::any()), DhcpRepr::server_port});
  if (s) s = stack.attach_app(*this);
  if (!s) {
    stack.udp_close(*handle);
    return s;
  }
  handle_ = *handle;
  stack_ = &stack;
  config_ = config;
  uri_len_ = config.captive_portal_uri.size();
  std::copy(config.captive_portal_uri.begin(), config.captive_portal_uri.end(), uri_.begin());
  config_.captive_portal_uri = {};
  server_ = server;
  prefix_len_ = prefix_len;
  pool_start_ = start_address;
  pool_end_ = end_address;
  // Clients outside a changed pool lose their entries.
  for (Entry& e : entries_) {
    if (e.used && !in_pool(e.client.address)) forget(stack, e);
  }
  return {};
}

void DhcpServer::stop(Stack& stack) {
  for (Entry& e : entries_) {
    if (e.used) forget(stack, e);
  }
  if (handle_) stack.udp_close(*handle_);
  handle_.reset();
  stack.detach_app(*this);
  stack_ = nullptr;
}

void DhcpServer::set_assigned_callback(AssignedCallback callback, void* context) {
  callback_ = callback;
  callback_context_ = context;
}

DhcpServer::Entry* DhcpServer::find(const DhcpRepr& request) {
  const ConstBytes id = request.client_id;
  for (Entry& e : entries_) {
    if (!e.used) continue;
    if (id.empty()) {
      // A client that sends no identifier never takes the lease of one
      // that did, even from the same chaddr: they are two clients.
      if (e.client.client_id_len == 0 && e.client.mac == request.client_mac) return &e;
      continue;
    }
    const std::size_t kept = std::min(id.size(), DhcpServerClient::max_client_id_len);
    if (e.client.client_id_len == id.size() && std::equal(id.begin(), id.begin() + static_cast<std::ptrdiff_t>(kept),
                                                          e.client.client_id.begin())) {
      return &e;
    }
  }
  return nullptr;
}
const DhcpServer::Entry* DhcpServer::find(const MacAddress& mac) const {
  for (const Entry& e : entries_) {
    if (e.used && e.client.mac == mac) return &e;
  }
  return nullptr;
}
DhcpServer::Entry* DhcpServer::holder(Ipv4Address address) {
  for (Entry& e : entries_) {
    if (e.used && e.client.address == address) return &e;
  }
  return nullptr;
}

std::optional<Ipv4Address> DhcpServer::address_of(const MacAddress& mac) const {
  const Entry* e = find(mac);
  if (e == nullptr) return std::nullopt;
  return e->client.address;
}
const DhcpServerClient* DhcpServer::client(const MacAddress& mac) const {
  const Entry* e = find(mac);
  return e != nullptr ? &e->client : nullptr;
}
std::size_t DhcpServer::clients(std::span<DhcpServerClient> out) const {
  std::size_t n = 0;
  for (const Entry& e : entries_) {
    if (e.used && e.client.mac.is_unicast() && n < out.size()) out[n++] = e.client;
  }
  return n;
}
std::size_t DhcpServer::client_count() const {
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                [](const Entry& e) { return e.used && e.client.mac.is_unicast(); }));
}

void DhcpServer::forget(Stack& stack, Entry& e) {
  if (config::dhcps_static_entries && e.client.mac.is_unicast()) (void)stack.arp_remove(netif_, e.client.address);
  e = Entry{};
}

void DhcpServer::expire(Stack& stack, Instant now) {
  for (Entry& e : entries_) {
    if (e.used && e.client.expires <= now) forget(stack, e);
  }
}

Instant DhcpServer::next_deadline() const {
  Instant d = Instant::max();
  for (const Entry& e : entries_) {
    if (e.used) d = std::min(d, e.client.expires);
  }
  return d;
}

DhcpServer::Entry* DhcpServer::allocate(Stack& stack, const DhcpRepr& request, std::optional<Ipv4Address> wanted,
                                        Instant now) {
  Ipv4Address address;
  if (wanted && in_pool(*wanted) && holder(*wanted) == nullptr) {
    address = *wanted;
  } else {
    for (std::uint32_t a = pool_start_.value; a <= pool_end_.value; ++a) {
      if (holder(Ipv4Address{a}) == nullptr) {
        address = Ipv4Address{a};
        break;
      }
    }
  }
  Entry* slot = nullptr;
  for (Entry& e : entries_) {
    if (!e.used) {
      slot = &e;
      break;
    }
  }
  if (slot == nullptr || address.is_unspecified()) {
    // CONFIG_LWIP_DHCPS_MAX_STATION_NUM entries, or the whole pool, are
    // taken. An entry that is no lease (an offer nobody took up, a
    // declined address) makes room, the one with the least time left. A
    // live lease never does: its client still uses the address, and
    // offering it again would put it on two hosts (ESP-IDF's server drops
    // the oldest client, bound or not). Expired leases are gone already
    // (expire() runs first).
    const bool needs_address = address.is_unspecified();
    Entry* victim = nullptr;
    for (Entry& e : entries_) {
      if (!e.used || e.client.bound || (needs_address && !in_pool(e.client.address))) continue;
      if (victim == nullptr || e.client.expires < victim->client.expires) victim = &e;
    }
    if (victim == nullptr) return nullptr;
    if (needs_address) address = victim->client.address;
    forget(stack, *victim);
    ++stats_.evicted;
    slot = victim;
  }
  slot->used = true;
  slot->client = DhcpServerClient{};
  slot->client.mac = request.client_mac;
  // RFC 2132 9.14: at most 255 bytes, as the option's length byte allows.
  const std::size_t id_len = std::min<std::size_t>(request.client_id.size(), 255);
  slot->client.client_id_len = static_cast<std::uint8_t>(id_len);
  std::copy_n(request.client_id.begin(), std::min(id_len, DhcpServerClient::max_client_id_len),
              slot->client.client_id.begin());
  slot->client.address = address;
  slot->client.expires = now + offer_hold;
  return slot;
}

void DhcpServer::poll(Stack& stack, Instant now) {
  expire(stack, now);
  receive_whole_datagrams(stack, handle_, Bytes(rx_.data(), rx_.size()), stats_.drop_malformed,
                          [&](ConstBytes datagram, const UdpReceived& got) {
                            Result<DhcpRepr> request = DhcpRepr::parse(datagram);
                            if (!request || request->is_reply || !request->client_mac.is_unicast()) {
                              ++stats_.drop_malformed;
                              return;
                            }
                            handle(stack, *request, got.to == IpAddress(server_), now);
                          });
}

void DhcpServer::handle(Stack& stack, const DhcpRepr& m, bool unicast, Instant now) {
  if (!m.relay_ip.is_unspecified()) {
    ++stats_.drop_unexpected;  // relays are not served (ESP-IDF's server does not either)
    return;
  }
  switch (m.message_type) {
    case DhcpMessageType::Discover:
      ++stats_.rx_discover;
      on_discover(stack, m, now);
      return;
    case DhcpMessageType::Request:
      ++stats_.rx_request;
      on_request(stack, m, unicast, now);
      return;
    case DhcpMessageType::Decline: {
      ++stats_.rx_decline;
      Entry* e = find(m);
      if (e == nullptr || (m.server_identifier && *m.server_identifier != server_)) return;
      // Someone else uses the address: keep it out of the pool for a lease
      // time, held by no client.
      forget(stack, *e);
      e->used = true;
      e->client.address = m.requested_ip.value_or(Ipv4Address{});
      e->client.expires = now + Duration::seconds(lease_seconds());
      if (e->client.address.is_unspecified()) *e = Entry{};
      return;
    }
    case DhcpMessageType::Release: {
      ++stats_.rx_release;
      Entry* e = find(m);
      if (e != nullptr && e->client.address == m.client_ip) forget(stack, *e);
      return;
    }
    case DhcpMessageType::Inform:
      ++stats_.rx_inform;
      on_inform(stack, m, now);
      return;
    default:
      ++stats_.drop_unexpected;
      return;
  }
}

void DhcpServer::on_discover(Stack& stack, const DhcpRepr& m, Instant now) {
  Entry* e = find(m);
  if (e == nullptr) {
    e = allocate(stack, m, m.requested_ip, now);
    if (e == nullptr) {
      ++stats_.pool_exhausted;
      return;
    }
  } else {
    follow_mac(stack, *e, m.client_mac);
    if (!e->client.bound) e->client.expires = now + offer_hold;
  }
  reply(stack, m, DhcpMessageType::Offer, e->client.address, now);
}

void DhcpServer::on_request(Stack& stack, const DhcpRepr& m, bool unicast, Instant now) {
  Entry* e = find(m);
  if (m.server_identifier && *m.server_identifier != server_) {
    // The client took another server's offer: free ours.
    if (e != nullptr && !e->client.bound) forget(stack, *e);
    return;
  }
  const Ipv4Address wanted = m.requested_ip.value_or(m.client_ip);
  if (wanted.is_unspecified()) {
    ++stats_.drop_malformed;
    return;
  }
  if (e == nullptr) {
    // INIT-REBOOT, or a server restart: grant the address when it is free.
    // RFC 2131 4.3.2: NAK an address on another network or another
    // client's. Of one in our subnet outside the pool (a static address,
    // another server's range) a server with no record of the client knows
    // nothing: to a broadcast that names no server (INIT-REBOOT,
    // REBINDING) it stays silent, so that servers that do not talk to each
    // other can share the link. A renewal sent to us, or a REQUEST naming
    // us, is ours to refuse.
    const std::uint32_t mask = mask_of(prefix_len_);
    const bool on_our_network = (wanted.value & mask) == (server_.value & mask);
    if (on_our_network && !in_pool(wanted) && holder(wanted) == nullptr && !m.server_identifier && !unicast) {
      ++stats_.drop_unexpected;
      return;
    }
    if (!in_pool(wanted) || holder(wanted) != nullptr) {
      reply(stack, m, DhcpMessageType::Nak, Ipv4Address{}, now);
      return;
    }
    e = allocate(stack, m, wanted, now);
    if (e == nullptr || e->client.address != wanted) {
      if (e != nullptr) forget(stack, *e);
      reply(stack, m, DhcpMessageType::Nak, Ipv4Address{}, now);
      return;
    }
  } else if (e->client.address != wanted) {
    reply(stack, m, DhcpMessageType::Nak, Ipv4Address{}, now);
    return;
  } else {
    follow_mac(stack, *e, m.client_mac);
  }
  e->client.bound = true;
  e->client.expires = now + Duration::seconds(lease_seconds());
  if constexpr (config::dhcps_report_client_hostname) {
    const std::size_t n = std::min(m.hostname.size(), config::dhcps_max_hostname_len);
    std::fill(e->client.hostname.begin(), e->client.hostname.end(), '\0');
    std::copy_n(m.hostname.begin(), n, e->client.hostname.begin());
  }
  reply(stack, m, DhcpMessageType::Ack, e->client.address, now);
  if (callback_ != nullptr) callback_(callback_context_, e->client);
}

// A client known by its identifier that comes back with another chaddr
// (a new network card, a randomized MAC) keeps its lease; the static ARP
// entry for the address must then point at the new MAC.
void DhcpServer::follow_mac(Stack& stack, Entry& e, const MacAddress& mac) {
  if (e.client.mac == mac) return;
  if (config::dhcps_static_entries) (void)stack.arp_remove(netif_, e.client.address);
  e.client.mac = mac;
}

void DhcpServer::on_inform(Stack& stack, const DhcpRepr& m, Instant now) {
  // RFC 2131 4.3.5: the client has an address already (ciaddr) and asks
  // only for the other parameters; the answer goes straight to it, so it
  // must be on our link.
  if (m.client_ip.is_unspecified()) {
    ++stats_.drop_malformed;
    return;
  }
  const std::uint32_t mask = mask_of(prefix_len_);
  if ((m.client_ip.value & mask) != (server_.value & mask)) {
    ++stats_.drop_unexpected;
    return;
  }
  reply(stack, m, DhcpMessageType::Ack, Ipv4Address{}, now);
}

void DhcpServer::reply(Stack& stack, const DhcpRepr& request, DhcpMessageType type, Ipv4Address address,
                       Instant now) {
  const bool inform = request.message_type == DhcpMessageType::Inform;
  DhcpRepr r;
  r.is_reply = true;
  r.xid = request.xid;
  r.broadcast = request.broadcast;
  r.client_mac = request.client_mac;
  r.message_type = type;
  r.server_identifier = server_;
  if (type != DhcpMessageType::Nak) {
    r.client_ip = request.client_ip;
    r.your_ip = address;
    // RFC 2131 4.3.5: an INFORM's ACK grants no lease: no time, no yiaddr.
    if (!inform) r.lease_seconds = lease_seconds();
    r.subnet_mask = IpCidr{server_, prefix_len_}.netmask_v4();
    r.broadcast_address = IpCidr{server_, prefix_len_}.broadcast_v4();
    if (config_.offer_router) r.routers.push(server_);
    if (config_.offer_dns && !config_.dns_main.is_unspecified()) {
      r.dns_servers.push(config_.dns_main);
      if (!config_.dns_backup.is_unspecified()) r.dns_servers.push(config_.dns_backup);
    } else {
      r.dns_servers.push(server_);
    }
    r.mtu = config_.mtu;
    r.router_discovery = false;
    r.captive_portal = std::string_view(uri_.data(), uri_len_);
  }
  // RFC 2131 4.1: to ciaddr when the client has one; broadcast when it asks
  // (or for a NAK); else to the new address at the client's MAC, which a
  // static ARP entry provides (CONFIG_LWIP_DHCPS_STATIC_ENTRIES).
  Ipv4Address to = Ipv4Address::broadcast();
  if (inform) {
    // RFC 2131 4.3.5: "directly to the address given in the 'ciaddr' field".
    to = request.client_ip;
  } else if (type != DhcpMessageType::Nak && !request.broadcast) {
    if (!request.client_ip.is_unspecified()) {
      to = request.client_ip;
    } else if (config::dhcps_static_entries && stack.arp_add_static(netif_, address, request.client_mac)) {
      to = address;
    }
  }
  const std::size_t len = r.buffer_len();
  if (len > tx_.size()) {
    ++stats_.tx_failed;
    return;
  }
  r.emit(Bytes(tx_.data(), len));
  const Status sent = stack.udp_send_to(*handle_, ConstBytes(tx_.data(), len),
                                        IpEndpoint{IpAddress(to), DhcpRepr::client_port}, now);
  if (!sent) {
    ++stats_.tx_failed;
    return;
  }
  switch (type) {
    case DhcpMessageType::Offer: ++stats_.tx_offer; break;
    case DhcpMessageType::Ack: ++stats_.tx_ack; break;
    case DhcpMessageType::Nak: ++stats_.tx_nak; break;
    default: break;
  }
}

}  // namespace lwnet
