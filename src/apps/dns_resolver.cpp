#include "apps/dns_resolver.h"

#include <algorithm>

namespace lwnet {

namespace {

// RFC 6056's dynamic range: queries leave from a random port in it.
constexpr std::uint16_t first_query_port = 49152;
constexpr std::uint32_t query_ports = 16384;
// Bound ports that happen to be taken are tried again this often.
constexpr int port_tries = 8;
// CNAME records one answer may chain (RFC 1034 3.6.2 wants chains followed;
// a bound keeps a hostile answer from making us walk it forever).
constexpr int max_cname_chain = 8;
constexpr std::uint16_t class_mask = 0x7fff;

Duration retry_unit() { return Duration::millis(config::dns_tmr_interval_ms); }

// lwIP waits 1, 1, 2, 3... timer ticks for try 0, 1, 2, 3... on a server.
Duration timeout_of(std::uint32_t attempt) {
  return retry_unit() * std::max<std::int64_t>(1, attempt);
}

// A TCP query gets as long as all UDP tries on one server.
Duration tcp_timeout() {
  Duration total;
  for (std::uint32_t i = 0; i < config::dns_max_retries; ++i) total += timeout_of(i);
  return total;
}

// RFC 6762 runs over both families: an AAAA question goes to ff02::fb, so
// that a link with no IPv4 (or a build without it) still resolves .local
// names; an A question, whose answer only an IPv4 host can use, to
// 224.0.0.251.
IpAddress mdns_group_for(DnsRecordType type) {
  if (config::ipv6 && (type == DnsRecordType::AAAA || !config::ipv4)) return dns::mdns_group_v6;
  return dns::mdns_group;
}

// RFC 2181 8: a TTL with the top bit set is to be read as zero (not as the
// week the cache's ceiling would make of it).
std::uint32_t record_ttl(std::uint32_t wire_ttl) { return (wire_ttl & 0x80000000U) != 0 ? 0 : wire_ttl; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

DnsResolver::DnsResolver() {
  if constexpr (config::fallback_dns_server_support) {
    if (const std::optional<IpAddress> fallback = parse_ip_address(config::fallback_dns_server_address)) {
      servers_[fallback_index()] = *fallback;
    }
  }
}

Status DnsResolver::set_server(std::size_t index, const IpAddress& server) {
  if (index >= servers_.size() || server.is_multicast()) return Error::InvalidArgument;
  servers_[index] = server;
  return {};
}

void DnsResolver::take_learned_servers(const Stack& stack) {
  const LearnedServers& learned = stack.learned_dns_servers();
  if (!use_learned_ || learned.generation() == learned_generation_) return;
  learned_generation_ = learned.generation();
  const std::span<const IpAddress> list = learned.servers();
  for (std::size_t i = 0; i < learned_.size(); ++i) {
    if (i < list.size() && !list[i].is_multicast()) {
      servers_[i] = list[i];
      learned_[i] = list[i];
    } else if (!learned_[i].is_unspecified() && servers_[i] == learned_[i]) {
      servers_[i] = IpAddress{};
      learned_[i] = IpAddress{};
    }
  }
}

IpAddress DnsResolver::server(std::size_t index) const {
  return index < servers_.size() ? servers_[index] : IpAddress{};
}

void DnsResolver::set_external_resolve(ExternalResolve hook, void* context) {
  hook_ = hook;
  hook_context_ = context;
}

void DnsResolver::clear_cache() {
  for (CacheEntry& e : cache_) e.used = false;
}

std::size_t DnsResolver::pending_queries() const {
  return static_cast<std::size_t>(std::count_if(queries_.begin(), queries_.end(),
                                                [](const Query& q) { return q.used; }));
}

std::uint16_t DnsResolver::wire_type(DnsRecordType type) const {
  return static_cast<std::uint16_t>(type == DnsRecordType::A ? dns::Type::A : dns::Type::AAAA);
}

std::optional<DnsResult> DnsResolver::immediate(std::string_view name, DnsRecordType type) const {
  DnsResult result;
  if (const std::optional<IpAddress> numeric = parse_ip_address(name)) {
    // A numeric name of the other family is no address of this one.
    if (numeric->is_v4() == (type == DnsRecordType::A)) {
      result.outcome = DnsOutcome::Found;
      result.addresses[0] = *numeric;
      result.count = 1;
    }
    return result;
  }
  std::string_view bare = name;
  if (!bare.empty() && bare.back() == '.') bare.remove_suffix(1);
  if (equals_ignore_case(bare, "localhost")) {
    result.outcome = DnsOutcome::Found;
    result.addresses[0] = type == DnsRecordType::A ? IpAddress(Ipv4Address::loopback())
                                                   : IpAddress(Ipv6Address::loopback());
    result.count = 1;
    return result;
  }
  return std::nullopt;
}

const DnsResolver::CacheEntry* DnsResolver::cached(const DnsName& name, DnsRecordType type,
                                                   Instant now) const {
  for (const CacheEntry& e : cache_) {
    if (e.used && e.type == type && now < e.expires && e.name.equals(name)) return &e;
  }
  return nullptr;
}

void DnsResolver::store(const DnsName& name, DnsRecordType type, const DnsResult& result,
                        std::uint32_t ttl, Instant now) {
  ttl = std::clamp(ttl, config::dns_min_ttl, config::dns_max_ttl);
  if (ttl == 0 || cache_.empty()) return;
  // The same name's entry, else a free or expired one, else the one that
  // would expire first.
  CacheEntry* slot = nullptr;
  for (CacheEntry& e : cache_) {
    if (e.used && e.type == type && e.name.equals(name)) {
      slot = &e;
      break;
    }
  }
  if (slot == nullptr) {
    for (CacheEntry& e : cache_) {
      if (!e.used || e.expires <= now) {
        slot = &e;
        break;
      }
    }
  }
  if (slot == nullptr) {
    slot = &*std::min_element(cache_.begin(), cache_.end(), [](const CacheEntry& a, const CacheEntry& b) {
      return a.expires < b.expires;
    });
  }
  slot->used = true;
  slot->name = name;
  slot->type = type;
  slot->result = result;
  slot->expires = now + Duration::seconds(ttl);
}

Result<DnsResult> DnsResolver::lookup(Stack& stack, std::string_view name, DnsRecordType type,
                                      Callback callback, void* context, Instant now) {
  take_learned_servers(stack);
  if (name.empty() || name.size() > dns::max_name_text_len + 1) return Error::InvalidArgument;
  // No AAAA questions without IPv6: the answers would be unusable.
  if (!config::ipv6 && type == DnsRecordType::AAAA) return Error::Unsupported;
  if (!config::ipv4 && type == DnsRecordType::A) return Error::Unsupported;
  if (std::optional<DnsResult> now_known = immediate(name, type)) return *now_known;
  Result<DnsName> wire_name = DnsName::from_text(name);
  if (!wire_name.ok()) return Error::InvalidArgument;
  if (hook_ != nullptr) {
    DnsResult hooked;
    if (hook_(hook_context_, name, type, hooked)) return hooked;
  }
  if (const CacheEntry* e = cached(*wire_name, type, now)) {
    ++stats_.cache_hits;
    return e->result;
  }
  const bool mdns = config::dns_support_mdns_queries && wire_name->ends_with_label("local");
  if (!mdns && std::none_of(servers_.begin(), servers_.end(),
                            [](const IpAddress& s) { return !s.is_unspecified(); })) {
    DnsResult none;
    none.outcome = DnsOutcome::NoServers;
    return none;
  }

  Request* request = nullptr;
  for (Request& r : requests_) {
    if (!r.used) {
      request = &r;
      break;
    }
  }
  if (request == nullptr) return Error::TableFull;

  // Callers asking for the same name share its query.
  std::size_t index = queries_.size();
  for (std::size_t i = 0; i < queries_.size(); ++i) {
    const Query& q = queries_[i];
    if (q.used && q.type == type && q.name.equals(*wire_name)) {
      index = i;
      break;
    }
  }
  if (index == queries_.size()) {
    for (std::size_t i = 0; i < queries_.size(); ++i) {
      if (!queries_[i].used) {
        index = i;
        break;
      }
    }
    if (index == queries_.size()) return Error::TableFull;
    Query& q = queries_[index];
    q = Query{};
    q.name = *wire_name;
    q.type = type;
    q.mdns = mdns;
    if (mdns) {
      q.asked = IpEndpoint{mdns_group_for(type), dns::mdns_port};
    } else {
      (void)next_server(q, 0);
    }
    if (Status opened = open_udp(stack, q); !opened.ok()) return opened.error();
    q.used = true;
    if (const Status sent = send_udp(stack, q, now); mdns && !sent.ok() && sent.error() == Error::NoRoute) {
      // No netif has an address of the group's family (an A question on a
      // link with IPv6 only): no responder can be asked, so there is no
      // address of this type now, not after the whole retry schedule
      // (getaddrinfo's AF_UNSPEC waited 7 s for it beside a quick AAAA).
      release(stack, q, now);
      DnsResult none;
      none.outcome = DnsOutcome::NotFound;
      return none;
    }
  }
  request->used = true;
  request->query = index;
  request->callback = callback;
  request->context = context;
  return Error::InProgress;
}

bool DnsResolver::next_server(Query& q, std::size_t from) {
  for (std::size_t i = from; i < servers_.size(); ++i) {
    if (!servers_[i].is_unspecified()) {
      q.server_index = i;
      q.asked = IpEndpoint{servers_[i], dns::port};
      q.attempt = 0;
      return true;
    }
  }
  return false;
}

Status DnsResolver::open_udp(Stack& stack, Query& q) {
  Result<UdpHandle> handle = stack.udp_open();
  if (!handle.ok()) return handle.error();
  // The endpoint takes answers of the server's family only: bound to
  // 0.0.0.0 it would refuse an IPv6 server's (DHCPv6's, RDNSS's) answers
  // with port unreachable. fail_over() reopens it for a server of the other
  // family.
  const bool v6 = q.asked.address.is_v6();
  if (v6) (void)stack.udp_set_v6only(*handle, true);
  const IpAddress any = v6 ? IpAddress(Ipv6Address{}) : IpAddress{};
  Status bound = Error::AddressInUse;
  for (int i = 0; i < port_tries && !bound.ok(); ++i) {
    const auto port = static_cast<std::uint16_t>(first_query_port + stack.random_u32() % query_ports);
    bound = stack.udp_bind(*handle, IpEndpoint{any, port});
  }
  if (!bound.ok()) {
    stack.udp_close(*handle);
    return bound.error();
  }
  if (q.mdns) stack.udp_set_multicast_ttl(*handle, 255);  // RFC 6762 11
  q.udp = *handle;
  q.have_udp = true;
  return {};
}

std::size_t DnsResolver::build_query(const Query& q, Bytes out) const {
  DnsQuestion question{q.name, wire_type(q.type), dns::class_in};
  DnsRepr repr;
  repr.header.id = q.id;
  // mDNS queries ask the responder itself: no recursion (RFC 6762 18.6).
  repr.header.recursion_desired = !q.mdns;
  repr.questions = std::span<const DnsQuestion>(&question, 1);
  Result<std::size_t> written = repr.emit(out);
  return written.ok() ? *written : 0;
}

Status DnsResolver::send_udp(Stack& stack, Query& q, Instant now) {
  // One id for all tries to a server (from one port), as glibc and lwIP
  // keep it: a slow server's answer to an earlier try is then as good as
  // one to the last. A fresh id per try dropped those answers, and a server
  // slower than the retry schedule never got through. The next server gets
  // a new id.
  if (q.attempt == 0) q.id = static_cast<std::uint16_t>(stack.random_u32());
  q.deadline = now + timeout_of(q.attempt);
  ++q.attempt;
  const std::size_t len = build_query(q, buffer_);
  if (len == 0) return Error::InvalidArgument;
  if (Status sent = stack.udp_send_to(q.udp, ConstBytes(buffer_).first(len), q.asked, now); !sent.ok()) {
    ++stats_.drop_send_failed;
    return sent;  // the timeout tries again
  }
  ++stats_.queries_sent;
  return {};
}

void DnsResolver::on_timeout(Stack& stack, Query& q, Instant now) {
  if (q.transport == Transport::Tcp) {
    fail_over(stack, q, now);
    return;
  }
  if (q.attempt < config::dns_max_retries) {
    ++stats_.retries;
    (void)send_udp(stack, q, now);
    return;
  }
  fail_over(stack, q, now);
}

void DnsResolver::fail_over(Stack& stack, Query& q, Instant now) {
  if (q.have_tcp) {
    stack.tcp_abort(q.tcp, now);
    q.have_tcp = false;
  }
  q.transport = Transport::Udp;
  const bool was_v6 = q.asked.address.is_v6();
  if (!q.mdns && next_server(q, q.server_index + 1)) {
    ++stats_.server_switches;
    if (q.asked.address.is_v6() != was_v6 && q.have_udp) {
      stack.udp_close(q.udp);
      q.have_udp = false;
      // Without an endpoint the sends fail and time out to the next server.
      (void)open_udp(stack, q);
    }
    (void)send_udp(stack, q, now);
    return;
  }
  DnsResult result;
  result.outcome = q.server_failed ? DnsOutcome::ServerFailure : DnsOutcome::TimedOut;
  if (result.outcome == DnsOutcome::TimedOut) ++stats_.timeouts;
  finish(stack, q, result, now);
}

bool DnsResolver::question_matches(const Query& q, const DnsRepr& answer) const {
  // Unicast answers to one-shot mDNS queries repeat the question (RFC 6762
  // 6.7), as DNS servers do; the answer records are checked by name anyway.
  if (answer.header.question_count != 1) return q.mdns && answer.header.question_count == 0;
  return answer.question.name.equals(q.name) && answer.question.type == wire_type(q.type) &&
         (answer.question.klass & class_mask) == dns::class_in;
}

bool DnsResolver::on_link(const Stack& stack, const UdpReceived& got) {
  // RFC 6762 11: mDNS answers count only from the link itself, so that no
  // host beyond a router can answer for .local names. On the link: an IPv6
  // link-local source, or one inside a prefix of the receiving netif.
  const IpAddress& source = got.from.address;
  if (core_is_v6(source)) {
    if (source.v6().is_link_local()) return true;
    const auto addresses = stack.ipv6_addresses(got.netif);
    if (!addresses.ok()) return false;
    return std::any_of(addresses->begin(), addresses->end(), [&](const Ipv6NetifAddress& a) {
      return a.usable() && IpCidr{IpAddress(a.address), a.prefix_len}.contains(source);
    });
  }
  const Result<NetifInfo> info = stack.netif_info(got.netif);
  return info.ok() && info->ipv4.has_value() && !info->ipv4->address.is_unspecified() &&
         info->ipv4->contains(source);
}

void DnsResolver::receive_udp(Stack& stack, Query& q, Instant now) {
  while (q.used && q.have_udp && stack.udp_readable(q.udp)) {
    Result<UdpReceived> got = stack.udp_receive(q.udp, buffer_);
    if (!got.ok()) return;
    if (got->size > got->copied) {
      ++stats_.drop_malformed;
      continue;
    }
    // mDNS responders answer from their own address, which we cannot know.
    if (q.transport != Transport::Udp) continue;  // a late copy: TCP answers now
    const bool from_asked = q.mdns ? got->from.port == dns::mdns_port && on_link(stack, *got)
                                   : got->from == q.asked;
    if (!from_asked) {
      ++stats_.drop_spoofed;
      continue;
    }
    const ConstBytes message = ConstBytes(buffer_).first(got->copied);
    Result<DnsRepr> answer = DnsRepr::parse(message);
    bool cut_but_truncated = false;
    if (!answer.ok() && !q.mdns) {
      // A server filling a 512-byte datagram may cut a TC answer in the
      // middle of a record (RFC 2181 9); it still says "ask over TCP".
      Result<DnsRepr> head = DnsRepr::parse_header_and_question(message);
      if (head.ok() && head->header.truncated) {
        answer = *head;
        cut_but_truncated = true;
      }
    }
    if (!answer.ok()) {
      ++stats_.drop_malformed;
      continue;
    }
    // A cut answer may have lost its question as well: only a TCP query
    // follows from it, and the TCP answer is checked in full.
    const bool question_ok = question_matches(q, *answer) ||
                             (cut_but_truncated && answer->header.question_count == 0);
    if (!answer->header.response || answer->header.opcode != 0 || answer->header.id != q.id ||
        !question_ok) {
      ++stats_.drop_spoofed;
      continue;
    }
    on_answer(stack, q, *answer, now);
  }
}

void DnsResolver::on_answer(Stack& stack, Query& q, const DnsRepr& answer, Instant now) {
  ++stats_.answers;
  if (answer.header.truncated && q.transport == Transport::Udp && !q.mdns) {
    ++stats_.truncated;
    start_tcp(stack, q, now);
    return;
  }
  const auto rcode = static_cast<dns::Rcode>(answer.header.rcode);
  if (rcode != dns::Rcode::NoError && rcode != dns::Rcode::NameError) {
    // This server cannot help (SERVFAIL, REFUSED...): another one may.
    q.server_failed = true;
    fail_over(stack, q, now);
    return;
  }
  DnsResult result;
  result.outcome = DnsOutcome::NotFound;
  std::uint32_t ttl = config::dns_max_ttl;
  if (rcode == dns::Rcode::NoError) {
    // Follow the CNAME chain from the question's name, in as many passes as
    // it has links (servers list it in order, but need not).
    DnsName current = q.name;
    for (int link = 0; link < max_cname_chain; ++link) {
      bool moved = false;
      answer.for_each_answer([&](const DnsRecord& r) {
        if (r.type == static_cast<std::uint16_t>(dns::Type::CNAME) &&
            (r.klass & class_mask) == dns::class_in && r.name.equals(current)) {
          current = r.target;
          ttl = std::min(ttl, record_ttl(r.ttl));
          moved = true;
          return false;
        }
        return true;
      });
      if (!moved) break;
    }
    const std::uint16_t wanted = wire_type(q.type);
    answer.for_each_answer([&](const DnsRecord& r) {
      if (r.type != wanted || (r.klass & class_mask) != dns::class_in || !r.name.equals(current)) {
        return true;
      }
      if (const std::optional<IpAddress> address = r.address()) {
        result.addresses[result.count++] = *address;
        ttl = std::min(ttl, record_ttl(r.ttl));
      }
      return result.count < result.addresses.size();
    });
    if (result.count > 0) result.outcome = DnsOutcome::Found;
  }
  // Negative answers are not cached: RFC 2308 would want the SOA's minimum,
  // and a name that appears should resolve at once.
  if (result.outcome == DnsOutcome::Found) store(q.name, q.type, result, ttl, now);
  finish(stack, q, result, now);
}

void DnsResolver::start_tcp(Stack& stack, Query& q, Instant now) {
  Result<TcpHandle> connection = stack.tcp_connect(q.asked, now);
  if (!connection.ok()) {
    fail_over(stack, q, now);
    return;
  }
  q.transport = Transport::Tcp;
  q.tcp = *connection;
  q.have_tcp = true;
  q.tcp_sent = false;
  q.id = static_cast<std::uint16_t>(stack.random_u32());
  q.deadline = now + tcp_timeout();
}

void DnsResolver::poll_tcp(Stack& stack, Query& q, Instant now) {
  (void)stack.tcp_events(q.tcp);
  const TcpConnection* connection = stack.tcp_connection(q.tcp);
  if (connection == nullptr || connection->error().has_value()) {
    fail_over(stack, q, now);
    return;
  }
  if (!q.tcp_sent) {
    if (connection->state() != TcpState::Established) return;
    // RFC 1035 4.2.2: the message behind its 16-bit length.
    const std::size_t len = build_query(q, Bytes(buffer_).subspan(2));
    store_be16(buffer_, 0, static_cast<std::uint16_t>(len));
    Result<std::size_t> sent = stack.tcp_send(q.tcp, ConstBytes(buffer_).first(2 + len), now);
    if (!sent.ok() || *sent != 2 + len) {
      ++stats_.drop_send_failed;
      fail_over(stack, q, now);
      return;
    }
    ++stats_.queries_sent;
    q.tcp_sent = true;
  }
  // Take the answer once all of it is there (it fits the receive window).
  Result<std::size_t> peeked = stack.tcp_peek(q.tcp, buffer_);
  if (!peeked.ok()) {
    if (peeked.error() != Error::WouldBlock) fail_over(stack, q, now);
    return;
  }
  if (*peeked == 0) {  // the server closed without a (whole) answer
    fail_over(stack, q, now);
    return;
  }
  if (*peeked < 2) return;
  const std::size_t len = load_be16(buffer_, 0);
  if (len > message_capacity) {
    ++stats_.drop_malformed;
    fail_over(stack, q, now);
    return;
  }
  if (*peeked < 2 + len) {
    const TcpState state = connection->state();
    if (state == TcpState::CloseWait || state == TcpState::LastAck || state == TcpState::Closed) {
      fail_over(stack, q, now);  // no more bytes will come
    }
    return;
  }
  Result<std::size_t> taken = stack.tcp_receive(q.tcp, Bytes(buffer_).first(2 + len), now);
  (void)taken;
  Result<DnsRepr> answer = DnsRepr::parse(ConstBytes(buffer_).subspan(2, len));
  if (!answer.ok()) {
    ++stats_.drop_malformed;
    fail_over(stack, q, now);
    return;
  }
  if (!answer->header.response || answer->header.id != q.id || !question_matches(q, *answer)) {
    ++stats_.drop_spoofed;
    fail_over(stack, q, now);
    return;
  }
  on_answer(stack, q, *answer, now);
}

void DnsResolver::finish(Stack& stack, Query& q, const DnsResult& result, Instant now) {
  const auto index = static_cast<std::size_t>(&q - queries_.data());
  release(stack, q, now);
  // Every waiter is taken off the table before any callback runs: a
  // callback may start a lookup at once, which may reuse this query's slot
  // and a request slot, and must not be answered with this result.
  std::array<Request, config::dns_max_requests> answered{};
  std::size_t count = 0;
  for (Request& r : requests_) {
    if (r.used && r.query == index) {
      answered[count++] = r;
      r.used = false;
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (answered[i].callback != nullptr) answered[i].callback(answered[i].context, result);
  }
}

void DnsResolver::release(Stack& stack, Query& q, Instant now) {
  if (q.have_udp) stack.udp_close(q.udp);
  if (q.have_tcp) stack.tcp_close(q.tcp, now);
  q = Query{};
}

void DnsResolver::cancel(Stack& stack, void* context, Instant now) {
  for (Request& r : requests_) {
    if (r.used && r.context == context) r.used = false;
  }
  for (std::size_t i = 0; i < queries_.size(); ++i) {
    if (!queries_[i].used) continue;
    const bool waited_on = std::any_of(requests_.begin(), requests_.end(),
                                       [&](const Request& r) { return r.used && r.query == i; });
    if (!waited_on) release(stack, queries_[i], now);
  }
}

void DnsResolver::close(Stack& stack, Instant now) {
  for (Request& r : requests_) r.used = false;
  for (Query& q : queries_) {
    if (q.used) release(stack, q, now);
  }
}

void DnsResolver::poll(Stack& stack, Instant now) {
  take_learned_servers(stack);
  for (Query& q : queries_) {
    if (!q.used) continue;
    receive_udp(stack, q, now);
    if (q.used && q.transport == Transport::Tcp) poll_tcp(stack, q, now);
    if (q.used && q.deadline <= now) on_timeout(stack, q, now);
  }
}

Instant DnsResolver::next_deadline() const {
  Instant earliest = Instant::max();
  for (const Query& q : queries_) {
    if (q.used) earliest = std::min(earliest, q.deadline);
  }
  return earliest;
}

}  // namespace lwnet
