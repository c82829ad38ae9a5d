// DHCPv4 server for one netif, as ESP-IDF's own dhcpserver behaves (not in
// upstream lwIP): a pool of at most 100 addresses inside the netif's
// subnet (by default the larger side next to the server's address), leases
// in CONFIG_LWIP_DHCPS_LEASE_UNIT units, at most
// CONFIG_LWIP_DHCPS_MAX_STATION_NUM clients (when the table or the pool is
// full, an offer nobody took up makes room; a live lease never does), router
// (3) and DNS (6) by flags, MTU (26), broadcast (28), captive portal (114),
// and an "address assigned" event carrying the client's hostname. Beyond
// ESP-IDF's server: a client that sends a client identifier (61) is known
// by it, not by its chaddr (RFC 2131 4.2), and DHCPINFORM is answered
// (RFC 2131 4.3.5).
//
// Threads: core thread only (a StackApp). api/dhcp_c_api.cpp gives other
// threads ESP-IDF's dhcps_* names.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config/options.h"
#include "core/stack.h"
#include "wire/dhcpv4.h"

namespace lwnet {

struct DhcpServerConfig {
  // The pool; both unspecified: the default pool (DhcpServer::default_pool).
  Ipv4Address pool_start;
  Ipv4Address pool_end;
  std::uint32_t lease_units = 120;  // x CONFIG_LWIP_DHCPS_LEASE_UNIT seconds (2 h)
  bool offer_router = true;         // OFFER_ROUTER: option 3 = the server's address
  // OFFER_DNS: option 6 carries dns_main (and dns_backup) when set; without
  // the flag or without a server, the server's own address (ESP-IDF does the
  // same).
  bool offer_dns = true;
  Ipv4Address dns_main;
  Ipv4Address dns_backup;
  std::uint16_t mtu = 1500;             // option 26
  std::string_view captive_portal_uri;  // option 114 when not empty; copied
};

// A client the server handed an address to.
struct DhcpServerClient {
  // Enough for an RFC 4361 identifier over the usual DUIDs (1 + IAID 4 +
  // DUID-LLT 14 = 19 bytes) with room to spare. A longer one is known by
  // its first bytes and its length.
  static constexpr std::size_t max_client_id_len = 64;

  MacAddress mac;  // the chaddr last seen: a client known by its identifier may change it
  Ipv4Address address;
  std::array<char, config::dhcps_max_hostname_len + 1> hostname{};  // NUL-terminated
  std::array<std::uint8_t, max_client_id_len> client_id{};
  std::uint8_t client_id_len = 0;  // option 61's length (up to 255); 0: the client sent none
  bool bound = false;  // ACKed (false: only offered)
  Instant expires;

  std::string_view hostname_view() const { return {hostname.data(), std::string_view(hostname.data()).size()}; }
};

struct DhcpServerStats {
  std::uint64_t rx_discover = 0, rx_request = 0, rx_decline = 0, rx_release = 0, rx_inform = 0;
  std::uint64_t tx_offer = 0, tx_ack = 0, tx_nak = 0, tx_failed = 0;
  std::uint64_t drop_malformed = 0;    // not a DHCP request; an INFORM without ciaddr
  // Relayed, other types; REQUESTs we have no say on (RFC 2131 4.3.2); an
  // INFORM from outside our subnet.
  std::uint64_t drop_unexpected = 0;
  std::uint64_t pool_exhausted = 0;    // a DISCOVER no address (or entry) was left for: all live leases
  std::uint64_t evicted = 0;           // an offer (or declined address) dropped for a new client
};

class DhcpServer final : public StackApp {
 public:
  static constexpr std::size_t max_pool_size = 100;  // ESP-IDF's DHCPS_MAX_LEASE
  static constexpr std::size_t max_uri_len = 255;

  explicit DhcpServer(NetifId netif);
  ~DhcpServer();
  DhcpServer(const DhcpServer&) = delete;
  DhcpServer& operator=(const DhcpServer&) = delete;

  // ESP-IDF's default pool for a server at `server` in a /prefix_len
  // subnet: up to 100 addresses on the larger side of the server's address.
  static std::pair<Ipv4Address, Ipv4Address> default_pool(Ipv4Address server, std::uint8_t prefix_len);

  // dhcps_start: the netif needs an IPv4 address. Checks the pool (inside
  // the subnet, not the network or broadcast address, the server outside
  // it, at most 100 addresses: InvalidArgument otherwise), opens port 67
  // on the netif and attaches. A running server restarts (clients kept).
  // Unsupported in an IPv6-only build (CONFIG_LWIP_IPV4=0).
  Status start(Stack& stack, const DhcpServerConfig& config, Instant now);
  // dhcps_stop: detaches, forgets every client.
  void stop(Stack& stack);
  bool running() const { return stack_ != nullptr; }

  // Runs inside poll() after every ACK (IP_EVENT_ASSIGNED_IP_TO_CLIENT).
  using AssignedCallback = void (*)(void* context, const DhcpServerClient& client);
  void set_assigned_callback(AssignedCallback callback, void* context);

  // dhcp_search_ip_on_mac: the address a client holds (offered or bound),
  // whether it is known by its MAC or by a client identifier.
  std::optional<Ipv4Address> address_of(const MacAddress& mac) const;
  const DhcpServerClient* client(const MacAddress& mac) const;
  // Copies the clients into `out` (at most out.size()); returns how many.
  std::size_t clients(std::span<DhcpServerClient> out) const;
  std::size_t client_count() const;

  Ipv4Address pool_start() const { return pool_start_; }
  Ipv4Address pool_end() const { return pool_end_; }
  std::uint32_t lease_seconds() const { return config_.lease_units * config::dhcps_lease_unit_secs; }
  const DhcpServerStats& stats() const { return stats_; }

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override;

 private:
  struct Entry {
    bool used = false;
    DhcpServerClient client;
  };

  // unicast: sent to the server's address (a renewal), not broadcast.
  void handle(Stack& stack, const DhcpRepr& request, bool unicast, Instant now);
  void on_discover(Stack& stack, const DhcpRepr& request, Instant now);
  void on_request(Stack& stack, const DhcpRepr& request, bool unicast, Instant now);
  void on_inform(Stack& stack, const DhcpRepr& request, Instant now);
  void reply(Stack& stack, const DhcpRepr& request, DhcpMessageType type, Ipv4Address address, Instant now);
  // The entry of the client that sent `request` (RFC 2131 4.2: by its
  // client identifier when it sends one, else by its chaddr).
  Entry* find(const DhcpRepr& request);
  const Entry* find(const MacAddress& mac) const;
  Entry* holder(Ipv4Address address);
  bool in_pool(Ipv4Address a) const { return a.value >= pool_start_.value && a.value <= pool_end_.value; }
  Entry* allocate(Stack& stack, const DhcpRepr& request, std::optional<Ipv4Address> wanted, Instant now);
  void follow_mac(Stack& stack, Entry& e, const MacAddress& mac);
  void forget(Stack& stack, Entry& e);
  void expire(Stack& stack, Instant now);

  NetifId netif_;
  DhcpServerConfig config_;
  std::array<char, max_uri_len> uri_{};
  std::size_t uri_len_ = 0;
  Stack* stack_ = nullptr;
  std::optional<UdpHandle> handle_;
  Ipv4Address server_;
  std::uint8_t prefix_len_ = 0;
  Ipv4Address pool_start_, pool_end_;
  std::array<Entry, config::dhcps_max_stations> entries_{};
  AssignedCallback callback_ = nullptr;
  void* callback_context_ = nullptr;
  DhcpServerStats stats_;
  std::array<std::uint8_t, 1500> rx_{};
  std::array<std::uint8_t, 576> tx_{};
};

}  // namespace lwnet
