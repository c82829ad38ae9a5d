#include "wire/dns.h"

namespace lwnet {

namespace {

char lower(std::uint8_t c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

constexpr std::uint8_t label_kind_mask = 0xc0;
constexpr std::uint8_t label_pointer = 0xc0;

}  // namespace

// Expands the name at `offset`, following compression pointers. Each pointer
// must point before everything this name has read so far (its start, or the
// previous pointer's target): reads then move strictly backwards from jump
// to jump, so no loop can form, and max_pointers caps the work.
struct DnsNameReader {
  static Result<DnsName> read(ConstBytes message, std::size_t& offset) {
    DnsName name;
    std::size_t size = 0;
    std::size_t at = offset;
    std::size_t lowest = offset;
    std::size_t pointers = 0;
    bool jumped = false;
    for (;;) {
      if (at >= message.size()) return Error::Truncated;
      const std::uint8_t length = message[at];
      if ((length & label_kind_mask) == label_pointer) {
        if (at + 1 >= message.size()) return Error::Truncated;
        const std::size_t target = (std::size_t{length & 0x3fU} << 8) | message[at + 1];
        if (target >= lowest || ++pointers > dns::max_pointers) return Error::Malformed;
        lowest = target;
        if (!jumped) offset = at + 2;
        jumped = true;
        at = target;
        continue;
      }
      if ((length & label_kind_mask) != 0) return Error::Malformed;  // 0x40, 0x80: reserved
      if (size + 1 + length > dns::max_name_wire_len) return Error::Malformed;
      if (at + 1 + length > message.size()) return Error::Truncated;
      for (std::size_t i = 0; i <= length; ++i) name.wire_[size + i] = message[at + i];
      size += 1 + length;
      at += 1 + length;
      if (length == 0) break;
    }
    if (!jumped) offset = at;
    name.size_ = size;
    return name;
  }

  static Result<DnsName> from_text(std::string_view text) {
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    if (text.empty()) return Error::InvalidArgument;
    DnsName name;
    std::size_t size = 0;
    while (true) {
      const std::size_t dot = text.find('.');
      const std::string_view label = text.substr(0, dot);
      if (label.empty() || label.size() > dns::max_label_len) return Error::InvalidArgument;
      if (size + 1 + label.size() + 1 > dns::max_name_wire_len) return Error::InvalidArgument;
      name.wire_[size] = static_cast<std::uint8_t>(label.size());
      for (std::size_t i = 0; i < label.size(); ++i) {
        name.wire_[size + 1 + i] = static_cast<std::uint8_t>(label[i]);
      }
      size += 1 + label.size();
      if (dot == std::string_view::npos) break;
      text.remove_prefix(dot + 1);
    }
    name.wire_[size] = 0;
    name.size_ = size + 1;
    return name;
  }
};

Result<DnsName> DnsName::from_text(std::string_view text) { return DnsNameReader::from_text(text); }

std::string_view DnsName::to_text(std::span<char> out) const {
  std::size_t written = 0;
  std::size_t at = 0;
  if (size_ == 1) {
    if (out.size() < 2) return {};
    out[0] = '.';
    out[1] = '\0';
    return {out.data(), 1};
  }
  while (wire_[at] != 0) {
    const std::size_t length = wire_[at];
    const std::size_t needed = (written == 0 ? 0 : 1) + length;
    if (written + needed + 1 > out.size()) return {};
    if (written != 0) out[written++] = '.';
    for (std::size_t i = 0; i < length; ++i) out[written++] = static_cast<char>(wire_[at + 1 + i]);
    at += 1 + length;
  }
  out[written] = '\0';
  return {out.data(), written};
}

bool DnsName::equals(const DnsName& other) const {
  if (size_ != other.size_) return false;
  // Length bytes are below 64, so lowering them changes nothing.
  for (std::size_t i = 0; i < size_; ++i) {
    if (lower(wire_[i]) != lower(other.wire_[i])) return false;
  }
  return true;
}

bool DnsName::ends_with_label(std::string_view label) const {
  std::size_t at = 0;
  std::size_t last = size_;
  while (wire_[at] != 0) {
    last = at;
    at += 1U + wire_[at];
  }
  if (last == size_ || wire_[last] != label.size()) return false;
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (lower(wire_[last + 1 + i]) != lower(static_cast<std::uint8_t>(label[i]))) return false;
  }
  return true;
}

std::size_t DnsName::label_count() const {
  std::size_t count = 0;
  for (std::size_t at = 0; wire_[at] != 0; at += 1U + wire_[at]) ++count;
  return count;
}

std::optional<IpAddress> DnsRecord::address() const {
  if (type == static_cast<std::uint16_t>(dns::Type::A) && data.size() == 4) {
    return IpAddress(Ipv4Address::from_bytes(data));
  }
  if (type == static_cast<std::uint16_t>(dns::Type::AAAA) && data.size() == 16) {
    return IpAddress(Ipv6Address::from_bytes(data));
  }
  return std::nullopt;
}

Result<DnsRecord> dns_read_record(ConstBytes message, std::size_t& offset) {
  Result<DnsName> name = DnsNameReader::read(message, offset);
  if (!name.ok()) return name.error();
  if (offset + 10 > message.size()) return Error::Truncated;
  DnsRecord record;
  record.name = *name;
  record.type = load_be16(message, offset);
  record.klass = load_be16(message, offset + 2);
  record.ttl = load_be32(message, offset + 4);
  const std::size_t data_len = load_be16(message, offset + 8);
  offset += 10;
  if (offset + data_len > message.size()) return Error::Truncated;
  record.data = message.subspan(offset, data_len);
  if (record.type == static_cast<std::uint16_t>(dns::Type::CNAME)) {
    std::size_t at = offset;
    Result<DnsName> target = DnsNameReader::read(message, at);
    if (!target.ok()) return target.error() == Error::Truncated ? Error::Malformed : target.error();
    if (at != offset + data_len) return Error::Malformed;
    record.target = *target;
  } else if ((record.type == static_cast<std::uint16_t>(dns::Type::A) && data_len != 4) ||
             (record.type == static_cast<std::uint16_t>(dns::Type::AAAA) && data_len != 16)) {
    return Error::Malformed;
  }
  offset += data_len;
  return record;
}

Result<DnsRepr> DnsRepr::parse_header_and_question(ConstBytes message) {
  if (message.size() < dns::header_len) return Error::Truncated;
  DnsRepr repr;
  DnsHeader& h = repr.header;
  h.id = load_be16(message, 0);
  const std::uint16_t flags = load_be16(message, 2);
  h.response = (flags & 0x8000U) != 0;
  h.opcode = static_cast<std::uint8_t>((flags >> 11) & 0xfU);
  h.authoritative = (flags & 0x0400U) != 0;
  h.truncated = (flags & 0x0200U) != 0;
  h.recursion_desired = (flags & 0x0100U) != 0;
  h.recursion_available = (flags & 0x0080U) != 0;
  h.rcode = static_cast<std::uint8_t>(flags & 0xfU);
  h.question_count = load_be16(message, 4);
  h.answer_count = load_be16(message, 6);
  h.authority_count = load_be16(message, 8);
  h.additional_count = load_be16(message, 10);
  if (h.question_count > 1) return Error::Unsupported;
  std::size_t offset = dns::header_len;
  if (h.question_count == 1) {
    Result<DnsName> name = DnsNameReader::read(message, offset);
    if (!name.ok()) return name.error();
    if (offset + 4 > message.size()) return Error::Truncated;
    repr.question.name = *name;
    repr.question.type = load_be16(message, offset);
    repr.question.klass = load_be16(message, offset + 2);
    offset += 4;
  }
  repr.answers_offset = offset;
  repr.message_bytes = message.first(offset);
  return repr;
}

Result<DnsRepr> DnsRepr::parse(ConstBytes message) {
  Result<DnsRepr> head = parse_header_and_question(message);
  if (!head.ok()) return head.error();
  DnsRepr repr = *head;
  const DnsHeader& h = repr.header;
  std::size_t offset = repr.answers_offset;
  const std::size_t records =
      std::size_t{h.answer_count} + h.authority_count + h.additional_count;
  for (std::size_t i = 0; i < records; ++i) {
    Result<DnsRecord> record = dns_read_record(message, offset);
    if (!record.ok()) return record.error();
  }
  // Bytes past the last record are ignored, as glibc and lwIP do: padding
  // some servers and middleboxes add must not lose a good answer.
  repr.message_bytes = message;
  return repr;
}

std::size_t DnsRepr::buffer_len() const {
  std::size_t len = dns::header_len;
  for (const DnsQuestion& q : questions) len += q.name.wire().size() + 4;
  for (const DnsRecord& r : answers) len += r.name.wire().size() + 10 + r.data.size();
  return len;
}

Result<std::size_t> DnsRepr::emit(Bytes message) const {
  const std::size_t len = buffer_len();
  if (message.size() < len || questions.size() > 0xffff || answers.size() > 0xffff) {
    return Error::TooBig;
  }
  for (const DnsRecord& r : answers) {
    if (r.data.size() > 0xffff) return Error::TooBig;
  }
  store_be16(message, 0, header.id);
  unsigned flags = ((header.opcode & 0xfU) << 11) | (header.rcode & 0xfU);
  if (header.response) flags |= 0x8000U;
  if (header.authoritative) flags |= 0x0400U;
  if (header.truncated) flags |= 0x0200U;
  if (header.recursion_desired) flags |= 0x0100U;
  if (header.recursion_available) flags |= 0x0080U;
  store_be16(message, 2, static_cast<std::uint16_t>(flags));
  store_be16(message, 4, static_cast<std::uint16_t>(questions.size()));
  store_be16(message, 6, static_cast<std::uint16_t>(answers.size()));
  store_be16(message, 8, 0);
  store_be16(message, 10, 0);
  std::size_t at = dns::header_len;
  const auto put = [&](ConstBytes bytes) {
    for (std::uint8_t b : bytes) message[at++] = b;
  };
  for (const DnsQuestion& q : questions) {
    put(q.name.wire());
    store_be16(message, at, q.type);
    store_be16(message, at + 2, q.klass);
    at += 4;
  }
  for (const DnsRecord& r : answers) {
    put(r.name.wire());
    store_be16(message, at, r.type);
    store_be16(message, at + 2, r.klass);
    store_be32(message, at + 4, r.ttl);
    store_be16(message, at + 8, static_cast<std::uint16_t>(r.data.size()));
    at += 10;
    put(r.data);
  }
  return at;
}

}  // namespace lwnet
