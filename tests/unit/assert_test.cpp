// LWNET_ASSERT (util/assert.h): with CONFIG_LWIP_ESP_LWIP_ASSERT (ESP-IDF's
// default) and without NDEBUG a failed check aborts and names the
// condition; otherwise the condition is not even evaluated. The Debug
// build checks the first, the Release build the second, and
// tests/config/ipv6_only_check.cpp the option at 0 in a Debug build.
#include <gtest/gtest.h>

#include "config/options.h"
#include "util/assert.h"

namespace lwnet::assert_test {
namespace {

TEST(Assert, FollowsTheOptionAndNdebug) {
#ifdef NDEBUG
  constexpr bool expected = false;
#else
  constexpr bool expected = config::esp_lwip_assert;
#endif
  EXPECT_EQ(assertions, expected);
  int evaluated = 0;
  const auto holds = [&] { return ++evaluated > 0; };
  LWNET_ASSERT(holds());
  EXPECT_EQ(evaluated, assertions ? 1 : 0);
}

TEST(Assert, AFailedCheckAbortsWithItsConditionOrIsNotEvaluated) {
  volatile int one = 1;
  if constexpr (assertions) {
    EXPECT_DEATH(LWNET_ASSERT(one + one == 3), "one \\+ one == 3");
  } else {
    int evaluated = 0;
    LWNET_ASSERT(++evaluated + one == 3);
    EXPECT_EQ(evaluated, 0);
  }
}

}  // namespace
}  // namespace lwnet::assert_test
