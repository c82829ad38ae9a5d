// IPv6 (RFC 8200): the fixed header, the pseudo-header checksum for upper
// layers (8.1), and the extension headers: hop-by-hop and destination
// options with their TLV options (4.2), routing (4.4), fragment (4.5), and a
// walker over the chain that finds where the upper-layer payload starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "util/checksum.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

// Every IPv6 link carries packets of this size (RFC 8200 5); ICMPv6 errors
// are cut to fit it (RFC 4443 2.4 c).
inline constexpr std::size_t ipv6_minimum_mtu = 1280;

// Next Header values of the extension headers the walker understands (the
// same numbers as IpProtocol's Ipv6* members), plus AH, whose length field
// counts differently, and ESP, after which nothing is readable.
namespace ipv6_next_header {
inline constexpr std::uint8_t hop_by_hop = 0;
inline constexpr std::uint8_t routing = 43;
inline constexpr std::uint8_t fragment = 44;
inline constexpr std::uint8_t esp = 50;
inline constexpr std::uint8_t authentication = 51;
inline constexpr std::uint8_t icmpv6 = 58;
inline constexpr std::uint8_t no_next_header = 59;
inline constexpr std::uint8_t destination_options = 60;
}  // namespace ipv6_next_header

struct Ipv6Repr {
  static constexpr std::size_t header_len = 40;

  Ipv6Address source;
  Ipv6Address destination;
  std::uint8_t next_header = 0;  // IpProtocol value or an extension header
  std::uint8_t hop_limit = 64;
  std::uint8_t traffic_class = 0;  // DSCP + ECN
  std::uint32_t flow_label = 0;    // 20 bits
  ConstBytes payload;              // parse: the payload_length bytes (link padding cut off)
  std::size_t payload_len = 0;     // emit: bytes that follow the header

  // Any thread. Rejects: fewer than 40 bytes or fewer than 40 + payload
  // length (Truncated); version != 6 (Unsupported); a payload length of 0
  // with a hop-by-hop header next, which announces a jumbogram (RFC 2675,
  // Unsupported); a multicast source address (RFC 4291 2.7, Malformed).
  static Result<Ipv6Repr> parse(ConstBytes packet);
  // Any thread. Writes the 40-byte header into packet[0..40) with payload
  // length payload_len (at most 65535). Flow label bits above 20 are dropped.
  void emit(Bytes packet) const;
};

// Any thread. A Checksum primed with the IPv6 pseudo-header (RFC 8200 8.1):
// addresses, 32-bit upper-layer length, next header. `destination` is the
// final one (the last address of a routing header, when there is one); add
// the upper-layer header and data to it.
Checksum ipv6_pseudo_header_checksum(const Ipv6Address& source, const Ipv6Address& destination,
                                     std::uint8_t next_header, std::uint32_t upper_layer_len);

// What a node must do with an option type it does not recognise: the two
// high-order bits of the type (RFC 8200 4.2).
enum class Ipv6OptionAction : std::uint8_t {
  Skip = 0,
  Discard = 1,
  DiscardSendError = 2,               // ICMPv6 parameter problem code 2, always
  DiscardSendErrorUnlessMulticast = 3,  // ... unless the destination was multicast
};

inline constexpr std::uint8_t ipv6_option_pad1 = 0;
inline constexpr std::uint8_t ipv6_option_padn = 1;
inline constexpr std::uint8_t ipv6_option_router_alert = 5;  // RFC 2711, 2-byte value

// One TLV option of a hop-by-hop or destination options header.
struct Ipv6Option {
  std::uint8_t type = 0;
  ConstBytes data;          // Opt Data, opt_data_len bytes
  std::size_t offset = 0;   // of its type byte from the start of the options header

  Ipv6OptionAction action() const { return static_cast<Ipv6OptionAction>(type >> 6); }
  // The data may change en route (excluded from AH's integrity check).
  bool may_change() const { return (type & 0x20U) != 0; }
};

// Walks the TLV options of an options header that Ipv6OptionsHeader::parse
// accepted (so every option fits). Pad1 and PadN are skipped. Any thread.
class Ipv6OptionIterator {
 public:
  // header: the whole options header (next header and length bytes first).
  explicit Ipv6OptionIterator(ConstBytes header) : header_(header) {}
  std::optional<Ipv6Option> next();

 private:
  ConstBytes header_;
  std::size_t at_ = 2;
};

// Hop-by-hop options (next header 0) and destination options (60): the same
// format (RFC 8200 4.3, 4.6).
struct Ipv6OptionsHeader {
  // The shortest header: next header, length, six bytes of options.
  static constexpr std::size_t min_header_len = 8;

  std::uint8_t next_header = 0;
  std::size_t header_len = min_header_len;  // parse: (Hdr Ext Len + 1) * 8
  // A Router Alert option (RFC 2711): parsed when present (its value, 0 for
  // MLD); emitted as the header's only option when set.
  std::optional<std::uint16_t> router_alert;
  ConstBytes header;  // parse: all header_len bytes, for Ipv6OptionIterator

  // Any thread. Truncated when shorter than 8 bytes or than its length
  // field; Malformed when an option runs past the header or a Router Alert
  // does not carry exactly 2 bytes.
  static Result<Ipv6OptionsHeader> parse(ConstBytes data);
  // Any thread. Writes an 8-byte header into data[0..8): the Router Alert
  // option when set, PadN filling the rest.
  void emit(Bytes data) const;
  static constexpr std::size_t emitted_header_len() { return min_header_len; }
  Ipv6OptionIterator options() const { return Ipv6OptionIterator(header); }
};

// Routing header (RFC 8200 4.4). The IP layer decides what to do with each
// routing type; type 0 is deprecated (RFC 5095) and refused.
struct Ipv6RoutingHeader {
  static constexpr std::size_t min_header_len = 8;
  static constexpr std::uint8_t type0 = 0;

  std::uint8_t next_header = 0;
  std::uint8_t routing_type = 0;
  std::uint8_t segments_left = 0;
  std::size_t header_len = min_header_len;  // (Hdr Ext Len + 1) * 8
  ConstBytes type_data;  // the bytes after the first four (type-specific)

  // Any thread. Truncated when shorter than 8 bytes or than its length field.
  static Result<Ipv6RoutingHeader> parse(ConstBytes data);
  // Any thread. Writes header_len bytes; type_data (header_len - 4 bytes)
  // is copied in behind the first four.
  void emit(Bytes data) const;
};

// Fragment header (RFC 8200 4.5).
struct Ipv6FragmentHeader {
  static constexpr std::size_t header_len = 8;

  std::uint8_t next_header = 0;
  std::uint16_t fragment_offset = 0;  // in bytes (a multiple of 8)
  bool more_fragments = false;
  std::uint32_t identification = 0;

  // Any thread. Truncated below 8 bytes. Reserved bits are ignored.
  static Result<Ipv6FragmentHeader> parse(ConstBytes data);
  // Any thread. Writes the 8-byte header (offset bits below 8 are dropped).
  void emit(Bytes data) const;
  // An atomic fragment (RFC 6946): the whole datagram in one fragment,
  // processed without reassembly.
  bool is_atomic() const { return fragment_offset == 0 && !more_fragments; }
};

// One extension header found by Ipv6HeaderWalker.
struct Ipv6ExtensionHeader {
  std::uint8_t type = 0;         // the Next Header value that named it
  std::size_t offset = 0;        // from the start of the IPv6 payload
  ConstBytes bytes;              // the whole header
  std::uint8_t next_header = 0;  // what follows it
};

// Walks the extension-header chain of a parsed packet. Each next() yields
// one extension header, and returns false once the upper-layer header (or
// anything the walker does not know as an extension header) is reached:
// then next_header(), offset() and rest() say what and where it is.
//
// A fragment header ends the walk: what follows it is fragment data, read
// only after reassembly (walk the reassembled datagram from its next header).
// After ESP (encrypted) or No Next Header the rest is opaque.
//
// Errors (the walk is over after one): Truncated when a header runs past
// the payload; Malformed when a hop-by-hop header is not the first one (RFC
// 8200 4.1: the IP layer answers with a parameter problem code 1 pointing at
// next_header_field_offset()) or the chain holds more than max_headers.
// Any thread.
class Ipv6HeaderWalker {
 public:
  static constexpr std::size_t default_max_headers = 8;

  Ipv6HeaderWalker(std::uint8_t first_next_header, ConstBytes payload,
                   std::size_t max_headers = default_max_headers)
      : payload_(payload), next_header_(first_next_header), max_headers_(max_headers) {}
  explicit Ipv6HeaderWalker(const Ipv6Repr& ip, std::size_t max_headers = default_max_headers)
      : Ipv6HeaderWalker(ip.next_header, ip.payload, max_headers) {}

  Result<bool> next();
  // Valid after next() returned true.
  const Ipv6ExtensionHeader& header() const { return header_; }
  // The Next Header value of what comes after the headers yielded so far.
  std::uint8_t next_header() const { return next_header_; }
  // Where that starts, from the start of the IPv6 payload.
  std::size_t offset() const { return offset_; }
  ConstBytes rest() const { return payload_.subspan(offset_); }
  // Where the Next Header field naming next_header() sits, from the start
  // of the IPv6 header (the Parameter Problem pointer for an unknown one).
  std::size_t next_header_field_offset() const { return next_header_field_offset_; }
  std::size_t headers_seen() const { return count_; }

  // Any thread. True for the Next Header values the walker walks over.
  static bool is_extension_header(std::uint8_t next_header);

 private:
  ConstBytes payload_;
  Ipv6ExtensionHeader header_;
  std::uint8_t next_header_;
  std::size_t offset_ = 0;
  std::size_t next_header_field_offset_ = 6;
  std::size_t count_ = 0;
  std::size_t max_headers_;
  bool done_ = false;
};

}  // namespace lwnet
