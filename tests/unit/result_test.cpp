#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "util/error.h"
#include "util/result.h"

namespace lwnet::result_test {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return Error::InvalidArgument;
  return v / 2;
}

Status check(bool ok) {
  if (!ok) return Error::WouldBlock;
  return {};
}

TEST(Result, HoldsAValue) {
  Result<int> r = half(42);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 21);
  EXPECT_EQ(*r, 21);
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(Result, HoldsAnError) {
  Result<int> r = half(3);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error(), Error::InvalidArgument);
}

TEST(Result, ArrowReachesMembers) {
  Result<std::string> r(std::string("lwnet"));
  EXPECT_EQ(r->size(), 5U);
  const Result<std::string>& c = r;
  EXPECT_EQ(c->front(), 'l');
  EXPECT_EQ(*c, "lwnet");
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(9));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> taken = std::move(r).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 9);
  Result<std::unique_ptr<int>> e(Error::NoBuffers);
  EXPECT_EQ(e.error(), Error::NoBuffers);
}

TEST(Status, SuccessAndFailure) {
  Status ok = check(true);
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  Status failed = check(false);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error(), Error::WouldBlock);
  Status default_constructed;
  EXPECT_TRUE(default_constructed.ok());
}

TEST(Error, EveryCodeHasADistinctName) {
  const Error all[] = {Error::Truncated,  Error::Malformed,        Error::BadChecksum,
                       Error::Unsupported, Error::NoBuffers,       Error::NoRoute,
                       Error::AddressInUse, Error::AddressNotAvailable, Error::InvalidArgument,
                       Error::NotConnected, Error::WouldBlock,     Error::TooBig,
                       Error::TableFull,   Error::NetDown,         Error::Closed};
  for (std::size_t i = 0; i < std::size(all); ++i) {
    const char* name = to_string(all[i]);
    ASSERT_NE(name, nullptr);
    EXPECT_NE(std::strcmp(name, "unknown error"), 0) << i;
    for (std::size_t j = 0; j < i; ++j) {
      EXPECT_STRNE(name, to_string(all[j])) << i << " " << j;
    }
  }
  EXPECT_STREQ(to_string(Error::BadChecksum), "bad checksum");
  EXPECT_STREQ(to_string(static_cast<Error>(200)), "unknown error");
}

}  // namespace
}  // namespace lwnet::result_test
