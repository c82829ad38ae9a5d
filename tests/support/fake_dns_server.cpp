#include "support/fake_dns_server.h"

#include <algorithm>
#include <array>

namespace lwnet::test {

namespace {

constexpr std::uint16_t type_cname = static_cast<std::uint16_t>(dns::Type::CNAME);

}  // namespace

FakeDnsServer::FakeDnsServer(Stack& stack, Instant now, std::uint16_t port, bool mdns_group)
    : stack_(stack) {
  udp_ = *stack.udp_open();
  (void)stack.udp_bind(udp_, {IpAddress{}, port});
  // IPv6 clients on an endpoint of their own, as a Linux server with one
  // socket per family.
  udp6_ = *stack.udp_open();
  (void)stack.udp_set_v6only(udp6_, true);
  (void)stack.udp_bind(udp6_, {IpAddress(Ipv6Address{}), port});
  spoof_udp_ = *stack.udp_open();
  (void)stack.udp_bind(spoof_udp_, {IpAddress{}, static_cast<std::uint16_t>(port + 1000)});
  if (mdns_group) {
    (void)stack.udp_join_group(udp_, dns::mdns_group, Ipv4Address{}, now);
    if constexpr (config::ipv6) {
      (void)stack.udp_join_group_v6(udp6_, Ipv6Address::link_scope_group(0xfb), std::nullopt, now);
    }
  }
  listener_ = *stack.tcp_listen({IpAddress{}, port}, 4);
}

FakeDnsServer::~FakeDnsServer() {
  stack_.udp_close(udp_);
  stack_.udp_close(udp6_);
  stack_.udp_close(spoof_udp_);
  for (TcpHandle h : connections_) stack_.tcp_abort(h, Instant{});
  stack_.tcp_close(listener_, Instant{});
}

void FakeDnsServer::add_a(const std::string& name, Ipv4Address address, std::uint32_t ttl) {
  ByteVector data(4);
  address.write(data);
  records_.push_back({name, static_cast<std::uint16_t>(dns::Type::A), ttl, data});
}

void FakeDnsServer::add_aaaa(const std::string& name, const Ipv6Address& address, std::uint32_t ttl) {
  ByteVector data(16);
  address.write(data);
  records_.push_back({name, static_cast<std::uint16_t>(dns::Type::AAAA), ttl, data});
}

void FakeDnsServer::add_cname(const std::string& name, const std::string& target, std::uint32_t ttl) {
  const DnsName target_name = *DnsName::from_text(target);
  const ConstBytes wire = target_name.wire();
  records_.push_back({name, type_cname, ttl, ByteVector(wire.begin(), wire.end())});
}

ByteVector FakeDnsServer::answer(const DnsRepr& query, bool over_udp) const {
  std::vector<DnsRecord> answers;
  std::vector<ByteVector> keep;
  bool known = false;
  DnsName current = query.question.name;
  for (int link = 0; link < 8; ++link) {
    bool moved = false;
    for (const Record& r : records_) {
      if (!DnsName::from_text(r.name)->equals(current)) continue;
      known = true;
      if (r.type == type_cname) {
        DnsRecord record;
        record.name = current;
        record.type = r.type;
        record.ttl = r.ttl;
        record.data = r.data;
        answers.push_back(record);
        // The target is stored in wire form; read it back through its text.
        std::string target;
        for (std::size_t at = 0; r.data[at] != 0; at += 1U + r.data[at]) {
          if (!target.empty()) target += '.';
          target.append(reinterpret_cast<const char*>(&r.data[at + 1]), r.data[at]);
        }
        current = *DnsName::from_text(target);
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  for (const Record& r : records_) {
    if (r.type == query.question.type && DnsName::from_text(r.name)->equals(current)) {
      known = true;
      DnsRecord record;
      record.name = current;
      record.type = r.type;
      record.ttl = r.ttl;
      record.data = r.data;
      answers.push_back(record);
    }
  }
  DnsRepr reply;
  reply.header.id = query.header.id;
  reply.header.response = true;
  reply.header.authoritative = true;
  reply.header.recursion_desired = query.header.recursion_desired;
  reply.header.recursion_available = true;
  reply.questions = std::span<const DnsQuestion>(&query.question, 1);
  if (rcode.has_value()) {
    reply.header.rcode = static_cast<std::uint8_t>(*rcode);
  } else if (!known) {
    reply.header.rcode = static_cast<std::uint8_t>(dns::Rcode::NameError);
  } else if (over_udp && truncate_udp) {
    reply.header.truncated = true;
  } else {
    reply.answers = answers;
  }
  ByteVector out(reply.buffer_len());
  (void)reply.emit(out);
  if (over_udp && cut_udp_at != 0 && out.size() > cut_udp_at) {
    out.resize(cut_udp_at);
    out[2] = static_cast<std::uint8_t>(out[2] | 0x02);  // TC
  }
  return out;
}

Instant FakeDnsServer::next_deadline() const {
  Instant earliest = Instant::max();
  for (const Delayed& d : delayed_) earliest = std::min(earliest, d.due);
  return earliest;
}

void FakeDnsServer::poll(Stack& stack, Instant now) {
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->due > now) {
      ++it;
      continue;
    }
    (void)stack.udp_send_to(it->from, it->message, it->to, now);
    it = delayed_.erase(it);
  }
  std::array<std::uint8_t, 1500> buffer{};
  for (const UdpHandle h : {udp_, udp6_}) {
  while (stack.udp_readable(h)) {
    Result<UdpReceived> got = stack.udp_receive(h, buffer);
    if (!got.ok()) break;
    const ByteVector message(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got->copied));
    queries.push_back({now, got->from, message, false});
    if (drop > 0) {
      --drop;
      continue;
    }
    Result<DnsRepr> query = DnsRepr::parse(message);
    if (!query.ok()) continue;
    const ByteVector reply = answer(*query, true);
    if (spoof_first) {
      ByteVector wrong_id = reply;
      // Through data() checked for null: GCC 12 at -O2 cannot tell that a
      // copy of a non-empty reply is non-empty (-Wnull-dereference).
      if (std::uint8_t* id = wrong_id.data(); id != nullptr) id[0] ^= 0x55;
      (void)stack.udp_send_to(h, wrong_id, got->from, now);
      DnsRepr other = *query;
      other.question.name = *DnsName::from_text("other.name.test");
      ByteVector wrong_question = answer(other, true);
      (void)stack.udp_send_to(h, wrong_question, got->from, now);
      (void)stack.udp_send_to(spoof_udp_, reply, got->from, now);
    }
    if (answer_delay > Duration::zero()) {
      delayed_.push_back({now + answer_delay, h, got->from, reply});
      continue;
    }
    (void)stack.udp_send_to(h, reply, got->from, now);
  }
  }
  for (Result<TcpHandle> accepted = stack.tcp_accept(listener_); accepted.ok();
       accepted = stack.tcp_accept(listener_)) {
    connections_.push_back(*accepted);
  }
  for (auto it = connections_.begin(); it != connections_.end();) {
    Result<std::size_t> peeked = stack.tcp_peek(*it, buffer);
    const std::size_t have = peeked.ok() ? *peeked : 0;
    if (have >= 2 && have >= 2U + load_be16(buffer, 0)) {
      const std::size_t len = load_be16(buffer, 0);
      (void)stack.tcp_receive(*it, Bytes(buffer).first(2 + len), now);
      const ByteVector message(buffer.begin() + 2, buffer.begin() + 2 + static_cast<std::ptrdiff_t>(len));
      queries.push_back({now, {}, message, true});
      Result<DnsRepr> query = DnsRepr::parse(message);
      if (query.ok()) {
        const ByteVector reply = answer(*query, false);
        ByteVector framed(2);
        store_be16(framed, 0, static_cast<std::uint16_t>(reply.size()));
        framed.insert(framed.end(), reply.begin(), reply.end());
        (void)stack.tcp_send(*it, framed, now);
      }
      stack.tcp_close(*it, now);
      it = connections_.erase(it);
      continue;
    }
    ++it;
  }
}

}  // namespace lwnet::test
