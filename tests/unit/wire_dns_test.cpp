#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "support/hex.h"
#include "util/random.h"
#include "wire/dns.h"

namespace lwnet::wire_dns_test {
namespace {

using test::hex;

// Captured with tcpdump in a namespace: dnsmasq 2.90 serving
// --host-record=host.name.test,192.0.2.10,2001:db8::10
// --cname=alias.name.test,host.name.test --local=/name.test/.
//
// glibc's stub resolver (`getent ahostsv4 host.name.test`): A query, RD set.
const std::vector<std::uint8_t> glibc_query = hex(
    "c5 8e 01 00 00 01 00 00 00 00 00 00 04 68 6f 73 74 04 6e 61 6d 65 04 74 65 73 74 00 00 01 00 01");
// dnsmasq's answer: one A record, its name a pointer to the question's.
const std::vector<std::uint8_t> a_answer = hex(
    "c5 8e 85 80 00 01 00 01 00 00 00 00 04 68 6f 73 74 04 6e 61 6d 65 04 74 65 73 74 00 00 01 00 01"
    "c0 0c 00 01 00 01 00 00 00 00 00 04 c0 00 02 0a");
// AAAA for alias.name.test: a CNAME, then the AAAA record whose name points
// into the CNAME's data (offset 0x2d).
const std::vector<std::uint8_t> cname_aaaa_answer = hex(
    "12 34 85 80 00 01 00 02 00 00 00 00 05 61 6c 69 61 73 04 6e 61 6d 65 04 74 65 73 74 00 00 1c 00 01"
    "c0 0c 00 05 00 01 00 00 00 00 00 10 04 68 6f 73 74 04 6e 61 6d 65 04 74 65 73 74 00"
    "c0 2d 00 1c 00 01 00 00 00 00 00 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 10");
// A name that does not exist: NXDOMAIN, no records.
const std::vector<std::uint8_t> nxdomain_answer = hex(
    "43 21 81 83 00 01 00 00 00 00 00 00 07 6e 6f 74 68 65 72 65 04 6e 61 6d 65 04 74 65 73 74 00 00 01 00 01");

std::string text_of(const DnsName& name) {
  std::array<char, dns::max_name_text_len + 1> buffer{};
  return std::string(name.to_text(buffer));
}

std::vector<DnsRecord> answers_of(const DnsRepr& repr) {
  std::vector<DnsRecord> records;
  repr.for_each_answer([&](const DnsRecord& r) {
    records.push_back(r);
    return true;
  });
  return records;
}

TEST(DnsWire, EmitsTheQueryGlibcSends) {
  DnsQuestion question{*DnsName::from_text("host.name.test"), 1, dns::class_in};
  DnsRepr repr;
  repr.header.id = 0xc58e;
  repr.header.recursion_desired = true;
  repr.questions = std::span<const DnsQuestion>(&question, 1);
  ASSERT_EQ(repr.buffer_len(), glibc_query.size());
  std::vector<std::uint8_t> out(repr.buffer_len());
  Result<std::size_t> written = repr.emit(out);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, glibc_query.size());
  EXPECT_EQ(out, glibc_query);
  std::vector<std::uint8_t> short_buffer(out.size() - 1);
  EXPECT_EQ(repr.emit(short_buffer).error(), Error::TooBig);
}

TEST(DnsWire, ParsesTheQuery) {
  Result<DnsRepr> repr = DnsRepr::parse(glibc_query);
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr->header.id, 0xc58e);
  EXPECT_FALSE(repr->header.response);
  EXPECT_TRUE(repr->header.recursion_desired);
  EXPECT_EQ(repr->header.question_count, 1);
  EXPECT_EQ(text_of(repr->question.name), "host.name.test");
  EXPECT_EQ(repr->question.type, 1);
  EXPECT_EQ(repr->question.klass, dns::class_in);
}

TEST(DnsWire, ParsesAnAnswerWithACompressedName) {
  Result<DnsRepr> repr = DnsRepr::parse(a_answer);
  ASSERT_TRUE(repr.ok());
  const DnsHeader& h = repr->header;
  EXPECT_EQ(h.id, 0xc58e);
  EXPECT_TRUE(h.response);
  EXPECT_TRUE(h.authoritative);
  EXPECT_FALSE(h.truncated);
  EXPECT_TRUE(h.recursion_desired);
  EXPECT_TRUE(h.recursion_available);
  EXPECT_EQ(h.rcode, 0);
  const std::vector<DnsRecord> records = answers_of(*repr);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(text_of(records[0].name), "host.name.test");
  EXPECT_TRUE(records[0].name.equals(repr->question.name));
  EXPECT_EQ(records[0].ttl, 0u);
  ASSERT_TRUE(records[0].address().has_value());
  EXPECT_EQ(*records[0].address(), IpAddress(Ipv4Address::of(192, 0, 2, 10)));
}

TEST(DnsWire, ParsesACnameAndAPointerIntoItsData) {
  Result<DnsRepr> repr = DnsRepr::parse(cname_aaaa_answer);
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr->question.type, static_cast<std::uint16_t>(dns::Type::AAAA));
  const std::vector<DnsRecord> records = answers_of(*repr);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].type, static_cast<std::uint16_t>(dns::Type::CNAME));
  EXPECT_EQ(text_of(records[0].name), "alias.name.test");
  EXPECT_EQ(text_of(records[0].target), "host.name.test");
  EXPECT_FALSE(records[0].address().has_value());
  EXPECT_EQ(text_of(records[1].name), "host.name.test");
  EXPECT_TRUE(records[1].name.equals(records[0].target));
  ASSERT_TRUE(records[1].address().has_value());
  std::array<char, 46> text{};
  EXPECT_EQ(format_ip_address(*records[1].address(), text), "2001:db8::10");
}

TEST(DnsWire, ParsesANameError) {
  Result<DnsRepr> repr = DnsRepr::parse(nxdomain_answer);
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr->header.rcode, static_cast<std::uint8_t>(dns::Rcode::NameError));
  EXPECT_FALSE(repr->header.authoritative);
  EXPECT_EQ(repr->header.answer_count, 0);
  EXPECT_TRUE(answers_of(*repr).empty());
}

TEST(DnsWire, EveryShorterPrefixIsRefused) {
  for (const auto* message : {&a_answer, &cname_aaaa_answer, &nxdomain_answer, &glibc_query}) {
    for (std::size_t len = 0; len < message->size(); ++len) {
      Result<DnsRepr> repr = DnsRepr::parse(ConstBytes(*message).first(len));
      EXPECT_FALSE(repr.ok()) << "length " << len;
    }
  }
}

// Bytes past the last record (padding some servers and middleboxes add)
// are ignored, as glibc and lwIP do: one of them cost the whole answer.
TEST(DnsWire, TrailingBytesAreIgnored) {
  std::vector<std::uint8_t> longer = a_answer;
  longer.push_back(0);
  Result<DnsRepr> repr = DnsRepr::parse(longer);
  ASSERT_TRUE(repr.ok());
  const std::vector<DnsRecord> records = answers_of(*repr);
  ASSERT_EQ(records.size(), 1u);
  ASSERT_TRUE(records[0].address().has_value());
  EXPECT_EQ(*records[0].address(), IpAddress(Ipv4Address::of(192, 0, 2, 10)));
}

// A TC answer may be cut anywhere past its question: the header and the
// question still read, and no record is walked.
TEST(DnsWire, HeaderAndQuestionOfACutMessage) {
  const ConstBytes cut = ConstBytes(a_answer).first(a_answer.size() - 3);
  EXPECT_FALSE(DnsRepr::parse(cut).ok());
  Result<DnsRepr> head = DnsRepr::parse_header_and_question(cut);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->header.id, 0xc58e);
  EXPECT_TRUE(head->header.response);
  EXPECT_EQ(head->header.answer_count, 1);
  EXPECT_EQ(text_of(head->question.name), "host.name.test");
  EXPECT_EQ(head->question.type, 1);
  EXPECT_TRUE(answers_of(*head).empty());
  EXPECT_EQ(DnsRepr::parse_header_and_question(ConstBytes(a_answer).first(20)).error(), Error::Truncated);
}

TEST(DnsWire, CompressionLoopsAndBadPointersAreRefused) {
  // The answer's name points at itself.
  std::vector<std::uint8_t> self = a_answer;
  self[32] = 0xc0;
  self[33] = 32;
  EXPECT_EQ(DnsRepr::parse(self).error(), Error::Malformed);
  // Forward pointer (past itself, into its own record).
  std::vector<std::uint8_t> forward = a_answer;
  forward[33] = 40;
  EXPECT_EQ(DnsRepr::parse(forward).error(), Error::Malformed);
  // Out of the message.
  std::vector<std::uint8_t> outside = a_answer;
  outside[32] = 0xc3;
  outside[33] = 0xff;
  EXPECT_EQ(DnsRepr::parse(outside).error(), Error::Malformed);
  // Two names pointing at each other: the second points back at the first,
  // the first's pointer would have to point forward to close the loop.
  std::vector<std::uint8_t> loop = hex(
      "00 01 81 80 00 01 00 00 00 00 00 00 c0 0e c0 0c 00 01 00 01");
  EXPECT_EQ(DnsRepr::parse(loop).error(), Error::Malformed);
  // Reserved label types 0x40 and 0x80.
  for (std::uint8_t kind : {std::uint8_t{0x40}, std::uint8_t{0x80}}) {
    std::vector<std::uint8_t> reserved = glibc_query;
    reserved[12] = kind;
    EXPECT_EQ(DnsRepr::parse(reserved).error(), Error::Malformed);
  }
}

TEST(DnsWire, ManyPointersInAChainAreRefused) {
  // A question "a" then 40 records whose names each point at the previous
  // record's name: the last needs 40 jumps, over max_pointers.
  std::vector<std::uint8_t> message = hex("00 01 81 80 00 01 00 28 00 00 00 00 01 61 00 00 01 00 01");
  std::size_t previous = 12;
  for (int i = 0; i < 40; ++i) {
    const std::size_t here = message.size();
    message.push_back(static_cast<std::uint8_t>(0xc0 | (previous >> 8)));
    message.push_back(static_cast<std::uint8_t>(previous));
    for (int b : {0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1}) message.push_back(static_cast<std::uint8_t>(b));
    previous = here;
  }
  EXPECT_EQ(DnsRepr::parse(message).error(), Error::Malformed);
  // With max_pointers records it parses (a chain of exactly that many jumps).
  message[7] = static_cast<std::uint8_t>(dns::max_pointers);
  message.resize(19 + dns::max_pointers * 16);
  EXPECT_TRUE(DnsRepr::parse(message).ok());
}

TEST(DnsWire, NamesOver255BytesAreRefused) {
  // Four 63-byte labels: 4 * 64 + 1 = 257 wire bytes.
  std::vector<std::uint8_t> message = hex("00 01 01 00 00 01 00 00 00 00 00 00");
  for (int label = 0; label < 4; ++label) {
    message.push_back(63);
    for (int i = 0; i < 63; ++i) message.push_back('a');
  }
  message.push_back(0);
  for (int b : {0, 1, 0, 1}) message.push_back(static_cast<std::uint8_t>(b));
  EXPECT_EQ(DnsRepr::parse(message).error(), Error::Malformed);
}

TEST(DnsWire, RecordsOfTheWrongLengthAreRefused) {
  std::vector<std::uint8_t> long_a = a_answer;
  ASSERT_GT(long_a.size(), 43U);
  long_a[43] = 5;  // data length 5 for an A record
  long_a.push_back(0);
  EXPECT_EQ(DnsRepr::parse(long_a).error(), Error::Malformed);
  std::vector<std::uint8_t> short_aaaa = cname_aaaa_answer;
  short_aaaa[short_aaaa.size() - 17] = 15;
  short_aaaa.pop_back();
  EXPECT_EQ(DnsRepr::parse(short_aaaa).error(), Error::Malformed);
  // A CNAME whose data holds one more byte than its name.
  std::vector<std::uint8_t> cname = cname_aaaa_answer;
  ASSERT_GT(cname.size(), 61U);
  cname[44] = 0x11;
  cname.insert(cname.begin() + 61, 0);
  EXPECT_EQ(DnsRepr::parse(cname).error(), Error::Malformed);
  // A CNAME whose name runs past its data.
  std::vector<std::uint8_t> cut = cname_aaaa_answer;
  ASSERT_GT(cut.size(), 60U);
  cut[44] = 0x0f;
  cut.erase(cut.begin() + 60);
  EXPECT_FALSE(DnsRepr::parse(cut).ok());
}

TEST(DnsWire, MoreThanOneQuestionIsUnsupported) {
  std::vector<std::uint8_t> two = glibc_query;
  two[5] = 2;
  EXPECT_EQ(DnsRepr::parse(two).error(), Error::Unsupported);
}

TEST(DnsWire, EmittedAnswersParseBack) {
  const DnsName alias = *DnsName::from_text("alias.name.test");
  const DnsName host = *DnsName::from_text("HOST.name.test.");
  const std::array<std::uint8_t, 4> address{192, 0, 2, 10};
  DnsQuestion question{alias, 1, dns::class_in};
  std::array<DnsRecord, 2> records{};
  records[0].name = alias;
  records[0].type = static_cast<std::uint16_t>(dns::Type::CNAME);
  records[0].ttl = 300;
  records[0].data = host.wire();
  records[1].name = host;
  records[1].type = 1;
  records[1].ttl = 60;
  records[1].data = address;
  DnsRepr repr;
  repr.header.id = 7;
  repr.header.response = true;
  repr.header.truncated = true;
  repr.header.rcode = 2;
  repr.questions = std::span<const DnsQuestion>(&question, 1);
  repr.answers = records;
  std::vector<std::uint8_t> out(repr.buffer_len());
  ASSERT_TRUE(repr.emit(out).ok());
  Result<DnsRepr> back = DnsRepr::parse(out);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->header.truncated);
  EXPECT_EQ(back->header.rcode, 2);
  const std::vector<DnsRecord> parsed = answers_of(*back);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_TRUE(parsed[0].target.equals(*DnsName::from_text("host.NAME.test")));
  EXPECT_EQ(text_of(parsed[0].target), "HOST.name.test");
  EXPECT_EQ(parsed[1].ttl, 60u);
  EXPECT_EQ(*parsed[1].address(), IpAddress(Ipv4Address::of(192, 0, 2, 10)));
}

// Every byte of each captured message flipped to many values, and random
// bytes spliced in: each either parses (and walks) or is refused; never a
// crash or a read out of bounds (the Debug build runs ASan).
TEST(DnsWire, MutatedMessagesParseOrAreRefused) {
  Random random(0xd5);
  std::size_t refused = 0;
  for (const auto* original : {&a_answer, &cname_aaaa_answer, &nxdomain_answer, &glibc_query}) {
    for (int round = 0; round < 2000; ++round) {
      std::vector<std::uint8_t> message = *original;
      const std::uint32_t edits = 1 + random.below(4);
      for (std::uint32_t e = 0; e < edits; ++e) {
        const std::size_t at = random.below(static_cast<std::uint32_t>(message.size()));
        message[at] = static_cast<std::uint8_t>(random.next_u32());
      }
      Result<DnsRepr> repr = DnsRepr::parse(message);
      if (!repr.ok()) {
        ++refused;
        continue;
      }
      std::size_t seen = 0;
      repr->for_each_answer([&](const DnsRecord& r) {
        std::array<char, dns::max_name_text_len + 1> text{};
        EXPECT_FALSE(r.name.to_text(text).empty());
        ++seen;
        return true;
      });
      EXPECT_EQ(seen, repr->header.answer_count);
    }
  }
  EXPECT_GT(refused, 0u);
}

TEST(DnsWire, NamesFromText) {
  EXPECT_EQ(DnsName::from_text("").error(), Error::InvalidArgument);
  EXPECT_EQ(DnsName::from_text(".").error(), Error::InvalidArgument);
  EXPECT_EQ(DnsName::from_text("a..b").error(), Error::InvalidArgument);
  EXPECT_EQ(DnsName::from_text(".a").error(), Error::InvalidArgument);
  EXPECT_EQ(DnsName::from_text(std::string(64, 'x') + ".test").error(), Error::InvalidArgument);
  EXPECT_TRUE(DnsName::from_text(std::string(63, 'x') + ".test").ok());
  // 253 characters is the longest name; 254 is one too many.
  std::string longest;
  while (longest.size() < 253) longest += longest.empty() ? "a" : ".a";
  ASSERT_EQ(longest.size(), 253u);
  Result<DnsName> name = DnsName::from_text(longest);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->wire().size(), 255u);
  EXPECT_EQ(text_of(*name), longest);
  EXPECT_EQ(DnsName::from_text(longest + "a").error(), Error::InvalidArgument);
  std::array<char, 10> small{};
  EXPECT_TRUE(name->to_text(small).empty());

  const DnsName printer = *DnsName::from_text("Printer.Local");
  EXPECT_TRUE(printer.ends_with_label("local"));
  EXPECT_FALSE(printer.ends_with_label("loca"));
  EXPECT_FALSE(DnsName::from_text("local.test")->ends_with_label("local"));
  EXPECT_EQ(printer.label_count(), 2u);
  EXPECT_EQ(text_of(DnsName()), ".");
  EXPECT_FALSE(DnsName().ends_with_label("local"));
}

}  // namespace
}  // namespace lwnet::wire_dns_test
