// The Stack's public surface: each call goes to the part that implements it.
#include "core/stack.h"

#include "core/stack_impl.h"
#include "transport/port_binding.h"

// CONFIG_LWIP_CHECK_THREAD_SAFETY: each public function asks the installed
// checker first (StackImpl::check_core_context). Compiled out otherwise.
#if CONFIG_LWIP_CHECK_THREAD_SAFETY
#define LWNET_CHECK_CORE_CONTEXT(function) impl_->check_core_context(function)
#else
#define LWNET_CHECK_CORE_CONTEXT(function) static_cast<void>(0)
#endif

namespace lwnet {

namespace {
// Calls `then` with the endpoint as this build's families take it, or
// returns Unsupported. IPv6-only (CONFIG_LWIP_IPV4=0): a specific IPv4
// address, IPv4-mapped ones too, is Unsupported; 0.0.0.0 (IpAddress{}, what
// callers that never bound pass) stands for ::, the one wildcard left.
// A continuation rather than a Result<IpEndpoint>: where nothing is
// rewritten (dual stack, IPv4 only) the caller's endpoint goes on as it is,
// without a copy into a Result and a test of it at every call.
template <class Then>
auto in_built_family(const IpEndpoint& endpoint, Then&& then) -> decltype(then(endpoint)) {
  // An IPv4-only build keeps no IPv6 octets (wire/address.h): any IPv6
  // address, an IPv4-mapped one too, is of a family it lacks.
  if constexpr (!config::ipv6) {
    if (endpoint.address.is_v6()) return Error::Unsupported;
  }
  if constexpr (!config::ipv4) {
    const IpAddress a = unmap_v4(endpoint.address);
    if (a.is_v4()) {
      if (!a.is_unspecified()) return Error::Unsupported;
      return then(IpEndpoint{IpAddress(Ipv6Address{}), endpoint.port, endpoint.scope_id});
    }
  }
  return then(endpoint);
}
}  // namespace

Stack::Stack(const StackConfig& config) : impl_(std::make_unique<StackImpl>(config)) {}
Stack::~Stack() = default;

Result<NetifId> Stack::add_netif(Device& device, const NetifConfig& config, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::add_netif");
  return impl_->ip.add_netif(device, config, now);
}
NetifId Stack::loopback_netif() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::loopback_netif");
  return IpLayer::loopback_netif();
}
void Stack::set_default_netif(NetifId id) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_default_netif");
  impl_->ip.set_default_netif(id);
}
Status Stack::set_ipv4(NetifId id, const IpCidr& address, std::optional<Ipv4Address> gateway,
                       Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_ipv4");
  return impl_->ip.set_ipv4(id, address, gateway, now);
}
Status Stack::set_mtu(NetifId id, std::size_t mtu) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_mtu");
  return impl_->ip.set_mtu(id, mtu);
}
Status Stack::add_ipv6_address(NetifId id, const IpCidr& address, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::add_ipv6_address");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!address.address.is_v6()) return Error::InvalidArgument;
  return impl_->ip.add_ipv6_address(id, address.address.v6(), address.prefix_len, now);
}
Status Stack::remove_ipv6_address(NetifId id, const IpAddress& address) {
  LWNET_CHECK_CORE_CONTEXT("Stack::remove_ipv6_address");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!address.is_v6()) return Error::InvalidArgument;
  return impl_->ip.remove_ipv6_address(id, address.v6());
}
Status Stack::remove_ipv6_address(NetifId id, const IpAddress& address, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::remove_ipv6_address");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!address.is_v6()) return Error::InvalidArgument;
  return impl_->ip.remove_ipv6_address(id, address.v6(), now);
}
Result<std::array<Ipv6NetifAddress, config::ipv6_slots(config::ipv6_num_addresses)>> Stack::ipv6_addresses(
    NetifId id) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::ipv6_addresses");
  const Netif* n = impl_->ip.netifs().get(id);
  if (n == nullptr) return Error::InvalidArgument;
  return n->ipv6;
}
Status Stack::nd_add_static(NetifId id, const IpAddress& address, const MacAddress& mac,
                            Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::nd_add_static");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!address.is_v6()) return Error::InvalidArgument;
  return impl_->ip.nd_add_static(id, address.v6(), mac, now);
}
std::optional<MacAddress> Stack::nd_lookup(NetifId id, const IpAddress& address) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::nd_lookup");
  if constexpr (!config::ipv6) return std::nullopt;
  if (!address.is_v6()) return std::nullopt;
  return impl_->ip.nd_cache().lookup(id, address.v6());
}
std::optional<std::size_t> Stack::ipv6_path_mtu(const IpAddress& destination) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::ipv6_path_mtu");
  if (!destination.is_v6()) return std::nullopt;
  return impl_->ip.path_mtu_table().find(destination.v6());
}
std::optional<IpAddress> Stack::ipv6_redirect(const IpAddress& destination) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::ipv6_redirect");
  if (!destination.is_v6()) return std::nullopt;
  const RedirectTable::Entry* e = impl_->ip.redirect_table().find(destination.v6());
  if (e == nullptr) return std::nullopt;
  return IpAddress(e->target);
}
std::optional<std::size_t> Stack::path_mtu(const IpAddress& destination) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::path_mtu");
  return impl_->ip.path_mtu_table().find(destination);
}
Status Stack::set_up(NetifId id, bool up, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_up");
  return impl_->ip.set_up(id, up, now);
}
Status Stack::set_link_up(NetifId id, bool link_up, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_link_up");
  return impl_->ip.set_link_up(id, link_up, now);
}
Result<NetifInfo> Stack::netif_info(NetifId id) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::netif_info");
  return impl_->ip.netif_info(id);
}
std::optional<NetifId> Stack::netif_find(std::string_view name) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::netif_find");
  return impl_->ip.netifs().find_by_name(name);
}
void Stack::set_status_callback(NetifCallback callback, void* context) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_status_callback");
  impl_->ip.set_status_callback(callback, context);
}
void Stack::set_link_callback(NetifCallback callback, void* context) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_link_callback");
  impl_->ip.set_link_callback(callback, context);
}

const RouterList& Stack::router_list() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::router_list");
  return impl_->ip.router_list();
}
RouterAdvertisementState Stack::router_advertisement(NetifId id) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::router_advertisement");
  if (!config::ipv6 || id.value >= config::max_netifs) return {};
  return impl_->ip.router_list().state(id);
}
void Stack::set_router_advertisement_callback(NetifCallback callback, void* context) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_router_advertisement_callback");
  impl_->ra_flags_callback = callback;
  impl_->ra_flags_context = context;
}
void Stack::set_slaac(bool on) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_slaac");
  impl_->ip.set_slaac(on);
}
bool Stack::slaac() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::slaac");
  return impl_->ip.slaac();
}
void Stack::set_ipv6_route_hooks(const Ipv6RouteHooks& hooks) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_ipv6_route_hooks");
  impl_->ip.set_route_hooks(hooks);
}

Status Stack::arp_add_static(NetifId id, Ipv4Address ip, const MacAddress& mac) {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_add_static");
  // Packets that waited for this address leave now, dated with the latest
  // poll (the API gives no instant here).
  return impl_->ip.arp_add_static(id, ip, mac, impl_->last_poll);
}
Status Stack::arp_remove(NetifId id, Ipv4Address ip) {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_remove");
  return impl_->ip.arp_remove(id, ip);
}
std::optional<MacAddress> Stack::arp_lookup(NetifId id, Ipv4Address ip) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_lookup");
  return impl_->ip.arp_lookup(id, ip);
}
Status Stack::arp_probe(NetifId id, Ipv4Address ip, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_probe");
  return impl_->ip.arp_probe(id, ip, now);
}
std::uint32_t Stack::random_u32() {
  LWNET_CHECK_CORE_CONTEXT("Stack::random_u32");
  return impl_->random.next_u32();
}

void Stack::publish_dns_servers(ServerSource source, NetifId netif,
                                std::span<const IpAddress> servers) {
  LWNET_CHECK_CORE_CONTEXT("Stack::publish_dns_servers");
  impl_->dns_servers.publish(source, netif, servers);
}
void Stack::publish_ntp_servers(ServerSource source, NetifId netif,
                                std::span<const IpAddress> servers) {
  LWNET_CHECK_CORE_CONTEXT("Stack::publish_ntp_servers");
  impl_->ntp_servers.publish(source, netif, servers);
}
const LearnedServers& Stack::learned_dns_servers() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::learned_dns_servers");
  return impl_->dns_servers;
}
const LearnedServers& Stack::learned_ntp_servers() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::learned_ntp_servers");
  return impl_->ntp_servers;
}

Status Stack::arp_announce(NetifId id, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_announce");
  return impl_->ip.arp_announce(id, now);
}
bool Stack::arp_conflict(NetifId id, Ipv4Address ip) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_conflict");
  return impl_->ip.arp_conflict(id, ip);
}
std::uint32_t Stack::arp_conflicts(NetifId id) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::arp_conflicts");
  return impl_->ip.arp_conflicts(id);
}

TcpSettings* Stack::tcp_listener_settings(TcpHandle listener) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_listener_settings");
  return impl_->tcp.table().listener_settings(listener);
}
Result<TcpHandle> Stack::tcp_listen(const IpEndpoint& local, std::size_t backlog,
                                    bool reuse_address, const TcpSettings* settings) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_listen");
  return in_built_family(local, [&](const IpEndpoint& e) {
    return impl_->tcp.table().listen(e, backlog, reuse_address, settings);
  });
}
Result<TcpReservation> Stack::tcp_reserve(const IpEndpoint& local, bool reuse_address,
                                          bool v6only) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_reserve");
  return in_built_family(local, [&](const IpEndpoint& e) -> Result<TcpReservation> {
    const IpAddress a = unmap_v4(e.address);
    if (!a.is_unspecified() && !impl_->ip.is_local(a)) return Error::AddressNotAvailable;
    return impl_->tcp.table().reserve(e, reuse_address, v6only);
  });
}
void Stack::tcp_release(const TcpReservation& reservation) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_release");
  impl_->tcp.table().release(reservation);
}
Result<TcpHandle> Stack::tcp_accept(TcpHandle listener) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_accept");
  return impl_->tcp.table().accept(listener);
}
Result<TcpHandle> Stack::tcp_connect(const IpEndpoint& remote, Instant now, const IpEndpoint& local,
                                     const TcpSettings* settings) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_connect");
  return in_built_family(local, [&](const IpEndpoint& from) {
    return in_built_family(remote, [&](const IpEndpoint& to) {
      return impl_->tcp.connect(from, to, now, settings);
    });
  });
}
Result<std::size_t> Stack::tcp_send(TcpHandle h, ConstBytes data, Instant now, bool more) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_send");
  return impl_->tcp.table().send(h, data, now, impl_->tcp, more);
}
Status Stack::tcp_send_zero_copy(TcpHandle h, ConstBytes data, ZeroCopyCompletion done,
                                 Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_send_zero_copy");
  return impl_->tcp.table().send_zero_copy(h, data, done, now, impl_->tcp);
}
Status Stack::tcp_set_buffer_sizes(TcpHandle h, std::size_t send, std::size_t receive,
                                   Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_set_buffer_sizes");
  return impl_->tcp.table().set_buffer_sizes(h, send, receive, now, impl_->tcp);
}
Result<std::size_t> Stack::tcp_receive(TcpHandle h, Bytes into, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_receive");
  return impl_->tcp.table().receive(h, into, now, impl_->tcp);
}
Status Stack::tcp_shutdown(TcpHandle h, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_shutdown");
  return impl_->tcp.table().shutdown_send(h, now, impl_->tcp);
}
void Stack::tcp_close(TcpHandle h, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_close");
  impl_->tcp.table().close(h, now, impl_->tcp);
}
void Stack::tcp_abort(TcpHandle h, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_abort");
  impl_->tcp.table().abort(h, now, impl_->tcp);
}
Result<std::size_t> Stack::tcp_peek(TcpHandle h, Bytes into) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_peek");
  const TcpConnection* c = impl_->tcp.table().connection(h);
  if (c == nullptr) return Error::Closed;
  return c->peek(into);
}
std::size_t Stack::tcp_pending_accepts(TcpHandle listener) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_pending_accepts");
  return impl_->tcp.table().pending_accepts(listener);
}
std::uint8_t Stack::tcp_events(TcpHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_events");
  return impl_->tcp.table().take_events(h);
}
TcpConnection* Stack::tcp_connection(TcpHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_connection");
  return impl_->tcp.table().connection(h);
}
Status Stack::tcp_set_user_data(TcpHandle h, void* user_data) {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_set_user_data");
  return impl_->tcp.table().set_user_data(h, user_data);
}
void* Stack::tcp_user_data(TcpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::tcp_user_data");
  return impl_->tcp.table().user_data(h);
}
void Stack::set_tcp_event_callback(TcpTable::EventCallback callback, void* context) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_tcp_event_callback");
  impl_->tcp.table().set_event_callback(callback, context);
}

void Stack::poll(Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::poll");
  begin_transmit_batch();
  impl_->poll(now);
  // No call at all where no app can be attached.
  if (config::max_stack_apps > 0 && impl_->timers_enabled) impl_->poll_apps(*this, now);
  end_transmit_batch();
}

void Stack::begin_transmit_batch() {
  LWNET_CHECK_CORE_CONTEXT("Stack::begin_transmit_batch");
  StackImpl& impl = *impl_;
  if (impl.transmit_batch_depth++ > 0) return;
  const NetifTable& netifs = impl.ip.netifs();
  impl.transmit_batch_netifs = netifs.size();
  for (std::size_t i = 0; i < impl.transmit_batch_netifs; ++i) {
    netifs[NetifId{static_cast<std::uint8_t>(i)}].device->begin_batch();
  }
}

void Stack::end_transmit_batch() {
  LWNET_CHECK_CORE_CONTEXT("Stack::end_transmit_batch");
  StackImpl& impl = *impl_;
  if (impl.transmit_batch_depth == 0 || --impl.transmit_batch_depth > 0) return;
  // A netif added meanwhile began no batch: only those that did end one.
  const NetifTable& netifs = impl.ip.netifs();
  for (std::size_t i = 0; i < impl.transmit_batch_netifs; ++i) {
    netifs[NetifId{static_cast<std::uint8_t>(i)}].device->end_batch();
  }
}

Status Stack::attach_app(StackApp& app) {
  LWNET_CHECK_CORE_CONTEXT("Stack::attach_app");
  if constexpr (config::max_stack_apps == 0) return Error::TableFull;
  StackImpl& impl = *impl_;
  for (std::size_t i = 0; i < impl.app_count; ++i) {
    if (impl.apps[i] == &app) return Error::AlreadyConnected;
  }
  if (impl.app_count == impl.apps.size()) return Error::TableFull;
  impl.apps[impl.app_count++] = &app;
  return {};
}

void Stack::detach_app(StackApp& app) {
  LWNET_CHECK_CORE_CONTEXT("Stack::detach_app");
  StackImpl& impl = *impl_;
  for (std::size_t i = 0; i < impl.app_count; ++i) {
    if (impl.apps[i] != &app) continue;
    if (impl.polling_apps) {
      impl.apps[i] = nullptr;  // poll_apps compacts when it is done
    } else {
      for (std::size_t j = i + 1; j < impl.app_count; ++j) impl.apps[j - 1] = impl.apps[j];
      impl.apps[--impl.app_count] = nullptr;
    }
    return;
  }
}

Instant Stack::next_deadline() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::next_deadline");
  return impl_->next_deadline();
}
void Stack::set_timers_enabled(bool enabled) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_timers_enabled");
  impl_->timers_enabled = enabled;
}
bool Stack::timers_enabled() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::timers_enabled");
  return impl_->timers_enabled;
}
void Stack::set_core_context_check(CoreContextCheck in_core, void* context,
                                   CoreContextViolation violation) {
  impl_->in_core = in_core;
  impl_->in_core_context = context;
  impl_->core_violation = violation;
}

Result<UdpHandle> Stack::udp_open() {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_open");
  return impl_->udp.open();
}
Status Stack::udp_bind(UdpHandle h, const IpEndpoint& local) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_bind");
  return in_built_family(local, [&](const IpEndpoint& e) { return impl_->udp.bind(h, e); });
}
Status Stack::udp_connect(UdpHandle h, const IpEndpoint& remote) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_connect");
  return in_built_family(remote, [&](const IpEndpoint& e) { return impl_->udp.connect(h, e); });
}
Status Stack::udp_disconnect(UdpHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_disconnect");
  return impl_->udp.disconnect(h);
}
Result<IpEndpoint> Stack::udp_local(UdpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_local");
  return impl_->udp.local(h);
}
Status Stack::udp_send_to(UdpHandle h, ConstBytes payload, const IpEndpoint& to, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_send_to");
  return in_built_family(to, [&](const IpEndpoint& e) { return impl_->udp.send_to(h, payload, e, now); });
}
Status Stack::udp_send(UdpHandle h, ConstBytes payload, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_send");
  return impl_->udp.send(h, payload, now);
}
Result<UdpReceived> Stack::udp_receive(UdpHandle h, Bytes into, bool peek) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_receive");
  return impl_->udp.receive(h, into, peek);
}
bool Stack::udp_readable(UdpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_readable");
  return impl_->udp.readable(h);
}
std::size_t Stack::udp_pending_bytes(UdpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_pending_bytes");
  return impl_->udp.next_datagram_size(h);
}
void Stack::set_udp_event_callback(UdpEventCallback callback, void* context) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_udp_event_callback");
  impl_->udp.set_event_callback(callback, context);
}
void Stack::udp_set_broadcast(UdpHandle h, bool allowed) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_broadcast");
  impl_->udp.set_broadcast(h, allowed);
}
void Stack::udp_set_broadcast_from_unspecified(UdpHandle h, bool on) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_broadcast_from_unspecified");
  impl_->udp.set_broadcast_from_unspecified(h, on);
}
void Stack::udp_set_ttl(UdpHandle h, std::uint8_t ttl) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_ttl");
  impl_->udp.set_ttl(h, ttl);
}
void Stack::udp_set_checksum(UdpHandle h, bool send_checksum) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_checksum");
  impl_->udp.set_checksum(h, send_checksum);
}
void Stack::udp_set_reuse_address(UdpHandle h, bool reuse) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_reuse_address");
  impl_->udp.set_reuse_address(h, reuse);
}
Status Stack::udp_join_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_join_group");
  return impl_->udp.join_group(h, group, interface, now);
}
Status Stack::udp_leave_group(UdpHandle h, Ipv4Address group, Ipv4Address interface, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_leave_group");
  return impl_->udp.leave_group(h, group, interface, now);
}
Status Stack::udp_set_multicast_interface(UdpHandle h, Ipv4Address interface) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_multicast_interface");
  return impl_->udp.set_multicast_interface(h, interface);
}
void Stack::udp_set_multicast_ttl(UdpHandle h, std::uint8_t ttl) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_multicast_ttl");
  impl_->udp.set_multicast_ttl(h, ttl);
}
Status Stack::udp_join_group_v6(UdpHandle h, const IpAddress& group, std::optional<NetifId> netif,
                                Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_join_group_v6");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!group.is_v6()) return Error::InvalidArgument;
  return impl_->udp.join_group_v6(h, group.v6(), netif, now);
}
Status Stack::udp_leave_group_v6(UdpHandle h, const IpAddress& group, std::optional<NetifId> netif,
                                 Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_leave_group_v6");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!group.is_v6()) return Error::InvalidArgument;
  return impl_->udp.leave_group_v6(h, group.v6(), netif, now);
}
Status Stack::udp_set_multicast_netif_v6(UdpHandle h, std::optional<NetifId> netif) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_multicast_netif_v6");
  if constexpr (!config::ipv6) return Error::Unsupported;
  return impl_->udp.set_multicast_netif_v6(h, netif);
}
Status Stack::udp_set_multicast_interface_v6(UdpHandle h, const IpAddress& address) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_multicast_interface_v6");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!address.is_v6()) return Error::InvalidArgument;
  if (address.is_unspecified()) return impl_->udp.set_multicast_netif_v6(h, std::nullopt);
  const std::optional<NetifId> netif = impl_->ip.netifs().find_by_address(address.v6());
  if (!netif) return Error::AddressNotAvailable;
  return impl_->udp.set_multicast_netif_v6(h, netif);
}
void Stack::udp_set_multicast_loop(UdpHandle h, bool loop) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_multicast_loop");
  impl_->udp.set_multicast_loop(h, loop);
}
void Stack::udp_set_receive_buffer(UdpHandle h, std::size_t bytes) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_receive_buffer");
  impl_->udp.set_receive_buffer(h, bytes);
}
void Stack::udp_set_tos(UdpHandle h, std::uint8_t tos) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_tos");
  impl_->udp.set_tos(h, tos);
}
Status Stack::udp_set_v6only(UdpHandle h, bool v6only) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_v6only");
  return impl_->udp.set_v6only(h, v6only);
}
Status Stack::udp_bind_netif(UdpHandle h, std::optional<NetifId> netif) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_bind_netif");
  return impl_->udp.bind_netif(h, netif);
}
std::optional<NetifId> Stack::udp_bound_netif(UdpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_bound_netif");
  return impl_->udp.bound_netif(h);
}
void Stack::udp_close(UdpHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_close");
  impl_->udp.close(h, impl_->last_poll);
}

Status Stack::igmp_join(NetifId id, Ipv4Address group, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::igmp_join");
  return impl_->ip.igmp_join(id, group, now);
}
Status Stack::igmp_leave(NetifId id, Ipv4Address group, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::igmp_leave");
  return impl_->ip.igmp_leave(id, group, now);
}
bool Stack::igmp_is_member(NetifId id, Ipv4Address group) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::igmp_is_member");
  return impl_->ip.igmp_is_member(id, group);
}

Status Stack::mld_join(NetifId id, const IpAddress& group, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::mld_join");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!group.is_v6()) return Error::InvalidArgument;
  return impl_->ip.mld_join(id, group.v6(), now);
}
Status Stack::mld_leave(NetifId id, const IpAddress& group, Instant now) {
  LWNET_CHECK_CORE_CONTEXT("Stack::mld_leave");
  if constexpr (!config::ipv6) return Error::Unsupported;
  if (!group.is_v6()) return Error::InvalidArgument;
  return impl_->ip.mld_leave(id, group.v6(), now);
}
bool Stack::mld_is_member(NetifId id, const IpAddress& group) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::mld_is_member");
  if constexpr (!config::ipv6) return false;
  return group.is_v6() && impl_->ip.mld_is_member(id, group.v6());
}
bool Stack::mld_v1_mode(NetifId id, Instant now) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::mld_v1_mode");
  if constexpr (!config::ipv6) return false;
  return impl_->ip.mld_v1_mode(id, now);
}

Status Stack::udp_set_user_data(UdpHandle h, void* user_data) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_set_user_data");
  return impl_->udp.set_user_data(h, user_data);
}

void* Stack::udp_user_data(UdpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_user_data");
  return impl_->udp.user_data(h);
}

std::optional<Error> Stack::udp_take_error(UdpHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_take_error");
  return impl_->udp.take_error(h);
}
bool Stack::udp_has_error(UdpHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::udp_has_error");
  return impl_->udp.has_error(h);
}

Result<RawHandle> Stack::raw_open(std::uint8_t protocol) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_open");
  if (!config::ipv6 && protocol == static_cast<std::uint8_t>(IpProtocol::Icmpv6)) return Error::Unsupported;
  if (!config::ipv4 && protocol == static_cast<std::uint8_t>(IpProtocol::Icmp)) return Error::Unsupported;
  return impl_->ip.raw().open(protocol);
}
namespace {
// An address of the endpoint's own family (IPv4 for ICMP, IPv6 for
// ICMPv6); an unspecified one of either family removes a filter.
bool raw_family_fits(const RawEndpoints& raw, RawHandle h, const IpAddress& a) {
  const bool v6 = raw.protocol(h) == static_cast<std::uint8_t>(IpProtocol::Icmpv6);
  return a.is_unspecified() || a.is_v6() == v6;
}
}  // namespace

Status Stack::raw_bind(RawHandle h, const IpAddress& local) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_bind");
  if (!impl_->ip.raw().valid(h)) return Error::Closed;
  if (!raw_family_fits(impl_->ip.raw(), h, local)) return Error::Unsupported;
  // As Linux: a group or an IPv4 broadcast address binds too (the endpoint
  // then takes what is sent there, and sends from the route's source).
  const bool broadcast = core_is_v4(local) && impl_->ip.is_broadcast(local.v4());
  if (!local.is_unspecified() && !local.is_multicast() && !broadcast && !impl_->ip.is_local(local)) {
    return Error::AddressNotAvailable;
  }
  return impl_->ip.raw().bind(h, local);
}
Status Stack::raw_connect(RawHandle h, const IpAddress& remote) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_connect");
  if (!impl_->ip.raw().valid(h)) return Error::Closed;
  if (!raw_family_fits(impl_->ip.raw(), h, remote)) return Error::Unsupported;
  return impl_->ip.raw().connect(h, remote);
}
Status Stack::raw_send_to(RawHandle h, ConstBytes message, const IpAddress& destination,
                          std::uint8_t ttl, Instant now, std::uint8_t tos) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_send_to");
  if (!impl_->ip.raw().valid(h)) return Error::Closed;
  if (destination.is_unspecified() || !raw_family_fits(impl_->ip.raw(), h, destination)) {
    return Error::Unsupported;
  }
  return impl_->ip.raw_send(h, message, destination, ttl, now, tos);
}
Status Stack::raw_set_icmpv6_filter(RawHandle h, const RawIcmpv6Filter& blocked) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_set_icmpv6_filter");
  return impl_->ip.raw().set_icmpv6_filter(h, blocked);
}
RawIcmpv6Filter Stack::raw_icmpv6_filter(RawHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_icmpv6_filter");
  return impl_->ip.raw().icmpv6_filter(h);
}
Result<RawReceived> Stack::raw_receive(RawHandle h, Bytes into, bool peek) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_receive");
  return impl_->ip.raw().receive(h, into, peek);
}
bool Stack::raw_readable(RawHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_readable");
  return impl_->ip.raw().readable(h);
}
std::size_t Stack::raw_pending_bytes(RawHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_pending_bytes");
  return impl_->ip.raw().next_packet_size(h);
}
void Stack::set_raw_event_callback(RawEventCallback callback, void* context) {
  LWNET_CHECK_CORE_CONTEXT("Stack::set_raw_event_callback");
  impl_->ip.raw().set_event_callback(callback, context);
}
void Stack::raw_close(RawHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_close");
  impl_->ip.raw().close(h);
}

Status Stack::raw_set_user_data(RawHandle h, void* user_data) {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_set_user_data");
  return impl_->ip.raw().set_user_data(h, user_data);
}

void* Stack::raw_user_data(RawHandle h) const {
  LWNET_CHECK_CORE_CONTEXT("Stack::raw_user_data");
  return impl_->ip.raw().user_data(h);
}

Result<PingHandle> Stack::ping_open(std::uint16_t identifier) {
  LWNET_CHECK_CORE_CONTEXT("Stack::ping_open");
  return impl_->ip.echo().open(identifier);
}
Status Stack::ping_send(PingHandle h, const IpAddress& destination, std::uint16_t sequence,
                        ConstBytes payload, std::uint8_t ttl, Instant now, std::uint8_t tos,
                        std::optional<NetifId> netif) {
  LWNET_CHECK_CORE_CONTEXT("Stack::ping_send");
  if (netif && !impl_->ip.netif_info(*netif).ok()) return Error::InvalidArgument;
  // The traffic class of ICMPv6 echo requests stays 0: tos is IPv4's.
  if (destination.is_v6()) {
    if constexpr (config::ipv6) return impl_->ip.ping6_send(h, destination.v6(), sequence, payload, ttl, now, netif);
    return Error::Unsupported;
  }
  return impl_->ip.ping_send(h, destination.v4(), sequence, payload, ttl, now, tos, netif);
}
Result<EchoReply> Stack::ping_receive(PingHandle h, Bytes into) {
  LWNET_CHECK_CORE_CONTEXT("Stack::ping_receive");
  return impl_->ip.echo().receive(h, into);
}
void Stack::ping_close(PingHandle h) {
  LWNET_CHECK_CORE_CONTEXT("Stack::ping_close");
  impl_->ip.echo().close(h);
}

const StackStats& Stack::stats() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::stats");
  impl_->stats.tcp_table = impl_->tcp.table().stats();
  return impl_->stats;
}
const Pools& Stack::pools() const {
  LWNET_CHECK_CORE_CONTEXT("Stack::pools");
  return impl_->pools;
}

}  // namespace lwnet
