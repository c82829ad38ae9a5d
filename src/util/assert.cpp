#include "util/assert.h"
#include "util/result.h"

#include <cstdio>
#include <cstdlib>

namespace lwnet {

void assertion_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "lwnet: assertion failed: %s (%s:%d)\n", condition, file, line);
  std::abort();
}

}  // namespace lwnet

namespace lwnet::result_detail {

// Declared in util/result.h; here beside assertion_failed, whose message it
// prints (without the caller's place: that would be three arguments more at
// every value() and error()).
void misuse() {
  assertion_failed("Result: value() of an error or error() of a value", "result.h", 0);
}

}  // namespace lwnet::result_detail
