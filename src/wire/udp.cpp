#include "wire/udp.h"

#include "wire/ip.h"

namespace lwnet {

Result<UdpRepr> UdpRepr::parse(ConstBytes datagram, const IpAddress& source,
                               const IpAddress& destination, bool verify_checksum) {
  if (datagram.size() < header_len) return Error::Truncated;
  std::size_t length = load_be16(datagram, 4);
  if (length < header_len) return Error::Malformed;
  if (datagram.size() < length) return Error::Truncated;
  const std::uint16_t destination_port = load_be16(datagram, 2);
  if (destination_port == 0) return Error::Malformed;
  std::uint16_t checksum = load_be16(datagram, 6);
  bool over_ipv6 = core_is_v6(source) || core_is_v6(destination);
  // RFC 8200 8.1: IPv6 receivers discard UDP packets with a zero checksum.
  if (checksum == 0 && over_ipv6) return Error::Malformed;
  if (verify_checksum && checksum != 0) {
    Checksum sum = pseudo_header_checksum(source, destination, IpProtocol::Udp,
                                          static_cast<std::uint32_t>(length));
    if (sum.add(datagram.first(length)).folded() != 0xffff) return Error::BadChecksum;
  }
  // Every field given: nothing zeroed first only to be written over.
  return UdpRepr{load_be16(datagram, 0), destination_port, datagram.subspan(header_len, length - header_len)};
}

void UdpRepr::emit(Bytes datagram, const IpAddress& source, const IpAddress& destination,
                   bool with_checksum) const {
  store_be16(datagram, 0, source_port);
  store_be16(datagram, 2, destination_port);
  store_be16(datagram, 4, static_cast<std::uint16_t>(datagram.size()));
  store_be16(datagram, 6, 0);
  if (!with_checksum && !core_is_v6(source) && !core_is_v6(destination)) return;
  Checksum sum = pseudo_header_checksum(source, destination, IpProtocol::Udp,
                                        static_cast<std::uint32_t>(datagram.size()));
  std::uint16_t checksum = sum.add(datagram).finish();
  // A computed zero goes out as its other form, 0xffff: zero means "none".
  store_be16(datagram, 6, checksum == 0 ? 0xffff : checksum);
}

}  // namespace lwnet
