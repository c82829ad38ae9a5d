// Stateless DHCPv6 client (RFC 8415 18.2.6, Information-request / Reply)
// for one netif, as ESP-IDF's dhcp6_enable_stateless() runs it: DNS
// servers (option 23) and NTP servers (option 56's server-address
// suboptions, then option 31's SNTP servers) from a DHCPv6 server, asked for
// when a router advertisement says so, asked again after the Information
// Refresh Time (option 32). What it learns goes to
// Stack::publish_dns_servers / publish_ntp_servers (ServerSource::Dhcp6),
// where the DNS resolver and the SNTP client take it.
//
// When it asks: once the netif's last RA has the O flag or the M flag set.
// RFC 4861 4.2 says M makes O redundant (DHCPv6 then returns all the
// configuration it has, the other configuration included), so M alone also
// starts an Information-request; lwIP asks for O only. Addresses from
// DHCPv6 (stateful, M=1) are not supported, in ESP-IDF as in lwIP: the
// client counts each RA that turns M on (stats().stateful_not_supported)
// and says so in stateful_requested(), and the netif keeps SLAAC's and the
// static addresses. When an RA clears both flags (or the netif goes down,
// which forgets its RAs), the client stops asking and withdraws what it
// published; the next RA with O or M starts a new exchange.
//
// The client reads the RA flags with Stack::router_advertisement() in every
// poll instead of taking Stack::set_router_advertisement_callback: that
// callback has one slot, which stays free for the application, and one
// client per netif can run side by side. Apps are polled after the input of
// the same Stack::poll(), so the RA is seen just as soon.
//
// Threads: core thread only (a StackApp: the stack polls it), like every
// Stack call. api/dhcp6_c_api.cpp gives other threads lwnet_dhcp6_*.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/stack.h"
#include "time/instant.h"
#include "wire/address.h"
#include "wire/dhcpv6.h"

namespace lwnet {

// RFC 8415 7.6, the Information-request's transmission parameters, and
// 21.23's Information Refresh Time defaults.
inline constexpr Duration dhcp6_inf_max_delay = Duration::seconds(1);
inline constexpr Duration dhcp6_inf_timeout = Duration::seconds(1);
inline constexpr Duration dhcp6_inf_max_rt = Duration::seconds(3600);
inline constexpr std::uint32_t dhcp6_irt_default_seconds = 86400;
inline constexpr std::uint32_t dhcp6_irt_minimum_seconds = 600;

enum class Dhcp6ClientState : std::uint8_t {
  Stopped,
  WaitingForRouter,  // started; the last RA (if any) has neither O nor M
  Requesting,        // Information-request out (or due), retransmitting
  Informed,          // a Reply was taken; asks again at refresh_at()
};
const char* to_string(Dhcp6ClientState state);

// What the last Reply gave.
struct Dhcp6Information {
  // As many as the stack keeps (LearnedServers::capacity); the rest of a
  // longer list is dropped.
  static constexpr std::size_t max_servers = LearnedServers::capacity;
  std::array<IpAddress, max_servers> dns_servers{};
  std::size_t dns_server_count = 0;
  // Option 56's server addresses first, then option 31's, each once.
  std::array<IpAddress, max_servers> ntp_servers{};
  std::size_t ntp_server_count = 0;
  // The refresh time in use: option 32 (or IRT_DEFAULT when absent), at
  // least IRT_MINIMUM; 0xffffffff: never refreshed.
  std::uint32_t refresh_seconds = 0;
  IpAddress server;  // the Reply's source (the server's link-local address)
  Instant obtained;

  std::span<const IpAddress> dns() const { return {dns_servers.data(), dns_server_count}; }
  std::span<const IpAddress> ntp() const { return {ntp_servers.data(), ntp_server_count}; }
};

// Messages and counted drops (the stack's own stats cover UDP/IP).
struct Dhcp6ClientStats {
  std::uint64_t tx_information_request = 0;
  std::uint64_t rx_reply = 0;                // Replies taken
  std::uint64_t drop_malformed = 0;          // not a DHCPv6 message (wire/dhcpv6 refused it)
  std::uint64_t drop_unexpected = 0;         // not a Reply, or none was awaited
  std::uint64_t drop_not_ours = 0;           // other transaction id or client identifier
  std::uint64_t drop_no_server_id = 0;       // RFC 8415 16.10: a Reply must name its server
  std::uint64_t drop_error_status = 0;       // a status code other than Success
  std::uint64_t tx_failed = 0;               // the stack refused to send
  std::uint64_t stateful_not_supported = 0;  // RAs that turned M on
};

class Dhcp6Client final : public StackApp {
 public:
  explicit Dhcp6Client(NetifId netif);
  ~Dhcp6Client();
  Dhcp6Client(const Dhcp6Client&) = delete;
  Dhcp6Client& operator=(const Dhcp6Client&) = delete;

  // dhcp6_enable_stateless: opens UDP port 546 on the netif, attaches to
  // the stack and waits for an RA with O (or M). A running client restarts
  // (what it published is withdrawn). Errors: the UDP handle (the port, an
  // IPv4-only build) or the app slot (TableFull); InvalidArgument for an
  // unknown netif or the loopback netif.
  Status start(Stack& stack, Instant now);
  // dhcp6_disable: no message (stateless DHCPv6 releases nothing); the
  // servers it published are withdrawn.
  void stop(Stack& stack);

  Dhcp6ClientState state() const { return state_; }
  // The last RA on the netif asked for stateful DHCPv6 (M=1), which this
  // client does not do.
  bool stateful_requested() const { return managed_; }
  // What the last Reply gave; nullopt before the first or after a withdrawal.
  const std::optional<Dhcp6Information>& information() const { return information_; }
  // When the next Information-request leaves (Instant::max(): none due).
  Instant next_transmission() const { return transmit_at_; }
  Instant refresh_at() const { return refresh_at_; }
  const Dhcp6ClientStats& stats() const { return stats_; }
  NetifId netif() const { return netif_; }
  // Our DUID-LL (type 3, from the netif's MAC), as the Client Identifier
  // option carries it.
  ConstBytes duid() const { return duid_; }

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override;

 private:
  void receive(Stack& stack, Instant now);
  void handle(Stack& stack, const Dhcpv6Repr& reply, const IpAddress& from, Instant now);
  void follow_router(Stack& stack, Instant now);
  void begin_exchange(Stack& stack, Duration delay, Instant now);
  void transmit(Stack& stack, Instant now);
  void withdraw(Stack& stack);
  // RAND * base, RAND uniform in [-0.1, +0.1] (RFC 8415 15).
  Duration jitter(Duration base);
  void close(Stack& stack);

  NetifId netif_;
  Stack* stack_ = nullptr;  // while started, for the destructor's detach
  std::optional<UdpHandle> handle_;
  std::array<std::uint8_t, Dhcpv6Duid::link_layer_len> duid_{};

  Dhcp6ClientState state_ = Dhcp6ClientState::Stopped;
  bool asked_for_ = false;  // the last RA had O or M
  bool managed_ = false;    // ... M
  bool delayed_once_ = false;  // the first exchange on this netif waits INF_MAX_DELAY at most
  std::uint32_t transaction_id_ = 0;
  Instant exchange_started_;                 // first transmission: the elapsed time's origin
  bool exchange_sent_ = false;
  Duration retransmit_timeout_;              // RT of the last transmission
  Instant transmit_at_ = Instant::max();
  Instant refresh_at_ = Instant::max();

  std::optional<Dhcp6Information> information_;
  Dhcp6ClientStats stats_;
  std::array<std::uint8_t, 1500> rx_{};
};

}  // namespace lwnet
