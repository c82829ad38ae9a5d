// Errors of operating-system calls in the OS glue (port/, link/linux/): which
// call failed and its errno, with the nearest core Error for code that only
// wants to branch. Header-only so every piece of glue can use it without a
// link dependency.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

#include "util/error.h"

namespace lwnet {

// Any thread (a value).
class OsError {
 public:
  // `operation` names the failed call and its object ("open /dev/net/tun");
  // it must be a string literal or otherwise outlive the error. `hint` (may be
  // null) says what the user can do about it.
  OsError(const char* operation, int number, const char* hint = nullptr)
      : operation_(operation), hint_(hint), number_(number) {}
  // The error of the call that just failed (reads errno).
  static OsError last(const char* operation, const char* hint = nullptr) {
    return OsError(operation, errno, hint);
  }

  const char* operation() const { return operation_; }
  int number() const { return number_; }  // the errno value
  const char* hint() const { return hint_; }

  // The nearest core error code.
  Error code() const {
    switch (number_) {
      case EAGAIN: return Error::WouldBlock;
      case ENAMETOOLONG:
      case EINVAL: return Error::InvalidArgument;
      case EBUSY:
      case EEXIST: return Error::AddressInUse;
      case ENOMEM:
      case ENOBUFS: return Error::NoBuffers;
      case EMFILE:
      case ENFILE: return Error::TableFull;
      case EMSGSIZE: return Error::TooBig;
      case ENETDOWN:
      case EIO: return Error::NetDown;
      case EBADF: return Error::Closed;
      default: return Error::Unsupported;  // EPERM, EACCES, ENOENT, ENODEV, ...
    }
  }

  // "open /dev/net/tun: Permission denied (run as root or grant CAP_NET_ADMIN)".
  std::string message() const {
    std::string text = operation_;
    text += ": ";
    char buffer[128];
    // The GNU strerror_r returns its own string or one written into buffer;
    // unlike strerror it is thread-safe.
    text += strerror_r(number_, buffer, sizeof buffer);
    if (hint_ != nullptr) {
      text += " (";
      text += hint_;
      text += ")";
    }
    return text;
  }

 private:
  const char* operation_;
  const char* hint_;
  int number_;
};

// A value or an OsError: the Result<T> of the OS glue, which keeps errno and
// the failed call so a user sees why (util/result.h keeps only the code).
template <class T>
class [[nodiscard]] OsResult {
 public:
  OsResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  OsResult(OsError error) : state_(std::in_place_index<1>, error) {}       // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const OsError& os_error() const { return std::get<1>(state_); }
  Error error() const { return os_error().code(); }

 private:
  std::variant<T, OsError> state_;
};

template <>
class [[nodiscard]] OsResult<void> {
 public:
  OsResult() = default;
  OsResult(OsError error) : error_(error), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const OsError& os_error() const { return error_; }
  Error error() const { return error_.code(); }

 private:
  OsError error_{"", 0};
  bool ok_ = true;
};

using OsStatus = OsResult<void>;

}  // namespace lwnet
