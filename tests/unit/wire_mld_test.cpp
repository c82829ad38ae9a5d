// MLD (RFC 2710, RFC 3810): queries from a Linux bridge's multicast querier
// (v2, then switched to v1), reports and dones of a Linux host joining and
// leaving ff05::1:3 under each version, and scapy-built messages with
// source lists. Each is parsed, re-emitted byte for byte, and malformed
// variants refused.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "support/hex.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"
#include "wire/mld.h"

namespace lwnet::wire_mld_test {
namespace {

using test::hex;

Ipv6Address address(std::string_view text) { return parse_ip_address(text)->v6(); }

const std::vector<std::uint8_t> v2_general_query = hex(
    "60 00 00 00 00 24 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 01 3a 00 05 02 00 00 00 00 "
    "82 00 78 38 03 e8 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 02 03 00 00");
const std::vector<std::uint8_t> v2_group_query = hex(
    "60 00 00 00 00 24 00 01 20 01 0d b8 00 01 00 00 "
    "00 00 00 ff fe 00 03 01 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03 3a 00 05 02 00 00 00 00 "
    "82 00 49 ef 03 e8 00 00 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03 02 03 00 00");
const std::vector<std::uint8_t> v2_join = hex(
    "60 00 00 00 00 24 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 16 3a 00 05 02 00 00 01 00 "
    "8f 00 6d fa 00 00 00 01 04 00 00 00 ff 05 00 00 "
    "00 00 00 00 00 00 00 00 00 01 00 03");
const std::vector<std::uint8_t> v2_leave = hex(
    "60 00 00 00 00 24 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 16 3a 00 05 02 00 00 01 00 "
    "8f 00 6e fa 00 00 00 01 03 00 00 00 ff 05 00 00 "
    "00 00 00 00 00 00 00 00 00 01 00 03");
const std::vector<std::uint8_t> v2_six_records = hex(
    "60 00 00 00 00 88 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 16 3a 00 05 02 00 00 01 00 "
    "8f 00 69 16 00 00 00 06 02 00 00 00 ff 02 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 02 02 00 00 00 "
    "ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03 "
    "02 00 00 00 ff 02 00 00 00 00 00 00 00 00 00 00 "
    "00 01 00 02 02 00 00 00 ff 02 00 00 00 00 00 00 "
    "00 00 00 01 ff 00 03 01 02 00 00 00 ff 02 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 6a 02 00 00 00 "
    "ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 01");
const std::vector<std::uint8_t> v1_general_query = hex(
    "60 00 00 00 00 20 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 01 3a 00 05 02 00 00 00 00 "
    "82 00 7a 3f 03 e8 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00");
const std::vector<std::uint8_t> v1_report = hex(
    "60 00 00 00 00 20 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03 3a 00 05 02 00 00 01 00 "
    "83 00 7e 0e 00 00 00 00 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03");
const std::vector<std::uint8_t> v1_done = hex(
    "60 00 00 00 00 20 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 02 3a 00 05 02 00 00 01 00 "
    "84 00 7d 13 00 00 00 00 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03");
const std::vector<std::uint8_t> v1_group_query = hex(
    "60 00 00 00 00 20 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 01 3a 00 05 02 00 00 00 00 "
    "82 00 7b 35 03 e8 00 00 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03");
// scapy: a group-and-source-specific query, S set, QRV 7, exponential
// Maximum Response Code 0x8123 and QQIC 0x90.
const std::vector<std::uint8_t> v2_query_with_sources = hex(
    "60 00 00 00 00 44 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 01 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03 3a 00 05 02 00 00 01 00 "
    "82 00 92 b4 81 23 00 00 ff 05 00 00 00 00 00 00 "
    "00 00 00 00 00 01 00 03 0f 90 00 02 20 01 0d b8 "
    "00 01 00 00 00 00 00 00 00 00 00 0a 20 01 0d b8 "
    "00 01 00 00 00 00 00 00 00 00 00 0b");
// scapy: a report allowing two new sources for ff05::1:3.
const std::vector<std::uint8_t> v2_report_with_sources = hex(
    "60 00 00 00 00 44 00 01 fe 80 00 00 00 00 00 00 "
    "00 00 00 ff fe 00 03 0a ff 02 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 16 3a 00 05 02 00 00 01 00 "
    "8f 00 11 4f 00 00 00 01 05 00 00 02 ff 05 00 00 "
    "00 00 00 00 00 00 00 00 00 01 00 03 20 01 0d b8 "
    "00 01 00 00 00 00 00 00 00 00 00 0a 20 01 0d b8 "
    "00 01 00 00 00 00 00 00 00 00 00 0b");

// The ICMPv6 message of a captured frame (behind the IPv6 header and the
// 8-byte hop-by-hop header with the Router Alert), checksum verified.
struct Message {
  Ipv6Repr ip;
  std::vector<std::uint8_t> bytes;
};

Message message_of(const std::vector<std::uint8_t>& frame) {
  Result<Ipv6Repr> ip = Ipv6Repr::parse(frame);
  EXPECT_TRUE(ip.ok());
  if (!ip.ok()) return {};
  Ipv6HeaderWalker walker(*ip);
  Result<bool> step = walker.next();
  EXPECT_TRUE(step.ok() && *step);
  Result<Ipv6OptionsHeader> hbh = Ipv6OptionsHeader::parse(walker.header().bytes);
  EXPECT_TRUE(hbh.ok() && hbh->router_alert == std::uint16_t{0});
  step = walker.next();
  EXPECT_TRUE(step.ok() && !*step);
  EXPECT_EQ(walker.next_header(), ipv6_next_header::icmpv6);
  Message m{*ip, {walker.rest().begin(), walker.rest().end()}};
  EXPECT_TRUE(Icmpv6Repr::parse(m.bytes, ip->source, ip->destination, true).ok());
  return m;
}

TEST(WireMld, V1MessagesFromLinux) {
  Message query = message_of(v1_general_query);
  Result<MldRepr> q = MldRepr::parse(query.bytes);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(MldRepr::is_v2_query(query.bytes));
  EXPECT_EQ(q->type, static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerQuery));
  EXPECT_EQ(q->max_response_delay, 1000);
  EXPECT_TRUE(q->multicast_address.is_unspecified());

  Message group_query = message_of(v1_group_query);
  Result<MldRepr> g = MldRepr::parse(group_query.bytes);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->multicast_address, address("ff05::1:3"));

  Message report = message_of(v1_report);
  Result<MldRepr> r = MldRepr::parse(report.bytes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerReport));
  EXPECT_EQ(r->multicast_address, address("ff05::1:3"));
  EXPECT_EQ(report.ip.destination, address("ff05::1:3"));

  Message done = message_of(v1_done);
  Result<MldRepr> d = MldRepr::parse(done.bytes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->type, static_cast<std::uint8_t>(Icmpv6Type::MulticastListenerDone));
  EXPECT_EQ(done.ip.destination, address("ff02::2"));

  for (const Message* m : {&query, &group_query, &report, &done}) {
    Result<MldRepr> parsed = MldRepr::parse(m->bytes);
    ASSERT_TRUE(parsed.ok());
    std::vector<std::uint8_t> out(MldRepr::header_len, 0xaa);
    parsed->emit(out, m->ip.source, m->ip.destination);
    EXPECT_EQ(out, m->bytes);
  }
}

TEST(WireMld, V2QueriesFromALinuxBridge) {
  Message general = message_of(v2_general_query);
  EXPECT_TRUE(MldRepr::is_v2_query(general.bytes));
  Result<Mldv2QueryRepr> q = Mldv2QueryRepr::parse(general.bytes);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->max_response_code, 1000);
  EXPECT_EQ(q->max_response_delay(), 1000U);
  EXPECT_TRUE(q->multicast_address.is_unspecified());
  EXPECT_FALSE(q->suppress_router_processing);
  EXPECT_EQ(q->robustness, 2);
  EXPECT_EQ(q->query_interval_code, 3);
  EXPECT_EQ(q->query_interval(), 3U);
  EXPECT_EQ(q->source_count(), 0U);
  // An MLDv1 host reads the same bytes as a v1 general query.
  Result<MldRepr> as_v1 = MldRepr::parse(general.bytes);
  ASSERT_TRUE(as_v1.ok());
  EXPECT_EQ(as_v1->max_response_delay, 1000);

  Message group = message_of(v2_group_query);
  Result<Mldv2QueryRepr> g = Mldv2QueryRepr::parse(group.bytes);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->multicast_address, address("ff05::1:3"));

  for (const Message* m : {&general, &group}) {
    Result<Mldv2QueryRepr> parsed = Mldv2QueryRepr::parse(m->bytes);
    ASSERT_TRUE(parsed.ok());
    std::vector<std::uint8_t> out(Mldv2QueryRepr::length(0), 0xaa);
    parsed->emit(out, {}, m->ip.source, m->ip.destination);
    EXPECT_EQ(out, m->bytes);
  }
}

TEST(WireMld, V2QueryWithSourcesAndExponentialCodes) {
  Message m = message_of(v2_query_with_sources);
  Result<Mldv2QueryRepr> q = Mldv2QueryRepr::parse(m.bytes);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->max_response_code, 0x8123);
  EXPECT_EQ(q->max_response_delay(), (0x123U | 0x1000U) << 3);
  EXPECT_TRUE(q->suppress_router_processing);
  EXPECT_EQ(q->robustness, 7);
  EXPECT_EQ(q->query_interval(), 256U);  // (0 | 0x10) << (1 + 3)
  ASSERT_EQ(q->source_count(), 2U);
  EXPECT_EQ(q->source(0), address("2001:db8:1::a"));
  EXPECT_EQ(q->source(1), address("2001:db8:1::b"));
  const std::array<Ipv6Address, 2> sources{q->source(0), q->source(1)};
  std::vector<std::uint8_t> out(Mldv2QueryRepr::length(2), 0xaa);
  q->emit(out, sources, m.ip.source, m.ip.destination);
  EXPECT_EQ(out, m.bytes);
  // The largest codes.
  Mldv2QueryRepr largest;
  largest.max_response_code = 0xffff;
  largest.query_interval_code = 0xff;
  EXPECT_EQ(largest.max_response_delay(), 0x1fffU << 10);
  EXPECT_EQ(largest.query_interval(), 0x1fU << 10);
}

std::vector<MldAddressRecord> records_of(const Mldv2ReportRepr& report) {
  std::vector<MldAddressRecord> out;
  MldRecordIterator it = report.record_iterator();
  while (std::optional<MldAddressRecord> r = it.next()) out.push_back(*r);
  return out;
}

// Rebuilds a parsed report through the writer.
std::vector<std::uint8_t> rebuilt(const Mldv2ReportRepr& report, const Message& m) {
  std::vector<std::uint8_t> out(m.bytes.size(), 0xaa);
  Mldv2ReportWriter writer(out);
  for (const MldAddressRecord& r : records_of(report)) {
    std::vector<Ipv6Address> sources;
    for (std::size_t i = 0; i < r.source_count(); ++i) sources.push_back(r.source(i));
    EXPECT_TRUE(writer.add_record(static_cast<MldRecordType>(r.record_type), r.multicast_address,
                                  sources)
                    .ok());
  }
  Result<std::size_t> n = writer.finish(m.ip.source, m.ip.destination);
  EXPECT_TRUE(n.ok());
  if (n.ok()) out.resize(*n);
  return out;
}

TEST(WireMld, V2ReportsFromLinux) {
  Message join = message_of(v2_join);
  Result<Mldv2ReportRepr> j = Mldv2ReportRepr::parse(join.bytes);
  ASSERT_TRUE(j.ok());
  ASSERT_EQ(j->record_count, 1);
  std::vector<MldAddressRecord> records = records_of(*j);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].record_type, static_cast<std::uint8_t>(MldRecordType::ChangeToExclude));
  EXPECT_EQ(records[0].multicast_address, address("ff05::1:3"));
  EXPECT_EQ(records[0].source_count(), 0U);
  EXPECT_EQ(rebuilt(*j, join), join.bytes);

  Message leave = message_of(v2_leave);
  Result<Mldv2ReportRepr> l = Mldv2ReportRepr::parse(leave.bytes);
  ASSERT_TRUE(l.ok());
  records = records_of(*l);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].record_type, static_cast<std::uint8_t>(MldRecordType::ChangeToInclude));
  EXPECT_EQ(rebuilt(*l, leave), leave.bytes);

  Message six = message_of(v2_six_records);
  Result<Mldv2ReportRepr> s = Mldv2ReportRepr::parse(six.bytes);
  ASSERT_TRUE(s.ok());
  records = records_of(*s);
  ASSERT_EQ(records.size(), 6U);
  for (const MldAddressRecord& r : records) {
    EXPECT_EQ(r.record_type, static_cast<std::uint8_t>(MldRecordType::ModeIsExclude));
  }
  EXPECT_EQ(records[0].multicast_address, address("ff02::2"));
  EXPECT_EQ(records[1].multicast_address, address("ff05::1:3"));
  EXPECT_EQ(records[5].multicast_address, address("ff02::1:ff00:1"));
  EXPECT_EQ(rebuilt(*s, six), six.bytes);

  Message with_sources = message_of(v2_report_with_sources);
  Result<Mldv2ReportRepr> w = Mldv2ReportRepr::parse(with_sources.bytes);
  ASSERT_TRUE(w.ok());
  records = records_of(*w);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].record_type, static_cast<std::uint8_t>(MldRecordType::AllowNewSources));
  ASSERT_EQ(records[0].source_count(), 2U);
  EXPECT_EQ(records[0].source(1), address("2001:db8:1::b"));
  EXPECT_EQ(rebuilt(*w, with_sources), with_sources.bytes);
}

TEST(WireMld, AuxiliaryDataIsSkipped) {
  // Two records, the first with one word of auxiliary data.
  const std::vector<std::uint8_t> report = hex(
      "8f 00 00 00 00 00 00 02 "
      "01 01 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 02 00 04 11 22 33 44 "
      "04 00 00 00 ff 05 00 00 00 00 00 00 00 00 00 00 00 01 00 03");
  Result<Mldv2ReportRepr> r = Mldv2ReportRepr::parse(report);
  ASSERT_TRUE(r.ok());
  std::vector<MldAddressRecord> records = records_of(*r);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].multicast_address, address("ff05::2:4"));
  EXPECT_EQ(records[1].multicast_address, address("ff05::1:3"));
  EXPECT_EQ(records[1].record_type, 4);
  // The same report with aux data running past the end.
  std::vector<std::uint8_t> bad = report;
  bad[9] = 10;
  EXPECT_EQ(Mldv2ReportRepr::parse(bad).error(), Error::Truncated);
}

TEST(WireMld, MalformedMessagesAreRefused) {
  Message report = message_of(v1_report);
  for (std::size_t n = 1; n < MldRepr::header_len; ++n) {
    EXPECT_EQ(MldRepr::parse(ConstBytes(report.bytes).first(n)).error(), Error::Truncated) << n;
  }
  EXPECT_EQ(MldRepr::parse(ConstBytes{}).error(), Error::Truncated);
  std::vector<std::uint8_t> bad = report.bytes;
  bad[8] = 0x20;  // a report for a unicast address
  EXPECT_EQ(MldRepr::parse(bad).error(), Error::Malformed);
  bad = report.bytes;
  bad[0] = 128;
  EXPECT_EQ(MldRepr::parse(bad).error(), Error::Unsupported);
  bad = message_of(v1_general_query).bytes;
  bad[23] = 1;  // a query for ::1
  EXPECT_EQ(MldRepr::parse(bad).error(), Error::Malformed);

  Message query = message_of(v2_query_with_sources);
  for (std::size_t n = 1; n < Mldv2QueryRepr::min_len; ++n) {
    EXPECT_EQ(Mldv2QueryRepr::parse(ConstBytes(query.bytes).first(n)).error(), Error::Truncated);
  }
  // Fewer sources than announced.
  EXPECT_EQ(Mldv2QueryRepr::parse(ConstBytes(query.bytes).first(query.bytes.size() - 1)).error(),
            Error::Truncated);
  bad = query.bytes;
  bad[8] = 0x20;
  EXPECT_EQ(Mldv2QueryRepr::parse(bad).error(), Error::Malformed);
  // A general query with sources.
  bad = query.bytes;
  std::fill(bad.begin() + 8, bad.begin() + 24, std::uint8_t{0});
  EXPECT_EQ(Mldv2QueryRepr::parse(bad).error(), Error::Malformed);
  bad = query.bytes;
  bad[0] = 143;
  EXPECT_EQ(Mldv2QueryRepr::parse(bad).error(), Error::Unsupported);

  Message six = message_of(v2_six_records);
  for (std::size_t n = 1; n < six.bytes.size(); ++n) {
    EXPECT_EQ(Mldv2ReportRepr::parse(ConstBytes(six.bytes).first(n)).error(), Error::Truncated)
        << n;
  }
  bad = six.bytes;
  bad[7] = 7;  // one record more than there is
  EXPECT_EQ(Mldv2ReportRepr::parse(bad).error(), Error::Truncated);
  bad = six.bytes;
  bad[8 + 4] = 0x20;  // a record for a unicast address
  EXPECT_EQ(Mldv2ReportRepr::parse(bad).error(), Error::Malformed);
  bad = six.bytes;
  bad[0] = 131;
  EXPECT_EQ(Mldv2ReportRepr::parse(bad).error(), Error::Unsupported);
}

TEST(WireMld, ReportWriterRefusesWhatDoesNotFit) {
  std::vector<std::uint8_t> out(8 + 20 + 10, 0xaa);
  Mldv2ReportWriter writer(out);
  EXPECT_EQ(writer.add_record(MldRecordType::ChangeToExclude, address("2001:db8::1")).error(),
            Error::InvalidArgument);
  ASSERT_TRUE(writer.add_record(MldRecordType::ChangeToExclude, address("ff05::1:3")).ok());
  const std::array<Ipv6Address, 1> one{address("2001:db8::1")};
  EXPECT_EQ(writer.add_record(MldRecordType::AllowNewSources, address("ff05::1:3"), one).error(),
            Error::TooBig);
  EXPECT_EQ(writer.record_count(), 1);
  Result<std::size_t> n = writer.finish(address("fe80::1"), address("ff02::16"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 28U);
  EXPECT_EQ(out[28], 0xaa);  // nothing written past the report
  Result<Mldv2ReportRepr> back = Mldv2ReportRepr::parse(ConstBytes(out).first(*n));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->record_count, 1);
  EXPECT_TRUE(icmpv6_checksum_ok(ConstBytes(out).first(*n), address("fe80::1"), address("ff02::16")));

  std::vector<std::uint8_t> tiny(4);
  Mldv2ReportWriter no_room(tiny);
  EXPECT_EQ(no_room.add_record(MldRecordType::ChangeToExclude, address("ff05::1:3")).error(),
            Error::TooBig);
  EXPECT_EQ(no_room.finish(address("fe80::1"), address("ff02::16")).error(), Error::TooBig);
}

}  // namespace
}  // namespace lwnet::wire_mld_test
