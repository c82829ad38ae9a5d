#include "wire/icmpv6.h"

#include <algorithm>

#include "wire/ipv6.h"

namespace lwnet {

namespace {

Checksum message_sum(ConstBytes message, const Ipv6Address& source,
                     const Ipv6Address& destination) {
  return ipv6_pseudo_header_checksum(source, destination, ipv6_next_header::icmpv6,
                                     static_cast<std::uint32_t>(message.size()))
      .add(message);
}

bool is_icmpv6_echo(std::uint8_t type) {
  return type == icmpv6_type_value(Icmpv6Type::EchoRequest) ||
         type == icmpv6_type_value(Icmpv6Type::EchoReply);
}

}  // namespace

void icmpv6_fill_checksum(Bytes message, const Ipv6Address& source,
                          const Ipv6Address& destination) {
  store_be16(message, 2, 0);
  store_be16(message, 2, message_sum(message, source, destination).finish());
}

bool icmpv6_checksum_ok(ConstBytes message, const Ipv6Address& source,
                        const Ipv6Address& destination) {
  return message_sum(message, source, destination).folded() == 0xffff;
}

Result<Icmpv6Repr> Icmpv6Repr::parse(ConstBytes message, const Ipv6Address& source,
                                     const Ipv6Address& destination, bool verify_checksum) {
  if (message.size() < header_len) return Error::Truncated;
  if (verify_checksum && !icmpv6_checksum_ok(message, source, destination)) {
    return Error::BadChecksum;
  }
  Icmpv6Repr repr;
  repr.type = message[0];
  repr.code = message[1];
  if (is_icmpv6_echo(repr.type)) {
    repr.identifier = load_be16(message, 4);
    repr.sequence = load_be16(message, 6);
  } else if (repr.type == static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig)) {
    repr.mtu = load_be32(message, 4);
  } else if (repr.type == static_cast<std::uint8_t>(Icmpv6Type::ParameterProblem)) {
    repr.pointer = load_be32(message, 4);
  }
  repr.data = message.subspan(header_len);
  repr.whole_message = message;
  return repr;
}

void Icmpv6Repr::emit(Bytes message, const Ipv6Address& source,
                      const Ipv6Address& destination) const {
  message[0] = type;
  message[1] = code;
  store_be16(message, 2, 0);
  std::uint32_t rest = 0;  // unused by the other types: zero (RFC 4443 3.1, 3.3)
  if (is_icmpv6_echo(type)) {
    rest = (std::uint32_t{identifier} << 16) | sequence;
  } else if (type == static_cast<std::uint8_t>(Icmpv6Type::PacketTooBig)) {
    rest = mtu;
  } else if (type == static_cast<std::uint8_t>(Icmpv6Type::ParameterProblem)) {
    rest = pointer;
  }
  store_be32(message, 4, rest);
  icmpv6_fill_checksum(message, source, destination);
}

Result<std::size_t> Icmpv6Repr::emit_error(Bytes message, ConstBytes offending_packet,
                                           const Ipv6Address& source,
                                           const Ipv6Address& destination) const {
  if (!icmpv6_is_error(type)) return Error::InvalidArgument;
  const std::size_t length = error_len(offending_packet.size());
  if (message.size() < length) return Error::TooBig;
  const ConstBytes quote = offending_packet.first(length - header_len);
  if (quote.data() != message.data() + header_len) {  // not already in place
    std::copy(quote.begin(), quote.end(), message.begin() + header_len);
  }
  emit(message.first(length), source, destination);
  return length;
}

}  // namespace lwnet
