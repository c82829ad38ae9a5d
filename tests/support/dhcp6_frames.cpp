#include "support/dhcp6_frames.h"

#include <gtest/gtest.h>

#include "support/hex.h"
#include "support/status.h"
#include "wire/ip.h"
#include "wire/ipv6.h"
#include "wire/ndisc.h"
#include "wire/udp.h"

namespace lwnet::test {

ByteVector router_advertisement_frame(const MacAddress& router_mac, const Ipv6Address& router,
                                      bool managed, bool other) {
  const Ipv6Address all_nodes = parse_ip_address("ff02::1")->v6();
  constexpr MacAddress all_nodes_mac{{0x33, 0x33, 0, 0, 0, 1}};
  NdiscRepr r;
  r.type = static_cast<std::uint8_t>(Icmpv6Type::RouterAdvertisement);
  r.managed = managed;
  r.other = other;
  r.router_lifetime = 1800;
  const std::size_t fixed = NdiscRepr::fixed_len(r.type);
  ByteVector message(fixed + NdiscOptionWriter::link_layer_address_len);
  NdiscOptionWriter writer(Bytes(message).subspan(fixed));
  EXPECT_OK(writer.link_layer_address(NdiscOptionType::SourceLinkLayerAddress, router_mac));
  message.resize(fixed + writer.written());
  r.emit(message, router, all_nodes);
  return ipv6_frame(all_nodes_mac, router_mac, router, all_nodes, ipv6_next_header::icmpv6, 255, message);
}

ByteVector dhcpv6_reply_frame(const MacAddress& server_mac, const Ipv6Address& server,
                              const MacAddress& client_mac, const Ipv6Address& client, ConstBytes message) {
  ByteVector datagram(UdpRepr::header_len);
  datagram.insert(datagram.end(), message.begin(), message.end());
  UdpRepr udp;
  udp.source_port = dhcpv6_server_port;
  udp.destination_port = dhcpv6_client_port;
  udp.emit(datagram, IpAddress(server), IpAddress(client), true);
  return ipv6_frame(client_mac, server_mac, server, client, static_cast<std::uint8_t>(IpProtocol::Udp), 64,
                    datagram);
}

std::optional<Dhcpv6Sent> dhcpv6_sent_of(const ByteVector& frame) {
  if (frame.size() < 14 + Ipv6Repr::header_len || frame_ethertype(frame) != ipv6_type) return std::nullopt;
  const Result<Ipv6Repr> ip = Ipv6Repr::parse(ConstBytes(frame).subspan(14));
  if (!ip || ip->next_header != static_cast<std::uint8_t>(IpProtocol::Udp)) return std::nullopt;
  const Result<UdpRepr> udp = UdpRepr::parse(ip->payload, IpAddress(ip->source), IpAddress(ip->destination), true);
  EXPECT_TRUE(udp.ok()) << "a UDP datagram with a bad checksum";
  if (!udp || udp->destination_port != dhcpv6_server_port) return std::nullopt;
  Dhcpv6Sent s;
  s.source = ip->source;
  s.destination = ip->destination;
  s.destination_mac = frame_destination_mac(frame);
  s.hop_limit = ip->hop_limit;
  s.source_port = udp->source_port;
  s.destination_port = udp->destination_port;
  s.message.assign(udp->payload.begin(), udp->payload.end());
  const Result<Dhcpv6Repr> parsed = Dhcpv6Repr::parse(s.message);
  EXPECT_TRUE(parsed.ok()) << "a DHCPv6 message that does not parse";
  if (!parsed) return std::nullopt;
  s.transaction_id = parsed->transaction_id;
  s.elapsed = parsed->elapsed_time;
  s.client_id.assign(parsed->client_id.begin(), parsed->client_id.end());
  return s;
}

ByteVector dhcpv6_reply_message(const Dhcpv6Sent& request, const Dhcpv6ReplyContent& content) {
  // The server's DUID-LL.
  const ByteVector server_duid = hex("00 03 00 01 02 00 00 00 00 ee");
  ByteVector message(512);
  Dhcpv6Writer writer(message, Dhcpv6MessageType::Reply, content.transaction_id.value_or(request.transaction_id));
  if (content.server_id) {
    EXPECT_OK(writer.server_id(server_duid));
  }
  if (content.client_id) {
    EXPECT_OK(writer.client_id(content.client_duid.value_or(request.client_id)));
  }
  if (content.status) {
    EXPECT_OK(writer.status_code(*content.status, "no"));
  }
  if (!content.dns.empty()) {
    EXPECT_OK(writer.addresses(Dhcpv6OptionCode::DnsServers, content.dns));
  }
  if (!content.sntp.empty()) {
    EXPECT_OK(writer.addresses(Dhcpv6OptionCode::SntpServers, content.sntp));
  }
  if (!content.ntp.empty()) {
    EXPECT_OK(writer.ntp_server_addresses(content.ntp));
  }
  if (content.refresh) {
    EXPECT_OK(writer.information_refresh_time(*content.refresh));
  }
  message.resize(writer.written());
  return message;
}

}  // namespace lwnet::test
