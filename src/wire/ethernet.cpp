#include "wire/ethernet.h"

namespace lwnet {

Result<EthernetRepr> EthernetRepr::parse(ConstBytes frame) {
  if (frame.size() < header_len) return Error::Truncated;
  const std::uint16_t ethertype = load_be16(frame, 12);
  // Values below 0x0600 are IEEE 802.3 length fields (LLC frames), not types.
  if (ethertype < 0x0600) return Error::Unsupported;
  // Every field given: nothing zeroed first only to be written over.
  return EthernetRepr{MacAddress::from_bytes(frame.subspan(0, 6)), MacAddress::from_bytes(frame.subspan(6, 6)),
                      ethertype, frame.subspan(header_len)};
}

void EthernetRepr::emit(Bytes frame) const {
  destination.write(frame.subspan(0, 6));
  source.write(frame.subspan(6, 6));
  store_be16(frame, 12, ethertype);
}

}  // namespace lwnet
