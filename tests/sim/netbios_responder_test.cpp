// The NetBIOS responder (apps/netbios_responder.h) on stack A answering
// name queries from B: the exact answer bytes, case-insensitive matching,
// silence for other names and node status requests, counted bad packets.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "apps/netbios_responder.h"
#include "support/hex.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::netbios_responder_test {
namespace {

struct NetbiosNet {
  NetbiosNet() {
    net.sim.settle();
    asker = *net.b.udp_open();
    EXPECT_OK(net.b.udp_bind(asker, {IpAddress{}, 40000}));
    net.b.udp_set_broadcast(asker, true);
    EXPECT_OK(responder.set_name("lwnetdev"));
    EXPECT_OK(responder.start(net.a));
  }
  ~NetbiosNet() { responder.stop(net.a); }

  void ask(const std::string& name, std::uint16_t id, std::uint16_t type = netbios_type_nb,
           Ipv4Address to = ip_a) {
    NetbiosNameQuery q;
    q.transaction_id = id;
    q.flags = to == Ipv4Address::of(192, 0, 2, 255) ? netbios_flag_broadcast | netbios_flag_recursion_desired
                                                    : netbios_flag_recursion_desired;
    q.name = *NetbiosName::of(name, 0);
    q.type = type;
    std::array<std::uint8_t, NetbiosNameQuery::size> out{};
    q.emit(out);
    ASSERT_OK(net.b.udp_send_to(asker, out, {to, netbios_name_service_port}, net.sim.now()));
    net.sim.run_for(Duration::millis(10));
  }
  std::vector<std::vector<std::uint8_t>> answers() {
    std::vector<std::vector<std::uint8_t>> out;
    std::array<std::uint8_t, 256> buf{};
    while (true) {
      Result<UdpReceived> r = net.b.udp_receive(asker, buf);
      if (!r) return out;
      EXPECT_EQ(r->from, (IpEndpoint{ip_a, netbios_name_service_port}));
      out.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r->copied));
    }
  }

  TwoHosts net;
  UdpHandle asker;
  NetbiosResponder responder;
};

TEST(NetbiosResponderSim, AnswersItsNameWithExactBytes) {
  NetbiosNet t;
  t.ask("LWNETDEV", 0x33ce);
  auto got = t.answers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], hex("33 ce 85 00 00 00 00 01 00 00 00 00"
                        "20 45 4d 46 48 45 4f 45 46 46 45 45 45 45 46 46 47 43 41 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00"
                        "00 20 00 01 00 04 93 e0 00 06 00 00 c0 00 02 01"));
  // Broadcast queries too, and any case.
  t.ask("LwNetDev", 7, netbios_type_nb, Ipv4Address::of(192, 0, 2, 255));
  got = t.answers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0][0], 0);
  EXPECT_EQ(got[0][1], 7);
  EXPECT_EQ(t.responder.stats().answered, 2u);
}

// lwIP takes any name of up to 15 characters: a space or a dot is one more
// character on the wire (RFC 1001 14.1), upper-cased and padded with
// spaces like the rest. Such names used to be refused, so the responder
// kept answering for its old name only.
TEST(NetbiosResponderSim, AnswersANameWithASpaceAndADot) {
  NetbiosNet t;
  ASSERT_OK(t.responder.set_name("my host.lan"));
  EXPECT_EQ(t.responder.name(), "my host.lan");
  // What `nmblookup -U 192.0.2.1 'MY HOST.LAN'` sends.
  const std::vector<std::uint8_t> query = hex("51 7a 01 00 00 01 00 00 00 00 00 00"
                                              "20 45 4e 46 4a 43 41 45 49 45 50 46 44 46 45 43 4f 45 4d 45 42 45 4f"
                                              "43 41 43 41 43 41 43 41 41 41 00"
                                              "00 20 00 01");
  ASSERT_OK(t.net.b.udp_send_to(t.asker, query, {ip_a, netbios_name_service_port}, t.net.sim.now()));
  t.net.sim.run_for(Duration::millis(10));
  auto got = t.answers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], hex("51 7a 85 00 00 00 00 01 00 00 00 00"
                        "20 45 4e 46 4a 43 41 45 49 45 50 46 44 46 45 43 4f 45 4d 45 42 45 4f"
                        "43 41 43 41 43 41 43 41 41 41 00"
                        "00 20 00 01 00 04 93 e0 00 06 00 00 c0 00 02 01"));
  EXPECT_EQ(t.responder.stats().answered, 1u);
  EXPECT_EQ(t.responder.stats().not_ours, 0u);
}

TEST(NetbiosResponderSim, SilentForOtherNamesAndCountsBadPackets) {
  NetbiosNet t;
  t.ask("OTHERHOST", 1);
  t.ask("LWNETDEV", 2, netbios_type_nbstat);
  std::array<std::uint8_t, 5> junk{};
  ASSERT_OK(t.net.b.udp_send_to(t.asker, junk, {ip_a, netbios_name_service_port}, t.net.sim.now()));
  t.net.sim.run_for(Duration::millis(10));
  EXPECT_TRUE(t.answers().empty());
  EXPECT_EQ(t.responder.stats().not_ours, 2u);
  EXPECT_EQ(t.responder.stats().drop_malformed, 1u);
  // A new name takes over at once; the old one is no longer answered.
  ASSERT_OK(t.responder.set_name("renamed"));
  t.ask("LWNETDEV", 3);
  t.ask("RENAMED", 4);
  auto got = t.answers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0][1], 4);
  EXPECT_EQ(t.responder.set_name("").error(), Error::InvalidArgument);
  EXPECT_EQ(t.responder.name(), "renamed");
}

TEST(NetbiosResponderSim, StopReleasesThePort) {
  NetbiosNet t;
  EXPECT_EQ(t.responder.start(t.net.a).error(), Error::AlreadyConnected);
  t.responder.stop(t.net.a);
  t.ask("LWNETDEV", 5);
  EXPECT_TRUE(t.answers().empty());
  ASSERT_OK(t.responder.start(t.net.a));
  t.ask("LWNETDEV", 6);
  EXPECT_EQ(t.answers().size(), 1u);
}

}  // namespace
}  // namespace lwnet::test::netbios_responder_test
