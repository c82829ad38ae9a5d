// lwnet/dhcp6.h: the stateless DHCPv6 client reached from any thread
// through the default TCP/IP thread. One client slot per netif, made on
// first use and touched only in core context.
#include "lwnet/dhcp6.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <optional>

#include "api/tcpip_c.h"
#include "apps/dhcp6_client.h"

namespace {

using namespace lwnet;

// Never destroyed: the default TCP/IP thread's stack lives until the
// process exits, and the clients must not detach from it during static
// destruction, when it may be gone already.
template <class T>
union Immortal {
  T value;
  Immortal() : value() {}
  ~Immortal() {}
};

// Indexed by NetifId; core context only.
Immortal<std::array<std::unique_ptr<Dhcp6Client>, config::max_netifs>> immortal_clients;
std::array<std::unique_ptr<Dhcp6Client>, config::max_netifs>& clients = immortal_clients.value;

int fail(int error) {
  errno = error;
  return -1;
}

int errno_of(Error e) {
  switch (e) {
    case Error::InvalidArgument: return EINVAL;
    case Error::TableFull:
    case Error::NoBuffers: return ENOMEM;
    case Error::AddressInUse: return EADDRINUSE;
    default: return EIO;
  }
}

// Runs f(stack, now, slot, id) in core context for the netif `ifname`;
// returns its errno (0: success).
template <class F>
int on_netif(const char* ifname, F&& f) {
  if constexpr (!config::ipv6_dhcp6) return fail(ENOTSUP);
  if (ifname == nullptr) return fail(EINVAL);
  api::TcpipThread* thread = api::default_tcpip();
  if (thread == nullptr) return fail(EAGAIN);
  const int error = thread->call([&](Stack& stack, Instant now) -> int {
    const std::optional<NetifId> id = stack.netif_find(ifname);
    if (!id || id->value >= clients.size()) return ENODEV;
    return f(stack, now, clients[id->value], *id);
  });
  return error == 0 ? 0 : fail(error);
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

extern "C" int lwnet_dhcp6_enable_stateless(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant now, std::unique_ptr<Dhcp6Client>& client, NetifId id) -> int {
    if (!client) client = std::make_unique<Dhcp6Client>(id);
    const Status s = client->start(stack, now);
    return s ? 0 : errno_of(s.error());
  });
}

extern "C" int lwnet_dhcp6_disable(const char* ifname) {
  return on_netif(ifname, [](Stack& stack, Instant, std::unique_ptr<Dhcp6Client>& client, NetifId) -> int {
    if (client) client->stop(stack);
    return 0;
  });
}

extern "C" int lwnet_dhcp6_get_info(const char* ifname, lwnet_dhcp6_info_t* info) {
  if (info == nullptr) return fail(EINVAL);
  return on_netif(ifname, [info](Stack&, Instant, std::unique_ptr<Dhcp6Client>& client, NetifId) -> int {
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
