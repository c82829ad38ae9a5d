// Multicast Listener Discovery: MLDv1 query, report and done (RFC 2710),
// and the MLDv2 query and report with its multicast address records
// (RFC 3810). The messages are ICMPv6 (types 130, 131, 132, 143): parse
// them after Icmpv6Repr::parse verified the checksum. The IP-level rules
// (link-local source, hop limit 1, Router Alert) are the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "util/bytes.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

enum class MldRecordType : std::uint8_t {
  ModeIsInclude = 1,
  ModeIsExclude = 2,
  ChangeToInclude = 3,  // a leave, when no sources are listed
  ChangeToExclude = 4,  // a join, when no sources are listed
  AllowNewSources = 5,
  BlockOldSources = 6,
};

// MLDv1 messages (RFC 2710 3), and the first 24 bytes of an MLDv2 query,
// which is how an MLDv1 host must read one (RFC 3810 8.2.1).
struct MldRepr {
  static constexpr std::size_t header_len = 24;

  std::uint8_t type = 0;  // Icmpv6Type: MulticastListenerQuery, ...Report, ...Done
  // Queries: the longest delay before a report, in milliseconds.
  std::uint16_t max_response_delay = 0;
  // Unspecified in a general query; the group otherwise.
  Ipv6Address multicast_address;

  // Any thread. Unsupported for other types; Truncated below 24 bytes;
  // Malformed when a report or done names no multicast address, or a query
  // names one that is neither unspecified nor multicast.
  static Result<MldRepr> parse(ConstBytes message);
  // Any thread. Writes the 24-byte message with its checksum.
  void emit(Bytes message, const Ipv6Address& source, const Ipv6Address& destination) const;
  // Any thread. True for a query long enough to be MLDv2's (RFC 3810 8.1).
  static bool is_v2_query(ConstBytes message) { return message.size() >= 28 && message[0] == 130; }
};

// MLDv2 query (RFC 3810 5.1).
struct Mldv2QueryRepr {
  static constexpr std::size_t min_len = 28;

  std::uint16_t max_response_code = 0;  // see max_response_delay()
  Ipv6Address multicast_address;        // unspecified in a general query
  bool suppress_router_processing = false;  // S
  std::uint8_t robustness = 0;              // QRV (3 bits; 0: use the default)
  std::uint8_t query_interval_code = 0;     // QQIC, see query_interval()
  ConstBytes sources;                       // parse: 16 bytes each

  std::size_t source_count() const { return sources.size() / 16; }
  Ipv6Address source(std::size_t i) const { return Ipv6Address::from_bytes(sources.subspan(i * 16, 16)); }
  // RFC 3810 5.1.3: milliseconds, exponential above 32767.
  std::uint32_t max_response_delay() const;
  // RFC 3810 5.1.9: seconds, exponential above 127.
  std::uint32_t query_interval() const;
  static constexpr std::size_t length(std::size_t source_count) { return min_len + 16 * source_count; }

  // Any thread. Unsupported unless type 130; Truncated below 28 bytes or
  // below the sources its count announces; Malformed when the address is
  // neither unspecified nor multicast, or a general query lists sources.
  static Result<Mldv2QueryRepr> parse(ConstBytes message);
  // Any thread. Writes length(sources.size()) bytes: the query, then
  // `sources` (the parsed field is ignored), and the checksum.
  void emit(Bytes message, std::span<const Ipv6Address> source_list, const Ipv6Address& source_address,
            const Ipv6Address& destination) const;
};

// One multicast address record of an MLDv2 report.
struct MldAddressRecord {
  std::uint8_t record_type = 0;  // MldRecordType value; others are for the caller to skip
  Ipv6Address multicast_address;
  ConstBytes sources;  // 16 bytes each

  std::size_t source_count() const { return sources.size() / 16; }
  Ipv6Address source(std::size_t i) const { return Ipv6Address::from_bytes(sources.subspan(i * 16, 16)); }
  static constexpr std::size_t length(std::size_t source_count) { return 20 + 16 * source_count; }
};

// Walks the records of a report that Mldv2ReportRepr::parse accepted.
// Auxiliary data is skipped (RFC 3810 5.2.10). Any thread.
class MldRecordIterator {
 public:
  explicit MldRecordIterator(ConstBytes records) : records_(records) {}
  std::optional<MldAddressRecord> next();

 private:
  ConstBytes records_;
  std::size_t at_ = 0;
};

// MLDv2 report (RFC 3810 5.2), type 143.
struct Mldv2ReportRepr {
  static constexpr std::size_t header_len = 8;

  std::uint16_t record_count = 0;
  ConstBytes records;  // parse: exactly the bytes of record_count records

  MldRecordIterator record_iterator() const { return MldRecordIterator(records); }

  // Any thread. Unsupported unless type 143; Truncated below 8 bytes or
  // when a record (its sources, its auxiliary data) runs past the message;
  // Malformed when a record names no multicast address.
  static Result<Mldv2ReportRepr> parse(ConstBytes message);
};

// Builds an MLDv2 report record by record. Any thread.
class Mldv2ReportWriter {
 public:
  explicit Mldv2ReportWriter(Bytes message) : message_(message) {}
  // TooBig (nothing written) when the record does not fit; InvalidArgument
  // when the address is not multicast or there are more than 65535 sources.
  Status add_record(MldRecordType type, const Ipv6Address& multicast_address,
                    std::span<const Ipv6Address> sources = {});
  // Writes the header (record count) and the checksum; returns the length
  // of the report, the bytes of message to send. TooBig when message is
  // shorter than the 8-byte header.
  Result<std::size_t> finish(const Ipv6Address& source, const Ipv6Address& destination);
  std::uint16_t record_count() const { return count_; }

 private:
  Bytes message_;
  std::size_t at_ = Mldv2ReportRepr::header_len;
  std::uint16_t count_ = 0;
};

}  // namespace lwnet
