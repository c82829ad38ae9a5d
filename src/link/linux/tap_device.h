// A Linux TAP interface as a Device: the kernel sees an Ethernet interface,
// lwnet reads and writes the frames on its far side through /dev/net/tun.
// Bringing the Linux side up and giving it addresses is the user's job
// (`ip link set tap0 up`); this class only moves frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "link/device.h"
#include "link/linux/tap_transmit_batch.h"
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
  // Receive offload: the kernel may hand lwnet TCP super-frames (up to 64
  // KiB of payload behind one header, as it would give a NIC with TSO) and
  // frames whose checksum it left partial, each described by a net header
  // (so this implies the header, as segmentation_offload does). lwnet asks
  // for checksum offload, TSO for IPv4 and for IPv6 (TUNSETOFFLOAD); where
  // the kernel refuses, it asks for less (no TSO6, no TSO, then nothing:
  // whole frames as without it). receive_offloads() says what was granted.
  // Never UDP segmentation: lwnet does not ask for it.
  bool receive_offload = false;
  // A bounded transmit queue of lwnet's own, as an embedded driver's TX
  // buffers are. The kernel takes every write to a TAP at once (it never
  // pushes back), so without this a TAP never fails a transmit(). With
  // tx_queue_frames > 0, frames wait in a ring of that many and leave at
  // tx_rate_bytes_per_second at most, as on a link of that speed; while the
  // ring is full transmit() refuses the frame (tx_dropped, last_error()
  // ENOBUFS), which a UDP send reports as ENOMEM (the guide's
  // "Limitations"). Needs a rate, and neither offload.
  std::size_t tx_queue_frames = 0;
  std::uint64_t tx_rate_bytes_per_second = 0;
  // Frames sent during a poll written together, with one system call
  // (io_uring, when built with liburing and the kernel allows it; not with
  // a transmit queue): tap_transmit_batch.h.
  bool batch_writes = true;
  // The clone device; another path only in tests of the error reporting.
  std::string tun_path = "/dev/net/tun";
};

// Errors from open(): EACCES/EPERM (not root and no CAP_NET_ADMIN, or the
// interface belongs to another user), ENOENT/ENODEV for the clone device (no
// tun module), ENAMETOOLONG, ENODEV (Attach and no such interface), EBUSY
// (Create and it exists, or another process has it open), EINVAL (exists but
// is not a TAP, or a transmit queue without a rate or with offload).
// OsError::message() says which, with a hint.
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

  DeviceCapabilities capabilities() const override;
  // One read(2). nullopt when nothing is waiting (or on a read error, counted
  // in rx_dropped with last_error()). A frame longer than `into` is dropped,
  // counted, and the next one tried. With a transmit queue, first writes
  // the queued frames whose time has come.
  std::optional<std::size_t> receive(Bytes into, Instant now) override;
  // One write(2), or into the transmit queue. False, counted in tx_dropped,
  // when the kernel refuses the frame (EIO: the interface is down; ...) or
  // the transmit queue is full (ENOBUFS). Within a batch (no transmit
  // queue, io_uring available) the frame is copied and written with the
  // batch's others in one system call (tap_transmit_batch.h): when 16 are
  // held, before any frame written on its own, and at end_batch(). One
  // exception: when the batch before sent one frame or none (a
  // request-response exchange, not a transfer), a batch's first frame is
  // written at once, so that the answer to what the poll read leaves before
  // the rest of the poll's work (2-6 % more connections/s on this VM, with
  // transfers as fast as before).
  bool transmit(ConstBytes frame, Instant now) override;
  void begin_batch() override;
  void end_batch() override;
  // Whether transmit() batches within begin_batch()/end_batch() (built with
  // liburing, the kernel allows io_uring, no transmit queue, batch_writes).
  bool batches_writes() const { return batch_ != nullptr && batch_->usable(); }
  // Frames written in batches (io_uring) so far. Core thread.
  std::uint64_t batched_frames() const { return batched_frames_; }
  // One read(2), giving the net header's description with the frame
  // (with receive_offload; else as receive()). Headers that cannot be
  // told apart from a plain frame's are not judged here: the stack checks
  // them (link/receive_offload.h).
  std::optional<std::size_t> receive_offloaded(Bytes into, ReceiveOffload& offload, Instant now) override;
  // With a transmit queue holding frames: when the next may leave (the
  // stack polls then, and receive() writes it).
  Instant next_deadline() const override;
  // Frames waiting in the transmit queue. Core thread.
  std::size_t tx_queued() const { return tx_count_; }
  // With segmentation_offload: one write of the frame behind a net header
  // asking for TCPv4 segmentation.
  bool transmit_segmented(ConstBytes frame, const SegmentationOffload& offload, Instant now) override;
  const DeviceStats& stats() const override { return stats_; }

  // The non-blocking descriptor, readable when a frame waits.
  int fd() const { return fd_; }
  // The interface name, as the kernel has it.
  const std::string& name() const { return name_; }
  // The TUN_F_* flags the kernel granted to receive_offload (0: none).
  unsigned receive_offloads() const { return receive_offloads_; }
  // errno of the last failed read or write, 0 if none.
  int last_error() const { return last_error_; }

 private:
  TapDevice(int fd, std::string name, std::size_t mtu, bool vnet_header, bool segmentation);
  // One read of a frame and its net header; nullopt when nothing waits.
  std::optional<std::size_t> read_frame(Bytes into, ReceiveOffload& offload);
  bool write_frame(const void* header, std::size_t header_size, ConstBytes frame);
  // Writes the queued frames whose turn has come by `now`.
  void drain(Instant now);
  // Writes what the batch holds.
  void flush_batch();

  int fd_ = -1;
  std::string name_;
  std::size_t mtu_ = 1500;
  bool vnet_header_ = false;   // frames carry a virtio net header
  bool segmentation_ = false;  // transmit_segmented() is on
  unsigned receive_offloads_ = 0;
  // Catches the part of a frame that does not fit the caller's buffer. The
  // kernel silently cuts a frame to the buffer it is read into; with this
  // second buffer behind the caller's, the read returns more than the
  // caller's size and the frame is known to be oversized.
  std::unique_ptr<std::uint8_t[]> overflow_;
  DeviceStats stats_;
  int last_error_ = 0;
  // The transmit queue (TapConfig::tx_queue_frames): a ring of slots of
  // the largest frame, reserved at open().
  std::vector<std::uint8_t> tx_slots_;
  std::vector<std::size_t> tx_lengths_;
  std::size_t tx_slot_size_ = 0;
  std::size_t tx_head_ = 0;
  std::size_t tx_count_ = 0;
  std::uint64_t tx_rate_ = 0;
  Instant tx_link_free_at_;  // when the frame last written has left the "wire"
  // Frames written together during a poll (null: frame by frame).
  std::unique_ptr<TapTransmitBatch> batch_;
  bool batching_ = false;
  std::size_t frames_this_batch_ = 0;  // transmit() calls since begin_batch()
  std::size_t frames_last_batch_ = 0;  // the same, for the batch before
  std::uint64_t batched_frames_ = 0;
};

}  // namespace lwnet
