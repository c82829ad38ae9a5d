// The eleven states of a TCP connection (RFC 9293 3.3.2).
#pragma once

#include <cstdint>

namespace lwnet {

enum class TcpState : std::uint8_t {
  Closed, Listen, SynSent, SynReceived, Established, FinWait1, FinWait2, CloseWait, Closing,
  LastAck, TimeWait,
};

// Any thread. "ESTABLISHED" etc., as RFC 9293 spells them.
const char* to_string(TcpState state);

// Any thread. States in which both sides' initial sequence numbers are known.
constexpr bool is_synchronized(TcpState s) {
  return s != TcpState::Closed && s != TcpState::Listen && s != TcpState::SynSent;
}

}  // namespace lwnet
