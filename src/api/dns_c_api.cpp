// lwIP's <lwip/dns.h> over the default TCP/IP thread's resolver.
#include <array>
#include <cstdlib>
#include <cstring>

#include "lwip/dns.h"

#include "api/name_resolver.h"
#include "api/tcpip_c.h"
#include "port/clock.h"

static_assert(DNS_MAX_SERVERS == lwnet::config::dns_max_servers,
              "lwip/dns.h and options.h disagree on CONFIG_LWIP_DNS_MAX_SERVERS");

namespace {

using lwnet::DnsRecordType;
using lwnet::DnsResult;
using lwnet::IpAddress;

lwnet::api::NameResolver& default_resolver() {
  if (lwnet::api::default_tcpip() == nullptr) tcpip_init(nullptr, nullptr);
  lwnet::api::NameResolver* resolver = lwnet::api::default_name_resolver();
  // tcpip_init() made the thread, so there is a resolver: said to the
  // compiler, whose -Wnull-dereference sees the null of "no thread".
  if (resolver == nullptr) std::abort();
  return *resolver;
}

ip_addr_t to_ip_addr(const IpAddress& address) {
  ip_addr_t out{};
  if (address.is_v4()) {
    out.type = IPADDR_TYPE_V4;
    const auto octets = address.v4().octets();
    std::memcpy(&out.u_addr.ip4.addr, octets.data(), 4);
  } else {
    out.type = IPADDR_TYPE_V6;
    std::memcpy(out.u_addr.ip6.addr, address.v6().octets.data(), 16);
  }
  return out;
}

IpAddress from_ip_addr(const ip_addr_t& address) {
  if (address.type == IPADDR_TYPE_V6) {
    lwnet::Ipv6Address v6;
    std::memcpy(v6.octets.data(), address.u_addr.ip6.addr, 16);
    return v6;
  }
  std::array<std::uint8_t, 4> octets{};
  std::memcpy(octets.data(), &address.u_addr.ip4.addr, 4);
  return lwnet::Ipv4Address::from_bytes(octets);
}

// A dns_gethostbyname call waiting for its answer. Touched in core context only.
struct CRequest {
  bool used = false;
  dns_found_callback found = nullptr;
  void* arg = nullptr;
  std::array<char, DNS_MAX_NAME_LENGTH> name{};
  DnsRecordType second{};  // asked next when the first family has no address
  bool has_second = false;
};
std::array<CRequest, lwnet::config::dns_max_requests> c_requests;
// Set by lwnet_shutdown() from the moment it ends the waiting lookups until
// the TCP/IP thread has stopped: the resolver closes in between without
// calling back, so a lookup started then would hold its slot for ever.
// Core context only.
bool refusing_for_shutdown = false;

void on_found(void* context, const DnsResult& result);

lwnet::Result<DnsResult> start(CRequest& request, DnsRecordType type) {
  lwnet::api::NameResolver& resolver = default_resolver();
  lwnet::api::TcpipThread& thread = *lwnet::api::default_tcpip();
  return resolver.resolver().lookup(thread.stack(), request.name.data(), type, &on_found, &request,
                                    lwnet::monotonic_now());
}

void on_found(void* context, const DnsResult& result) {
  auto* request = static_cast<CRequest*>(context);
  if (result.outcome != lwnet::DnsOutcome::Found && request->has_second) {
    request->has_second = false;
    lwnet::Result<DnsResult> next = start(*request, request->second);
    if (!next.ok() && next.error() == lwnet::Error::InProgress) return;
    if (next.ok()) {
      on_found(context, *next);
      return;
    }
  }
  request->used = false;
  if (request->found == nullptr) return;
  if (result.outcome == lwnet::DnsOutcome::Found && result.count > 0) {
    const ip_addr_t address = to_ip_addr(result.addresses[0]);
    request->found(request->name.data(), &address, request->arg);
  } else {
    request->found(request->name.data(), nullptr, request->arg);
  }
}

}  // namespace

namespace lwnet::api {

// lwnet_shutdown() (bring_up.cpp), before the resolver closes: lwIP reports
// a lookup that will never be answered through its callback, and the slot
// must be free for the lookups after tcpip_init().
void end_dns_lookups_for_shutdown() {
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack& stack, Instant now) {
    refusing_for_shutdown = true;
    // Every slot is freed, and forgotten by the resolver, before any
    // callback runs; a callback that asks again is refused, so the freed
    // slots keep their name and callback for the second loop.
    std::array<bool, config::dns_max_requests> ended{};
    for (std::size_t i = 0; i < c_requests.size(); ++i) {
      CRequest& request = c_requests[i];
      if (!request.used) continue;
      if (NameResolver* resolver = default_name_resolver()) resolver->resolver().cancel(stack, &request, now);
      request.used = false;
      ended[i] = true;
    }
    // As lwIP reports a lookup that fails: the callback with a NULL address.
    for (std::size_t i = 0; i < c_requests.size(); ++i) {
      const CRequest& request = c_requests[i];
      if (ended[i] && request.found != nullptr) request.found(request.name.data(), nullptr, request.arg);
    }
    return 0;
  });
}

// lwnet_shutdown(), once the TCP/IP thread has stopped: nothing can start a
// lookup on the closed resolver any more.
void allow_dns_lookups_after_shutdown() {
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack&, Instant) {
    refusing_for_shutdown = false;
    return 0;
  });
}

}  // namespace lwnet::api

extern "C" {

void dns_setserver(u8_t numdns, const ip_addr_t* dnsserver) {
  const IpAddress address = dnsserver != nullptr ? from_ip_addr(*dnsserver) : IpAddress{};
  (void)default_resolver().set_server(numdns, address);
}

const ip_addr_t* dns_getserver(u8_t numdns) {
  thread_local ip_addr_t server;
  server = to_ip_addr(default_resolver().server(numdns));
  return &server;
}

void dns_clear_cache(void) { default_resolver().clear_cache(); }

err_t dns_gethostbyname_addrtype(const char* hostname, ip_addr_t* addr, dns_found_callback found,
                                 void* callback_arg, u8_t dns_addrtype) {
  lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip();
  if (hostname == nullptr || addr == nullptr || std::strlen(hostname) >= DNS_MAX_NAME_LENGTH) return ERR_ARG;
  if (thread == nullptr || !thread->in_core_context() || refusing_for_shutdown) return ERR_VAL;
  if (lwnet::api::default_name_resolver() == nullptr) return ERR_VAL;
  CRequest* request = nullptr;
  for (CRequest& r : c_requests) {
    if (!r.used) {
      request = &r;
      break;
    }
  }
  if (request == nullptr) return ERR_MEM;
  *request = CRequest{};
  std::memcpy(request->name.data(), hostname, std::strlen(hostname) + 1);
  request->found = found;
  request->arg = callback_arg;
  DnsRecordType first = DnsRecordType::A;
  switch (dns_addrtype) {
    case LWIP_DNS_ADDRTYPE_IPV6: first = DnsRecordType::AAAA; break;
    case LWIP_DNS_ADDRTYPE_IPV4_IPV6:
      request->second = DnsRecordType::AAAA;
      request->has_second = true;
      break;
    case LWIP_DNS_ADDRTYPE_IPV6_IPV4:
      first = DnsRecordType::AAAA;
      request->second = DnsRecordType::A;
      request->has_second = true;
      break;
    default: break;
  }
  lwnet::Result<DnsResult> result = start(*request, first);
  if (!result.ok() && result.error() == lwnet::Error::InProgress) {
    request->used = true;
    return ERR_INPROGRESS;
  }
  if (!result.ok()) return result.error() == lwnet::Error::TableFull ? ERR_MEM : ERR_ARG;
  if (result->outcome != lwnet::DnsOutcome::Found && request->has_second) {
    result = start(*request, request->second);
    if (!result.ok() && result.error() == lwnet::Error::InProgress) {
      request->has_second = false;
      request->used = true;
      return ERR_INPROGRESS;
    }
    if (!result.ok()) return ERR_ARG;
  }
  if (result->outcome != lwnet::DnsOutcome::Found || result->count == 0) return ERR_VAL;
  *addr = to_ip_addr(result->addresses[0]);
  return ERR_OK;
}

err_t dns_gethostbyname(const char* hostname, ip_addr_t* addr, dns_found_callback found, void* callback_arg) {
  return dns_gethostbyname_addrtype(hostname, addr, found, callback_arg, LWIP_DNS_ADDRTYPE_DEFAULT);
}

}  // extern "C"
