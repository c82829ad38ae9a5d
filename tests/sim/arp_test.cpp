// ARP between stacks over a pipe, and between a stack and a test that plays
// the other host frame by frame.
#include <gtest/gtest.h>

#include "config/options.h"
#include "ip/arp_cache.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::arp_test {
namespace {

ByteVector request_from_peer(Ipv4Address sender_ip, const MacAddress& sender_mac,
                             Ipv4Address target_ip) {
  return ethernet_frame(MacAddress::broadcast(), sender_mac, arp_type,
                        arp_packet(ArpOperation::Request, sender_mac, sender_ip, MacAddress{}, target_ip));
}

ByteVector reply_from_peer(Ipv4Address sender_ip, const MacAddress& sender_mac) {
  return ethernet_frame(mac_a, sender_mac, arp_type,
                        arp_packet(ArpOperation::Reply, sender_mac, sender_ip, mac_a, ip_a));
}

TEST(ArpSim, ResolvesWithExactRequestAndReply) {
  TwoHosts net;
  net.sim.settle();  // the gratuitous ARPs of both stacks
  net.log.clear();
  UdpHandle rx = *net.b.udp_open();
  ASSERT_OK(net.b.udp_bind(rx, {ip_b, 7}));
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_bind(tx, {ip_a, 5000}));
  const ByteVector payload{1, 2, 3, 4};
  ASSERT_OK(net.a.udp_send_to(tx, payload, {ip_b, 7}, net.sim.now()));
  net.sim.settle();

  const auto& frames = net.log.frames();
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].from, 0);
  EXPECT_EQ(to_hex(frames[0].bytes),
            to_hex(hex("ff ff ff ff ff ff 02 00 00 00 00 0a 08 06"
                       "00 01 08 00 06 04 00 01 02 00 00 00 00 0a c0 00 02 01"
                       "00 00 00 00 00 00 c0 00 02 02")));
  EXPECT_EQ(frames[1].from, 1);
  EXPECT_EQ(to_hex(frames[1].bytes),
            to_hex(hex("02 00 00 00 00 0a 02 00 00 00 00 0b 08 06"
                       "00 01 08 00 06 04 00 02 02 00 00 00 00 0b c0 00 02 02"
                       "02 00 00 00 00 0a c0 00 02 01")));
  EXPECT_EQ(frames[2].from, 0);
  EXPECT_EQ(frame_ethertype(frames[2].bytes), ipv4_type);
  EXPECT_EQ(frame_destination_mac(frames[2].bytes), mac_b);

  // B learned A from the request for its address: it never asked.
  EXPECT_EQ(net.a.arp_lookup(net.a_if, ip_b), mac_b);
  EXPECT_EQ(net.b.arp_lookup(net.b_if, ip_a), mac_a);
  EXPECT_EQ(net.a.stats().arp.tx_request, 1U);
  EXPECT_EQ(net.b.stats().arp.tx_request, 0U);
  EXPECT_EQ(net.b.stats().arp.tx_reply, 1U);
  EXPECT_EQ(net.a.stats().arp.rx_reply, 1U);

  std::array<std::uint8_t, 16> buf{};
  Result<UdpReceived> got = net.b.udp_receive(rx, buf);
  ASSERT_OK(got);
  EXPECT_EQ(ByteVector(buf.begin(), buf.begin() + 4), payload);
  EXPECT_EQ(got->from, (IpEndpoint{ip_a, 5000}));

  net.a.udp_close(tx);
  net.b.udp_close(rx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(ArpSim, RetransmitsEverySecondThenDropsWhatWaited) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  net.log.clear();
  const Ipv4Address nobody = Ipv4Address::of(192, 0, 2, 77);
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload{9};
  const Instant start = net.sim.now();
  for (std::size_t i = 0; i < config::arp_queue_len; ++i) {
    EXPECT_OK(net.a.udp_send_to(tx, payload, {nobody, 7}, start));
  }
  // The queue for one address is full: the caller hears it at once.
  EXPECT_ERROR(net.a.udp_send_to(tx, payload, {nobody, 7}, start), Error::WouldBlock);
  EXPECT_EQ(net.a.stats().arp.drop_queue_full, 1U);
  EXPECT_EQ(net.a.pools().in_use(), config::arp_queue_len);

  net.sim.run_for(Duration::seconds(10));
  const auto requests = net.log.with_ethertype(arp_type, 0);
  ASSERT_EQ(requests.size(), std::size_t{arp_timing::max_requests});
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].at, start + Duration::seconds(static_cast<std::int64_t>(i)));
    EXPECT_EQ(to_hex(requests[i].bytes),
              to_hex(hex("ff ff ff ff ff ff 02 00 00 00 00 0a 08 06"
                         "00 01 08 00 06 04 00 01 02 00 00 00 00 0a c0 00 02 01"
                         "00 00 00 00 00 00 c0 00 02 4d")));
  }
  EXPECT_TRUE(net.log.with_ethertype(ipv4_type, 0).empty());
  EXPECT_EQ(net.a.stats().arp.drop_unresolved, config::arp_queue_len);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, nobody).has_value());
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, LearnedEntryAgesOutAfterMaxAge) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  net.inject(request_from_peer(ip_peer, mac_peer, ip_a));
  net.sim.settle();
  const Instant learned = net.sim.now();
  const auto replies = net.received();
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(to_hex(replies[0]), to_hex(hex("02 00 00 00 00 ee 02 00 00 00 00 0a 08 06"
                                           "00 01 08 00 06 04 00 02 02 00 00 00 00 0a c0 00 02 01"
                                           "02 00 00 00 00 ee c0 00 02 63")));
  EXPECT_EQ(net.a.arp_lookup(net.a_if, ip_peer), mac_peer);

  net.sim.run_until(learned + arp_timing::max_age - Duration::micros(1));
  EXPECT_EQ(net.a.arp_lookup(net.a_if, ip_peer), mac_peer);
  net.sim.run_until(learned + arp_timing::max_age);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, ip_peer).has_value());
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// An entry still in use near its expiry is confirmed by a unicast request
// (RFC 1122 2.3.2.1's unicast poll; lwIP re-requests a used entry too), so
// that a flow to a neighbour that never ARPs us does not stop every
// CONFIG_LWNET_ARP_MAXAGE_SECONDS for a new resolution, when all but
// CONFIG_LWNET_ARP_QUEUE_LEN of a burst were refused.
TEST(ArpSim, AnEntryInUseIsConfirmedBeforeItExpires) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  UdpHandle tx = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(net.received().size(), 1U);  // the broadcast request
  net.inject(reply_from_peer(ip_peer, mac_peer));
  net.sim.settle();
  const Instant learned = net.sim.now();
  ASSERT_EQ(net.received().size(), 1U);  // the datagram that waited

  // Used long before its expiry: no request. (What the runs bring, such
  // as the periodic gratuitous ARP, is drained first.)
  net.sim.run_until(learned + arp_timing::max_age / 2);
  (void)net.received();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.received().size(), 1U);
  // Used in its last 30 s: one unicast request with the datagrams, however
  // many go in that second.
  net.sim.run_until(learned + arp_timing::max_age - Duration::seconds(20));
  (void)net.received();
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_peer, 9}, net.sim.now()));
  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  std::vector<ByteVector> frames = net.received();
  EXPECT_EQ(frames.size(), 3U);
  EXPECT_EQ(net.a.stats().arp.tx_request, 2U);
  if (frames.size() == 3U) {
    EXPECT_EQ(to_hex(frames[0]), to_hex(hex("02 00 00 00 00 ee 02 00 00 00 00 0a 08 06"
                                            "00 01 08 00 06 04 00 01 02 00 00 00 00 0a c0 00 02 01"
                                            "00 00 00 00 00 00 c0 00 02 63")));
    EXPECT_EQ(frame_ethertype(frames[1]), ipv4_type);
    EXPECT_EQ(frame_ethertype(frames[2]), ipv4_type);
    // The peer answers what it was asked.
    net.inject(reply_from_peer(ip_peer, mac_peer));
    net.sim.settle();
  }

  // Past the first expiry the entry holds: a burst longer than the ARP
  // queue goes out whole, with no new resolution.
  net.sim.run_until(learned + arp_timing::max_age + Duration::seconds(1));
  (void)net.received();
  for (int i = 0; i < 6; ++i) EXPECT_OK(net.a.udp_send_to(tx, pattern(4), {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  frames = net.received();
  EXPECT_EQ(frames.size(), 6U);
  for (const ByteVector& f : frames) EXPECT_EQ(frame_ethertype(f), ipv4_type);
  EXPECT_EQ(net.a.stats().arp.tx_request, 2U);
  EXPECT_EQ(net.a.stats().arp.drop_queue_full, 0U);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, FullTableEvictsTheOldestLearnedEntry) {
  HostAndPeer net;
  net.sim.settle();
  auto host = [](std::size_t i) { return Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(100 + i)); };
  auto mac = [](std::size_t i) {
    return MacAddress{{0x02, 0x00, 0x00, 0x00, 0x01, static_cast<std::uint8_t>(i)}};
  };
  for (std::size_t i = 0; i < config::arp_table_size; ++i) {
    net.inject(request_from_peer(host(i), mac(i), ip_a));
    net.sim.run_for(Duration::seconds(1));
  }
  for (std::size_t i = 0; i < config::arp_table_size; ++i) {
    EXPECT_EQ(net.a.arp_lookup(net.a_if, host(i)), mac(i)) << i;
  }
  EXPECT_EQ(net.a.stats().arp.cache_evictions, 0U);

  const std::size_t newest = config::arp_table_size;
  net.inject(request_from_peer(host(newest), mac(newest), ip_a));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().arp.cache_evictions, 1U);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, host(0)).has_value());
  for (std::size_t i = 1; i <= newest; ++i) {
    EXPECT_EQ(net.a.arp_lookup(net.a_if, host(i)), mac(i)) << i;
  }
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

// A resolution pushed out of a full table gives up as one whose requests
// ran out: the SYN that waited on it is reported to TCP as a host
// unreachable, which ends the connect at once (not after three requests,
// nor a SYN timeout later), from the next poll. Counted once, as
// drop_unresolved.
TEST(ArpSim, AnEvictedResolutionReportsWhatWaitedAsUnreachable) {
  if constexpr (!config::icmp_errors_to_transports) return;
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  const Instant start = net.sim.now();
  Result<TcpHandle> c = net.a.tcp_connect({IpAddress(Ipv4Address::of(192, 0, 2, 77)), 80}, start);
  ASSERT_OK(c);
  net.sim.run_for(Duration::millis(100));
  // Every other entry goes to another address being resolved (none of them
  // answers): the table is full of resolutions, the SYN's the oldest.
  UdpHandle tx = *net.a.udp_open();
  for (std::size_t i = 0; i + 1 < config::arp_table_size; ++i) {
    const Ipv4Address to = Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(100 + i));
    ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {to, 9}, net.sim.now()));
  }
  net.sim.settle();
  EXPECT_EQ(net.a.stats().arp.cache_evictions, 0U);
  EXPECT_EQ(net.a.tcp_connection(*c)->state(), TcpState::SynSent);

  ASSERT_OK(net.a.udp_send_to(tx, pattern(4), {Ipv4Address::of(192, 0, 2, 120), 9}, net.sim.now()));
  net.sim.settle();
  EXPECT_EQ(net.sim.now(), start + Duration::millis(100));
  EXPECT_EQ(net.a.stats().arp.cache_evictions, 1U);
  EXPECT_EQ(net.a.stats().arp.drop_unresolved, 1U);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 1U);
  expect_connect_failed(net.a, *c, Error::HostUnreachable);
  // Nothing went out over IPv4, and no ARP request for the SYN's address again.
  std::size_t requests = 0;
  for (const ByteVector& f : net.received()) {
    EXPECT_NE(frame_ethertype(f), ipv4_type);
    if (frame_ethertype(f) == arp_type) ++requests;
  }
  EXPECT_EQ(requests, 1U + config::arp_table_size);

  // The resolutions left give up in turn: their datagrams are reported as
  // well (an unconnected UDP endpoint keeps nothing).
  net.sim.run_for(Duration::seconds(4));
  EXPECT_EQ(net.a.stats().arp.drop_unresolved, 1U + config::arp_table_size);
  EXPECT_EQ(net.a.stats().icmp.errors_to_transport, 1U + config::arp_table_size);
  EXPECT_FALSE(net.a.udp_has_error(tx));
  net.a.tcp_close(*c, net.sim.now());
  net.a.udp_close(tx);
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, StaticEntriesNeverAgeNorGetEvictedAndNeedNoRequest) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  // More learned entries than the table holds: only learned ones go.
  for (std::size_t i = 0; i < config::arp_table_size + 2; ++i) {
    const MacAddress m{{0x02, 0x00, 0x00, 0x00, 0x01, static_cast<std::uint8_t>(i)}};
    net.inject(request_from_peer(Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(100 + i)), m, ip_a));
    net.sim.run_for(Duration::seconds(1));
  }
  EXPECT_EQ(net.a.stats().arp.cache_evictions, 3U);
  net.sim.run_for(arp_timing::max_age * 3);
  EXPECT_EQ(net.a.arp_lookup(net.a_if, ip_peer), mac_peer);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, Ipv4Address::of(192, 0, 2, 111)).has_value());

  (void)net.received();
  net.log.clear();
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload{1, 2, 3};
  ASSERT_OK(net.a.udp_send_to(tx, payload, {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(net.log.frames().size(), 1U);
  EXPECT_EQ(frame_ethertype(net.log.frames()[0].bytes), ipv4_type);
  EXPECT_EQ(frame_destination_mac(net.log.frames()[0].bytes), mac_peer);

  EXPECT_OK(net.a.arp_remove(net.a_if, ip_peer));
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, ip_peer).has_value());
  EXPECT_ERROR(net.a.arp_remove(net.a_if, ip_peer), Error::InvalidArgument);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, StaticEntrySendsThePacketsThatWaited) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  net.log.clear();
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload{5};
  ASSERT_OK(net.a.udp_send_to(tx, payload, {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  ASSERT_OK(net.a.arp_add_static(net.a_if, ip_peer, mac_peer));
  const auto datagrams = net.log.with_ethertype(ipv4_type, 0);
  ASSERT_EQ(datagrams.size(), 1U);
  EXPECT_EQ(frame_destination_mac(datagrams[0].bytes), mac_peer);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, UnsolicitedReplyIsDroppedButRefreshesAKnownEntry) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  net.inject(reply_from_peer(ip_peer, mac_peer));
  net.sim.settle();
  EXPECT_EQ(net.a.stats().arp.drop_unsolicited, 1U);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, ip_peer).has_value());

  // Resolve the peer for real.
  UdpHandle tx = *net.a.udp_open();
  const ByteVector payload{1};
  ASSERT_OK(net.a.udp_send_to(tx, payload, {ip_peer, 9}, net.sim.now()));
  net.sim.settle();
  net.inject(reply_from_peer(ip_peer, mac_peer));
  net.sim.settle();
  EXPECT_EQ(net.a.arp_lookup(net.a_if, ip_peer), mac_peer);
  const auto frames = net.received();
  ASSERT_EQ(frames.size(), 2U);  // the request, then the datagram that waited
  EXPECT_EQ(frame_ethertype(frames[1]), ipv4_type);
  EXPECT_EQ(frame_destination_mac(frames[1]), mac_peer);

  // The peer moves to another MAC and says so without being asked.
  const MacAddress moved{{0x02, 0x00, 0x00, 0x00, 0x00, 0xef}};
  net.inject(reply_from_peer(ip_peer, moved));
  net.sim.settle();
  EXPECT_EQ(net.a.arp_lookup(net.a_if, ip_peer), moved);
  EXPECT_EQ(net.a.stats().arp.drop_unsolicited, 1U);
  net.a.udp_close(tx);
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, RequestForAnotherHostCreatesNothing) {
  HostAndPeer net;
  net.sim.settle();
  (void)net.received();
  net.inject(request_from_peer(ip_peer, mac_peer, Ipv4Address::of(192, 0, 2, 50)));
  net.sim.settle();
  EXPECT_TRUE(net.received().empty());
  EXPECT_EQ(net.a.stats().arp.drop_not_for_us, 1U);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, ip_peer).has_value());
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, GratuitousArpWhenAddressIsSetAndPeriodically) {
  HostAndPeer net;
  const Instant start = net.sim.now();
  const ByteVector garp = hex("ff ff ff ff ff ff 02 00 00 00 00 0a 08 06"
                              "00 01 08 00 06 04 00 01 02 00 00 00 00 0a c0 00 02 01"
                              "00 00 00 00 00 00 c0 00 02 01");
  // ARP only: the IPv6 link-local address's DAD probe goes out too.
  const auto arp_frames = [&] { return net.log.with_ethertype(0x0806); };
  // Not from add_netif itself: from the first poll.
  EXPECT_TRUE(net.log.frames().empty());
  net.sim.settle();
  ASSERT_EQ(arp_frames().size(), 1U);
  EXPECT_EQ(to_hex(arp_frames()[0].bytes), to_hex(garp));
  EXPECT_EQ(arp_frames()[0].at, start);

  const Duration interval = Duration::seconds(config::garp_tmr_interval_seconds);
  net.sim.run_until(start + interval - Duration::micros(1));
  EXPECT_EQ(arp_frames().size(), 1U);
  net.sim.run_until(start + interval);
  if constexpr (config::esp_gratuitous_arp) {
    ASSERT_EQ(arp_frames().size(), 2U);
    EXPECT_EQ(arp_frames()[1].at, start + interval);
    EXPECT_EQ(to_hex(arp_frames()[1].bytes), to_hex(garp));
  } else {
    EXPECT_EQ(arp_frames().size(), 1U);
  }

  net.log.clear();
  ASSERT_OK(net.a.set_ipv4(net.a_if, IpCidr{Ipv4Address::of(192, 0, 2, 5), 24}, std::nullopt,
                           net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(net.log.frames().size(), 1U);
  EXPECT_EQ(to_hex(net.log.frames()[0].bytes),
            to_hex(hex("ff ff ff ff ff ff 02 00 00 00 00 0a 08 06"
                       "00 01 08 00 06 04 00 01 02 00 00 00 00 0a c0 00 02 05"
                       "00 00 00 00 00 00 c0 00 02 05")));
  EXPECT_EQ(net.a.stats().arp.tx_gratuitous, config::esp_gratuitous_arp ? 3U : 2U);
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

TEST(ArpSim, ProbeDetectsAnAddressInUse) {
  TwoHosts net;
  net.sim.settle();
  net.log.clear();
  ASSERT_OK(net.a.arp_probe(net.a_if, ip_b, net.sim.now()));
  net.sim.settle();
  ASSERT_GE(net.log.frames().size(), 2U);
  EXPECT_EQ(to_hex(net.log.frames()[0].bytes),
            to_hex(hex("ff ff ff ff ff ff 02 00 00 00 00 0a 08 06"
                       "00 01 08 00 06 04 00 01 02 00 00 00 00 0a 00 00 00 00"
                       "00 00 00 00 00 00 c0 00 02 02")));
  EXPECT_TRUE(net.a.arp_conflict(net.a_if, ip_b));
  EXPECT_EQ(net.a.stats().arp.conflicts, 1U);
  EXPECT_EQ(net.a.arp_conflicts(net.a_if), 1U);
  // A probe learns nothing on the other side (its sender address is 0).
  EXPECT_FALSE(net.b.arp_lookup(net.b_if, Ipv4Address{}).has_value());

  const Ipv4Address free_address = Ipv4Address::of(192, 0, 2, 50);
  ASSERT_OK(net.a.arp_probe(net.a_if, free_address, net.sim.now()));
  net.sim.run_for(Duration::seconds(2));
  EXPECT_FALSE(net.a.arp_conflict(net.a_if, free_address));
  ASSERT_OK(net.a.arp_announce(net.a_if, net.sim.now()));
  EXPECT_EQ(net.a.pools().in_use(), 0U);
  EXPECT_EQ(net.b.pools().in_use(), 0U);
}

TEST(ArpSim, AnotherHostClaimingOurAddressIsAConflict) {
  HostAndPeer net;
  net.sim.settle();
  net.inject(request_from_peer(ip_a, mac_peer, ip_a));
  net.sim.settle();
  EXPECT_TRUE(net.a.arp_conflict(net.a_if, ip_a));
  EXPECT_EQ(net.a.stats().arp.conflicts, 1U);
  EXPECT_EQ(net.a.arp_conflicts(net.a_if), 1U);
  // Each one counts on the netif it came in on (AutoIP's defence looks for
  // a change there), not on the others.
  net.inject(request_from_peer(ip_a, mac_peer, ip_a));
  net.sim.settle();
  EXPECT_EQ(net.a.arp_conflicts(net.a_if), 2U);
  EXPECT_EQ(net.a.arp_conflicts(net.a.loopback_netif()), 0U);
  EXPECT_FALSE(net.a.arp_lookup(net.a_if, ip_a).has_value());
  (void)net.received();
  EXPECT_EQ(net.a.pools().in_use(), 0U);
}

}  // namespace
}  // namespace lwnet::test::arp_test
