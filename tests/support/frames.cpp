#include "support/frames.h"

#include <algorithm>

#include "wire/ethernet.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

namespace lwnet::test {

ByteVector pattern(std::size_t n, std::uint8_t seed) {
  ByteVector out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((i + seed) % 251);
  return out;
}

ByteVector ethernet_frame(const MacAddress& destination, const MacAddress& source,
                          std::uint16_t ethertype, ConstBytes payload) {
  ByteVector out(EthernetRepr::header_len + payload.size());
  EthernetRepr eth;
  eth.destination = destination;
  eth.source = source;
  eth.ethertype = ethertype;
  eth.emit(out);
  std::copy(payload.begin(), payload.end(), out.begin() + EthernetRepr::header_len);
  return out;
}

ByteVector arp_packet(ArpOperation operation, const MacAddress& sender_mac, Ipv4Address sender_ip,
                      const MacAddress& target_mac, Ipv4Address target_ip) {
  ByteVector out(ArpRepr::packet_len);
  ArpRepr arp;
  arp.operation = operation;
  arp.sender_mac = sender_mac;
  arp.sender_ip = sender_ip;
  arp.target_mac = target_mac;
  arp.target_ip = target_ip;
  arp.emit(out);
  return out;
}

ByteVector ipv4_packet(Ipv4Repr header, ConstBytes payload) {
  const std::size_t header_len = header.emitted_header_len();
  ByteVector out(header_len + payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(header_len));
  header.payload_len = payload.size();
  header.emit(out);
  return out;
}

ByteVector ipv6_frame(const MacAddress& destination_mac, const MacAddress& source_mac, const Ipv6Address& source,
                      const Ipv6Address& destination, std::uint8_t next_header, std::uint8_t hop_limit,
                      ConstBytes payload) {
  Ipv6Repr ip;
  ip.source = source;
  ip.destination = destination;
  ip.next_header = next_header;
  ip.hop_limit = hop_limit;
  ip.payload_len = payload.size();
  ByteVector packet(Ipv6Repr::header_len);
  ip.emit(packet);
  packet.insert(packet.end(), payload.begin(), payload.end());
  return ethernet_frame(destination_mac, source_mac, ipv6_type, packet);
}

ByteVector udp_datagram(Ipv4Address source, Ipv4Address destination, std::uint16_t source_port,
                        std::uint16_t destination_port, ConstBytes payload) {
  ByteVector out(UdpRepr::header_len + payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + UdpRepr::header_len);
  UdpRepr udp;
  udp.source_port = source_port;
  udp.destination_port = destination_port;
  udp.emit(out, source, destination, true);
  return out;
}

std::vector<ByteVector> drain(Device& device, Instant now) {
  std::vector<ByteVector> frames;
  ByteVector buffer(2048);
  while (std::optional<std::size_t> n = device.receive(buffer, now)) {
    frames.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
  }
  return frames;
}

std::uint16_t frame_ethertype(const ByteVector& frame) { return load_be16(frame, 12); }
std::uint8_t frame_ip_protocol(const ByteVector& frame) { return frame.at(14 + 9); }
std::uint8_t frame_ip_ttl(const ByteVector& frame) { return frame.at(14 + 8); }
Ipv4Address frame_ip_source(const ByteVector& frame) { return {load_be32(frame, 14 + 12)}; }
Ipv4Address frame_ip_destination(const ByteVector& frame) { return {load_be32(frame, 14 + 16)}; }
std::uint16_t frame_ip_fragment_word(const ByteVector& frame) { return load_be16(frame, 14 + 6); }
MacAddress frame_destination_mac(const ByteVector& frame) { return MacAddress::from_bytes(frame); }

}  // namespace lwnet::test
