// TapDevice against the real Linux kernel. Run by run_in_netns.sh as root
// inside a network namespace made for this run: every interface made here
// lives and dies with it. Frames go both ways and are checked byte for byte:
// through a packet socket on the kernel side, the kernel's own counters, and
// an ARP exchange the kernel has to accept before it sends a UDP datagram to
// the MAC address lwnet claimed.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "link/linux/tap_device.h"
#include "port/clock.h"
#include "port/wait.h"
#include "util/bytes.h"
#include "util/checksum.h"

namespace lwnet {
namespace {

using Frame = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;

constexpr char kTapName[] = "lwtap0";
constexpr Mac kLwnetMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};  // locally administered
constexpr Mac kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr std::uint32_t kKernelIp = 0xc0000201;  // 192.0.2.1
constexpr std::uint32_t kLwnetIp = 0xc0000202;   // 192.0.2.2
constexpr std::uint16_t kTestEthertype = 0x88b5;  // IEEE 802 local experimental

// Every wait for a frame gives up after this long: a failure, not a hang.
Instant give_up_at() { return monotonic_now() + Duration::seconds(5); }

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

ifreq request_for(const std::string& name) {
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  return request;
}

// The kernel side of the interface: no IPv6 (so nothing but our own traffic
// crosses it), optionally an IPv4 address, then up.
void configure_kernel_side(const std::string& name, std::optional<std::uint32_t> address) {
  const std::string ipv6_switch = "/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6";
  // Without IPv6 in the kernel the file does not exist: nothing to turn off.
  std::ofstream(ipv6_switch) << "1\n";
  const Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(s.get(), 0) << std::strerror(errno);
  if (address) {
    ifreq request = request_for(name);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(*address);
    std::memcpy(&request.ifr_addr, &in, sizeof in);
    ASSERT_EQ(ioctl(s.get(), SIOCSIFADDR, &request), 0) << std::strerror(errno);
    in.sin_addr.s_addr = htonl(0xffffff00);
    std::memcpy(&request.ifr_netmask, &in, sizeof in);
    ASSERT_EQ(ioctl(s.get(), SIOCSIFNETMASK, &request), 0) << std::strerror(errno);
  }
  ifreq request = request_for(name);
  ASSERT_EQ(ioctl(s.get(), SIOCGIFFLAGS, &request), 0) << std::strerror(errno);
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  ASSERT_EQ(ioctl(s.get(), SIOCSIFFLAGS, &request), 0) << std::strerror(errno);
}

Mac kernel_mac(const std::string& name) {
  const Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request = request_for(name);
  EXPECT_EQ(ioctl(s.get(), SIOCGIFHWADDR, &request), 0) << std::strerror(errno);
  Mac mac{};
  std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

std::uint64_t kernel_counter(const std::string& name, const std::string& counter) {
  std::ifstream in("/sys/class/net/" + name + "/statistics/" + counter);
  std::uint64_t value = 0;
  EXPECT_TRUE(in >> value) << "cannot read " << counter << " of " << name;
  return value;
}

Frame ethernet(const Mac& destination, const Mac& source, std::uint16_t type, const Frame& payload) {
  Frame frame(14 + payload.size());
  std::copy(destination.begin(), destination.end(), frame.begin());
  std::copy(source.begin(), source.end(), frame.begin() + 6);
  store_be16(frame, 12, type);
  std::copy(payload.begin(), payload.end(), frame.begin() + 14);
  return frame;
}

// A payload that tells frames apart: `size` bytes counting from `seed`.
Frame pattern(std::size_t size, std::uint8_t seed) {
  Frame out(size);
  for (std::size_t i = 0; i < size; ++i) {
    out[i] = static_cast<std::uint8_t>(seed + i);
  }
  return out;
}

// A raw socket on the kernel side of the TAP: what it sends leaves through
// the TAP to lwnet; it sees every frame lwnet writes.
class PacketSocket {
 public:
  explicit PacketSocket(const std::string& name)
      : fd_(socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL))),
        index_(static_cast<int>(if_nametoindex(name.c_str()))) {
    EXPECT_GE(fd_.get(), 0) << std::strerror(errno);
    EXPECT_NE(index_, 0);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = index_;
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0)
        << std::strerror(errno);
  }

  void send(const Frame& frame) {
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_ifindex = index_;
    address.sll_halen = 6;
    std::memcpy(address.sll_addr, frame.data(), 6);
    const ssize_t n = sendto(fd_.get(), frame.data(), frame.size(), 0,
                             reinterpret_cast<const sockaddr*>(&address), sizeof address);
    EXPECT_EQ(n, static_cast<ssize_t>(frame.size())) << std::strerror(errno);
  }

  // The next frame that arrived from lwnet with our test ethertype.
  std::optional<Frame> receive_test_frame() {
    WaitSet set;
    set.add(fd_.get());
    const Instant deadline = give_up_at();
    Frame buffer(65536);
    for (;;) {
      sockaddr_ll from{};
      socklen_t from_size = sizeof from;
      const ssize_t n = recvfrom(fd_.get(), buffer.data(), buffer.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_size);
      if (n >= 14 && from.sll_pkttype != PACKET_OUTGOING &&
          load_be16(buffer, 12) == kTestEthertype) {
        return Frame(buffer.begin(), buffer.begin() + n);
      }
      if (n >= 0) {
        continue;  // something else
      }
      EXPECT_EQ(errno, EAGAIN) << std::strerror(errno);
      const OsResult<WaitResult> waited = set.wait(deadline);
      if (!waited || waited->timed_out) {
        return std::nullopt;
      }
    }
  }

 private:
  Fd fd_;
  int index_;
};

// The next frame TapDevice delivers that `wanted` accepts, read through a
// buffer of `buffer_size` bytes.
std::optional<Frame> receive_from(TapDevice& tap, const std::function<bool(const Frame&)>& wanted,
                                  std::size_t buffer_size = 1514) {
  WaitSet set;
  set.add(tap.fd());
  const Instant deadline = give_up_at();
  Frame buffer(buffer_size);
  for (;;) {
    while (const std::optional<std::size_t> n = tap.receive(buffer, monotonic_now())) {
      Frame frame(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
      if (wanted(frame)) {
        return frame;
      }
    }
    const OsResult<WaitResult> waited = set.wait(deadline);
    if (!waited) {
      ADD_FAILURE() << waited.os_error().message();
      return std::nullopt;
    }
    if (waited->timed_out) {
      return std::nullopt;
    }
  }
}

bool has_ethertype(const Frame& frame, std::uint16_t type) {
  return frame.size() >= 14 && load_be16(frame, 12) == type;
}

// ---- Opening, and the errors a user meets --------------------------------

TEST(TapDeviceOpen, NameTooLongIsRefusedBeforeAnySystemCall) {
  TapConfig config;
  config.name = "lwtap-012345678";  // 15 bytes: the longest allowed
  config.mode = TapConfig::Mode::Create;
  {
    OsResult<TapDevice> tap = TapDevice::open(config);
    ASSERT_TRUE(tap) << tap.os_error().message();
    EXPECT_EQ(tap->name(), config.name);
  }
  config.name += "9";
  const OsResult<TapDevice> tap = TapDevice::open(config);
  ASSERT_FALSE(tap);
  EXPECT_EQ(tap.os_error().number(), ENAMETOOLONG);
  EXPECT_EQ(tap.error(), Error::InvalidArgument);
  EXPECT_EQ(tap.os_error().message(), "TAP interface name: File name too long (at most 15 bytes)");
  EXPECT_EQ(if_nametoindex(config.name.c_str()), 0U);
}

TEST(TapDeviceOpen, MissingCloneDeviceSaysHowToGetOne) {
  TapConfig config;
  config.tun_path = "/nonexistent/net/tun";
  const OsResult<TapDevice> tap = TapDevice::open(config);
  ASSERT_FALSE(tap);
  EXPECT_EQ(tap.os_error().number(), ENOENT);
  EXPECT_NE(tap.os_error().message().find("open /dev/net/tun: No such file or directory"),
            std::string::npos)
      << tap.os_error().message();
  EXPECT_NE(tap.os_error().message().find("modprobe tun"), std::string::npos);
}

TEST(TapDeviceOpen, WithoutPrivilegeSaysWhatIsMissing) {
  // A child that gives up root reports what open() said, through a pipe.
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(report[0]);
    std::string text;
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
      text = "0 could not drop root";
    } else {
      TapConfig config;
      config.name = "lwtapnobody";
      const OsResult<TapDevice> tap = TapDevice::open(config);
      text = tap ? std::string("0 opened") : std::to_string(tap.os_error().number()) + " " +
                                                   tap.os_error().message();
    }
    const ssize_t written = write(report[1], text.data(), text.size());
    _exit(written == static_cast<ssize_t>(text.size()) ? 0 : 1);
  }
  close(report[1]);
  std::string text;
  std::array<char, 512> chunk{};
  ssize_t n = 0;
  while ((n = read(report[0], chunk.data(), chunk.size())) > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(n));
  }
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // EACCES when /dev/net/tun is root's only (0600), EPERM from TUNSETIFF when
  // anyone may open it (0666) but creating needs CAP_NET_ADMIN.
  const int number = std::stoi(text);
  EXPECT_TRUE(number == EACCES || number == EPERM) << text;
  EXPECT_NE(text.find("CAP_NET_ADMIN"), std::string::npos) << text;
  EXPECT_EQ(if_nametoindex("lwtapnobody"), 0U);
}

TEST(TapDeviceOpen, AttachToAMissingInterfaceFails) {
  TapConfig config;
  config.name = "lwtapmissing";
  config.mode = TapConfig::Mode::Attach;
  const OsResult<TapDevice> tap = TapDevice::open(config);
  ASSERT_FALSE(tap);
  EXPECT_EQ(tap.os_error().number(), ENODEV);
  EXPECT_EQ(if_nametoindex("lwtapmissing"), 0U);  // and none was made
}

TEST(TapDeviceOpen, CreatesANonPersistentNonBlockingInterface) {
  TapConfig config;
  config.name = kTapName;
  config.mode = TapConfig::Mode::Create;
  config.mtu = 1400;
  {
    OsResult<TapDevice> tap = TapDevice::open(config);
    ASSERT_TRUE(tap) << tap.os_error().message();
    EXPECT_EQ(tap->name(), kTapName);
    EXPECT_NE(if_nametoindex(kTapName), 0U);
    EXPECT_EQ(tap->capabilities().medium, Medium::Ethernet);
    EXPECT_EQ(tap->capabilities().mtu, 1400U);
    const int flags = fcntl(tap->fd(), F_GETFL);
    EXPECT_NE(flags & O_NONBLOCK, 0);
    EXPECT_NE(fcntl(tap->fd(), F_GETFD) & FD_CLOEXEC, 0);
    // Down and silent: nothing to read, and receive() says so at once.
    std::array<std::uint8_t, 1514> buffer{};
    EXPECT_FALSE(tap->receive(buffer, monotonic_now()));
    EXPECT_EQ(tap->stats().rx_dropped, 0U);

    // A second exclusive create fails; so does a second open of the same
    // interface while this one has it.
    const OsResult<TapDevice> again = TapDevice::open(config);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.os_error().number(), EBUSY);
    config.mode = TapConfig::Mode::CreateOrAttach;
    const OsResult<TapDevice> shared = TapDevice::open(config);
    ASSERT_FALSE(shared);
    EXPECT_EQ(shared.os_error().number(), EBUSY);
    EXPECT_NE(shared.os_error().message().find("another process has it open"), std::string::npos);

    // Moving the device keeps the interface.
    TapDevice moved = std::move(*tap);
    EXPECT_EQ(moved.name(), kTapName);
    EXPECT_NE(if_nametoindex(kTapName), 0U);
  }
  EXPECT_EQ(if_nametoindex(kTapName), 0U);  // gone with its descriptor
}

TEST(TapDeviceOpen, KernelNamesAnUnnamedInterface) {
  OsResult<TapDevice> tap = TapDevice::open(TapConfig{});
  ASSERT_TRUE(tap) << tap.os_error().message();
  EXPECT_EQ(tap->name().rfind("tap", 0), 0U) << tap->name();
  EXPECT_NE(if_nametoindex(tap->name().c_str()), 0U);
}

// Makes a persistent TAP the way `ip tuntap add` does, and removes it at the
// end if the test did not.
class PersistentTap {
 public:
  explicit PersistentTap(const std::string& name) : name_(name) {
    const Fd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    ifreq request = request_for(name);
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    EXPECT_EQ(ioctl(fd.get(), TUNSETIFF, &request), 0) << std::strerror(errno);
    EXPECT_EQ(ioctl(fd.get(), TUNSETPERSIST, 1), 0) << std::strerror(errno);
  }
  ~PersistentTap() {
    if (if_nametoindex(name_.c_str()) == 0) {
      return;
    }
    const Fd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    ifreq request = request_for(name_);
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd.get(), TUNSETIFF, &request) == 0) {
      ioctl(fd.get(), TUNSETPERSIST, 0);
    }
  }
  PersistentTap(const PersistentTap&) = delete;
  PersistentTap& operator=(const PersistentTap&) = delete;

 private:
  std::string name_;
};

TEST(TapDeviceOpen, AttachesToAnExistingInterface) {
  const PersistentTap existing("lwtapkept");
  ASSERT_NE(if_nametoindex("lwtapkept"), 0U);
  TapConfig config;
  config.name = "lwtapkept";
  config.mode = TapConfig::Mode::Create;
  const OsResult<TapDevice> refused = TapDevice::open(config);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.os_error().number(), EBUSY);

  config.mode = TapConfig::Mode::Attach;
  {
    OsResult<TapDevice> tap = TapDevice::open(config);
    ASSERT_TRUE(tap) << tap.os_error().message();
    EXPECT_EQ(tap->name(), "lwtapkept");
    ASSERT_NO_FATAL_FAILURE(configure_kernel_side("lwtapkept", std::nullopt));
    PacketSocket kernel("lwtapkept");
    const Frame frame = ethernet(kernel_mac("lwtapkept"), kLwnetMac, kTestEthertype, pattern(50, 1));
    EXPECT_TRUE(tap->transmit(frame, monotonic_now()));
    EXPECT_EQ(kernel.receive_test_frame(), frame);
  }
  // Attaching does not take ownership: the interface outlives the device.
  EXPECT_NE(if_nametoindex("lwtapkept"), 0U);
}

// ---- Frames both ways -------------------------------------------------------

class TapFrames : public ::testing::Test {
 protected:
  void SetUp() override {
    TapConfig config;
    config.name = kTapName;
    config.mode = TapConfig::Mode::Create;
    OsResult<TapDevice> opened = TapDevice::open(config);
    ASSERT_TRUE(opened) << opened.os_error().message();
    tap_.emplace(std::move(*opened));
    ASSERT_NO_FATAL_FAILURE(configure_kernel_side(kTapName, kKernelIp));
    kernel_mac_ = kernel_mac(kTapName);
  }

  TapDevice& tap() { return *tap_; }

  std::optional<TapDevice> tap_;
  Mac kernel_mac_{};
};

TEST_F(TapFrames, KernelFrameArrivesExactly) {
  PacketSocket kernel(kTapName);
  const Frame frame = ethernet(kLwnetMac, kernel_mac_, kTestEthertype, pattern(100, 7));
  kernel.send(frame);
  const std::optional<Frame> received =
      receive_from(tap(), [](const Frame& f) { return has_ethertype(f, kTestEthertype); });
  ASSERT_TRUE(received);
  EXPECT_EQ(*received, frame);
  EXPECT_GE(tap().stats().rx_frames, 1U);
  EXPECT_GE(tap().stats().rx_bytes, frame.size());
  EXPECT_EQ(tap().stats().rx_dropped, 0U);
}

TEST_F(TapFrames, LwnetFrameReachesTheKernelExactly) {
  PacketSocket kernel(kTapName);
  const std::uint64_t packets_before = kernel_counter(kTapName, "rx_packets");
  const std::uint64_t bytes_before = kernel_counter(kTapName, "rx_bytes");
  const Frame frame = ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(200, 3));
  ASSERT_TRUE(tap().transmit(frame, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_frames, 1U);
  EXPECT_EQ(tap().stats().tx_bytes, frame.size());
  EXPECT_EQ(kernel.receive_test_frame(), frame);
  EXPECT_EQ(kernel_counter(kTapName, "rx_packets"), packets_before + 1);
  EXPECT_EQ(kernel_counter(kTapName, "rx_bytes"), bytes_before + frame.size());
}

TEST_F(TapFrames, OversizedFrameIsDroppedCountedAndTheNextOneDelivered) {
  PacketSocket kernel(kTapName);
  const Frame big = ethernet(kLwnetMac, kernel_mac_, kTestEthertype, pattern(986, 1));
  const Frame small = ethernet(kLwnetMac, kernel_mac_, kTestEthertype, pattern(86, 2));
  kernel.send(big);
  kernel.send(small);
  const std::optional<Frame> received = receive_from(
      tap(), [](const Frame& f) { return has_ethertype(f, kTestEthertype); }, 500);
  ASSERT_TRUE(received);
  EXPECT_EQ(*received, small);
  EXPECT_EQ(tap().stats().rx_dropped, 1U);
  // The same frame fits a buffer of exactly its size.
  kernel.send(big);
  EXPECT_EQ(receive_from(
                tap(), [](const Frame& f) { return has_ethertype(f, kTestEthertype); }, big.size()),
            big);
  EXPECT_EQ(tap().stats().rx_dropped, 1U);
}

// The kernel resolves 192.0.2.2 with ARP; lwnet's side answers with its MAC;
// the kernel then sends the waiting UDP datagram to that MAC.
TEST_F(TapFrames, ArpExchangeThenUdpFromTheKernel) {
  const Fd udp(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(udp.get(), 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(kLwnetIp);
  const std::string message = "lwnet tap test";
  ASSERT_EQ(sendto(udp.get(), message.data(), message.size(), 0,
                   reinterpret_cast<const sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(message.size()))
      << std::strerror(errno);

  const std::optional<Frame> request =
      receive_from(tap(), [](const Frame& f) { return has_ethertype(f, 0x0806); });
  ASSERT_TRUE(request);
  ASSERT_GE(request->size(), 42U);
  const ConstBytes arp = ConstBytes(*request).subspan(14);
  EXPECT_TRUE(std::equal(kBroadcast.begin(), kBroadcast.end(), request->begin()));
  EXPECT_TRUE(std::equal(kernel_mac_.begin(), kernel_mac_.end(), request->begin() + 6));
  EXPECT_EQ(load_be16(arp, 0), 1);       // Ethernet
  EXPECT_EQ(load_be16(arp, 2), 0x0800);  // IPv4
  EXPECT_EQ(load_be16(arp, 6), 1);       // request
  EXPECT_TRUE(std::equal(kernel_mac_.begin(), kernel_mac_.end(), arp.begin() + 8));
  EXPECT_EQ(load_be32(arp, 14), kKernelIp);
  EXPECT_EQ(load_be32(arp, 24), kLwnetIp);

  Frame reply(28);
  store_be16(reply, 0, 1);
  store_be16(reply, 2, 0x0800);
  reply[4] = 6;
  reply[5] = 4;
  store_be16(reply, 6, 2);  // reply
  std::copy(kLwnetMac.begin(), kLwnetMac.end(), reply.begin() + 8);
  store_be32(reply, 14, kLwnetIp);
  std::copy(kernel_mac_.begin(), kernel_mac_.end(), reply.begin() + 18);
  store_be32(reply, 24, kKernelIp);
  ASSERT_TRUE(tap().transmit(ethernet(kernel_mac_, kLwnetMac, 0x0806, reply), monotonic_now()));

  const std::optional<Frame> datagram =
      receive_from(tap(), [](const Frame& f) { return has_ethertype(f, 0x0800); });
  ASSERT_TRUE(datagram);
  EXPECT_TRUE(std::equal(kLwnetMac.begin(), kLwnetMac.end(), datagram->begin()));
  EXPECT_TRUE(std::equal(kernel_mac_.begin(), kernel_mac_.end(), datagram->begin() + 6));
  const ConstBytes ip = ConstBytes(*datagram).subspan(14);
  ASSERT_EQ(ip.size(), 20U + 8U + message.size());
  EXPECT_EQ(ip[0], 0x45);
  EXPECT_EQ(internet_checksum(ip.first(20)), 0);
  EXPECT_EQ(ip[9], 17);  // UDP
  EXPECT_EQ(load_be32(ip, 12), kKernelIp);
  EXPECT_EQ(load_be32(ip, 16), kLwnetIp);
  EXPECT_EQ(load_be16(ip, 22), 9);
  EXPECT_EQ(std::string(ip.begin() + 28, ip.end()), message);
}

// Takes the kernel side of interface `name` down.
void take_down(const std::string& name) {
  const Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request = request_for(name);
  ASSERT_EQ(ioctl(s.get(), SIOCGIFFLAGS, &request), 0);
  request.ifr_flags = static_cast<short>(request.ifr_flags & ~IFF_UP);
  ASSERT_EQ(ioctl(s.get(), SIOCSIFFLAGS, &request), 0);
}

TEST_F(TapFrames, TransmitOnADownInterfaceIsRefusedAndCounted) {
  ASSERT_NO_FATAL_FAILURE(take_down(kTapName));
  const Frame frame = ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(60, 9));
  EXPECT_FALSE(tap().transmit(frame, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_dropped, 1U);
  EXPECT_EQ(tap().stats().tx_frames, 0U);
  EXPECT_EQ(tap().last_error(), EIO);
}

// A batch of two frames, written at its end (after a batch of one or none
// the first goes at once): from then on a batch holds every frame.
void send_two_in_a_batch(TapDevice& tap, PacketSocket& kernel, const Mac& to) {
  const Frame first = ethernet(to, kLwnetMac, kTestEthertype, pattern(64, 1));
  const Frame second = ethernet(to, kLwnetMac, kTestEthertype, pattern(64, 2));
  tap.begin_batch();
  ASSERT_TRUE(tap.transmit(first, monotonic_now()));
  ASSERT_TRUE(tap.transmit(second, monotonic_now()));
  tap.end_batch();
  ASSERT_EQ(kernel.receive_test_frame(), first);
  ASSERT_EQ(kernel.receive_test_frame(), second);
}

// Within a batch (what the stack does during a poll) frames are held and
// written together: 16 at once when the batch fills, the rest at its end;
// the kernel gets every one, exactly and in order, and each is counted once.
TEST_F(TapFrames, BatchedFramesReachTheKernelExactlyAndInOrder) {
  ASSERT_TRUE(tap().batches_writes()) << "built without liburing, or the kernel refuses io_uring";
  PacketSocket kernel(kTapName);
  ASSERT_NO_FATAL_FAILURE(send_two_in_a_batch(tap(), kernel, kernel_mac_));
  const std::uint64_t frames_before = tap().stats().tx_frames;
  const std::uint64_t bytes_before = tap().stats().tx_bytes;
  const std::uint64_t batched_before = tap().batched_frames();
  const std::uint64_t packets_before = kernel_counter(kTapName, "rx_packets");
  std::vector<Frame> frames;
  for (std::size_t i = 0; i < 20; ++i) {
    frames.push_back(ethernet(kernel_mac_, kLwnetMac, kTestEthertype,
                              pattern(46 + i * 70, static_cast<std::uint8_t>(i))));
  }
  frames.push_back(ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(1500, 99)));  // a full frame
  std::size_t bytes = 0;
  tap().begin_batch();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    ASSERT_TRUE(tap().transmit(frames[i], monotonic_now()));
    bytes += frames[i].size();
    if (i == 14) {
      EXPECT_EQ(tap().stats().tx_frames, frames_before);  // held
    } else if (i == 15) {
      EXPECT_EQ(tap().stats().tx_frames, frames_before + 16);  // the batch filled: written
    }
  }
  EXPECT_EQ(tap().stats().tx_frames, frames_before + 16);
  tap().end_batch();
  EXPECT_EQ(tap().stats().tx_frames, frames_before + frames.size());
  EXPECT_EQ(tap().stats().tx_bytes, bytes_before + bytes);
  EXPECT_EQ(tap().stats().tx_dropped, 0U);
  EXPECT_EQ(tap().batched_frames(), batched_before + frames.size());
  for (const Frame& frame : frames) EXPECT_EQ(kernel.receive_test_frame(), frame);
  EXPECT_EQ(kernel_counter(kTapName, "rx_packets"), packets_before + frames.size());
  // After the batch, a frame goes at once again.
  const Frame single = ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(80, 5));
  ASSERT_TRUE(tap().transmit(single, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_frames, frames_before + frames.size() + 1);
  EXPECT_EQ(kernel.receive_test_frame(), single);
}

// After a batch that sent one frame or none (a request and its answer), the
// next batch's first frame is written at once, before the batch ends; the
// frames behind it are held and follow it in order. A batch that sent
// several makes the next one hold its first frame too.
TEST_F(TapFrames, AfterAQuietBatchTheFirstFrameLeavesAtOnce) {
  ASSERT_TRUE(tap().batches_writes()) << "built without liburing, or the kernel refuses io_uring";
  PacketSocket kernel(kTapName);
  const Frame answer = ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(70, 11));
  const Frame behind = ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(90, 12));
  tap().begin_batch();  // the device's first batch: none before it
  ASSERT_TRUE(tap().transmit(answer, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_frames, 1U);  // written, the batch still open
  EXPECT_EQ(kernel.receive_test_frame(), answer);
  ASSERT_TRUE(tap().transmit(behind, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_frames, 1U);  // held
  tap().end_batch();
  EXPECT_EQ(tap().stats().tx_frames, 2U);
  EXPECT_EQ(tap().stats().tx_bytes, answer.size() + behind.size());
  EXPECT_EQ(tap().batched_frames(), 1U);  // only the one held
  EXPECT_EQ(kernel.receive_test_frame(), behind);
  // That batch sent two: the next holds its first frame.
  tap().begin_batch();
  ASSERT_TRUE(tap().transmit(answer, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_frames, 2U);  // held
  tap().end_batch();
  EXPECT_EQ(tap().stats().tx_frames, 3U);
  EXPECT_EQ(kernel.receive_test_frame(), answer);
  // That one sent one: the next writes its first at once again.
  tap().begin_batch();
  ASSERT_TRUE(tap().transmit(behind, monotonic_now()));
  EXPECT_EQ(tap().stats().tx_frames, 4U);
  tap().end_batch();
  EXPECT_EQ(kernel.receive_test_frame(), behind);
  EXPECT_EQ(tap().stats().tx_dropped, 0U);
}

// A batched frame the kernel refuses (the interface is down) is counted as a
// refused write is, when the batch is written.
TEST_F(TapFrames, ABatchedFrameOnADownInterfaceIsCountedAsDropped) {
  ASSERT_TRUE(tap().batches_writes()) << "built without liburing, or the kernel refuses io_uring";
  {
    PacketSocket kernel(kTapName);
    ASSERT_NO_FATAL_FAILURE(send_two_in_a_batch(tap(), kernel, kernel_mac_));
  }
  const std::uint64_t frames_before = tap().stats().tx_frames;
  ASSERT_NO_FATAL_FAILURE(take_down(kTapName));
  const Frame frame = ethernet(kernel_mac_, kLwnetMac, kTestEthertype, pattern(60, 9));
  tap().begin_batch();
  EXPECT_TRUE(tap().transmit(frame, monotonic_now()));  // held: not written yet
  EXPECT_EQ(tap().stats().tx_dropped, 0U);
  tap().end_batch();
  EXPECT_EQ(tap().stats().tx_dropped, 1U);
  EXPECT_EQ(tap().stats().tx_frames, frames_before);
  EXPECT_EQ(tap().last_error(), EIO);
}

// The transmit queue of lwnet's own: two frames wait, the next is refused
// (ENOBUFS, counted); they leave at the configured rate, in order, exactly;
// then the queue takes frames again.
TEST(TapTransmitQueue, BoundedQueueRefusesWhenFullAndDrainsAtItsRate) {
  TapConfig config;
  config.name = "lwtapq0";
  config.mode = TapConfig::Mode::Create;
  config.tx_queue_frames = 2;
  config.tx_rate_bytes_per_second = 10000;  // a 100-byte frame takes 10 ms
  {
    TapConfig bad = config;
    bad.tx_rate_bytes_per_second = 0;
    OsResult<TapDevice> refused = TapDevice::open(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.os_error().number(), EINVAL);
  }
  OsResult<TapDevice> tap = TapDevice::open(config);
  ASSERT_TRUE(tap) << tap.os_error().message();
  ASSERT_NO_FATAL_FAILURE(configure_kernel_side("lwtapq0", std::nullopt));
  PacketSocket kernel("lwtapq0");
  const Mac to = kernel_mac("lwtapq0");
  std::vector<Frame> frames;
  for (std::uint8_t i = 0; i < 5; ++i) frames.push_back(ethernet(to, kLwnetMac, kTestEthertype, pattern(86, i)));
  const Instant start = monotonic_now();
  EXPECT_EQ(tap->next_deadline(), Instant::max());
  // The first leaves at once (the link is idle), two wait, the fourth is refused.
  EXPECT_TRUE(tap->transmit(frames[0], start));
  EXPECT_TRUE(tap->transmit(frames[1], start));
  EXPECT_TRUE(tap->transmit(frames[2], start));
  EXPECT_EQ(tap->tx_queued(), 2U);
  EXPECT_FALSE(tap->transmit(frames[3], start));
  EXPECT_EQ(tap->last_error(), ENOBUFS);
  EXPECT_EQ(tap->stats().tx_dropped, 1U);
  EXPECT_EQ(tap->stats().tx_frames, 1U);
  // The next may leave once the first has had its 10 ms on the link.
  EXPECT_EQ(tap->next_deadline(), start + Duration::millis(10));
  std::array<std::uint8_t, 2048> into{};
  (void)tap->receive(into, start + Duration::millis(9));
  EXPECT_EQ(tap->tx_queued(), 2U);
  (void)tap->receive(into, start + Duration::millis(10));
  EXPECT_EQ(tap->tx_queued(), 1U);
  (void)tap->receive(into, start + Duration::millis(20));
  EXPECT_EQ(tap->tx_queued(), 0U);
  EXPECT_EQ(tap->next_deadline(), Instant::max());
  // Room again.
  EXPECT_TRUE(tap->transmit(frames[4], start + Duration::millis(40)));
  EXPECT_EQ(tap->stats().tx_frames, 4U);
  EXPECT_EQ(tap->stats().tx_dropped, 1U);
  for (std::size_t i : {0U, 1U, 2U, 4U}) EXPECT_EQ(kernel.receive_test_frame(), frames[i]) << i;
}

// ---- Receive offload ----------------------------------------------------------

// A UDP datagram from a local socket to lwnet's address (the kernel knows
// lwnet's MAC without asking: a permanent ARP entry).
void send_udp_to_lwnet(const std::string& tap_name, const std::string& message) {
  const Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(s.get(), 0);
  arpreq entry{};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(kLwnetIp);
  std::memcpy(&entry.arp_pa, &address, sizeof address);
  entry.arp_ha.sa_family = ARPHRD_ETHER;
  std::memcpy(entry.arp_ha.sa_data, kLwnetMac.data(), kLwnetMac.size());
  entry.arp_flags = ATF_COM | ATF_PERM;
  std::memcpy(entry.arp_dev, tap_name.c_str(), tap_name.size() + 1);
  ASSERT_EQ(ioctl(s.get(), SIOCSARP, &entry), 0) << std::strerror(errno);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(kLwnetIp);
  ASSERT_EQ(sendto(s.get(), message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(message.size()))
      << std::strerror(errno);
}

bool udp_checksum_holds(const Frame& frame) {
  if (frame.size() < 42 || load_be16(frame, 12) != 0x0800 || frame[23] != 17) return false;
  const ConstBytes udp = ConstBytes(frame).subspan(34);
  Checksum sum;
  sum.add(ConstBytes(frame).subspan(26, 8)).add16(17).add16(static_cast<std::uint16_t>(udp.size())).add(udp);
  return sum.folded() == 0xffff;
}

// The kernel grants checksum offload and TSO (this kernel knows all three
// flags), and then leaves a local UDP datagram's checksum to the "hardware":
// receive_offloaded() says so and where it goes; receive() finishes it.
TEST(TapReceiveOffload, GrantedPartialChecksumIsDescribedOrCompleted) {
  TapConfig config;
  config.name = "lwtaprx0";
  config.mode = TapConfig::Mode::Create;
  config.receive_offload = true;
  OsResult<TapDevice> tap = TapDevice::open(config);
  ASSERT_TRUE(tap) << tap.os_error().message();
  EXPECT_EQ(tap->receive_offloads(), unsigned{TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6});
  EXPECT_EQ(tap->capabilities().receive_offload, 65535U + 18);
  EXPECT_EQ(tap->capabilities().tcp_segmentation, 0U);  // not asked for
  ASSERT_NO_FATAL_FAILURE(configure_kernel_side("lwtaprx0", kKernelIp));

  ASSERT_NO_FATAL_FAILURE(send_udp_to_lwnet("lwtaprx0", "partial checksum, described"));
  WaitSet set;
  set.add(tap->fd());
  const Instant deadline = give_up_at();
  Frame buffer(65535 + 18);
  std::optional<Frame> datagram;
  ReceiveOffload offload;
  while (!datagram && monotonic_now() < deadline) {
    while (const std::optional<std::size_t> n = tap->receive_offloaded(buffer, offload, monotonic_now())) {
      Frame frame(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
      if (has_ethertype(frame, 0x0800) && frame.size() > 23 && frame[23] == 17) {
        datagram = frame;
        break;
      }
    }
    if (!datagram) {
      ASSERT_TRUE(set.wait(deadline));
    }
  }
  ASSERT_TRUE(datagram) << "no UDP datagram from the kernel";
  EXPECT_EQ(offload.gso, ReceiveOffload::Gso::None);
  ASSERT_TRUE(offload.checksum_partial) << "the kernel summed the datagram itself";
  EXPECT_EQ(offload.checksum_start, 34);
  EXPECT_EQ(offload.checksum_offset, 6);
  EXPECT_FALSE(udp_checksum_holds(*datagram));

  ASSERT_NO_FATAL_FAILURE(send_udp_to_lwnet("lwtaprx0", "partial checksum, completed by receive()"));
  const std::optional<Frame> completed = receive_from(
      *tap, [](const Frame& f) { return has_ethertype(f, 0x0800) && f.size() > 23 && f[23] == 17; });
  ASSERT_TRUE(completed);
  EXPECT_TRUE(udp_checksum_holds(*completed));
  EXPECT_EQ(tap->stats().rx_dropped, 0U);
}

}  // namespace
}  // namespace lwnet
