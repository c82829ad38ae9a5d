// DHCPv6 for a stateless client (RFC 8415): the Information-request of ISC
// dhclient (`dhclient -6 -S`) and the Replies of dnsmasq (stateless,
// with DNS, domain search, SNTP and NTP server options), captured in
// network namespaces. Each is parsed, rebuilt option by option through the
// writer byte for byte, and malformed variants refused.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "support/hex.h"
#include "wire/dhcpv6.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

namespace lwnet::wire_dhcpv6_test {
namespace {

using test::hex;

Ipv6Address address(std::string_view text) { return parse_ip_address(text)->v6(); }

const std::vector<std::uint8_t> dhclient_information_request = hex(
    "60 08 a6 24 00 2c 11 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 04 0a ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 02 02 22 02 23 00 2c 00 ce "
    "0b 7b 23 c6 00 01 00 0a 00 03 00 01 02 00 00 00 "
    "04 0a 00 06 00 08 00 17 00 18 00 27 00 1f 00 08 "
    "00 02 00 00");
const std::vector<std::uint8_t> dnsmasq_reply_to_dhclient = hex(
    "6c 0c a7 66 00 8e 11 40 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 04 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 04 0a 02 23 02 22 00 8e 03 ac "
    "07 7b 23 c6 00 01 00 0a 00 03 00 01 02 00 00 00 "
    "04 0a 00 02 00 0e 00 01 00 01 32 a5 4f 84 02 00 "
    "00 00 03 01 00 1f 00 10 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 01 23 00 18 00 1e 07 65 78 61 "
    "6d 70 6c 65 03 63 6f 6d 00 03 6c 61 62 07 65 78 "
    "61 6d 70 6c 65 03 6f 72 67 00 00 17 00 20 20 01 "
    "0d b8 00 01 00 00 00 00 00 00 00 00 00 53 20 01 "
    "0d b8 00 01 00 00 00 00 00 00 00 00 00 54 00 20 "
    "00 04 00 01 51 80");
const std::vector<std::uint8_t> dnsmasq_reply_with_ntp = hex(
    "6c 03 c6 22 00 a6 11 40 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a 02 23 02 22 00 a6 01 c4 "
    "07 5a 1b 2c 00 01 00 0a 00 03 00 01 02 00 00 00 "
    "03 0a 00 02 00 0e 00 01 00 01 32 a5 4f 84 02 00 "
    "00 00 03 01 00 20 00 04 00 00 0e 10 00 38 00 14 "
    "00 01 00 10 20 01 0d b8 00 01 00 00 00 00 00 00 "
    "00 00 01 24 00 1f 00 10 20 01 0d b8 00 01 00 00 "
    "00 00 00 00 00 00 01 23 00 18 00 1e 07 65 78 61 "
    "6d 70 6c 65 03 63 6f 6d 00 03 6c 61 62 07 65 78 "
    "61 6d 70 6c 65 03 6f 72 67 00 00 17 00 20 20 01 "
    "0d b8 00 01 00 00 00 00 00 00 00 00 00 53 20 01 "
    "0d b8 00 01 00 00 00 00 00 00 00 00 00 54");

// The DHCPv6 message of a captured frame. Its UDP checksum is not checked:
// veth hands UDP to the capture with checksum offload pending (tcpdump
// shows "bad udp cksum"), so the captured field holds only a partial sum.
std::vector<std::uint8_t> message_of(const std::vector<std::uint8_t>& frame) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(frame);
  EXPECT_TRUE(ip.ok());
  if (!ip.ok()) return {};
  EXPECT_EQ(ip->next_header, 17);
  Result<UdpRepr> udp = UdpRepr::parse(ip->payload, ip->source, ip->destination, false);
  EXPECT_TRUE(udp.ok());
  if (!udp.ok()) return {};
  return {udp->payload.begin(), udp->payload.end()};
}

std::vector<std::string> domains_of(const Dhcpv6Repr& repr) {
  std::vector<std::string> out;
  std::array<char, 254> buffer{};
  Dhcpv6DomainIterator it(repr.domain_list);
  while (std::optional<std::string_view> name = it.next(buffer)) out.emplace_back(*name);
  return out;
}

TEST(WireDhcpv6, InformationRequestFromDhclient) {
  const std::vector<std::uint8_t> message = message_of(dhclient_information_request);
  Result<Dhcpv6Repr> r = Dhcpv6Repr::parse(message);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message_type, static_cast<std::uint8_t>(Dhcpv6MessageType::InformationRequest));
  EXPECT_EQ(r->transaction_id, 0x7b23c6U);
  Result<Dhcpv6Duid> duid = Dhcpv6Duid::parse(r->client_id);
  ASSERT_TRUE(duid.ok());
  EXPECT_EQ(duid->type, static_cast<std::uint16_t>(DuidType::LinkLayer));
  EXPECT_EQ(duid->hardware_type, 1);
  EXPECT_EQ(duid->link_layer_address, (MacAddress{{0x02, 0, 0, 0, 0x04, 0x0a}}));
  EXPECT_TRUE(r->server_id.empty());
  ASSERT_EQ(r->option_request.size(), 8U);
  EXPECT_EQ(load_be16(r->option_request, 0), 23);
  EXPECT_EQ(load_be16(r->option_request, 6), 31);
  EXPECT_EQ(r->elapsed_time, std::optional<std::uint16_t>{0});

  std::vector<std::uint8_t> out(message.size() + 10, 0xaa);
  Dhcpv6Writer writer(out, Dhcpv6MessageType::InformationRequest, 0x7b23c6);
  std::array<std::uint8_t, Dhcpv6Duid::link_layer_len> own_duid{};
  Dhcpv6Duid::emit_link_layer(own_duid, *duid->link_layer_address);
  ASSERT_TRUE(writer.client_id(own_duid).ok());
  const std::array<Dhcpv6OptionCode, 4> wanted{
      Dhcpv6OptionCode::DnsServers, Dhcpv6OptionCode::DomainList, static_cast<Dhcpv6OptionCode>(39),
      Dhcpv6OptionCode::SntpServers};
  ASSERT_TRUE(writer.option_request(wanted).ok());
  ASSERT_TRUE(writer.elapsed_time(0).ok());
  out.resize(writer.written());
  EXPECT_EQ(out, message);
}

TEST(WireDhcpv6, ReplyFromDnsmasq) {
  const std::vector<std::uint8_t> message = message_of(dnsmasq_reply_to_dhclient);
  Result<Dhcpv6Repr> r = Dhcpv6Repr::parse(message);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message_type, static_cast<std::uint8_t>(Dhcpv6MessageType::Reply));
  EXPECT_EQ(r->transaction_id, 0x7b23c6U);
  Result<Dhcpv6Duid> server = Dhcpv6Duid::parse(r->server_id);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server->type, static_cast<std::uint16_t>(DuidType::LinkLayerPlusTime));
  EXPECT_EQ(server->time, 0x32a54f84U);
  EXPECT_EQ(server->link_layer_address, (MacAddress{{0x02, 0, 0, 0, 0x03, 0x01}}));
  ASSERT_EQ(r->dns_server_count(), 2U);
  EXPECT_EQ(r->dns_server(0), address("2001:db8:1::53"));
  EXPECT_EQ(r->dns_server(1), address("2001:db8:1::54"));
  ASSERT_EQ(r->sntp_server_count(), 1U);
  EXPECT_EQ(r->sntp_server(0), address("2001:db8:1::123"));
  EXPECT_EQ(domains_of(*r), (std::vector<std::string>{"example.com", "lab.example.org"}));
  EXPECT_EQ(r->information_refresh_time, std::optional<std::uint32_t>{86400});
  EXPECT_FALSE(r->status_code.has_value());
  EXPECT_TRUE(r->ntp_server.empty());

  std::vector<std::uint8_t> out(message.size(), 0xaa);
  Dhcpv6Writer writer(out, Dhcpv6MessageType::Reply, r->transaction_id);
  ASSERT_TRUE(writer.client_id(r->client_id).ok());
  std::array<std::uint8_t, Dhcpv6Duid::link_layer_plus_time_len> server_duid{};
  Dhcpv6Duid::emit_link_layer_plus_time(server_duid, *server->link_layer_address, server->time);
  ASSERT_TRUE(writer.server_id(server_duid).ok());
  const std::array<Ipv6Address, 1> sntp{address("2001:db8:1::123")};
  ASSERT_TRUE(writer.addresses(Dhcpv6OptionCode::SntpServers, sntp).ok());
  const std::array<std::string_view, 2> names{"example.com", "lab.example.org"};
  ASSERT_TRUE(writer.domain_list(names).ok());
  const std::array<Ipv6Address, 2> dns{address("2001:db8:1::53"), address("2001:db8:1::54")};
  ASSERT_TRUE(writer.addresses(Dhcpv6OptionCode::DnsServers, dns).ok());
  ASSERT_TRUE(writer.information_refresh_time(86400).ok());
  EXPECT_EQ(writer.written(), message.size());
  EXPECT_EQ(out, message);
  // Full: one more option does not fit, and nothing is written.
  EXPECT_EQ(writer.elapsed_time(0).error(), Error::TooBig);
  EXPECT_EQ(writer.written(), message.size());
}

TEST(WireDhcpv6, NtpServerSuboptions) {
  const std::vector<std::uint8_t> message = message_of(dnsmasq_reply_with_ntp);
  Result<Dhcpv6Repr> r = Dhcpv6Repr::parse(message);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->transaction_id, 0x5a1b2cU);
  EXPECT_EQ(r->information_refresh_time, std::optional<std::uint32_t>{3600});
  Dhcpv6OptionIterator suboptions(r->ntp_server);
  std::optional<Dhcpv6Option> sub = suboptions.next();
  ASSERT_TRUE(sub.has_value());
  EXPECT_EQ(sub->code, static_cast<std::uint16_t>(Dhcpv6NtpSuboption::ServerAddress));
  ASSERT_EQ(sub->data.size(), 16U);
  EXPECT_EQ(Ipv6Address::from_bytes(sub->data), address("2001:db8:1::124"));
  EXPECT_FALSE(suboptions.next().has_value());

  std::vector<std::uint8_t> out(message.size(), 0xaa);
  Dhcpv6Writer writer(out, Dhcpv6MessageType::Reply, r->transaction_id);
  ASSERT_TRUE(writer.client_id(r->client_id).ok());
  ASSERT_TRUE(writer.server_id(r->server_id).ok());
  ASSERT_TRUE(writer.information_refresh_time(3600).ok());
  const std::array<Ipv6Address, 1> ntp{address("2001:db8:1::124")};
  ASSERT_TRUE(writer.ntp_server_addresses(ntp).ok());
  const std::array<Ipv6Address, 1> sntp{address("2001:db8:1::123")};
  ASSERT_TRUE(writer.addresses(Dhcpv6OptionCode::SntpServers, sntp).ok());
  const std::array<std::string_view, 2> names{"example.com", "lab.example.org"};
  ASSERT_TRUE(writer.domain_list(names).ok());
  const std::array<Ipv6Address, 2> dns{address("2001:db8:1::53"), address("2001:db8:1::54")};
  ASSERT_TRUE(writer.addresses(Dhcpv6OptionCode::DnsServers, dns).ok());
  EXPECT_EQ(out, message);
}

TEST(WireDhcpv6, StatusCode) {
  std::vector<std::uint8_t> out(64);
  Dhcpv6Writer writer(out, Dhcpv6MessageType::Reply, 0x123456);
  ASSERT_TRUE(writer.status_code(Dhcpv6Status::UseMulticast, "use ff02::1:2").ok());
  out.resize(writer.written());
  EXPECT_EQ(out, hex("07 12 34 56 00 0d 00 0f 00 05 75 73 65 20 66 66 30 32 3a 3a 31 3a 32"));
  Result<Dhcpv6Repr> r = Dhcpv6Repr::parse(out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status_code, std::optional<std::uint16_t>{5});
  EXPECT_EQ(std::string(r->status_message.begin(), r->status_message.end()), "use ff02::1:2");
}

TEST(WireDhcpv6, MalformedMessagesAreRefused) {
  const std::vector<std::uint8_t> reply = message_of(dnsmasq_reply_with_ntp);
  for (std::size_t n = 0; n < Dhcpv6Repr::header_len; ++n) {
    EXPECT_EQ(Dhcpv6Repr::parse(ConstBytes(reply).first(n)).error(), Error::Truncated) << n;
  }
  // Cut inside the last option, or inside an option header.
  EXPECT_EQ(Dhcpv6Repr::parse(ConstBytes(reply).first(reply.size() - 1)).error(), Error::Truncated);
  EXPECT_EQ(Dhcpv6Repr::parse(ConstBytes(reply).first(6)).error(), Error::Truncated);
  // Relay messages.
  std::vector<std::uint8_t> bad = reply;
  bad[0] = 13;
  EXPECT_EQ(Dhcpv6Repr::parse(bad).error(), Error::Unsupported);

  // Each known option with a wrong length, alone in a Reply.
  auto with_option = [](std::string_view option) {
    std::vector<std::uint8_t> m = hex("07 00 00 01");
    std::vector<std::uint8_t> o = hex(option);
    m.insert(m.end(), o.begin(), o.end());
    return m;
  };
  const char* malformed[] = {
      "00 08 00 01 00",                    // elapsed time, 1 byte
      "00 20 00 02 00 00",                 // refresh time, 2 bytes
      "00 0d 00 01 00",                    // status code, 1 byte
      "00 06 00 03 00 17 00",              // option request, odd
      "00 17 00 00",                       // DNS servers, none
      "00 1f 00 08 20 01 0d b8 00 00 00 00",  // SNTP servers, 8 bytes
      "00 01 00 02 00 03",                 // client id, a 2-byte DUID
      "00 03 00 01 02 00 00 00 04",        // unknown option code 3: runs past the end (Truncated)
      "00 18 00 05 03 63 6f 6d 01",        // domain list without the root label
      "00 18 00 03 c0 0c 00",              // domain list with a compression pointer
      "00 38 00 08 00 01 00 04 20 01 0d b8",  // NTP server address of 4 bytes
      "00 38 00 03 00 01 00",              // NTP suboption running past the option
      "00 38 00 00",                       // NTP server option without suboptions
  };
  for (const char* option : malformed) {
    Result<Dhcpv6Repr> r = Dhcpv6Repr::parse(with_option(option));
    ASSERT_FALSE(r.ok()) << option;
    EXPECT_EQ(r.error(), std::string_view(option).starts_with("00 03") ? Error::Truncated
                                                                      : Error::Malformed)
        << option;
  }
  // Two server identifiers (RFC 8415 16).
  std::vector<std::uint8_t> twice = with_option("00 02 00 0a 00 03 00 01 02 00 00 00 04 01");
  std::vector<std::uint8_t> again = hex("00 02 00 0a 00 03 00 01 02 00 00 00 04 01");
  twice.insert(twice.end(), again.begin(), again.end());
  EXPECT_EQ(Dhcpv6Repr::parse(twice).error(), Error::Malformed);
  // An unknown option is kept and skipped.
  Result<Dhcpv6Repr> unknown = Dhcpv6Repr::parse(with_option("00 63 00 02 ab cd"));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->options.size(), 6U);

  // A 63-byte label is fine, a 64-byte one is not; names up to 255 bytes.
  std::vector<std::uint8_t> list(1, 63);
  list.insert(list.end(), 63, 'a');
  list.push_back(0);
  EXPECT_TRUE(dhcpv6_check_domain_list(list).ok());
  list[0] = 64;
  list.insert(list.begin() + 1, 'a');
  EXPECT_EQ(dhcpv6_check_domain_list(list).error(), Error::Malformed);
  std::vector<std::uint8_t> long_name;
  for (int i = 0; i < 4; ++i) {
    long_name.push_back(63);
    long_name.insert(long_name.end(), 63, 'b');
  }
  long_name.push_back(0);  // 4 * 64 + 1 = 257 bytes
  EXPECT_EQ(dhcpv6_check_domain_list(long_name).error(), Error::Malformed);
}

TEST(WireDhcpv6, WriterRefusesBadArguments) {
  std::vector<std::uint8_t> out(64);
  Dhcpv6Writer writer(out, Dhcpv6MessageType::InformationRequest, 1);
  const std::array<std::string_view, 1> empty_label{"example..com"};
  EXPECT_EQ(writer.domain_list(empty_label).error(), Error::InvalidArgument);
  const std::string long_label(64, 'a');
  const std::array<std::string_view, 1> too_long{long_label};
  EXPECT_EQ(writer.domain_list(too_long).error(), Error::InvalidArgument);
  EXPECT_EQ(writer.addresses(Dhcpv6OptionCode::DnsServers, {}).error(), Error::InvalidArgument);
  EXPECT_EQ(writer.written(), 4U);
  std::vector<std::uint8_t> tiny(3);
  Dhcpv6Writer none(tiny, Dhcpv6MessageType::InformationRequest, 1);
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.elapsed_time(0).error(), Error::TooBig);
  // A name iterator with too small a buffer stops instead of overflowing.
  const std::vector<std::uint8_t> list = hex("07 65 78 61 6d 70 6c 65 03 63 6f 6d 00");
  std::array<char, 8> small{};
  Dhcpv6DomainIterator it(list);
  EXPECT_FALSE(it.next(small).has_value());
}

}  // namespace
}  // namespace lwnet::wire_dhcpv6_test
