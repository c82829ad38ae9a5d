// NetBIOS name service packets (RFC 1002 4.2.12/4.2.13): the first-level
// name encoding, a name query captured from Samba's nmblookup, the answer
// lwnet sends, and the packets a responder must refuse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/hex.h"
#include "wire/netbios.h"

namespace lwnet::wire_netbios_test {
namespace {

using test::hex;

// `nmblookup -U 127.0.0.1 --recursion lwnetdev` (Samba 4.17, Debian 12):
// id 0x33ce, recursion desired, one question: LWNETDEV<00>, NB, IN.
const std::vector<std::uint8_t> nmblookup_query = hex(
    "33 ce 01 00 00 01 00 00 00 00 00 00"
    "20 45 4d 46 48 45 4f 45 46 46 45 45 45 45 46 46 47 43 41 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00"
    "00 20 00 01");

// The positive answer for 192.0.2.1, TTL 300000 s, unique B-node name.
const std::vector<std::uint8_t> answer = hex(
    "33 ce 85 00 00 00 00 01 00 00 00 00"
    "20 45 4d 46 48 45 4f 45 46 46 45 45 45 45 46 46 47 43 41 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00"
    "00 20 00 01 00 04 93 e0 00 06 00 00 c0 00 02 01");

TEST(WireNetbios, EncodesNamesAsRfc1001Says) {
  // RFC 1001 14.1's example: "FRED" padded with spaces to all 16 bytes
  // (the last, the suffix, a space too).
  Result<NetbiosName> fred = NetbiosName::of("Fred", 0x20);
  ASSERT_TRUE(fred.ok());
  std::vector<std::uint8_t> out(NetbiosName::encoded_size, 0xaa);
  fred->encode(out);
  EXPECT_EQ(std::string(out.begin() + 1, out.end() - 1), "EGFCEFEECACACACACACACACACACACACA");
  EXPECT_EQ(out.front(), 32);
  EXPECT_EQ(out.back(), 0);
  Result<NetbiosName> back = NetbiosName::decode(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->view(), "FRED");
  EXPECT_EQ(back->suffix, 0x20);
  EXPECT_TRUE(back->equals_ignoring_case("fred"));
  EXPECT_FALSE(back->equals_ignoring_case("fre"));
}

// lwIP takes any name of up to 15 characters. A space or a dot is encoded
// as any other character; trailing spaces are the padding's on the wire,
// so a name that ends in spaces is the name without them.
TEST(WireNetbios, SpacesAndDotsAreCharactersLikeAnyOther) {
  Result<NetbiosName> name = NetbiosName::of("my host.lan", 0);
  ASSERT_TRUE(name.ok());
  std::vector<std::uint8_t> out(NetbiosName::encoded_size, 0xaa);
  name->encode(out);
  EXPECT_EQ(std::string(out.begin() + 1, out.end() - 1), "ENFJCAEIEPFDFECOEMEBEOCACACACAAA");
  Result<NetbiosName> back = NetbiosName::decode(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->view(), "MY HOST.LAN");
  EXPECT_TRUE(name->equals_ignoring_case(back->view()));
  Result<NetbiosName> padded = NetbiosName::of("lan  ", 0);
  ASSERT_TRUE(padded.ok());
  EXPECT_TRUE(padded->equals_ignoring_case("LAN"));
  EXPECT_FALSE(padded->equals_ignoring_case("LA"));
  EXPECT_FALSE(name->equals_ignoring_case("MY HOST.LAN."));
}

TEST(WireNetbios, ParsesNmblookupQuery) {
  Result<NetbiosNameQuery> q = NetbiosNameQuery::parse(nmblookup_query);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->transaction_id, 0x33ce);
  EXPECT_EQ(q->flags, netbios_flag_recursion_desired);
  EXPECT_FALSE(q->broadcast());
  EXPECT_EQ(q->name.view(), "LWNETDEV");
  EXPECT_EQ(q->name.suffix, 0);
  EXPECT_EQ(q->type, netbios_type_nb);
  EXPECT_EQ(q->klass, netbios_class_in);
  std::vector<std::uint8_t> out(NetbiosNameQuery::size, 0xaa);
  q->emit(out);
  EXPECT_EQ(out, nmblookup_query);
}

TEST(WireNetbios, EmitsAnswerBytes) {
  NetbiosNameResponse r;
  r.transaction_id = 0x33ce;
  r.name = *NetbiosName::of("lwnetdev", 0);
  r.ttl_seconds = 300000;
  r.address = Ipv4Address::of(192, 0, 2, 1);
  std::vector<std::uint8_t> out(NetbiosNameResponse::size, 0xaa);
  r.emit(out);
  EXPECT_EQ(out, answer);
  Result<NetbiosNameResponse> back = NetbiosNameResponse::parse(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->address, Ipv4Address::of(192, 0, 2, 1));
  EXPECT_EQ(back->ttl_seconds, 300000u);
  EXPECT_EQ(back->name.view(), "LWNETDEV");
}

TEST(WireNetbios, RefusesWhatIsNotAReadableQuery) {
  EXPECT_EQ(NetbiosNameQuery::parse(ConstBytes(nmblookup_query.data(), 11)).error(), Error::Truncated);
  EXPECT_EQ(NetbiosNameQuery::parse(ConstBytes(nmblookup_query.data(), 49)).error(), Error::Truncated);
  EXPECT_EQ(NetbiosNameQuery::parse(answer).error(), Error::Malformed);  // a response
  std::vector<std::uint8_t> bad = nmblookup_query;
  bad[2] = 0x29;  // opcode 5: registration
  EXPECT_EQ(NetbiosNameQuery::parse(bad).error(), Error::Unsupported);
  bad = nmblookup_query;
  bad[5] = 2;  // two questions
  EXPECT_EQ(NetbiosNameQuery::parse(bad).error(), Error::Malformed);
  bad = nmblookup_query;
  bad[12] = 31;  // label length
  EXPECT_EQ(NetbiosNameQuery::parse(bad).error(), Error::Malformed);
  bad = nmblookup_query;
  bad[20] = 'Q';  // outside 'A'..'P'
  EXPECT_EQ(NetbiosNameQuery::parse(bad).error(), Error::Malformed);
  bad = nmblookup_query;
  bad[45] = 3;  // a scope label follows
  EXPECT_EQ(NetbiosNameQuery::parse(bad).error(), Error::Unsupported);
  EXPECT_EQ(NetbiosName::of("", 0).error(), Error::InvalidArgument);
  EXPECT_EQ(NetbiosName::of("SIXTEEN-CHARS-XX", 0).error(), Error::InvalidArgument);
  EXPECT_TRUE(NetbiosName::of("FIFTEEN-CHARS-X", 0).ok());
}

}  // namespace
}  // namespace lwnet::wire_netbios_test
