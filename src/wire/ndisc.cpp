#include "wire/ndisc.h"

#include <algorithm>

namespace lwnet {

namespace {

void zero(Bytes bytes) { std::fill(bytes.begin(), bytes.end(), std::uint8_t{0}); }

bool is_solicited_node(const Ipv6Address& a) {
  static constexpr std::uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  return std::equal(std::begin(prefix), std::end(prefix), a.octets.begin());
}

bool has_option(ConstBytes options, NdiscOptionType type) {
  NdiscOptionIterator it(options);
  while (std::optional<NdiscOption> option = it.next()) {
    if (option->type == static_cast<std::uint8_t>(type)) return true;
  }
  return false;
}

}  // namespace

Ipv6Address ndisc_solicited_node(const Ipv6Address& address) {
  Ipv6Address group;
  group.octets[0] = 0xff;
  group.octets[1] = 0x02;
  group.octets[11] = 0x01;
  group.octets[12] = 0xff;
  group.octets[13] = address.octets[13];
  group.octets[14] = address.octets[14];
  group.octets[15] = address.octets[15];
  return group;
}

Status ndisc_check_options(ConstBytes options) {
  std::size_t at = 0;
  while (at < options.size()) {
    if (options.size() - at < 2) return Error::Truncated;
    const std::size_t length = std::size_t{options[at + 1]} * 8;
    if (length == 0) return Error::Malformed;
    if (length > options.size() - at) return Error::Truncated;
    at += length;
  }
  return {};
}

std::optional<NdiscOption> NdiscOptionIterator::next() {
  if (at_ >= options_.size()) return std::nullopt;
  const std::size_t length = std::size_t{options_[at_ + 1]} * 8;
  NdiscOption option{options_[at_], options_.subspan(at_, length)};
  at_ += length;
  return option;
}

Result<MacAddress> ndisc_parse_link_layer_address(const NdiscOption& option) {
  if (option.bytes.size() != 8) return Error::Malformed;
  return MacAddress::from_bytes(option.bytes.subspan(2, 6));
}

Result<std::uint32_t> ndisc_parse_mtu(const NdiscOption& option) {
  if (option.bytes.size() != 8) return Error::Malformed;
  return load_be32(option.bytes, 4);
}

Result<NdiscNonce> ndisc_parse_nonce(const NdiscOption& option) {
  if (option.bytes.size() != NdiscOptionWriter::nonce_len) return Error::Malformed;
  NdiscNonce nonce;
  std::copy_n(option.bytes.begin() + 2, nonce.size(), nonce.begin());
  return nonce;
}

Result<NdiscPrefixInformation> NdiscPrefixInformation::parse(const NdiscOption& option) {
  if (option.bytes.size() != option_len) return Error::Malformed;
  const ConstBytes b = option.bytes;
  NdiscPrefixInformation info;
  info.prefix_len = b[2];
  if (info.prefix_len > 128) return Error::Malformed;
  info.on_link = (b[3] & 0x80U) != 0;
  info.autonomous = (b[3] & 0x40U) != 0;
  info.valid_lifetime = load_be32(b, 4);
  info.preferred_lifetime = load_be32(b, 8);
  info.prefix = Ipv6Address::from_bytes(b.subspan(16, 16));
  return info;
}

Result<NdiscRdnss> NdiscRdnss::parse(const NdiscOption& option) {
  const std::size_t units = option.bytes.size() / 8;
  if (units < 3 || units % 2 == 0) return Error::Malformed;
  NdiscRdnss rdnss;
  rdnss.lifetime = load_be32(option.bytes, 4);
  rdnss.addresses = option.bytes.subspan(8);
  return rdnss;
}

Result<NdiscRouteInformation> NdiscRouteInformation::parse(const NdiscOption& option) {
  const std::size_t units = option.bytes.size() / 8;
  if (units < 1 || units > 3) return Error::Malformed;
  const ConstBytes b = option.bytes;
  NdiscRouteInformation route;
  route.prefix_len = b[2];
  if (route.prefix_len > 128) return Error::Malformed;
  // RFC 4191 2.3: length 1 holds no prefix bits, 2 holds 64, 3 all 128.
  if ((units == 1 && route.prefix_len > 0) || (units == 2 && route.prefix_len > 64)) {
    return Error::Malformed;
  }
  route.preference = static_cast<NdiscPreference>((b[3] >> 3) & 0x03U);
  route.lifetime = load_be32(b, 4);
  const std::size_t prefix_bytes = (units - 1) * 8;
  for (std::size_t i = 0; i < prefix_bytes; ++i) route.prefix.octets[i] = b[8 + i];
  // Bits past the prefix length are ignored (RFC 4191 2.3): clear them so
  // that equal routes compare equal.
  for (std::size_t bit = route.prefix_len; bit < 128; ++bit) {
    route.prefix.octets[bit / 8] &= static_cast<std::uint8_t>(~(0x80U >> (bit % 8)));
  }
  return route;
}

Result<Bytes> NdiscOptionWriter::take(std::size_t length) {
  if (area_.size() - at_ < length) return Error::TooBig;
  Bytes out = area_.subspan(at_, length);
  at_ += length;
  zero(out);
  return out;
}

Status NdiscOptionWriter::link_layer_address(NdiscOptionType type, const MacAddress& address) {
  Result<Bytes> out = take(link_layer_address_len);
  if (!out) return out.error();
  (*out)[0] = static_cast<std::uint8_t>(type);
  (*out)[1] = 1;
  address.write(out->subspan(2, 6));
  return {};
}

Status NdiscOptionWriter::mtu(std::uint32_t value) {
  Result<Bytes> out = take(mtu_len);
  if (!out) return out.error();
  (*out)[0] = static_cast<std::uint8_t>(NdiscOptionType::Mtu);
  (*out)[1] = 1;
  store_be32(*out, 4, value);
  return {};
}

Status NdiscOptionWriter::nonce(const NdiscNonce& value) {
  Result<Bytes> out = take(nonce_len);
  if (!out) return out.error();
  (*out)[0] = static_cast<std::uint8_t>(NdiscOptionType::Nonce);
  (*out)[1] = 1;
  std::copy(value.begin(), value.end(), out->begin() + 2);
  return {};
}

Status NdiscOptionWriter::prefix_information(const NdiscPrefixInformation& info) {
  Result<Bytes> out = take(NdiscPrefixInformation::option_len);
  if (!out) return out.error();
  Bytes b = *out;
  b[0] = static_cast<std::uint8_t>(NdiscOptionType::PrefixInformation);
  b[1] = 4;
  b[2] = info.prefix_len;
  b[3] = static_cast<std::uint8_t>((info.on_link ? 0x80U : 0U) | (info.autonomous ? 0x40U : 0U));
  store_be32(b, 4, info.valid_lifetime);
  store_be32(b, 8, info.preferred_lifetime);
  info.prefix.write(b.subspan(16, 16));
  return {};
}

Status NdiscOptionWriter::rdnss(std::uint32_t lifetime, std::span<const Ipv6Address> servers) {
  if (servers.empty() || servers.size() > 127) return Error::InvalidArgument;
  Result<Bytes> out = take(NdiscRdnss::option_len(servers.size()));
  if (!out) return out.error();
  Bytes b = *out;
  b[0] = static_cast<std::uint8_t>(NdiscOptionType::RecursiveDnsServer);
  b[1] = static_cast<std::uint8_t>(1 + 2 * servers.size());
  store_be32(b, 4, lifetime);
  for (std::size_t i = 0; i < servers.size(); ++i) servers[i].write(b.subspan(8 + 16 * i, 16));
  return {};
}

Status NdiscOptionWriter::route_information(const NdiscRouteInformation& route) {
  if (route.prefix_len > 128) return Error::InvalidArgument;
  Result<Bytes> out = take(NdiscRouteInformation::option_len);
  if (!out) return out.error();
  Bytes b = *out;
  b[0] = static_cast<std::uint8_t>(NdiscOptionType::RouteInformation);
  b[1] = 3;
  b[2] = route.prefix_len;
  b[3] = static_cast<std::uint8_t>((static_cast<std::uint8_t>(route.preference) & 0x03U) << 3);
  store_be32(b, 4, route.lifetime);
  route.prefix.write(b.subspan(8, 16));
  return {};
}

std::size_t NdiscRepr::fixed_len(std::uint8_t type) {
  switch (type) {
    case icmpv6_type_value(Icmpv6Type::RouterSolicitation): return 8;
    case icmpv6_type_value(Icmpv6Type::RouterAdvertisement): return 16;
    case icmpv6_type_value(Icmpv6Type::NeighborSolicitation): return 24;
    case icmpv6_type_value(Icmpv6Type::NeighborAdvertisement): return 24;
    case icmpv6_type_value(Icmpv6Type::Redirect): return 40;
    default: return 0;
  }
}

Result<NdiscRepr> NdiscRepr::parse(ConstBytes message, const Ipv6Repr& ip) {
  if (message.empty()) return Error::Truncated;
  NdiscRepr repr;
  repr.type = message[0];
  const std::size_t fixed = fixed_len(repr.type);
  if (fixed == 0) return Error::Unsupported;
  if (message.size() < fixed) return Error::Truncated;
  // The hop limit proves the sender is on the link (RFC 4861 6.1.1 ...).
  if (ip.hop_limit != ndisc_hop_limit || message[1] != 0) return Error::Malformed;
  repr.options = message.subspan(fixed);
  if (Status s = ndisc_check_options(repr.options); !s) return s.error();

  switch (repr.type) {
    case icmpv6_type_value(Icmpv6Type::RouterSolicitation):
      // An RS from :: carries no source link-layer address (6.1.1).
      if (ip.source.is_unspecified() &&
          has_option(repr.options, NdiscOptionType::SourceLinkLayerAddress)) {
        return Error::Malformed;
      }
      break;
    case icmpv6_type_value(Icmpv6Type::RouterAdvertisement):
      if (!ip.source.is_link_local()) return Error::Malformed;
      repr.current_hop_limit = message[4];
      repr.managed = (message[5] & 0x80U) != 0;
      repr.other = (message[5] & 0x40U) != 0;
      repr.router_preference = static_cast<NdiscPreference>((message[5] >> 3) & 0x03U);
      repr.router_lifetime = load_be16(message, 6);
      repr.reachable_time = load_be32(message, 8);
      repr.retrans_timer = load_be32(message, 12);
      break;
    case icmpv6_type_value(Icmpv6Type::NeighborSolicitation):
      repr.target = Ipv6Address::from_bytes(message.subspan(8, 16));
      if (repr.target.is_multicast()) return Error::Malformed;
      // A DAD probe (7.1.1).
      if (ip.source.is_unspecified() &&
          (!is_solicited_node(ip.destination) ||
           has_option(repr.options, NdiscOptionType::SourceLinkLayerAddress))) {
        return Error::Malformed;
      }
      break;
    case icmpv6_type_value(Icmpv6Type::NeighborAdvertisement):
      repr.router = (message[4] & 0x80U) != 0;
      repr.solicited = (message[4] & 0x40U) != 0;
      repr.override = (message[4] & 0x20U) != 0;
      repr.target = Ipv6Address::from_bytes(message.subspan(8, 16));
      if (repr.target.is_multicast()) return Error::Malformed;
      if (repr.solicited && ip.destination.is_multicast()) return Error::Malformed;
      break;
    default:  // Redirect (8.1)
      if (!ip.source.is_link_local()) return Error::Malformed;
      repr.target = Ipv6Address::from_bytes(message.subspan(8, 16));
      repr.destination = Ipv6Address::from_bytes(message.subspan(24, 16));
      if (repr.destination.is_multicast()) return Error::Malformed;
      if (!repr.target.is_link_local() && repr.target != repr.destination) {
        return Error::Malformed;
      }
      break;
  }
  return repr;
}

void NdiscRepr::emit(Bytes message, const Ipv6Address& source,
                     const Ipv6Address& destination_address) const {
  const std::size_t fixed = fixed_len(type);
  zero(message.first(fixed));
  message[0] = type;
  switch (type) {
    case icmpv6_type_value(Icmpv6Type::RouterAdvertisement):
      message[4] = current_hop_limit;
      message[5] = static_cast<std::uint8_t>(
          (managed ? 0x80U : 0U) | (other ? 0x40U : 0U) |
          ((static_cast<std::uint8_t>(router_preference) & 0x03U) << 3));
      store_be16(message, 6, router_lifetime);
      store_be32(message, 8, reachable_time);
      store_be32(message, 12, retrans_timer);
      break;
    case icmpv6_type_value(Icmpv6Type::NeighborSolicitation):
      target.write(message.subspan(8, 16));
      break;
    case icmpv6_type_value(Icmpv6Type::NeighborAdvertisement):
      message[4] = static_cast<std::uint8_t>((router ? 0x80U : 0U) | (solicited ? 0x40U : 0U) |
                                             (override ? 0x20U : 0U));
      target.write(message.subspan(8, 16));
      break;
    case icmpv6_type_value(Icmpv6Type::Redirect):
      target.write(message.subspan(8, 16));
      destination.write(message.subspan(24, 16));
      break;
    default:  // router solicitation: reserved bytes only
      break;
  }
  icmpv6_fill_checksum(message, source, destination_address);
}

}  // namespace lwnet
