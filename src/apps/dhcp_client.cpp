#include "apps/dhcp_client.h"

#include <algorithm>
#include <bit>

#include "apps/whole_datagrams.h"

namespace lwnet {

namespace {

constexpr std::uint32_t infinite_lease = 0xffffffff;
// RFC 2131 4.1: retransmissions 4, 8, 16... up to 64 seconds, each moved
// by a random -1..+1 second.
constexpr std::int64_t first_backoff_seconds = 4;
constexpr std::int64_t max_backoff_seconds = 64;
constexpr std::uint32_t request_tries = 4;   // REQUESTs for an OFFER before DISCOVER again
constexpr std::uint32_t reboot_tries = 2;    // INIT-REBOOT REQUESTs before DISCOVER
// RFC 2131 4.4.5: in RENEWING and REBINDING, wait half the time left, but
// at least this.
constexpr Duration min_renew_gap = Duration::seconds(60);
// RFC 2131 3.1.5: after a DECLINE, wait before starting over.
constexpr Duration decline_wait = Duration::seconds(10);
// ESP-IDF's ARP check (acd_dhcp_check.c): two probes half a second apart.
constexpr Duration arp_check_gap = Duration::millis(500);
constexpr std::uint32_t arp_check_probes = 2;

std::optional<std::uint8_t> prefix_of(Ipv4Address mask) {
  const auto ones = static_cast<std::uint8_t>(std::countl_one(mask.value));
  const std::uint32_t expected = ones == 0 ? 0 : ~std::uint32_t{0} << (32 - ones);
  if (mask.value != expected) return std::nullopt;
  return ones;
}

// RFC 2131 leaves the mask to option 1; without it, the classful one.
std::uint8_t classful_prefix(Ipv4Address a) {
  const std::uint32_t top = a.value >> 24;
  if (top < 128) return 8;
  if (top < 192) return 16;
  return 24;
}

// Whole ticks of lwIP's coarse timer, and at least one (as lwIP rounds): a
// lease time of 0 s must not make the client act again at the instant it
// bound, which would renew (or start over) at every ACK.
Instant coarse(Instant from, std::uint32_t seconds) {
  if (seconds == infinite_lease) return Instant::max();
  const std::uint32_t tick = config::dhcp_coarse_timer_secs;
  const std::uint64_t ticks = std::max<std::uint64_t>((std::uint64_t{seconds} + tick - 1) / tick, 1);
  return from + Duration::seconds(static_cast<std::int64_t>(ticks * tick));
}

}  // namespace

const char* to_string(DhcpClientEvent event) {
  switch (event) {
    case DhcpClientEvent::AddressGained: return "gained";
    case DhcpClientEvent::AddressChanged: return "changed";
    case DhcpClientEvent::AddressLost: return "lost";
    case DhcpClientEvent::LeaseRenewed: return "renewed";
  }
  return "unknown";
}

const char* to_string(DhcpClientState state) {
  switch (state) {
    case DhcpClientState::Stopped: return "STOPPED";
    case DhcpClientState::Init: return "INIT";
    case DhcpClientState::Selecting: return "SELECTING";
    case DhcpClientState::Requesting: return "REQUESTING";
    case DhcpClientState::Checking: return "CHECKING";
    case DhcpClientState::Bound: return "BOUND";
    case DhcpClientState::Renewing: return "RENEWING";
    case DhcpClientState::Rebinding: return "REBINDING";
    case DhcpClientState::Rebooting: return "INIT-REBOOT";
  }
  return "UNKNOWN";
}

DhcpClient::DhcpClient(NetifId netif, const DhcpClientConfig& config) : netif_(netif), config_(config) {
  (void)set_hostname(config.hostname);
  vendor_class_len_ = std::min(config.vendor_class_id.size(), vendor_class_.size());
  std::copy_n(config.vendor_class_id.begin(), vendor_class_len_, vendor_class_.begin());
  config_.hostname = {};
  config_.vendor_class_id = {};
}

DhcpClient::~DhcpClient() {
  if (stack_ != nullptr) close(*stack_);
}

Status DhcpClient::set_hostname(std::string_view hostname) {
  if (hostname.size() > hostname_.size()) return Error::InvalidArgument;
  std::copy(hostname.begin(), hostname.end(), hostname_.begin());
  hostname_len_ = hostname.size();
  return {};
}

void DhcpClient::set_lease_storage(DhcpLeaseStorage* storage, bool restore_last_ip) {
  config_.storage = storage;
  config_.restore_last_ip = restore_last_ip;
}

void DhcpClient::set_event_callback(EventCallback callback, void* context) {
  callback_ = callback;
  callback_context_ = context;
}

void DhcpClient::close(Stack& stack) {
  if (handle_) stack.udp_close(*handle_);
  handle_.reset();
  stack.detach_app(*this);
  stack_ = nullptr;
}

Status DhcpClient::start(Stack& stack, Instant now) {
  if constexpr (!config::ipv4) return Error::Unsupported;  // an IPv6-only build
  if (stack_ != nullptr) stop(*stack_, now);
  Result<NetifInfo> info = stack.netif_info(netif_);
  if (!info || info->is_loopback) return Error::InvalidArgument;
  mac_ = info->mac;
  mtu_ = info->mtu;
  Result<UdpHandle> handle = stack.udp_open();
  if (!handle) return handle.error();
  handle_ = *handle;
  stack.udp_set_reuse_address(*handle_, true);  // one client per netif, all on port 68
  stack.udp_set_broadcast(*handle_, true);
  Status s = stack.udp_bind_netif(*handle_, netif_);
  if (s) s = stack.udp_bind(*handle_, IpEndpoint{IpAddress(Ipv4Address::any()), DhcpRepr::client_port});
  if (s) s = stack.attach_app(*this);
  if (!s) {
    stack.udp_close(*handle_);
    handle_.reset();
    return s;
  }
  stack_ = &stack;
  discover_rounds_ = 0;
  naked_offers_ = 0;
  lost_at_ = Instant::max();
  if (config_.restore_last_ip && config_.storage != nullptr) {
    if (std::optional<DhcpLease> stored = config_.storage->load(); stored && !stored->link_local) {
      offered_ = *stored;
      state_ = DhcpClientState::Rebooting;
      xid_ = stack.random_u32();
      started_ = now;
      tries_ = 0;
      send_request(stack, now);
      return {};
    }
  }
  begin_discover(stack, now);
  return {};
}

void DhcpClient::stop(Stack& stack, Instant now) {
  if (stack_ == nullptr) return;
  if (lease_) (void)stack.set_ipv4(netif_, IpCidr{Ipv4Address::any(), 0}, std::nullopt, now);
  lease_.reset();
  lost_.reset();
  autoip_.stop();
  state_ = DhcpClientState::Stopped;
  retransmit_at_ = t1_at_ = t2_at_ = expiry_at_ = lost_at_ = check_at_ = announce_at_ = Instant::max();
  defending_ = false;
  close(stack);
}

void DhcpClient::release(Stack& stack, Instant now) {
  if (stack_ == nullptr) return;
  const bool leased = lease_ && !lease_->link_local &&
                      (state_ == DhcpClientState::Bound || state_ == DhcpClientState::Renewing ||
                       state_ == DhcpClientState::Rebinding);
  if (leased) send_release(stack, now);
  if (config_.storage != nullptr) config_.storage->erase();
  stop(stack, now);
}

Status DhcpClient::renew(Stack& stack, Instant now) {
  if (state_ != DhcpClientState::Bound && state_ != DhcpClientState::Renewing) return Error::InvalidArgument;
  state_ = DhcpClientState::Renewing;
  xid_ = stack.random_u32();
  started_ = now;
  tries_ = 0;
  t1_at_ = Instant::max();
  send_request(stack, now);
  return {};
}

// ---- Timing ------------------------------------------------------------------

Duration DhcpClient::jitter_millis(std::uint32_t bound) {
  return Duration::millis(stack_ != nullptr ? stack_->random_u32() % bound : 0);
}

Duration DhcpClient::backoff(std::uint32_t tries) {
  const std::int64_t base = std::min(first_backoff_seconds << std::min<std::uint32_t>(tries, 5), max_backoff_seconds);
  return Duration::seconds(base - 1) + jitter_millis(2001);
}

Instant DhcpClient::next_deadline() const {
  Instant d = std::min({retransmit_at_, t1_at_, t2_at_, expiry_at_, lost_at_, check_at_, announce_at_});
  return std::min(d, autoip_.next_deadline());
}

// ---- Messages ------------------------------------------------------------------

DhcpRepr DhcpClient::base_message(DhcpMessageType type, Instant now) const {
  DhcpRepr m;
  m.xid = xid_;
  const std::int64_t secs = (now - started_).total_micros() / 1000000;
  m.secs = static_cast<std::uint16_t>(std::clamp<std::int64_t>(secs, 0, 0xffff));
  m.client_mac = mac_;
  m.message_type = type;
  // The stack takes unicast answers to port 68 only while the netif has no
  // address (as lwIP does); with a link-local one, ask for broadcasts.
  m.broadcast = lease_.has_value() && lease_->link_local;
  return m;
}

void DhcpClient::send(Stack& stack, DhcpRepr& m, Ipv4Address to, Instant now) {
  // RFC 2132 9.14: the client id is the hardware type and address.
  std::array<std::uint8_t, 7> client_id{1};
  std::copy(mac_.octets.begin(), mac_.octets.end(), client_id.begin() + 1);
  if (config_.send_client_id) m.client_id = client_id;
  const bool asks = m.message_type == DhcpMessageType::Discover || m.message_type == DhcpMessageType::Request;
  std::array<std::uint8_t, 6> wanted{dhcp_option::subnet_mask, dhcp_option::router, dhcp_option::broadcast_address,
                                     dhcp_option::dns_server, dhcp_option::interface_mtu, dhcp_option::ntp_server};
  if (asks) {
    m.max_message_size = static_cast<std::uint16_t>(std::clamp<std::size_t>(mtu_, 576, 1500));
    m.parameter_request_list = ConstBytes(wanted.data(), config_.request_ntp_servers ? 6 : 5);
    if constexpr (config::dhcp_vendor_class_id) {
      m.vendor_class_id = ConstBytes(reinterpret_cast<const std::uint8_t*>(vendor_class_.data()),  // NOLINT
                                     vendor_class_len_);
    }
    // CONFIG_LWIP_DHCP_OPTIONS_LEN bounds what we send: the hostname gives way.
    const std::size_t used = m.options_len();
    const std::size_t room = used + 2 < config::dhcp_options_len ? config::dhcp_options_len - used - 2 : 0;
    if (hostname_len_ != 0 && room != 0) m.hostname = std::string_view(hostname_.data(), std::min(hostname_len_, room));
  }
  const std::size_t len = m.buffer_len();
  if (len > tx_.size()) {
    ++stats_.tx_failed;
    return;
  }
  m.emit(Bytes(tx_.data(), len));
  // RFC 2131 4.1: before a lease, broadcasts leave from 0.0.0.0; an AutoIP
  // address is no lease (the route would have sent from it).
  stack.udp_set_broadcast_from_unspecified(*handle_, !lease_ || lease_->link_local);
  const Status sent = stack.udp_send_to(*handle_, ConstBytes(tx_.data(), len),
                                        IpEndpoint{IpAddress(to), DhcpRepr::server_port}, now);
  if (!sent) {
    ++stats_.tx_failed;
    return;
  }
  switch (m.message_type) {
    case DhcpMessageType::Discover: ++stats_.tx_discover; break;
    case DhcpMessageType::Request: ++stats_.tx_request; break;
    case DhcpMessageType::Decline: ++stats_.tx_decline; break;
    case DhcpMessageType::Release: ++stats_.tx_release; break;
    default: break;
  }
}

void DhcpClient::begin_discover(Stack& stack, Instant now) {
  state_ = DhcpClientState::Selecting;
  xid_ = stack.random_u32();
  started_ = now;
  tries_ = 0;
  check_at_ = Instant::max();
  send_discover(stack, now);
}

void DhcpClient::send_discover(Stack& stack, Instant now) {
  DhcpRepr m = base_message(DhcpMessageType::Discover, now);
  // A link-local address is no lease: the server may still hand out the one
  // we had (RFC 2131 4.4.1: requested address is optional).
  // Nor one we declined: the server would offer it again.
  if (lost_ && !lost_->link_local && lost_->address != declined_) m.requested_ip = lost_->address;
  send(stack, m, Ipv4Address::broadcast(), now);
  ++discover_rounds_;
  retransmit_at_ = now + backoff(tries_++);
  if (config_.autoip && !lease_ && discover_rounds_ >= config::autoip_tries) autoip_.start(stack, netif_, now);
}

void DhcpClient::send_request(Stack& stack, Instant now) {
  DhcpRepr m = base_message(DhcpMessageType::Request, now);
  Ipv4Address to = Ipv4Address::broadcast();
  switch (state_) {
    case DhcpClientState::Requesting:
      m.requested_ip = offered_.address;
      m.server_identifier = offered_.server_id;
      retransmit_at_ = now + backoff(tries_);
      break;
    case DhcpClientState::Rebooting:
      m.requested_ip = offered_.address;
      retransmit_at_ = now + backoff(tries_);
      break;
    case DhcpClientState::Renewing:
      m.client_ip = lease_->address;
      to = lease_->server_id;
      retransmit_at_ = std::min(now + std::max(min_renew_gap, (t2_at_ - now) / 2), t2_at_);
      break;
    case DhcpClientState::Rebinding:
      m.client_ip = lease_->address;
      // Continuous rebinding (esp-lwip): keep asking until the lease ends.
      retransmit_at_ = std::min(now + std::max(min_renew_gap, (expiry_at_ - now) / 2), expiry_at_);
      break;
    default:
      return;
  }
  ++tries_;
  send(stack, m, to, now);
}

void DhcpClient::send_decline(Stack& stack, Instant now) {
  DhcpRepr m = base_message(DhcpMessageType::Decline, now);
  m.secs = 0;
  m.requested_ip = offered_.address;
  m.server_identifier = offered_.server_id;
  send(stack, m, Ipv4Address::broadcast(), now);
}

void DhcpClient::send_release(Stack& stack, Instant now) {
  DhcpRepr m = base_message(DhcpMessageType::Release, now);
  m.xid = stack.random_u32();
  m.secs = 0;
  m.client_ip = lease_->address;
  m.server_identifier = lease_->server_id;
  send(stack, m, lease_->server_id, now);
}

// ---- Input -----------------------------------------------------------------------

void DhcpClient::poll(Stack& stack, Instant now) {
  if (!handle_) return;
  receive(stack, now);
  timers(stack, now);
}

void DhcpClient::receive(Stack& stack, Instant now) {
  receive_whole_datagrams(stack, handle_, Bytes(rx_.data(), rx_.size()), stats_.drop_malformed,
                          [&](ConstBytes datagram, const UdpReceived& got) {
                            Result<DhcpRepr> message = DhcpRepr::parse(datagram);
                            if (!message) {
                              ++stats_.drop_malformed;
                              return;
                            }
                            if (!message->is_reply || message->xid != xid_ || message->client_mac != mac_) {
                              ++stats_.drop_not_ours;
                              return;
                            }
                            // RFC 2131 table 3: every reply carries the server
                            // identifier. An ACK or NAK without one (an old
                            // server's) is taken as from its IP source; an OFFER
                            // without one names no server to ask and is dropped
                            // (handle()).
                            if (!message->server_identifier && message->message_type != DhcpMessageType::Offer &&
                                got.from.address.is_v4()) {
                              message->server_identifier = got.from.address.v4();
                            }
                            handle(stack, *message, now);
                          });
}

void DhcpClient::handle(Stack& stack, const DhcpRepr& m, Instant now) {
  const bool waiting_ack = state_ == DhcpClientState::Requesting || state_ == DhcpClientState::Rebooting ||
                           state_ == DhcpClientState::Renewing || state_ == DhcpClientState::Rebinding;
  switch (m.message_type) {
    case DhcpMessageType::Offer:
      ++stats_.rx_offer;
      if (state_ != DhcpClientState::Selecting) {
        ++stats_.drop_unexpected;
        return;
      }
      if (m.your_ip.is_unspecified() || m.your_ip.is_broadcast() || m.your_ip.is_multicast() ||
          !m.server_identifier) {
        ++stats_.drop_bad_lease;
        return;
      }
      // The first usable OFFER wins (lwIP does the same).
      offered_ = DhcpLease{};
      offered_.address = m.your_ip;
      offered_.server_id = *m.server_identifier;
      state_ = DhcpClientState::Requesting;
      tries_ = 0;
      send_request(stack, now);
      return;
    case DhcpMessageType::Ack:
      ++stats_.rx_ack;
      if (!waiting_ack) {
        ++stats_.drop_unexpected;
        return;
      }
      take_ack(stack, m, now);
      return;
    case DhcpMessageType::Nak:
      ++stats_.rx_nak;
      if (!waiting_ack) {
        ++stats_.drop_unexpected;
        return;
      }
      if (state_ == DhcpClientState::Requesting && m.server_identifier != offered_.server_id) {
        ++stats_.drop_not_ours;
        return;
      }
      // RFC 2131 3.1.4 / 3.2: the address is not ours (any more): start over.
      if (lease_ && !lease_->link_local) drop_address(stack, now);
      if (config_.storage != nullptr) config_.storage->erase();
      if (state_ == DhcpClientState::Requesting) {
        // A server that refuses what it offered would be asked again at
        // once, round after round (about 80 DISCOVERs a second): wait 3 to
        // 5 s, then longer with each such NAK, as the DISCOVER backoff does.
        // A NAK in the other states ends a lease or a remembered one, which
        // comes back only through a new lease: no loop, so DISCOVER at once.
        state_ = DhcpClientState::Init;
        retransmit_at_ = now + backoff(naked_offers_++);
        return;
      }
      begin_discover(stack, now);
      return;
    default:
      ++stats_.drop_unexpected;
      return;
  }
}

void DhcpClient::take_ack(Stack& stack, const DhcpRepr& m, Instant now) {
  const Ipv4Address address = (state_ == DhcpClientState::Renewing || state_ == DhcpClientState::Rebinding) &&
                                      m.your_ip.is_unspecified()
                                  ? lease_->address
                                  : m.your_ip;
  if (address.is_unspecified() || address.is_broadcast() || address.is_multicast() || !m.lease_seconds) {
    ++stats_.drop_bad_lease;
    return;
  }
  DhcpLease l;
  l.address = address;
  if (m.subnet_mask) {
    const std::optional<std::uint8_t> prefix = prefix_of(*m.subnet_mask);
    if (!prefix || *prefix == 0) {
      ++stats_.drop_bad_lease;
      return;
    }
    l.prefix_len = *prefix;
  } else {
    l.prefix_len = classful_prefix(address);
  }
  l.netmask = IpCidr{address, l.prefix_len}.netmask_v4();
  if (!m.routers.empty()) l.router = m.routers.front();
  l.dns_servers = m.dns_servers;
  for (std::size_t i = config::dhcp_max_ntp_servers; i < m.ntp_servers.size; ++i) ++l.ntp_servers.dropped;
  for (std::size_t i = 0; i < std::min(m.ntp_servers.size, config::dhcp_max_ntp_servers); ++i) {
    l.ntp_servers.push(m.ntp_servers.items[i]);
  }
  l.mtu = m.mtu;
  l.lease_seconds = *m.lease_seconds;
  if (l.lease_seconds == infinite_lease) {
    l.renewal_seconds = l.rebinding_seconds = infinite_lease;
  } else {
    // RFC 2131 4.4.5: T1 0.5 and T2 0.875 of the lease unless the server
    // says. A time of 0, a T2 not before the lease ends or a T1 not before
    // T2 is no time to renew at (taken as it came, a T1 of 0 started the
    // next renewal at every ACK): the default stands in for it.
    const std::uint32_t lease = l.lease_seconds;
    const auto default_rebinding = static_cast<std::uint32_t>(std::uint64_t{lease} * 7 / 8);
    const std::optional<std::uint32_t> renewal = m.renewal_seconds;
    const std::optional<std::uint32_t> rebinding = m.rebinding_seconds;
    l.rebinding_seconds = rebinding && *rebinding != 0 && *rebinding < lease ? *rebinding : default_rebinding;
    l.renewal_seconds = renewal && *renewal != 0 && *renewal < l.rebinding_seconds
                            ? *renewal
                            : std::min(lease / 2, l.rebinding_seconds);
  }
  l.server_id = m.server_identifier.value_or(offered_.server_id);
  l.obtained = now;
  offered_ = l;
  const bool fresh = state_ == DhcpClientState::Requesting || state_ == DhcpClientState::Rebooting;
  const bool new_address = !lease_ || lease_->address != l.address;
  if (fresh && new_address && config_.address_check != config::DhcpAddressCheck::None) {
    start_check(stack, now);
    return;
  }
  bind(stack, now);
}

// ---- Address check, binding, loss ------------------------------------------------

void DhcpClient::start_check(Stack& stack, Instant now) {
  state_ = DhcpClientState::Checking;
  retransmit_at_ = Instant::max();
  check_step_ = 0;
  if (config_.address_check == config::DhcpAddressCheck::Arp) {
    (void)stack.arp_probe(netif_, offered_.address, now);
    check_step_ = 1;
    check_at_ = now + arp_check_gap;
  } else {
    // RFC 5227 2.1.1: wait PROBE_WAIT (random 0..1 s) before the first probe.
    check_at_ = now + jitter_millis(1000);
  }
}

void DhcpClient::bind(Stack& stack, Instant now) {
  const DhcpLease l = offered_;
  const bool probed = state_ == DhcpClientState::Checking;
  state_ = DhcpClientState::Bound;
  retransmit_at_ = check_at_ = Instant::max();
  naked_offers_ = 0;
  t1_at_ = coarse(l.obtained, l.renewal_seconds);
  t2_at_ = coarse(l.obtained, l.rebinding_seconds);
  expiry_at_ = coarse(l.obtained, l.lease_seconds);
  discover_rounds_ = 0;
  autoip_.stop();
  declined_ = Ipv4Address{};
  set_lease(stack, l, now);
  if (config_.storage != nullptr) config_.storage->save(l);
  if (probed && config_.address_check == config::DhcpAddressCheck::Acd) {
    // RFC 5227 2.3: taking the address (set_ipv4) sent the first
    // announcement; the second follows ANNOUNCE_INTERVAL later. From now on
    // the address is defended (2.4).
    defending_ = true;
    announcements_ = 1;
    announce_at_ = now + AutoIp::announce_interval;
    arp_conflicts_seen_ = stack.arp_conflicts(netif_);
    last_defense_ = Instant::max();
  }
}

// The address is someone else's: DECLINE it (RFC 2131 3.1.5) and start over
// after a pause.
void DhcpClient::decline_offered(Stack& stack, Instant now) {
  ++stats_.declines;
  declined_ = offered_.address;
  send_decline(stack, now);
  check_at_ = Instant::max();
  state_ = DhcpClientState::Init;
  retransmit_at_ = now + decline_wait;
}

// RFC 5227 2.4 (b): a host that claims our address (an ARP from it with
// another MAC) is answered with one announcement; a second conflict within
// DEFEND_INTERVAL of that means it will not back off, and the address goes:
// false then (the lease is declined), true while it is kept.
bool DhcpClient::defend_lease(Stack& stack, Instant now) {
  const std::uint32_t seen = stack.arp_conflicts(netif_);
  if (seen == arp_conflicts_seen_) return true;
  arp_conflicts_seen_ = seen;
  if (!stack.arp_conflict(netif_, lease_->address)) return true;
  if (last_defense_ == Instant::max() || now - last_defense_ >= AutoIp::defend_interval) {
    last_defense_ = now;
    (void)stack.arp_announce(netif_, now);
    return true;
  }
  offered_ = *lease_;
  // Removed first, so that the DECLINE leaves from 0.0.0.0 (RFC 2131 4.1:
  // the client has no usable address), not from the one in dispute.
  drop_address(stack, now);
  if (config_.storage != nullptr) config_.storage->erase();
  decline_offered(stack, now);
  return false;
}

void DhcpClient::set_lease(Stack& stack, const DhcpLease& l, Instant now) {
  const std::optional<DhcpLease> before = lease_;
  const bool same_netif_config = before && before->address == l.address && before->prefix_len == l.prefix_len &&
                                 before->router == l.router;
  if (!same_netif_config) (void)stack.set_ipv4(netif_, IpCidr{l.address, l.prefix_len}, l.router, now);
  lease_ = l;
  lost_at_ = Instant::max();
  publish_servers(stack, l);
  // RFC 2132 5.1: 576 is the least an MTU option may say; one the device
  // cannot carry is ignored (set_mtu refuses it).
  if (l.mtu && *l.mtu >= 576) (void)stack.set_mtu(netif_, *l.mtu);
  const std::optional<DhcpLease> lost_before = lost_;
  lost_.reset();
  if (!before) {
    // esp_netif's ip_changed: compared with the address held before a loss.
    const bool changed = lost_before && lost_before->address != l.address;
    emit(changed ? DhcpClientEvent::AddressChanged : DhcpClientEvent::AddressGained);
  } else if (before->address != l.address) {
    emit(DhcpClientEvent::AddressChanged);
  } else {
    emit(DhcpClientEvent::LeaseRenewed);
  }
}

// As lwIP's dhcp_handle_ack: the lease's DNS servers become the resolver's
// main and backup, its NTP servers SNTP's (when SNTP takes them). They stay
// when the lease is lost, as in lwIP: a stale server beats none.
void DhcpClient::publish_servers(Stack& stack, const DhcpLease& l) {
  std::array<IpAddress, DhcpAddressList::capacity> servers{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < l.dns_servers.size; ++i) servers[n++] = IpAddress{l.dns_servers.items[i]};
  if (n > 0) stack.publish_dns_servers(ServerSource::Dhcp4, netif_, {servers.data(), n});
  n = 0;
  for (std::size_t i = 0; i < l.ntp_servers.size; ++i) servers[n++] = IpAddress{l.ntp_servers.items[i]};
  if (n > 0) stack.publish_ntp_servers(ServerSource::Dhcp4, netif_, {servers.data(), n});
}

void DhcpClient::drop_address(Stack& stack, Instant now) {
  if (!lease_) return;
  (void)stack.set_ipv4(netif_, IpCidr{Ipv4Address::any(), 0}, std::nullopt, now);
  lost_ = lease_;
  lease_.reset();
  t1_at_ = t2_at_ = expiry_at_ = announce_at_ = Instant::max();
  defending_ = false;
  if (config::lost_ip_timer) {
    lost_at_ = now + Duration::seconds(config::lost_ip_timer_secs);
  } else {
    if (callback_ != nullptr) callback_(callback_context_, DhcpClientEvent::AddressLost, *lost_);
  }
}

void DhcpClient::emit(DhcpClientEvent event) {
  if (callback_ != nullptr && lease_) callback_(callback_context_, event, *lease_);
}

void DhcpClient::timers(Stack& stack, Instant now) {
  if (lost_at_ <= now) {
    lost_at_ = Instant::max();
    if (!lease_ && lost_) {
      const DhcpLease gone = *lost_;
      if (callback_ != nullptr) callback_(callback_context_, DhcpClientEvent::AddressLost, gone);
    }
  }

  if (autoip_.running()) {
    switch (autoip_.poll(stack, netif_, now)) {
      case AutoIp::Outcome::Claimed:
        if (!lease_) {
          DhcpLease l;
          l.address = autoip_.address();
          l.prefix_len = 16;
          l.netmask = Ipv4Address::of(255, 255, 0, 0);
          l.link_local = true;
          l.obtained = now;
          ++stats_.autoip_addresses;
          set_lease(stack, l, now);
        }
        break;
      case AutoIp::Outcome::Lost:
        if (lease_ && lease_->link_local) drop_address(stack, now);
        break;
      case AutoIp::Outcome::None:
        break;
    }
  }

  if (state_ == DhcpClientState::Checking) {
    if (stack.arp_conflict(netif_, offered_.address)) {
      // Another host (another MAC: our own frames never count) has it.
      decline_offered(stack, now);
      return;
    }
    if (check_at_ <= now) {
      if (config_.address_check == config::DhcpAddressCheck::Arp) {
        if (check_step_ < arp_check_probes) {
          (void)stack.arp_probe(netif_, offered_.address, now);
          ++check_step_;
          check_at_ = now + arp_check_gap;
        } else {
          bind(stack, now);
        }
      } else if (check_step_ < AutoIp::probe_num) {
        (void)stack.arp_probe(netif_, offered_.address, now);
        ++check_step_;
        check_at_ = now + (check_step_ < AutoIp::probe_num ? AutoIp::probe_min + jitter_millis(1000)
                                                           : AutoIp::announce_wait);
      } else {
        bind(stack, now);
      }
    }
    return;
  }

  if (defending_ && lease_) {
    if (!defend_lease(stack, now)) return;
    if (announce_at_ <= now) {
      (void)stack.arp_announce(netif_, now);
      announce_at_ = ++announcements_ < AutoIp::announce_num ? now + AutoIp::announce_interval : Instant::max();
    }
  }

  if (expiry_at_ <= now) {
    ++stats_.expired;
    drop_address(stack, now);
    begin_discover(stack, now);
    return;
  }
  if (t2_at_ <= now && (state_ == DhcpClientState::Bound || state_ == DhcpClientState::Renewing)) {
    t1_at_ = t2_at_ = Instant::max();
    state_ = DhcpClientState::Rebinding;
    xid_ = stack.random_u32();
    tries_ = 0;
    send_request(stack, now);
    return;
  }
  if (t1_at_ <= now && state_ == DhcpClientState::Bound) {
    t1_at_ = Instant::max();
    state_ = DhcpClientState::Renewing;
    xid_ = stack.random_u32();
    started_ = now;
    tries_ = 0;
    send_request(stack, now);
    return;
  }
  if (retransmit_at_ <= now) {
    retransmit_at_ = Instant::max();
    switch (state_) {
      case DhcpClientState::Init:
        begin_discover(stack, now);
        break;
      case DhcpClientState::Selecting:
        send_discover(stack, now);
        break;
      case DhcpClientState::Requesting:
        if (tries_ >= request_tries) {
          begin_discover(stack, now);
        } else {
          send_request(stack, now);
        }
        break;
      case DhcpClientState::Rebooting:
        if (tries_ >= reboot_tries) {
          begin_discover(stack, now);
        } else {
          send_request(stack, now);
        }
        break;
      case DhcpClientState::Renewing:
      case DhcpClientState::Rebinding:
        send_request(stack, now);
        break;
      default:
        break;
    }
  }
}

}  // namespace lwnet
