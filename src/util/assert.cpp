#include "util/assert.h"

#include <cstdio>
#include <cstdlib>

namespace lwnet {

void assertion_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "lwnet: assertion failed: %s (%s:%d)\n", condition, file, line);
  std::abort();
}

}  // namespace lwnet
