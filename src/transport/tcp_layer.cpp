#include "transport/tcp_layer.h"

#include <algorithm>
#include <cstring>

namespace lwnet {

namespace {

// The IP and TCP headers in front of a segment's payload to or from `peer`:
// without IPv6, IPv4's, whatever the address says.
std::size_t headers_len(const IpAddress& peer) {
  return ip_header_len(core_is_v6(peer) ? IpVersion::V6 : IpVersion::V4) + TcpRepr::min_header_len;
}

}  // namespace

TcpLayer::TcpLayer(IpLayer& ip, Pools& pools, TcpLayerStats& stats, Random& random,
                   const TcpTableConfig& config)
    : ip_(ip), pools_(pools), table_(config, random), stats_(stats) {}

std::uint16_t TcpLayer::mss_limit(const IpAddress& remote, const IpAddress& local,
                                  std::optional<NetifId> netif) const {
  const std::size_t headers = headers_len(remote);
  std::size_t mtu = 1500;
  if (Result<IpRoute> route = ip_.route(remote, local, netif)) mtu = ip_.path_mtu(*route, remote);
  const std::size_t limit = mtu > headers + 64 ? mtu - headers : 64;
  return static_cast<std::uint16_t>(std::min<std::size_t>(limit, 0xffff));
}

Result<TcpHandle> TcpLayer::connect(const IpEndpoint& local, const IpEndpoint& remote, Instant now,
                                    const TcpSettings* settings) {
  const std::optional<NetifId> netif = settings != nullptr ? settings->ip.netif : std::nullopt;
  Result<IpRoute> route = ip_.route(remote.address, local.address, netif);
  if (!route) {
    ++stats_.drop_no_route;
    return route.error();
  }
  if (route->broadcast) return Error::NoRoute;  // unicast only, as the multicast check in TcpTable
  const IpEndpoint from{route->source, local.port};
  return table_.connect(from, remote, mss_limit(remote.address, from.address, netif), now, *this, settings);
}

void TcpLayer::input(IpDelivery&& delivery, Instant now) {
  ++stats_.rx;
  // TCP is unicast only (RFC 1122 4.2.3.10): no answer, not even a RST.
  if (delivery.broadcast || delivery.destination.is_multicast()) {
    ++stats_.drop_broadcast;
    return;
  }
  const IpAddress& source = delivery.source;
  const IpAddress& destination = delivery.destination;
  // lwIP's CHECKSUM_CHECK_TCP is on by default and ESP-IDF has no option for
  // it: a corrupted segment must never reach a byte stream. Only a device
  // vouching for it (receive offload) spares the sum.
  Result<TcpRepr> parsed =
      TcpRepr::parse(delivery.packet.data(), source, destination, !delivery.packet.checksum_trusted());
  if (!parsed) {
    if (parsed.error() == Error::BadChecksum) {
      ++stats_.drop_bad_checksum;
    } else {
      ++stats_.drop_malformed;
    }
    return;
  }
  const TcpRepr& segment = *parsed;
  // Only a SYN needs the route's MSS (a new passive open): no route lookup
  // for every other segment. A listener bound to a netif answers through
  // it, whatever the routing table says.
  const std::uint16_t mss =
      segment.has(tcp_flags::syn)
          ? mss_limit(source, destination,
                      table_.listener_netif({destination, segment.destination_port}, delivery.netif))
          : 0;
  table_.on_segment(source, destination, segment, mss, now, *this, delivery.netif);
}

void TcpLayer::path_mtu_changed(const IpAddress& destination, std::size_t mtu, Instant now) {
  const std::size_t headers = headers_len(destination);
  if (mtu <= headers) return;
  table_.on_path_mtu(destination, static_cast<std::uint16_t>(std::min<std::size_t>(mtu - headers, 0xffff)),
                     now, *this);
}

std::size_t TcpLayer::segmentation_limit(const IpEndpoint& local, const IpEndpoint& remote,
                                         const TcpIpOptions& ip) {
  if constexpr (!config::device_offload) return 0;
  Result<IpRoute> route = ip_.route(remote.address, local.address, ip.netif);
  return route ? ip_.tcp_segmentation_limit(*route) : 0;
}

void TcpLayer::end_input_batch(Instant now) {
  batching_ = false;
  for (HeldAck& held : held_acks_) {
    if (held.held) release(held, now);
  }
}

void TcpLayer::release(HeldAck& held, Instant now) {
  held.held = false;
  (void)transmit(held.local, held.remote, held.ip, held.header, {}, 0, now);
}

bool TcpLayer::hold_ack(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                        const TcpRepr& header, bool pure_ack, Instant now) {
  HeldAck* slot = nullptr;
  for (HeldAck& held : held_acks_) {
    if (held.held && held.local == local && held.remote == remote) {
      slot = &held;
      break;
    }
  }
  if (slot != nullptr) {
    const Seq32 ack(header.acknowledgment);
    const Seq32 held_ack(slot->header.acknowledgment);
    if (ack > held_ack || (!pure_ack && ack == held_ack)) {
      slot->held = false;  // this segment says all the held ACK said, and more
    } else {
      // A duplicate ACK (or an older one): the held one first, in order.
      release(*slot, now);
    }
  }
  if (!pure_ack || header.sack_count > 0) return false;
  for (HeldAck& held : held_acks_) {
    if (held.held) continue;
    // Member by member: a whole HeldAck built first was copied twice.
    held.local = local;
    held.remote = remote;
    held.ip = ip;
    held.header = header;
    held.held = true;
    return true;
  }
  return false;
}

bool TcpLayer::send_segment(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                            const TcpRepr& header, std::span<const ConstBytes> payload,
                            std::size_t segment_size, Instant now) {
  if (batching_) {
    bool empty = true;
    for (ConstBytes piece : payload) empty = empty && piece.empty();
    if (hold_ack(local, remote, ip, header, empty && header.flags == tcp_flags::ack, now)) return true;
  }
  return transmit(local, remote, ip, header, payload, segment_size, now);
}

bool TcpLayer::transmit(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                        const TcpRepr& header, std::span<const ConstBytes> payload, std::size_t segment_size,
                        Instant now) {
  Result<IpRoute> route = ip_.route(remote.address, local.address, ip.netif);
  if (!route) {
    ++stats_.drop_no_route;
    return false;
  }
  // Taken where the route is known to be there: read after the calls
  // below, *route checked it again.
  const IpRoute& via = *route;
  const std::size_t header_len = header.header_len();
  std::size_t length = header_len;
  for (ConstBytes piece : payload) length += piece.size();
  std::optional<PacketBuf> buf = pools_.allocate(config::headroom, length);
  if (!buf) {
    ++stats_.drop_no_buffer;
    return false;
  }
  Bytes segment = buf->append(length);
  std::size_t at = header_len;
  for (ConstBytes piece : payload) {
    if (piece.empty()) continue;
    std::memcpy(segment.data() + at, piece.data(), piece.size());
    at += piece.size();
  }
  IpSendOptions options;
  options.protocol = IpProtocol::Tcp;
  options.hop_limit = ip.ttl;
  options.tos = ip.tos;
  options.discover_path_mtu = true;  // DF, as Linux's TCP (RFC 1191)
  // segment_size is 0 without device offload (segmentation_limit): the
  // test compiles the offload's header out.
  if (config::device_offload && segment_size != 0 && length - header_len > segment_size) {
    // The device cuts it up and completes each segment's checksum.
    header.emit_for_offload(segment, local.address, remote.address);
    options.segment_size = static_cast<std::uint16_t>(segment_size);
    options.transport_header_length = static_cast<std::uint16_t>(header_len);
  } else {
    header.emit(segment, local.address, remote.address);
  }
  Status sent = ip_.output(std::move(*buf), via, remote.address, options, now);
  if (!sent) return false;
  ++stats_.tx;
  return true;
}

}  // namespace lwnet
