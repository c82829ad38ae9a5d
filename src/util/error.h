// Error codes of the core. The socket layer maps them to errno values.
#pragma once

#include <cstdint>

namespace lwnet {

// From 1: Result and Status keep 0 for "no error" in the same byte, and a
// test against zero is shorter Thumb code at every check than one against
// another value.
enum class Error : std::uint8_t {
  Truncated = 1,    // input shorter than its header or its length field says
  Malformed,        // a field has an impossible value
  BadChecksum,
  Unsupported,      // valid but not handled (unknown version, protocol, option)
  NoBuffers,        // a pool is empty (ENOMEM)
  NoRoute,          // no netif reaches the destination (EHOSTUNREACH / ENETUNREACH)
  AddressInUse,     // EADDRINUSE
  AddressNotAvailable,  // EADDRNOTAVAIL
  InvalidArgument,  // EINVAL
  NotConnected,     // ENOTCONN / EDESTADDRREQ
  WouldBlock,       // EAGAIN: nothing to read, or the peer's address is being resolved
  TooBig,           // EMSGSIZE
  TableFull,        // no free slot (ENFILE / EMFILE)
  NetDown,          // ENETDOWN: netif down or no link
  Closed,           // the handle was closed
  ConnectionRefused,  // ECONNREFUSED: RST in answer to our SYN
  ConnectionReset,    // ECONNRESET: the peer reset an open connection
  ConnectionAborted,  // ECONNABORTED: aborted locally
  TimedOut,           // ETIMEDOUT: retransmissions or keepalive probes unanswered
  AlreadyConnected,   // EISCONN / EALREADY
  InProgress,         // EINPROGRESS
  HostUnreachable,    // EHOSTUNREACH: an ICMP host unreachable or time exceeded
  Protocol,           // EPROTO: an ICMP parameter problem about what we sent
};

// Any thread. A short lower-case name, for logs and the lwnet command.
const char* to_string(Error e);

}  // namespace lwnet
