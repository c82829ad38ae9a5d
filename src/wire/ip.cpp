#include "wire/ip.h"

#include "config/options.h"

namespace lwnet {

namespace {
// Without IPv6 only routed IPv4 addresses get here: the IPv6 sum is
// compiled out.
void add_address(Checksum& sum, const IpAddress& a) {
  if (core_is_v4(a)) {
    sum.add32(a.v4().value);
  } else {
    sum.add(a.v6().octets);
  }
}
}  // namespace

Checksum pseudo_header_checksum(const IpAddress& source, const IpAddress& destination,
                                IpProtocol protocol, std::uint32_t length) {
  // IPv4 (RFC 793): addresses, zero, protocol, 16-bit length. IPv6 (RFC 8200
  // 8.1): addresses, 32-bit length, three zero bytes, next header. One's
  // complement sums do not depend on word order, and a 16-bit length has a
  // zero upper half, so both are the same sum.
  Checksum sum;
  add_address(sum, source);
  add_address(sum, destination);
  sum.add32(length);
  sum.add16(static_cast<std::uint16_t>(protocol));
  return sum;
}

}  // namespace lwnet
