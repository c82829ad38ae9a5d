// <lwip/apps/netbiosns.h> over the default TCP/IP thread: a query to the
// stack's own loopback address is answered with the configured name's
// address once netbiosns_init ran, and no longer after netbiosns_stop; a
// name longer than NetBIOS allows is cut to its first 15 characters, and a
// name set before tcpip_init() is kept, as lwIP does both.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <unistd.h>

#include "api/tcpip_c.h"
#include "lwip/apps/netbiosns.h"
#include "wire/netbios.h"

namespace lwnet::api::netbiosns_c_api_test {
namespace {

// Sends a name query for `name` from a UDP endpoint of the thread's stack
// to 127.0.0.1:137 and returns the answer's address, if any came.
std::optional<Ipv4Address> ask(TcpipThread& thread, const char* name) {
  UdpHandle h = *thread.call([](Stack& stack, Instant) { return stack.udp_open(); });
  const bool sent = thread.call([&](Stack& stack, Instant now) {
    NetbiosNameQuery q;
    q.transaction_id = 0x4242;
    q.name = *NetbiosName::of(name, 0);
    std::array<std::uint8_t, NetbiosNameQuery::size> out{};
    q.emit(out);
    return static_cast<bool>(stack.udp_send_to(h, out, {Ipv4Address::loopback(), netbios_name_service_port}, now));
  });
  std::optional<Ipv4Address> answer;
  for (int i = 0; sent && i < 100 && !answer; ++i) {
    answer = thread.call([&](Stack& stack, Instant) -> std::optional<Ipv4Address> {
      std::array<std::uint8_t, 128> buf{};
      Result<UdpReceived> got = stack.udp_receive(h, buf);
      if (!got) return std::nullopt;
      Result<NetbiosNameResponse> r = NetbiosNameResponse::parse(ConstBytes(buf.data(), got->copied));
      if (!r || r->transaction_id != 0x4242) return std::nullopt;
      return r->address;
    });
    if (!answer) usleep(10000);
  }
  thread.call([&](Stack& stack, Instant) {
    stack.udp_close(h);
    return 0;
  });
  return answer;
}

TEST(NetbiosnsCApi, AnswersItsNameBetweenInitAndStop) {
  tcpip_init(nullptr, nullptr);
  TcpipThread* thread = default_tcpip();
  ASSERT_NE(thread, nullptr);
  netbiosns_set_name("esp-device");
  EXPECT_FALSE(ask(*thread, "ESP-DEVICE"));  // not started
  netbiosns_init();
  EXPECT_EQ(ask(*thread, "ESP-DEVICE"), Ipv4Address::loopback());
  EXPECT_FALSE(ask(*thread, "OTHER"));
  netbiosns_set_name("");  // refused: the name stays
  EXPECT_EQ(ask(*thread, "esp-device"), Ipv4Address::loopback());
  netbiosns_set_name("has space.lan");  // any character, as lwIP takes it
  EXPECT_EQ(ask(*thread, "HAS SPACE.LAN"), Ipv4Address::loopback());
  EXPECT_FALSE(ask(*thread, "ESP-DEVICE"));
  netbiosns_stop();
  EXPECT_FALSE(ask(*thread, "ESP-DEVICE"));
}

// lwIP copies the first 15 characters of a longer name (NETBIOS_NAME_LEN
// is 16 with the suffix byte) instead of refusing it.
TEST(NetbiosnsCApi, LongerNamesAreCutTo15Characters) {
  tcpip_init(nullptr, nullptr);
  TcpipThread* thread = default_tcpip();
  ASSERT_NE(thread, nullptr);
  netbiosns_init();
  netbiosns_set_name("abcdefghijklmnopq");  // 17
  EXPECT_EQ(ask(*thread, "ABCDEFGHIJKLMNO"), Ipv4Address::loopback());
  netbiosns_set_name("0123456789vwxyz!");  // 16
  EXPECT_EQ(ask(*thread, "0123456789VWXYZ"), Ipv4Address::loopback());
  EXPECT_FALSE(ask(*thread, "ABCDEFGHIJKLMNO"));
  netbiosns_set_name("short");
  EXPECT_EQ(ask(*thread, "SHORT"), Ipv4Address::loopback());
  netbiosns_stop();
}

// Before tcpip_init() there is no TCP/IP thread yet; the name set then is
// the one netbiosns_init() answers for. In a process where no test has
// started the thread: the death test's child, which runs this test alone
// (threadsafe style) and says on stderr what it saw.
TEST(NetbiosnsCApi, ANameSetBeforeTcpipInitIsKept) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const bool no_thread_yet = default_tcpip() == nullptr;
        netbiosns_set_name("early-name");
        tcpip_init(nullptr, nullptr);
        netbiosns_init();
        const bool answered = ask(*default_tcpip(), "EARLY-NAME") == Ipv4Address::loopback();
        netbiosns_stop();
        std::fprintf(stderr, "no thread yet: %d, answered: %d\n", no_thread_yet ? 1 : 0, answered ? 1 : 0);
        std::exit(no_thread_yet && answered ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "no thread yet: 1, answered: 1");
}

}  // namespace
}  // namespace lwnet::api::netbiosns_c_api_test
