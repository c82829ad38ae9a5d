#include "wire/ethernet.h"

namespace lwnet {

Result<EthernetRepr> EthernetRepr::parse(ConstBytes frame) {
  if (frame.size() < header_len) return Error::Truncated;
  EthernetRepr repr;
  repr.destination = MacAddress::from_bytes(frame.subspan(0, 6));
  repr.source = MacAddress::from_bytes(frame.subspan(6, 6));
  repr.ethertype = load_be16(frame, 12);
  // Values below 0x0600 are IEEE 802.3 length fields (LLC frames), not types.
  if (repr.ethertype < 0x0600) return Error::Unsupported;
  repr.payload = frame.subspan(header_len);
  return repr;
}

void EthernetRepr::emit(Bytes frame) const {
  destination.write(frame.subspan(0, 6));
  source.write(frame.subspan(6, 6));
  store_be16(frame, 12, ethertype);
}

}  // namespace lwnet
