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

// lwnet_dhcp_ip_addr_storage_t behind the client's storage interface.
class CLeaseStorage final : public DhcpLeaseStorage {
 public:
  CLeaseStorage(const lwnet_dhcp_ip_addr_storage_t& functions, const char* ifname)
      : functions_(functions), ifname_(ifname) {}
  std::optional<DhcpLease> load() override;
  void save(const DhcpLease& lease) override;
  void erase() override { functions_.erase(ifname_, functions_.arg); }

 private:
  lwnet_dhcp_ip_addr_storage_t functions_;
  const char* ifname_;  // the slot's name, which outlives this
};

struct NetifApps {
  std::unique_ptr<DhcpClient> client;
  std::unique_ptr<DhcpServer> server;
  std::unique_ptr<CLeaseStorage> storage;
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
Ipv4Address host_order(std::uint32_t a) { return Ipv4Address{ntohl(a)}; }

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

std::optional<DhcpLease> CLeaseStorage::load() {
  lwnet_dhcp_lease_t stored{};
  if (functions_.restore(ifname_, &stored, functions_.arg) != 1) return std::nullopt;
  // INIT-REBOOT asks for the address only; the rest comes with the ACK.
  DhcpLease l;
  l.address = host_order(stored.address);
  l.link_local = stored.link_local != 0;
  if (l.address.is_unspecified() || l.address.is_broadcast() || l.address.is_multicast()) return std::nullopt;
  return l;
}

void CLeaseStorage::save(const DhcpLease& lease) {
  const lwnet_dhcp_lease_t c = to_c(lease);
  functions_.store(ifname_, &c, functions_.arg);
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

// The slot's client, made (stopped, with the default configuration) on
// first use: the hostname and storage may come before lwnet_dhcp_start.
DhcpClient& client_of(NetifApps& slot, NetifId id) {
  if (!slot.client) {
    slot.client = std::make_unique<DhcpClient>(id);
    slot.client->set_event_callback(on_client_event, &slot);
  }
  return *slot.client;
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
    const Status s = client_of(slot, id).start(stack, now);
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

extern "C" int lwnet_netif_set_hostname(const char* ifname, const char* hostname) {
  const std::string_view name = hostname == nullptr ? std::string_view{} : std::string_view(hostname);
  if (name.size() > DhcpClient::max_hostname_len) return fail(EINVAL);
  return on_netif(ifname, [name](Stack&, Instant, NetifApps& slot, NetifId id) -> int {
    const Status s = client_of(slot, id).set_hostname(name);
    return s ? 0 : errno_of(s.error());
  });
}

extern "C" int lwnet_netif_get_hostname(const char* ifname, char* buffer, size_t size) {
  if (buffer == nullptr) return fail(EINVAL);
  return on_netif(ifname, [buffer, size](Stack&, Instant, NetifApps& slot, NetifId id) -> int {
    const std::string_view name = client_of(slot, id).hostname();
    if (name.size() >= size) return ERANGE;
    std::copy(name.begin(), name.end(), buffer);
    buffer[name.size()] = '\0';
    return 0;
  });
}

extern "C" int lwnet_dhcp_set_ip_addr_storage(const char* ifname, const lwnet_dhcp_ip_addr_storage_t* storage) {
  if (storage != nullptr && (storage->restore == nullptr || storage->store == nullptr || storage->erase == nullptr)) {
    return fail(EINVAL);
  }
  return on_netif(ifname, [storage](Stack&, Instant, NetifApps& slot, NetifId id) -> int {
    DhcpClient& client = client_of(slot, id);
    if (storage == nullptr) {
      client.set_lease_storage(nullptr, config::dhcp_restore_last_ip);
      slot.storage.reset();
      return 0;
    }
    // Made before the old one goes: the client never sees a dangling one.
    auto made = std::make_unique<CLeaseStorage>(*storage, slot.name.data());
    client.set_lease_storage(made.get(), true);
    slot.storage = std::move(made);
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
