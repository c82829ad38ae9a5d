// NetBIOS name responder (what lwIP's netbiosns does): answers NetBIOS name
// queries (UDP 137, RFC 1002 4.2.12) for one configured name with the
// address of the netif the query came in on, so that Windows hosts and
// `nmblookup NAME` find this host by name.
//
// Threads: every member function runs in core context.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/stack.h"
#include "wire/netbios.h"

namespace lwnet {

// lwIP's NETBIOS_LWIP_NAME, the name until set_name().
inline constexpr std::string_view netbios_default_name = "NETBIOSLWIPDEV";
// lwIP's NETBIOS_NAME_TTL: how long askers may cache the answer, seconds.
inline constexpr std::uint32_t netbios_name_ttl_seconds = 300000;

struct NetbiosStats {
  std::uint32_t answered = 0;
  std::uint32_t not_ours = 0;        // a query for another name (or type)
  std::uint32_t drop_malformed = 0;  // not a query we can read
  std::uint32_t send_errors = 0;
};

class NetbiosResponder final : public StackApp {
 public:
  NetbiosResponder();

  // netbiosns_set_name: 1 to 15 characters, any of them (InvalidArgument
  // otherwise). Matched without regard to case.
  Status set_name(std::string_view name);
  std::string_view name() const { return name_.view(); }

  // netbiosns_init: binds UDP port 137 and attaches to `stack`.
  // AlreadyConnected when running; AddressInUse when the port is taken;
  // Unsupported in an IPv6-only build (CONFIG_LWIP_IPV4=0).
  Status start(Stack& stack);
  // netbiosns_stop. Nothing when not running.
  void stop(Stack& stack);
  bool running() const { return running_; }
  const NetbiosStats& stats() const { return stats_; }

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override { return Instant::max(); }

 private:
  void answer(Stack& stack, const NetbiosNameQuery& query, const UdpReceived& from, Instant now);

  NetbiosName name_;
  bool running_ = false;
  UdpHandle handle_{};
  NetbiosStats stats_;
};

}  // namespace lwnet
