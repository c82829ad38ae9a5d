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
  const std::uint8_t type = message[0];
  const std::uint8_t code = message[1];
  const bool echo = is_echo(type);
  // Every field given: nothing zeroed first only to be written over.
  return Icmpv4Repr{type,
                    code,
                    echo ? load_be16(message, 4) : std::uint16_t{0},
                    echo ? load_be16(message, 6) : std::uint16_t{0},
                    is_fragmentation_needed(type, code) ? load_be16(message, 6) : std::uint16_t{0},
                    message.subspan(header_len)};
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
