// Result<T>: a value or an Error, without exceptions (the core builds with
// -fno-exceptions). std::expected is C++23; this is the part of it we need.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "util/assert.h"
#include "util/error.h"

namespace lwnet {

namespace result_detail {

// Error's codes start at 1, so the byte that holds the error also says
// whether there is one (0: none): a separate flag (or std::variant's index,
// and its index-switching copies and destructor) costs code at every call
// site, and a test against zero is the shortest check.
inline constexpr Error no_error = static_cast<Error>(0);

// Any thread. Asking a failed Result for its value (or a good one for its
// error) is a bug: aborts. Out of line and without arguments, so that each
// check costs a compare and a branch.
[[noreturn]] void misuse();

// Whether *result, result-> and error() check too (value() always does, as
// std::expected's): where the core's other internal checks do (LWNET_ASSERT:
// CONFIG_LWIP_ESP_LWIP_ASSERT on and no NDEBUG, so in CMake's Debug build,
// where the tests run under the sanitizers, and in ESP-IDF's default
// firmware build). Callers test ok() first; checking again at every use is a
// compare and a branch per call site (213 bytes of Cortex-M4 text in
// tests/size/lwip_sizes.h, IPv4 only), which a build without assertions
// skips, as std::optional's and std::expected's operator* do.
inline constexpr bool checks = assertions;

}  // namespace result_detail

template <class T>
class [[nodiscard]] Result {
 public:
  // By reference, not by value: a value parameter is one more copy of T
  // between the caller's and the Result's.
  Result(const T& value) : value_(value) {}             // NOLINT: implicit by design
  Result(T&& value) : value_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Error error) : error_(error) {}                 // NOLINT: implicit by design

  // Trivial when T's are, so that a Result of a plain struct is copied as
  // bytes (and returned in registers where the ABI allows).
  Result(const Result&) requires std::is_trivially_copy_constructible_v<T> = default;
  Result(const Result& other) requires(!std::is_trivially_copy_constructible_v<T>)
      : error_(other.error_) {
    if (other.ok()) std::construct_at(&value_, other.value_);
  }
  Result(Result&&) requires std::is_trivially_move_constructible_v<T> = default;
  Result(Result&& other) requires(!std::is_trivially_move_constructible_v<T>)
      : error_(other.error_) {
    if (other.ok()) std::construct_at(&value_, std::move(other.value_));
  }
  Result& operator=(const Result&) requires std::is_trivially_copyable_v<T> = default;
  Result& operator=(const Result& other) requires(!std::is_trivially_copyable_v<T>) {
    if (this != &other) assign(other);
    return *this;
  }
  Result& operator=(Result&&) requires std::is_trivially_copyable_v<T> = default;
  Result& operator=(Result&& other) requires(!std::is_trivially_copyable_v<T>) {
    if (this != &other) assign(std::move(other));
    return *this;
  }
  ~Result() requires std::is_trivially_destructible_v<T> = default;
  ~Result() {
    if (ok()) std::destroy_at(&value_);
  }

  bool ok() const { return error_ == result_detail::no_error; }
  explicit operator bool() const { return ok(); }

  T& value() & { check(ok()); return value_; }
  const T& value() const& { check(ok()); return value_; }
  T&& value() && { check(ok()); return std::move(value_); }
  // Only after ok() (checked where result_detail::checks says).
  T* operator->() { debug_check(ok()); return &value_; }
  const T* operator->() const { debug_check(ok()); return &value_; }
  T& operator*() & { debug_check(ok()); return value_; }
  const T& operator*() const& { debug_check(ok()); return value_; }

  Error error() const { debug_check(!ok()); return error_; }

  // A good Result whose value `fill` sets, starting from a value-initialized
  // T, in the Result the caller receives: no T is built aside and copied in.
  template <class Fill>
  static Result filled(Fill&& fill) {
    Result r(std::in_place);
    fill(r.value_);
    return r;
  }

 private:
  explicit Result(std::in_place_t) : value_() {}

  static void check(bool condition) {
    if (!condition) result_detail::misuse();
  }
  static void debug_check(bool condition) {
    if (result_detail::checks && !condition) result_detail::misuse();
  }

  template <class Other>
  void assign(Other&& other) {
    if (ok()) std::destroy_at(&value_);
    error_ = result_detail::no_error;
    if (other.ok()) {
      std::construct_at(&value_, std::forward<Other>(other).value_);
    } else {
      error_ = other.error_;
    }
  }

  // Unset while error_ holds an error.
  union {
    T value_;
  };
  Error error_ = result_detail::no_error;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(error) {}  // NOLINT: implicit by design
  bool ok() const { return error_ == result_detail::no_error; }
  explicit operator bool() const { return ok(); }
  Error error() const {
    if (result_detail::checks && ok()) result_detail::misuse();
    return error_;
  }

 private:
  Error error_ = result_detail::no_error;
};

using Status = Result<void>;

}  // namespace lwnet
