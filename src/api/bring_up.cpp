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
}

namespace {

std::mutex bring_up_mutex;
// The TAP devices attached so far: they live as long as the process (the
// stack keeps references to them), in a list so their addresses never move.
std::list<lwnet::TapDevice> taps;
bool have_default_netif = false;

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
  TapDevice& device = taps.emplace_back(std::move(tap).value());
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
  lwnet::api::close_default_sockets();
  lwnet::api::close_default_sntp();
  lwnet::api::close_default_name_resolver();
  if (lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip()) thread->stop();
}
