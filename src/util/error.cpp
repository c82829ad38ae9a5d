#include "util/error.h"

namespace lwnet {

const char* to_string(Error e) {
  switch (e) {
    case Error::Truncated: return "truncated";
    case Error::Malformed: return "malformed";
    case Error::BadChecksum: return "bad checksum";
    case Error::Unsupported: return "unsupported";
    case Error::NoBuffers: return "no buffers";
    case Error::NoRoute: return "no route to host";
    case Error::AddressInUse: return "address in use";
    case Error::AddressNotAvailable: return "address not available";
    case Error::InvalidArgument: return "invalid argument";
    case Error::NotConnected: return "not connected";
    case Error::WouldBlock: return "would block";
    case Error::TooBig: return "message too long";
    case Error::TableFull: return "table full";
    case Error::NetDown: return "network is down";
    case Error::Closed: return "closed";
    case Error::ConnectionRefused: return "connection refused";
    case Error::ConnectionReset: return "connection reset by peer";
    case Error::ConnectionAborted: return "connection aborted";
    case Error::TimedOut: return "timed out";
    case Error::AlreadyConnected: return "already connected";
    case Error::InProgress: return "in progress";
    case Error::HostUnreachable: return "host unreachable";
    case Error::Protocol: return "protocol error";
  }
  return "unknown error";
}

}  // namespace lwnet
