// lwnet's DHCP client against lwnet's DHCP server, two stacks over a pipe on
// virtual time: whole exchanges message by message, renew at T1, rebind at
// T2, expiry and the lost-IP timer, DECLINE on an ARP conflict, RELEASE,
// INIT-REBOOT from a stored lease, AutoIP, the server's pool and eviction.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "apps/dhcp_client.h"
#include "apps/dhcp_server.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/ethernet.h"
#include "wire/udp.h"

namespace lwnet::test::dhcp_test {
namespace {

constexpr Ipv4Address server_ip = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address first_pool = Ipv4Address::of(192, 0, 2, 2);

// One DHCP message seen on the wire.
struct Seen {
  Instant at;
  int from = 0;  // 0: the server's end, 1: the client's
  Ipv4Address ip_source, ip_destination;
  MacAddress eth_destination;
  DhcpMessageType type = DhcpMessageType::None;
  std::uint32_t xid = 0;
  Ipv4Address client_ip, your_ip;
  std::optional<Ipv4Address> requested, server_id;
  std::string hostname;
  std::vector<std::uint8_t> payload;  // the UDP payload
};

struct Event {
  DhcpClientEvent event;
  DhcpLease lease;
  Instant at;
};

class MemoryStorage final : public DhcpLeaseStorage {
 public:
  std::optional<DhcpLease> load() override { return stored; }
  void save(const DhcpLease& lease) override {
    stored = lease;
    ++saves;
  }
  void erase() override { stored.reset(); }
  std::optional<DhcpLease> stored;
  int saves = 0;
};

// The server (192.0.2.1/24) on the pipe's a() end, the client (no address)
// on b().
struct DhcpNet {
  explicit DhcpNet(const DhcpClientConfig& client_config = {})
      : client_app(client_if_id(), client_config), server_app(NetifId{1}) {
    Result<NetifId> s = server.add_netif(pipe.a(), netif_config("s0", mac_a, server_ip, 24), sim.now());
    NetifConfig c;
    c.name = "c0";
    c.mac = mac_b;
    Result<NetifId> ci = client.add_netif(pipe.b(), c, sim.now());
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(ci.ok());
    sim.add(server);
    sim.add(client);
    client_app.set_event_callback(
        [](void* context, DhcpClientEvent event, const DhcpLease& lease) {
          auto* self = static_cast<DhcpNet*>(context);
          self->events.push_back({event, lease, self->sim.now()});
        },
        this);
    server_app.set_assigned_callback(
        [](void* context, const DhcpServerClient& client_record) {
          static_cast<DhcpNet*>(context)->assigned.push_back(client_record);
        },
        this);
  }
  ~DhcpNet() {
    client_app.stop(client, sim.now());
    server_app.stop(server);
  }
  static NetifId client_if_id() { return NetifId{1}; }

  // DHCP messages in the log, in order.
  std::vector<Seen> messages() const {
    std::vector<Seen> out;
    for (const FrameLog::Frame& f : log.frames()) {
      if (f.lost || f.bytes.size() < 14 + 20 + 8) continue;
      if (frame_ethertype(f.bytes) != ipv4_type || frame_ip_protocol(f.bytes) != 17) continue;
      const ConstBytes udp = ConstBytes(f.bytes).subspan(34);
      const std::uint16_t dport = load_be16(udp, 2);
      if (dport != 67 && dport != 68) continue;
      const ConstBytes payload = udp.subspan(8);
      Result<DhcpRepr> r = DhcpRepr::parse(payload);
      if (!r) continue;
      Seen s;
      s.at = f.at;
      s.from = f.from;
      s.ip_source = frame_ip_source(f.bytes);
      s.ip_destination = frame_ip_destination(f.bytes);
      s.eth_destination = frame_destination_mac(f.bytes);
      s.type = r->message_type;
      s.xid = r->xid;
      s.client_ip = r->client_ip;
      s.your_ip = r->your_ip;
      s.requested = r->requested_ip;
      s.server_id = r->server_identifier;
      s.hostname = std::string(r->hostname);
      s.payload.assign(payload.begin(), payload.end());
      out.push_back(s);
    }
    return out;
  }
  std::vector<DhcpMessageType> types() const {
    std::vector<DhcpMessageType> t;
    for (const Seen& s : messages()) t.push_back(s.type);
    return t;
  }
  std::size_t arp_probes_from_client() const {
    std::size_t n = 0;
    for (const FrameLog::Frame& f : log.with_ethertype(arp_type, 1)) {
      if (load_be16(ConstBytes(f.bytes), 14 + 6) == 1 && load_be32(ConstBytes(f.bytes), 14 + 14) == 0) ++n;
    }
    return n;
  }
  std::optional<IpCidr> client_address() {
    Result<NetifInfo> info = client.netif_info(client_if_id());
    return info ? info->ipv4 : std::nullopt;
  }
  bool run_until_bound(Duration limit = Duration::seconds(60)) {
    return sim.run_until([&] { return client_app.state() == DhcpClientState::Bound; }, limit);
  }

  PipePair pipe;
  FrameLog log{pipe};
  Stack server{StackConfig{1}};
  Stack client{StackConfig{2}};
  Simulation sim;
  DhcpClient client_app;
  DhcpServer server_app;
  std::vector<Event> events;
  std::vector<DhcpServerClient> assigned;
};

DhcpServerConfig short_lease() {
  DhcpServerConfig c;
  c.lease_units = 2;  // 120 s: T1 60 s, T2 105 s
  return c;
}

// The test plays the DHCP server (no DhcpServer runs) for `limit`: each
// message the client sent (since the log was cleared) goes to `answer`, and the reply it returns (if
// any) comes from server_ip at once, unicast when the client named its
// address (ciaddr), else broadcast. A client that talks without pause is
// cut off after max_messages.
using Answer = std::function<std::optional<DhcpRepr>(const DhcpRepr& from_client)>;
constexpr std::size_t max_messages = 200;

void run_scripted(DhcpNet& net, Duration limit, const Answer& answer) {
  std::size_t seen = 0;
  std::size_t answered = 0;
  (void)net.sim.run_until(
      [&] {
        std::vector<std::vector<std::uint8_t>> asked;
        for (; seen < net.log.frames().size(); ++seen) {
          const FrameLog::Frame& f = net.log.frames()[seen];
          if (f.from != 1 || f.bytes.size() < 14 + 20 + 8) continue;
          if (frame_ethertype(f.bytes) != ipv4_type || frame_ip_protocol(f.bytes) != 17) continue;
          if (load_be16(ConstBytes(f.bytes), 14 + 20 + 2) != 67) continue;
          asked.emplace_back(f.bytes.begin() + 14 + 20 + 8, f.bytes.end());
        }
        for (const std::vector<std::uint8_t>& payload : asked) {
          Result<DhcpRepr> request = DhcpRepr::parse(payload);
          if (!request) continue;
          ++answered;
          const std::optional<DhcpRepr> reply = answer(*request);
          if (!reply) continue;
          std::vector<std::uint8_t> bytes(reply->buffer_len());
          reply->emit(bytes);
          Ipv4Repr ip;
          ip.source = server_ip;
          ip.destination = request->client_ip.is_unspecified() ? Ipv4Address::broadcast() : request->client_ip;
          ip.protocol = 17;
          const ByteVector packet = ipv4_packet(ip, udp_datagram(ip.source, ip.destination, 67, 68, bytes));
          const MacAddress to = ip.destination.is_broadcast() ? MacAddress::broadcast() : mac_b;
          (void)net.pipe.a().transmit(ethernet_frame(to, mac_a, ipv4_type, packet), net.sim.now());
        }
        return answered > max_messages;
      },
      limit);
}

// The reply a server would send to `request`: first_pool for an hour.
DhcpRepr reply_to(const DhcpRepr& request, DhcpMessageType type) {
  DhcpRepr r;
  r.is_reply = true;
  r.xid = request.xid;
  r.client_mac = request.client_mac;
  r.message_type = type;
  r.server_identifier = server_ip;
  if (type != DhcpMessageType::Nak) {
    r.client_ip = request.client_ip;
    r.your_ip = first_pool;
    r.lease_seconds = 3600;
    r.subnet_mask = Ipv4Address::of(255, 255, 255, 0);
    r.routers.push(server_ip);
  }
  return r;
}

std::size_t count_from_client(const std::vector<Seen>& messages, DhcpMessageType type) {
  std::size_t n = 0;
  for (const Seen& s : messages) n += s.from == 1 && s.type == type ? 1 : 0;
  return n;
}

TEST(DhcpSim, WholeExchangeMessageByMessage) {
  DhcpNet net;
  const Instant start = net.sim.now();
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, start));
  EXPECT_EQ(net.server_app.pool_start(), first_pool);
  EXPECT_EQ(net.server_app.pool_end(), Ipv4Address::of(192, 0, 2, 101));
  ASSERT_OK(net.client_app.start(net.client, start));
  ASSERT_TRUE(net.run_until_bound());

  const std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Discover);
  EXPECT_EQ(m[0].from, 1);
  EXPECT_EQ(m[0].ip_source, Ipv4Address::any());
  EXPECT_EQ(m[0].ip_destination, Ipv4Address::broadcast());
  EXPECT_EQ(m[0].eth_destination, MacAddress::broadcast());
  EXPECT_EQ(m[0].hostname, "espressif");
  // The DISCOVER byte for byte (only the xid is random): client id 61,
  // max message size 1500, parameters 1 3 28 6 26, hostname, padding to 300.
  std::vector<std::uint8_t> expected = hex(
      "01 01 06 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 00 00 00"
      "00 0b");
  expected.resize(236, 0);
  const std::vector<std::uint8_t> options = hex(
      "63 82 53 63 35 01 01 3d 07 01 02 00 00 00 00 0b 0c 09 65 73 70 72 65 73 73 69 66 39 02 05 dc 37"
      "05 01 03 1c 06 1a ff");
  expected.insert(expected.end(), options.begin(), options.end());
  expected.resize(300, 0);
  store_be32(expected, 4, m[0].xid);
  EXPECT_EQ(to_hex(m[0].payload), to_hex(expected));

  EXPECT_EQ(m[1].type, DhcpMessageType::Offer);
  EXPECT_EQ(m[1].xid, m[0].xid);
  EXPECT_EQ(m[1].your_ip, first_pool);
  EXPECT_EQ(m[1].server_id, server_ip);
  // Unicast to the new address at the client's MAC (static ARP entry).
  EXPECT_EQ(m[1].ip_destination, first_pool);
  EXPECT_EQ(m[1].eth_destination, mac_b);

  EXPECT_EQ(m[2].type, DhcpMessageType::Request);
  EXPECT_EQ(m[2].xid, m[0].xid);
  EXPECT_EQ(m[2].requested, first_pool);
  EXPECT_EQ(m[2].server_id, server_ip);
  EXPECT_EQ(m[2].ip_destination, Ipv4Address::broadcast());
  EXPECT_EQ(m[3].type, DhcpMessageType::Ack);

  // ESP-IDF's ARP check: two probes half a second apart, then bound.
  EXPECT_EQ(net.arp_probes_from_client(), 2u);
  EXPECT_EQ(net.sim.now() - m[3].at, Duration::seconds(1));

  const std::optional<DhcpLease>& lease = net.client_app.lease();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->address, first_pool);
  EXPECT_EQ(lease->prefix_len, 24);
  EXPECT_EQ(lease->router, server_ip);
  ASSERT_EQ(lease->dns_servers.size, 1u);
  EXPECT_EQ(lease->dns_servers.front(), server_ip);  // ESP-IDF: the server itself
  EXPECT_EQ(lease->mtu, std::optional<std::uint16_t>(1500));
  EXPECT_EQ(lease->lease_seconds, 7200u);  // 120 units of 60 s
  EXPECT_EQ(lease->renewal_seconds, 3600u);
  EXPECT_EQ(lease->rebinding_seconds, 6300u);
  EXPECT_EQ(lease->server_id, server_ip);
  EXPECT_EQ(net.client_address(), (IpCidr{first_pool, 24}));

  ASSERT_EQ(net.events.size(), 1u);
  EXPECT_EQ(net.events[0].event, DhcpClientEvent::AddressGained);
  ASSERT_EQ(net.assigned.size(), 1u);
  EXPECT_EQ(net.assigned[0].address, first_pool);
  EXPECT_EQ(net.assigned[0].mac, mac_b);
  EXPECT_EQ(net.assigned[0].hostname_view(), "espressif");
  EXPECT_EQ(net.server_app.address_of(mac_b), first_pool);
  EXPECT_EQ(net.server_app.client_count(), 1u);

  // The leased address works: the server pings the client.
  Result<PingHandle> ping = net.server.ping_open(7);
  ASSERT_TRUE(ping.ok());
  ASSERT_OK(net.server.ping_send(*ping, first_pool, 1, {}, 0, net.sim.now()));
  net.sim.run_for(Duration::millis(10));
  std::array<std::uint8_t, 8> reply{};
  EXPECT_TRUE(net.server.ping_receive(*ping, reply).ok());
  net.server.ping_close(*ping);
}

TEST(DhcpSim, RenewsAtT1WithAUnicastRequest) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, short_lease(), net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const Instant obtained = net.client_app.lease()->obtained;
  net.log.clear();
  net.sim.run_until(obtained + Duration::seconds(61));
  const std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Request);
  EXPECT_EQ(m[0].at, obtained + Duration::seconds(60));
  EXPECT_EQ(m[0].ip_source, first_pool);
  EXPECT_EQ(m[0].ip_destination, server_ip);
  EXPECT_EQ(m[0].client_ip, first_pool);
  EXPECT_FALSE(m[0].requested.has_value());
  EXPECT_FALSE(m[0].server_id.has_value());
  EXPECT_EQ(m[1].type, DhcpMessageType::Ack);
  EXPECT_EQ(m[1].ip_destination, first_pool);
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Bound);
  ASSERT_EQ(net.events.size(), 2u);
  EXPECT_EQ(net.events[1].event, DhcpClientEvent::LeaseRenewed);
  EXPECT_EQ(net.client_app.lease()->obtained, obtained + Duration::seconds(60));
}

TEST(DhcpSim, RebindsAtT2WhenTheServerIgnoresRenewals) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, short_lease(), net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const Instant obtained = net.client_app.lease()->obtained;
  // Unicast frames from the client to the server are lost.
  net.log.set_filter([](int from, ConstBytes frame) {
    return !(from == 1 && load_be16(frame, 12) == ipv4_type && load_be32(frame, 30) == server_ip.value);
  });
  net.log.clear();
  net.sim.run_until(obtained + Duration::seconds(106));
  // The renewing REQUEST at T1 (60 s) is lost; the next would come after
  // max(60 s, half the time to T2), which is past T2 (105 s): at T2 the
  // client broadcasts instead, and the server answers.
  std::size_t lost = 0;
  for (const FrameLog::Frame& f : net.log.frames()) lost += f.lost ? 1 : 0;
  EXPECT_EQ(lost, 1u);
  const std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Request);
  EXPECT_EQ(m[0].at, obtained + Duration::seconds(105));
  EXPECT_EQ(m[0].ip_source, first_pool);
  EXPECT_EQ(m[0].ip_destination, Ipv4Address::broadcast());
  EXPECT_EQ(m[0].client_ip, first_pool);
  EXPECT_FALSE(m[0].server_id.has_value());
  EXPECT_EQ(m[1].type, DhcpMessageType::Ack);
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Bound);
  EXPECT_EQ(net.events.back().event, DhcpClientEvent::LeaseRenewed);
  EXPECT_EQ(net.client_app.lease()->obtained, obtained + Duration::seconds(105));
}

TEST(DhcpSim, ExpiryRemovesTheAddressAndTheLostTimerReportsIt) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, short_lease(), net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const Instant obtained = net.client_app.lease()->obtained;
  net.server_app.stop(net.server);  // no answers any more
  net.sim.run_until(obtained + Duration::seconds(119));
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Rebinding);
  EXPECT_TRUE(net.client_address().has_value());
  net.sim.run_until(obtained + Duration::seconds(121));
  EXPECT_EQ(net.client_app.stats().expired, 1u);
  EXPECT_FALSE(net.client_address().has_value());
  EXPECT_FALSE(net.client_app.lease().has_value());
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Selecting);
  ASSERT_EQ(net.events.size(), 1u);  // the lost-IP timer has not run out yet
  // Rebinding went on until the lease ended (continuous rebinding).
  std::size_t rebinds = 0;
  for (const Seen& m : net.messages()) {
    if (m.type == DhcpMessageType::Request && m.ip_destination == Ipv4Address::broadcast() &&
        m.client_ip == first_pool) {
      ++rebinds;
    }
  }
  EXPECT_GE(rebinds, 1u);
  net.sim.run_until(obtained + Duration::seconds(120 + 120 + 1));
  ASSERT_EQ(net.events.size(), 2u);
  EXPECT_EQ(net.events[1].event, DhcpClientEvent::AddressLost);
  EXPECT_EQ(net.events[1].at, obtained + Duration::seconds(240));
  EXPECT_EQ(net.events[1].lease.address, first_pool);
}

TEST(DhcpSim, NewLeaseWithinTheLostTimerReportsNoLoss) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, short_lease(), net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const Instant obtained = net.client_app.lease()->obtained;
  net.server_app.stop(net.server);
  net.sim.run_until(obtained + Duration::seconds(125));
  EXPECT_FALSE(net.client_address().has_value());
  ASSERT_OK(net.server_app.start(net.server, short_lease(), net.sim.now()));
  ASSERT_TRUE(net.run_until_bound(Duration::seconds(100)));
  net.sim.run_until(obtained + Duration::seconds(400));
  ASSERT_GE(net.events.size(), 2u);
  for (const Event& e : net.events) EXPECT_NE(e.event, DhcpClientEvent::AddressLost);
  EXPECT_EQ(net.events[1].event, DhcpClientEvent::AddressGained);
  // The DISCOVER after the loss asked for the old address again.
  bool asked = false;
  for (const Seen& m : net.messages()) {
    if (m.type == DhcpMessageType::Discover && m.requested == first_pool) asked = true;
  }
  EXPECT_TRUE(asked);
}

// Another host answers the ARP probe for the offered address: DECLINE, ten
// seconds of waiting, and the server offers another address.
TEST(DhcpSim, DeclinesAnAddressAnotherMacAnswersFor) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.state() == DhcpClientState::Checking; },
                                Duration::seconds(30)));
  const Instant checking = net.sim.now();
  // The answer comes through the server's end of the pipe, from mac_c.
  (void)net.pipe.a().transmit(
      ethernet_frame(mac_b, mac_c, arp_type, arp_packet(ArpOperation::Reply, mac_c, first_pool, mac_b, Ipv4Address{})),
      net.sim.now());
  net.sim.run_for(Duration::millis(100));
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Init);
  EXPECT_EQ(net.client_app.stats().declines, 1u);
  const std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.back().type, DhcpMessageType::Decline);
  EXPECT_EQ(m.back().requested, first_pool);
  EXPECT_EQ(m.back().server_id, server_ip);
  EXPECT_EQ(m.back().ip_destination, Ipv4Address::broadcast());
  EXPECT_FALSE(net.client_address().has_value());
  ASSERT_TRUE(net.run_until_bound());
  const std::vector<Seen> after = net.messages();
  Instant next_discover = Instant::max();
  for (const Seen& s : after) {
    if (s.type == DhcpMessageType::Discover && s.at > checking) next_discover = std::min(next_discover, s.at);
  }
  EXPECT_GE(next_discover - checking, Duration::seconds(10));
  // The declined address stays out of the pool.
  EXPECT_EQ(net.client_app.lease()->address, Ipv4Address::of(192, 0, 2, 3));
  EXPECT_TRUE(net.events.size() == 1 && net.events[0].event == DhcpClientEvent::AddressGained);
}

// ESP-IDF's ARP check: an answer carrying our own MAC (an AP echoing the
// probe) is no conflict.
TEST(DhcpSim, AnAnswerWithOurOwnMacIsNoConflict) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.state() == DhcpClientState::Checking; },
                                Duration::seconds(30)));
  (void)net.pipe.a().transmit(
      ethernet_frame(mac_b, mac_b, arp_type, arp_packet(ArpOperation::Reply, mac_b, first_pool, mac_b, Ipv4Address{})),
      net.sim.now());
  ASSERT_TRUE(net.run_until_bound());
  EXPECT_EQ(net.client_app.lease()->address, first_pool);
  EXPECT_EQ(net.client_app.stats().declines, 0u);
}

TEST(DhcpSim, ReleaseTellsTheServerAndRemovesTheAddress) {
  MemoryStorage storage;
  DhcpClientConfig config;
  config.storage = &storage;
  DhcpNet net(config);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  EXPECT_EQ(storage.saves, 1);
  net.log.clear();
  net.client_app.release(net.client, net.sim.now());
  net.sim.run_for(Duration::seconds(1));
  const std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Release);
  EXPECT_EQ(m[0].client_ip, first_pool);
  EXPECT_EQ(m[0].ip_destination, server_ip);
  EXPECT_EQ(m[0].server_id, server_ip);
  EXPECT_EQ(net.server_app.client_count(), 0u);
  EXPECT_FALSE(net.server_app.address_of(mac_b).has_value());
  EXPECT_FALSE(net.client_address().has_value());
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Stopped);
  EXPECT_FALSE(storage.stored.has_value());
}

// CONFIG_LWIP_DHCP_RESTORE_LAST_IP: the stored address is asked for at
// once (INIT-REBOOT), without DISCOVER.
TEST(DhcpSim, InitRebootAsksForTheStoredAddress) {
  MemoryStorage storage;
  DhcpLease old;
  old.address = Ipv4Address::of(192, 0, 2, 7);
  old.prefix_len = 24;
  storage.stored = old;
  DhcpClientConfig config;
  config.storage = &storage;
  config.restore_last_ip = true;
  DhcpNet net(config);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Rebooting);
  ASSERT_TRUE(net.run_until_bound());
  const std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Request);
  EXPECT_EQ(m[0].requested, old.address);
  EXPECT_FALSE(m[0].server_id.has_value());
  EXPECT_EQ(m[0].client_ip, Ipv4Address::any());
  EXPECT_EQ(m[1].type, DhcpMessageType::Ack);
  EXPECT_EQ(net.client_app.lease()->address, old.address);
  EXPECT_EQ(storage.stored->address, old.address);
}

TEST(DhcpSim, InitRebootNakedFallsBackToDiscover) {
  MemoryStorage storage;
  DhcpLease old;
  old.address = Ipv4Address::of(198, 51, 100, 7);  // another network
  old.prefix_len = 24;
  storage.stored = old;
  DhcpClientConfig config;
  config.storage = &storage;
  config.restore_last_ip = true;
  DhcpNet net(config);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const std::vector<DhcpMessageType> expected{DhcpMessageType::Request, DhcpMessageType::Nak,
                                              DhcpMessageType::Discover, DhcpMessageType::Offer,
                                              DhcpMessageType::Request, DhcpMessageType::Ack};
  EXPECT_EQ(net.types(), expected);
  EXPECT_EQ(net.client_app.lease()->address, first_pool);
  EXPECT_EQ(net.client_app.stats().rx_nak, 1u);
}

TEST(DhcpSim, DiscoverBackoffFollowsRfc2131) {
  DhcpNet net;
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  net.sim.run_for(Duration::seconds(200));
  const std::vector<Seen> m = net.messages();
  ASSERT_GE(m.size(), 6u);
  const std::int64_t base[] = {4, 8, 16, 32, 64};
  for (std::size_t i = 1; i < 6; ++i) {
    EXPECT_EQ(m[i].type, DhcpMessageType::Discover);
    EXPECT_EQ(m[i].xid, m[0].xid);
    const Duration gap = m[i].at - m[i - 1].at;
    EXPECT_GE(gap, Duration::seconds(base[i - 1] - 1)) << i;
    EXPECT_LE(gap, Duration::seconds(base[i - 1] + 1)) << i;
  }
  // secs counts from the first DISCOVER.
  EXPECT_GE(load_be16(ConstBytes(m[3].payload), 8), 26u);
}

// CONFIG_LWIP_AUTOIP: after CONFIG_LWIP_AUTOIP_TRIES unanswered DISCOVERs a
// 169.254/16 address is probed and taken; a lease replaces it later.
TEST(DhcpSim, AutoIpFallbackThenALeaseReplacesIt) {
  DhcpClientConfig config;
  config.autoip = true;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.lease().has_value(); }, Duration::seconds(30)));
  const DhcpLease& lease = *net.client_app.lease();
  EXPECT_TRUE(lease.link_local);
  EXPECT_TRUE(lease.address.is_link_local());
  EXPECT_GE(lease.address.value, Ipv4Address::of(169, 254, 1, 0).value);
  EXPECT_LE(lease.address.value, Ipv4Address::of(169, 254, 254, 255).value);
  EXPECT_EQ(net.client_address(), (IpCidr{lease.address, 16}));
  EXPECT_EQ(net.arp_probes_from_client(), 3u);
  ASSERT_EQ(net.events.size(), 1u);
  EXPECT_EQ(net.events[0].event, DhcpClientEvent::AddressGained);
  EXPECT_TRUE(net.events[0].lease.link_local);
  // DHCP keeps trying; a server appears.
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound(Duration::seconds(120)));
  EXPECT_FALSE(net.client_app.lease()->link_local);
  EXPECT_EQ(net.client_address(), (IpCidr{first_pool, 24}));
  ASSERT_EQ(net.events.size(), 2u);
  EXPECT_EQ(net.events[1].event, DhcpClientEvent::AddressChanged);
  EXPECT_EQ(net.client_app.autoip().state(), AutoIp::State::Off);
}

TEST(DhcpSim, AutoIpPicksAnotherAddressOnConflict) {
  DhcpClientConfig config;
  config.autoip = true;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.autoip().state() == AutoIp::State::Probing; },
                                Duration::seconds(30)));
  const Ipv4Address first = net.client_app.autoip().address();
  (void)net.pipe.a().transmit(
      ethernet_frame(mac_b, mac_c, arp_type, arp_packet(ArpOperation::Reply, mac_c, first, mac_b, Ipv4Address{})),
      net.sim.now());
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.lease().has_value(); }, Duration::seconds(30)));
  EXPECT_NE(net.client_app.lease()->address, first);
  EXPECT_EQ(net.client_app.autoip().conflicts(), 1u);
}

// RFC 3927 2.5 (b): a host claiming the address we hold is answered with
// one announcement; a second claim within DEFEND_INTERVAL (10 s) gives the
// address up and another is probed.
TEST(DhcpSim, AutoIpDefendsOnceThenGivesTheAddressUp) {
  DhcpClientConfig config;
  config.autoip = true;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.autoip().state() == AutoIp::State::Bound; },
                                Duration::seconds(60)));
  const Ipv4Address held = net.client_app.autoip().address();
  const auto claim = [&] {
    (void)net.pipe.a().transmit(
        ethernet_frame(mac_b, mac_c, arp_type, arp_packet(ArpOperation::Request, mac_c, held, MacAddress{}, held)),
        net.sim.now());
  };
  const StatCounter announced = net.client.stats().arp.tx_gratuitous;
  claim();
  net.sim.run_for(Duration::seconds(1));
  EXPECT_EQ(net.client.stats().arp.tx_gratuitous, announced + 1);  // the defence
  EXPECT_EQ(net.client_app.autoip().state(), AutoIp::State::Bound);
  EXPECT_EQ(net.client_app.autoip().conflicts(), 0u);
  EXPECT_EQ(net.client_address(), (IpCidr{held, 16}));
  claim();
  net.sim.run_for(Duration::seconds(1));
  EXPECT_EQ(net.client.stats().arp.tx_gratuitous, announced + 1);  // no second defence
  EXPECT_EQ(net.client_app.autoip().conflicts(), 1u);
  EXPECT_NE(net.client_app.autoip().state(), AutoIp::State::Bound);
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.autoip().state() == AutoIp::State::Bound; },
                                Duration::seconds(60)));
  EXPECT_NE(net.client_app.autoip().address(), held);
}

// Renewal refused (the server lost its state and the pool changed): NAK,
// the address goes, DISCOVER again.
TEST(DhcpSim, NakWhileRenewingDropsTheAddress) {
  DhcpNet net;
  ASSERT_OK(net.server_app.start(net.server, short_lease(), net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  net.server_app.stop(net.server);
  DhcpServerConfig moved = short_lease();
  moved.pool_start = Ipv4Address::of(192, 0, 2, 50);
  moved.pool_end = Ipv4Address::of(192, 0, 2, 60);
  ASSERT_OK(net.server_app.start(net.server, moved, net.sim.now()));
  ASSERT_OK(net.client_app.renew(net.client, net.sim.now()));
  net.sim.run_for(Duration::millis(100));
  EXPECT_EQ(net.client_app.stats().rx_nak, 1u);
  ASSERT_TRUE(net.run_until_bound());
  EXPECT_EQ(net.client_app.lease()->address, Ipv4Address::of(192, 0, 2, 50));
  EXPECT_EQ(net.events.back().event, DhcpClientEvent::AddressChanged);
}

// CONFIG_LWIP_DHCP_DOES_ACD_CHECK: RFC 5227 probing (PROBE_WAIT, three
// probes 1-2 s apart, ANNOUNCE_WAIT) before the address is used.
TEST(DhcpSim, AcdCheckProbesThreeTimes) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::Acd;
  DhcpNet net(config);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  EXPECT_EQ(net.arp_probes_from_client(), 3u);
  const Instant ack = net.messages().back().at;
  EXPECT_GE(net.sim.now() - ack, Duration::seconds(4));
  EXPECT_LE(net.sim.now() - ack, Duration::seconds(7));
}

// The ARP announcements (sender and target both `address`) the client sent.
std::vector<FrameLog::Frame> announcements_from_client(const DhcpNet& net, Ipv4Address address) {
  std::vector<FrameLog::Frame> out;
  for (const FrameLog::Frame& f : net.log.with_ethertype(arp_type, 1)) {
    const ConstBytes arp = ConstBytes(f.bytes).subspan(14);
    if (load_be16(arp, 6) == 1 && load_be32(arp, 14) == address.value && load_be32(arp, 24) == address.value) {
      out.push_back(f);
    }
  }
  return out;
}

// RFC 5227 2.3 with CONFIG_LWIP_DHCP_DOES_ACD_CHECK: once the probes found
// nobody, ANNOUNCE_NUM (2) announcements ANNOUNCE_INTERVAL (2 s) apart,
// the first as the address is taken. Only one went out.
TEST(DhcpSim, AcdAnnouncesTheAddressTwiceTwoSecondsApart) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::Acd;
  DhcpNet net(config);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const Instant bound = net.sim.now();
  net.sim.run_for(Duration::seconds(10));
  const std::vector<FrameLog::Frame> sent = announcements_from_client(net, first_pool);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].at, bound);
  EXPECT_EQ(sent[1].at, bound + Duration::seconds(2));
  // Broadcast ARP request, sender and target 192.0.2.2, target MAC zero.
  const std::string expected =
      "ff ff ff ff ff ff 02 00 00 00 00 0b 08 06 00 01 08 00 06 04 00 01 02 00 00 00 00 0b c0 00 02 02"
      " 00 00 00 00 00 00 c0 00 02 02";
  for (const FrameLog::Frame& f : sent) {
    EXPECT_EQ(to_hex(ConstBytes(f.bytes).first(42)), to_hex(hex(expected)));
  }
}

// RFC 5227 2.4 (b) with CONFIG_LWIP_DHCP_DOES_ACD_CHECK: another host's ARP
// from our leased address is answered with one announcement; another
// within DEFEND_INTERVAL (10 s) of that defence makes the client give the
// address up: DECLINE, and DISCOVER again after 10 s without asking for
// it. A conflict more than 10 s after the last defence is defended again.
// The client used to ignore conflicts once bound.
TEST(DhcpSim, AcdDefendsTheLeaseOnceThenDeclinesIt) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::Acd;
  DhcpNet net(config);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  net.sim.run_for(Duration::seconds(5));  // past the announcements
  const auto claim = [&] {
    (void)net.pipe.a().transmit(ethernet_frame(MacAddress::broadcast(), mac_c, arp_type,
                                               arp_packet(ArpOperation::Request, mac_c, first_pool, MacAddress{},
                                                          first_pool)),
                                net.sim.now());
  };
  const auto defences = [&](Instant since) {
    std::vector<Instant> at;
    for (const FrameLog::Frame& f : announcements_from_client(net, first_pool)) {
      if (f.at >= since) at.push_back(f.at);
    }
    return at;
  };
  const Instant first = net.sim.now();
  claim();
  net.sim.run_for(Duration::seconds(11));
  EXPECT_EQ(defences(first), std::vector<Instant>{first});
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Bound);
  EXPECT_EQ(net.client_address(), (IpCidr{first_pool, 24}));

  const Instant second = net.sim.now();  // 11 s after the last defence: defended again
  claim();
  net.sim.run_for(Duration::seconds(9));
  EXPECT_EQ(defences(second), std::vector<Instant>{second});
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Bound);

  const Instant third = net.sim.now();  // 9 s after it: given up
  net.log.clear();
  claim();
  net.sim.run_for(Duration::millis(100));
  EXPECT_TRUE(defences(third).empty());
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Init);
  EXPECT_FALSE(net.client_address().has_value());
  EXPECT_EQ(net.client_app.stats().declines, 1u);
  std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Decline);
  EXPECT_EQ(m[0].at, third);
  EXPECT_EQ(m[0].ip_source, Ipv4Address::any());
  EXPECT_EQ(m[0].ip_destination, Ipv4Address::broadcast());
  EXPECT_EQ(m[0].client_ip, Ipv4Address::any());
  EXPECT_EQ(m[0].requested, first_pool);
  EXPECT_EQ(m[0].server_id, server_ip);

  ASSERT_TRUE(net.run_until_bound());
  m = net.messages();
  ASSERT_GE(m.size(), 2u);
  EXPECT_EQ(m[1].type, DhcpMessageType::Discover);
  EXPECT_EQ(m[1].at, third + Duration::seconds(10));
  EXPECT_FALSE(m[1].requested.has_value());
  EXPECT_EQ(net.client_app.lease()->address, Ipv4Address::of(192, 0, 2, 3));
}

TEST(DhcpSim, NoCheckBindsAtOnceAndHostnameIsPerNetif) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::None;
  config.send_client_id = false;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.set_hostname("sensor-7"));
  EXPECT_ERROR(net.client_app.set_hostname(std::string(64, 'x')), Error::InvalidArgument);
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  EXPECT_EQ(net.arp_probes_from_client(), 0u);
  EXPECT_EQ(net.sim.now(), net.messages().back().at);
  EXPECT_EQ(net.messages()[0].hostname, "sensor-7");
  EXPECT_EQ(net.assigned.back().hostname_view(), "sensor-7");
  Result<DhcpRepr> discover = DhcpRepr::parse(net.messages()[0].payload);
  ASSERT_TRUE(discover.ok());
  EXPECT_TRUE(discover->client_id.empty());
}

// Replies that are not for this client are counted, not taken.
// lwIP's dhcp sets the DNS servers and MTU of the lease; lwnet publishes
// the servers on the stack (core/learned_servers.h) for the resolver.
TEST(DhcpSim, LeaseDnsServersArePublishedAndItsMtuApplied) {
  DhcpNet net;
  DhcpServerConfig c;
  c.dns_main = Ipv4Address::of(192, 0, 2, 53);
  c.dns_backup = Ipv4Address::of(192, 0, 2, 54);
  c.mtu = 1400;
  ASSERT_OK(net.server_app.start(net.server, c, net.sim.now()));
  const std::uint32_t before = net.client.learned_dns_servers().generation();
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound());
  const LearnedServers& dns = net.client.learned_dns_servers();
  EXPECT_EQ(dns.generation(), before + 1);
  EXPECT_EQ(dns.source(), ServerSource::Dhcp4);
  EXPECT_EQ(dns.netif(), DhcpNet::client_if_id());
  ASSERT_EQ(dns.servers().size(), 2u);
  EXPECT_EQ(dns.servers()[0], IpAddress(c.dns_main));
  EXPECT_EQ(dns.servers()[1], IpAddress(c.dns_backup));
  Result<NetifInfo> info = net.client.netif_info(DhcpNet::client_if_id());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mtu, 1400u);
}

TEST(DhcpSim, ForeignAndMalformedRepliesAreDropped) {
  DhcpNet net;
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  net.sim.settle();
  auto inject = [&](const std::vector<std::uint8_t>& payload) {
    Ipv4Repr ip;
    ip.source = server_ip;
    ip.destination = Ipv4Address::broadcast();
    ip.protocol = 17;
    const ByteVector packet = ipv4_packet(ip, udp_datagram(server_ip, ip.destination, 67, 68, payload));
    (void)net.pipe.a().transmit(ethernet_frame(MacAddress::broadcast(), mac_a, ipv4_type, packet), net.sim.now());
    net.sim.settle();
  };
  DhcpRepr offer;
  offer.is_reply = true;
  offer.xid = net.messages()[0].xid + 1;  // another transaction
  offer.client_mac = mac_b;
  offer.your_ip = first_pool;
  offer.message_type = DhcpMessageType::Offer;
  offer.server_identifier = server_ip;
  std::vector<std::uint8_t> bytes(offer.buffer_len());
  offer.emit(bytes);
  inject(bytes);
  EXPECT_EQ(net.client_app.stats().drop_not_ours, 1u);
  bytes.resize(200);
  inject(bytes);
  EXPECT_EQ(net.client_app.stats().drop_malformed, 1u);
  offer.xid = net.messages()[0].xid;
  offer.message_type = DhcpMessageType::Ack;  // an ACK while selecting
  bytes.assign(offer.buffer_len(), 0);
  offer.emit(bytes);
  inject(bytes);
  EXPECT_EQ(net.client_app.stats().drop_unexpected, 1u);
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Selecting);
}

// RFC 2131 4.4.5: T1 and T2 default to 0.5 and 0.875 of the lease. A T1 or
// T2 of 0, a T1 not before T2 or a T2 not before the end of the lease are
// no times to renew at (taken as they were, every ACK started the next
// renewal at once: thousands of REQUESTs a second); the defaults stand in.
TEST(DhcpSim, UnusableRenewalTimesFallBackToTheDefaults) {
  struct Case {
    std::optional<std::uint32_t> t1, t2;
    std::uint32_t renewal, rebinding;  // what the lease ends up with
  };
  const Case cases[] = {
      {0, std::nullopt, 1800, 3150},
      {std::nullopt, 0, 1800, 3150},
      {0, 0, 1800, 3150},
      {3000, 2000, 1800, 2000},
      {600, 3600, 600, 3150},
      {std::nullopt, 5000, 1800, 3150},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "T1 " << c.t1.value_or(9999) << " T2 " << c.t2.value_or(9999));
    DhcpClientConfig config;
    config.address_check = config::DhcpAddressCheck::None;
    DhcpNet net(config);
    ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
    run_scripted(net, Duration::seconds(10), [&](const DhcpRepr& m) -> std::optional<DhcpRepr> {
      if (m.message_type == DhcpMessageType::Discover) return reply_to(m, DhcpMessageType::Offer);
      if (m.message_type != DhcpMessageType::Request) return std::nullopt;
      DhcpRepr ack = reply_to(m, DhcpMessageType::Ack);
      ack.renewal_seconds = c.t1;
      ack.rebinding_seconds = c.t2;
      return ack;
    });
    const std::vector<Seen> m = net.messages();
    EXPECT_EQ(count_from_client(m, DhcpMessageType::Discover), 1u);
    EXPECT_EQ(count_from_client(m, DhcpMessageType::Request), 1u);
    EXPECT_EQ(net.client_app.state(), DhcpClientState::Bound);
    ASSERT_TRUE(net.client_app.lease().has_value());
    EXPECT_EQ(net.client_app.lease()->lease_seconds, 3600u);
    EXPECT_EQ(net.client_app.lease()->renewal_seconds, c.renewal);
    EXPECT_EQ(net.client_app.lease()->rebinding_seconds, c.rebinding);
    // The renewal comes at T1 after the ACK, and only then.
    const Instant bound_at = net.client_app.lease()->obtained;
    net.log.clear();
    run_scripted(net, bound_at + Duration::seconds(c.renewal) - net.sim.now() - Duration::millis(1),
                 [](const DhcpRepr&) { return std::nullopt; });
    EXPECT_TRUE(net.messages().empty());
  }
}

// A lease of a second (or of none) is held for one coarse timer tick, as
// lwIP does: the client renews, or starts over, no sooner than that.
TEST(DhcpSim, ALeaseOfZeroSecondsLastsOneTick) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::None;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  run_scripted(net, Duration::seconds(10), [](const DhcpRepr& m) -> std::optional<DhcpRepr> {
    if (m.message_type == DhcpMessageType::Discover) return reply_to(m, DhcpMessageType::Offer);
    if (m.message_type != DhcpMessageType::Request) return std::nullopt;
    DhcpRepr ack = reply_to(m, DhcpMessageType::Ack);
    ack.lease_seconds = 0;
    return ack;
  });
  const std::vector<Seen> m = net.messages();
  const std::size_t requests = count_from_client(m, DhcpMessageType::Request);
  // One exchange per tick at most (the first at 0 s, the last at 10 s).
  EXPECT_GE(requests, 2u);
  EXPECT_LE(requests, 10u / config::dhcp_coarse_timer_secs + 1);
  std::size_t too_soon = 0;
  for (std::size_t i = 1; i < m.size(); ++i) {
    if (m[i].from != 1) continue;
    for (std::size_t j = i; j-- > 0;) {
      if (m[j].from == 1 && m[j].type == m[i].type) {
        if (m[i].at - m[j].at < Duration::seconds(config::dhcp_coarse_timer_secs)) ++too_soon;
        break;
      }
    }
  }
  EXPECT_EQ(too_soon, 0u);
}

// RFC 5227 2.4 / RFC 3927 2.5: once the address is ours, only a packet
// whose sender IP is our address is a conflict. Another host's probe for
// it (sender IP 0) is answered, and the address stays; the probe state
// of our own probing used to count it, and a second probe within 10 s
// made AutoIP give the address up.
TEST(DhcpSim, AutoIpKeepsItsAddressWhenAnotherHostProbesForIt) {
  DhcpClientConfig config;
  config.autoip = true;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.autoip().state() == AutoIp::State::Bound; },
                                Duration::seconds(60)));
  const Ipv4Address held = net.client_app.autoip().address();
  net.log.clear();
  for (int i = 0; i < 3; ++i) {
    (void)net.pipe.a().transmit(
        ethernet_frame(MacAddress::broadcast(), mac_c, arp_type,
                       arp_packet(ArpOperation::Request, mac_c, Ipv4Address{}, MacAddress{}, held)),
        net.sim.now());
    net.sim.run_for(Duration::millis(1500));
  }
  EXPECT_EQ(net.client_app.autoip().state(), AutoIp::State::Bound);
  EXPECT_EQ(net.client_app.autoip().address(), held);
  EXPECT_EQ(net.client_app.autoip().conflicts(), 0u);
  EXPECT_EQ(net.client_address(), (IpCidr{held, 16}));
  EXPECT_EQ(net.client.arp_conflicts(DhcpNet::client_if_id()), 0u);
  // Each probe got an ARP reply to the prober, which tells it the address is taken.
  std::size_t replies = 0;
  for (const FrameLog::Frame& f : net.log.with_ethertype(arp_type, 1)) {
    const ConstBytes arp = ConstBytes(f.bytes).subspan(14);
    if (load_be16(arp, 6) == 2 && load_be32(arp, 14) == held.value && frame_destination_mac(f.bytes) == mac_c) {
      ++replies;
    }
  }
  EXPECT_EQ(replies, 3u);
}

// A server that offers an address and then refuses it: after each NAK the
// client waits (3 to 5 s, then the DISCOVER backoff) before the next
// DISCOVER. Starting over at once made about 80 DISCOVERs a second.
TEST(DhcpSim, ANakedOfferPausesBeforeTheNextDiscover) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::None;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  run_scripted(net, Duration::seconds(20), [](const DhcpRepr& m) -> std::optional<DhcpRepr> {
    if (m.message_type == DhcpMessageType::Discover) return reply_to(m, DhcpMessageType::Offer);
    if (m.message_type == DhcpMessageType::Request) return reply_to(m, DhcpMessageType::Nak);
    return std::nullopt;
  });
  std::vector<Instant> discovers;
  for (const Seen& s : net.messages()) {
    if (s.from == 1 && s.type == DhcpMessageType::Discover) discovers.push_back(s.at);
  }
  // At 0 s, 3..5 s, then 7..9 s after that.
  ASSERT_EQ(discovers.size(), 3u);
  EXPECT_GE(discovers[1] - discovers[0], Duration::seconds(3));
  EXPECT_LE(discovers[1] - discovers[0], Duration::seconds(5));
  EXPECT_GE(discovers[2] - discovers[1], Duration::seconds(7));
  EXPECT_LE(discovers[2] - discovers[1], Duration::seconds(9));
  EXPECT_EQ(net.client_app.stats().rx_nak, 3u);
  EXPECT_EQ(net.client_app.stats().tx_request, 3u);
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Init);
  EXPECT_FALSE(net.client_address().has_value());
}

// RFC 2131 table 3: an OFFER MUST carry the server identifier (54); one
// without it names no server to REQUEST from, so it is dropped (the IP
// source used to stand in for it).
TEST(DhcpSim, AnOfferWithoutServerIdentifierIsDropped) {
  DhcpClientConfig config;
  config.address_check = config::DhcpAddressCheck::None;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  run_scripted(net, Duration::seconds(2), [](const DhcpRepr& m) -> std::optional<DhcpRepr> {
    if (m.message_type == DhcpMessageType::Discover) {
      DhcpRepr offer = reply_to(m, DhcpMessageType::Offer);
      offer.server_identifier.reset();
      return offer;
    }
    if (m.message_type == DhcpMessageType::Request) return reply_to(m, DhcpMessageType::Ack);
    return std::nullopt;
  });
  const std::vector<DhcpMessageType> expected{DhcpMessageType::Discover, DhcpMessageType::Offer};
  EXPECT_EQ(net.types(), expected);
  EXPECT_EQ(net.client_app.stats().rx_offer, 1u);
  EXPECT_EQ(net.client_app.stats().drop_bad_lease, 1u);
  EXPECT_EQ(net.client_app.stats().tx_request, 0u);
  EXPECT_EQ(net.client_app.state(), DhcpClientState::Selecting);
}

// RFC 2131 4.1: what a client broadcasts before it has a lease leaves from
// 0.0.0.0, also while it holds an AutoIP address (which is no lease: lwIP
// sends from IP_ANY too). It went out from the 169.254/16 address.
TEST(DhcpSim, MessagesBeforeALeaseComeFromZeroWhileALinkLocalAddressIsHeld) {
  DhcpClientConfig config;
  config.autoip = true;
  DhcpNet net(config);
  ASSERT_OK(net.client_app.start(net.client, net.sim.now()));
  ASSERT_TRUE(net.sim.run_until([&] { return net.client_app.lease().has_value(); }, Duration::seconds(30)));
  ASSERT_TRUE(net.client_app.lease()->link_local);
  net.log.clear();
  ASSERT_TRUE(net.sim.run_until([&] { return !net.messages().empty(); }, Duration::seconds(70)));
  std::vector<Seen> m = net.messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].type, DhcpMessageType::Discover);
  EXPECT_EQ(m[0].ip_source, Ipv4Address::any());
  EXPECT_EQ(m[0].ip_destination, Ipv4Address::broadcast());
  EXPECT_EQ(m[0].client_ip, Ipv4Address::any());
  EXPECT_EQ(m[0].payload[10], 0x80);  // the broadcast flag: unicast replies would not reach us
  // The REQUEST for the offer too.
  ASSERT_OK(net.server_app.start(net.server, DhcpServerConfig{}, net.sim.now()));
  ASSERT_TRUE(net.run_until_bound(Duration::seconds(120)));
  m = net.messages();
  ASSERT_GE(count_from_client(m, DhcpMessageType::Request), 1u);
  for (const Seen& s : m) {
    if (s.from == 1) {
      EXPECT_EQ(s.ip_source, Ipv4Address::any()) << to_string(s.type);
    }
  }
  EXPECT_EQ(net.client_address(), (IpCidr{first_pool, 24}));
}

}  // namespace
}  // namespace lwnet::test::dhcp_test
