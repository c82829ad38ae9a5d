#include "link/linux/tap_device.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace lwnet {
namespace {

// Larger than any frame a TAP can carry: the Linux side's MTU is at most
// 65535, plus an Ethernet header with a VLAN tag.
constexpr std::size_t kOverflowSize = 65536 + 64;

// A flood of oversized frames must not keep one receive() call busy forever.
constexpr int kMaxDropsPerReceive = 64;

const char* open_hint(int number) {
  switch (number) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return "no TUN/TAP support: load the tun module (modprobe tun) or create the node "
             "(mknod /dev/net/tun c 10 200)";
    case EACCES:
    case EPERM:
      return "run as root or with CAP_NET_ADMIN";
    default:
      return nullptr;
  }
}

const char* attach_hint(int number) {
  switch (number) {
    case EPERM:
    case EACCES:
      return "creating an interface needs CAP_NET_ADMIN; attaching needs it too unless the "
             "interface was made for this user (ip tuntap add ... user NAME)";
    case EBUSY:
      return "the interface exists (Create mode) or another process has it open";
    case EINVAL:
      return "the interface exists but is not a TAP, or the name is not valid";
    default:
      return nullptr;
  }
}

}  // namespace

OsResult<TapDevice> TapDevice::open(const TapConfig& config) {
  if (config.name.size() >= IFNAMSIZ) {
    return OsError("TAP interface name", ENAMETOOLONG, "at most 15 bytes");
  }
  if (config.mode == TapConfig::Mode::Attach) {
    if (config.name.empty()) {
      return OsError("TAP attach", EINVAL, "attaching needs an interface name");
    }
    // TUNSETIFF would create a missing interface: look first. (Another
    // process can create or remove it in between; then the ioctl decides.)
    if (if_nametoindex(config.name.c_str()) == 0) {
      return OsError("TAP attach", ENODEV, "no interface of that name in this network namespace");
    }
  }

  const int fd = ::open(config.tun_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int number = errno;
    return OsError("open /dev/net/tun", number, open_hint(number));
  }

  ifreq request{};
  // No packet-information prefix: reads and writes are bare Ethernet frames.
  short flags = IFF_TAP | IFF_NO_PI;
  if (config.mode == TapConfig::Mode::Create) {
    flags = static_cast<short>(flags | IFF_TUN_EXCL);
  }
  request.ifr_flags = flags;
  std::memcpy(request.ifr_name, config.name.data(), config.name.size());
  if (ioctl(fd, TUNSETIFF, &request) != 0) {
    const int number = errno;
    ::close(fd);
    return OsError("ioctl TUNSETIFF", number, attach_hint(number));
  }
  request.ifr_name[IFNAMSIZ - 1] = '\0';
  return TapDevice(fd, std::string(request.ifr_name), config.mtu);
}

TapDevice::TapDevice(int fd, std::string name, std::size_t mtu)
    : fd_(fd),
      name_(std::move(name)),
      mtu_(mtu),
      overflow_(std::make_unique<std::uint8_t[]>(kOverflowSize)) {}

TapDevice::TapDevice(TapDevice&& other) noexcept
    : Device(other),
      fd_(std::exchange(other.fd_, -1)),
      name_(std::move(other.name_)),
      mtu_(other.mtu_),
      overflow_(std::move(other.overflow_)),
      stats_(other.stats_),
      last_error_(other.last_error_) {}

TapDevice& TapDevice::operator=(TapDevice&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
    mtu_ = other.mtu_;
    overflow_ = std::move(other.overflow_);
    stats_ = other.stats_;
    last_error_ = other.last_error_;
  }
  return *this;
}

TapDevice::~TapDevice() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::optional<std::size_t> TapDevice::receive(Bytes into, Instant /*now*/) {
  for (int drops = 0; drops < kMaxDropsPerReceive;) {
    // One read per frame; the second vector only shows that a frame was
    // longer than the caller's buffer.
    iovec vectors[2] = {{into.data(), into.size()}, {overflow_.get(), kOverflowSize}};
    const ssize_t n = readv(fd_, vectors, 2);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno != EAGAIN) {
        last_error_ = errno;
        ++stats_.rx_dropped;
      }
      return std::nullopt;
    }
    const auto size = static_cast<std::size_t>(n);
    if (size > into.size()) {
      ++stats_.rx_dropped;
      ++drops;
      continue;
    }
    if (size == 0) {
      return std::nullopt;
    }
    ++stats_.rx_frames;
    stats_.rx_bytes += size;
    return size;
  }
  return std::nullopt;
}

bool TapDevice::transmit(ConstBytes frame, Instant /*now*/) {
  for (;;) {
    const ssize_t n = ::write(fd_, frame.data(), frame.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 || static_cast<std::size_t>(n) != frame.size()) {
      last_error_ = n < 0 ? errno : EIO;
      ++stats_.tx_dropped;
      return false;
    }
    ++stats_.tx_frames;
    stats_.tx_bytes += frame.size();
    return true;
  }
}

}  // namespace lwnet
