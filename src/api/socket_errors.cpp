#include "api/socket_errors.h"

#include <cerrno>

namespace lwnet::api {

int errno_of(Error error) {
  switch (error) {
    case Error::Truncated:
    case Error::Malformed:
    case Error::BadChecksum:
    case Error::InvalidArgument: return EINVAL;
    case Error::Unsupported: return EOPNOTSUPP;
    case Error::NoBuffers: return ENOMEM;
    // No netif reaches the destination: Linux says ENETUNREACH for a
    // destination no route covers (EHOSTUNREACH is for a neighbour that
    // never answered, which TCP reports as a timeout here).
    case Error::NoRoute: return ENETUNREACH;
    case Error::AddressInUse: return EADDRINUSE;
    case Error::AddressNotAvailable: return EADDRNOTAVAIL;
    case Error::NotConnected: return ENOTCONN;
    case Error::WouldBlock: return EAGAIN;
    case Error::TooBig: return EMSGSIZE;
    case Error::TableFull: return ENFILE;
    case Error::NetDown: return ENETDOWN;
    case Error::Closed: return EBADF;
    case Error::ConnectionRefused: return ECONNREFUSED;
    case Error::ConnectionReset: return ECONNRESET;
    case Error::ConnectionAborted: return ECONNABORTED;
    case Error::TimedOut: return ETIMEDOUT;
    case Error::AlreadyConnected: return EISCONN;
    case Error::InProgress: return EINPROGRESS;
    case Error::HostUnreachable: return EHOSTUNREACH;
    case Error::Protocol: return EPROTO;
  }
  return EIO;
}

}  // namespace lwnet::api
