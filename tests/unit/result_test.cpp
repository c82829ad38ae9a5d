#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
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

// Counts the live objects, to prove that copies, moves, assignments and
// destruction of a Result construct and destroy its value exactly once.
struct Counted {
  static inline int live = 0;
  int value;
  explicit Counted(int v) : value(v) { ++live; }
  Counted(const Counted& other) : value(other.value) { ++live; }
  Counted(Counted&& other) noexcept : value(other.value) { ++live; }
  Counted& operator=(const Counted&) = default;
  ~Counted() { --live; }
};

TEST(Result, ConstructsAndDestroysANonTrivialValueOnce) {
  Counted::live = 0;
  {
    Result<Counted> a(Counted(1));
    EXPECT_EQ(Counted::live, 1);
    Result<Counted> copy = a;
    Result<Counted> moved = std::move(a);
    EXPECT_EQ(Counted::live, 3);
    Result<Counted> failed(Error::Closed);
    EXPECT_EQ(Counted::live, 3);
    copy = failed;  // value to error: the value goes
    EXPECT_EQ(Counted::live, 2);
    EXPECT_EQ(copy.error(), Error::Closed);
    failed = moved;  // error to value
    EXPECT_EQ(Counted::live, 3);
    EXPECT_EQ(failed->value, 1);
    moved = Result<Counted>(Counted(5));  // value to value
    EXPECT_EQ(Counted::live, 3);
    EXPECT_EQ(moved->value, 5);
    const Result<Counted>& self = moved;
    moved = self;
    EXPECT_EQ(moved->value, 5);
  }
  EXPECT_EQ(Counted::live, 0);
}

// A Result of a plain value is copied as bytes and is no larger than the
// value and one byte (the error code says whether there is an error).
static_assert(std::is_trivially_copyable_v<Result<int>>);
static_assert(sizeof(Result<std::uint32_t>) == 2 * sizeof(std::uint32_t));
static_assert(sizeof(Status) == 1);

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  Result<int> r = half(3);
  EXPECT_DEATH(static_cast<void>(r.value()), "Result: value\\(\\) of an error");
  if constexpr (result_detail::checks) {
    EXPECT_DEATH(static_cast<void>(*r), "Result: value\\(\\) of an error");
    Result<std::string> s(Error::Closed);
    EXPECT_DEATH(static_cast<void>(s->size()), "Result: value\\(\\) of an error");
    Result<int> good = half(4);
    EXPECT_DEATH(static_cast<void>(good.error()), "error\\(\\) of a value");
    Status fine;
    EXPECT_DEATH(static_cast<void>(fine.error()), "error\\(\\) of a value");
  }
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
