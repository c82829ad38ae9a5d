// lwnet/dhcp.h: the DHCP client and server apps reached from any thread
// through the default TCP/IP thread. The apps live here, one client and one
// server slot per netif, made on first use and touched only in core context.
#include "lwnet/dhcp.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <memory>
#include <optional>
#include <string_view>

#include "api/netif_app_c_api.h"
#include "apps/dhcp_client.h"
#include "apps/dhcp_server.h"

namespace {

using namespace lwnet;
using api::Immortal;

struct NetifApps {
  std::unique_ptr<DhcpClient> client;
  std::unique_ptr<DhcpServer> server;
  std::array<char, 16> name{};
};

// Indexed by NetifId; core context only.
Immortal<std::array<NetifApps, config::max_netifs>> immortal_apps;
std::array<NetifApps, config::max_netifs>& apps = immortal_apps.value;

// Read in core context, set from any thread.
std::atomic<lwnet_dhcp_event_cb> event_callback{nullptr};
std::atomic<void*> event_arg{nullptr};
std::atomic<lwnet_dhcps_assigned_cb> assigned_callback{nullptr};
std::atomic<void*> assigned_arg{nullptr};

std::uint32_t network_order(Ipv4Address a) { return htonl(a.value); }

lwnet_dhcp_lease_t to_c(const DhcpLease& l) {
  lwnet_dhcp_lease_t c{};
  c.address = network_order(l.address);
  c.netmask = network_order(l.netmask);
  c.gateway = l.router ? network_order(*l.router) : 0;
  for (std::size_t i = 0; i < 2 && i < l.dns_servers.size; ++i) c.dns[i] = network_order(l.dns_servers.items[i]);
  c.ntp = l.ntp_servers.empty() ? 0 : network_order(l.ntp_servers.front());
  c.server = network_order(l.server_id);
  c.lease_seconds = l.lease_seconds;
  c.mtu = l.mtu.value_or(0);
  c.link_local = l.link_local ? 1 : 0;
  return c;
}

void on_client_event(void* context, DhcpClientEvent event, const DhcpLease& lease) {
  const lwnet_dhcp_event_cb callback = event_callback.load();
  if (callback == nullptr) return;
  const auto* slot = static_cast<const NetifApps*>(context);
  lwnet_dhcp_event e = LWNET_DHCP_GOT_IP;
  switch (event) {
    case DhcpClientEvent::AddressGained: e = LWNET_DHCP_GOT_IP; break;
    case DhcpClientEvent::AddressChanged: e = LWNET_DHCP_IP_CHANGED; break;
    case DhcpClientEvent::AddressLost: e = LWNET_DHCP_LOST_IP; break;
    case DhcpClientEvent::LeaseRenewed: e = LWNET_DHCP_RENEWED; break;
  }
  const lwnet_dhcp_lease_t c = to_c(lease);
  callback(slot->name.data(), e, &c, event_arg.load());
}

void on_assigned(void* context, const DhcpServerClient& client) {
  const lwnet_dhcps_assigned_cb callback = assigned_callback.load();
  if (callback == nullptr) return;
  const auto* slot = static_cast<const NetifApps*>(context);
  callback(slot->name.data(), network_order(client.address), client.mac.octets.data(), client.hostname.data(),
           assigned_arg.load());
}

int fail(int error) { return api::fail_with_errno(error); }
int errno_of(Error e) { return api::app_errno(e); }

// Runs f(stack, now, slot, id) in core context for the netif `ifname`;
// returns its errno (0: success).
template <class F>
int on_netif(const char* ifname, F&& f) {
  return api::call_on_netif(ifname, apps.size(), [&](Stack& stack, Instant now, NetifId id) -> int {
    NetifApps& slot = apps[id.value];
    const std::string_view name(ifname);
    std::copy_n(name.begin(), std::min(name.size(), slot.name.size() - 1), slot.name.begin());
    return f(stack, now, slot, id);
  });
}

std::optional<Ipv4Address> parse_v4(const char* text) {
  if (text == nullptr) return std::nullopt;
  const std::optional<IpAddress> a = parse_ip_address(text);
  if (!a || !a->is_v4()) return std::nullopt;
  return a->v4();
}

}  // namespace

namespace lwnet::api {

// lwnet_shutdown() (bring_up.cpp): the clients and servers leave the stack,
// which carries over into the next lwnet_tap_up(); the slots stay, with
// their callbacks, for the user's next lwnet_dhcp_start() or
// lwnet_dhcps_start().
void stop_dhcp_for_shutdown() {
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack& stack, Instant now) {
    for (NetifApps& slot : apps) {
      if (slot.client) slot.client->stop(stack, now);
      if (slot.server) slot.server->stop(stack);
    }
    return 0;
  });
}

}  // namespace lwnet::api

extern "C" int lwnet_dhcp_start(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant now, NetifApps& slot, NetifId id) -> int {
    if (!slot.client) {
      slot.client = std::make_unique<DhcpClient>(id);
      slot.client->set_event_callback(on_client_event, &slot);
    }
    const Status s = slot.client->start(stack, now);
    return s ? 0 : errno_of(s.error());
  });
}

extern "C" int lwnet_dhcp_stop(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant now, NetifApps& slot, NetifId) -> int {
    if (slot.client) slot.client->stop(stack, now);
    return 0;
  });
}

extern "C" int lwnet_dhcp_release(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant now, NetifApps& slot, NetifId) -> int {
    if (slot.client) slot.client->release(stack, now);
    return 0;
  });
}

extern "C" int lwnet_dhcp_renew(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant now, NetifApps& slot, NetifId) -> int {
    if (!slot.client) return EINVAL;
    const Status s = slot.client->renew(stack, now);
    return s ? 0 : errno_of(s.error());
  });
}

extern "C" int lwnet_dhcp_get_lease(const char* ifname, lwnet_dhcp_lease_t* lease) {
  if (lease == nullptr) return fail(EINVAL);
  return on_netif(ifname, [lease](Stack&, Instant, NetifApps& slot, NetifId) -> int {
    if (!slot.client || !slot.client->lease()) return EAGAIN;
    *lease = to_c(*slot.client->lease());
    return 0;
  });
}

extern "C" void lwnet_dhcp_set_event_callback(lwnet_dhcp_event_cb callback, void* arg) {
  event_arg.store(arg);
  event_callback.store(callback);
}

extern "C" int lwnet_dhcps_start(const char* ifname, const char* pool_start, const char* pool_end,
                                 uint32_t lease_units) {
  DhcpServerConfig config;
  if (pool_start != nullptr || pool_end != nullptr) {
    const std::optional<Ipv4Address> first = parse_v4(pool_start);
    const std::optional<Ipv4Address> last = parse_v4(pool_end);
    if (!first || !last) return fail(EINVAL);
    config.pool_start = *first;
    config.pool_end = *last;
  }
  if (lease_units != 0) config.lease_units = lease_units;
  return on_netif(ifname, [&config](Stack& stack, Instant now, NetifApps& slot, NetifId id) -> int {
    if (!slot.server) {
      slot.server = std::make_unique<DhcpServer>(id);
      slot.server->set_assigned_callback(on_assigned, &slot);
    }
    const Status s = slot.server->start(stack, config, now);
    return s ? 0 : errno_of(s.error());
  });
}

extern "C" int lwnet_dhcps_stop(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant, NetifApps& slot, NetifId) -> int {
    if (slot.server) slot.server->stop(stack);
    return 0;
  });
}

extern "C" int lwnet_dhcps_search_ip_on_mac(const char* ifname, const uint8_t mac[6], uint32_t* address) {
  if (mac == nullptr || address == nullptr) return fail(EINVAL);
  const MacAddress wanted{{mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]}};
  return on_netif(ifname, [&](Stack&, Instant, NetifApps& slot, NetifId) -> int {
    if (!slot.server) return EINVAL;
    const std::optional<Ipv4Address> a = slot.server->address_of(wanted);
    if (!a) return ENOENT;
    *address = network_order(*a);
    return 0;
  });
}

extern "C" void lwnet_dhcps_set_assigned_callback(lwnet_dhcps_assigned_cb callback, void* arg) {
  assigned_arg.store(arg);
  assigned_callback.store(callback);
}
