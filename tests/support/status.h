// gtest helpers for Status and Result: the error's name in the failure.
#pragma once

#include <gtest/gtest.h>

#include "util/error.h"
#include "util/result.h"

namespace lwnet::test {

template <class T>
::testing::AssertionResult is_ok(const Result<T>& r) {
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "error: " << to_string(r.error());
}

template <class T>
::testing::AssertionResult is_error(const Result<T>& r, Error expected) {
  if (r.ok()) return ::testing::AssertionFailure() << "ok, expected " << to_string(expected);
  if (r.error() != expected) {
    return ::testing::AssertionFailure()
           << "error: " << to_string(r.error()) << ", expected " << to_string(expected);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace lwnet::test

#define EXPECT_OK(expr) EXPECT_TRUE(::lwnet::test::is_ok(expr))
#define ASSERT_OK(expr) ASSERT_TRUE(::lwnet::test::is_ok(expr))
#define EXPECT_ERROR(expr, error) EXPECT_TRUE(::lwnet::test::is_error((expr), (error)))
