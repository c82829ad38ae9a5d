// Byte strings written as hex in tests: hex("45 00 00 54 ...").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.h"

namespace lwnet::test {

// Spaces, newlines and ':' are ignored; anything else that is not a hex
// digit fails the calling test.
std::vector<std::uint8_t> hex(std::string_view text);
std::string to_hex(ConstBytes bytes);

}  // namespace lwnet::test
