#include "port/memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace lwnet {

void release_memory(void* address, std::size_t bytes) {
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(address);
  const std::uintptr_t first = (start + page - 1) & ~(page - 1);
  const std::uintptr_t end = (start + bytes) & ~(page - 1);
  if (end <= first) return;
  // MADV_DONTNEED (not MADV_FREE): the pages leave the resident set at
  // once, which is what the RSS figures measure.
  (void)madvise(reinterpret_cast<void*>(first), end - first, MADV_DONTNEED);
}

}  // namespace lwnet
