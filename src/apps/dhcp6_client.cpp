#include "apps/dhcp6_client.h"

#include <algorithm>

#include "apps/whole_datagrams.h"

namespace lwnet {

namespace {

// RFC 8415 18.2.6: the Option Request option must ask for the Information
// Refresh Time; the rest is what the stack can use (the domain search list,
// 24, has no user in lwnet).
constexpr std::array<Dhcpv6OptionCode, 4> requested_options{
    Dhcpv6OptionCode::DnsServers, Dhcpv6OptionCode::SntpServers,
    Dhcpv6OptionCode::InformationRefreshTime, Dhcpv6OptionCode::NtpServer};

// Header, client identifier (DUID-LL), elapsed time, option request.
constexpr std::size_t information_request_len =
    Dhcpv6Repr::header_len + 4 + Dhcpv6Duid::link_layer_len + 4 + 2 + 4 + 2 * requested_options.size();

// A server address worth keeping: one we could send to.
bool usable_server(const Ipv6Address& a) { return !a.is_unspecified() && !a.is_multicast() && !a.is_loopback(); }

void add_once(std::array<IpAddress, Dhcp6Information::max_servers>& list, std::size_t& count,
              const Ipv6Address& address) {
  if (!usable_server(address) || count == list.size()) return;
  const IpAddress a(address);
  if (std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(count), a) !=
      list.begin() + static_cast<std::ptrdiff_t>(count)) {
    return;
  }
  list[count++] = a;
}

}  // namespace

const char* to_string(Dhcp6ClientState state) {
  switch (state) {
    case Dhcp6ClientState::Stopped: return "stopped";
    case Dhcp6ClientState::WaitingForRouter: return "waiting-for-router";
    case Dhcp6ClientState::Requesting: return "requesting";
    case Dhcp6ClientState::Informed: return "informed";
  }
  return "?";
}

Dhcp6Client::Dhcp6Client(NetifId netif) : netif_(netif) {}

Dhcp6Client::~Dhcp6Client() {
  if (stack_ != nullptr) stop(*stack_);
}

void Dhcp6Client::close(Stack& stack) {
  if (handle_) stack.udp_close(*handle_);
  handle_.reset();
  stack.detach_app(*this);
  stack_ = nullptr;
}

Status Dhcp6Client::start(Stack& stack, Instant now) {
  if (stack_ != nullptr) stop(*stack_);
  (void)now;
  Result<NetifInfo> info = stack.netif_info(netif_);
  if (!info || info->is_loopback) return Error::InvalidArgument;
  Dhcpv6Duid::emit_link_layer(duid_, info->mac);
  Result<UdpHandle> handle = stack.udp_open();
  if (!handle) return handle.error();
  handle_ = *handle;
  // One client per netif, all on port 546.
  stack.udp_set_reuse_address(*handle_, true);
  // Our own Information-request looped back would only be dropped.
  stack.udp_set_multicast_loop(*handle_, false);
  Status s = stack.udp_bind_netif(*handle_, netif_);
  if (s) s = stack.udp_bind(*handle_, IpEndpoint{IpAddress(Ipv6Address{}), dhcpv6_client_port});
  if (s) s = stack.attach_app(*this);
  if (!s) {
    stack.udp_close(*handle_);
    handle_.reset();
    return s;
  }
  stack_ = &stack;
  state_ = Dhcp6ClientState::WaitingForRouter;
  asked_for_ = false;
  managed_ = false;
  delayed_once_ = false;
  transmit_at_ = refresh_at_ = Instant::max();
  // An RA that came before start() counts: the first poll sees its flags.
  return {};
}

void Dhcp6Client::stop(Stack& stack) {
  if (stack_ == nullptr) return;
  withdraw(stack);
  state_ = Dhcp6ClientState::Stopped;
  asked_for_ = false;
  managed_ = false;
  transmit_at_ = refresh_at_ = Instant::max();
  close(stack);
}

void Dhcp6Client::withdraw(Stack& stack) {
  if (!information_) return;
  information_.reset();
  stack.publish_dns_servers(ServerSource::Dhcp6, netif_, {});
  stack.publish_ntp_servers(ServerSource::Dhcp6, netif_, {});
}

// ---- Timing ------------------------------------------------------------------

Duration Dhcp6Client::jitter(Duration base) {
  // RAND in thousandths, -100..+100.
  const auto thousandths = static_cast<std::int64_t>(stack_->random_u32() % 201U) - 100;
  return Duration::micros(base.total_micros() / 1000 * thousandths);
}

Instant Dhcp6Client::next_deadline() const { return std::min(transmit_at_, refresh_at_); }

// ---- Router advertisements -------------------------------------------------------

void Dhcp6Client::follow_router(Stack& stack, Instant now) {
  const RouterAdvertisementState ra = stack.router_advertisement(netif_);
  const bool managed = ra.received && ra.managed;
  const bool asked_for = ra.received && (ra.other || ra.managed);
  if (managed && !managed_) ++stats_.stateful_not_supported;
  managed_ = managed;
  if (asked_for == asked_for_) return;
  asked_for_ = asked_for;
  if (asked_for) {
    // RFC 8415 18.2.6: the first Information-request on a link waits a
    // random 0..INF_MAX_DELAY, so that hosts an RA reached together do not
    // all ask at once.
    Duration delay = Duration::zero();
    if (!delayed_once_) {
      delay = Duration::micros(stack.random_u32() % static_cast<std::uint32_t>(dhcp6_inf_max_delay.total_micros()));
      delayed_once_ = true;
    }
    begin_exchange(stack, delay, now);
    return;
  }
  // The router no longer offers other configuration (or the netif went
  // down and forgot its RAs): stop asking and take back what we published.
  withdraw(stack);
  state_ = Dhcp6ClientState::WaitingForRouter;
  transmit_at_ = refresh_at_ = Instant::max();
  // The next RA with O or M is a new attachment to a link: delay again.
  delayed_once_ = false;
}

void Dhcp6Client::begin_exchange(Stack& stack, Duration delay, Instant now) {
  state_ = Dhcp6ClientState::Requesting;
  transaction_id_ = stack.random_u32() & 0xffffffU;
  exchange_sent_ = false;
  refresh_at_ = Instant::max();
  transmit_at_ = now + delay;
}

// ---- Output ------------------------------------------------------------------------

void Dhcp6Client::transmit(Stack& stack, Instant now) {
  // RFC 8415 18.2.6 sends from the link-local address: none usable yet
  // (DAD still probing it) waits a second without using up a retransmission.
  const auto slots = stack.ipv6_addresses(netif_);
  const bool link_local = slots && std::any_of(slots->begin(), slots->end(), [](const Ipv6NetifAddress& s) {
                            return s.usable() && s.address.is_link_local();
                          });
  if (!link_local) {
    transmit_at_ = now + dhcp6_inf_timeout;
    return;
  }
  if (!exchange_sent_) {
    exchange_started_ = now;
    retransmit_timeout_ = dhcp6_inf_timeout + jitter(dhcp6_inf_timeout);
    exchange_sent_ = true;
  } else {
    // RFC 8415 15: RT = 2 RTprev + RAND RTprev, capped at MRT + RAND MRT.
    const Duration doubled = retransmit_timeout_ * 2 + jitter(retransmit_timeout_);
    retransmit_timeout_ = doubled > dhcp6_inf_max_rt ? dhcp6_inf_max_rt + jitter(dhcp6_inf_max_rt) : doubled;
  }
  transmit_at_ = now + retransmit_timeout_;

  std::array<std::uint8_t, information_request_len> message{};
  Dhcpv6Writer writer(message, Dhcpv6MessageType::InformationRequest, transaction_id_);
  // Hundredths of a second since the first transmission, 0xffff beyond.
  const std::int64_t elapsed = (now - exchange_started_).total_millis() / 10;
  Status written = writer.client_id(duid_);
  if (written) written = writer.elapsed_time(static_cast<std::uint16_t>(std::min<std::int64_t>(elapsed, 0xffff)));
  if (written) written = writer.option_request(requested_options);
  const Status sent =
      written ? stack.udp_send_to(*handle_, ConstBytes(message.data(), writer.written()),
                                  IpEndpoint{IpAddress(dhcpv6_all_relay_agents_and_servers), dhcpv6_server_port},
                                  now)
              : written;
  if (sent) {
    ++stats_.tx_information_request;
  } else {
    ++stats_.tx_failed;
  }
}

// ---- Input -------------------------------------------------------------------------

void Dhcp6Client::poll(Stack& stack, Instant now) {
  if (!handle_) return;
  receive(stack, now);
  follow_router(stack, now);
  if (refresh_at_ <= now) {
    // RFC 8415 21.23: the information is refreshed, not dropped: it stays
    // published while the new exchange runs.
    begin_exchange(stack, Duration::zero(), now);
  }
  if (transmit_at_ <= now) transmit(stack, now);
}

void Dhcp6Client::receive(Stack& stack, Instant now) {
  receive_whole_datagrams(stack, handle_, Bytes(rx_.data(), rx_.size()), stats_.drop_malformed,
                          [&](ConstBytes datagram, const UdpReceived& got) {
                            Result<Dhcpv6Repr> message = Dhcpv6Repr::parse(datagram);
                            if (!message) {
                              ++stats_.drop_malformed;
                              return;
                            }
                            handle(stack, *message, got.from.address, now);
                          });
}

void Dhcp6Client::handle(Stack& stack, const Dhcpv6Repr& reply, const IpAddress& from, Instant now) {
  if (reply.message_type != static_cast<std::uint8_t>(Dhcpv6MessageType::Reply) ||
      state_ != Dhcp6ClientState::Requesting || !exchange_sent_) {
    ++stats_.drop_unexpected;
    return;
  }
  // RFC 8415 16.10: our transaction, our client identifier (we sent one),
  // and a server identifier.
  const bool our_client_id = std::equal(reply.client_id.begin(), reply.client_id.end(), duid_.begin(), duid_.end());
  if (reply.transaction_id != transaction_id_ || !our_client_id) {
    ++stats_.drop_not_ours;
    return;
  }
  if (reply.server_id.empty()) {
    ++stats_.drop_no_server_id;
    return;
  }
  // A failure (UnspecifiedFailure, ...) is no configuration: keep asking
  // on the retransmission schedule, another server may answer.
  if (reply.status_code && *reply.status_code != static_cast<std::uint16_t>(Dhcpv6Status::Success)) {
    ++stats_.drop_error_status;
    return;
  }
  ++stats_.rx_reply;

  Dhcp6Information info;
  for (std::size_t i = 0; i < reply.dns_server_count(); ++i) {
    add_once(info.dns_servers, info.dns_server_count, reply.dns_server(i));
  }
  // RFC 5908's NTP server option is the current one; RFC 4075's SNTP
  // servers (deprecated by it) still come from older servers.
  Dhcpv6OptionIterator suboptions(reply.ntp_server);
  while (std::optional<Dhcpv6Option> sub = suboptions.next()) {
    if (sub->code == static_cast<std::uint16_t>(Dhcpv6NtpSuboption::ServerAddress)) {
      add_once(info.ntp_servers, info.ntp_server_count, Ipv6Address::from_bytes(sub->data));
    }
  }
  for (std::size_t i = 0; i < reply.sntp_server_count(); ++i) {
    add_once(info.ntp_servers, info.ntp_server_count, reply.sntp_server(i));
  }
  // RFC 8415 21.23: IRT_DEFAULT when absent, never below IRT_MINIMUM.
  const std::uint32_t refresh = reply.information_refresh_time.value_or(dhcp6_irt_default_seconds);
  info.refresh_seconds = std::max(refresh, dhcp6_irt_minimum_seconds);
  info.server = from;
  info.obtained = now;

  // An empty list withdraws what we published before.
  stack.publish_dns_servers(ServerSource::Dhcp6, netif_, info.dns());
  stack.publish_ntp_servers(ServerSource::Dhcp6, netif_, info.ntp());
  information_ = info;
  state_ = Dhcp6ClientState::Informed;
  transmit_at_ = Instant::max();
  refresh_at_ = info.refresh_seconds == 0xffffffffU ? Instant::max()
                                                     : now + Duration::seconds(info.refresh_seconds);
}

}  // namespace lwnet
