#include "wire/igmp.h"

#include "util/checksum.h"

namespace lwnet {

Result<IgmpRepr> IgmpRepr::parse(ConstBytes message) {
  if (message.size() < header_len) return Error::Truncated;
  if (Checksum{}.add(message).folded() != 0xffff) return Error::BadChecksum;
  IgmpRepr repr;
  repr.type = message[0];
  repr.max_response_time = message[1];
  repr.group = Ipv4Address::from_bytes(message.subspan(4, 4));
  const bool query = repr.type == static_cast<std::uint8_t>(IgmpType::MembershipQuery);
  const bool names_group = repr.type == static_cast<std::uint8_t>(IgmpType::V1MembershipReport) ||
                           repr.type == static_cast<std::uint8_t>(IgmpType::V2MembershipReport) ||
                           repr.type == static_cast<std::uint8_t>(IgmpType::LeaveGroup);
  if (query && !repr.group.is_unspecified() && !repr.group.is_multicast()) return Error::Malformed;
  if (names_group && !repr.group.is_multicast()) return Error::Malformed;
  return repr;
}

void IgmpRepr::emit(Bytes message) const {
  message[0] = type;
  message[1] = max_response_time;
  store_be16(message, 2, 0);
  group.write(message.subspan(4, 4));
  store_be16(message, 2, internet_checksum(message.first(header_len)));
}

}  // namespace lwnet
