// lwnet's DHCP client against lwnet's DHCP server, two stacks over a pipe on
// virtual time: whole exchanges message by message, renew at T1, rebind at
// T2, expiry and the lost-IP timer, DECLINE on an ARP conflict, RELEASE,
// INIT-REBOOT from a stored lease, AutoIP, the server's pool and eviction.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/dhcp_client.h"
#include "apps/dhcp_server.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"
#include "wire/ethernet.h"
#include "wire/udp.h"

namespace lwnet::test {
namespace {

constexpr Ipv4Address server_ip = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address first_pool = Ipv4Address::of(192, 0, 2, 2);
constexpr std::uint16_t ipv4_type = 0x0800;
constexpr std::uint16_t arp_type = 0x0806;

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

}  // namespace
}  // namespace lwnet::test
