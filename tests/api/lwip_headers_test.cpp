// The C calls of lwip/netdb.h, lwip/inet.h, lwip/ip_addr.h, lwip/err.h and
// lwip/sys.h, through the same names and macros lwIP code uses.
#include "lwip/err.h"
#include "lwip/inet.h"
#include "lwip/ip_addr.h"
#include "lwip/netdb.h"
#include "lwip/opt.h"
#include "lwip/sys.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <semaphore>
#include <string>
#include <thread>

// lwIP's macros are C: casts in C style, int arithmetic on u8_t/u16_t.
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"

namespace {

std::uint32_t host_order(const char* text) {
  ip4_addr_t address;
  EXPECT_EQ(ip4addr_aton(text, &address), 1) << text;
  return ntohl(ip4_addr_get_u32(&address));
}

TEST(LwipInet, Ip4addrAtonForms) {
  EXPECT_EQ(host_order("192.0.2.1"), 0xc0000201U);
  EXPECT_EQ(host_order("0.0.0.0"), 0U);
  EXPECT_EQ(host_order("255.255.255.255"), 0xffffffffU);
  EXPECT_EQ(host_order("127.1"), 0x7f000001U);        // a.b: 24-bit b
  EXPECT_EQ(host_order("10.1.258"), 0x0a010102U);     // a.b.c: 16-bit c
  EXPECT_EQ(host_order("3221225985"), 0xc0000201U);   // one 32-bit part
  EXPECT_EQ(host_order("0x7f.0.0.01"), 0x7f000001U);  // hex and octal parts
  EXPECT_EQ(host_order("010.0.0.0"), 0x08000000U);
  EXPECT_EQ(host_order("1.2.3.4 trailing"), 0x01020304U);  // whitespace ends the address
  EXPECT_EQ(ip4addr_aton("1.2.3.4", nullptr), 1);          // validation only
}

TEST(LwipInet, Ip4addrAtonRejects) {
  ip4_addr_t address;
  address.addr = 0x12345678;
  for (const char* text : {"", " 1.2.3.4", "1.2.3.4x", "1.2.3.256", "1..2.3", "1.2.3.4.", "1.2.3.4.5", "256.1",
                           "1.16777216", "1.2.65536", "08", "0x", "4294967296", "a.b.c.d", "-1"}) {
    EXPECT_EQ(ip4addr_aton(text, &address), 0) << text;
  }
  EXPECT_EQ(ip4addr_aton(nullptr, &address), 0);
  EXPECT_EQ(address.addr, 0x12345678U);  // untouched on failure
}

TEST(LwipInet, NtoaAndInetMacros) {
  ip4_addr_t address;
  IP4_ADDR(&address, 192, 0, 2, 33);
  EXPECT_STREQ(ip4addr_ntoa(&address), "192.0.2.33");
  EXPECT_EQ(ip4_addr1(&address), 192);
  EXPECT_EQ(ip4_addr4(&address), 33);
  char buffer[IP4ADDR_STRLEN_MAX];
  EXPECT_EQ(ip4addr_ntoa_r(&address, buffer, sizeof buffer), buffer);
  EXPECT_STREQ(buffer, "192.0.2.33");
  EXPECT_EQ(ip4addr_ntoa_r(&address, buffer, 10), nullptr);  // too small
  EXPECT_EQ(ip4addr_ntoa_r(&address, nullptr, 16), nullptr);
  IP4_ADDR(&address, 255, 255, 255, 255);
  EXPECT_EQ(ip4addr_ntoa_r(&address, buffer, IP4ADDR_STRLEN_MAX), buffer);  // the longest fits exactly
  EXPECT_EQ(ip4addr_ntoa_r(&address, buffer, IP4ADDR_STRLEN_MAX - 1), nullptr);

  in_addr in{};
  EXPECT_EQ(inet_aton("10.0.0.1", &in), 1);
  EXPECT_EQ(in.s_addr, htonl(0x0a000001U));
  EXPECT_EQ(inet_aton("10.0.0.x", &in), 0);
  EXPECT_STREQ(inet_ntoa(in), "10.0.0.1");
  EXPECT_EQ(inet_addr("10.0.0.2"), htonl(0x0a000002U));
  EXPECT_EQ(inet_addr("nope"), IPADDR_NONE);
  EXPECT_EQ(ipaddr_addr("127.0.0.1"), PP_HTONL(IPADDR_LOOPBACK));
  char small[8];
  EXPECT_EQ(inet_ntoa_r(in, small, sizeof small), nullptr);

  ip4_addr_t from;
  inet_addr_to_ip4addr(&from, &in);
  EXPECT_EQ(ip4_addr_get_u32(&from), in.s_addr);
  in_addr back{};
  inet_addr_from_ip4addr(&back, &from);
  EXPECT_EQ(back.s_addr, in.s_addr);

  // inet_ntoa's buffer is per thread.
  std::string other;
  std::thread([&] {
    in_addr loopback{htonl(INADDR_LOOPBACK)};
    other = inet_ntoa(loopback);
  }).join();
  EXPECT_EQ(other, "127.0.0.1");
}

TEST(LwipIpAddr, Ip4Macros) {
  ip4_addr_t a;
  ip4_addr_t b;
  IP4_ADDR(&a, 192, 168, 1, 10);
  IP4_ADDR(&b, 192, 168, 1, 20);
  ip4_addr_t mask;
  IP4_ADDR(&mask, 255, 255, 255, 0);
  EXPECT_TRUE(ip4_addr_netcmp(&a, &b, &mask));
  EXPECT_FALSE(ip4_addr_cmp(&a, &b));
  ip4_addr_copy(b, a);
  EXPECT_TRUE(ip4_addr_cmp(&a, &b));
  ip4_addr_set_zero(&b);
  EXPECT_TRUE(ip4_addr_isany(&b));
  EXPECT_TRUE(ip4_addr_isany(static_cast<ip4_addr_t*>(nullptr)));
  ip4_addr_set_loopback(&b);
  EXPECT_TRUE(ip4_addr_isloopback(&b));
  IP4_ADDR(&b, 224, 0, 0, 251);
  EXPECT_TRUE(ip4_addr_ismulticast(&b));
  EXPECT_FALSE(ip4_addr_ismulticast(&a));
  EXPECT_EQ(ip4_addr_netmask_valid(ip4_addr_get_u32(&mask)), 1);
  EXPECT_EQ(ip4_addr_netmask_valid(PP_HTONL(0xff00ff00UL)), 0);
  EXPECT_EQ(ip4_addr_netmask_valid(0), 1);
}

TEST(LwipIpAddr, DualStackType) {
  ip_addr_t address;
  IP_ADDR4(&address, 192, 0, 2, 7);
  EXPECT_TRUE(IP_IS_V4(&address));
  EXPECT_FALSE(IP_IS_V6(&address));
  EXPECT_EQ(IP_GET_TYPE(&address), IPADDR_TYPE_V4);
  EXPECT_EQ(ip4_addr_get_u32(ip_2_ip4(&address)), htonl(0xc0000207U));
  EXPECT_EQ(address.u_addr.ip4.addr, htonl(0xc0000207U));
  EXPECT_EQ(ip_addr_get_ip4_u32(&address), htonl(0xc0000207U));
  EXPECT_STREQ(ipaddr_ntoa(&address), "192.0.2.7");

  const ip_addr_t initialised = IPADDR4_INIT_BYTES(192, 0, 2, 7);
  EXPECT_TRUE(ip_addr_cmp(&address, &initialised));
  ip_addr_t copy;
  ip_addr_copy(copy, address);
  EXPECT_TRUE(ip_addr_cmp(&copy, &address));
  ip_addr_set_ip4_u32(&copy, PP_HTONL(IPADDR_LOOPBACK));
  EXPECT_TRUE(ip_addr_isloopback(&copy));
  ip_addr_set_zero(&copy);
  EXPECT_TRUE(ip_addr_isany(&copy));
  EXPECT_TRUE(ip_addr_isany(IP_ADDR_ANY));
  EXPECT_TRUE(ip4_addr_isany(IP4_ADDR_ANY4));
  EXPECT_EQ(ip4_addr_get_u32(IP4_ADDR_BROADCAST), 0xffffffffU);
  EXPECT_TRUE(IP_IS_V6(IP6_ADDR_ANY));
  EXPECT_EQ(IP_GET_TYPE(IP_ANY_TYPE), IPADDR_TYPE_ANY);

  ip_addr_t parsed;
  EXPECT_EQ(ipaddr_aton("10.1.2.3", &parsed), 1);
  EXPECT_TRUE(IP_IS_V4(&parsed));
  EXPECT_STREQ(ipaddr_ntoa(&parsed), "10.1.2.3");
  EXPECT_EQ(ipaddr_aton("2001:db8::1", &parsed), 1);
  EXPECT_TRUE(IP_IS_V6(&parsed));
  EXPECT_EQ(parsed.u_addr.ip6.addr[0], PP_HTONL(0x20010db8UL));
  EXPECT_STREQ(ipaddr_ntoa(&parsed), "2001:db8::1");
  EXPECT_FALSE(ip_addr_cmp(&parsed, &address));
  char buffer[IPADDR_STRLEN_MAX];
  EXPECT_EQ(ipaddr_ntoa_r(&parsed, buffer, sizeof buffer), buffer);
  EXPECT_EQ(ipaddr_ntoa_r(&parsed, buffer, 5), nullptr);
  EXPECT_EQ(ipaddr_aton("2001:db8::g", &parsed), 0);
  EXPECT_EQ(ipaddr_aton("300.1.1.1", &parsed), 0);
  EXPECT_EQ(ipaddr_aton(nullptr, &parsed), 0);
  EXPECT_EQ(ipaddr_ntoa(nullptr), nullptr);

  ip_addr_t v6;
  IP_ADDR6(&v6, 0, 0, 0, PP_HTONL(1UL));
  EXPECT_TRUE(ip_addr_isloopback(&v6));
  EXPECT_STREQ(ip6addr_ntoa(ip_2_ip6(&v6)), "::1");
  ip6_addr_t six;
  EXPECT_EQ(ip6addr_aton("ff02::1", &six), 1);
  EXPECT_TRUE(ip6_addr_ismulticast(&six));
  EXPECT_EQ(ip6addr_aton("1.2.3.4", &six), 0);
}

TEST(LwipErr, StrerrAndErrno) {
  EXPECT_STREQ(lwip_strerr(ERR_OK), "no error");
  EXPECT_STREQ(lwip_strerr(ERR_RST), "connection reset");
  EXPECT_STREQ(lwip_strerr(-100), "unknown lwIP error");
  for (int e = ERR_ARG; e <= ERR_OK; ++e) {
    EXPECT_STRNE(lwip_strerr(static_cast<err_t>(e)), "unknown lwIP error") << e;
  }
  EXPECT_EQ(ERR_MEM, -1);
  EXPECT_EQ(ERR_VAL, -6);
  EXPECT_EQ(ERR_ARG, -16);
  EXPECT_EQ(sizeof(err_t), 1U);
  EXPECT_EQ(err_to_errno(ERR_OK), 0);
  EXPECT_EQ(err_to_errno(ERR_MEM), ENOMEM);
  EXPECT_EQ(err_to_errno(ERR_RST), ECONNRESET);
  EXPECT_EQ(err_to_errno(ERR_USE), EADDRINUSE);
  EXPECT_EQ(err_to_errno(-100), EIO);
}

TEST(LwipSys, NowSleepThreadProtect) {
  const u32_t before = sys_now();
  sys_msleep(30);
  const u32_t elapsed = sys_now() - before;
  EXPECT_GE(elapsed, 30U);
  EXPECT_LT(elapsed, 2000U);
  sys_msleep(0);
  EXPECT_GE(sys_jiffies() - before, 30U);

  struct Context {
    std::binary_semaphore done{0};
    std::string name;
  } context;
  sys_thread_t thread = sys_thread_new(
      "lwnet-test-thread-long-name",
      [](void* arg) {
        auto* c = static_cast<Context*>(arg);
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof name);
        c->name = name;
        c->done.release();
      },
      &context, 4096, 5);
  ASSERT_NE(thread, nullptr);
  ASSERT_TRUE(context.done.try_acquire_for(std::chrono::seconds(10)));
  EXPECT_EQ(context.name, "lwnet-test-thre");  // 15 characters
  EXPECT_EQ(sys_thread_new("x", nullptr, nullptr, 0, 0), nullptr);

  SYS_ARCH_DECL_PROTECT(outer);
  SYS_ARCH_DECL_PROTECT(inner);
  SYS_ARCH_PROTECT(outer);
  SYS_ARCH_PROTECT(inner);  // recursive
  std::atomic<bool> entered{false};
  std::thread other([&] {
    SYS_ARCH_DECL_PROTECT(level);
    SYS_ARCH_PROTECT(level);
    entered = true;
    SYS_ARCH_UNPROTECT(level);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(entered.load());
  SYS_ARCH_UNPROTECT(inner);
  SYS_ARCH_UNPROTECT(outer);
  other.join();
  EXPECT_TRUE(entered.load());
}

sockaddr_in first_address(const addrinfo* result) {
  EXPECT_NE(result, nullptr);
  EXPECT_EQ(result->ai_family, AF_INET);
  EXPECT_EQ(result->ai_addrlen, sizeof(sockaddr_in));
  sockaddr_in address{};
  std::memcpy(&address, result->ai_addr, sizeof address);
  EXPECT_EQ(address.sin_family, AF_INET);
  return address;
}

TEST(LwipNetdb, GetaddrinfoNumericAndLocalhost) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  ASSERT_EQ(getaddrinfo("192.0.2.5", "7007", &hints, &result), 0);
  sockaddr_in address = first_address(result);
  EXPECT_EQ(address.sin_addr.s_addr, htonl(0xc0000205U));
  EXPECT_EQ(address.sin_port, htons(7007));
  EXPECT_EQ(result->ai_socktype, SOCK_STREAM);
  EXPECT_EQ(result->ai_protocol, IPPROTO_TCP);  // the socket type's, as the C library fills it in
  EXPECT_STREQ(result->ai_canonname, "192.0.2.5");
  EXPECT_EQ(result->ai_next, nullptr);
  freeaddrinfo(result);

  result = nullptr;
  ASSERT_EQ(getaddrinfo("localhost", nullptr, nullptr, &result), 0);
  address = first_address(result);
  EXPECT_EQ(address.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(address.sin_port, 0);
  freeaddrinfo(result);

  // No node: loopback, or the any address under AI_PASSIVE.
  hints.ai_family = AF_INET;
  ASSERT_EQ(getaddrinfo(nullptr, "80", &hints, &result), 0);
  EXPECT_EQ(first_address(result).sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(result->ai_canonname, nullptr);
  freeaddrinfo(result);
  hints.ai_flags = AI_PASSIVE;
  ASSERT_EQ(getaddrinfo(nullptr, "65535", &hints, &result), 0);
  address = first_address(result);
  EXPECT_EQ(address.sin_addr.s_addr, htonl(INADDR_ANY));
  EXPECT_EQ(address.sin_port, htons(65535));
  freeaddrinfo(result);
  freeaddrinfo(nullptr);

  hints = addrinfo{};
  hints.ai_family = AF_UNSPEC;
  ASSERT_EQ(getaddrinfo("10.0.0.1", "0", &hints, &result), 0);
  freeaddrinfo(result);
}

TEST(LwipNetdb, GetaddrinfoErrors) {
  addrinfo* result = reinterpret_cast<addrinfo*>(0x1);
  EXPECT_EQ(getaddrinfo("example.com", "80", nullptr, &result), EAI_NONAME);  // no DNS server set
  EXPECT_EQ(result, nullptr);
  EXPECT_EQ(getaddrinfo("1.2.3.999", nullptr, nullptr, &result), EAI_NONAME);
  EXPECT_EQ(getaddrinfo(nullptr, nullptr, nullptr, &result), EAI_NONAME);
  EXPECT_EQ(getaddrinfo("127.0.0.1", "http", nullptr, &result), EAI_SERVICE);  // numbers only
  EXPECT_EQ(getaddrinfo("127.0.0.1", "65536", nullptr, &result), EAI_SERVICE);
  EXPECT_EQ(getaddrinfo("127.0.0.1", "", nullptr, &result), EAI_SERVICE);
  EXPECT_EQ(getaddrinfo("127.0.0.1", "-1", nullptr, &result), EAI_SERVICE);
  EXPECT_EQ(getaddrinfo("127.0.0.1", "80", nullptr, nullptr), EAI_FAIL);
  addrinfo hints{};
  hints.ai_family = AF_INET6;
  EXPECT_EQ(getaddrinfo("192.0.2.1", "80", &hints, &result), EAI_NONAME);  // a number of the other family
  hints.ai_family = AF_UNIX;
  EXPECT_EQ(getaddrinfo("127.0.0.1", "80", &hints, &result), EAI_FAMILY);
  hints.ai_family = AF_INET;
  hints.ai_flags = AI_NUMERICHOST;
  EXPECT_EQ(getaddrinfo("localhost", "80", &hints, &result), EAI_NONAME);
  EXPECT_EQ(getaddrinfo("127.0.0.1 x", "80", &hints, &result), EAI_NONAME);  // glibc: the whole name
  EXPECT_EQ(getaddrinfo(" 127.0.0.1", "80", &hints, &result), EAI_NONAME);
  EXPECT_EQ(getaddrinfo("127.0.0.1", "80", &hints, &result), 0);
  freeaddrinfo(result);
  // An IPv6 literal with a numeric zone (RFC 4007), as glibc: the scope in
  // sin6_scope_id; not an IPv4 result; a zone that names no interface is
  // no number.
  if constexpr (lwnet::config::ipv6) {
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    ASSERT_EQ(getaddrinfo("fe80::1%3", "80", &hints, &result), 0);
    ASSERT_EQ(result->ai_family, AF_INET6);
    const auto* scoped = reinterpret_cast<const sockaddr_in6*>(result->ai_addr);
    EXPECT_EQ(scoped->sin6_scope_id, 3U);
    EXPECT_EQ(ntohs(scoped->sin6_port), 80);
    EXPECT_EQ(scoped->sin6_addr.s6_addr[0], 0xfe);
    EXPECT_EQ(scoped->sin6_addr.s6_addr[15], 1);
    EXPECT_EQ(result->ai_next, nullptr);
    freeaddrinfo(result);
    EXPECT_EQ(getaddrinfo("fe80::1%nosuchif", "80", &hints, &result), EAI_NONAME);
    EXPECT_EQ(getaddrinfo("fe80::1%", "80", &hints, &result), EAI_NONAME);
    hints.ai_family = AF_INET;
    EXPECT_EQ(getaddrinfo("fe80::1%3", "80", &hints, &result), EAI_NONAME);
  }
}

// One result of getaddrinfo, as "family socktype protocol address port".
std::string describe(const addrinfo* info) {
  char text[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (info->ai_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, info->ai_addr, sizeof v4);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else {
    sockaddr_in6 v6{};
    std::memcpy(&v6, info->ai_addr, sizeof v6);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  return std::to_string(info->ai_family) + " " + std::to_string(info->ai_socktype) + " " +
         std::to_string(info->ai_protocol) + " " + text + " " + std::to_string(port);
}

// Every result of getaddrinfo(node, service) with these hints, or its error.
std::string all_results(const char* node, const char* service, int family, int socktype, int protocol,
                        int flags) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_protocol = protocol;
  hints.ai_flags = flags;
  addrinfo* result = nullptr;
  const int error = getaddrinfo(node, service, &hints, &result);
  if (error != 0) return "error " + std::to_string(error);
  std::string all;
  for (const addrinfo* info = result; info != nullptr; info = info->ai_next) {
    all += (all.empty() ? "" : "; ") + describe(info);
  }
  freeaddrinfo(result);
  return all;
}

// What glibc gives on this machine (checked against it; conformance.sh
// compares the same cases): one result per socket type when the hints name
// none, both families' wildcard or loopback for no node and AF_UNSPEC, and
// refusals of flags, socket types and protocols it does not know.
TEST(LwipNetdb, GetaddrinfoSocketTypesFlagsAndBothFamiliesAsGlibc) {
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, 0, 0, 0),
            "2 1 6 192.0.2.1 80; 2 2 17 192.0.2.1 80; 2 3 0 192.0.2.1 80");
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, 0, IPPROTO_UDP, 0), "2 2 17 192.0.2.1 80");
  EXPECT_EQ(all_results("192.0.2.1", nullptr, AF_INET, 0, IPPROTO_ICMP, 0), "2 3 1 192.0.2.1 0");
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, 0, IPPROTO_ICMP, 0), "error " + std::to_string(EAI_SERVICE));
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, SOCK_RAW, 0, 0), "error " + std::to_string(EAI_SERVICE));
  EXPECT_EQ(all_results("192.0.2.1", nullptr, AF_INET, SOCK_RAW, 0, 0), "2 3 0 192.0.2.1 0");
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, 99, 0, 0), "error " + std::to_string(EAI_SOCKTYPE));
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, SOCK_STREAM, IPPROTO_UDP, 0),
            "error " + std::to_string(EAI_SOCKTYPE));
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, SOCK_DGRAM, IPPROTO_TCP, 0),
            "error " + std::to_string(EAI_SOCKTYPE));
  EXPECT_EQ(all_results("192.0.2.1", "80", AF_INET, SOCK_STREAM, 0, 0x10000), "error " + std::to_string(EAI_BADFLAGS));
  EXPECT_EQ(all_results(nullptr, "80", AF_INET, SOCK_STREAM, 0, AI_CANONNAME), "error " + std::to_string(EAI_BADFLAGS));
  // The flags first, then the family, then the socket type, then the service.
  EXPECT_EQ(all_results("192.0.2.1", "80", 12345, SOCK_STREAM, 0, 0x10000), "error " + std::to_string(EAI_BADFLAGS));
  EXPECT_EQ(all_results("192.0.2.1", "80", 12345, 99, 0, 0), "error " + std::to_string(EAI_FAMILY));
  EXPECT_EQ(all_results("192.0.2.1", "x", AF_INET, 99, 0, 0), "error " + std::to_string(EAI_SOCKTYPE));
  EXPECT_EQ(all_results(nullptr, nullptr, AF_INET, 99, 0x10000, 0), "error " + std::to_string(EAI_NONAME));
  if constexpr (lwnet::config::ipv6) {
    EXPECT_EQ(all_results(nullptr, "8080", AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE),
              "2 1 6 0.0.0.0 8080; 10 1 6 :: 8080");
    EXPECT_EQ(all_results(nullptr, "8080", AF_UNSPEC, SOCK_DGRAM, 0, 0), "10 2 17 ::1 8080; 2 2 17 127.0.0.1 8080");
  } else {
    EXPECT_EQ(all_results(nullptr, "8080", AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE), "2 1 6 0.0.0.0 8080");
    EXPECT_EQ(all_results(nullptr, "8080", AF_UNSPEC, SOCK_DGRAM, 0, 0), "2 2 17 127.0.0.1 8080");
  }
}

TEST(LwipNetdb, Gethostbyname) {
  hostent* host = gethostbyname("192.0.2.9");
  ASSERT_NE(host, nullptr);
  EXPECT_STREQ(host->h_name, "192.0.2.9");
  EXPECT_EQ(host->h_addrtype, AF_INET);
  EXPECT_EQ(host->h_length, 4);
  ASSERT_NE(host->h_addr_list[0], nullptr);
  EXPECT_EQ(host->h_addr_list[1], nullptr);
  EXPECT_EQ(host->h_aliases[0], nullptr);
  in_addr address{};
  std::memcpy(&address, host->h_addr, sizeof address);
  EXPECT_EQ(address.s_addr, htonl(0xc0000209U));

  host = gethostbyname("localhost");
  ASSERT_NE(host, nullptr);
  std::memcpy(&address, host->h_addr_list[0], sizeof address);
  EXPECT_EQ(address.s_addr, htonl(INADDR_LOOPBACK));

  h_errno = 0;
  EXPECT_EQ(gethostbyname("example.com"), nullptr);
  EXPECT_EQ(h_errno, HOST_NOT_FOUND);
  h_errno = 0;
  EXPECT_EQ(gethostbyname(nullptr), nullptr);
  EXPECT_EQ(h_errno, HOST_NOT_FOUND);
}

TEST(LwipNetdb, GethostbynameR) {
  hostent host{};
  hostent* result = nullptr;
  int error = 0;
  char buffer[128];
  ASSERT_EQ(gethostbyname_r("10.9.8.7", &host, buffer, sizeof buffer, &result, &error), 0);
  ASSERT_EQ(result, &host);
  EXPECT_STREQ(host.h_name, "10.9.8.7");
  in_addr address{};
  std::memcpy(&address, host.h_addr, sizeof address);
  EXPECT_EQ(address.s_addr, htonl(0x0a090807U));
  // Every pointer lies in the caller's buffer.
  EXPECT_GE(host.h_name, buffer);
  EXPECT_LT(host.h_name, buffer + sizeof buffer);
  EXPECT_GE(reinterpret_cast<char*>(host.h_addr_list), buffer);

  // An unaligned buffer works too.
  ASSERT_EQ(gethostbyname_r("localhost", &host, buffer + 1, sizeof buffer - 1, &result, &error), 0);
  std::memcpy(&address, host.h_addr_list[0], sizeof address);
  EXPECT_EQ(address.s_addr, htonl(INADDR_LOOPBACK));

  EXPECT_EQ(gethostbyname_r("example.com", &host, buffer, sizeof buffer, &result, &error), -1);
  EXPECT_EQ(error, HOST_NOT_FOUND);
  EXPECT_EQ(result, nullptr);
  EXPECT_EQ(gethostbyname_r("10.9.8.7", &host, buffer, 8, &result, &error), -1);
  EXPECT_EQ(error, ERANGE);
  EXPECT_EQ(gethostbyname_r(nullptr, &host, buffer, sizeof buffer, &result, &error), -1);
  EXPECT_EQ(error, EINVAL);
  EXPECT_EQ(gethostbyname_r("10.9.8.7", &host, buffer, sizeof buffer, nullptr, &error), -1);
  EXPECT_EQ(error, EINVAL);
  EXPECT_EQ(gethostbyname_r("example.com", &host, buffer, sizeof buffer, &result, nullptr), -1);
}

TEST(LwipOpt, Switches) {
  EXPECT_EQ(LWIP_SOCKET, 1);
  EXPECT_EQ(LWIP_IPV4, 1);
  EXPECT_EQ(LWIP_COMPAT_SOCKETS, 1);
}

}  // namespace
