#include "wire/dhcpv6.h"

#include <algorithm>

namespace lwnet {

namespace {

constexpr std::size_t option_header_len = 4;
constexpr std::size_t max_name_len = 255;  // wire form, root label included
constexpr std::size_t max_label_len = 63;

constexpr std::uint16_t code_value(Dhcpv6OptionCode c) { return static_cast<std::uint16_t>(c); }

bool is_address_list(ConstBytes data) { return !data.empty() && data.size() % 16 == 0; }

Status check_ntp_suboptions(ConstBytes data) {
  if (data.empty()) return Error::Malformed;
  if (Status s = dhcpv6_check_options(data); !s) return Error::Malformed;
  Dhcpv6OptionIterator it(data);
  while (std::optional<Dhcpv6Option> sub = it.next()) {
    const bool address = sub->code == static_cast<std::uint16_t>(Dhcpv6NtpSuboption::ServerAddress) ||
                         sub->code == static_cast<std::uint16_t>(Dhcpv6NtpSuboption::MulticastAddress);
    if (address && sub->data.size() != 16) return Error::Malformed;
    if (sub->code == static_cast<std::uint16_t>(Dhcpv6NtpSuboption::ServerFqdn)) {
      if (Status s = dhcpv6_check_domain_list(sub->data); !s || sub->data.empty()) {
        return Error::Malformed;
      }
    }
  }
  return {};
}

}  // namespace

Result<Dhcpv6Duid> Dhcpv6Duid::parse(ConstBytes duid) {
  if (duid.size() < 3 || duid.size() > max_len) return Error::Malformed;
  Dhcpv6Duid out;
  out.type = load_be16(duid, 0);
  out.bytes = duid;
  std::size_t address_at = 0;
  if (out.type == static_cast<std::uint16_t>(DuidType::LinkLayerPlusTime)) {
    if (duid.size() < 8) return Error::Malformed;
    out.hardware_type = load_be16(duid, 2);
    out.time = load_be32(duid, 4);
    address_at = 8;
  } else if (out.type == static_cast<std::uint16_t>(DuidType::LinkLayer)) {
    if (duid.size() < 4) return Error::Malformed;
    out.hardware_type = load_be16(duid, 2);
    address_at = 4;
  }
  if (address_at != 0 && out.hardware_type == 1 && duid.size() == address_at + 6) {
    out.link_layer_address = MacAddress::from_bytes(duid.subspan(address_at, 6));
  }
  return out;
}

void Dhcpv6Duid::emit_link_layer(Bytes out, const MacAddress& mac) {
  store_be16(out, 0, static_cast<std::uint16_t>(DuidType::LinkLayer));
  store_be16(out, 2, 1);  // Ethernet
  mac.write(out.subspan(4, 6));
}

void Dhcpv6Duid::emit_link_layer_plus_time(Bytes out, const MacAddress& mac, std::uint32_t time) {
  store_be16(out, 0, static_cast<std::uint16_t>(DuidType::LinkLayerPlusTime));
  store_be16(out, 2, 1);
  store_be32(out, 4, time);
  mac.write(out.subspan(8, 6));
}

Status dhcpv6_check_options(ConstBytes options) {
  std::size_t at = 0;
  while (at < options.size()) {
    if (options.size() - at < option_header_len) return Error::Truncated;
    const std::size_t length = load_be16(options, at + 2);
    if (options.size() - at - option_header_len < length) return Error::Truncated;
    at += option_header_len + length;
  }
  return {};
}

std::optional<Dhcpv6Option> Dhcpv6OptionIterator::next() {
  if (at_ >= options_.size()) return std::nullopt;
  const std::size_t length = load_be16(options_, at_ + 2);
  Dhcpv6Option option{load_be16(options_, at_), options_.subspan(at_ + option_header_len, length)};
  at_ += option_header_len + length;
  return option;
}

Status dhcpv6_check_domain_list(ConstBytes list) {
  std::size_t at = 0;
  while (at < list.size()) {
    const std::size_t start = at;
    for (;;) {
      if (at >= list.size()) return Error::Malformed;  // no root label
      const std::size_t label = list[at];
      if (label > max_label_len) return Error::Malformed;  // or a compression pointer
      at += 1 + label;
      if (at - start > max_name_len) return Error::Malformed;
      if (label == 0) break;
    }
  }
  return {};
}

std::optional<std::string_view> Dhcpv6DomainIterator::next(std::span<char> buffer) {
  std::size_t written = 0;
  std::size_t at = at_;
  while (at < list_.size()) {
    const std::size_t label = list_[at++];
    if (label == 0) {
      at_ = at;
      return std::string_view(buffer.data(), written);
    }
    if (written + (written != 0 ? 1 : 0) + label > buffer.size()) return std::nullopt;
    if (written != 0) buffer[written++] = '.';
    for (std::size_t i = 0; i < label; ++i) buffer[written++] = static_cast<char>(list_[at + i]);
    at += label;
  }
  return std::nullopt;
}

Result<Dhcpv6Repr> Dhcpv6Repr::parse(ConstBytes message) {
  if (message.size() < header_len) return Error::Truncated;
  Dhcpv6Repr repr;
  repr.message_type = message[0];
  if (repr.message_type == static_cast<std::uint8_t>(Dhcpv6MessageType::RelayForward) ||
      repr.message_type == static_cast<std::uint8_t>(Dhcpv6MessageType::RelayReply)) {
    return Error::Unsupported;
  }
  repr.transaction_id = load_be32(message, 0) & 0xffffffU;
  repr.options = message.subspan(header_len);
  if (Status s = dhcpv6_check_options(repr.options); !s) return s.error();
  bool have_client_id = false;
  bool have_server_id = false;
  Dhcpv6OptionIterator it(repr.options);
  while (std::optional<Dhcpv6Option> option = it.next()) {
    const ConstBytes data = option->data;
    switch (option->code) {
      case code_value(Dhcpv6OptionCode::ClientId):
      case code_value(Dhcpv6OptionCode::ServerId): {
        bool& seen = option->code == code_value(Dhcpv6OptionCode::ClientId) ? have_client_id
                                                                             : have_server_id;
        if (seen || !Dhcpv6Duid::parse(data)) return Error::Malformed;
        seen = true;
        (option->code == code_value(Dhcpv6OptionCode::ClientId) ? repr.client_id
                                                                : repr.server_id) = data;
        break;
      }
      case code_value(Dhcpv6OptionCode::OptionRequest):
        if (data.size() % 2 != 0) return Error::Malformed;
        repr.option_request = data;
        break;
      case code_value(Dhcpv6OptionCode::ElapsedTime):
        if (data.size() != 2) return Error::Malformed;
        repr.elapsed_time = load_be16(data, 0);
        break;
      case code_value(Dhcpv6OptionCode::StatusCode):
        if (data.size() < 2) return Error::Malformed;
        repr.status_code = load_be16(data, 0);
        repr.status_message = data.subspan(2);
        break;
      case code_value(Dhcpv6OptionCode::DnsServers):
        if (!is_address_list(data)) return Error::Malformed;
        repr.dns_servers = data;
        break;
      case code_value(Dhcpv6OptionCode::SntpServers):
        if (!is_address_list(data)) return Error::Malformed;
        repr.sntp_servers = data;
        break;
      case code_value(Dhcpv6OptionCode::DomainList):
        if (Status s = dhcpv6_check_domain_list(data); !s) return s.error();
        repr.domain_list = data;
        break;
      case code_value(Dhcpv6OptionCode::InformationRefreshTime):
        if (data.size() != 4) return Error::Malformed;
        repr.information_refresh_time = load_be32(data, 0);
        break;
      case code_value(Dhcpv6OptionCode::NtpServer):
        if (Status s = check_ntp_suboptions(data); !s) return s.error();
        repr.ntp_server = data;
        break;
      default:
        break;
    }
  }
  return repr;
}

Dhcpv6Writer::Dhcpv6Writer(Bytes message, Dhcpv6MessageType type, std::uint32_t transaction_id)
    : message_(message) {
  if (!ok()) return;
  store_be32(message_, 0,
             (std::uint32_t{static_cast<std::uint8_t>(type)} << 24) | (transaction_id & 0xffffffU));
  at_ = Dhcpv6Repr::header_len;
}

Result<Bytes> Dhcpv6Writer::begin(Dhcpv6OptionCode code, std::size_t length) {
  if (!ok() || length > 0xffff || message_.size() - at_ < option_header_len + length) {
    return Error::TooBig;
  }
  Bytes out = message_.subspan(at_, option_header_len + length);
  store_be16(out, 0, code_value(code));
  store_be16(out, 2, static_cast<std::uint16_t>(length));
  at_ += option_header_len + length;
  return out.subspan(option_header_len);
}

Status Dhcpv6Writer::option(Dhcpv6OptionCode code, ConstBytes data) {
  Result<Bytes> out = begin(code, data.size());
  if (!out) return out.error();
  std::copy(data.begin(), data.end(), out->begin());
  return {};
}

Status Dhcpv6Writer::option_request(std::span<const Dhcpv6OptionCode> codes) {
  Result<Bytes> out = begin(Dhcpv6OptionCode::OptionRequest, 2 * codes.size());
  if (!out) return out.error();
  for (std::size_t i = 0; i < codes.size(); ++i) store_be16(*out, 2 * i, code_value(codes[i]));
  return {};
}

Status Dhcpv6Writer::elapsed_time(std::uint16_t hundredths) {
  Result<Bytes> out = begin(Dhcpv6OptionCode::ElapsedTime, 2);
  if (!out) return out.error();
  store_be16(*out, 0, hundredths);
  return {};
}

Status Dhcpv6Writer::status_code(Dhcpv6Status status, std::string_view text) {
  Result<Bytes> out = begin(Dhcpv6OptionCode::StatusCode, 2 + text.size());
  if (!out) return out.error();
  store_be16(*out, 0, static_cast<std::uint16_t>(status));
  for (std::size_t i = 0; i < text.size(); ++i) (*out)[2 + i] = static_cast<std::uint8_t>(text[i]);
  return {};
}

Status Dhcpv6Writer::information_refresh_time(std::uint32_t seconds) {
  Result<Bytes> out = begin(Dhcpv6OptionCode::InformationRefreshTime, 4);
  if (!out) return out.error();
  store_be32(*out, 0, seconds);
  return {};
}

Status Dhcpv6Writer::addresses(Dhcpv6OptionCode code, std::span<const Ipv6Address> list) {
  if (list.empty()) return Error::InvalidArgument;
  Result<Bytes> out = begin(code, 16 * list.size());
  if (!out) return out.error();
  for (std::size_t i = 0; i < list.size(); ++i) list[i].write(out->subspan(16 * i, 16));
  return {};
}

Status Dhcpv6Writer::ntp_server_addresses(std::span<const Ipv6Address> list) {
  if (list.empty()) return Error::InvalidArgument;
  Result<Bytes> out = begin(Dhcpv6OptionCode::NtpServer, 20 * list.size());
  if (!out) return out.error();
  for (std::size_t i = 0; i < list.size(); ++i) {
    Bytes sub = out->subspan(20 * i, 20);
    store_be16(sub, 0, static_cast<std::uint16_t>(Dhcpv6NtpSuboption::ServerAddress));
    store_be16(sub, 2, 16);
    list[i].write(sub.subspan(4, 16));
  }
  return {};
}

Status Dhcpv6Writer::domain_list(std::span<const std::string_view> names) {
  std::size_t length = 0;
  for (std::string_view name : names) {
    if (name.empty() || name.size() > max_name_len - 2) return Error::InvalidArgument;
    std::size_t label = 0;
    for (char c : name) {
      if (c != '.') {
        ++label;
        continue;
      }
      if (label == 0) return Error::InvalidArgument;
      label = 0;
    }
    if (label == 0 || label > max_label_len) return Error::InvalidArgument;
    length += name.size() + 2;  // a length byte per label, and the root
  }
  for (std::string_view name : names) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (i < name.size() && name[i] != '.') continue;
      if (i - start > max_label_len) return Error::InvalidArgument;
      start = i + 1;
    }
  }
  Result<Bytes> out = begin(Dhcpv6OptionCode::DomainList, length);
  if (!out) return out.error();
  std::size_t at = 0;
  for (std::string_view name : names) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (i < name.size() && name[i] != '.') continue;
      (*out)[at++] = static_cast<std::uint8_t>(i - start);
      for (std::size_t j = start; j < i; ++j) (*out)[at++] = static_cast<std::uint8_t>(name[j]);
      start = i + 1;
    }
    (*out)[at++] = 0;
  }
  return {};
}

}  // namespace lwnet
