#include "wire/ipv6.h"

#include <algorithm>

namespace lwnet {

namespace {

constexpr std::uint32_t flow_label_mask = 0xfffffU;

// Hop-by-hop, destination options and routing headers count their length
// in 8-octet units beyond the first eight.
std::size_t units_of_eight_len(ConstBytes data) { return (std::size_t{data[1]} + 1) * 8; }

}  // namespace

Result<Ipv6Repr> Ipv6Repr::parse(ConstBytes packet) {
  if (packet.size() < header_len) return Error::Truncated;
  if ((packet[0] >> 4) != 6) return Error::Unsupported;
  const std::size_t payload_length = load_be16(packet, 4);
  Ipv6Repr repr;
  repr.next_header = packet[6];
  // RFC 2675: payload length 0 with a hop-by-hop header carries a Jumbo
  // Payload option; no link lwnet runs on can carry one.
  if (payload_length == 0 && repr.next_header == ipv6_next_header::hop_by_hop) {
    return Error::Unsupported;
  }
  if (packet.size() < header_len + payload_length) return Error::Truncated;
  const std::uint32_t first_word = load_be32(packet, 0);
  repr.traffic_class = static_cast<std::uint8_t>(first_word >> 20);
  repr.flow_label = first_word & flow_label_mask;
  repr.hop_limit = packet[7];
  repr.source = Ipv6Address::from_bytes(packet.subspan(8, 16));
  repr.destination = Ipv6Address::from_bytes(packet.subspan(24, 16));
  if (repr.source.is_multicast()) return Error::Malformed;
  repr.payload = packet.subspan(header_len, payload_length);
  repr.payload_len = payload_length;
  return repr;
}

void Ipv6Repr::emit(Bytes packet) const {
  store_be32(packet, 0,
             (std::uint32_t{6} << 28) | (std::uint32_t{traffic_class} << 20) |
                 (flow_label & flow_label_mask));
  store_be16(packet, 4, static_cast<std::uint16_t>(payload_len));
  packet[6] = next_header;
  packet[7] = hop_limit;
  source.write(packet.subspan(8, 16));
  destination.write(packet.subspan(24, 16));
}

Checksum ipv6_pseudo_header_checksum(const Ipv6Address& source, const Ipv6Address& destination,
                                     std::uint8_t next_header, std::uint32_t upper_layer_len) {
  Checksum sum;
  sum.add(source.octets);
  sum.add(destination.octets);
  sum.add32(upper_layer_len);
  sum.add16(next_header);  // after three zero bytes: the low half of a 32-bit word
  return sum;
}

std::optional<Ipv6Option> Ipv6OptionIterator::next() {
  while (at_ < header_.size()) {
    const std::uint8_t type = header_[at_];
    if (type == ipv6_option_pad1) {
      ++at_;
      continue;
    }
    const std::size_t data_len = header_[at_ + 1];
    Ipv6Option option{type, header_.subspan(at_ + 2, data_len), at_};
    at_ += 2 + data_len;
    if (type == ipv6_option_padn) continue;
    return option;
  }
  return std::nullopt;
}

Result<Ipv6OptionsHeader> Ipv6OptionsHeader::parse(ConstBytes data) {
  if (data.size() < min_header_len) return Error::Truncated;
  const std::size_t length = units_of_eight_len(data);
  if (data.size() < length) return Error::Truncated;
  Ipv6OptionsHeader repr;
  repr.next_header = data[0];
  repr.header_len = length;
  repr.header = data.first(length);
  // Prove every option fits before an iterator trusts the lengths.
  std::size_t at = 2;
  while (at < length) {
    const std::uint8_t type = data[at];
    if (type == ipv6_option_pad1) {
      ++at;
      continue;
    }
    if (at + 2 > length) return Error::Malformed;
    const std::size_t data_len = data[at + 1];
    if (at + 2 + data_len > length) return Error::Malformed;
    if (type == ipv6_option_router_alert) {
      if (data_len != 2) return Error::Malformed;
      repr.router_alert = load_be16(data, at + 2);
    }
    at += 2 + data_len;
  }
  return repr;
}

void Ipv6OptionsHeader::emit(Bytes data) const {
  data[0] = next_header;
  data[1] = 0;  // 8 bytes in all
  std::size_t at = 2;
  if (router_alert) {
    data[2] = ipv6_option_router_alert;
    data[3] = 2;
    store_be16(data, 4, *router_alert);
    at = 6;
  }
  // PadN of the remaining bytes (two or six; both fit PadN, never Pad1).
  data[at] = ipv6_option_padn;
  data[at + 1] = static_cast<std::uint8_t>(min_header_len - at - 2);
  std::fill(data.begin() + static_cast<std::ptrdiff_t>(at + 2),
            data.begin() + static_cast<std::ptrdiff_t>(min_header_len), std::uint8_t{0});
}

Result<Ipv6RoutingHeader> Ipv6RoutingHeader::parse(ConstBytes data) {
  if (data.size() < min_header_len) return Error::Truncated;
  const std::size_t length = units_of_eight_len(data);
  if (data.size() < length) return Error::Truncated;
  Ipv6RoutingHeader repr;
  repr.next_header = data[0];
  repr.routing_type = data[2];
  repr.segments_left = data[3];
  repr.header_len = length;
  repr.type_data = data.subspan(4, length - 4);
  return repr;
}

void Ipv6RoutingHeader::emit(Bytes data) const {
  data[0] = next_header;
  data[1] = static_cast<std::uint8_t>(header_len / 8 - 1);
  data[2] = routing_type;
  data[3] = segments_left;
  std::copy(type_data.begin(), type_data.end(), data.begin() + 4);
}

Result<Ipv6FragmentHeader> Ipv6FragmentHeader::parse(ConstBytes data) {
  if (data.size() < header_len) return Error::Truncated;
  Ipv6FragmentHeader repr;
  repr.next_header = data[0];
  const std::uint16_t offset_flags = load_be16(data, 2);
  repr.fragment_offset = static_cast<std::uint16_t>(offset_flags & 0xfff8U);
  repr.more_fragments = (offset_flags & 1U) != 0;
  repr.identification = load_be32(data, 4);
  return repr;
}

void Ipv6FragmentHeader::emit(Bytes data) const {
  data[0] = next_header;
  data[1] = 0;
  store_be16(data, 2,
             static_cast<std::uint16_t>((fragment_offset & 0xfff8U) | (more_fragments ? 1U : 0U)));
  store_be32(data, 4, identification);
}

bool Ipv6HeaderWalker::is_extension_header(std::uint8_t next_header) {
  switch (next_header) {
    case ipv6_next_header::hop_by_hop:
    case ipv6_next_header::routing:
    case ipv6_next_header::fragment:
    case ipv6_next_header::authentication:
    case ipv6_next_header::destination_options:
      return true;
    default:
      return false;
  }
}

Result<bool> Ipv6HeaderWalker::next() {
  if (done_ || !is_extension_header(next_header_)) {
    done_ = true;
    return false;
  }
  if (next_header_ == ipv6_next_header::hop_by_hop && count_ != 0) {
    done_ = true;
    return Error::Malformed;
  }
  if (count_ == max_headers_) {
    done_ = true;
    return Error::Malformed;
  }
  const ConstBytes rest = payload_.subspan(offset_);
  // Every extension header is at least 8 bytes (AH's shortest is 12).
  if (rest.size() < 8) {
    done_ = true;
    return Error::Truncated;
  }
  std::size_t length = 8;
  if (next_header_ == ipv6_next_header::authentication) {
    length = (std::size_t{rest[1]} + 2) * 4;  // RFC 4302 2.2: 4-octet units minus 2
  } else if (next_header_ != ipv6_next_header::fragment) {
    length = units_of_eight_len(rest);
  }
  if (rest.size() < length) {
    done_ = true;
    return Error::Truncated;
  }
  header_ = Ipv6ExtensionHeader{next_header_, offset_, rest.first(length), rest[0]};
  next_header_field_offset_ = Ipv6Repr::header_len + offset_;
  next_header_ = rest[0];
  offset_ += length;
  ++count_;
  if (header_.type == ipv6_next_header::fragment) done_ = true;
  return true;
}

}  // namespace lwnet
