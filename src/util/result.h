// Result<T>: a value or an Error, without exceptions (the core builds with
// -fno-exceptions). std::expected is C++23; this is the part of it we need.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "util/assert.h"
#include "util/error.h"

namespace lwnet {

template <class T>
class [[nodiscard]] Result {
 public:
  // By reference, not by value: a value parameter is one more copy of T
  // between the caller's and the Result's.
  Result(const T& value) : state_(std::in_place_index<0>, value) {}       // NOLINT: implicit by design
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, error) {}         // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Asking a failed Result for its value is a bug: std::get aborts (the core
  // has no exceptions to throw).
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  Error error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(error), ok_(false) {}  // NOLINT: implicit by design
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  Error error() const { LWNET_ASSERT(!ok_); return error_; }

 private:
  Error error_{};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace lwnet
