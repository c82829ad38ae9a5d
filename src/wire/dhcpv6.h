// DHCPv6 (RFC 8415) as a stateless client needs it: Information-request and
// Reply, and the options they carry: client and server identifiers (DUIDs),
// option request, elapsed time, status code, information refresh time, DNS
// recursive name servers and domain search list (RFC 3646), SNTP servers
// (RFC 4075) and the NTP server option with its suboptions (RFC 5908).
// Relay messages are not parsed (a client never receives one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

inline constexpr std::uint16_t dhcpv6_client_port = 546;
inline constexpr std::uint16_t dhcpv6_server_port = 547;
// ff02::1:2, where a client sends (RFC 8415 7.1).
inline constexpr Ipv6Address dhcpv6_all_relay_agents_and_servers{
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2}};

enum class Dhcpv6MessageType : std::uint8_t {
  Solicit = 1, Advertise = 2, Request = 3, Confirm = 4, Renew = 5, Rebind = 6, Reply = 7,
  Release = 8, Decline = 9, Reconfigure = 10, InformationRequest = 11, RelayForward = 12,
  RelayReply = 13,
};

enum class Dhcpv6OptionCode : std::uint16_t {
  ClientId = 1, ServerId = 2, OptionRequest = 6, ElapsedTime = 8, StatusCode = 13,
  DnsServers = 23, DomainList = 24, SntpServers = 31, InformationRefreshTime = 32,
  NtpServer = 56,
};

enum class Dhcpv6Status : std::uint16_t {
  Success = 0, UnspecifiedFailure = 1, NoAddressesAvailable = 2, NoBinding = 3, NotOnLink = 4,
  UseMulticast = 5, NoPrefixAvailable = 6,
};

// Suboptions of the NTP server option (RFC 5908 4).
enum class Dhcpv6NtpSuboption : std::uint16_t { ServerAddress = 1, MulticastAddress = 2, ServerFqdn = 3 };

enum class DuidType : std::uint16_t { LinkLayerPlusTime = 1, Enterprise = 2, LinkLayer = 3, Uuid = 4 };

// A DHCP Unique Identifier (RFC 8415 11).
struct Dhcpv6Duid {
  static constexpr std::size_t max_len = 130;  // type code + at most 128 bytes
  static constexpr std::size_t link_layer_len = 10;            // DUID-LL, Ethernet
  static constexpr std::size_t link_layer_plus_time_len = 14;  // DUID-LLT, Ethernet

  std::uint16_t type = 0;  // DuidType value; others parse (opaque)
  // DUID-LL and DUID-LLT: the hardware type (1: Ethernet) and, for
  // Ethernet, the address.
  std::uint16_t hardware_type = 0;
  std::optional<MacAddress> link_layer_address;
  std::uint32_t time = 0;  // DUID-LLT: seconds since 2000-01-01 UTC
  ConstBytes bytes;        // the whole DUID, to compare identifiers

  // Any thread. Malformed when shorter than 3 bytes or longer than
  // max_len, or a DUID-LL/LLT too short for its fixed fields.
  static Result<Dhcpv6Duid> parse(ConstBytes duid);
  // Any thread. Write a DUID-LL / DUID-LLT for an Ethernet address into
  // out[0..len) (out holds at least that many bytes).
  static void emit_link_layer(Bytes out, const MacAddress& mac);
  static void emit_link_layer_plus_time(Bytes out, const MacAddress& mac, std::uint32_t time);
};

struct Dhcpv6Option {
  std::uint16_t code = 0;
  ConstBytes data;
};

// Walks options that Dhcpv6Repr::parse (or dhcpv6_check_options) accepted.
// Also walks the NTP server option's suboptions, which share the format.
// Any thread.
class Dhcpv6OptionIterator {
 public:
  explicit Dhcpv6OptionIterator(ConstBytes options) : options_(options) {}
  std::optional<Dhcpv6Option> next();

 private:
  ConstBytes options_;
  std::size_t at_ = 0;
};

// Any thread. Truncated when an option (4-byte code and length, then its
// data) runs past the end.
Status dhcpv6_check_options(ConstBytes options);

// Walks a domain search list (RFC 8415 10: uncompressed DNS names) that
// Dhcpv6Repr::parse accepted, writing each name as dotted text. Any thread.
class Dhcpv6DomainIterator {
 public:
  explicit Dhcpv6DomainIterator(ConstBytes list) : list_(list) {}
  // The next name ("example.com"), written into buffer (254 bytes always
  // suffice); nullopt at the end or when buffer is too small.
  std::optional<std::string_view> next(std::span<char> buffer);

 private:
  ConstBytes list_;
  std::size_t at_ = 0;
};

// Any thread. Proves a domain search list is a sequence of whole names:
// labels of at most 63 bytes, names of at most 255, each ending with the
// root label; Malformed otherwise (also for compression pointers).
Status dhcpv6_check_domain_list(ConstBytes list);

struct Dhcpv6Repr {
  static constexpr std::size_t header_len = 4;

  std::uint8_t message_type = 0;     // Dhcpv6MessageType value
  std::uint32_t transaction_id = 0;  // 24 bits
  ConstBytes options;                // parse: all options (checked)

  // The options a stateless client reads, when present (empty spans and
  // nullopt when absent).
  ConstBytes client_id;                  // a DUID
  ConstBytes server_id;                  // a DUID
  ConstBytes option_request;             // 2 bytes per code
  std::optional<std::uint16_t> elapsed_time;  // hundredths of a second
  std::optional<std::uint16_t> status_code;   // Dhcpv6Status value
  ConstBytes status_message;                  // UTF-8 text
  ConstBytes dns_servers;                // 16 bytes each
  ConstBytes domain_list;                // for Dhcpv6DomainIterator
  ConstBytes sntp_servers;               // 16 bytes each
  ConstBytes ntp_server;                 // suboptions, for Dhcpv6OptionIterator
  std::optional<std::uint32_t> information_refresh_time;  // seconds

  std::size_t dns_server_count() const { return dns_servers.size() / 16; }
  Ipv6Address dns_server(std::size_t i) const { return Ipv6Address::from_bytes(dns_servers.subspan(16 * i, 16)); }
  std::size_t sntp_server_count() const { return sntp_servers.size() / 16; }
  Ipv6Address sntp_server(std::size_t i) const { return Ipv6Address::from_bytes(sntp_servers.subspan(16 * i, 16)); }

  // Any thread. Truncated below 4 bytes or when an option runs past the
  // end; Unsupported for relay messages; Malformed when a known option has
  // the wrong length (elapsed time 2, refresh time 4, status code >= 2,
  // option request even, server lists a non-zero multiple of 16), a DUID or
  // the domain list or an NTP suboption is malformed (address suboptions
  // hold 16 bytes), or a client or server identifier appears twice (RFC
  // 8415 16). Options it does not know are left in `options`.
  static Result<Dhcpv6Repr> parse(ConstBytes message);
};

// Builds a message option by option. Every call returns TooBig (writing
// nothing) when the rest of the message has no room. Any thread.
class Dhcpv6Writer {
 public:
  // Writes the 4-byte header when `message` holds it (ok() says so; the
  // option calls return TooBig otherwise).
  Dhcpv6Writer(Bytes message, Dhcpv6MessageType type, std::uint32_t transaction_id);
  bool ok() const { return message_.size() >= Dhcpv6Repr::header_len; }

  Status option(Dhcpv6OptionCode code, ConstBytes data);
  Status client_id(ConstBytes duid) { return option(Dhcpv6OptionCode::ClientId, duid); }
  Status server_id(ConstBytes duid) { return option(Dhcpv6OptionCode::ServerId, duid); }
  Status option_request(std::span<const Dhcpv6OptionCode> codes);
  Status elapsed_time(std::uint16_t hundredths);
  Status status_code(Dhcpv6Status status, std::string_view message);
  Status information_refresh_time(std::uint32_t seconds);
  Status addresses(Dhcpv6OptionCode code, std::span<const Ipv6Address> list);  // 23, 31
  // The NTP server option with one server-address suboption per address.
  Status ntp_server_addresses(std::span<const Ipv6Address> list);
  // The domain search list from dotted names; InvalidArgument for an empty
  // label, a label over 63 bytes or a name over 253 characters.
  Status domain_list(std::span<const std::string_view> names);
  // Bytes written so far (the header included): the message's length.
  std::size_t written() const { return at_; }

 private:
  Result<Bytes> begin(Dhcpv6OptionCode code, std::size_t length);
  Bytes message_;
  std::size_t at_ = 0;
};

}  // namespace lwnet
