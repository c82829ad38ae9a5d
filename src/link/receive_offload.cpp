#include "link/receive_offload.h"

#include "util/checksum.h"

namespace lwnet {
namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
constexpr std::uint8_t kProtocolTcp = 6;

// True when the frame holds a TCP packet of the IP version `gso` names (no
// IPv6 extension headers: the host's own TCP never sends any).
bool is_tcp_of(ConstBytes frame, Medium medium, ReceiveOffload::Gso gso) {
  const bool v6 = gso == ReceiveOffload::Gso::TcpV6;
  std::size_t ip = 0;
  if (medium == Medium::Ethernet) {
    if (frame.size() < kEthernetHeader) return false;
    if (load_be16(frame, 12) != (v6 ? kEthertypeIpv6 : kEthertypeIpv4)) return false;
    ip = kEthernetHeader;
  }
  if (frame.size() < ip + (v6 ? 40 : 20)) return false;
  const std::uint8_t version = frame[ip] >> 4;
  if (v6) return version == 6 && frame[ip + 6] == kProtocolTcp;
  return version == 4 && frame[ip + 9] == kProtocolTcp;
}

bool checksum_field_inside(ConstBytes frame, const ReceiveOffload& offload) {
  return std::size_t{offload.checksum_start} + offload.checksum_offset + 2 <= frame.size();
}

}  // namespace

OffloadVerdict check_receive_offload(Bytes frame, Medium medium, const ReceiveOffload& offload) {
  switch (offload.gso) {
    case ReceiveOffload::Gso::Unknown:
      return OffloadVerdict::Bad;
    case ReceiveOffload::Gso::TcpV4:
    case ReceiveOffload::Gso::TcpV6:
      if (offload.segment_size == 0 || offload.header_length > frame.size() ||
          !is_tcp_of(frame, medium, offload.gso)) {
        return OffloadVerdict::Bad;
      }
      if (offload.checksum_partial && !checksum_field_inside(frame, offload)) return OffloadVerdict::Bad;
      return offload.checksum_partial || offload.checksum_valid ? OffloadVerdict::Trusted
                                                                : OffloadVerdict::Plain;
    case ReceiveOffload::Gso::None:
      break;
  }
  if (offload.checksum_partial) {
    if (!checksum_field_inside(frame, offload)) return OffloadVerdict::Bad;
    // The field holds the pseudo-header sum: summing from checksum_start
    // with it in place gives the whole checksum. A sum of zero is stored as
    // 0xffff, its other form, which UDP reads as "computed" (RFC 768).
    const std::size_t field = std::size_t{offload.checksum_start} + offload.checksum_offset;
    std::uint16_t sum = Checksum{}.add(ConstBytes(frame).subspan(offload.checksum_start)).finish();
    if (sum == 0) sum = 0xffff;
    store_be16(frame, field, sum);
    return OffloadVerdict::Trusted;
  }
  return offload.checksum_valid ? OffloadVerdict::Trusted : OffloadVerdict::Plain;
}

}  // namespace lwnet
