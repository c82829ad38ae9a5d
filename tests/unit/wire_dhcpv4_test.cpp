#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/hex.h"
#include "util/random.h"
#include "wire/dhcpv4.h"

namespace lwnet::wire_dhcpv4_test {
namespace {

using test::hex;

// A real exchange, captured with tcpdump on a veth pair between namespaces:
// dnsmasq 2.90 (--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m, router
// 192.0.2.1, DNS 192.0.2.1 and 192.0.2.3, NTP 192.0.2.4) and busybox 1.35
// udhcpc (-x hostname:lwtest -O ntpsrv) on MAC 02:00:00:00:00:0c.
// BOOTP header (44 bytes), sname and file (192 zero bytes), cookie and options.
std::vector<std::uint8_t> message(std::string_view head, std::string_view tail) {
  std::vector<std::uint8_t> m = hex(head);
  m.resize(m.size() + 192, 0);
  const std::vector<std::uint8_t> t = hex(tail);
  m.insert(m.end(), t.begin(), t.end());
  return m;
}

const std::vector<std::uint8_t> udhcpc_discover = message(
    "01 01 06 00 09 ff e1 3e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00"
    "00 0c 00 00 00 00 00 00 00 00 00 00",
    "63 82 53 63 35 01 01 39 02 02 40 37 07 01 03 06 0c 0f 1c 2a 0c 06 6c 77 74 65 73 74 3c 0c 75 64"
    "68 63 70 20 31 2e 33 35 2e 30 3d 07 01 02 00 00 00 00 0c ff 00 00 00 00 00 00 00 00 00 00 00 00");
const std::vector<std::uint8_t> dnsmasq_offer = message(
    "02 01 06 00 09 ff e1 3e 00 00 00 00 00 00 00 00 c0 00 02 37 c0 00 02 01 00 00 00 00 02 00 00 00"
    "00 0c 00 00 00 00 00 00 00 00 00 00",
    "63 82 53 63 35 01 02 36 04 c0 00 02 01 33 04 00 00 00 78 3a 04 00 00 00 3c 3b 04 00 00 00 69 01"
    "04 ff ff ff 00 1c 04 c0 00 02 ff 2a 04 c0 00 02 04 06 08 c0 00 02 01 c0 00 02 03 03 04 c0 00 02"
    "01 ff");
const std::vector<std::uint8_t> udhcpc_request = message(
    "01 01 06 00 09 ff e1 3e 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00"
    "00 0c 00 00 00 00 00 00 00 00 00 00",
    "63 82 53 63 35 01 03 32 04 c0 00 02 37 36 04 c0 00 02 01 39 02 02 40 37 07 01 03 06 0c 0f 1c 2a"
    "0c 06 6c 77 74 65 73 74 3c 0c 75 64 68 63 70 20 31 2e 33 35 2e 30 3d 07 01 02 00 00 00 00 0c ff");
const std::vector<std::uint8_t> dnsmasq_ack = message(
    "02 01 06 00 09 ff e1 3e 00 03 00 00 00 00 00 00 c0 00 02 37 c0 00 02 01 00 00 00 00 02 00 00 00"
    "00 0c 00 00 00 00 00 00 00 00 00 00",
    "63 82 53 63 35 01 05 36 04 c0 00 02 01 33 04 00 00 00 78 3a 04 00 00 00 3c 3b 04 00 00 00 69 01"
    "04 ff ff ff 00 1c 04 c0 00 02 ff 0c 06 6c 77 74 65 73 74 2a 04 c0 00 02 04 06 08 c0 00 02 01 c0"
    "00 02 03 03 04 c0 00 02 01 ff");

constexpr MacAddress client_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0c}};
constexpr Ipv4Address server = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address leased = Ipv4Address::of(192, 0, 2, 55);

std::string text(ConstBytes b) { return {b.begin(), b.end()}; }

TEST(WireDhcpv4, ParsesUdhcpcDiscover) {
  ASSERT_EQ(udhcpc_discover.size(), 300u);
  auto r = DhcpRepr::parse(udhcpc_discover);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->is_reply);
  EXPECT_EQ(r->xid, 0x09ffe13eU);
  EXPECT_EQ(r->message_type, DhcpMessageType::Discover);
  EXPECT_EQ(r->client_mac, client_mac);
  EXPECT_FALSE(r->broadcast);
  EXPECT_EQ(r->max_message_size, std::optional<std::uint16_t>(576));
  EXPECT_EQ(r->parameter_request_list.size(), 7u);
  EXPECT_EQ(r->parameter_request_list[6], dhcp_option::ntp_server);
  EXPECT_EQ(r->hostname, "lwtest");
  EXPECT_EQ(text(r->vendor_class_id), "udhcp 1.35.0");
  EXPECT_EQ(test::to_hex(r->client_id), test::to_hex(hex("01 02 00 00 00 00 0c")));
  EXPECT_FALSE(r->requested_ip.has_value());
}

TEST(WireDhcpv4, ParsesDnsmasqOfferAndAck) {
  for (const auto* bytes : {&dnsmasq_offer, &dnsmasq_ack}) {
    auto r = DhcpRepr::parse(*bytes);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->is_reply);
    EXPECT_EQ(r->message_type, bytes == &dnsmasq_offer ? DhcpMessageType::Offer : DhcpMessageType::Ack);
    EXPECT_EQ(r->your_ip, leased);
    EXPECT_EQ(r->next_server_ip, server);
    EXPECT_EQ(r->server_identifier, server);
    EXPECT_EQ(r->lease_seconds, 120u);
    EXPECT_EQ(r->renewal_seconds, 60u);
    EXPECT_EQ(r->rebinding_seconds, 105u);
    EXPECT_EQ(r->subnet_mask, Ipv4Address::of(255, 255, 255, 0));
    EXPECT_EQ(r->broadcast_address, Ipv4Address::of(192, 0, 2, 255));
    ASSERT_EQ(r->routers.size, 1u);
    EXPECT_EQ(r->routers.front(), server);
    ASSERT_EQ(r->dns_servers.size, 2u);
    EXPECT_EQ(r->dns_servers.items[1], Ipv4Address::of(192, 0, 2, 3));
    ASSERT_EQ(r->ntp_servers.size, 1u);
    EXPECT_EQ(r->ntp_servers.front(), Ipv4Address::of(192, 0, 2, 4));
  }
  auto ack = DhcpRepr::parse(dnsmasq_ack);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->hostname, "lwtest");
}

// The server's replies, built field by field, come out as dnsmasq's bytes.
TEST(WireDhcpv4, EmitsDnsmasqOfferAndAckByteForByte) {
  DhcpRepr r;
  r.is_reply = true;
  r.xid = 0x09ffe13e;
  r.your_ip = leased;
  r.next_server_ip = server;
  r.client_mac = client_mac;
  r.message_type = DhcpMessageType::Offer;
  r.server_identifier = server;
  r.lease_seconds = 120;
  r.renewal_seconds = 60;
  r.rebinding_seconds = 105;
  r.subnet_mask = Ipv4Address::of(255, 255, 255, 0);
  r.broadcast_address = Ipv4Address::of(192, 0, 2, 255);
  r.ntp_servers.push(Ipv4Address::of(192, 0, 2, 4));
  r.dns_servers.push(server);
  r.dns_servers.push(Ipv4Address::of(192, 0, 2, 3));
  r.routers.push(server);
  std::vector<std::uint8_t> out(r.buffer_len());
  r.emit(out);
  EXPECT_EQ(test::to_hex(out), test::to_hex(dnsmasq_offer));

  r.message_type = DhcpMessageType::Ack;
  r.secs = 3;
  r.hostname = "lwtest";
  out.assign(r.buffer_len(), 0xaa);
  r.emit(out);
  EXPECT_EQ(test::to_hex(out), test::to_hex(dnsmasq_ack));
}

// A client's REQUEST in lwnet's option order, padded to 300 bytes.
TEST(WireDhcpv4, EmitsRequestPaddedTo300Bytes) {
  const std::uint8_t client_id[] = {0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};
  const std::uint8_t wanted[] = {1, 3, 6, 42};
  DhcpRepr r;
  r.xid = 0x01020304;
  r.broadcast = true;
  r.client_mac = client_mac;
  r.message_type = DhcpMessageType::Request;
  r.client_id = client_id;
  r.requested_ip = leased;
  r.server_identifier = server;
  r.hostname = "espressif";
  r.max_message_size = 1500;
  r.parameter_request_list = wanted;
  ASSERT_EQ(r.buffer_len(), 300u);
  std::vector<std::uint8_t> out(300, 0xaa);
  r.emit(out);
  const std::vector<std::uint8_t> expected = message(
      "01 01 06 00 01 02 03 04 00 00 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00"
      "00 0c 00 00 00 00 00 00 00 00 00 00",
      "63 82 53 63 35 01 03 3d 07 01 02 00 00 00 00 0c 32 04 c0 00 02 37 36 04 c0 00 02 01 0c 09 65 73"
      "70 72 65 73 73 69 66 39 02 05 dc 37 04 01 03 06 2a ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(test::to_hex(out), test::to_hex(expected));
  auto back = DhcpRepr::parse(out);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->broadcast);
  EXPECT_EQ(back->hostname, "espressif");
  EXPECT_EQ(back->requested_ip, leased);
}

TEST(WireDhcpv4, FollowsOverloadIntoFileAndSname) {
  std::vector<std::uint8_t> m = dnsmasq_offer;
  // Main area: type, overload 3, end. file: lease time, end. sname: router, end.
  std::vector<std::uint8_t> main_area = hex("63 82 53 63 35 01 02 34 01 03 ff");
  m.resize(236);
  m.insert(m.end(), main_area.begin(), main_area.end());
  const std::vector<std::uint8_t> file = hex("33 04 00 00 0e 10 ff");
  std::copy(file.begin(), file.end(), m.begin() + 108);
  const std::vector<std::uint8_t> sname = hex("00 03 04 c0 00 02 fe ff");
  std::copy(sname.begin(), sname.end(), m.begin() + 44);
  auto r = DhcpRepr::parse(m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lease_seconds, 3600u);
  ASSERT_EQ(r->routers.size, 1u);
  EXPECT_EQ(r->routers.front(), Ipv4Address::of(192, 0, 2, 254));
  // The overloaded file field without its own end option.
  m[108 + 6] = 0;
  EXPECT_EQ(DhcpRepr::parse(m).error(), Error::Malformed);
}

TEST(WireDhcpv4, RejectsMalformedMessages) {
  EXPECT_EQ(DhcpRepr::parse(ConstBytes(dnsmasq_ack).first(239)).error(), Error::Truncated);
  auto broken = [](std::size_t at, std::uint8_t value) {
    std::vector<std::uint8_t> m = dnsmasq_ack;
    m[at] = value;
    return DhcpRepr::parse(m);
  };
  EXPECT_EQ(broken(0, 3).error(), Error::Malformed);    // op
  EXPECT_EQ(broken(1, 6).error(), Error::Malformed);    // htype
  EXPECT_EQ(broken(2, 16).error(), Error::Malformed);   // hlen
  EXPECT_EQ(broken(236, 0x64).error(), Error::Malformed);  // cookie
  EXPECT_EQ(broken(242, 9).error(), Error::Unsupported);   // message type 9
  EXPECT_EQ(broken(241, 2).error(), Error::Malformed);     // type option of length 2
  EXPECT_EQ(broken(244, 5).error(), Error::Malformed);     // server id of length 5
  // The last option's length runs past the end of the message.
  std::vector<std::uint8_t> past = dnsmasq_ack;
  past.pop_back();            // end
  past.back() = 0x01;
  past[past.size() - 5] = 9;  // router option says 9 bytes, 4 follow
  EXPECT_EQ(DhcpRepr::parse(past).error(), Error::Malformed);
  // No end option.
  std::vector<std::uint8_t> no_end = dnsmasq_ack;
  no_end.pop_back();
  EXPECT_EQ(DhcpRepr::parse(no_end).error(), Error::Malformed);
  // A bad overload value.
  std::vector<std::uint8_t> overload = dnsmasq_ack;
  overload.insert(overload.end() - 1, {0x34, 0x01, 0x07});
  EXPECT_EQ(DhcpRepr::parse(overload).error(), Error::Malformed);
}

// Random damage to real messages: every outcome is a clean result.
TEST(WireDhcpv4, SurvivesRandomDamage) {
  Random random(7);
  std::size_t parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::uint8_t> m = (round % 2 == 0) ? dnsmasq_ack : udhcpc_request;
    const std::uint32_t flips = 1 + random.below(8);
    for (std::uint32_t i = 0; i < flips; ++i) {
      const std::uint32_t at = 236 + random.below(static_cast<std::uint32_t>(m.size() - 236));
      m[at] = static_cast<std::uint8_t>(random.next_u32());
    }
    m.resize(240 + random.below(static_cast<std::uint32_t>(m.size() - 239)));
    auto r = DhcpRepr::parse(m);
    if (r.ok()) {
      ++parsed;
      std::vector<std::uint8_t> out(r->buffer_len());
      r->emit(out);
      EXPECT_TRUE(DhcpRepr::parse(out).ok());
    }
  }
  EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace lwnet::wire_dhcpv4_test
