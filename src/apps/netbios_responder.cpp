#include "apps/netbios_responder.h"

#include <array>

namespace lwnet {

NetbiosResponder::NetbiosResponder() { (void)set_name(netbios_default_name); }

Status NetbiosResponder::set_name(std::string_view name) {
  Result<NetbiosName> n = NetbiosName::of(name, 0);
  if (!n) return n.error();
  name_ = *n;
  return {};
}

Status NetbiosResponder::start(Stack& stack) {
  // NetBIOS names live on IPv4 (RFC 1002): nothing to answer without it.
  if constexpr (!config::ipv4) return Error::Unsupported;  // an IPv6-only build
  if (running_) return Error::AlreadyConnected;
  Result<UdpHandle> h = stack.udp_open();
  if (!h) return h.error();
  Status s = stack.udp_bind(*h, IpEndpoint{IpAddress{}, netbios_name_service_port});
  if (s) s = stack.attach_app(*this);
  if (!s) {
    stack.udp_close(*h);
    return s;
  }
  handle_ = *h;
  running_ = true;
  return {};
}

void NetbiosResponder::stop(Stack& stack) {
  if (!running_) return;
  stack.udp_close(handle_);
  stack.detach_app(*this);
  running_ = false;
}

void NetbiosResponder::poll(Stack& stack, Instant now) {
  // Longer packets (queries with more than we read) are judged on their
  // first bytes; a query is 50.
  std::array<std::uint8_t, 128> buffer{};
  while (running_) {
    Result<UdpReceived> got = stack.udp_receive(handle_, buffer);
    if (!got) return;
    Result<NetbiosNameQuery> query = NetbiosNameQuery::parse(ConstBytes(buffer.data(), got->copied));
    if (!query) {
      ++stats_.drop_malformed;
      continue;
    }
    // Node status requests (type NBSTAT) and other names are not ours to
    // answer; a responder keeps silent rather than sending negative answers
    // to broadcasts.
    if (query->type != netbios_type_nb || query->klass != netbios_class_in ||
        !name_.equals_ignoring_case(query->name.view())) {
      ++stats_.not_ours;
      continue;
    }
    answer(stack, *query, *got, now);
  }
}

void NetbiosResponder::answer(Stack& stack, const NetbiosNameQuery& query, const UdpReceived& from,
                              Instant now) {
  Result<NetifInfo> netif = stack.netif_info(from.netif);
  if (!netif || !netif->ipv4) {
    ++stats_.send_errors;
    return;
  }
  NetbiosNameResponse response;
  response.transaction_id = query.transaction_id;
  response.name = query.name;  // the asker's spelling and suffix
  response.ttl_seconds = netbios_name_ttl_seconds;
  response.address = netif->ipv4->address.v4();
  std::array<std::uint8_t, NetbiosNameResponse::size> packet{};
  response.emit(packet);
  if (stack.udp_send_to(handle_, packet, from.from, now)) {
    ++stats_.answered;
  } else {
    ++stats_.send_errors;
  }
}

}  // namespace lwnet
