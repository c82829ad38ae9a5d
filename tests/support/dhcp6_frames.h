// Frames of a router and a DHCPv6 server that tests play against lwnet's
// stateless DHCPv6 client: RAs with the M and O flags, Replies built from
// what the test wants in them, and the Information-requests read back out
// of captured frames. Built through the wire layer's Reprs.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "support/frames.h"
#include "wire/address.h"
#include "wire/dhcpv6.h"

namespace lwnet::test {

// An RA from `router` (a link-local address) at `router_mac` to ff02::1,
// router lifetime 1800 s, with its source link-layer address.
ByteVector router_advertisement_frame(const MacAddress& router_mac, const Ipv6Address& router,
                                      bool managed, bool other);

// A UDP datagram from port 547 to port 546 carrying `message`, in an
// Ethernet frame.
ByteVector dhcpv6_reply_frame(const MacAddress& server_mac, const Ipv6Address& server,
                              const MacAddress& client_mac, const Ipv6Address& client, ConstBytes message);

// An Information-request (or any DHCPv6 message to port 547) read from a frame.
struct Dhcpv6Sent {
  Ipv6Address source;
  Ipv6Address destination;
  MacAddress destination_mac;
  std::uint8_t hop_limit = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  ByteVector message;  // the DHCPv6 message
  std::uint32_t transaction_id = 0;
  std::optional<std::uint16_t> elapsed;
  ByteVector client_id;
};
// nullopt for a frame that is not IPv6/UDP to port 547 or does not parse
// (a bad UDP checksum fails the calling test).
std::optional<Dhcpv6Sent> dhcpv6_sent_of(const ByteVector& frame);

// What a test's server puts in a Reply to `request`.
struct Dhcpv6ReplyContent {
  std::vector<Ipv6Address> dns;
  std::vector<Ipv6Address> ntp;   // option 56 server-address suboptions
  std::vector<Ipv6Address> sntp;  // option 31
  std::optional<std::uint32_t> refresh;
  std::optional<Dhcpv6Status> status;
  bool server_id = true;
  bool client_id = true;
  std::optional<std::uint32_t> transaction_id;  // default: the request's
  std::optional<ByteVector> client_duid;        // default: the request's
};
ByteVector dhcpv6_reply_message(const Dhcpv6Sent& request, const Dhcpv6ReplyContent& content);

}  // namespace lwnet::test
