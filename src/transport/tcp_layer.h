// TCP on top of the IP layer: parses and checks incoming segments, hands
// them to the connection table, and builds outgoing segments straight from
// a connection's send ring into a frame buffer (one copy, checksum as it is
// emitted).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "buf/buf_pool.h"
#include "ip/ip_layer.h"
#include "transport/tcp/tcp_table.h"
#include "transport/tcp_stats.h"

namespace lwnet {

// Core thread only.
class TcpLayer final : public TcpOutput {
 public:
  TcpLayer(IpLayer& ip, Pools& pools, TcpLayerStats& stats, Random& random,
           const TcpTableConfig& config = {});

  // A datagram whose protocol is TCP.
  void input(IpDelivery&& delivery, Instant now);
  // An ICMP error quoting one of our segments (IpLayer's error callback).
  void icmp_error(const IcmpErrorReport& report) {
    // A next hop that never answered ends a connect() as a hard error does
    // (Linux: EHOSTUNREACH in about 3 s, not a SYN timeout minutes later).
    table_.on_icmp_error(report.local, report.remote, report.error, report.hard || report.neighbour_unreachable,
                         report.sequence);
  }
  // A Packet Too Big lowered the path MTU towards `destination` (IpLayer's
  // path MTU callback): its connections send smaller segments from now on.
  void path_mtu_changed(const IpAddress& destination, std::size_t mtu, Instant now);
  void poll_timers(Instant now) { table_.on_timer(now, *this); }
  Instant next_deadline() const { return table_.next_deadline(); }

  // The largest segment payload the route to `remote` allows: the path MTU
  // (IpLayer::path_mtu) less the family's IP header and TCP's (IPv4: MTU -
  // 40, IPv6: MTU - 60).
  // What the MTU of the netif toward `remote` allows (`netif`: the one a
  // socket is bound to, SO_BINDTODEVICE, instead of the route's).
  std::uint16_t mss_limit(const IpAddress& remote, const IpAddress& local,
                          std::optional<NetifId> netif = std::nullopt) const;
  // Connects from the address the route picks (or `local` when given).
  Result<TcpHandle> connect(const IpEndpoint& local, const IpEndpoint& remote, Instant now,
                            const TcpSettings* settings = nullptr);

  TcpTable& table() { return table_; }
  const TcpTable& table() const { return table_; }
  const TcpLayerStats& stats() const { return stats_; }

  // A batch of input (one device's frames of one poll): an ACK that only
  // acknowledges more waits, one per connection, until the batch ends or
  // the connection sends something else, so the super-frames of one poll
  // cost the peer one ACK, as after Linux's GRO. Duplicate ACKs and ACKs
  // with SACK blocks leave at once, in order: they report a loss.
  void begin_input_batch() { batching_ = true; }
  void end_input_batch(Instant now);

  bool send_segment(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                    const TcpRepr& header, std::span<const ConstBytes> payload,
                    std::size_t segment_size, Instant now) override;
  std::size_t segmentation_limit(const IpEndpoint& local, const IpEndpoint& remote,
                                 const TcpIpOptions& ip) override;

 private:
  struct HeldAck {
    IpEndpoint local;
    IpEndpoint remote;
    TcpIpOptions ip;
    TcpRepr header;
    bool held = false;
  };
  // Sends the segment now.
  bool transmit(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                const TcpRepr& header, std::span<const ConstBytes> payload, std::size_t segment_size,
                Instant now);
  // Sends a held ACK now and frees its slot.
  void release(HeldAck& held, Instant now);
  // True when the segment need not leave yet (held, or made redundant).
  bool hold_ack(const IpEndpoint& local, const IpEndpoint& remote, const TcpIpOptions& ip,
                const TcpRepr& header, bool pure_ack, Instant now);

  IpLayer& ip_;
  Pools& pools_;
  TcpTable table_;
  TcpLayerStats& stats_;
  // A few connections per batch are enough: a bulk receiver is one, and
  // any more send their ACKs at once, as without batching. One without
  // device offloads (CONFIG_LWNET_DEVICE_OFFLOAD=0): no super-frames, and
  // each slot is a whole TCP header.
  std::array<HeldAck, config::device_offload ? 4 : 1> held_acks_{};
  bool batching_ = false;
};

}  // namespace lwnet
