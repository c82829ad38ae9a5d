#include "wire/dhcpv4.h"

#include <algorithm>
#include <cstring>

#include "util/bytes.h"

namespace lwnet {

namespace {

constexpr std::size_t op_at = 0;
constexpr std::size_t htype_at = 1;
constexpr std::size_t hlen_at = 2;
constexpr std::size_t xid_at = 4;
constexpr std::size_t secs_at = 8;
constexpr std::size_t flags_at = 10;
constexpr std::size_t ciaddr_at = 12;
constexpr std::size_t yiaddr_at = 16;
constexpr std::size_t siaddr_at = 20;
constexpr std::size_t giaddr_at = 24;
constexpr std::size_t chaddr_at = 28;
constexpr std::size_t sname_at = 44;
constexpr std::size_t sname_len = 64;
constexpr std::size_t file_at = 108;
constexpr std::size_t file_len = 128;
constexpr std::size_t cookie_at = 236;

constexpr std::uint8_t op_request = 1;
constexpr std::uint8_t op_reply = 2;
constexpr std::uint8_t htype_ethernet = 1;
constexpr std::uint8_t hlen_ethernet = 6;

// Overload (option 52) values: which of file and sname carry options too.
constexpr std::uint8_t overload_file = 1;
constexpr std::uint8_t overload_sname = 2;

std::string_view as_text(ConstBytes b) {
  // Some clients count a trailing NUL in the option; it is not part of the name.
  while (!b.empty() && b.back() == 0) b = b.first(b.size() - 1);
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT: bytes as chars
}

// Reads one option area into `repr`. `overload` is set from option 52 when
// `overload` is non-null (only the main area may carry it).
Status parse_area(ConstBytes area, DhcpRepr& repr, std::uint8_t* overload, bool& saw_end) {
  std::size_t at = 0;
  while (at < area.size()) {
    const std::uint8_t code = area[at];
    if (code == dhcp_option::pad) {
      ++at;
      continue;
    }
    if (code == dhcp_option::end) {
      saw_end = true;
      return {};
    }
    if (at + 2 > area.size()) return Error::Malformed;
    const std::size_t len = area[at + 1];
    if (at + 2 + len > area.size()) return Error::Malformed;
    const ConstBytes value = area.subspan(at + 2, len);
    at += 2 + len;

    auto address = [&](std::optional<Ipv4Address>& field) -> Status {
      if (len != 4) return Error::Malformed;
      if (!field) field = Ipv4Address::from_bytes(value);
      return {};
    };
    auto seconds = [&](std::optional<std::uint32_t>& field) -> Status {
      if (len != 4) return Error::Malformed;
      if (!field) field = load_be32(value, 0);
      return {};
    };
    auto list = [&](DhcpAddressList& field) -> Status {
      if (len == 0 || len % 4 != 0) return Error::Malformed;
      for (std::size_t i = 0; i < len; i += 4) field.push(Ipv4Address::from_bytes(value.subspan(i, 4)));
      return {};
    };
    Status s;
    switch (code) {
      case dhcp_option::message_type:
        if (len != 1) return Error::Malformed;
        if (repr.message_type == DhcpMessageType::None) {
          if (value[0] == 0 || value[0] > static_cast<std::uint8_t>(DhcpMessageType::Inform)) {
            return Error::Unsupported;
          }
          repr.message_type = static_cast<DhcpMessageType>(value[0]);
        }
        break;
      case dhcp_option::subnet_mask: s = address(repr.subnet_mask); break;
      case dhcp_option::broadcast_address: s = address(repr.broadcast_address); break;
      case dhcp_option::server_identifier: s = address(repr.server_identifier); break;
      case dhcp_option::requested_address: s = address(repr.requested_ip); break;
      case dhcp_option::lease_time: s = seconds(repr.lease_seconds); break;
      case dhcp_option::renewal_time: s = seconds(repr.renewal_seconds); break;
      case dhcp_option::rebinding_time: s = seconds(repr.rebinding_seconds); break;
      case dhcp_option::router: s = list(repr.routers); break;
      case dhcp_option::dns_server: s = list(repr.dns_servers); break;
      case dhcp_option::ntp_server: s = list(repr.ntp_servers); break;
      case dhcp_option::interface_mtu:
        if (len != 2) return Error::Malformed;
        if (!repr.mtu) repr.mtu = load_be16(value, 0);
        break;
      case dhcp_option::max_message_size:
        if (len != 2) return Error::Malformed;
        if (!repr.max_message_size) repr.max_message_size = load_be16(value, 0);
        break;
      case dhcp_option::router_discovery:
        if (len != 1) return Error::Malformed;
        if (!repr.router_discovery) repr.router_discovery = value[0] != 0;
        break;
      case dhcp_option::overload:
        if (len != 1 || overload == nullptr) return Error::Malformed;
        if (value[0] < 1 || value[0] > 3) return Error::Malformed;
        *overload = value[0];
        break;
      case dhcp_option::hostname:
        if (repr.hostname.empty()) repr.hostname = as_text(value);
        break;
      case dhcp_option::captive_portal:
        if (repr.captive_portal.empty()) repr.captive_portal = as_text(value);
        break;
      case dhcp_option::message:
        if (repr.message.empty()) repr.message = as_text(value);
        break;
      case dhcp_option::client_id:
        if (repr.client_id.empty()) repr.client_id = value;
        break;
      case dhcp_option::vendor_class_id:
        if (repr.vendor_class_id.empty()) repr.vendor_class_id = value;
        break;
      case dhcp_option::parameter_request_list:
        if (repr.parameter_request_list.empty()) repr.parameter_request_list = value;
        break;
      default:
        break;  // options lwnet does not use are skipped
    }
    if (!s) return s;
  }
  return {};
}

}  // namespace

const char* to_string(DhcpMessageType type) {
  switch (type) {
    case DhcpMessageType::None: return "BOOTP";
    case DhcpMessageType::Discover: return "DISCOVER";
    case DhcpMessageType::Offer: return "OFFER";
    case DhcpMessageType::Request: return "REQUEST";
    case DhcpMessageType::Decline: return "DECLINE";
    case DhcpMessageType::Ack: return "ACK";
    case DhcpMessageType::Nak: return "NAK";
    case DhcpMessageType::Release: return "RELEASE";
    case DhcpMessageType::Inform: return "INFORM";
  }
  return "UNKNOWN";
}

Result<DhcpRepr> DhcpRepr::parse(ConstBytes message) {
  if (message.size() < options_offset) return Error::Truncated;
  const std::uint8_t op = message[op_at];
  if (op != op_request && op != op_reply) return Error::Malformed;
  if (message[htype_at] != htype_ethernet || message[hlen_at] != hlen_ethernet) return Error::Malformed;
  if (load_be32(message, cookie_at) != magic_cookie) return Error::Malformed;

  DhcpRepr r;
  r.is_reply = op == op_reply;
  r.xid = load_be32(message, xid_at);
  r.secs = load_be16(message, secs_at);
  r.broadcast = (load_be16(message, flags_at) & flag_broadcast) != 0;
  r.client_ip = Ipv4Address::from_bytes(message.subspan(ciaddr_at, 4));
  r.your_ip = Ipv4Address::from_bytes(message.subspan(yiaddr_at, 4));
  r.next_server_ip = Ipv4Address::from_bytes(message.subspan(siaddr_at, 4));
  r.relay_ip = Ipv4Address::from_bytes(message.subspan(giaddr_at, 4));
  r.client_mac = MacAddress::from_bytes(message.subspan(chaddr_at, 6));

  std::uint8_t overload = 0;
  bool saw_end = false;
  if (Status s = parse_area(message.subspan(options_offset), r, &overload, saw_end); !s) return s.error();
  if (!saw_end) return Error::Malformed;
  // RFC 2131 4.1: file first, then sname; each ends with its own end option.
  if ((overload & overload_file) != 0) {
    bool end = false;
    if (Status s = parse_area(message.subspan(file_at, file_len), r, nullptr, end); !s) return s.error();
    if (!end) return Error::Malformed;
  }
  if ((overload & overload_sname) != 0) {
    bool end = false;
    if (Status s = parse_area(message.subspan(sname_at, sname_len), r, nullptr, end); !s) return s.error();
    if (!end) return Error::Malformed;
  }
  return r;
}

namespace {

std::size_t capped(std::size_t n) { return std::min<std::size_t>(n, 255); }

// Each option's bytes on the wire (code, length, value) when set.
template <class F>
void for_each_option(const DhcpRepr& r, F&& put) {
  std::array<std::uint8_t, 255> buffer{};
  auto u32 = [&](std::uint8_t code, std::uint32_t v) {
    store_be32(buffer, 0, v);
    put(code, ConstBytes(buffer.data(), 4));
  };
  auto address = [&](std::uint8_t code, Ipv4Address a) { u32(code, a.value); };
  auto list = [&](std::uint8_t code, const DhcpAddressList& l) {
    if (l.empty()) return;
    for (std::size_t i = 0; i < l.size; ++i) store_be32(buffer, 4 * i, l.items[i].value);
    put(code, ConstBytes(buffer.data(), 4 * l.size));
  };
  auto bytes = [&](std::uint8_t code, ConstBytes b) {
    if (!b.empty()) put(code, b.first(capped(b.size())));
  };
  auto text = [&](std::uint8_t code, std::string_view t) {
    bytes(code, ConstBytes(reinterpret_cast<const std::uint8_t*>(t.data()), t.size()));  // NOLINT
  };
  if (r.message_type != DhcpMessageType::None) {
    buffer[0] = static_cast<std::uint8_t>(r.message_type);
    put(dhcp_option::message_type, ConstBytes(buffer.data(), 1));
  }
  bytes(dhcp_option::client_id, r.client_id);
  if (r.requested_ip) address(dhcp_option::requested_address, *r.requested_ip);
  if (r.server_identifier) address(dhcp_option::server_identifier, *r.server_identifier);
  if (r.lease_seconds) u32(dhcp_option::lease_time, *r.lease_seconds);
  if (r.renewal_seconds) u32(dhcp_option::renewal_time, *r.renewal_seconds);
  if (r.rebinding_seconds) u32(dhcp_option::rebinding_time, *r.rebinding_seconds);
  if (r.subnet_mask) address(dhcp_option::subnet_mask, *r.subnet_mask);
  if (r.broadcast_address) address(dhcp_option::broadcast_address, *r.broadcast_address);
  text(dhcp_option::hostname, r.hostname);
  list(dhcp_option::ntp_server, r.ntp_servers);
  list(dhcp_option::dns_server, r.dns_servers);
  list(dhcp_option::router, r.routers);
  if (r.mtu) {
    store_be16(buffer, 0, *r.mtu);
    put(dhcp_option::interface_mtu, ConstBytes(buffer.data(), 2));
  }
  if (r.router_discovery) {
    buffer[0] = *r.router_discovery ? 1 : 0;
    put(dhcp_option::router_discovery, ConstBytes(buffer.data(), 1));
  }
  bytes(dhcp_option::vendor_class_id, r.vendor_class_id);
  if (r.max_message_size) {
    store_be16(buffer, 0, *r.max_message_size);
    put(dhcp_option::max_message_size, ConstBytes(buffer.data(), 2));
  }
  bytes(dhcp_option::parameter_request_list, r.parameter_request_list);
  text(dhcp_option::captive_portal, r.captive_portal);
  text(dhcp_option::message, r.message);
}

}  // namespace

std::size_t DhcpRepr::options_len() const {
  std::size_t len = 1;  // end
  for_each_option(*this, [&](std::uint8_t, ConstBytes value) { len += 2 + value.size(); });
  return len;
}

std::size_t DhcpRepr::buffer_len() const { return std::max(options_offset + options_len(), min_message_len); }

void DhcpRepr::emit(Bytes out) const {
  const std::size_t len = buffer_len();
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len), std::uint8_t{0});
  out[op_at] = is_reply ? op_reply : op_request;
  out[htype_at] = htype_ethernet;
  out[hlen_at] = hlen_ethernet;
  store_be32(out, xid_at, xid);
  store_be16(out, secs_at, secs);
  store_be16(out, flags_at, broadcast ? flag_broadcast : 0);
  store_be32(out, ciaddr_at, client_ip.value);
  store_be32(out, yiaddr_at, your_ip.value);
  store_be32(out, siaddr_at, next_server_ip.value);
  store_be32(out, giaddr_at, relay_ip.value);
  std::copy(client_mac.octets.begin(), client_mac.octets.end(), out.begin() + chaddr_at);
  store_be32(out, cookie_at, magic_cookie);
  std::size_t at = options_offset;
  for_each_option(*this, [&](std::uint8_t code, ConstBytes value) {
    out[at] = code;
    out[at + 1] = static_cast<std::uint8_t>(value.size());
    std::copy(value.begin(), value.end(), out.begin() + static_cast<std::ptrdiff_t>(at + 2));
    at += 2 + value.size();
  });
  out[at] = dhcp_option::end;
}

}  // namespace lwnet
