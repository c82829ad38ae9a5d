#include "port/entropy.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace lwnet {
namespace {

[[noreturn]] void no_entropy(const char* what) {
  std::fprintf(stderr, "lwnet: no entropy source: %s failed (errno %d)\n", what, errno);
  std::abort();
}

// Reads the whole span from /dev/urandom, for kernels older than 3.17.
void fill_from_urandom(Bytes out) {
  const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    no_entropy("open /dev/urandom");
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      no_entropy("read /dev/urandom");
    }
    done += static_cast<std::size_t>(n);
  }
  close(fd);
}

}  // namespace

void fill_random(Bytes out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == ENOSYS) {
        fill_from_urandom(out.subspan(done));
        return;
      }
      no_entropy("getrandom");
    }
    // getrandom may return fewer bytes than asked for large requests.
    done += static_cast<std::size_t>(n);
  }
}

std::uint64_t random_seed() {
  std::array<std::uint8_t, 8> bytes{};
  fill_random(bytes);
  std::uint64_t seed = 0;
  for (const std::uint8_t b : bytes) {
    seed = (seed << 8) | b;
  }
  return seed;
}

}  // namespace lwnet
