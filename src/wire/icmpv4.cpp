#include "wire/icmpv4.h"

#include "util/checksum.h"

namespace lwnet {

namespace {
bool is_echo(std::uint8_t type) {
  return type == static_cast<std::uint8_t>(Icmpv4Type::EchoRequest) ||
         type == static_cast<std::uint8_t>(Icmpv4Type::EchoReply);
}
bool is_fragmentation_needed(std::uint8_t type, std::uint8_t code) {
  return type == static_cast<std::uint8_t>(Icmpv4Type::DestinationUnreachable) &&
         code == static_cast<std::uint8_t>(Icmpv4Unreachable::FragmentationNeeded);
}
}  // namespace

Result<Icmpv4Repr> Icmpv4Repr::parse(ConstBytes message, bool verify_checksum) {
  if (message.size() < header_len) return Error::Truncated;
  if (verify_checksum && Checksum{}.add(message).folded() != 0xffff) return Error::BadChecksum;
  Icmpv4Repr repr;
  repr.type = message[0];
  repr.code = message[1];
  if (is_echo(repr.type)) {
    repr.identifier = load_be16(message, 4);
    repr.sequence = load_be16(message, 6);
  } else if (is_fragmentation_needed(repr.type, repr.code)) {
    repr.next_hop_mtu = load_be16(message, 6);
  }
  repr.data = message.subspan(header_len);
  return repr;
}

void Icmpv4Repr::emit(Bytes message) const {
  message[0] = type;
  message[1] = code;
  store_be16(message, 2, 0);
  // The second word: identifier and sequence for echo, the next-hop MTU for
  // "fragmentation needed" (RFC 1191), unused (zero) for the other errors.
  if (is_echo(type)) {
    store_be16(message, 4, identifier);
    store_be16(message, 6, sequence);
  } else {
    store_be16(message, 4, 0);
    store_be16(message, 6, is_fragmentation_needed(type, code) ? next_hop_mtu : 0);
  }
  store_be16(message, 2, internet_checksum(message));
}

}  // namespace lwnet
