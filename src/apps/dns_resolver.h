// The DNS resolver (lwIP's dns.c, ESP-IDF's names): A and AAAA lookups over
// UDP, and over TCP when an answer comes back truncated; servers tried in
// turn with retries; a cache that honours TTLs; "name.local" by a one-shot
// mDNS query (RFC 6762 5.1); numeric names and "localhost" answered without
// a query; an external-resolve hook asked first.
//
// Spoofing: every query has a random id and goes out from its own UDP
// endpoint on a random port (RFC 5452), and an answer counts only when it
// comes from the server asked (address and port 53), with the query's id and
// question; anything else is dropped and counted. mDNS answers must come
// from port 5353 of an on-link address (RFC 6762 11).
//
// Threads: core thread only (a StackApp). The blocking faces (getaddrinfo,
// gethostbyname, dns_setserver...) are in api/ and reach it through the
// TCP/IP thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "config/options.h"
#include "core/stack.h"
#include "wire/dns.h"

namespace lwnet {

enum class DnsRecordType : std::uint8_t { A, AAAA };

enum class DnsOutcome : std::uint8_t {
  Found,          // at least one address
  NotFound,       // NXDOMAIN, no address of that type, or a numeric name of the other family
  TimedOut,       // no server (or mDNS responder) answered
  ServerFailure,  // every server answered with an error (SERVFAIL, REFUSED...)
  NoServers,      // no server is set and the name is not .local
};

struct DnsResult {
  DnsOutcome outcome = DnsOutcome::NotFound;
  std::array<IpAddress, config::dns_max_host_ip> addresses{};
  std::size_t count = 0;
};

// Counters of one resolver (printed by `lwnet resolve -v` and tests).
struct DnsStats {
  std::uint64_t queries_sent = 0;   // UDP datagrams and TCP queries, retries included
  std::uint64_t retries = 0;        // resent after a timeout
  std::uint64_t server_switches = 0;
  std::uint64_t answers = 0;        // answers accepted
  std::uint64_t truncated = 0;      // TC set: asked again over TCP
  std::uint64_t cache_hits = 0;
  std::uint64_t timeouts = 0;       // lookups that ended TimedOut
  std::uint64_t drop_malformed = 0;  // could not be parsed
  std::uint64_t drop_spoofed = 0;   // wrong source (off-link for mDNS), port, id or question
  std::uint64_t drop_send_failed = 0;  // the stack refused to send (no route, no buffers)
};

// DnsResolver::learned_slots().
inline constexpr std::size_t dns_learned_slots = [] {
  const std::size_t usable =
      config::fallback_dns_server_support ? config::dns_max_servers - 1 : config::dns_max_servers;
  return usable < 2 ? usable : std::size_t{2};
}();

class DnsResolver final : public StackApp {
 public:
  // Called once per lookup that returned InProgress, from inside
  // Stack::poll() (core context). May start or cancel lookups.
  using Callback = void (*)(void* context, const DnsResult& result);
  // lwIP's LWIP_HOOK_DNS_EXTERNAL_RESOLVE: asked before anything else
  // (after numeric names). Returns true when it answered into `result`;
  // false lets the resolver go on. Core context.
  using ExternalResolve = bool (*)(void* context, std::string_view name, DnsRecordType type,
                                   DnsResult& result);

  // Core thread. Fills the fallback slot from
  // CONFIG_LWIP_FALLBACK_DNS_SERVER_ADDRESS when that support is on.
  DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;
  ~DnsResolver() = default;

  // Core thread. Slot 0 main, 1 backup, dns_fallback_index() the fallback.
  // An unspecified address empties the slot. InvalidArgument for an index
  // past CONFIG_LWIP_DNS_MAX_SERVERS or a multicast address.
  Status set_server(std::size_t index, const IpAddress& server);
  // The unspecified address for an empty slot or an index out of range.
  IpAddress server(std::size_t index) const;
  static constexpr std::size_t fallback_index() { return config::dns_max_servers - 1; }
  // The slots servers learned by DHCP, DHCPv6 or RDNSS take
  // (Stack::publish_dns_servers): main and backup, never the fallback.
  static constexpr std::size_t learned_slots() { return dns_learned_slots; }
  // Core thread. Whether published servers are taken (on by default, as
  // lwIP's DHCP always sets them); off keeps servers set by hand.
  void set_use_learned_servers(bool use) { use_learned_ = use; }

  // Core thread. The answer now (numeric names, localhost, the hook, the
  // cache, or an immediate failure such as NoServers), or Error::InProgress:
  // `callback(context, result)` runs later from poll(). InvalidArgument for
  // a name that is not a valid domain name; TableFull when
  // CONFIG_LWNET_DNS_TABLE_SIZE queries or CONFIG_LWNET_DNS_MAX_REQUESTS
  // lookups are in flight; the Stack's errors when no UDP endpoint is left;
  // Unsupported for AAAA when IPv6 is compiled out, for A when IPv4 is.
  Result<DnsResult> lookup(Stack& stack, std::string_view name, DnsRecordType type,
                           Callback callback, void* context, Instant now);
  // Core thread. Forgets every pending lookup of `context` (its callback
  // will not run); the query goes on for other waiters, or is dropped.
  void cancel(Stack& stack, void* context, Instant now);
  // Core thread. lwIP's dns_clear_cache().
  void clear_cache();
  // Core thread. Null removes the hook.
  void set_external_resolve(ExternalResolve hook, void* context);
  // Core thread. Closes every query (their callbacks do not run): call
  // before detaching the resolver for good.
  void close(Stack& stack, Instant now);

  const DnsStats& stats() const { return stats_; }
  std::size_t pending_queries() const;

  void poll(Stack& stack, Instant now) override;
  Instant next_deadline() const override;

 private:
  enum class Transport : std::uint8_t { Udp, Tcp };
  struct Query {
    bool used = false;
    DnsName name;
    DnsRecordType type = DnsRecordType::A;
    bool mdns = false;
    Transport transport = Transport::Udp;
    std::uint16_t id = 0;
    std::size_t server_index = 0;  // into servers_ (unused for mDNS)
    IpEndpoint asked;
    std::uint32_t attempt = 0;     // tries sent to this server so far
    Instant deadline = Instant::max();
    bool have_udp = false;
    UdpHandle udp;
    bool have_tcp = false;
    bool tcp_sent = false;
    TcpHandle tcp;
    std::size_t tcp_received = 0;
    bool server_failed = false;    // some server answered with an error
  };
  struct Request {
    bool used = false;
    std::size_t query = 0;
    Callback callback = nullptr;
    void* context = nullptr;
  };
  struct CacheEntry {
    bool used = false;
    DnsName name;
    DnsRecordType type = DnsRecordType::A;
    DnsResult result;
    Instant expires;
  };

  void take_learned_servers(const Stack& stack);
  std::optional<DnsResult> immediate(std::string_view name, DnsRecordType type) const;
  const CacheEntry* cached(const DnsName& name, DnsRecordType type, Instant now) const;
  void store(const DnsName& name, DnsRecordType type, const DnsResult& result,
             std::uint32_t ttl, Instant now);
  Status open_udp(Stack& stack, Query& q);
  // Sends the query's next try; its error when the stack refused it (the
  // timeout then tries again).
  Status send_udp(Stack& stack, Query& q, Instant now);
  // Moves to the next server with an address, from the first try; false
  // when none is left.
  bool next_server(Query& q, std::size_t from);
  void on_timeout(Stack& stack, Query& q, Instant now);
  void receive_udp(Stack& stack, Query& q, Instant now);
  void poll_tcp(Stack& stack, Query& q, Instant now);
  void start_tcp(Stack& stack, Query& q, Instant now);
  // An answer that passed the id/source checks: finishes the query, moves
  // it to TCP, or to the next server.
  void on_answer(Stack& stack, Query& q, const DnsRepr& answer, Instant now);
  bool question_matches(const Query& q, const DnsRepr& answer) const;
  static bool on_link(const Stack& stack, const UdpReceived& got);
  void fail_over(Stack& stack, Query& q, Instant now);
  void finish(Stack& stack, Query& q, const DnsResult& result, Instant now);
  void release(Stack& stack, Query& q, Instant now);
  std::size_t build_query(const Query& q, Bytes out) const;
  std::uint16_t wire_type(DnsRecordType type) const;

  std::array<IpAddress, config::dns_max_servers> servers_{};
  // What take_learned_servers() last wrote into each learned slot, so that a
  // withdrawal clears only those, never a server set by hand since.
  std::array<IpAddress, dns_learned_slots> learned_{};
  std::uint32_t learned_generation_ = 0;
  bool use_learned_ = true;
  std::array<Query, config::dns_table_size> queries_{};
  std::array<Request, config::dns_max_requests> requests_{};
  std::array<CacheEntry, config::dns_cache_size> cache_{};
  ExternalResolve hook_ = nullptr;
  void* hook_context_ = nullptr;
  DnsStats stats_;
  // One datagram or TCP message at a time: answers are read and handled in
  // place, then forgotten. TCP answers larger than this fail over.
  static constexpr std::size_t message_capacity = 1500;
  std::array<std::uint8_t, 2 + message_capacity> buffer_{};
};

}  // namespace lwnet
