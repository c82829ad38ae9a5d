#include "core/stack_impl.h"

#include <algorithm>
#include <cstring>

#include "link/receive_offload.h"

namespace lwnet {

StackImpl::StackImpl(const StackConfig& config)
    : StackImplState(),
      pools(config::frame_pool_size, config::frame_buffer_size, config::large_pool_size,
            config::large_buffer_size),
      random(config.random_seed),
      ip(pools, IpLayerStats{stats.ethernet, stats.arp, stats.ipv4, stats.icmp, stats.igmp, stats.ipv6,
                      stats.icmpv6, stats.nd, stats.mld}, random, loopback),
      udp(ip, pools, stats.udp, stats.ipv4, random),
      tcp(ip, pools, stats.tcp, random, TcpTableConfig{.release_memory = config.release_memory}) {
  if constexpr (config::icmp_errors_to_transports) {
    ip.set_icmp_error_callback(
        [](void* context, const IcmpErrorReport& report, Instant) {
          auto* self = static_cast<StackImpl*>(context);
          if (report.protocol == static_cast<std::uint8_t>(IpProtocol::Udp)) {
            self->udp.icmp_error(report);
          } else if (report.protocol == static_cast<std::uint8_t>(IpProtocol::Tcp)) {
            self->tcp.icmp_error(report);
          }
        },
        this);
  }
  if constexpr (config::path_mtu_table) {
    ip.set_path_mtu_callback(
        [](void* context, const IpAddress& destination, std::size_t mtu, Instant now) {
          static_cast<StackImpl*>(context)->tcp.path_mtu_changed(destination, mtu, now);
        },
        this);
  }
  if constexpr (config::ipv6) {
    ip.set_router_advertisement_callbacks(
        [](void* context, NetifId id) {
          auto* self = static_cast<StackImpl*>(context);
          if (self->ra_flags_callback != nullptr) self->ra_flags_callback(self->ra_flags_context, id);
        },
        [](void* context, NetifId id) { static_cast<StackImpl*>(context)->publish_rdnss(id); }, this);
  }
}

void StackImpl::publish_rdnss(NetifId id) {
  std::array<IpAddress, RouterList::max_rdnss> servers{};
  std::size_t count = 0;
  for (const std::optional<RdnssServer>& s : ip.router_list().rdnss()) {
    if (s && s->netif == id) servers[count++] = IpAddress(s->address);
  }
  dns_servers.publish(ServerSource::RouterAdvertisement, id, {servers.data(), count});
}

void StackImpl::receive_from(NetifId id, Instant now) {
  Device& device = *ip.netifs()[id].device;
  // Without offloads built in, the device is not asked (a virtual call).
  const std::size_t largest_offloaded = config::device_offload ? device.capabilities().receive_offload : 0;
  for (std::size_t i = 0; i < frames_per_device_per_poll; ++i) {
    if (!spare_) {
      // Built in spare_ (empty here): no optional-to-optional assignment.
      std::optional<PacketBuf> fresh = pools.frames.allocate(config::headroom);
      if (fresh) spare_.emplace(std::move(*fresh));
      if (!spare_) {
        // No buffer: what waits is taken and dropped, so that a device with
        // frames due never makes next_deadline() ask for a poll that cannot
        // make progress. An empty buffer does it without a frame-sized
        // scratch array (Device::receive drops every frame longer than its
        // buffer, and counts it), counted here too.
        // Without counters the device's own are not read (virtual calls).
        const std::uint64_t dropped_before = config::stats ? device.stats().rx_dropped : 0;
        const std::optional<std::size_t> empty_frame = device.receive(Bytes{}, now);
        if constexpr (config::stats) {
          stats.ethernet.drop_no_buffer +=
              static_cast<StatCounter>(device.stats().rx_dropped - dropped_before + (empty_frame ? 1U : 0U));
        }
        if (!empty_frame) return;
        continue;
      }
    }
    if (config::device_offload && largest_offloaded > 0) {
      if (!receive_offloaded_from(id, device, largest_offloaded, now)) return;
      continue;
    }
    PacketBuf& buf = *spare_;
    std::optional<std::size_t> length = device.receive(buf.append(buf.tailroom()), now);
    if (!length) {
      buf.reset(config::headroom);
      return;
    }
    buf.truncate(*length);
    // Handed over from spare_ itself (no PacketBuf moved aside first); what
    // input leaves in it is freed before the delivery goes up.
    std::optional<IpDelivery> delivery = ip.input(id, std::move(buf), now);
    spare_.reset();
    if (delivery) dispatch(std::move(*delivery), now);
  }
}

bool StackImpl::receive_offloaded_from(NetifId id, Device& device, std::size_t largest, Instant now) {
  PacketBuf& small = *spare_;
  // A super-frame needs a large buffer, held only while TCP copies it into
  // its receive ring. None free (reassembly and UDP queues hold them): the
  // device drops what does not fit a frame buffer, and the sender resends.
  // Received frames get no headers pushed in front, so less headroom will do.
  std::optional<PacketBuf> large =
      largest > small.tailroom() && pools.large.buffer_size() >= largest
          ? pools.large.allocate(std::min(config::headroom, pools.large.buffer_size() - largest))
          : std::nullopt;
  PacketBuf& into = large ? *large : small;
  ReceiveOffload offload;
  const std::optional<std::size_t> length = device.receive_offloaded(into.append(into.tailroom()), offload, now);
  if (!length) {
    small.reset(config::headroom);
    return false;
  }
  into.truncate(*length);
  PacketBuf frame;
  if (!large) {
    frame = std::move(small);
    spare_.reset();
  } else if (*length <= small.tailroom()) {
    // A plain frame goes on in a frame buffer: a queue that keeps it (UDP)
    // must not hold 64 KiB for it, and the large pool stays free.
    std::memcpy(small.append(*length).data(), large->data().data(), *length);
    large.reset();
    frame = std::move(small);
    spare_.reset();
  } else {
    frame = std::move(*large);
  }
  const OffloadVerdict verdict = check_receive_offload(frame.data(), ip.netifs()[id].medium, offload);
  if (verdict == OffloadVerdict::Bad) {
    ++stats.ethernet.drop_bad_offload;
    return true;
  }
  if (offload.gso != ReceiveOffload::Gso::None) {
    ++stats.ethernet.rx_super_frames;
  } else if (frame.capacity() > pools.frames.buffer_size()) {
    ++stats.ethernet.drop_oversized;  // longer than any frame this stack takes
    return true;
  }
  frame.set_checksum_trusted(verdict == OffloadVerdict::Trusted);
  std::optional<IpDelivery> delivery = ip.input(id, std::move(frame), now);
  if (delivery) dispatch(std::move(*delivery), now);
  return true;
}

void StackImpl::dispatch(IpDelivery&& delivery, Instant now) {
  switch (delivery.protocol) {
    case static_cast<std::uint8_t>(IpProtocol::Udp):
      ++stats.ipv4.rx_delivered;
      udp.input(std::move(delivery), now);
      return;
    case static_cast<std::uint8_t>(IpProtocol::Tcp):
      ++stats.ipv4.rx_delivered;
      tcp.input(std::move(delivery), now);
      return;
    default:
      ip.reject_protocol(std::move(delivery), now);
      return;
  }
}

void StackImpl::poll(Instant now) {
  last_poll = now;
  const std::size_t count = ip.netifs().size();
  for (std::size_t i = 0; i < count; ++i) {
    tcp.begin_input_batch();
    receive_from(NetifId{static_cast<std::uint8_t>(i)}, now);
    tcp.end_input_batch(now);
  }
  if (timers_enabled) {
    ip.poll_timers(now);
    if (tcp.next_deadline() <= now) tcp.poll_timers(now);
  }
  // Keep no buffer across polls: an idle stack holds nothing.
  spare_.reset();
}

void StackImpl::poll_apps(Stack& stack, Instant now) {
  if constexpr (config::max_stack_apps == 0) return;
  // An app may attach or detach apps from inside its poll: detached ones
  // leave gaps (skipped, compacted below), attached ones land after
  // app_count and run in this round too.
  polling_apps = true;
  for (std::size_t i = 0; i < app_count; ++i) {
    if (apps[i] != nullptr) apps[i]->poll(stack, now);
  }
  polling_apps = false;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < app_count; ++i) {
    if (apps[i] != nullptr) apps[kept++] = apps[i];
  }
  for (std::size_t i = kept; i < app_count; ++i) apps[i] = nullptr;
  app_count = kept;
}

Instant StackImpl::next_deadline() const {
  // With timers disabled only input is due: frames the devices will have
  // without an outside event (a pipe's latency, the loopback netif's queue).
  Instant earliest = Instant::max();
  if (timers_enabled) {
    earliest = ip.next_deadline();
    if (const Instant t = tcp.next_deadline(); t < earliest) earliest = t;
    for (std::size_t i = 0; i < (config::max_stack_apps == 0 ? 0 : app_count); ++i) {
      if (const Instant t = apps[i]->next_deadline(); t < earliest) earliest = t;
    }
  }
  const NetifTable& netifs = ip.netifs();
  for (std::size_t i = 0; i < netifs.size(); ++i) {
    const Instant d = netifs[NetifId{static_cast<std::uint8_t>(i)}].device->next_deadline();
    if (d < earliest) earliest = d;
  }
  return earliest;
}

}  // namespace lwnet
