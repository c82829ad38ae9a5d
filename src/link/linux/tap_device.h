// A Linux TAP interface as a Device: the kernel sees an Ethernet interface,
// lwnet reads and writes the frames on its far side through /dev/net/tun.
// Bringing the Linux side up and giving it addresses is the user's job
// (`ip link set tap0 up`); this class only moves frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "link/device.h"
#include "port/os_error.h"

namespace lwnet {

struct TapConfig {
  // Interface name, at most 15 bytes. Empty: a new interface named by the
  // kernel (tap0, tap1, ...); name() says which.
  std::string name;
  enum class Mode : std::uint8_t {
    CreateOrAttach,  // attach when an interface of this name exists, else create one
    Create,          // fail with EBUSY when it already exists
    Attach,          // fail with ENODEV when it does not exist (made by `ip tuntap add`)
  };
  Mode mode = Mode::CreateOrAttach;
  // The largest IP packet lwnet sends (capabilities().mtu). Set the Linux
  // side's MTU to the same value.
  std::size_t mtu = 1500;
  // TCP segmentation offload: every frame carries virtio's net header
  // (IFF_VNET_HDR), so lwnet can hand the kernel TCP packets of up to 64 KiB
  // that it cuts into segments (one write instead of dozens). Frames from
  // the kernel still arrive whole-sized and checksummed.
  bool segmentation_offload = false;
  // The clone device; another path only in tests of the error reporting.
  std::string tun_path = "/dev/net/tun";
};

// Errors from open(): EACCES/EPERM (not root and no CAP_NET_ADMIN, or the
// interface belongs to another user), ENOENT/ENODEV for the clone device (no
// tun module), ENAMETOOLONG, ENODEV (Attach and no such interface), EBUSY
// (Create and it exists, or another process has it open), EINVAL (exists but
// is not a TAP). OsError::message() says which, with a hint.
//
// Interfaces it creates are not persistent: they vanish when the device is
// destroyed.
//
// Move-only. receive() and transmit() from the core thread only; fd() may be
// polled from any thread.
class TapDevice final : public Device {
 public:
  static OsResult<TapDevice> open(const TapConfig& config);

  TapDevice(TapDevice&& other) noexcept;
  TapDevice& operator=(TapDevice&& other) noexcept;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;
  ~TapDevice() override;

  DeviceCapabilities capabilities() const override {
    return DeviceCapabilities{Medium::Ethernet, mtu_, offload_ ? std::size_t{65535} : 0};
  }
  // One read(2). nullopt when nothing is waiting (or on a read error, counted
  // in rx_dropped with last_error()). A frame longer than `into` is dropped,
  // counted, and the next one tried.
  std::optional<std::size_t> receive(Bytes into, Instant now) override;
  // One write(2). False, counted in tx_dropped, when the kernel refuses the
  // frame (EAGAIN: its queue is full; EIO: the interface is down; ...).
  bool transmit(ConstBytes frame, Instant now) override;
  // With segmentation_offload: one write of the frame behind a net header
  // asking for TCPv4 segmentation.
  bool transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) override;
  const DeviceStats& stats() const override { return stats_; }

  // The non-blocking descriptor, readable when a frame waits.
  int fd() const { return fd_; }
  // The interface name, as the kernel has it.
  const std::string& name() const { return name_; }
  // errno of the last failed read or write, 0 if none.
  int last_error() const { return last_error_; }

 private:
  TapDevice(int fd, std::string name, std::size_t mtu, bool offload);
  bool write_frame(const void* header, std::size_t header_size, ConstBytes frame);

  int fd_ = -1;
  std::string name_;
  std::size_t mtu_ = 1500;
  bool offload_ = false;  // frames carry a virtio net header
  // Catches the part of a frame that does not fit the caller's buffer. The
  // kernel silently cuts a frame to the buffer it is read into; with this
  // second buffer behind the caller's, the read returns more than the
  // caller's size and the frame is known to be oversized.
  std::unique_ptr<std::uint8_t[]> overflow_;
  DeviceStats stats_;
  int last_error_ = 0;
};

}  // namespace lwnet
