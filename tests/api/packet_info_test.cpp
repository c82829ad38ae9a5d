// IP_PKTINFO with CONFIG_LWIP_NETBUF_RECVINFO on (this executable's copy of
// the stack is built with it; the default build refuses the option, which
// socket_options_test.cpp checks): recvmsg() delivers a struct in_pktinfo
// laid out as on Linux, with the receiving netif's index and the datagram's
// destination address, over loopback and over a second netif; MSG_CTRUNC
// when the control buffer is too small. Both core modes.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <array>
#include <chrono>
#include <climits>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/socket_layer.h"
#include "api/tcpip_thread.h"
#include "config/options.h"
#include "datagram_device.h"
#include "socket_fixture.h"
#include "support/frames.h"

static_assert(lwnet::config::netbuf_recvinfo, "built with CONFIG_LWIP_NETBUF_RECVINFO=1");

namespace lwnet::test::packet_info_test {
namespace {

using namespace sockets;

constexpr MacAddress mac_stack{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
constexpr MacAddress mac_peer{{0x02, 0x00, 0x00, 0x00, 0x00, 0xee}};
constexpr Ipv4Address ip_stack = Ipv4Address::of(192, 0, 2, 1);
constexpr Ipv4Address ip_peer = Ipv4Address::of(192, 0, 2, 99);


struct Received {
  ssize_t size = -1;
  int flags = 0;
  std::size_t control_length = 0;
  std::optional<in_pktinfo> info;  // from a whole control message
  std::vector<std::size_t> message_lengths;  // cmsg_len of each control message
  std::string data;
};

class PacketInfoTest : public SocketLayerFixture<bool> {
 protected:
  PacketInfoTest() : SocketLayerFixture(GetParam(), 5) {}
  void SetUp() override {
    start_layer();
    ASSERT_GE(wire_.stack_fd, 0);
    NetifConfig en0;
    en0.name = "en0";
    en0.mac = mac_stack;
    en0.ipv4 = IpCidr{ip_stack, 24};
    ASSERT_TRUE(thread_.add_netif(wire_.device, wire_.stack_fd, en0).ok());
  }

  // recvmsg() with `control_room` bytes of control buffer (waits up to 2 s).
  Received receive(int s, std::size_t control_room) {
    Received r;
    std::array<char, 64> data{};
    iovec part{data.data(), data.size()};
    alignas(cmsghdr) std::array<unsigned char, 128> control{};
    msghdr m{};
    m.msg_iov = &part;
    m.msg_iovlen = 1;
    m.msg_control = control_room == 0 ? nullptr : control.data();
    m.msg_controllen = control_room;
    r.size = l().recvmsg(s, &m, 0);
    if (r.size < 0) return r;
    r.data.assign(data.data(), static_cast<std::size_t>(r.size));
    r.flags = m.msg_flags;
    r.control_length = m.msg_controllen;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
      EXPECT_EQ(c->cmsg_level, IPPROTO_IP);
      EXPECT_EQ(c->cmsg_type, IP_PKTINFO);
      r.message_lengths.push_back(c->cmsg_len);
      if (c->cmsg_len < CMSG_LEN(sizeof(in_pktinfo))) continue;  // cut short
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      r.info = info;
    }
    return r;
  }

  DatagramWire wire_;
};

INSTANTIATE_TEST_SUITE_P(Modes, PacketInfoTest, ::testing::Values(false, true),
                         [](const auto& test_info) {
                           return std::string(test_info.param ? "CoreLocking" : "MessagePassing");
                         });

TEST_P(PacketInfoTest, RecvmsgDeliversTheDestinationAndTheNetif) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in any = address(INADDR_ANY, 5300);
  ASSERT_EQ(l().bind(u, sa(any), in_len), 0);
  const timeval wait{2, 0};
  ASSERT_EQ(l().setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
  int on = 1;
  ASSERT_EQ(l().setsockopt(u, IPPROTO_IP, IP_PKTINFO, &on, sizeof on), 0);

  // Over loopback: netif 0 (index 1), to 127.0.0.1.
  const sockaddr_in lo = address(INADDR_LOOPBACK, 5300);
  ASSERT_EQ(l().sendto(u, "lo", 2, 0, sa(lo), in_len), 2);
  Received r = receive(u, CMSG_SPACE(sizeof(in_pktinfo)));
  ASSERT_EQ(r.size, 2) << std::strerror(errno);
  EXPECT_EQ(r.data, "lo");
  ASSERT_TRUE(r.info.has_value());
  EXPECT_EQ(r.control_length, CMSG_SPACE(sizeof(in_pktinfo)));
  EXPECT_EQ(r.flags, 0);
  EXPECT_EQ(r.info->ipi_ifindex, 1);
  EXPECT_EQ(ntohl(r.info->ipi_addr.s_addr), INADDR_LOOPBACK);
  EXPECT_EQ(ntohl(r.info->ipi_spec_dst.s_addr), INADDR_LOOPBACK);

  // From the peer on en0 (netif 1: index 2), unicast then subnet broadcast.
  for (const Ipv4Address to : {ip_stack, Ipv4Address::of(192, 0, 2, 255)}) {
    const ByteVector payload{'e', 'n'};
    Ipv4Repr ip;
    ip.source = ip_peer;
    ip.destination = to;
    ip.protocol = IPPROTO_UDP;
    const MacAddress mac = to == ip_stack ? mac_stack : MacAddress::broadcast();
    ASSERT_TRUE(wire_.send_frame(
        ethernet_frame(mac, mac_peer, 0x0800, ipv4_packet(ip, udp_datagram(ip_peer, to, 7, 5300, payload)))));
    r = receive(u, 128);
    ASSERT_EQ(r.size, 2) << std::strerror(errno);
    ASSERT_TRUE(r.info.has_value());
    EXPECT_EQ(r.info->ipi_ifindex, 2);
    EXPECT_EQ(ntohl(r.info->ipi_addr.s_addr), to.value);
    // Where a reply comes from: the netif's own address, also for the
    // broadcast (Linux's ipi_spec_dst).
    EXPECT_EQ(ntohl(r.info->ipi_spec_dst.s_addr), ip_stack.value);
  }

  // Too little room for the whole message: as much as fits, its cmsg_len
  // saying so, and MSG_CTRUNC (Linux's put_cmsg); the data still comes.
  ASSERT_EQ(l().sendto(u, "cut", 3, 0, sa(lo), in_len), 3);
  r = receive(u, CMSG_LEN(sizeof(in_pktinfo)) - 1);
  ASSERT_EQ(r.size, 3);
  EXPECT_FALSE(r.info.has_value());
  EXPECT_EQ(r.message_lengths, std::vector<std::size_t>{CMSG_LEN(sizeof(in_pktinfo)) - 1});
  EXPECT_EQ(r.control_length, CMSG_LEN(sizeof(in_pktinfo)) - 1);
  EXPECT_EQ(r.flags, MSG_CTRUNC);
  // Room for less than a header: nothing but the flag.
  ASSERT_EQ(l().sendto(u, "cut", 3, 0, sa(lo), in_len), 3);
  r = receive(u, sizeof(cmsghdr) - 1);
  ASSERT_EQ(r.size, 3);
  EXPECT_TRUE(r.message_lengths.empty());
  EXPECT_EQ(r.control_length, 0U);
  EXPECT_EQ(r.flags, MSG_CTRUNC);

  // Off again: nothing.
  on = 0;
  ASSERT_EQ(l().setsockopt(u, IPPROTO_IP, IP_PKTINFO, &on, sizeof on), 0);
  ASSERT_EQ(l().sendto(u, "off", 3, 0, sa(lo), in_len), 3);
  r = receive(u, 128);
  ASSERT_EQ(r.size, 3);
  EXPECT_FALSE(r.info.has_value());
  EXPECT_EQ(r.control_length, 0U);
  EXPECT_EQ(r.flags, 0);
  EXPECT_EQ(l().close(u), 0);
}

// CONFIG_LWIP_SO_RCVBUF (on in this build): SO_RCVBUF bounds the bytes of
// datagrams a UDP socket holds, as lwIP's recv_bufsize. No bound until set
// (INT_MAX, as lwIP reports it); past the bound a datagram is dropped and
// counted; reading makes room again.
TEST_P(PacketInfoTest, SoRcvbufBoundsTheBytesAUdpSocketHolds) {
  const int u = l().socket(AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in here = address(INADDR_LOOPBACK, 5301);
  ASSERT_EQ(l().bind(u, sa(here), in_len), 0);
  int value = 0;
  socklen_t length = sizeof value;
  ASSERT_EQ(l().getsockopt(u, SOL_SOCKET, SO_RCVBUF, &value, &length), 0);
  EXPECT_EQ(value, INT_MAX);
  const int bound = 2500;
  ASSERT_EQ(l().setsockopt(u, SOL_SOCKET, SO_RCVBUF, &bound, sizeof bound), 0);
  ASSERT_EQ(l().getsockopt(u, SOL_SOCKET, SO_RCVBUF, &value, &length), 0);
  EXPECT_EQ(value, bound);
  const int zero = 0;
  EXPECT_EQ(l().setsockopt(u, SOL_SOCKET, SO_RCVBUF, &zero, sizeof zero), -1);
  EXPECT_EQ(errno, EINVAL);

  const auto drops = [&] {
    return thread_.call([](Stack& stack, Instant) { return stack.stats().udp.drop_queue_full; });
  };
  const std::uint64_t drops_before = drops();
  const std::string datagram(1000, 'x');
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(l().sendto(u, datagram.data(), datagram.size(), 0, sa(here), in_len), 1000);
  }
  // The third would take 3000 bytes past the 2500: dropped.
  for (int waited = 0; drops() == drops_before && waited < 200; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(drops(), drops_before + 1);
  std::array<char, 1500> buffer{};
  EXPECT_EQ(l().recv(u, buffer.data(), buffer.size(), MSG_DONTWAIT), 1000);
  // One read frees 1000 bytes: the next datagram fits again.
  ASSERT_EQ(l().sendto(u, datagram.data(), 500, 0, sa(here), in_len), 500);
  const timeval wait{2, 0};
  ASSERT_EQ(l().setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait), 0);
  EXPECT_EQ(l().recv(u, buffer.data(), buffer.size(), 0), 1000);
  EXPECT_EQ(l().recv(u, buffer.data(), buffer.size(), 0), 500);
  EXPECT_EQ(l().recv(u, buffer.data(), buffer.size(), MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(drops(), drops_before + 1);
  EXPECT_EQ(l().close(u), 0);
}

}  // namespace
}  // namespace lwnet::test::packet_info_test
