#include "wire/mld.h"

#include <algorithm>

#include "wire/icmpv6.h"

namespace lwnet {

namespace {

// RFC 3810 5.1.3 and 5.1.9 share one floating-point form: a flag bit, a
// 3-bit exponent and a mantissa; value = (mantissa | 1 << mantissa_bits)
// << (exponent + 3).
std::uint32_t decode_exponential(std::uint32_t code, unsigned mantissa_bits) {
  const std::uint32_t mantissa = code & ((1U << mantissa_bits) - 1);
  const std::uint32_t exponent = (code >> mantissa_bits) & 0x7U;
  return (mantissa | (1U << mantissa_bits)) << (exponent + 3);
}

}  // namespace

Result<MldRepr> MldRepr::parse(ConstBytes message) {
  if (message.empty()) return Error::Truncated;
  MldRepr repr;
  repr.type = message[0];
  const bool query = repr.type == icmpv6_type_value(Icmpv6Type::MulticastListenerQuery);
  if (!query && repr.type != icmpv6_type_value(Icmpv6Type::MulticastListenerReport) &&
      repr.type != icmpv6_type_value(Icmpv6Type::MulticastListenerDone)) {
    return Error::Unsupported;
  }
  if (message.size() < header_len) return Error::Truncated;
  repr.max_response_delay = load_be16(message, 4);
  repr.multicast_address = Ipv6Address::from_bytes(message.subspan(8, 16));
  if (!repr.multicast_address.is_multicast() &&
      !(query && repr.multicast_address.is_unspecified())) {
    return Error::Malformed;
  }
  return repr;
}

void MldRepr::emit(Bytes message, const Ipv6Address& source,
                   const Ipv6Address& destination) const {
  message[0] = type;
  message[1] = 0;
  store_be16(message, 2, 0);
  store_be16(message, 4, max_response_delay);
  store_be16(message, 6, 0);
  multicast_address.write(message.subspan(8, 16));
  icmpv6_fill_checksum(message.first(header_len), source, destination);
}

std::uint32_t Mldv2QueryRepr::max_response_delay() const {
  if (max_response_code < 0x8000U) return max_response_code;
  return decode_exponential(max_response_code, 12);
}

std::uint32_t Mldv2QueryRepr::query_interval() const {
  if (query_interval_code < 0x80U) return query_interval_code;
  return decode_exponential(query_interval_code, 4);
}

Result<Mldv2QueryRepr> Mldv2QueryRepr::parse(ConstBytes message) {
  if (message.empty()) return Error::Truncated;
  if (message[0] != icmpv6_type_value(Icmpv6Type::MulticastListenerQuery)) return Error::Unsupported;
  if (message.size() < min_len) return Error::Truncated;
  Mldv2QueryRepr repr;
  repr.max_response_code = load_be16(message, 4);
  repr.multicast_address = Ipv6Address::from_bytes(message.subspan(8, 16));
  repr.suppress_router_processing = (message[24] & 0x08U) != 0;
  repr.robustness = message[24] & 0x07U;
  repr.query_interval_code = message[25];
  const std::size_t count = load_be16(message, 26);
  if (message.size() < length(count)) return Error::Truncated;
  repr.sources = message.subspan(min_len, 16 * count);
  if (!repr.multicast_address.is_multicast() && !repr.multicast_address.is_unspecified()) {
    return Error::Malformed;
  }
  // Sources only make sense for one group (RFC 3810 5.1.10 / 6.1).
  if (repr.multicast_address.is_unspecified() && count != 0) return Error::Malformed;
  return repr;
}

void Mldv2QueryRepr::emit(Bytes message, std::span<const Ipv6Address> source_list,
                          const Ipv6Address& source_address,
                          const Ipv6Address& destination) const {
  const std::size_t total = length(source_list.size());
  message[0] = icmpv6_type_value(Icmpv6Type::MulticastListenerQuery);
  message[1] = 0;
  store_be16(message, 4, max_response_code);
  store_be16(message, 6, 0);
  multicast_address.write(message.subspan(8, 16));
  message[24] = static_cast<std::uint8_t>((suppress_router_processing ? 0x08U : 0U) |
                                          (robustness & 0x07U));
  message[25] = query_interval_code;
  store_be16(message, 26, static_cast<std::uint16_t>(source_list.size()));
  for (std::size_t i = 0; i < source_list.size(); ++i) {
    source_list[i].write(message.subspan(min_len + 16 * i, 16));
  }
  icmpv6_fill_checksum(message.first(total), source_address, destination);
}

std::optional<MldAddressRecord> MldRecordIterator::next() {
  if (at_ >= records_.size()) return std::nullopt;
  const ConstBytes r = records_.subspan(at_);
  const std::size_t aux_len = std::size_t{r[1]} * 4;
  const std::size_t count = load_be16(r, 2);
  MldAddressRecord record;
  record.record_type = r[0];
  record.multicast_address = Ipv6Address::from_bytes(r.subspan(4, 16));
  record.sources = r.subspan(20, 16 * count);
  at_ += MldAddressRecord::length(count) + aux_len;
  return record;
}

Result<Mldv2ReportRepr> Mldv2ReportRepr::parse(ConstBytes message) {
  if (message.empty()) return Error::Truncated;
  if (message[0] != icmpv6_type_value(Icmpv6Type::MulticastListenerReportV2)) return Error::Unsupported;
  if (message.size() < header_len) return Error::Truncated;
  Mldv2ReportRepr repr;
  repr.record_count = load_be16(message, 6);
  std::size_t at = header_len;
  for (std::size_t i = 0; i < repr.record_count; ++i) {
    if (message.size() - at < MldAddressRecord::length(0)) return Error::Truncated;
    const std::size_t length =
        MldAddressRecord::length(load_be16(message, at + 2)) + std::size_t{message[at + 1]} * 4;
    if (message.size() - at < length) return Error::Truncated;
    if (message[at + 4] != 0xff) return Error::Malformed;  // not a multicast address
    at += length;
  }
  repr.records = message.subspan(header_len, at - header_len);
  return repr;
}

Status Mldv2ReportWriter::add_record(MldRecordType type, const Ipv6Address& multicast_address,
                                     std::span<const Ipv6Address> sources) {
  if (!multicast_address.is_multicast() || sources.size() > 0xffff) return Error::InvalidArgument;
  const std::size_t length = MldAddressRecord::length(sources.size());
  if (message_.size() < at_ || message_.size() - at_ < length || count_ == 0xffff) {
    return Error::TooBig;
  }
  Bytes r = message_.subspan(at_, length);
  r[0] = static_cast<std::uint8_t>(type);
  r[1] = 0;  // no auxiliary data (RFC 3810 5.2.6)
  store_be16(r, 2, static_cast<std::uint16_t>(sources.size()));
  multicast_address.write(r.subspan(4, 16));
  for (std::size_t i = 0; i < sources.size(); ++i) sources[i].write(r.subspan(20 + 16 * i, 16));
  at_ += length;
  ++count_;
  return {};
}

Result<std::size_t> Mldv2ReportWriter::finish(const Ipv6Address& source,
                                              const Ipv6Address& destination) {
  if (message_.size() < Mldv2ReportRepr::header_len) return Error::TooBig;
  message_[0] = icmpv6_type_value(Icmpv6Type::MulticastListenerReportV2);
  message_[1] = 0;
  store_be16(message_, 4, 0);
  store_be16(message_, 6, count_);
  icmpv6_fill_checksum(message_.first(at_), source, destination);
  return at_;
}

}  // namespace lwnet
