// The Stack's public surface: each call goes to the part that implements it.
#include "core/stack.h"

#include "core/stack_impl.h"

namespace lwnet {

Stack::Stack(const StackConfig& config) : impl_(std::make_unique<StackImpl>(config)) {}
Stack::~Stack() = default;

Result<NetifId> Stack::add_netif(Device& device, const NetifConfig& config, Instant now) {
  return impl_->ip.add_netif(device, config, now);
}
NetifId Stack::loopback_netif() const { return IpLayer::loopback_netif(); }
void Stack::set_default_netif(NetifId id) { impl_->ip.set_default_netif(id); }
Status Stack::set_ipv4(NetifId id, const IpCidr& address, std::optional<Ipv4Address> gateway,
                       Instant now) {
  return impl_->ip.set_ipv4(id, address, gateway, now);
}
Status Stack::set_up(NetifId id, bool up, Instant now) { return impl_->ip.set_up(id, up, now); }
Status Stack::set_link_up(NetifId id, bool link_up, Instant now) {
  return impl_->ip.set_link_up(id, link_up, now);
}
Result<NetifInfo> Stack::netif_info(NetifId id) const { return impl_->ip.netif_info(id); }
void Stack::set_status_callback(NetifCallback callback, void* context) {
  impl_->ip.set_status_callback(callback, context);
}
void Stack::set_link_callback(NetifCallback callback, void* context) {
  impl_->ip.set_link_callback(callback, context);
}

Status Stack::arp_add_static(NetifId id, Ipv4Address ip, const MacAddress& mac) {
  // Packets that waited for this address leave now, dated with the latest
  // poll (the API gives no instant here).
  return impl_->ip.arp_add_static(id, ip, mac, impl_->last_poll);
}
Status Stack::arp_remove(NetifId id, Ipv4Address ip) { return impl_->ip.arp_remove(id, ip); }
std::optional<MacAddress> Stack::arp_lookup(NetifId id, Ipv4Address ip) const {
  return impl_->ip.arp_lookup(id, ip);
}
Status Stack::arp_probe(NetifId id, Ipv4Address ip, Instant now) {
  return impl_->ip.arp_probe(id, ip, now);
}
Status Stack::arp_announce(NetifId id, Instant now) { return impl_->ip.arp_announce(id, now); }
bool Stack::arp_conflict(NetifId id, Ipv4Address ip) const {
  return impl_->ip.arp_conflict(id, ip);
}

Result<TcpHandle> Stack::tcp_listen(const IpEndpoint& local, std::size_t backlog,
                                   bool reuse_address, const TcpSettings* settings) {
  return impl_->tcp.table().listen(local, backlog, reuse_address, settings);
}
Result<TcpHandle> Stack::tcp_accept(TcpHandle listener) { return impl_->tcp.table().accept(listener); }
Result<TcpHandle> Stack::tcp_connect(const IpEndpoint& remote, Instant now, const IpEndpoint& local,
                                     const TcpSettings* settings) {
  return impl_->tcp.connect(local, remote, now, settings);
}
Result<std::size_t> Stack::tcp_send(TcpHandle h, ConstBytes data, Instant now) {
  return impl_->tcp.table().send(h, data, now, impl_->tcp);
}
Status Stack::tcp_send_zero_copy(TcpHandle h, ConstBytes data, ZeroCopyCompletion done, Instant now) {
  return impl_->tcp.table().send_zero_copy(h, data, done, now, impl_->tcp);
}
Status Stack::tcp_set_buffer_sizes(TcpHandle h, std::size_t send, std::size_t receive, Instant now) {
  return impl_->tcp.table().set_buffer_sizes(h, send, receive, now, impl_->tcp);
}
Result<std::size_t> Stack::tcp_receive(TcpHandle h, Bytes into, Instant now) {
  return impl_->tcp.table().receive(h, into, now, impl_->tcp);
}
Status Stack::tcp_shutdown(TcpHandle h, Instant now) {
  return impl_->tcp.table().shutdown_send(h, now, impl_->tcp);
}
void Stack::tcp_close(TcpHandle h, Instant now) { impl_->tcp.table().close(h, now, impl_->tcp); }
void Stack::tcp_abort(TcpHandle h, Instant now) { impl_->tcp.table().abort(h, now, impl_->tcp); }
std::uint8_t Stack::tcp_events(TcpHandle h) { return impl_->tcp.table().take_events(h); }
TcpConnection* Stack::tcp_connection(TcpHandle h) { return impl_->tcp.table().connection(h); }
void Stack::set_tcp_event_callback(TcpTable::EventCallback callback, void* context) {
  impl_->tcp.table().set_event_callback(callback, context);
}

void Stack::poll(Instant now) { impl_->poll(now); }
Instant Stack::next_deadline() const { return impl_->next_deadline(); }

Result<UdpHandle> Stack::udp_open() { return impl_->udp.open(); }
Status Stack::udp_bind(UdpHandle h, const IpEndpoint& local) { return impl_->udp.bind(h, local); }
Status Stack::udp_connect(UdpHandle h, const IpEndpoint& remote) {
  return impl_->udp.connect(h, remote);
}
Status Stack::udp_disconnect(UdpHandle h) { return impl_->udp.disconnect(h); }
Result<IpEndpoint> Stack::udp_local(UdpHandle h) const { return impl_->udp.local(h); }
Status Stack::udp_send_to(UdpHandle h, ConstBytes payload, const IpEndpoint& to, Instant now) {
  return impl_->udp.send_to(h, payload, to, now);
}
Status Stack::udp_send(UdpHandle h, ConstBytes payload, Instant now) {
  return impl_->udp.send(h, payload, now);
}
Result<UdpReceived> Stack::udp_receive(UdpHandle h, Bytes into) {
  return impl_->udp.receive(h, into);
}
bool Stack::udp_readable(UdpHandle h) const { return impl_->udp.readable(h); }
void Stack::udp_set_broadcast(UdpHandle h, bool allowed) { impl_->udp.set_broadcast(h, allowed); }
void Stack::udp_set_ttl(UdpHandle h, std::uint8_t ttl) { impl_->udp.set_ttl(h, ttl); }
void Stack::udp_set_checksum(UdpHandle h, bool send_checksum) {
  impl_->udp.set_checksum(h, send_checksum);
}
void Stack::udp_close(UdpHandle h) { impl_->udp.close(h); }

Result<PingHandle> Stack::ping_open(std::uint16_t identifier) {
  return impl_->ip.echo().open(identifier);
}
Status Stack::ping_send(PingHandle h, const IpAddress& destination, std::uint16_t sequence,
                        ConstBytes payload, std::uint8_t ttl, Instant now) {
  if (!destination.is_v4()) return Error::Unsupported;
  return impl_->ip.ping_send(h, destination.v4(), sequence, payload, ttl, now);
}
Result<EchoReply> Stack::ping_receive(PingHandle h, Bytes into) {
  return impl_->ip.echo().receive(h, into);
}
void Stack::ping_close(PingHandle h) { impl_->ip.echo().close(h); }

const StackStats& Stack::stats() const {
  impl_->stats.tcp_table = impl_->tcp.table().stats();
  return impl_->stats;
}
const Pools& Stack::pools() const { return impl_->pools; }

}  // namespace lwnet
