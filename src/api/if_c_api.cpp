// lwip/if_api.h: netif names and interface indexes through the default
// TCP/IP thread.
// The lwip_ names only: no macro renames what this file defines or includes.
#define LWIP_COMPAT_SOCKETS 0
#include "lwip/if_api.h"

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "api/socket_internal.h"
#include "api/tcpip_c.h"

extern "C" unsigned int lwip_if_nametoindex(const char* ifname) {
  using namespace lwnet;
  if (ifname == nullptr) {
    errno = EINVAL;
    return 0;
  }
  api::TcpipThread* thread = api::default_tcpip();
  const std::string_view wanted(ifname);
  const std::optional<NetifId> netif =
      thread != nullptr ? thread->call([&](Stack& stack, Instant) { return stack.netif_find(wanted); })
                        : std::nullopt;
  if (!netif) {
    errno = ENODEV;
    return 0;
  }
  return api::socket_detail::interface_index(*netif);
}

extern "C" char* lwip_if_indextoname(unsigned int ifindex, char* ifname) {
  using namespace lwnet;
  if (ifname == nullptr) {
    errno = EINVAL;
    return nullptr;
  }
  api::TcpipThread* thread = api::default_tcpip();
  const std::optional<NetifId> netif = api::socket_detail::netif_of_index(ifindex);
  std::optional<NetifInfo> info;
  if (thread != nullptr && netif) {
    info = thread->call([&](Stack& stack, Instant) -> std::optional<NetifInfo> {
      Result<NetifInfo> found = stack.netif_info(*netif);
      return found ? std::optional<NetifInfo>(*found) : std::nullopt;
    });
  }
  if (!info) {
    errno = ENXIO;
    return nullptr;
  }
  static_assert(sizeof info->name <= IF_NAMESIZE, "a netif name fits IF_NAMESIZE");
  std::memcpy(ifname, info->name.data(), info->name.size());
  ifname[info->name.size() - 1] = '\0';
  return ifname;
}
