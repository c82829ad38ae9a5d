// DNS messages (RFC 1035 section 4; AAAA from RFC 3596; the mDNS
// unicast-response bit of RFC 6762 section 5.4): the header, questions and
// resource records, names with compression on parse and without on emit.
// A message is parsed whole once (every name, every record of every section
// checked), so a DnsRepr that parsed can be walked without further errors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

namespace dns {
inline constexpr std::uint16_t port = 53;
inline constexpr std::uint16_t mdns_port = 5353;
inline constexpr Ipv4Address mdns_group = Ipv4Address::of(224, 0, 0, 251);
// RFC 6762 3: the IPv6 link-local group, ff02::fb.
inline constexpr Ipv6Address mdns_group_v6 = Ipv6Address::link_scope_group(0xfb);
// RFC 1035 2.3.4: a name is at most 255 bytes in wire form, a label 63.
inline constexpr std::size_t max_name_wire_len = 255;
inline constexpr std::size_t max_label_len = 63;
// The longest text form of a name: 255 wire bytes minus the root label and
// the first length byte, dots in place of the other length bytes.
inline constexpr std::size_t max_name_text_len = 253;
// UDP messages are at most 512 bytes without EDNS (RFC 1035 4.2.1).
inline constexpr std::size_t max_udp_message_len = 512;
inline constexpr std::size_t header_len = 12;
// Compression pointers one name may follow. Pointers must also point
// backwards, so no loop is possible; this bounds the work on top.
inline constexpr std::size_t max_pointers = 32;

enum class Type : std::uint16_t { A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, AAAA = 28 };
inline constexpr std::uint16_t class_in = 1;
// mDNS (RFC 6762 5.4 and 10.2): the top bit of a question's class asks for
// a unicast answer; in a record it is the cache-flush bit.
inline constexpr std::uint16_t class_top_bit = 0x8000;

enum class Rcode : std::uint8_t { NoError = 0, FormatError = 1, ServerFailure = 2, NameError = 3,
                                  NotImplemented = 4, Refused = 5 };
}  // namespace dns

// A domain name in uncompressed wire form (length-prefixed labels ending in
// the root label). Fixed size: no allocation.
class DnsName {
 public:
  // The root name (one zero byte).
  DnsName() { wire_[0] = 0; }
  // "www.example.com" (a trailing dot is allowed). InvalidArgument for an
  // empty label, a label over 63 bytes, a name over 255 wire bytes, or an
  // empty text. Any thread.
  static Result<DnsName> from_text(std::string_view text);
  ConstBytes wire() const { return ConstBytes(wire_.data(), size_); }
  // Writes the dotted form (no trailing dot; "." for the root) into `out`
  // (max_name_text_len + 1 bytes always suffice); empty if it does not fit.
  std::string_view to_text(std::span<char> out) const;
  // Names compare case-insensitively (RFC 4343), ASCII only.
  bool equals(const DnsName& other) const;
  // True when the last label is `label` (case-insensitive): "local".
  bool ends_with_label(std::string_view label) const;
  std::size_t label_count() const;

 private:
  friend struct DnsNameReader;
  std::array<std::uint8_t, dns::max_name_wire_len> wire_{};
  std::size_t size_ = 1;
};

struct DnsHeader {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;
  bool authoritative = false;
  bool truncated = false;
  bool recursion_desired = false;
  bool recursion_available = false;
  std::uint8_t rcode = 0;  // dns::Rcode value
  std::uint16_t question_count = 0;
  std::uint16_t answer_count = 0;
  std::uint16_t authority_count = 0;
  std::uint16_t additional_count = 0;
};

struct DnsQuestion {
  DnsName name;
  std::uint16_t type = 0;
  std::uint16_t klass = dns::class_in;  // with dns::class_top_bit: unicast answer wanted (mDNS)
};

struct DnsRecord {
  DnsName name;
  std::uint16_t type = 0;
  std::uint16_t klass = dns::class_in;
  std::uint32_t ttl = 0;
  // Parse: a view into the message (compression pointers inside it are not
  // expanded); emit: written as it is.
  ConstBytes data;
  // Parse only, for CNAME records: the target, expanded.
  DnsName target;

  // A and AAAA data of the right length; nullopt otherwise.
  std::optional<IpAddress> address() const;
};

// A whole message. Parse keeps a view of it; answers() walks its answer
// section. Emit writes the header (counts from the spans), the questions and
// the records (answers only), names uncompressed.
struct DnsRepr {
  DnsHeader header;
  // Parse: the first question (most servers accept only one); emit: every
  // question in `questions`.
  DnsQuestion question;
  std::span<const DnsQuestion> questions;
  std::span<const DnsRecord> answers;

  // Any thread. Truncated when shorter than its header or than what its
  // counts and lengths say; Malformed for a bad label (reserved type,
  // pointer forward or out of range, more than max_pointers pointers, a name
  // over 255 bytes), a CNAME whose data is not exactly one name, an A or
  // AAAA record of the wrong length; Unsupported for more than one
  // question. Bytes past the last record are ignored.
  static Result<DnsRepr> parse(ConstBytes message);
  // Any thread. The header and the question only, with parse()'s errors for
  // them; the records are not read, and for_each_answer() visits none. For
  // an answer with TC set, which may be cut anywhere past its question
  // (RFC 2181 9): whose it is and that it is truncated is all it can tell.
  static Result<DnsRepr> parse_header_and_question(ConstBytes message);

  // Core or any thread, after parse: the answer records in order. `visit`
  // is called for each; return false to stop.
  template <class Visit>
  void for_each_answer(Visit&& visit) const;

  // Any thread. Bytes emit() writes.
  std::size_t buffer_len() const;
  // Any thread. TooBig when `message` is shorter than buffer_len();
  // otherwise the bytes written.
  Result<std::size_t> emit(Bytes message) const;

  // Parse: the message and where its answer section starts.
  ConstBytes message_bytes;
  std::size_t answers_offset = 0;
};

// Reads one record at `offset` of `message`, moving offset past it. The
// same checks as DnsRepr::parse. Any thread.
Result<DnsRecord> dns_read_record(ConstBytes message, std::size_t& offset);

template <class Visit>
void DnsRepr::for_each_answer(Visit&& visit) const {
  std::size_t offset = answers_offset;
  for (std::uint16_t i = 0; i < header.answer_count; ++i) {
    Result<DnsRecord> record = dns_read_record(message_bytes, offset);
    if (!record.ok()) return;  // cannot happen after a successful parse
    if (!visit(*record)) return;
  }
}

}  // namespace lwnet
