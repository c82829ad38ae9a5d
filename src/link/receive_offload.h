// Checks what a device with receive offload says of a frame (its
// ReceiveOffload, virtio's net header) before the stack takes the frame:
// a description that does not fit the frame is a bad frame, never a crash
// or a wrong checksum taken on trust.
#pragma once

#include <cstdint>

#include "link/device.h"
#include "util/bytes.h"

namespace lwnet {

enum class OffloadVerdict : std::uint8_t {
  Plain,    // nothing vouched for: the transport checks its checksum as usual
  Trusted,  // the transport checksum is known good (PacketBuf::checksum_trusted)
  Bad,      // the description does not fit the frame: drop it
};

// Any thread (it only looks at its arguments). `frame` starts with the link
// header of `medium`. Bad when: a segmentation type the stack never asks for;
// a super-frame with segment size 0, with headers longer than the frame, or
// that is not TCP over the IP version its type names; a partial checksum
// whose field lies outside the frame. A partial checksum on a frame that is
// not a super-frame is completed in place (one pass over at most an MTU, so
// every protocol's own checks, and a capture, see a finished frame); a
// super-frame's stays partial and is trusted: not summing its 64 KiB again
// is what the offload is for.
OffloadVerdict check_receive_offload(Bytes frame, Medium medium, const ReceiveOffload& offload);

}  // namespace lwnet
