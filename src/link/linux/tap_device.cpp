#include "link/linux/tap_device.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "link/receive_offload.h"
#include "util/checksum.h"

namespace lwnet {
namespace {

// virtio's net header (virtio spec 5.1.6), which IFF_VNET_HDR puts in front
// of every frame; <linux/virtio_net.h> does not compile as C++. A legacy
// TAP uses the host's byte order for the 16-bit fields.
struct virtio_net_hdr {
  std::uint8_t flags;
  std::uint8_t gso_type;
  std::uint16_t hdr_len;      // Ethernet + IP + TCP headers
  std::uint16_t gso_size;     // payload bytes per segment
  std::uint16_t csum_start;   // where the checksum sum starts
  std::uint16_t csum_offset;  // where, after csum_start, it is stored
};
static_assert(sizeof(virtio_net_hdr) == 10);
constexpr std::uint8_t VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
constexpr std::uint8_t VIRTIO_NET_HDR_F_DATA_VALID = 2;
constexpr std::uint8_t VIRTIO_NET_HDR_GSO_NONE = 0;
constexpr std::uint8_t VIRTIO_NET_HDR_GSO_TCPV4 = 1;
constexpr std::uint8_t VIRTIO_NET_HDR_GSO_TCPV6 = 4;

// Larger than any frame a TAP can carry: the Linux side's MTU is at most
// 65535, plus an Ethernet header with a VLAN tag.
constexpr std::size_t kOverflowSize = 65536 + 64;

// A flood of oversized frames must not keep one receive() call busy forever.
constexpr int kMaxDropsPerReceive = 64;

// The largest frame with receive offload: an IP packet of 65535 bytes, its
// Ethernet header and a VLAN tag.
constexpr std::size_t kLargestSuperFrame = 65535 + 18;

// What receive offload asks the kernel for, most first: TSO needs checksum
// offload, and an old kernel may know TSO6 or TSO only.
constexpr unsigned kReceiveOffloadTries[] = {
    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
    TUN_F_CSUM | TUN_F_TSO4,
    TUN_F_CSUM,
};

ReceiveOffload describe(const virtio_net_hdr& header) {
  ReceiveOffload offload;
  switch (header.gso_type) {
    case VIRTIO_NET_HDR_GSO_NONE: offload.gso = ReceiveOffload::Gso::None; break;
    case VIRTIO_NET_HDR_GSO_TCPV4: offload.gso = ReceiveOffload::Gso::TcpV4; break;
    case VIRTIO_NET_HDR_GSO_TCPV6: offload.gso = ReceiveOffload::Gso::TcpV6; break;
    default: offload.gso = ReceiveOffload::Gso::Unknown; break;
  }
  offload.segment_size = header.gso_size;
  offload.header_length = header.hdr_len;
  offload.checksum_partial = (header.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
  offload.checksum_start = header.csum_start;
  offload.checksum_offset = header.csum_offset;
  offload.checksum_valid = (header.flags & VIRTIO_NET_HDR_F_DATA_VALID) != 0;
  return offload;
}

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

  if (config.tx_queue_frames > 0 &&
      (config.tx_rate_bytes_per_second == 0 || config.segmentation_offload || config.receive_offload)) {
    return OsError("TAP transmit queue", EINVAL,
                   "a transmit queue needs tx_rate_bytes_per_second and no segmentation or receive offload");
  }
  const int fd = ::open(config.tun_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int number = errno;
    return OsError("open /dev/net/tun", number, open_hint(number));
  }

  ifreq request{};
  // No packet-information prefix: reads and writes are bare Ethernet frames.
  short flags = IFF_TAP | IFF_NO_PI;
  const bool vnet_header = config.segmentation_offload || config.receive_offload;
  if (vnet_header) flags = static_cast<short>(flags | IFF_VNET_HDR);
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
  unsigned granted = 0;
  if (vnet_header) {
    // The plain header (no num_buffers field).
    int header_size = sizeof(virtio_net_hdr);
    if (ioctl(fd, TUNSETVNETHDRSZ, &header_size) != 0) {
      const int number = errno;
      ::close(fd);
      return OsError("ioctl TUNSETVNETHDRSZ", number, "the tun driver refuses virtio net headers");
    }
    if (config.receive_offload) {
      for (const unsigned offloads : kReceiveOffloadTries) {
        if (ioctl(fd, TUNSETOFFLOAD, offloads) == 0) {
          granted = offloads;
          break;
        }
      }
    }
  }
  // Nothing granted (or asked): whole, checksummed frames toward us. Also
  // without the net header: offloads granted to an earlier user stay with a
  // persistent interface, and its frames would arrive with checksums left
  // partial and nothing to say so.
  if (granted == 0 && ioctl(fd, TUNSETOFFLOAD, 0) != 0) {
    const int number = errno;
    ::close(fd);
    return OsError("ioctl TUNSETOFFLOAD", number, "the tun driver refuses to set its offloads");
  }
  TapDevice tap(fd, std::string(request.ifr_name), config.mtu, vnet_header, config.segmentation_offload);
  tap.receive_offloads_ = granted;
  if (config.tx_queue_frames > 0) {
    tap.tx_slot_size_ = config.mtu + 18;  // Ethernet header and a VLAN tag
    tap.tx_slots_.resize(config.tx_queue_frames * tap.tx_slot_size_);
    tap.tx_lengths_.resize(config.tx_queue_frames);
    tap.tx_rate_ = config.tx_rate_bytes_per_second;
  } else if (config.batch_writes) {
    tap.batch_ = TapTransmitBatch::create(fd, (vnet_header ? sizeof(virtio_net_hdr) : 0) + config.mtu + 18);
  }
  return tap;
}

TapDevice::TapDevice(int fd, std::string name, std::size_t mtu, bool vnet_header, bool segmentation)
    : fd_(fd),
      name_(std::move(name)),
      mtu_(mtu),
      vnet_header_(vnet_header),
      segmentation_(segmentation),
      // Not zero-filled: only an oversized frame ever lands here, so its 64
      // KiB stay out of the resident set until one does.
      overflow_(std::make_unique_for_overwrite<std::uint8_t[]>(kOverflowSize)) {}

TapDevice::TapDevice(TapDevice&& other) noexcept
    : Device(other),
      fd_(std::exchange(other.fd_, -1)),
      name_(std::move(other.name_)),
      mtu_(other.mtu_),
      vnet_header_(other.vnet_header_),
      segmentation_(other.segmentation_),
      receive_offloads_(other.receive_offloads_),
      overflow_(std::move(other.overflow_)),
      stats_(other.stats_),
      last_error_(other.last_error_),
      tx_slots_(std::move(other.tx_slots_)),
      tx_lengths_(std::move(other.tx_lengths_)),
      tx_slot_size_(other.tx_slot_size_),
      tx_head_(other.tx_head_),
      tx_count_(std::exchange(other.tx_count_, 0)),
      tx_rate_(other.tx_rate_),
      tx_link_free_at_(other.tx_link_free_at_),
      batch_(std::move(other.batch_)),
      batching_(std::exchange(other.batching_, false)),
      frames_this_batch_(other.frames_this_batch_),
      frames_last_batch_(other.frames_last_batch_),
      batched_frames_(other.batched_frames_) {}

TapDevice& TapDevice::operator=(TapDevice&& other) noexcept {
  if (this != &other) {
    flush_batch();  // what this device holds leaves before its descriptor closes, as in the destructor
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
    mtu_ = other.mtu_;
    vnet_header_ = other.vnet_header_;
    segmentation_ = other.segmentation_;
    receive_offloads_ = other.receive_offloads_;
    overflow_ = std::move(other.overflow_);
    stats_ = other.stats_;
    last_error_ = other.last_error_;
    tx_slots_ = std::move(other.tx_slots_);
    tx_lengths_ = std::move(other.tx_lengths_);
    tx_slot_size_ = other.tx_slot_size_;
    tx_head_ = other.tx_head_;
    tx_count_ = std::exchange(other.tx_count_, 0);
    tx_rate_ = other.tx_rate_;
    tx_link_free_at_ = other.tx_link_free_at_;
    batch_ = std::move(other.batch_);
    batching_ = std::exchange(other.batching_, false);
    frames_this_batch_ = other.frames_this_batch_;
    frames_last_batch_ = other.frames_last_batch_;
    batched_frames_ = other.batched_frames_;
  }
  return *this;
}

TapDevice::~TapDevice() {
  flush_batch();
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

DeviceCapabilities TapDevice::capabilities() const {
  DeviceCapabilities c{Medium::Ethernet, mtu_, segmentation_ ? std::size_t{65535} : 0};
  if ((receive_offloads_ & (TUN_F_TSO4 | TUN_F_TSO6)) != 0) {
    c.receive_offload = kLargestSuperFrame;
  } else if (receive_offloads_ != 0) {
    c.receive_offload = mtu_ + 18;  // whole frames, with partial checksums
  }
  return c;
}

std::optional<std::size_t> TapDevice::read_frame(Bytes into, ReceiveOffload& offload) {
  for (int drops = 0; drops < kMaxDropsPerReceive;) {
    // One read per frame; the last vector only shows that a frame was
    // longer than the caller's buffer.
    virtio_net_hdr header{};
    iovec vectors[3] = {{&header, sizeof header}, {into.data(), into.size()}, {overflow_.get(), kOverflowSize}};
    // Without the net header the frame starts the read; with it, the header does.
    iovec* first = vnet_header_ ? vectors : vectors + 1;
    const ssize_t n = readv(fd_, first, vnet_header_ ? 3 : 2);
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
    std::size_t size = static_cast<std::size_t>(n);
    offload = ReceiveOffload{};
    if (vnet_header_) {
      if (size < sizeof header) {
        ++stats_.rx_dropped;
        ++drops;
        continue;
      }
      size -= sizeof header;
      // Without receive offload the kernel was told to send whole,
      // checksummed frames: a header asking for more is a frame lwnet
      // cannot take as it is.
      offload = describe(header);
      if (receive_offloads_ == 0 &&
          (offload.gso != ReceiveOffload::Gso::None || offload.checksum_partial)) {
        ++stats_.rx_dropped;
        ++drops;
        continue;
      }
    }
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

std::optional<std::size_t> TapDevice::receive_offloaded(Bytes into, ReceiveOffload& offload, Instant now) {
  if (tx_count_ > 0) drain(now);
  return read_frame(into, offload);
}

std::optional<std::size_t> TapDevice::receive(Bytes into, Instant now) {
  if (tx_count_ > 0) drain(now);
  for (int drops = 0; drops < kMaxDropsPerReceive; ++drops) {
    ReceiveOffload offload;
    const std::optional<std::size_t> size = read_frame(into, offload);
    if (!size) return std::nullopt;
    // A caller that takes no description gets a frame that stands alone:
    // its checksum finished, a super-frame whole (if it fits).
    Bytes frame = into.first(*size);
    if (check_receive_offload(frame, Medium::Ethernet, offload) == OffloadVerdict::Bad) {
      ++stats_.rx_dropped;
      continue;
    }
    if (offload.gso != ReceiveOffload::Gso::None && offload.checksum_partial) {
      const std::size_t field = std::size_t{offload.checksum_start} + offload.checksum_offset;
      store_be16(frame, field, Checksum{}.add(ConstBytes(frame).subspan(offload.checksum_start)).finish());
    }
    return size;
  }
  return std::nullopt;
}

bool TapDevice::transmit(ConstBytes frame, Instant now) {
  if (tx_slot_size_ > 0) {
    drain(now);
    const std::size_t capacity = tx_lengths_.size();
    if (tx_count_ == capacity || frame.size() > tx_slot_size_) {
      last_error_ = ENOBUFS;
      ++stats_.tx_dropped;
      return false;
    }
    const std::size_t slot = (tx_head_ + tx_count_) % capacity;
    std::memcpy(tx_slots_.data() + slot * tx_slot_size_, frame.data(), frame.size());
    tx_lengths_[slot] = frame.size();
    ++tx_count_;
    drain(now);
    return true;
  }
  const virtio_net_hdr none{};  // no offload asked for this frame
  const std::size_t header_size = vnet_header_ ? sizeof none : 0;
  if (batching_ && ++frames_this_batch_ == 1 && frames_last_batch_ <= 1) {
    return write_frame(&none, header_size, frame);  // an answer leaves at once (see transmit() in the header)
  }
  if (batching_ && batch_->add(&none, header_size, frame)) {
    if (batch_->full()) flush_batch();
    return true;
  }
  flush_batch();  // what came before goes first
  return write_frame(&none, header_size, frame);
}

void TapDevice::begin_batch() {
  batching_ = batch_ != nullptr && batch_->usable();
  frames_this_batch_ = 0;
}

void TapDevice::end_batch() {
  flush_batch();
  frames_last_batch_ = frames_this_batch_;
  batching_ = false;
}

void TapDevice::flush_batch() {
  if (batch_ == nullptr || batch_->empty()) return;
  const std::uint64_t before = stats_.tx_frames + stats_.tx_dropped;
  batch_->flush(stats_, last_error_);
  batched_frames_ += stats_.tx_frames + stats_.tx_dropped - before;
  if (!batch_->usable()) batching_ = false;
}

void TapDevice::drain(Instant now) {
  while (tx_count_ > 0 && tx_link_free_at_ <= now) {
    const std::size_t length = tx_lengths_[tx_head_];
    (void)write_frame(nullptr, 0, ConstBytes(tx_slots_.data() + tx_head_ * tx_slot_size_, length));
    tx_head_ = (tx_head_ + 1) % tx_lengths_.size();
    --tx_count_;
    // The frame occupies the link for length / rate; an idle link starts now.
    const Instant start = std::max(tx_link_free_at_, now);
    tx_link_free_at_ = start + Duration::micros(static_cast<std::int64_t>(length * 1000000 / tx_rate_));
  }
}

Instant TapDevice::next_deadline() const {
  return tx_count_ > 0 ? tx_link_free_at_ : Instant::max();
}

bool TapDevice::transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant /*now*/) {
  flush_batch();  // what came before goes first
  if (!segmentation_ || frame.size() > 65535 + 14) {
    ++stats_.tx_dropped;
    return false;
  }
  virtio_net_hdr header{};
  header.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  header.gso_type =
      offload.ip_version == IpVersion::V6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
  header.hdr_len = offload.header_length;
  header.gso_size = offload.segment_size;
  header.csum_start = offload.checksum_start;
  header.csum_offset = offload.checksum_offset;
  return write_frame(&header, sizeof header, frame);
}

bool TapDevice::write_frame(const void* header, std::size_t header_size, ConstBytes frame) {
  iovec vectors[2] = {{const_cast<void*>(header), header_size},
                      {const_cast<std::uint8_t*>(frame.data()), frame.size()}};
  iovec* first = header_size == 0 ? vectors + 1 : vectors;
  const int count = header_size == 0 ? 1 : 2;
  for (;;) {
    const ssize_t n = ::writev(fd_, first, count);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 || static_cast<std::size_t>(n) != header_size + frame.size()) {
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
