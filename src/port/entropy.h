// Seeds for the core's injected randomness (util/random.h): ISN secret,
// ephemeral ports, DHCP xid, DNS id. The core never reads an entropy source.
#pragma once

#include <cstdint>

#include "util/bytes.h"

namespace lwnet {

// Any thread. Fills `out` from the kernel's CSPRNG (getrandom(2), falling
// back to /dev/urandom on kernels without it). Blocks only at early boot,
// before the kernel pool is initialised. Aborts the process when no source
// works: a predictable seed would silently make sequence numbers guessable.
void fill_random(Bytes out);

// Any thread. 64 random bits, for StackConfig::random_seed.
std::uint64_t random_seed();

}  // namespace lwnet
