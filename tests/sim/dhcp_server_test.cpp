// lwnet's DHCP server against hand-made clients (the test writes their
// frames): ESP-IDF's default pool, pool checks, options by flags, pool
// exhaustion, offers making room (never live leases), DECLINE, hostnames,
// leases known by client identifier, DHCPINFORM.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/dhcp_server.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/ethernet.h"

namespace lwnet::test::dhcp_server_test {
namespace {

MacAddress client_mac(std::uint8_t n) { return MacAddress{{0x02, 0x00, 0x00, 0x00, 0x01, n}}; }

struct ServerNet {
  ServerNet() : server(net.a_if) {}
  ~ServerNet() { server.stop(net.a); }

  // A request from `mac`, broadcast from 0.0.0.0; with a `client_ip`
  // (ciaddr), from it, unicast to the server unless `broadcast`.
  void send(const MacAddress& mac, DhcpMessageType type, std::optional<Ipv4Address> requested = {},
            std::optional<Ipv4Address> server_id = {}, std::string_view hostname = {},
            Ipv4Address client_ip = {}, bool broadcast = false, ConstBytes client_id = {}) {
    DhcpRepr r;
    r.xid = 0x1000u + mac.octets[5];
    r.client_mac = mac;
    r.message_type = type;
    r.requested_ip = requested;
    r.server_identifier = server_id;
    r.hostname = hostname;
    r.client_ip = client_ip;
    r.client_id = client_id;
    ByteVector payload(r.buffer_len());
    r.emit(payload);
    Ipv4Repr ip;
    ip.source = client_ip;
    ip.destination = client_ip.is_unspecified() || broadcast ? Ipv4Address::broadcast() : ip_a;
    ip.protocol = 17;
    const ByteVector packet = ipv4_packet(ip, udp_datagram(ip.source, ip.destination, 68, 67, payload));
    net.inject(ethernet_frame(ip.destination.is_broadcast() ? MacAddress::broadcast() : mac_a, mac, ipv4_type, packet));
    net.sim.settle();
  }
  // The DHCP replies the server sent since the last call.
  std::vector<DhcpRepr> replies() {
    frames.clear();
    std::vector<DhcpRepr> out;
    for (ByteVector& f : net.received()) {
      if (frame_ethertype(f) != ipv4_type || frame_ip_protocol(f) != 17) continue;
      frames.push_back(std::move(f));
    }
    for (const ByteVector& f : frames) {
      Result<DhcpRepr> r = DhcpRepr::parse(ConstBytes(f).subspan(14 + 20 + 8));
      if (r) out.push_back(*r);
    }
    return out;
  }
  // DISCOVER, OFFER, REQUEST, ACK; the address bound, or nullopt.
  std::optional<Ipv4Address> lease(const MacAddress& mac, std::string_view hostname = {},
                                   ConstBytes client_id = {}) {
    send(mac, DhcpMessageType::Discover, {}, {}, {}, {}, false, client_id);
    std::vector<DhcpRepr> offer = replies();
    if (offer.size() != 1 || offer[0].message_type != DhcpMessageType::Offer) return std::nullopt;
    send(mac, DhcpMessageType::Request, offer[0].your_ip, ip_a, hostname, {}, false, client_id);
    std::vector<DhcpRepr> ack = replies();
    if (ack.size() != 1 || ack[0].message_type != DhcpMessageType::Ack) return std::nullopt;
    return ack[0].your_ip;
  }

  HostAndPeer net;
  DhcpServer server;
  std::vector<ByteVector> frames;  // what the last replies() views point into
};

TEST(DhcpServerSim, DefaultPoolIsEspIdfs) {
  using P = std::pair<Ipv4Address, Ipv4Address>;
  EXPECT_EQ(DhcpServer::default_pool(Ipv4Address::of(192, 168, 4, 1), 24),
            (P{Ipv4Address::of(192, 168, 4, 2), Ipv4Address::of(192, 168, 4, 101)}));
  // Server high in its /24: the pool lies below it.
  EXPECT_EQ(DhcpServer::default_pool(Ipv4Address::of(192, 168, 4, 200), 24),
            (P{Ipv4Address::of(192, 168, 4, 100), Ipv4Address::of(192, 168, 4, 199)}));
  // A small subnet: what is there.
  EXPECT_EQ(DhcpServer::default_pool(Ipv4Address::of(192, 0, 2, 1), 29),
            (P{Ipv4Address::of(192, 0, 2, 2), Ipv4Address::of(192, 0, 2, 6)}));
  EXPECT_EQ(DhcpServer::default_pool(Ipv4Address::of(10, 0, 0, 1), 16),
            (P{Ipv4Address::of(10, 0, 0, 2), Ipv4Address::of(10, 0, 0, 101)}));
}

TEST(DhcpServerSim, RejectsBadPools) {
  ServerNet s;
  auto pool = [&](Ipv4Address a, Ipv4Address b) {
    DhcpServerConfig c;
    c.pool_start = a;
    c.pool_end = b;
    return s.server.start(s.net.a, c, s.net.sim.now());
  };
  EXPECT_ERROR(pool(Ipv4Address::of(192, 0, 2, 1), Ipv4Address::of(192, 0, 2, 9)), Error::InvalidArgument);  // server inside
  EXPECT_ERROR(pool(Ipv4Address::of(192, 0, 2, 2), Ipv4Address::of(192, 0, 2, 102)), Error::InvalidArgument);  // 101 addresses
  EXPECT_ERROR(pool(Ipv4Address::of(192, 0, 2, 9), Ipv4Address::of(192, 0, 2, 8)), Error::InvalidArgument);  // reversed
  EXPECT_ERROR(pool(Ipv4Address::of(192, 0, 2, 200), Ipv4Address::of(192, 0, 2, 255)), Error::InvalidArgument);  // broadcast
  EXPECT_ERROR(pool(Ipv4Address::of(198, 51, 100, 2), Ipv4Address::of(198, 51, 100, 9)), Error::InvalidArgument);  // outside
  EXPECT_FALSE(s.server.running());
  EXPECT_OK(pool(Ipv4Address::of(192, 0, 2, 2), Ipv4Address::of(192, 0, 2, 101)));
}

// A lease of lease_units x CONFIG_LWIP_DHCPS_LEASE_UNIT seconds that does
// not fit option 51's 32 bits is refused: it wrapped to a short lease
// (ESP-IDF's server wraps too). The longest that fits is taken.
TEST(DhcpServerSim, RejectsALeaseTooLongForItsOption) {
  ServerNet s;
  DhcpServerConfig c;
  c.lease_units = UINT32_MAX / config::dhcps_lease_unit_secs + 1;
  EXPECT_ERROR(s.server.start(s.net.a, c, s.net.sim.now()), Error::InvalidArgument);
  EXPECT_FALSE(s.server.running());
  c.lease_units = UINT32_MAX / config::dhcps_lease_unit_secs;
  EXPECT_OK(s.server.start(s.net.a, c, s.net.sim.now()));
}

TEST(DhcpServerSim, OffersOptionsByFlags) {
  ServerNet s;
  DhcpServerConfig c;
  c.offer_router = false;
  c.dns_main = Ipv4Address::of(203, 0, 113, 53);
  c.dns_backup = Ipv4Address::of(203, 0, 113, 54);
  c.captive_portal_uri = "https://portal.example/";
  c.lease_units = 3;
  ASSERT_OK(s.server.start(s.net.a, c, s.net.sim.now()));
  s.send(client_mac(1), DhcpMessageType::Discover);
  std::vector<DhcpRepr> r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Offer);
  EXPECT_TRUE(r[0].routers.empty());
  ASSERT_EQ(r[0].dns_servers.size, 2u);
  EXPECT_EQ(r[0].dns_servers.items[0], c.dns_main);
  EXPECT_EQ(r[0].dns_servers.items[1], c.dns_backup);
  EXPECT_EQ(r[0].captive_portal, "https://portal.example/");
  EXPECT_EQ(r[0].lease_seconds, 180u);
  EXPECT_EQ(r[0].mtu, std::optional<std::uint16_t>(1500));
  EXPECT_EQ(r[0].broadcast_address, Ipv4Address::of(192, 0, 2, 255));
  EXPECT_EQ(r[0].subnet_mask, Ipv4Address::of(255, 255, 255, 0));
  EXPECT_EQ(r[0].router_discovery, std::optional<bool>(false));
  // Without OFFER_DNS, option 6 still carries the server's own address.
  c.offer_dns = false;
  c.offer_router = true;
  ASSERT_OK(s.server.start(s.net.a, c, s.net.sim.now()));
  s.send(client_mac(2), DhcpMessageType::Discover);
  r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].dns_servers.size, 1u);
  EXPECT_EQ(r[0].dns_servers.front(), ip_a);
  ASSERT_EQ(r[0].routers.size, 1u);
  EXPECT_EQ(r[0].routers.front(), ip_a);
}

TEST(DhcpServerSim, PoolExhaustionLeavesANewClientWithoutOffer) {
  ServerNet s;
  DhcpServerConfig c;
  c.pool_start = Ipv4Address::of(192, 0, 2, 10);
  c.pool_end = Ipv4Address::of(192, 0, 2, 12);
  c.lease_units = 1;  // a minute
  ASSERT_OK(s.server.start(s.net.a, c, s.net.sim.now()));
  EXPECT_EQ(s.lease(client_mac(1)), Ipv4Address::of(192, 0, 2, 10));
  EXPECT_EQ(s.lease(client_mac(2)), Ipv4Address::of(192, 0, 2, 11));
  EXPECT_EQ(s.lease(client_mac(3)), Ipv4Address::of(192, 0, 2, 12));
  // Pool full of live leases: nothing to offer. Handing out a bound
  // client's address (ESP-IDF evicts the oldest) would put it on two hosts.
  s.send(client_mac(4), DhcpMessageType::Discover);
  EXPECT_TRUE(s.replies().empty());
  EXPECT_EQ(s.server.stats().pool_exhausted, 1u);
  EXPECT_EQ(s.server.stats().evicted, 0u);
  EXPECT_EQ(s.server.address_of(client_mac(1)), Ipv4Address::of(192, 0, 2, 10));
  EXPECT_FALSE(s.server.address_of(client_mac(4)).has_value());
  // A client that keeps its lease gets the same address again.
  EXPECT_EQ(s.lease(client_mac(3)), Ipv4Address::of(192, 0, 2, 12));
  // Client 1 renews (unicast from its address) before its minute ends;
  // the others' leases run out, and the newcomer gets one of theirs.
  s.net.sim.run_for(Duration::seconds(50));
  s.send(client_mac(1), DhcpMessageType::Request, {}, {}, {}, Ipv4Address::of(192, 0, 2, 10));
  std::vector<DhcpRepr> r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Ack);
  s.net.sim.run_for(Duration::seconds(11));
  EXPECT_EQ(s.server.client_count(), 1u);
  EXPECT_EQ(s.lease(client_mac(4)), Ipv4Address::of(192, 0, 2, 11));
  EXPECT_EQ(s.server.address_of(client_mac(1)), Ipv4Address::of(192, 0, 2, 10));
}

// CONFIG_LWIP_DHCPS_MAX_STATION_NUM entries, all live leases: a newcomer
// gets no offer (the oldest client's entry used to go, and with it the
// record of an address still in use).
TEST(DhcpServerSim, MaxStationsOfLeasesLeavesANewClientWithoutOffer) {
  ServerNet s;
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  for (std::uint8_t i = 1; i <= config::dhcps_max_stations; ++i) {
    EXPECT_EQ(s.lease(client_mac(i)), Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(1 + i)));
  }
  EXPECT_EQ(s.server.client_count(), config::dhcps_max_stations);
  const auto next = static_cast<std::uint8_t>(config::dhcps_max_stations + 1);
  s.send(client_mac(next), DhcpMessageType::Discover);
  EXPECT_TRUE(s.replies().empty());
  EXPECT_EQ(s.server.stats().pool_exhausted, 1u);
  EXPECT_EQ(s.server.stats().evicted, 0u);
  EXPECT_EQ(s.server.address_of(client_mac(1)), Ipv4Address::of(192, 0, 2, 2));
  EXPECT_EQ(s.server.client_count(), config::dhcps_max_stations);
}

// A full table (or pool) makes room by dropping an offer nobody took up,
// the one with the least time left, never a live lease.
TEST(DhcpServerSim, OffersMakeRoomBeforeLeases) {
  ServerNet s;
  DhcpServerConfig c;
  // As many addresses as entries: the pool and the table fill together.
  c.pool_start = Ipv4Address::of(192, 0, 2, 10);
  c.pool_end = Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(10 + config::dhcps_max_stations - 1));
  ASSERT_OK(s.server.start(s.net.a, c, s.net.sim.now()));
  ASSERT_EQ(s.lease(client_mac(1)), Ipv4Address::of(192, 0, 2, 10));
  for (std::uint8_t i = 2; i <= config::dhcps_max_stations; ++i) {
    s.net.sim.run_for(Duration::seconds(1));
    s.send(client_mac(i), DhcpMessageType::Discover);
    const std::vector<DhcpRepr> offer = s.replies();
    ASSERT_EQ(offer.size(), 1u);
    EXPECT_EQ(offer[0].your_ip, Ipv4Address::of(192, 0, 2, static_cast<std::uint8_t>(9 + i)));
  }
  const auto next = static_cast<std::uint8_t>(config::dhcps_max_stations + 1);
  s.send(client_mac(next), DhcpMessageType::Discover);
  const std::vector<DhcpRepr> offer = s.replies();
  ASSERT_EQ(offer.size(), 1u);
  // Client 2's offer is the oldest: its address goes to the newcomer.
  EXPECT_EQ(offer[0].your_ip, Ipv4Address::of(192, 0, 2, 11));
  EXPECT_EQ(s.server.stats().evicted, 1u);
  EXPECT_EQ(s.server.stats().pool_exhausted, 0u);
  EXPECT_FALSE(s.server.address_of(client_mac(2)).has_value());
  EXPECT_EQ(s.server.address_of(client_mac(1)), Ipv4Address::of(192, 0, 2, 10));
  const DhcpServerClient* bound = s.server.client(client_mac(1));
  ASSERT_NE(bound, nullptr);
  EXPECT_TRUE(bound->bound);
}

TEST(DhcpServerSim, KeepsHostnamesAndAnswersByMac) {
  ServerNet s;
  std::vector<std::string> names;
  s.server.set_assigned_callback(
      [](void* context, const DhcpServerClient& c) {
        static_cast<std::vector<std::string>*>(context)->emplace_back(c.hostname_view());
      },
      &names);
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  ASSERT_TRUE(s.lease(client_mac(1), "alpha").has_value());
  ASSERT_TRUE(s.lease(client_mac(2), std::string(300, 'x').substr(0, 255)).has_value());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "alpha");
  EXPECT_EQ(names[1].size(), config::dhcps_max_hostname_len);
  const DhcpServerClient* c = s.server.client(client_mac(1));
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->bound);
  EXPECT_EQ(c->hostname_view(), "alpha");
  std::array<DhcpServerClient, 4> all{};
  EXPECT_EQ(s.server.clients(all), 2u);
}

TEST(DhcpServerSim, NaksARequestForAnotherAddress) {
  ServerNet s;
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  ASSERT_TRUE(s.lease(client_mac(1)).has_value());
  s.send(client_mac(1), DhcpMessageType::Request, Ipv4Address::of(192, 0, 2, 50), ip_a);
  std::vector<DhcpRepr> r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Nak);
  EXPECT_EQ(s.server.stats().tx_nak, 1u);
  // A request naming another server frees an offer.
  s.send(client_mac(2), DhcpMessageType::Discover);
  ASSERT_EQ(s.replies().size(), 1u);
  EXPECT_TRUE(s.server.address_of(client_mac(2)).has_value());
  s.send(client_mac(2), DhcpMessageType::Request, Ipv4Address::of(192, 0, 2, 3), Ipv4Address::of(192, 0, 2, 254));
  EXPECT_TRUE(s.replies().empty());
  EXPECT_FALSE(s.server.address_of(client_mac(2)).has_value());
}

TEST(DhcpServerSim, DeclinedAddressIsNotOfferedAgain) {
  ServerNet s;
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  const std::optional<Ipv4Address> first = s.lease(client_mac(1));
  ASSERT_TRUE(first.has_value());
  s.send(client_mac(1), DhcpMessageType::Decline, first, ip_a);
  EXPECT_EQ(s.server.stats().rx_decline, 1u);
  EXPECT_EQ(s.lease(client_mac(1)), Ipv4Address::of(192, 0, 2, 3));
  EXPECT_EQ(s.lease(client_mac(2)), Ipv4Address::of(192, 0, 2, 4));
}

TEST(DhcpServerSim, LeasesExpireAndMalformedRequestsAreCounted) {
  ServerNet s;
  DhcpServerConfig c;
  c.lease_units = 1;
  ASSERT_OK(s.server.start(s.net.a, c, s.net.sim.now()));
  ASSERT_TRUE(s.lease(client_mac(1)).has_value());
  EXPECT_LE(s.net.a.next_deadline(), s.net.sim.now() + Duration::seconds(60));
  s.net.sim.run_for(Duration::seconds(61));
  EXPECT_EQ(s.server.client_count(), 0u);
  // Garbage to port 67.
  const ByteVector junk = pattern(100);
  Ipv4Repr ip;
  ip.source = ip_peer;
  ip.destination = ip_a;
  ip.protocol = 17;
  s.net.inject_ipv4(ipv4_packet(ip, udp_datagram(ip_peer, ip_a, 68, 67, junk)));
  s.net.sim.settle();
  EXPECT_EQ(s.server.stats().drop_malformed, 1u);
  EXPECT_TRUE(s.replies().empty());
}

// RFC 2131 4.3.2: a broadcast REQUEST without server identifier
// (INIT-REBOOT, REBINDING) from a client the server has no record of gets
// no answer when the address is in the server's subnet but not in its pool
// (another server's, or a static one); a NAK only when the address is on
// the wrong network or another client holds it. It used to be NAKed.
TEST(DhcpServerSim, UnknownClientAskingForAnAddressOutsideThePoolGetsNoAnswer) {
  ServerNet s;
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  s.send(client_mac(1), DhcpMessageType::Request, Ipv4Address::of(192, 0, 2, 200));
  EXPECT_TRUE(s.replies().empty());
  EXPECT_EQ(s.server.stats().tx_nak, 0u);
  EXPECT_FALSE(s.server.address_of(client_mac(1)).has_value());
  // Rebinding (ciaddr, broadcast): the same.
  s.send(client_mac(1), DhcpMessageType::Request, {}, {}, {}, Ipv4Address::of(192, 0, 2, 200), true);
  EXPECT_TRUE(s.replies().empty());
  EXPECT_EQ(s.server.stats().drop_unexpected, 2u);
  // Renewing (unicast to this server, which the client takes for its
  // own): NAK, the client starts over.
  s.send(client_mac(1), DhcpMessageType::Request, {}, {}, {}, Ipv4Address::of(192, 0, 2, 200));
  std::vector<DhcpRepr> r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Nak);
  // Another network: NAK.
  s.send(client_mac(1), DhcpMessageType::Request, Ipv4Address::of(198, 51, 100, 7));
  r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Nak);
  // Held by another client: NAK.
  ASSERT_EQ(s.lease(client_mac(2)), Ipv4Address::of(192, 0, 2, 2));
  s.send(client_mac(1), DhcpMessageType::Request, Ipv4Address::of(192, 0, 2, 2));
  r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Nak);
  EXPECT_EQ(s.server.stats().tx_nak, 3u);
  // Free and in the pool: granted (a server that restarted forgot it).
  s.send(client_mac(1), DhcpMessageType::Request, Ipv4Address::of(192, 0, 2, 9));
  r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Ack);
  EXPECT_EQ(r[0].your_ip, Ipv4Address::of(192, 0, 2, 9));
}

// RFC 2131 4.2: a client that sends a client identifier (61) is known by
// it, not by chaddr. Two clients behind one chaddr (a host with two
// identities) get two leases; one identifier from a new chaddr keeps its
// lease, and the ACK goes to the new MAC. The server used to key every
// lease on chaddr alone: the second identity got the first one's address.
TEST(DhcpServerSim, AClientIdentifierNotTheChaddrNamesTheLease) {
  ServerNet s;
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  const std::vector<std::uint8_t> alpha = {0x00, 'a', 'l', 'p', 'h', 'a'};
  const std::vector<std::uint8_t> beta = {0x00, 'b', 'e', 't', 'a'};
  EXPECT_EQ(s.lease(client_mac(1), {}, alpha), Ipv4Address::of(192, 0, 2, 2));
  EXPECT_EQ(s.lease(client_mac(1), {}, beta), Ipv4Address::of(192, 0, 2, 3));
  // The same chaddr without an identifier is a third client.
  EXPECT_EQ(s.lease(client_mac(1)), Ipv4Address::of(192, 0, 2, 4));
  EXPECT_EQ(s.server.client_count(), 3u);

  // alpha again, from another chaddr: offered and granted its own address.
  s.send(client_mac(2), DhcpMessageType::Discover, {}, {}, {}, {}, false, alpha);
  std::vector<DhcpRepr> r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Offer);
  EXPECT_EQ(r[0].your_ip, Ipv4Address::of(192, 0, 2, 2));
  EXPECT_EQ(r[0].client_mac, client_mac(2));
  s.send(client_mac(2), DhcpMessageType::Request, Ipv4Address::of(192, 0, 2, 2), ip_a, {}, {}, false, alpha);
  r = s.replies();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].message_type, DhcpMessageType::Ack);
  EXPECT_EQ(r[0].your_ip, Ipv4Address::of(192, 0, 2, 2));
  EXPECT_EQ(frame_destination_mac(s.frames[0]), client_mac(2));
  EXPECT_EQ(frame_ip_destination(s.frames[0]), Ipv4Address::of(192, 0, 2, 2));
  EXPECT_EQ(s.net.a.arp_lookup(s.net.a_if, Ipv4Address::of(192, 0, 2, 2)), client_mac(2));
  EXPECT_EQ(s.server.client_count(), 3u);
  EXPECT_EQ(s.server.address_of(client_mac(2)), Ipv4Address::of(192, 0, 2, 2));

  // beta's RELEASE frees beta's lease only.
  s.send(client_mac(1), DhcpMessageType::Release, {}, ip_a, {}, Ipv4Address::of(192, 0, 2, 3), false, beta);
  EXPECT_TRUE(s.replies().empty());
  EXPECT_EQ(s.server.client_count(), 2u);
  EXPECT_EQ(s.server.address_of(client_mac(1)), Ipv4Address::of(192, 0, 2, 4));
  EXPECT_EQ(s.lease(client_mac(3)), Ipv4Address::of(192, 0, 2, 3));
}

// RFC 2131 4.3.5: a client with an address of its own (ciaddr) asks for
// the other parameters with DHCPINFORM; the server answers with a DHCPACK
// carrying them, no lease time and no yiaddr, straight to ciaddr, and
// records no lease. It used to drop every INFORM.
TEST(DhcpServerSim, AnswersAnInformWithOptionsButNoLease) {
  ServerNet s;
  ASSERT_OK(s.server.start(s.net.a, DhcpServerConfig{}, s.net.sim.now()));
  const Ipv4Address fixed = Ipv4Address::of(192, 0, 2, 150);
  ASSERT_OK(s.net.a.arp_add_static(s.net.a_if, fixed, client_mac(7)));
  // Unicast to the server, then broadcast: the same answer to both.
  s.send(client_mac(7), DhcpMessageType::Inform, {}, {}, {}, fixed, false);
  s.send(client_mac(7), DhcpMessageType::Inform, {}, {}, {}, fixed, true);
  const std::vector<DhcpRepr> r = s.replies();
  ASSERT_EQ(r.size(), 2u);
  // BOOTREPLY, xid 0x1007, ciaddr 192.0.2.150, yiaddr 0, chaddr; options
  // 53 ACK, 54 the server, 1 mask, 28 broadcast, 6 DNS (the server), 3
  // router, 26 MTU 1500, 31 no router discovery: no 51.
  std::vector<std::uint8_t> expected = hex(
      "02 01 06 00 00 00 10 07 00 00 00 00 c0 00 02 96 00 00 00 00 00 00 00 00 00 00 00 00"
      "02 00 00 00 01 07");
  expected.resize(236, 0);
  const std::vector<std::uint8_t> options = hex(
      "63 82 53 63 35 01 05 36 04 c0 00 02 01 01 04 ff ff ff 00 1c 04 c0 00 02 ff 06 04 c0 00 02 01"
      "03 04 c0 00 02 01 1a 02 05 dc 1f 01 00 ff");
  expected.insert(expected.end(), options.begin(), options.end());
  expected.resize(300, 0);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const ByteVector& f = s.frames[i];
    EXPECT_EQ(frame_destination_mac(f), client_mac(7));
    EXPECT_EQ(frame_ip_source(f), ip_a);
    EXPECT_EQ(frame_ip_destination(f), fixed);
    EXPECT_EQ(load_be16(ConstBytes(f), 14 + 20), 67);
    EXPECT_EQ(load_be16(ConstBytes(f), 14 + 20 + 2), 68);
    std::vector<std::uint8_t> payload(f.begin() + 14 + 20 + 8, f.end());
    EXPECT_EQ(to_hex(payload), to_hex(expected));
  }
  EXPECT_EQ(s.server.client_count(), 0u);
  EXPECT_EQ(s.server.stats().tx_ack, 2u);

  // Without ciaddr there is nobody to answer; from another subnet, nobody
  // on this link.
  s.send(client_mac(8), DhcpMessageType::Inform);
  s.send(client_mac(8), DhcpMessageType::Inform, {}, {}, {}, Ipv4Address::of(198, 51, 100, 7), true);
  EXPECT_TRUE(s.replies().empty());
  EXPECT_EQ(s.server.stats().tx_ack, 2u);
}

}  // namespace
}  // namespace lwnet::test::dhcp_server_test
