// DHCPv4 messages (RFC 2131) and the options lwnet's client and server use
// (RFC 2132; captive portal, RFC 8910): the BOOTP header at fixed offsets,
// then the magic cookie and the options.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

enum class DhcpMessageType : std::uint8_t {
  None = 0,  // a BOOTP message: no option 53
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
  Inform = 8,
};

// Any thread. "DISCOVER", "ACK"... ("BOOTP" for None, "UNKNOWN" otherwise).
const char* to_string(DhcpMessageType type);

// Option codes lwnet reads or writes.
namespace dhcp_option {
inline constexpr std::uint8_t pad = 0;
inline constexpr std::uint8_t subnet_mask = 1;
inline constexpr std::uint8_t router = 3;
inline constexpr std::uint8_t dns_server = 6;
inline constexpr std::uint8_t hostname = 12;
inline constexpr std::uint8_t interface_mtu = 26;
inline constexpr std::uint8_t broadcast_address = 28;
inline constexpr std::uint8_t router_discovery = 31;
inline constexpr std::uint8_t ntp_server = 42;
inline constexpr std::uint8_t requested_address = 50;
inline constexpr std::uint8_t lease_time = 51;
inline constexpr std::uint8_t overload = 52;
inline constexpr std::uint8_t message_type = 53;
inline constexpr std::uint8_t server_identifier = 54;
inline constexpr std::uint8_t parameter_request_list = 55;
inline constexpr std::uint8_t message = 56;
inline constexpr std::uint8_t max_message_size = 57;
inline constexpr std::uint8_t renewal_time = 58;
inline constexpr std::uint8_t rebinding_time = 59;
inline constexpr std::uint8_t vendor_class_id = 60;
inline constexpr std::uint8_t client_id = 61;
inline constexpr std::uint8_t captive_portal = 114;
inline constexpr std::uint8_t end = 255;
}  // namespace dhcp_option

// A short list of addresses (routers, DNS or NTP servers) kept in place.
// Addresses past the capacity are counted in `dropped`, not stored.
struct DhcpAddressList {
  static constexpr std::size_t capacity = 4;
  std::array<Ipv4Address, capacity> items{};
  std::size_t size = 0;
  std::size_t dropped = 0;

  void push(Ipv4Address a) {
    if (size < capacity) {
      items[size++] = a;
    } else {
      ++dropped;
    }
  }
  bool empty() const { return size == 0; }
  Ipv4Address front() const { return items[0]; }
  const Ipv4Address* begin() const { return items.data(); }
  const Ipv4Address* end() const { return items.data() + size; }
};

struct DhcpRepr {
  static constexpr std::size_t header_len = 236;       // up to the magic cookie
  static constexpr std::size_t options_offset = 240;   // behind the cookie
  static constexpr std::uint32_t magic_cookie = 0x63825363;
  // RFC 1542 3.3 / RFC 2131: relays and old servers expect at least 300
  // bytes, so emit() pads up to this.
  static constexpr std::size_t min_message_len = 300;
  static constexpr std::uint16_t flag_broadcast = 0x8000;
  static constexpr std::uint16_t server_port = 67;
  static constexpr std::uint16_t client_port = 68;

  bool is_reply = false;  // op: 1 BOOTREQUEST, 2 BOOTREPLY
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  bool broadcast = false;      // the flags' B bit
  Ipv4Address client_ip;       // ciaddr
  Ipv4Address your_ip;         // yiaddr
  Ipv4Address next_server_ip;  // siaddr
  Ipv4Address relay_ip;        // giaddr
  MacAddress client_mac;       // chaddr (htype 1, hlen 6)

  DhcpMessageType message_type = DhcpMessageType::None;
  std::optional<Ipv4Address> server_identifier;
  std::optional<Ipv4Address> requested_ip;
  std::optional<Ipv4Address> subnet_mask;
  std::optional<Ipv4Address> broadcast_address;
  std::optional<std::uint32_t> lease_seconds;
  std::optional<std::uint32_t> renewal_seconds;    // T1
  std::optional<std::uint32_t> rebinding_seconds;  // T2
  std::optional<std::uint16_t> max_message_size;
  std::optional<std::uint16_t> mtu;
  std::optional<bool> router_discovery;
  DhcpAddressList routers;
  DhcpAddressList dns_servers;
  DhcpAddressList ntp_servers;
  // Views: into the parsed message, or into the caller's storage for emit().
  std::string_view hostname;
  std::string_view captive_portal;
  std::string_view message;  // option 56 (NAK reasons)
  ConstBytes client_id;
  ConstBytes vendor_class_id;
  ConstBytes parameter_request_list;

  // Any thread. Truncated when shorter than the header and cookie;
  // Malformed for a wrong op, htype/hlen other than Ethernet's, a wrong
  // cookie, an option running past its area, an option of the wrong
  // length, an unknown overload value or no end option; Unsupported for a
  // message type beyond INFORM. Overload (option 52) is followed into the
  // file and sname fields; an option that appears twice keeps its first
  // value, except address lists, which are concatenated.
  static Result<DhcpRepr> parse(ConstBytes message);

  // Any thread. Bytes of the options emit() writes, the end option included.
  std::size_t options_len() const;
  // Any thread. Bytes emit() writes: header, cookie, options, end, padding.
  std::size_t buffer_len() const;
  // Any thread. Writes the message into out[0..buffer_len()); out must be
  // that large. Options go in this order (dnsmasq's, so that a server
  // reply reads like one): 53, 61, 50, 54, 51, 58, 59, 1, 28, 12, 42, 6, 3,
  // 26, 31, 60, 57, 55, 114, 56, then end, each only when set. Strings and lists longer than 255 bytes are cut at 255.
  void emit(Bytes out) const;
};

}  // namespace lwnet
