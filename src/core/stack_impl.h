// What a Stack owns, in construction order: pools, counters, randomness, the
// loopback device, the IP layer and the UDP endpoints. Everything is
// allocated here, once; poll() never allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "buf/buf_pool.h"
#include "config/options.h"
#include "core/stack.h"
#include "core/stack_stats.h"
#include "ip/ip_layer.h"
#include "link/loopback.h"
#include "transport/tcp_layer.h"
#include "transport/udp.h"
#include "util/random.h"

namespace lwnet {

// StackImpl's own state, in a base of its own so that StackImpl's
// constructor value-initializes it: one memset and the non-zero defaults
// instead of a store per member (86 bytes less Cortex-M text).
struct StackImplState {
  StackImplState() = default;

  // The instant of the latest poll: for the few calls that send without
  // being given one (arp_add_static flushing packets that waited).
  Instant last_poll;
  // Stack::set_timers_enabled: false between sys_timeouts_deinit() and
  // sys_timeouts_init(); poll() then takes input only.
  bool timers_enabled = true;
  // Stack::attach_app: attached apps in order; null entries are gaps left by
  // a detach during poll_apps (compacted once it returns).
  std::array<StackApp*, config::max_stack_apps> apps{};
  std::size_t app_count = 0;
  bool polling_apps = false;
  // Open Stack::begin_transmit_batch() spans, and how many netifs the
  // outermost one began a batch on.
  std::size_t transmit_batch_depth = 0;
  std::size_t transmit_batch_netifs = 0;
  // Stack::publish_dns_servers / publish_ntp_servers.
  LearnedServers dns_servers;
  LearnedServers ntp_servers;
  // Stack::set_router_advertisement_callback; RDNSS changes go to dns_servers.
  Stack::NetifCallback ra_flags_callback = nullptr;
  void* ra_flags_context = nullptr;
  // Stack::set_core_context_check (consulted with CONFIG_LWIP_CHECK_THREAD_SAFETY).
  Stack::CoreContextCheck in_core = nullptr;
  void* in_core_context = nullptr;
  Stack::CoreContextViolation core_violation = nullptr;
};

// Core thread only.
class StackImpl : public StackImplState {
 public:
  explicit StackImpl(const StackConfig& config);

  void poll(Instant now);
  Instant next_deadline() const;

  // Frames taken from one device in one poll at most, so that a busy device
  // cannot starve the others or the timers (the rest wait for the next poll,
  // which next_deadline() asks for at once).
  static constexpr std::size_t frames_per_device_per_poll = 64;

  Pools pools;
  // {}: zeroed as one block, not counter by counter (the latter took 736
  // bytes of code on Cortex-M4).
  StackStats stats{};
  Random random;
  Loopback loopback;
  IpLayer ip;
  UdpEndpoints udp;
  TcpLayer tcp;
  void poll_apps(Stack& stack, Instant now);
  void publish_rdnss(NetifId id);

  // Aborts, after telling the installed violation hook, when a checker is
  // installed and says the caller is outside the core context.
  void check_core_context(const char* function) const {
    if (in_core == nullptr || in_core(in_core_context)) return;
    if (core_violation != nullptr) core_violation(in_core_context, function);
    std::abort();
  }

 private:
  void receive_from(NetifId id, Instant now);
  // One frame from a device with receive offload (capabilities().
  // receive_offload == largest), into spare_ or a large buffer; false when
  // none was waiting.
  bool receive_offloaded_from(NetifId id, Device& device, std::size_t largest, Instant now);
  void dispatch(IpDelivery&& delivery, Instant now);

  std::optional<PacketBuf> spare_;  // a receive buffer the last device left unused
};

}  // namespace lwnet
