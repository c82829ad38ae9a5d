// A scripted DNS server (or one-shot mDNS responder) on a test stack: a
// StackApp that answers A, AAAA and CNAME questions from its table over UDP
// and TCP, records every query it got, and can drop, truncate or fail
// answers on purpose.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/stack.h"
#include "support/frames.h"
#include "wire/dns.h"

namespace lwnet::test {

class FakeDnsServer final : public StackApp {
 public:
  struct Record {
    std::string name;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    ByteVector data;  // address bytes, or the target's wire form for CNAME
  };
  struct Query {
    Instant at;
    IpEndpoint from;
    ByteVector message;
    bool tcp = false;
  };

  // Listens on UDP (both families) and TCP `port` of every address of `stack`. With
  // `mdns_group`, also joins 224.0.0.251 and ff02::fb (a one-shot mDNS
  // responder).
  FakeDnsServer(Stack& stack, Instant now, std::uint16_t port = 53, bool mdns_group = false);
  ~FakeDnsServer();
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  void add_a(const std::string& name, Ipv4Address address, std::uint32_t ttl = 300);
  void add_aaaa(const std::string& name, const Ipv6Address& address, std::uint32_t ttl = 300);
  void add_cname(const std::string& name, const std::string& target, std::uint32_t ttl = 300);

  // The next `drop` queries get no answer.
  int drop = 0;
  // UDP answers carry TC and no records; TCP answers are whole.
  bool truncate_udp = false;
  // Every answer gets this rcode and no records.
  std::optional<dns::Rcode> rcode;
  // Sent before each real answer, to the same client: copies with a wrong
  // id, a wrong question, and from another port.
  bool spoof_first = false;
  // UDP answers leave this long after their query (a slow server).
  Duration answer_delay = Duration::zero();
  // Nonzero: UDP answers are the whole answer with TC set, cut to this many
  // bytes (a server filling a 512-byte datagram, mid-record).
  std::size_t cut_udp_at = 0;

  std::vector<Query> queries;

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override;

  // Sends `message` from the server's UDP port.
  Status send(const ByteVector& message, const IpEndpoint& to, Instant now) {
    return stack_.udp_send_to(udp_, message, to, now);
  }
  // The answer this server gives to `query` (empty when it gives none).
  ByteVector answer(const DnsRepr& query, bool over_udp) const;

 private:
  Stack& stack_;
  UdpHandle udp_;
  UdpHandle udp6_;
  UdpHandle spoof_udp_;
  TcpHandle listener_;
  std::vector<TcpHandle> connections_;
  std::vector<Record> records_;
  struct Delayed {
    Instant due;
    UdpHandle from;
    IpEndpoint to;
    ByteVector message;
  };
  std::vector<Delayed> delayed_;
};

}  // namespace lwnet::test
