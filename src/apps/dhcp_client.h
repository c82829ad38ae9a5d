// DHCPv4 client (RFC 2131) for one netif, as ESP-IDF's lwIP runs it:
// INIT / SELECTING / REQUESTING / BOUND / RENEWING / REBINDING and
// INIT-REBOOT, the offered-address check (ARP, or RFC 5227 ACD: probes, two
// announcements and the defence of the bound address) with DECLINE,
// RELEASE, hostname (12), client id (61), vendor class (60), the lost-IP
// timer of esp_netif and the RFC 3927 link-local fallback (apps/autoip.h).
//
// Threads: core thread only (it is a StackApp: the stack polls it), like
// every Stack call. api/dhcp_c_api.cpp gives other threads lwIP's names.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "apps/autoip.h"
#include "config/options.h"
#include "core/stack.h"
#include "wire/dhcpv4.h"

namespace lwnet {

// What a lease gave (or what AutoIP picked: link_local, no server).
struct DhcpLease {
  Ipv4Address address;
  std::uint8_t prefix_len = 0;
  Ipv4Address netmask;
  std::optional<Ipv4Address> router;
  DhcpAddressList dns_servers;  // in the server's order: [0] main, [1] backup
  DhcpAddressList ntp_servers;  // option 42 (asked for with CONFIG_LWIP_DHCP_GET_NTP_SRV)
  std::optional<std::uint16_t> mtu;
  std::uint32_t lease_seconds = 0;      // 0xffffffff: infinite
  std::uint32_t renewal_seconds = 0;    // T1
  std::uint32_t rebinding_seconds = 0;  // T2
  Ipv4Address server_id;
  Instant obtained;  // when the ACK came (the lease times count from here)
  bool link_local = false;  // an AutoIP address, not a lease
};

enum class DhcpClientEvent : std::uint8_t {
  AddressGained,   // the netif has an address and had none (IP_EVENT_STA_GOT_IP)
  AddressChanged,  // a new address replaced another, or the one lost (ip_changed)
  AddressLost,     // no address for the lost-IP interval (IP_EVENT_STA_LOST_IP)
  LeaseRenewed,    // same address, lease extended (RENEWING / REBINDING ACK)
};
const char* to_string(DhcpClientEvent event);

enum class DhcpClientState : std::uint8_t {
  Stopped,
  Init,        // waiting to send a DISCOVER (after a DECLINE, or a NAK for an offer)
  Selecting,   // DISCOVER sent, waiting for an OFFER
  Requesting,  // REQUEST sent for an OFFER
  Checking,    // ACK taken, probing the address before using it
  Bound,
  Renewing,    // after T1: REQUEST unicast to the server
  Rebinding,   // after T2: REQUEST broadcast to any server
  Rebooting,   // INIT-REBOOT: REQUEST for the remembered address
};
const char* to_string(DhcpClientState state);

// Where CONFIG_LWIP_DHCP_RESTORE_LAST_IP keeps the last lease (ESP-IDF: NVS).
// The core cannot touch files: the OS glue implements this (the lwnet
// command: a file). Core thread only; calls must not block for long.
class DhcpLeaseStorage {
 public:
  virtual std::optional<DhcpLease> load() = 0;
  virtual void save(const DhcpLease& lease) = 0;
  virtual void erase() = 0;

 protected:
  DhcpLeaseStorage() = default;
  ~DhcpLeaseStorage() = default;
  DhcpLeaseStorage(const DhcpLeaseStorage&) = default;
  DhcpLeaseStorage& operator=(const DhcpLeaseStorage&) = default;
};

struct DhcpClientConfig {
  std::string_view hostname = config::local_hostname;  // copied; empty: no option 12
  bool send_client_id = config::dhcp_client_id;
  // Copied; sent as option 60 only when CONFIG_LWIP_DHCP_DISABLE_VENDOR_CLASS_ID=0.
  std::string_view vendor_class_id;
  config::DhcpAddressCheck address_check = config::dhcp_address_check;
  bool request_ntp_servers = config::dhcp_get_ntp_servers;
  bool autoip = config::autoip;
  bool restore_last_ip = config::dhcp_restore_last_ip;
  DhcpLeaseStorage* storage = nullptr;  // must outlive the client; null: none
};

// Counted drops and messages (the stack's own stats cover UDP/IP).
struct DhcpClientStats {
  std::uint64_t tx_discover = 0, tx_request = 0, tx_decline = 0, tx_release = 0;
  std::uint64_t rx_offer = 0, rx_ack = 0, rx_nak = 0;
  std::uint64_t drop_malformed = 0;      // not a DHCP message
  std::uint64_t drop_not_ours = 0;       // other xid or client MAC, or a request
  std::uint64_t drop_unexpected = 0;     // a type this state does not take
  std::uint64_t drop_bad_lease = 0;      // ACK without a usable address or mask
  std::uint64_t tx_failed = 0;           // the stack refused to send
  std::uint64_t declines = 0, expired = 0, autoip_addresses = 0;
};

class DhcpClient final : public StackApp {
 public:
  static constexpr std::size_t max_hostname_len = 63;
  static constexpr std::size_t max_vendor_class_len = 64;

  explicit DhcpClient(NetifId netif, const DhcpClientConfig& config = {});
  ~DhcpClient();
  DhcpClient(const DhcpClient&) = delete;
  DhcpClient& operator=(const DhcpClient&) = delete;

  // lwIP's dhcp_start: opens UDP port 68 on the netif, attaches to the
  // stack and starts (INIT-REBOOT when a stored lease is restored, else
  // DISCOVER). A running client restarts. Errors: the UDP handle or the
  // app slot (TableFull), InvalidArgument for an unknown netif,
  // Unsupported in an IPv6-only build (CONFIG_LWIP_IPV4=0).
  Status start(Stack& stack, Instant now);
  // lwIP's dhcp_stop: no message; the address it set is removed.
  void stop(Stack& stack, Instant now);
  // lwIP's dhcp_release: RELEASE to the server (when bound), the address
  // removed, the stored lease erased, stopped.
  void release(Stack& stack, Instant now);
  // lwIP's dhcp_renew: RENEWING now (InvalidArgument when not bound).
  Status renew(Stack& stack, Instant now);

  // Option 12 (esp_netif_set_hostname): at most 63 characters, used from
  // the next message on. Empty: none.
  Status set_hostname(std::string_view hostname);
  std::string_view hostname() const { return {hostname_.data(), hostname_len_}; }
  // DhcpClientConfig's storage and restore_last_ip: a lease is stored from
  // the next ACK on, restored at the next start(). `storage` must outlive
  // the client or be replaced first; null: none.
  void set_lease_storage(DhcpLeaseStorage* storage, bool restore_last_ip);

  // Runs inside poll() for every event. `lease` is the current one (the
  // lost one for AddressLost).
  using EventCallback = void (*)(void* context, DhcpClientEvent event, const DhcpLease& lease);
  void set_event_callback(EventCallback callback, void* context);

  DhcpClientState state() const { return state_; }
  // The lease in use (DHCP or AutoIP), none while the netif has no address.
  const std::optional<DhcpLease>& lease() const { return lease_; }
  const DhcpClientStats& stats() const { return stats_; }
  NetifId netif() const { return netif_; }
  const AutoIp& autoip() const { return autoip_; }

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override;

 private:
  void receive(Stack& stack, Instant now);
  void handle(Stack& stack, const DhcpRepr& message, Instant now);
  void timers(Stack& stack, Instant now);

  void begin_discover(Stack& stack, Instant now);
  void send_discover(Stack& stack, Instant now);
  void send_request(Stack& stack, Instant now);
  void send_decline(Stack& stack, Instant now);
  void send_release(Stack& stack, Instant now);
  void send(Stack& stack, DhcpRepr& message, Ipv4Address to, Instant now);
  DhcpRepr base_message(DhcpMessageType type, Instant now) const;

  void take_ack(Stack& stack, const DhcpRepr& ack, Instant now);
  void start_check(Stack& stack, Instant now);
  void bind(Stack& stack, Instant now);
  void decline_offered(Stack& stack, Instant now);
  bool defend_lease(Stack& stack, Instant now);
  void drop_address(Stack& stack, Instant now);
  void set_lease(Stack& stack, const DhcpLease& lease, Instant now);
  void publish_servers(Stack& stack, const DhcpLease& lease);
  void emit(DhcpClientEvent event);
  Duration backoff(std::uint32_t tries);
  Duration jitter_millis(std::uint32_t bound);
  void close(Stack& stack);

  NetifId netif_;
  DhcpClientConfig config_;
  std::array<char, max_hostname_len> hostname_{};
  std::size_t hostname_len_ = 0;
  std::array<char, max_vendor_class_len> vendor_class_{};
  std::size_t vendor_class_len_ = 0;
  Stack* stack_ = nullptr;  // while started, for the destructor's detach
  std::optional<UdpHandle> handle_;
  MacAddress mac_;
  std::size_t mtu_ = 1500;

  DhcpClientState state_ = DhcpClientState::Stopped;
  std::uint32_t xid_ = 0;
  std::uint32_t tries_ = 0;           // messages sent in this state
  std::uint32_t discover_rounds_ = 0; // DISCOVERs since the last address
  std::uint32_t naked_offers_ = 0;    // REQUESTs for an offer NAKed since the last lease
  Instant started_;                   // of this acquisition (secs field)
  Instant retransmit_at_ = Instant::max();
  Instant t1_at_ = Instant::max(), t2_at_ = Instant::max(), expiry_at_ = Instant::max();
  Instant lost_at_ = Instant::max();  // lost-IP timer
  Instant check_at_ = Instant::max(); // next step of the address check
  std::uint32_t check_step_ = 0;
  // RFC 5227 2.3 / 2.4 after an ACD check: the announcements still due and
  // the defence of the bound address.
  bool defending_ = false;
  Instant announce_at_ = Instant::max();
  std::uint32_t announcements_ = 0;
  std::uint32_t arp_conflicts_seen_ = 0;  // the netif's count when last looked at
  Instant last_defense_ = Instant::max();
  Ipv4Address declined_;              // not asked for again in DISCOVERs

  DhcpLease offered_;                 // the OFFER / ACK being worked on
  std::optional<DhcpLease> lease_;    // what the netif uses
  std::optional<DhcpLease> lost_;     // the last lease, until the lost-IP timer fires
  AutoIp autoip_;

  EventCallback callback_ = nullptr;
  void* callback_context_ = nullptr;
  DhcpClientStats stats_;
  std::array<std::uint8_t, 1500> rx_{};
  std::array<std::uint8_t, 576> tx_{};
};

}  // namespace lwnet
