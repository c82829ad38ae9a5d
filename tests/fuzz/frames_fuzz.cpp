// Fuzz target: arbitrary bytes as a sequence of Ethernet frames fed to a whole
// Stack, and as input to every wire parser.
//
// Input format (the same bytes serve both uses):
//   record := length (2 bytes, big-endian) | delay in ms (2 bytes, big-endian) | frame
// A record whose length runs past the end of the input takes what is left.
//
// The stack: one netif 192.0.2.2/24, MAC 02:00:00:00:00:02, gateway 192.0.2.1,
// on a queue-of-frames device; a UDP endpoint on port 7 echoes what it gets,
// a TCP listener on port 5000 accepts connections and echoes their bytes
// (closing when the peer does), a ping handle (identifier 0x1234) takes
// echo replies, and the netif is in group 239.1.2.3 (so IGMP queries and
// reports, and UDP to the group, reach the stack). After each frame the stack is polled at the current time,
// then time advances by the delay.
// At the end every endpoint is closed, time jumps past every timeout, and the
// run aborts if a pool buffer is still allocated: a leak. A second run of the
// same input destroys the stack abruptly instead, with buffers still held.
//
// Oracles besides the sanitizers: every frame the stack transmits must parse
// with our own parsers and verify its checksums, and every Repr that parsed
// from the raw input must emit bytes that parse back to the same Repr.
//
// Threads: single-threaded, like the core it drives.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "core/stack.h"
#include "link/device.h"
#include "transport/tcp/tcp_connection.h"
#include "wire/address.h"
#include "wire/arp.h"
#include "wire/dhcpv4.h"
#include "wire/ethernet.h"
#include "wire/icmpv4.h"
#include "wire/igmp.h"
#include "wire/ip.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

namespace lwnet::fuzz {

// The IPv6 parsers on the raw input (ipv6_wire_fuzz.cpp).
void fuzz_ipv6_wire(ConstBytes input);
// DNS, SNTP and NetBIOS (app_wire_fuzz.cpp).
void fuzz_app_wire(ConstBytes input);

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "frames_fuzz: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) fail(what);
}

constexpr MacAddress our_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
constexpr Ipv4Address our_ip = Ipv4Address::of(192, 0, 2, 2);
constexpr Ipv4Address gateway_ip = Ipv4Address::of(192, 0, 2, 1);
constexpr std::uint16_t echo_port = 7;
constexpr std::uint16_t ping_identifier = 0x1234;
constexpr std::uint16_t tcp_echo_port = 5000;
constexpr Ipv4Address joined_group = Ipv4Address::of(239, 1, 2, 3);

// LWNET_FUZZ_VERBOSE=1 prints each input's nonzero counters (to check that a
// seed reaches what it was written for); 2 also prints every transmitted
// frame in hex (make_corpus.py takes the stack's TCP ISN from there).
int verbosity() {
  static const int level = [] {
    const char* v = std::getenv("LWNET_FUZZ_VERBOSE");
    return v == nullptr ? 0 : std::atoi(v);
  }();
  return level;
}

// Checks a frame the stack sent: it must be one our parsers accept, with
// correct checksums. A stack that emits garbage fails here.
void check_transmitted(ConstBytes frame) {
  auto eth = EthernetRepr::parse(frame);
  require(eth.ok(), "transmitted frame: bad Ethernet header");
  require(eth->source == our_mac, "transmitted frame: foreign source MAC");
  if (eth->ethertype == static_cast<std::uint16_t>(EtherType::Arp)) {
    require(ArpRepr::parse(eth->payload).ok(), "transmitted ARP does not parse");
    return;
  }
  if (eth->ethertype == static_cast<std::uint16_t>(EtherType::Ipv6)) return;  // not checked yet
  if (eth->ethertype != static_cast<std::uint16_t>(EtherType::Ipv4)) {
    fail("transmitted frame of an unexpected EtherType");
  }
  auto ip = Ipv4Repr::parse(eth->payload, true);
  require(ip.ok(), "transmitted IPv4 header does not parse or verify");
  if (ip->is_fragment()) return;  // the transport checksum spans all fragments
  const IpAddress source = ip->source;
  const IpAddress destination = ip->destination;
  switch (ip->protocol) {
    case static_cast<std::uint8_t>(IpProtocol::Icmp):
      require(Icmpv4Repr::parse(ip->payload, true).ok(), "transmitted ICMP does not verify");
      break;
    case static_cast<std::uint8_t>(IpProtocol::Udp):
      require(UdpRepr::parse(ip->payload, source, destination, true).ok(),
              "transmitted UDP does not verify");
      break;
    case static_cast<std::uint8_t>(IpProtocol::Tcp):
      require(TcpRepr::parse(ip->payload, source, destination, true).ok(),
              "transmitted TCP does not verify");
      break;
    case static_cast<std::uint8_t>(IpProtocol::Igmp):
      require(ip->router_alert && ip->ttl == 1, "transmitted IGMP without Router Alert or TTL 1");
      require(IgmpRepr::parse(ip->payload).ok(), "transmitted IGMP does not verify");
      break;
    default:
      fail("transmitted IPv4 of an unexpected protocol");
  }
}

// A device that is a queue of frames: the harness pushes, the stack
// receives; what the stack transmits is checked, counted and dropped.
class QueueDevice final : public Device {
 public:
  DeviceCapabilities capabilities() const override { return {Medium::Ethernet, 1500}; }

  std::optional<std::size_t> receive(Bytes into, Instant) override {
    while (!queue_.empty()) {
      std::vector<std::uint8_t> frame = std::move(queue_.front());
      queue_.pop_front();
      if (frame.size() > into.size()) {
        ++stats_.rx_dropped;
        continue;
      }
      std::copy(frame.begin(), frame.end(), into.begin());
      ++stats_.rx_frames;
      stats_.rx_bytes += frame.size();
      return frame.size();
    }
    return std::nullopt;
  }

  bool transmit(ConstBytes frame, Instant) override {
    if (verbosity() >= 2) {
      std::fprintf(stderr, "  tx");
      for (std::uint8_t b : frame) std::fprintf(stderr, " %02x", b);
      std::fprintf(stderr, "\n");
    }
    check_transmitted(frame);
    ++stats_.tx_frames;
    stats_.tx_bytes += frame.size();
    return true;
  }

  const DeviceStats& stats() const override { return stats_; }

  void push(ConstBytes frame) { queue_.emplace_back(frame.begin(), frame.end()); }

 private:
  std::deque<std::vector<std::uint8_t>> queue_;
  DeviceStats stats_;
};

// The harness's endpoints and what it does with them.
struct Endpoints {
  UdpHandle udp;
  PingHandle ping;
  TcpHandle listener;
  std::vector<TcpHandle> connections;  // accepted and not closed yet
};

// Takes what the endpoints have queued: UDP datagrams go back to their
// sender, TCP bytes go back on their connection, echo replies are read and
// dropped. Errors (no route, no buffers, full windows) are the stack's
// business: the harness only drives it.
void serve(Stack& stack, Endpoints& e, Instant now) {
  static std::array<std::uint8_t, 65536> buffer;
  for (int i = 0; i < 64; ++i) {
    auto received = stack.udp_receive(e.udp, buffer);
    if (!received.ok()) break;
    (void)stack.udp_send_to(e.udp, ConstBytes(buffer).first(received->copied), received->from,
                            now);
  }
  for (int i = 0; i < 64; ++i) {
    if (!stack.ping_receive(e.ping, buffer).ok()) break;
  }
  for (int i = 0; i < 8; ++i) {
    auto accepted = stack.tcp_accept(e.listener);
    if (!accepted.ok()) break;
    e.connections.push_back(*accepted);
  }
  for (std::size_t i = 0; i < e.connections.size();) {
    TcpHandle h = e.connections[i];
    std::uint8_t events = stack.tcp_events(h);
    bool done = (events & (tcp_events::error | tcp_events::closed)) != 0;
    for (int round = 0; round < 16 && !done; ++round) {
      auto received = stack.tcp_receive(h, Bytes(buffer).first(4096), now);
      if (!received.ok()) {
        done = received.error() != Error::WouldBlock;
        break;
      }
      if (*received == 0) {  // end of stream: answer with our FIN
        done = true;
        break;
      }
      (void)stack.tcp_send(h, ConstBytes(buffer).first(*received), now);
    }
    if (done) {
      stack.tcp_close(h, now);
      e.connections[i] = e.connections.back();
      e.connections.pop_back();
    } else {
      ++i;
    }
  }
}

enum class Teardown {
  // Close everything, let every timer run out, then demand that no pool
  // buffer is still allocated.
  Clean,
  // Destroy the stack at once with whatever it still holds (queued
  // datagrams, packets waiting for ARP, fragments): that must not crash.
  Abrupt,
};

void run_stack(const std::uint8_t* data, std::size_t size, Teardown teardown) {
  QueueDevice device;  // outlives the stack, as add_netif requires
  Instant now = Instant::from_seconds(1);
  Stack stack(StackConfig{1});

  NetifConfig config;
  config.name = "fuzz0";
  config.mac = our_mac;
  config.ipv4 = IpCidr{our_ip, 24};
  config.gateway = gateway_ip;
  auto netif = stack.add_netif(device, config, now);
  require(netif.ok(), "add_netif failed");
  stack.set_default_netif(*netif);
  auto udp = stack.udp_open();
  require(udp.ok(), "udp_open failed");
  require(stack.udp_bind(*udp, IpEndpoint{IpAddress{}, echo_port}).ok(), "udp_bind failed");
  auto ping = stack.ping_open(ping_identifier);
  require(ping.ok(), "ping_open failed");
  auto listener = stack.tcp_listen(IpEndpoint{IpAddress{}, tcp_echo_port}, 4);
  require(listener.ok(), "tcp_listen failed");
  require(stack.igmp_join(*netif, joined_group, now).ok(), "igmp_join failed");
  Endpoints endpoints{*udp, *ping, *listener, {}};
  stack.poll(now);

  std::size_t at = 0;
  while (size - at >= 4) {
    std::size_t length = (std::size_t{data[at]} << 8) | data[at + 1];
    std::int64_t delay_ms = (std::int64_t{data[at + 2]} << 8) | data[at + 3];
    at += 4;
    length = std::min(length, size - at);
    device.push(ConstBytes(data + at, length));
    at += length;
    stack.poll(now);
    serve(stack, endpoints, now);
    stack.poll(now);
    now += Duration::millis(delay_ms);
  }
  if (teardown == Teardown::Abrupt) return;

  if (verbosity() >= 1) {
    std::fprintf(stderr, "  transmitted %llu frames;",
                 static_cast<unsigned long long>(device.stats().tx_frames));
    stack.stats().for_each([](const char* name, std::uint64_t value) {
      if (value != 0) {
        std::fprintf(stderr, " %s=%llu", name, static_cast<unsigned long long>(value));
      }
    });
    std::fprintf(stderr, "\n");
  }

  stack.udp_close(endpoints.udp);
  stack.ping_close(endpoints.ping);
  for (TcpHandle h : endpoints.connections) stack.tcp_close(h, now);
  stack.tcp_close(endpoints.listener, now);
  require(stack.igmp_leave(*netif, joined_group, now).ok(), "igmp_leave failed");
  // Reassembly, ARP queues and every other timer expire within minutes;
  // TCP connections left half-open give up after their retransmissions.
  const Instant horizon = now + Duration::seconds(600);
  now = horizon;
  stack.poll(now);
  for (int i = 0; i < 64; ++i) {
    Instant next = stack.next_deadline();
    if (next > horizon + Duration::seconds(1200)) break;
    now = next > now ? next : now;
    stack.poll(now);
  }
  if (stack.pools().in_use() != 0) {
    std::fprintf(stderr, "frames_fuzz: %zu pool buffers still allocated after every timeout\n",
                 stack.pools().in_use());
    std::abort();
  }
}

// ---- The wire parsers on the raw input ---------------------------------------

bool same_bytes(ConstBytes a, ConstBytes b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void fuzz_ethernet(ConstBytes input) {
  auto eth = EthernetRepr::parse(input);
  if (!eth.ok()) return;
  std::vector<std::uint8_t> out(input.begin(), input.end());
  std::fill_n(out.begin(), EthernetRepr::header_len, 0);
  eth->emit(out);
  require(same_bytes(out, input), "Ethernet: emit differs from parsed input");
}

void fuzz_arp(ConstBytes input) {
  auto arp = ArpRepr::parse(input);
  if (!arp.ok()) return;
  std::array<std::uint8_t, ArpRepr::packet_len> out{};
  arp->emit(out);
  require(same_bytes(out, input.first(ArpRepr::packet_len)), "ARP: emit differs from input");
}

void fuzz_ipv4(ConstBytes input) {
  (void)Ipv4Repr::parse(input, false);
  auto ip = Ipv4Repr::parse(input, true);
  if (!ip.ok()) return;
  require(ip->header_len >= 20 && ip->header_len <= 60, "IPv4: header length out of range");
  // Emitted, the header keeps only Router Alert of the options.
  const std::size_t header_len = ip->emitted_header_len();
  std::vector<std::uint8_t> out(header_len + ip->payload.size());
  std::copy(ip->payload.begin(), ip->payload.end(), out.begin() + static_cast<std::ptrdiff_t>(header_len));
  ip->emit(out);
  auto again = Ipv4Repr::parse(out, true);
  require(again.ok(), "IPv4: emitted header does not parse");
  require(again->source == ip->source && again->destination == ip->destination &&
              again->protocol == ip->protocol && again->ttl == ip->ttl && again->tos == ip->tos &&
              again->identification == ip->identification &&
              again->dont_fragment == ip->dont_fragment &&
              again->more_fragments == ip->more_fragments &&
              again->fragment_offset == ip->fragment_offset &&
              again->router_alert == ip->router_alert && same_bytes(again->payload, ip->payload),
          "IPv4: emit/parse round trip changed a field");
}

void fuzz_icmpv4(ConstBytes input) {
  (void)Icmpv4Repr::parse(input, false);
  auto icmp = Icmpv4Repr::parse(input, true);
  if (!icmp.ok()) return;
  std::vector<std::uint8_t> out(input.begin(), input.end());
  icmp->emit(out);
  auto again = Icmpv4Repr::parse(out, true);
  require(again.ok(), "ICMP: emitted message does not verify");
  require(again->type == icmp->type && again->code == icmp->code &&
              again->identifier == icmp->identifier && again->sequence == icmp->sequence &&
              again->next_hop_mtu == icmp->next_hop_mtu && same_bytes(again->data, icmp->data),
          "ICMP: emit/parse round trip changed a field");
}

void fuzz_igmp(ConstBytes input) {
  auto igmp = IgmpRepr::parse(input);
  if (!igmp.ok()) return;
  std::array<std::uint8_t, IgmpRepr::header_len> out{};
  igmp->emit(out);
  auto again = IgmpRepr::parse(out);
  require(again.ok(), "IGMP: emitted message does not verify");
  require(again->type == igmp->type && again->max_response_time == igmp->max_response_time &&
              again->group == igmp->group,
          "IGMP: emit/parse round trip changed a field");
}

void fuzz_udp(ConstBytes input, const IpAddress& source, const IpAddress& destination) {
  (void)UdpRepr::parse(input, source, destination, false);
  auto udp = UdpRepr::parse(input, source, destination, true);
  if (!udp.ok()) return;
  std::vector<std::uint8_t> out(UdpRepr::header_len + udp->payload.size());
  std::copy(udp->payload.begin(), udp->payload.end(), out.begin() + UdpRepr::header_len);
  udp->emit(out, source, destination, true);
  auto again = UdpRepr::parse(out, source, destination, true);
  require(again.ok(), "UDP: emitted datagram does not verify");
  require(again->source_port == udp->source_port &&
              again->destination_port == udp->destination_port &&
              same_bytes(again->payload, udp->payload),
          "UDP: emit/parse round trip changed a field");
}

void fuzz_tcp(ConstBytes input, const IpAddress& source, const IpAddress& destination) {
  (void)TcpRepr::parse(input, source, destination, true);
  auto tcp = TcpRepr::parse(input, source, destination, false);
  if (!tcp.ok()) return;
  const std::size_t header_len = tcp->header_len();
  require(header_len % 4 == 0 && header_len >= TcpRepr::min_header_len &&
              header_len <= TcpRepr::max_header_len,
          "TCP: header_len() out of range");
  std::vector<std::uint8_t> out(header_len + tcp->payload.size());
  std::copy(tcp->payload.begin(), tcp->payload.end(),
            out.begin() + static_cast<std::ptrdiff_t>(header_len));
  tcp->emit(out, source, destination);
  require(std::size_t{out[12]} / 16 * 4 == header_len,
          "TCP: data offset differs from header_len()");
  auto again = TcpRepr::parse(out, source, destination, true);
  require(again.ok(), "TCP: emitted segment does not verify");
  bool same = again->source_port == tcp->source_port &&
              again->destination_port == tcp->destination_port &&
              again->sequence == tcp->sequence && again->acknowledgment == tcp->acknowledgment &&
              again->flags == tcp->flags && again->window == tcp->window &&
              again->urgent_pointer == tcp->urgent_pointer && again->mss == tcp->mss &&
              again->window_scale == tcp->window_scale &&
              again->sack_permitted == tcp->sack_permitted && again->timestamp == tcp->timestamp &&
              again->sack_count <= tcp->sack_count && same_bytes(again->payload, tcp->payload);
  for (std::size_t i = 0; same && i < again->sack_count; ++i) {
    same = again->sack_blocks[i] == tcp->sack_blocks[i];
  }
  require(same, "TCP: emit/parse round trip changed a field");
}

// DHCP: a message that parsed emits bytes that parse back with the same
// fields (lists past their capacity and strings past 255 bytes aside).
void fuzz_dhcpv4(ConstBytes input) {
  auto dhcp = DhcpRepr::parse(input);
  if (!dhcp.ok()) return;
  std::vector<std::uint8_t> out(dhcp->buffer_len());
  dhcp->emit(out);
  auto again = DhcpRepr::parse(out);
  require(again.ok(), "DHCP: emitted message does not parse");
  require(again->xid == dhcp->xid && again->message_type == dhcp->message_type &&
              again->your_ip == dhcp->your_ip && again->client_mac == dhcp->client_mac &&
              again->server_identifier == dhcp->server_identifier &&
              again->lease_seconds == dhcp->lease_seconds && again->routers.size == dhcp->routers.size &&
              again->hostname == dhcp->hostname,
          "DHCP: emit/parse round trip changed a field");
}

void fuzz_text(ConstBytes input) {
  std::string_view text(reinterpret_cast<const char*>(input.data()),  // NOLINT: bytes as text
                        std::min<std::size_t>(input.size(), 64));
  std::array<char, 64> formatted{};
  if (auto address = parse_ip_address(text)) {
    auto again = parse_ip_address(format_ip_address(*address, formatted));
    require(again && *again == *address, "address text round trip changed the address");
  }
  if (auto cidr = parse_ip_cidr(text)) {
    require(cidr->prefix_len <= (cidr->address.is_v4() ? 32 : 128), "CIDR prefix out of range");
    (void)cidr->contains(cidr->address);
    if (cidr->address.is_v4()) {
      require(cidr->contains(cidr->broadcast_v4()) || cidr->prefix_len >= 31,
              "CIDR: broadcast outside its own prefix");
    }
  }
  if (auto mac = parse_mac_address(text)) {
    auto again = parse_mac_address(format_mac_address(*mac, formatted));
    require(again && *again == *mac, "MAC text round trip changed the address");
  }
}

void fuzz_wire(const std::uint8_t* data, std::size_t size) {
  ConstBytes input(data, size);
  fuzz_ethernet(input);
  fuzz_arp(input);
  fuzz_ipv4(input);
  fuzz_icmpv4(input);
  fuzz_igmp(input);
  const IpAddress v4_source = Ipv4Address::of(192, 0, 2, 1);
  const IpAddress v4_destination = our_ip;
  Ipv6Address v6_source;
  v6_source.octets = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Ipv6Address v6_destination = v6_source;
  v6_destination.octets[15] = 2;
  fuzz_udp(input, v4_source, v4_destination);
  fuzz_udp(input, v6_source, v6_destination);
  fuzz_tcp(input, v4_source, v4_destination);
  fuzz_tcp(input, v6_source, v6_destination);
  fuzz_text(input);
  fuzz_dhcpv4(input);
  fuzz_ipv6_wire(input);
  fuzz_app_wire(input);
  // The layers of a frame, as the stack peels them.
  if (auto eth = EthernetRepr::parse(input); eth.ok()) {
    fuzz_arp(eth->payload);
    if (auto ip = Ipv4Repr::parse(eth->payload, false); ip.ok()) {
      fuzz_ipv4(eth->payload);
      fuzz_icmpv4(ip->payload);
      fuzz_igmp(ip->payload);
      fuzz_udp(ip->payload, ip->source, ip->destination);
      fuzz_tcp(ip->payload, ip->source, ip->destination);
      if (auto udp = UdpRepr::parse(ip->payload, ip->source, ip->destination, false); udp.ok()) {
        fuzz_dhcpv4(udp->payload);
      }
    }
  }
}

}  // namespace
}  // namespace lwnet::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lwnet::fuzz::fuzz_wire(data, size);
  lwnet::fuzz::run_stack(data, size, lwnet::fuzz::Teardown::Clean);
  lwnet::fuzz::run_stack(data, size, lwnet::fuzz::Teardown::Abrupt);
  return 0;
}
