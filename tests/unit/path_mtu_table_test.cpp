// The destination cache's path MTUs: learning only lowers, entries live
// ten minutes from their last lowering, and a full table gives up its
// least recently used entry.
#include <gtest/gtest.h>

#include "ip/path_mtu_table.h"
#include "wire/address.h"

namespace lwnet::path_mtu_table_test {
namespace {

Ipv6Address destination(std::uint8_t last) {
  Ipv6Address a = parse_ip_address("2001:db8::")->v6();
  a.octets[15] = last;
  return a;
}

const Instant start = Instant::from_seconds(100);

TEST(PathMtuTable, LearnsLowersAndNeverRaises) {
  PathMtuTable table;
  EXPECT_EQ(table.find(destination(1)), std::nullopt);
  EXPECT_EQ(table.learn(destination(1), 1400, start), PathMtuTable::Learn::Added);
  EXPECT_EQ(table.find(destination(1)), 1400U);
  EXPECT_EQ(table.learn(destination(1), 1450, start), PathMtuTable::Learn::Ignored);
  EXPECT_EQ(table.learn(destination(1), 1400, start), PathMtuTable::Learn::Ignored);
  EXPECT_EQ(table.find(destination(1)), 1400U);
  EXPECT_EQ(table.learn(destination(1), 1300, start), PathMtuTable::Learn::Lowered);
  EXPECT_EQ(table.find(destination(1)), 1300U);
  EXPECT_EQ(table.find(destination(2)), std::nullopt);
  EXPECT_EQ(table.size(), 1U);
}

TEST(PathMtuTable, EntriesExpireTenMinutesAfterTheirLastLowering) {
  PathMtuTable table;
  (void)table.learn(destination(1), 1400, start);
  (void)table.learn(destination(2), 1400, start + Duration::seconds(60));
  EXPECT_EQ(table.next_deadline(), start + Duration::seconds(600));
  // Lowering renews the lifetime; using it does not.
  (void)table.learn(destination(1), 1300, start + Duration::seconds(120));
  EXPECT_EQ(table.use(destination(2), start + Duration::seconds(300)), 1400U);
  EXPECT_EQ(table.next_deadline(), start + Duration::seconds(660));
  EXPECT_EQ(table.expire(start + Duration::seconds(659)).v6, 0U);
  EXPECT_EQ(table.expire(start + Duration::seconds(660)).v6, 1U);
  EXPECT_EQ(table.find(destination(2)), std::nullopt);
  EXPECT_EQ(table.find(destination(1)), 1300U);
  EXPECT_EQ(table.next_deadline(), start + Duration::seconds(720));
  EXPECT_EQ(table.expire(start + Duration::seconds(720)).v6, 1U);
  EXPECT_EQ(table.size(), 0U);
  EXPECT_EQ(table.next_deadline(), Instant::max());
}

TEST(PathMtuTable, AFullTableGivesUpItsLeastRecentlyUsedEntry) {
  PathMtuTable table;
  for (std::size_t i = 0; i < PathMtuTable::capacity; ++i) {
    EXPECT_EQ(table.learn(destination(static_cast<std::uint8_t>(i)), 1400,
                          start + Duration::seconds(static_cast<std::int64_t>(i))),
              PathMtuTable::Learn::Added);
  }
  EXPECT_EQ(table.size(), PathMtuTable::capacity);
  // Sending through the oldest makes the second oldest the victim.
  EXPECT_EQ(table.use(destination(0), start + Duration::seconds(100)), 1400U);
  EXPECT_EQ(table.learn(destination(200), 1300, start + Duration::seconds(101)),
            PathMtuTable::Learn::Evicted);
  EXPECT_EQ(table.size(), PathMtuTable::capacity);
  EXPECT_EQ(table.find(destination(200)), 1300U);
  if constexpr (PathMtuTable::capacity > 1) {
    EXPECT_EQ(table.find(destination(0)), 1400U);
    EXPECT_EQ(table.find(destination(1)), std::nullopt);
  }
}

// IPv4 destinations (RFC 1191) share the table; an IPv4 address and its
// IPv4-mapped IPv6 form are different destinations.
TEST(PathMtuTable, HoldsIpv4DestinationsApartFromIpv6Ones) {
  PathMtuTable table;
  EXPECT_TRUE(table.empty());
  const Ipv4Address v4 = Ipv4Address::of(198, 51, 100, 7);
  EXPECT_EQ(table.learn(v4, 1000, start), PathMtuTable::Learn::Added);
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table.find(v4), 1000U);
  EXPECT_EQ(table.find(parse_ip_address("::ffff:198.51.100.7")->v6()), std::nullopt);
  EXPECT_EQ(table.learn(destination(1), 1300, start + Duration::seconds(30)), PathMtuTable::Learn::Added);
  const PathMtuTable::Expired first = table.expire(start + PathMtuTable::lifetime);
  EXPECT_EQ(first.v4, 1U);
  EXPECT_EQ(first.v6, 0U);
  EXPECT_EQ(table.find(v4), std::nullopt);
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table.expire(start + PathMtuTable::lifetime + Duration::seconds(30)).v6, 1U);
  EXPECT_TRUE(table.empty());
}

}  // namespace
}  // namespace lwnet::path_mtu_table_test
