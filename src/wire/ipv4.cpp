#include "wire/ipv4.h"

#include "util/checksum.h"

namespace lwnet {

namespace {

constexpr std::uint8_t option_end = 0;
constexpr std::uint8_t option_nop = 1;
// Copied flag set, class 0, number 20 (RFC 2113 2.1).
constexpr std::uint8_t option_router_alert = 0x94;
constexpr std::uint16_t flag_dont_fragment = 0x4000;
constexpr std::uint16_t flag_more_fragments = 0x2000;
constexpr std::uint16_t fragment_offset_mask = 0x1fff;
constexpr std::size_t max_datagram_len = 65535;

// Walks the options to prove each one fits inside the header (RFC 791:
// single-byte END and NOP; every other option has a length byte >= 2), and
// notes a Router Alert.
Status check_options(ConstBytes options, bool& router_alert) {
  std::size_t i = 0;
  while (i < options.size()) {
    std::uint8_t kind = options[i];
    if (kind == option_end) break;
    if (kind == option_nop) {
      ++i;
      continue;
    }
    if (i + 1 >= options.size()) return Error::Malformed;
    std::size_t length = options[i + 1];
    if (length < 2 || length > options.size() - i) return Error::Malformed;
    if (kind == option_router_alert && length == 4) router_alert = true;
    i += length;
  }
  return {};
}

}  // namespace

Result<Ipv4Repr> Ipv4Repr::parse(ConstBytes packet, bool verify_checksum) {
  if (packet.size() < min_header_len) return Error::Truncated;
  if ((packet[0] >> 4) != 4) return Error::Unsupported;
  std::size_t header_len = std::size_t{packet[0] & 0x0fU} * 4;
  if (header_len < min_header_len) return Error::Malformed;
  if (packet.size() < header_len) return Error::Truncated;
  std::size_t total_len = load_be16(packet, 2);
  if (total_len < header_len) return Error::Malformed;
  if (packet.size() < total_len) return Error::Truncated;
  if (verify_checksum && Checksum{}.add(packet.first(header_len)).folded() != 0xffff) {
    return Error::BadChecksum;
  }
  bool router_alert = false;
  if (Status s = check_options(packet.subspan(min_header_len, header_len - min_header_len), router_alert);
      !s) {
    return s.error();
  }
  const std::uint16_t flags_offset = load_be16(packet, 6);
  const auto fragment_offset = static_cast<std::uint16_t>((flags_offset & fragment_offset_mask) * 8U);
  const ConstBytes payload = packet.subspan(header_len, total_len - header_len);
  // A fragment whose data would end past the largest datagram cannot be
  // reassembled (the "ping of death").
  if (std::size_t{fragment_offset} + payload.size() + min_header_len > max_datagram_len) {
    return Error::Malformed;
  }
  return Result<Ipv4Repr>::filled([&](Ipv4Repr& repr) {
    repr.tos = packet[1];
    repr.identification = load_be16(packet, 4);
    repr.dont_fragment = (flags_offset & flag_dont_fragment) != 0;
    repr.more_fragments = (flags_offset & flag_more_fragments) != 0;
    repr.fragment_offset = fragment_offset;
    repr.ttl = packet[8];
    repr.protocol = packet[9];
    repr.source = Ipv4Address::from_bytes(packet.subspan(12, 4));
    repr.destination = Ipv4Address::from_bytes(packet.subspan(16, 4));
    repr.header_len = header_len;
    repr.router_alert = router_alert;
    repr.payload = payload;
    repr.payload_len = payload.size();
  });
}

void Ipv4Repr::emit(Bytes packet) const {
  const std::size_t length = emitted_header_len();
  packet[0] = static_cast<std::uint8_t>(0x40U | (length / 4));
  packet[1] = tos;
  store_be16(packet, 2, static_cast<std::uint16_t>(length + payload_len));
  store_be16(packet, 4, identification);
  auto flags_offset = static_cast<std::uint16_t>((fragment_offset / 8U) & fragment_offset_mask);
  if (dont_fragment) flags_offset |= flag_dont_fragment;
  if (more_fragments) flags_offset |= flag_more_fragments;
  store_be16(packet, 6, flags_offset);
  packet[8] = ttl;
  packet[9] = protocol;
  store_be16(packet, 10, 0);
  source.write(packet.subspan(12, 4));
  destination.write(packet.subspan(16, 4));
  if (router_alert) {
    packet[20] = option_router_alert;
    packet[21] = 4;
    store_be16(packet, 22, 0);  // every router examines the packet
  }
  store_be16(packet, 10, internet_checksum(packet.first(length)));
}

}  // namespace lwnet
