// LearnedServers: last writer wins, a withdrawal clears only what the same
// source published on the same netif, every change is a new generation.
#include <gtest/gtest.h>

#include <array>

#include "core/learned_servers.h"

namespace lwnet::test::learned_servers_test {
namespace {

const IpAddress one{Ipv4Address::of(192, 0, 2, 53)};
const IpAddress two{Ipv4Address::of(192, 0, 2, 54)};
const IpAddress six = *parse_ip_address("2001:db8::53");

TEST(LearnedServers, LastPublicationWinsWhateverItsSource) {
  LearnedServers l;
  EXPECT_EQ(l.generation(), 0u);
  EXPECT_TRUE(l.servers().empty());
  const std::array<IpAddress, 2> first{one, two};
  l.publish(ServerSource::Dhcp4, NetifId{1}, first);
  ASSERT_EQ(l.servers().size(), 2u);
  EXPECT_EQ(l.servers()[0], one);
  EXPECT_EQ(l.servers()[1], two);
  EXPECT_EQ(l.source(), ServerSource::Dhcp4);
  EXPECT_EQ(l.generation(), 1u);
  const std::array<IpAddress, 1> second{six};
  l.publish(ServerSource::RouterAdvertisement, NetifId{2}, second);
  ASSERT_EQ(l.servers().size(), 1u);
  EXPECT_EQ(l.servers()[0], six);
  EXPECT_EQ(l.source(), ServerSource::RouterAdvertisement);
  EXPECT_EQ(l.netif(), NetifId{2});
  EXPECT_EQ(l.generation(), 2u);
}

TEST(LearnedServers, WithdrawalClearsOnlyTheSameSourceOnTheSameNetif) {
  LearnedServers l;
  const std::array<IpAddress, 1> list{one};
  l.publish(ServerSource::Dhcp6, NetifId{1}, list);
  l.publish(ServerSource::Dhcp4, NetifId{1}, {});  // another source
  l.publish(ServerSource::Dhcp6, NetifId{2}, {});  // another netif
  EXPECT_EQ(l.servers().size(), 1u);
  EXPECT_EQ(l.generation(), 1u);
  l.publish(ServerSource::Dhcp6, NetifId{1}, {});
  EXPECT_TRUE(l.servers().empty());
  EXPECT_EQ(l.generation(), 2u);
  l.publish(ServerSource::Dhcp6, NetifId{1}, {});  // nothing left to withdraw
  EXPECT_EQ(l.generation(), 2u);
}

TEST(LearnedServers, UnspecifiedAddressesAreSkippedAndTheListIsBounded) {
  LearnedServers l;
  const std::array<IpAddress, 7> list{IpAddress{}, one, two, one, two, one, two};
  l.publish(ServerSource::Dhcp4, NetifId{1}, list);
  ASSERT_EQ(l.servers().size(), LearnedServers::capacity);
  EXPECT_EQ(l.servers()[0], one);
  EXPECT_EQ(l.servers()[3], two);
}

}  // namespace
}  // namespace lwnet::test::learned_servers_test
