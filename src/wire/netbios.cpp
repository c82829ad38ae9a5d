#include "wire/netbios.h"

#include <algorithm>

namespace lwnet {
namespace {

constexpr std::size_t header_size = 12;
constexpr std::uint8_t encoded_label_length = 32;

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Result<NetbiosName> NetbiosName::of(std::string_view name, std::uint8_t suffix) {
  // Every byte has its two letters on the wire, so lwIP takes any name.
  if (name.empty() || name.size() > max_length) return Error::InvalidArgument;
  NetbiosName n;
  std::copy(name.begin(), name.end(), n.text.begin());
  n.length = name.size();
  n.suffix = suffix;
  return n;
}

bool NetbiosName::equals_ignoring_case(std::string_view other) const {
  if (other.size() > max_length) return false;
  // As both go on the wire: padded with spaces, so trailing spaces are the
  // padding's.
  for (std::size_t i = 0; i < max_length; ++i) {
    const char mine = i < length ? text[i] : ' ';
    const char theirs = i < other.size() ? other[i] : ' ';
    if (upper(mine) != upper(theirs)) return false;
  }
  return true;
}

void NetbiosName::encode(Bytes out) const {
  out[0] = encoded_label_length;
  // Upper-cased, padded with spaces to 15, then the suffix; each byte as
  // two letters 'A' + nibble.
  for (std::size_t i = 0; i < 16; ++i) {
    std::uint8_t byte = 0;
    if (i < length) {
      byte = static_cast<std::uint8_t>(upper(text[i]));
    } else if (i < max_length) {
      byte = ' ';
    } else {
      byte = suffix;
    }
    out[1 + 2 * i] = static_cast<std::uint8_t>('A' + (byte >> 4));
    out[2 + 2 * i] = static_cast<std::uint8_t>('A' + (byte & 0xf));
  }
  out[encoded_size - 1] = 0;
}

Result<NetbiosName> NetbiosName::decode(ConstBytes encoded) {
  if (encoded.size() < encoded_size) return Error::Truncated;
  if (encoded[0] != encoded_label_length) return Error::Malformed;
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < 16; ++i) {
    const std::uint8_t high = encoded[1 + 2 * i];
    const std::uint8_t low = encoded[2 + 2 * i];
    if (high < 'A' || high > 'P' || low < 'A' || low > 'P') return Error::Malformed;
    bytes[i] = static_cast<std::uint8_t>(((high - 'A') << 4) | (low - 'A'));
  }
  if (encoded[encoded_size - 1] != 0) {
    // A non-empty label after the name is a NetBIOS scope; lwnet has none.
    return encoded[encoded_size - 1] < 64 ? Error::Unsupported : Error::Malformed;
  }
  NetbiosName n;
  n.suffix = bytes[15];
  std::size_t length = max_length;
  while (length > 0 && bytes[length - 1] == ' ') --length;
  for (std::size_t i = 0; i < length; ++i) n.text[i] = static_cast<char>(bytes[i]);
  n.length = length;
  return n;
}

Result<NetbiosNameQuery> NetbiosNameQuery::parse(ConstBytes packet) {
  if (packet.size() < header_size) return Error::Truncated;
  NetbiosNameQuery q;
  q.transaction_id = load_be16(packet, 0);
  q.flags = load_be16(packet, 2);
  if ((q.flags & netbios_flag_response) != 0) return Error::Malformed;
  if ((q.flags & netbios_opcode_mask) != 0) return Error::Unsupported;
  if (load_be16(packet, 4) != 1) return Error::Malformed;
  if (packet.size() < size) return Error::Truncated;
  Result<NetbiosName> name = NetbiosName::decode(packet.subspan(header_size));
  if (!name) return name.error();
  q.name = *name;
  q.type = load_be16(packet, header_size + NetbiosName::encoded_size);
  q.klass = load_be16(packet, header_size + NetbiosName::encoded_size + 2);
  return q;
}

void NetbiosNameQuery::emit(Bytes packet) const {
  store_be16(packet, 0, transaction_id);
  store_be16(packet, 2, flags);
  store_be16(packet, 4, 1);
  store_be16(packet, 6, 0);
  store_be16(packet, 8, 0);
  store_be16(packet, 10, 0);
  name.encode(packet.subspan(header_size));
  store_be16(packet, header_size + NetbiosName::encoded_size, type);
  store_be16(packet, header_size + NetbiosName::encoded_size + 2, klass);
}

void NetbiosNameResponse::emit(Bytes packet) const {
  store_be16(packet, 0, transaction_id);
  store_be16(packet, 2, netbios_flag_response | netbios_flag_authoritative | netbios_flag_recursion_desired);
  store_be16(packet, 4, 0);  // no question
  store_be16(packet, 6, 1);  // one answer
  store_be16(packet, 8, 0);
  store_be16(packet, 10, 0);
  name.encode(packet.subspan(header_size));
  std::size_t at = header_size + NetbiosName::encoded_size;
  store_be16(packet, at, netbios_type_nb);
  store_be16(packet, at + 2, netbios_class_in);
  store_be32(packet, at + 4, ttl_seconds);
  store_be16(packet, at + 8, 6);  // RDLENGTH: one NB_FLAGS + NB_ADDRESS entry
  store_be16(packet, at + 10, nb_flags);
  store_be32(packet, at + 12, address.value);
}

Result<NetbiosNameResponse> NetbiosNameResponse::parse(ConstBytes packet) {
  if (packet.size() < header_size) return Error::Truncated;
  if ((load_be16(packet, 2) & netbios_flag_response) == 0 || load_be16(packet, 6) != 1) {
    return Error::Malformed;
  }
  if (packet.size() < size) return Error::Truncated;
  NetbiosNameResponse r;
  r.transaction_id = load_be16(packet, 0);
  Result<NetbiosName> name = NetbiosName::decode(packet.subspan(header_size));
  if (!name) return name.error();
  r.name = *name;
  const std::size_t at = header_size + NetbiosName::encoded_size;
  if (load_be16(packet, at) != netbios_type_nb || load_be16(packet, at + 8) < 6) return Error::Malformed;
  r.ttl_seconds = load_be32(packet, at + 4);
  r.nb_flags = load_be16(packet, at + 10);
  r.address = Ipv4Address{load_be32(packet, at + 12)};
  return r;
}

}  // namespace lwnet
