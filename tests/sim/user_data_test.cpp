// Every core handle carries its owner's pointer (lwIP's tcp_arg): set,
// read back inside the event callbacks, dropped with the handle, never
// inherited by the next handle in the same slot.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::user_data_test {
namespace {

struct Seen {
  Stack* stack = nullptr;
  std::vector<void*> tcp;
  std::vector<void*> udp;
};

void record_tcp(void* context, TcpHandle h, std::uint8_t /*events*/) {
  auto* seen = static_cast<Seen*>(context);
  seen->tcp.push_back(seen->stack->tcp_user_data(h));
}

void record_udp(void* context, UdpHandle h) {
  auto* seen = static_cast<Seen*>(context);
  seen->udp.push_back(seen->stack->udp_user_data(h));
}

TEST(UserDataSim, TcpListenerAndConnectionsCarryTheirOwnersPointer) {
  TwoHosts net;
  net.sim.settle();
  int listener_owner = 0;
  int server_owner = 0;
  Seen seen{&net.b, {}, {}};
  net.b.set_tcp_event_callback(&record_tcp, &seen);

  TcpHandle listener = *net.b.tcp_listen({IpAddress{}, 80}, 4);
  EXPECT_EQ(net.b.tcp_user_data(listener), nullptr);
  ASSERT_OK(net.b.tcp_set_user_data(listener, &listener_owner));
  EXPECT_EQ(net.b.tcp_user_data(listener), &listener_owner);

  TcpHandle client = *net.a.tcp_connect({ip_b, 80}, net.sim.now());
  ASSERT_TRUE(net.sim.run_until([&] { return net.b.tcp_pending_accepts(listener) == 1; },
                                Duration::seconds(5)));
  // The listener's event (a connection to accept) carried its pointer.
  ASSERT_FALSE(seen.tcp.empty());
  EXPECT_EQ(seen.tcp.back(), &listener_owner);

  TcpHandle server = *net.b.tcp_accept(listener);
  EXPECT_EQ(net.b.tcp_user_data(server), nullptr);  // not the listener's
  ASSERT_OK(net.b.tcp_set_user_data(server, &server_owner));
  seen.tcp.clear();
  ASSERT_TRUE(net.a.tcp_send(client, std::array<std::uint8_t, 3>{1, 2, 3}, net.sim.now()).ok());
  net.sim.settle();
  ASSERT_FALSE(seen.tcp.empty());
  EXPECT_EQ(seen.tcp.back(), &server_owner);

  // Closing drops the pointer; the stale handle reaches nothing.
  net.b.tcp_close(server, net.sim.now());
  EXPECT_EQ(net.b.tcp_user_data(server), nullptr);
  EXPECT_EQ(net.b.tcp_set_user_data(server, &server_owner).error(), Error::Closed);
  net.b.tcp_close(listener, net.sim.now());
  EXPECT_EQ(net.b.tcp_user_data(listener), nullptr);

  // The next listener in the freed slot starts without one.
  TcpHandle again = *net.b.tcp_listen({IpAddress{}, 81}, 4);
  EXPECT_EQ(again.slot, listener.slot);
  EXPECT_EQ(net.b.tcp_user_data(again), nullptr);
  EXPECT_EQ(net.b.tcp_user_data(TcpHandle{}), nullptr);
  net.a.tcp_abort(client, net.sim.now());
}

TEST(UserDataSim, UdpAndRawEndpointsCarryTheirOwnersPointer) {
  TwoHosts net;
  net.sim.settle();
  int udp_owner = 0;
  int raw_owner = 0;
  Seen seen{&net.b, {}, {}};
  net.b.set_udp_event_callback(&record_udp, &seen);

  UdpHandle u = *net.b.udp_open();
  EXPECT_EQ(net.b.udp_user_data(u), nullptr);
  ASSERT_OK(net.b.udp_set_user_data(u, &udp_owner));
  ASSERT_OK(net.b.udp_bind(u, {IpAddress{}, 7}));
  UdpHandle sender = *net.a.udp_open();
  ASSERT_OK(net.a.udp_send_to(sender, pattern(10), {ip_b, 7}, net.sim.now()));
  net.sim.settle();
  ASSERT_EQ(seen.udp.size(), 1U);
  EXPECT_EQ(seen.udp[0], &udp_owner);
  net.b.udp_close(u);
  EXPECT_EQ(net.b.udp_user_data(u), nullptr);
  EXPECT_EQ(net.b.udp_set_user_data(u, &udp_owner).error(), Error::Closed);
  UdpHandle reused = *net.b.udp_open();
  EXPECT_EQ(reused.slot, u.slot);
  EXPECT_EQ(net.b.udp_user_data(reused), nullptr);

  RawHandle r = *net.b.raw_open(1);
  EXPECT_EQ(net.b.raw_user_data(r), nullptr);
  ASSERT_OK(net.b.raw_set_user_data(r, &raw_owner));
  EXPECT_EQ(net.b.raw_user_data(r), &raw_owner);
  net.b.raw_close(r);
  EXPECT_EQ(net.b.raw_user_data(r), nullptr);
  EXPECT_EQ(net.b.raw_set_user_data(r, &raw_owner).error(), Error::Closed);
  RawHandle raw_again = *net.b.raw_open(1);
  EXPECT_EQ(raw_again.slot, r.slot);
  EXPECT_EQ(net.b.raw_user_data(raw_again), nullptr);
  net.b.raw_close(raw_again);
  net.b.udp_close(reused);
  net.a.udp_close(sender);
}

}  // namespace
}  // namespace lwnet::test::user_data_test
