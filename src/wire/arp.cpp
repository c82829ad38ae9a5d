#include "wire/arp.h"

namespace lwnet {

namespace {
constexpr std::uint16_t hardware_ethernet = 1;
constexpr std::uint16_t protocol_ipv4 = 0x0800;
constexpr std::size_t fixed_part_len = 8;  // up to and including the operation
}  // namespace

Result<ArpRepr> ArpRepr::parse(ConstBytes packet) {
  // The fixed part says which address sizes follow: a packet for another
  // hardware type is Unsupported even when it is shorter than ours.
  if (packet.size() < fixed_part_len) return Error::Truncated;
  if (load_be16(packet, 0) != hardware_ethernet || load_be16(packet, 2) != protocol_ipv4 ||
      packet[4] != 6 || packet[5] != 4) {
    return Error::Unsupported;
  }
  if (packet.size() < packet_len) return Error::Truncated;
  std::uint16_t operation = load_be16(packet, 6);
  if (operation != static_cast<std::uint16_t>(ArpOperation::Request) &&
      operation != static_cast<std::uint16_t>(ArpOperation::Reply)) {
    return Error::Malformed;
  }
  // Filled where the caller receives it: no ArpRepr built aside and copied.
  return Result<ArpRepr>::filled([&](ArpRepr& repr) {
    repr.operation = static_cast<ArpOperation>(operation);
    repr.sender_mac = MacAddress::from_bytes(packet.subspan(8, 6));
    repr.sender_ip = Ipv4Address::from_bytes(packet.subspan(14, 4));
    repr.target_mac = MacAddress::from_bytes(packet.subspan(18, 6));
    repr.target_ip = Ipv4Address::from_bytes(packet.subspan(24, 4));
  });
}

void ArpRepr::emit(Bytes packet) const {
  store_be16(packet, 0, hardware_ethernet);
  store_be16(packet, 2, protocol_ipv4);
  packet[4] = 6;
  packet[5] = 4;
  store_be16(packet, 6, static_cast<std::uint16_t>(operation));
  sender_mac.write(packet.subspan(8, 6));
  sender_ip.write(packet.subspan(14, 4));
  target_mac.write(packet.subspan(18, 6));
  target_ip.write(packet.subspan(24, 4));
}

}  // namespace lwnet
