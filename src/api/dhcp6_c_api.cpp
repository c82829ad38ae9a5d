// lwnet/dhcp6.h: the stateless DHCPv6 client reached from any thread
// through the default TCP/IP thread. One client slot per netif, made on
// first use and touched only in core context.
#include "lwnet/dhcp6.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <optional>

#include "api/netif_app_c_api.h"
#include "apps/dhcp6_client.h"

namespace {

using namespace lwnet;
using api::Immortal;

// Indexed by NetifId; core context only.
Immortal<std::array<std::unique_ptr<Dhcp6Client>, config::max_netifs>> immortal_clients;
std::array<std::unique_ptr<Dhcp6Client>, config::max_netifs>& clients = immortal_clients.value;

// Runs f(stack, now, slot, id) in core context for the netif `ifname`;
// returns its errno (0: success).
template <class F>
int on_dhcp6_netif(const char* ifname, F&& f) {
  if constexpr (!config::ipv6_dhcp6) return api::fail_with_errno(ENOTSUP);
  return api::call_on_netif(ifname, clients.size(), [&](Stack& stack, Instant now, NetifId id) -> int {
    return f(stack, now, clients[id.value], id);
  });
}

void copy_addresses(std::span<const IpAddress> from, std::uint8_t (*to)[16], std::size_t capacity,
                    std::uint8_t& count) {
  count = 0;
  for (const IpAddress& a : from) {
    if (count == capacity) break;
    std::copy(a.v6().octets.begin(), a.v6().octets.end(), to[count]);
    ++count;
  }
}

}  // namespace

namespace lwnet::api {

// lwnet_shutdown() (bring_up.cpp): the clients leave the stack, which
// carries over into the next lwnet_tap_up(), until the user enables them
// again.
void stop_dhcp6_for_shutdown() {
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack& stack, Instant) {
    for (std::unique_ptr<Dhcp6Client>& client : clients) {
      if (client) client->stop(stack);
    }
    return 0;
  });
}

}  // namespace lwnet::api

extern "C" int lwnet_dhcp6_enable_stateless(const char* ifname) {
  return on_dhcp6_netif(ifname, [](Stack& stack, Instant now, std::unique_ptr<Dhcp6Client>& client, NetifId id) -> int {
    if (!client) client = std::make_unique<Dhcp6Client>(id);
    const Status s = client->start(stack, now);
    return s ? 0 : api::app_errno(s.error());
  });
}

extern "C" int lwnet_dhcp6_disable(const char* ifname) {
  return on_dhcp6_netif(ifname, [](Stack& stack, Instant, std::unique_ptr<Dhcp6Client>& client, NetifId) -> int {
    if (client) client->stop(stack);
    return 0;
  });
}

extern "C" int lwnet_dhcp6_get_info(const char* ifname, lwnet_dhcp6_info_t* info) {
  if (info == nullptr) return api::fail_with_errno(EINVAL);
  return on_dhcp6_netif(ifname, [info](Stack&, Instant, std::unique_ptr<Dhcp6Client>& client, NetifId) -> int {
    if (!client || !client->information()) return EAGAIN;
    const Dhcp6Information& got = *client->information();
    lwnet_dhcp6_info_t c{};
    copy_addresses(got.dns(), c.dns, 2, c.dns_count);
    copy_addresses(got.ntp(), c.ntp, 2, c.ntp_count);
    if (got.server.is_v6()) std::copy(got.server.v6().octets.begin(), got.server.v6().octets.end(), c.server);
    c.refresh_seconds = got.refresh_seconds;
    c.stateful_requested = client->stateful_requested() ? 1 : 0;
    *info = c;
    return 0;
  });
}
