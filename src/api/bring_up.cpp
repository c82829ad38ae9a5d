// lwnet/lwnet.h: a TCP/IP thread and a TAP netif from C, in one call.
#include <cerrno>
#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lwnet/lwnet.h"

#include "api/tcpip_c.h"
#include "config/options.h"
#include "link/linux/tap_device.h"
#include "wire/address.h"

namespace lwnet::api {
void close_default_sockets();  // socket_c_api.cpp
void close_default_name_resolver();  // name_resolver.cpp
void close_default_sntp();           // sntp_c_api.cpp
void end_dns_lookups_for_shutdown();      // dns_c_api.cpp
void allow_dns_lookups_after_shutdown();  // dns_c_api.cpp
void stop_dhcp_for_shutdown();            // dhcp_c_api.cpp
void stop_dhcp6_for_shutdown();           // dhcp6_c_api.cpp
void stop_pings_for_shutdown();           // ping_c_api.cpp
void allow_ping_starts_after_shutdown();  // ping_c_api.cpp
void stop_netbios_for_shutdown();         // netbiosns_c_api.cpp
}

namespace {

// A TAP attached by lwnet_tap_up(). The stack has no way to remove a netif,
// and it keeps a reference to the device: so the TAP stays open, and its
// netif in the stack, as long as the process. lwnet_shutdown() takes the
// netif down instead, and the next lwnet_tap_up() of the name brings the
// same netif up again (a second open of the TAP would fail with EBUSY while
// the first descriptor is open).
struct AttachedTap {
  lwnet::TapDevice device;
  lwnet::NetifId netif{};
  bool up = false;  // brought up since the last lwnet_shutdown()
};

std::mutex bring_up_mutex;
// In a list so that the devices' addresses never move.
std::list<AttachedTap> taps;
bool have_default_netif = false;

AttachedTap* find_tap(const char* name) {
  for (AttachedTap& tap : taps) {
    if (tap.device.name() == name) return &tap;
  }
  return nullptr;
}

}  // namespace

extern "C" int lwnet_tap_up(const char* tap_name, const char* ipv4_cidr, const char* gateway) {
  using namespace lwnet;
  if (tap_name == nullptr || (ipv4_cidr == nullptr && gateway != nullptr)) {
    errno = EINVAL;
    return -1;
  }
  // No address: the netif waits for one (lwnet_dhcp_start(), lwnet/dhcp.h).
  const std::optional<IpCidr> cidr = ipv4_cidr != nullptr ? parse_ip_cidr(ipv4_cidr) : std::nullopt;
  if (ipv4_cidr != nullptr && (!cidr || !cidr->address.is_v4())) {
    errno = EINVAL;
    return -1;
  }
  std::optional<Ipv4Address> gateway_address;
  if (gateway != nullptr) {
    const std::optional<IpAddress> parsed = parse_ip_address(gateway);
    if (!parsed || !parsed->is_v4() || !cidr->contains(*parsed)) {
      errno = EINVAL;
      return -1;
    }
    gateway_address = parsed->v4();
  }
  tcpip_init(nullptr, nullptr);
  api::TcpipThread* thread = api::default_tcpip();
  if (!thread->running()) {
    if (!thread->start()) {
      errno = EAGAIN;
      return -1;
    }
  }
  const std::lock_guard lock(bring_up_mutex);
  if (AttachedTap* attached = find_tap(tap_name)) {
    if (attached->up) {
      errno = EEXIST;
      return -1;
    }
    const NetifId id = attached->netif;
    // No address given: none, as for a new netif (the old one would answer
    // for an address the caller no longer asked for).
    const IpCidr address = cidr.value_or(IpCidr{Ipv4Address::any(), 0});
    const Status brought_up = thread->call([&](Stack& stack, Instant now) {
      const Status addressed = stack.set_ipv4(id, address, gateway_address, now);
      return addressed ? stack.set_up(id, true, now) : addressed;
    });
    if (!brought_up) {
      errno = EINVAL;
      return -1;
    }
    attached->up = true;
    return 0;
  }
  TapConfig tap_config;
  tap_config.name = tap_name;
  tap_config.mode = TapConfig::Mode::CreateOrAttach;
  tap_config.segmentation_offload = true;
  // Super-frames go into the stack's large buffers.
  tap_config.receive_offload = config::large_pool_size > 0;
  auto tap = TapDevice::open(tap_config);
  if (!tap) {
    errno = tap.os_error().number();
    return -1;
  }
  AttachedTap& attached = taps.emplace_back(AttachedTap{std::move(tap).value()});
  TapDevice& device = attached.device;
  NetifConfig config;
  config.name = device.name();
  // Locally administered, and different for each TAP of the process.
  config.mac = MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(1 + taps.size())}};
  config.ipv4 = cidr;
  config.gateway = gateway_address;
  auto netif = thread->add_netif(device, device.fd(), config);
  if (!netif) {
    taps.pop_back();
    errno = EINVAL;
    return -1;
  }
  attached.netif = *netif;
  attached.up = true;
  if (!have_default_netif) {
    const NetifId id = *netif;
    thread->call([id](Stack& stack, Instant) { stack.set_default_netif(id); });
    have_default_netif = true;
  }
  return 0;
}

extern "C" int lwnet_ip6_add(const char* netif_name, const char* ipv6_cidr) {
  using namespace lwnet;
  const std::optional<IpCidr> cidr = ipv6_cidr != nullptr ? parse_ip_cidr(ipv6_cidr) : std::nullopt;
  if (netif_name == nullptr || !cidr || !cidr->address.is_v6()) {
    errno = EINVAL;
    return -1;
  }
  api::TcpipThread* thread = api::default_tcpip();
  if (thread == nullptr || !thread->running()) {
    errno = ENETDOWN;
    return -1;
  }
  const std::string name = netif_name;
  std::optional<NetifId> netif;
  const Status added = thread->call([&](Stack& stack, Instant now) -> Status {
    netif = stack.netif_find(name);
    if (!netif) return Error::InvalidArgument;
    return stack.add_ipv6_address(*netif, *cidr, now);
  });
  if (!added) {
    errno = added.error() == Error::AddressInUse ? EADDRINUSE
            : added.error() == Error::TableFull  ? ENOBUFS
                                                 : EINVAL;
    return -1;
  }
  // Tentative while DAD probes (CONFIG_LWIP_IPV6_DUP_DETECT_ATTEMPTS
  // solicitations a second apart).
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    const Ipv6AddressState state = thread->call([&](Stack& stack, Instant) {
      auto slots = stack.ipv6_addresses(*netif);
      if (slots) {
        for (const Ipv6NetifAddress& a : *slots) {
          if (a.address == cidr->address.v6() && a.state != Ipv6AddressState::Invalid) return a.state;
        }
      }
      return Ipv6AddressState::Invalid;
    });
    if (state == Ipv6AddressState::Preferred || state == Ipv6AddressState::Deprecated) return 0;
    if (state != Ipv6AddressState::Tentative) {
      errno = EADDRINUSE;  // duplicated (or gone)
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  errno = ETIMEDOUT;
  return -1;
}

extern "C" void lwnet_shutdown(void) {
  using namespace lwnet;
  api::close_default_sockets();
  api::close_default_sntp();
  // The stack outlives the restart, and so would these apps, attached to
  // it and running on after the next lwnet_tap_up(); lwIP's users start
  // them again themselves after a restart.
  api::stop_dhcp_for_shutdown();
  api::stop_dhcp6_for_shutdown();
  api::stop_pings_for_shutdown();
  api::stop_netbios_for_shutdown();
  // The resolver's close calls no one back: dns_gethostbyname()'s lookups
  // end first.
  api::end_dns_lookups_for_shutdown();
  api::close_default_name_resolver();
  api::TcpipThread* thread = api::default_tcpip();
  if (thread == nullptr) return;
  {
    // Down, so that a TAP not brought up again answers nobody once the
    // thread runs again for other netifs.
    const std::lock_guard lock(bring_up_mutex);
    for (AttachedTap& tap : taps) {
      if (!tap.up) continue;
      const NetifId id = tap.netif;
      (void)thread->call([id](Stack& stack, Instant now) { return stack.set_up(id, false, now); });
      tap.up = false;
    }
  }
  thread->stop();
  api::allow_dns_lookups_after_shutdown();
  api::allow_ping_starts_after_shutdown();
}
