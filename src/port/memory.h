// Giving memory pages back to the kernel, for StackConfig::release_memory.
#pragma once

#include <cstddef>

namespace lwnet {

// Any thread (the core calls it from the core thread). Drops the whole
// pages inside [address, address + bytes) from the resident set; they read
// as zeros afterwards and take memory again when next written. The partial
// pages at either end are left alone: they may hold a neighbour's live
// data. Quietly does nothing where the kernel refuses (the memory then
// simply stays resident).
void release_memory(void* address, std::size_t bytes);

}  // namespace lwnet
