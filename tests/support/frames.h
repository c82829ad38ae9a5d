// Builders for the frames tests inject (through a PipePair end that no stack
// owns) and small readers for the frames they capture. They emit through the
// wire layer's Reprs, so the stack under test and the test share no code
// beyond the header formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "link/device.h"
#include "time/instant.h"
#include "util/bytes.h"
#include "wire/address.h"
#include "wire/arp.h"
#include "wire/ipv4.h"

namespace lwnet::test {

using ByteVector = std::vector<std::uint8_t>;

// The EtherTypes the tests build and look for.
inline constexpr std::uint16_t ipv4_type = 0x0800;
inline constexpr std::uint16_t arp_type = 0x0806;
inline constexpr std::uint16_t ipv6_type = 0x86dd;

// n bytes 0, 1, 2, ... (mod 251, so no run lines up with 256-byte blocks),
// shifted by `seed`.
ByteVector pattern(std::size_t n, std::uint8_t seed = 0);

ByteVector ethernet_frame(const MacAddress& destination, const MacAddress& source,
                          std::uint16_t ethertype, ConstBytes payload);
ByteVector arp_packet(ArpOperation operation, const MacAddress& sender_mac, Ipv4Address sender_ip,
                      const MacAddress& target_mac, Ipv4Address target_ip);
// `header` gives the fields (payload_len is set from `payload`).
ByteVector ipv4_packet(Ipv4Repr header, ConstBytes payload);
// An Ethernet frame with an IPv6 packet (no extension header) around
// `payload`.
ByteVector ipv6_frame(const MacAddress& destination_mac, const MacAddress& source_mac, const Ipv6Address& source,
                      const Ipv6Address& destination, std::uint8_t next_header, std::uint8_t hop_limit,
                      ConstBytes payload);
// A UDP datagram (header + payload) with its checksum.
ByteVector udp_datagram(Ipv4Address source, Ipv4Address destination, std::uint16_t source_port,
                        std::uint16_t destination_port, ConstBytes payload);

// Every frame `device` has for `now` (a pipe end no stack polls).
std::vector<ByteVector> drain(Device& device, Instant now);

// Field readers for captured Ethernet + IPv4 frames (offsets of a 20-byte
// IPv4 header behind a 14-byte Ethernet header).
std::uint16_t frame_ethertype(const ByteVector& frame);
std::uint8_t frame_ip_protocol(const ByteVector& frame);
std::uint8_t frame_ip_ttl(const ByteVector& frame);
Ipv4Address frame_ip_source(const ByteVector& frame);
Ipv4Address frame_ip_destination(const ByteVector& frame);
std::uint16_t frame_ip_fragment_word(const ByteVector& frame);  // flags + offset/8
MacAddress frame_destination_mac(const ByteVector& frame);

}  // namespace lwnet::test
