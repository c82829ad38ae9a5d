// The receive loop of the apps that read each datagram of their UDP
// endpoint whole into a buffer of their own (the DHCP client and server,
// the DHCPv6 client).
#pragma once

#include <cstdint>
#include <optional>

#include "core/stack.h"

namespace lwnet {

// Calls on_datagram(datagram, received) for every datagram queued on
// `handle`, as long as it stays open (on_datagram may close it). One longer
// than `buffer` is dropped and counted in `truncated`: a part of a message
// is no message. Core thread only.
template <class F>
void receive_whole_datagrams(Stack& stack, const std::optional<UdpHandle>& handle, Bytes buffer,
                             std::uint64_t& truncated, F&& on_datagram) {
  for (;;) {
    if (!handle) return;
    Result<UdpReceived> got = stack.udp_receive(*handle, buffer);
    if (!got) return;
    if (got->copied < got->size) {
      ++truncated;
      continue;
    }
    on_datagram(ConstBytes(buffer.data(), got->copied), *got);
  }
}

}  // namespace lwnet
