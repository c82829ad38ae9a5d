// The resolver calls of <lwip/netdb.h> over the DNS resolver of the default
// TCP/IP thread (api/name_resolver.h). Numeric addresses and "localhost"
// need no thread; other names need a running one (tcpip_init or
// lwnet_tap_up), and fail at once as unknown names without it: after
// lwnet_shutdown() no answer could come in, so a lookup would only wait out
// its timeout.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>

#define LWIP_COMPAT_SOCKETS 0
#include "lwip/if_api.h"
#include "lwip/netdb.h"

#include "api/name_resolver.h"
#include "api/tcpip_c.h"

namespace {

using lwnet::DnsOutcome;
using lwnet::IpAddress;
using lwnet::api::AddressFamily;
using lwnet::api::Resolution;

// A numeric name: IPv4 as ip4addr_aton reads it ("192.0.2.1", also
// "0x7f.1"), or IPv6 in any form inet_pton takes. Only the whole name:
// inet_aton stops at a space and takes "1.2.3.4 foo", which glibc's
// getaddrinfo does not (it parses with inet_aton_exact).
std::optional<IpAddress> numeric_address(const char* name) {
  for (const char* c = name; *c != '\0'; ++c) {
    if (std::isspace(static_cast<unsigned char>(*c)) != 0) return std::nullopt;
  }
  ip4_addr_t v4;
  if (ip4addr_aton(name, &v4) != 0) return IpAddress(lwnet::Ipv4Address{ntohl(v4.addr)});
  in6_addr v6;
  if (inet_pton(AF_INET6, name, &v6) == 1) {
    lwnet::Ipv6Address address;
    std::memcpy(address.octets.data(), &v6, 16);
    return IpAddress(address);
  }
  return std::nullopt;
}

bool family_accepts(AddressFamily family, const IpAddress& address) {
  if (!lwnet::config::ipv6 && !address.is_v4()) return false;  // an IPv4-only build
  return family == AddressFamily::Any || (family == AddressFamily::V4) == address.is_v4();
}

Resolution resolve(const char* name, AddressFamily family, bool numeric_only) {
  Resolution resolution;
  if (const std::optional<IpAddress> numeric = numeric_address(name)) {
    if (family_accepts(family, *numeric)) {
      resolution.outcome = DnsOutcome::Found;
      resolution.addresses[resolution.count++] = *numeric;
    }
    return resolution;
  }
  if (numeric_only) return resolution;
  const lwnet::api::TcpipThread* thread = lwnet::api::default_tcpip();
  if (thread != nullptr && thread->running()) {
    if (lwnet::api::NameResolver* resolver = lwnet::api::default_name_resolver()) {
      return resolver->resolve(name, family);
    }
  }
  // No TCP/IP thread running: localhost only (what the resolver says on a
  // host that has no IPv6 address: 127.0.0.1 first).
  if (std::strcmp(name, "localhost") == 0) {
    resolution.outcome = DnsOutcome::Found;
    if (family != AddressFamily::V6) resolution.addresses[resolution.count++] = lwnet::Ipv4Address::loopback();
    if (lwnet::config::ipv6 && family != AddressFamily::V4) {
      resolution.addresses[resolution.count++] = lwnet::Ipv6Address::loopback();
    }
  }
  return resolution;
}

// glibc's meanings, which programs test for: an unknown name is
// EAI_NONAME, a server that did not answer EAI_AGAIN (try later), a server
// that failed EAI_FAIL. No server at all: no name can be known.
int eai_of(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::Found: return 0;
    case DnsOutcome::TimedOut: return EAI_AGAIN;
    case DnsOutcome::ServerFailure: return EAI_FAIL;
    case DnsOutcome::NotFound:
    case DnsOutcome::NoServers: break;
  }
  return EAI_NONAME;
}

int h_errno_of(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::TimedOut: return TRY_AGAIN;
    case DnsOutcome::ServerFailure: return NO_RECOVERY;
    default: return HOST_NOT_FOUND;
  }
}

// An IPv6 literal with a zone, "fe80::1%2" or "fe80::1%en0" (RFC 4007;
// glibc takes both): the literal without it into `unscoped`, and the zone
// as an interface index (a number, or a netif's name). False when `name`
// is no such literal or the zone names no interface.
bool split_zone(const char* name, std::array<char, INET6_ADDRSTRLEN>& unscoped, std::uint32_t& scope_id) {
  const char* percent = std::strchr(name, '%');
  if (percent == nullptr || percent[1] == '\0') return false;
  const auto length = static_cast<std::size_t>(percent - name);
  if (length >= unscoped.size()) return false;
  std::memcpy(unscoped.data(), name, length);
  unscoped[length] = '\0';
  in6_addr literal{};
  if (inet_pton(AF_INET6, unscoped.data(), &literal) != 1) return false;
  const char* zone = percent + 1;
  char* end = nullptr;
  const unsigned long number = std::strtoul(zone, &end, 10);
  if (std::isdigit(static_cast<unsigned char>(*zone)) != 0 && *end == '\0') {
    scope_id = number <= 0xffffffffUL ? static_cast<std::uint32_t>(number) : 0;
  } else {
    scope_id = lwip_if_nametoindex(zone);
  }
  return scope_id != 0;
}

// A decimal port number, 0..65535.
bool parse_port(const char* text, std::uint16_t* port) {
  if (*text == '\0') return false;
  unsigned long value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return false;
    value = value * 10 + static_cast<unsigned long>(*p - '0');
    if (value > 0xffff) return false;
  }
  *port = static_cast<std::uint16_t>(value);
  return true;
}

// A socket type getaddrinfo answers for, with its protocol (raw: the
// hints' protocol, any).
struct SocketKind {
  int socktype = 0;
  int protocol = 0;
};

// The socket types this stack makes, one result each per address when the
// hints name none (glibc's order).
constexpr std::array<SocketKind, 3> all_socket_kinds{{{SOCK_STREAM, IPPROTO_TCP}, {SOCK_DGRAM, IPPROTO_UDP}, {SOCK_RAW, 0}}};

struct SocketKinds {
  std::array<SocketKind, all_socket_kinds.size()> kinds{};
  std::size_t count = 0;
};

// The socket types the hints ask for, or glibc's error: EAI_SOCKTYPE for a
// type this stack has no socket for or a protocol that is not the type's,
// EAI_SERVICE for a service asked of raw sockets alone (they have no ports).
int socket_kinds_of(int socktype, int protocol, bool has_service, SocketKinds& out) {
  const auto one = [&](int type, int proto) {
    out.kinds[0] = SocketKind{type, proto};
    out.count = 1;
  };
  switch (socktype) {
    case 0:
      if (protocol == 0) {
        out.kinds = all_socket_kinds;
        out.count = all_socket_kinds.size();
        return 0;
      }
      if (protocol == IPPROTO_TCP) {
        one(SOCK_STREAM, IPPROTO_TCP);
      } else if (protocol == IPPROTO_UDP) {
        one(SOCK_DGRAM, IPPROTO_UDP);
      } else {
        one(SOCK_RAW, protocol);  // raw sockets take any protocol
      }
      break;
    case SOCK_STREAM:
      if (protocol != 0 && protocol != IPPROTO_TCP) return EAI_SOCKTYPE;
      one(SOCK_STREAM, IPPROTO_TCP);
      break;
    case SOCK_DGRAM:
      if (protocol != 0 && protocol != IPPROTO_UDP) return EAI_SOCKTYPE;
      one(SOCK_DGRAM, IPPROTO_UDP);
      break;
    case SOCK_RAW: one(SOCK_RAW, protocol); break;
    default: return EAI_SOCKTYPE;
  }
  return has_service && out.kinds[0].socktype == SOCK_RAW ? EAI_SERVICE : 0;
}

// One getaddrinfo result in one allocation: the addrinfo, its address and
// the canonical name after them.
struct AddrinfoBlock {
  addrinfo info;
  sockaddr_storage address;
};

addrinfo* make_addrinfo(const IpAddress& address, std::uint16_t port, int socktype, int protocol,
                        const char* canonical_name) {
  const std::size_t name_size = canonical_name != nullptr ? std::strlen(canonical_name) + 1 : 0;
  void* memory = std::calloc(1, sizeof(AddrinfoBlock) + name_size);
  if (memory == nullptr) return nullptr;
  auto* block = new (memory) AddrinfoBlock{};
  if (address.is_v4()) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    v4.sin_addr.s_addr = htonl(address.v4().value);
    std::memcpy(&block->address, &v4, sizeof v4);
    block->info.ai_family = AF_INET;
    block->info.ai_addrlen = sizeof(sockaddr_in);
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&v6.sin6_addr, address.v6().octets.data(), 16);
    std::memcpy(&block->address, &v6, sizeof v6);
    block->info.ai_family = AF_INET6;
    block->info.ai_addrlen = sizeof(sockaddr_in6);
  }
  block->info.ai_socktype = socktype;
  block->info.ai_protocol = protocol;
  block->info.ai_addr = reinterpret_cast<sockaddr*>(&block->address);
  if (canonical_name != nullptr) {
    char* name = static_cast<char*>(memory) + sizeof(AddrinfoBlock);
    std::memcpy(name, canonical_name, name_size);
    block->info.ai_canonname = name;
  }
  return &block->info;
}

// gethostbyname_r's part of the caller's buffer (the name follows it).
struct HostentStorage {
  std::array<in_addr, lwnet::config::dns_max_host_ip> addresses;
  std::array<char*, lwnet::config::dns_max_host_ip + 1> address_list;
  char* aliases[1];
};

// IPv4 only, as lwIP's gethostbyname.
bool fill_hostent(hostent* host, HostentStorage* storage, char* name, const Resolution& resolution) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < resolution.count && n < storage->addresses.size(); ++i) {
    if (!resolution.addresses[i].is_v4()) continue;
    storage->addresses[n].s_addr = htonl(resolution.addresses[i].v4().value);
    storage->address_list[n] = reinterpret_cast<char*>(&storage->addresses[n]);
    ++n;
  }
  storage->address_list[n] = nullptr;
  storage->aliases[0] = nullptr;
  host->h_name = name;
  host->h_aliases = storage->aliases;
  host->h_addrtype = AF_INET;
  host->h_length = sizeof(in_addr);
  host->h_addr_list = storage->address_list.data();
  return n > 0;
}

}  // namespace

extern "C" {

int lwip_getaddrinfo(const char* nodename, const char* servname, const addrinfo* hints, addrinfo** res) {
  if (res == nullptr) return EAI_FAIL;
  *res = nullptr;
  if (nodename == nullptr && servname == nullptr) return EAI_NONAME;
  int flags = 0;
  int socktype = 0;
  int protocol = 0;
  AddressFamily family = AddressFamily::Any;
  if (hints != nullptr) {
    // glibc's order of refusals: the flags, the family, then the socket
    // type. A canonical name needs a name.
    constexpr int known_flags =
        AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;
    if ((hints->ai_flags & ~known_flags) != 0) return EAI_BADFLAGS;
    if ((hints->ai_flags & AI_CANONNAME) != 0 && nodename == nullptr) return EAI_BADFLAGS;
    switch (hints->ai_family) {
      case AF_UNSPEC: family = AddressFamily::Any; break;
      case AF_INET: family = AddressFamily::V4; break;
      case AF_INET6:
        if (!lwnet::config::ipv6) return EAI_FAMILY;  // an IPv4-only build
        family = AddressFamily::V6;
        break;
      default: return EAI_FAMILY;
    }
    flags = hints->ai_flags;
    socktype = hints->ai_socktype;
    protocol = hints->ai_protocol;
  }
  // As the C library: the protocol of the socket type when the hints name
  // none (lwIP leaves 0; socket() takes either), and with no type, one
  // result per type (lwIP gives one, of type 0, which socket() refuses).
  SocketKinds kinds;
  if (const int refused = socket_kinds_of(socktype, protocol, servname != nullptr, kinds); refused != 0) {
    return refused;
  }
  std::uint16_t port = 0;
  if (servname != nullptr && !parse_port(servname, &port)) return EAI_SERVICE;
  Resolution resolution;
  std::array<char, INET6_ADDRSTRLEN> unscoped{};
  std::uint32_t scope_id = 0;
  if (nodename != nullptr && split_zone(nodename, unscoped, scope_id)) {
    resolution = resolve(unscoped.data(), family, true);
    if (resolution.count == 0) return EAI_NONAME;  // "fe80::1%1" with AF_INET
  } else if (nodename != nullptr) {
    resolution = resolve(nodename, family, (flags & AI_NUMERICHOST) != 0);
    // AI_V4MAPPED: IPv4 results as ::ffff:a.b.c.d when AF_INET6 found none.
    if (family == AddressFamily::V6 && resolution.count == 0 && (flags & AI_V4MAPPED) != 0) {
      Resolution v4 = resolve(nodename, AddressFamily::V4, (flags & AI_NUMERICHOST) != 0);
      for (std::size_t i = 0; i < v4.count; ++i) {
        lwnet::Ipv6Address mapped;
        mapped.octets[10] = 0xff;
        mapped.octets[11] = 0xff;
        v4.addresses[i].v4().write(std::span<std::uint8_t>(mapped.octets).subspan(12));
        v4.addresses[i] = mapped;
      }
      resolution = v4;
    }
    if (resolution.count == 0) {
      return eai_of(resolution.outcome == DnsOutcome::Found ? DnsOutcome::NotFound : resolution.outcome);
    }
  } else {
    // No name: the wildcard to bind to (AI_PASSIVE) or the loopback, of
    // each family asked for, in glibc's order on a host whose loopback is
    // up: IPv4's wildcard first, IPv6's loopback first.
    const bool passive = (flags & AI_PASSIVE) != 0;
    const IpAddress v4 = passive ? lwnet::Ipv4Address::any() : lwnet::Ipv4Address::loopback();
    const IpAddress v6 = passive ? lwnet::Ipv6Address{} : lwnet::Ipv6Address::loopback();
    const bool with_v4 = family != AddressFamily::V6;
    const bool with_v6 = lwnet::config::ipv6 && family != AddressFamily::V4;
    if (with_v4 && (passive || !with_v6)) resolution.addresses[resolution.count++] = v4;
    if (with_v6) resolution.addresses[resolution.count++] = v6;
    if (with_v4 && !passive && with_v6) resolution.addresses[resolution.count++] = v4;
  }

  addrinfo* first = nullptr;
  addrinfo** link = &first;
  for (std::size_t i = 0; i < resolution.count; ++i) {
    for (std::size_t k = 0; k < kinds.count; ++k) {
      const SocketKind kind = kinds.kinds[k];
      addrinfo* info = make_addrinfo(resolution.addresses[i], port, kind.socktype, kind.protocol,
                                     first == nullptr ? nodename : nullptr);
      if (info == nullptr) {
        lwip_freeaddrinfo(first);
        return EAI_MEMORY;
      }
      if (scope_id != 0 && info->ai_family == AF_INET6) {
        reinterpret_cast<sockaddr_in6*>(info->ai_addr)->sin6_scope_id = scope_id;
      }
      *link = info;
      link = &info->ai_next;
    }
  }
  *res = first;
  return 0;
}

void lwip_freeaddrinfo(addrinfo* ai) {
  while (ai != nullptr) {
    addrinfo* next = ai->ai_next;
    std::free(ai);  // the addrinfo is the start of its AddrinfoBlock
    ai = next;
  }
}

hostent* lwip_gethostbyname(const char* name) {
  if (name == nullptr) {
    h_errno = HOST_NOT_FOUND;
    return nullptr;
  }
  const Resolution resolution = resolve(name, AddressFamily::V4, false);
  thread_local hostent host;
  thread_local HostentStorage storage;
  thread_local std::string host_name;
  host_name = name;
  if (!fill_hostent(&host, &storage, host_name.data(), resolution)) {
    h_errno = h_errno_of(resolution.outcome == DnsOutcome::Found ? DnsOutcome::NotFound : resolution.outcome);
    return nullptr;
  }
  return &host;
}

int lwip_gethostbyname_r(const char* name, hostent* ret, char* buf, std::size_t buflen, hostent** result,
                         int* h_errnop) {
  int ignored = 0;
  if (h_errnop == nullptr) h_errnop = &ignored;
  if (name == nullptr || ret == nullptr || buf == nullptr || result == nullptr) {
    *h_errnop = EINVAL;
    return -1;
  }
  *result = nullptr;
  // HostentStorage at the first suitably aligned byte of buf, the name after it.
  const auto start = reinterpret_cast<std::uintptr_t>(buf);
  const std::size_t padding = (alignof(HostentStorage) - start % alignof(HostentStorage)) % alignof(HostentStorage);
  const std::size_t name_size = std::strlen(name) + 1;
  if (buflen < padding + sizeof(HostentStorage) + name_size) {
    *h_errnop = ERANGE;
    return -1;
  }
  const Resolution resolution = resolve(name, AddressFamily::V4, false);
  auto* storage = new (buf + padding) HostentStorage{};
  char* name_copy = buf + padding + sizeof(HostentStorage);
  std::memcpy(name_copy, name, name_size);
  if (!fill_hostent(ret, storage, name_copy, resolution)) {
    *h_errnop = h_errno_of(resolution.outcome == DnsOutcome::Found ? DnsOutcome::NotFound : resolution.outcome);
    return -1;
  }
  *result = ret;
  return 0;
}

int lwip_getnameinfo(const sockaddr* sa, socklen_t salen, char* host, socklen_t hostlen, char* serv,
                     socklen_t servlen, int flags) {
  if (sa == nullptr) return EAI_FAIL;
  IpAddress address;
  std::uint16_t port = 0;
  if (sa->sa_family == AF_INET && salen >= sizeof(sockaddr_in)) {
    sockaddr_in v4;
    std::memcpy(&v4, sa, sizeof v4);
    address = lwnet::Ipv4Address{ntohl(v4.sin_addr.s_addr)};
    port = ntohs(v4.sin_port);
  } else if (sa->sa_family == AF_INET6 && salen >= sizeof(sockaddr_in6)) {
    sockaddr_in6 v6;
    std::memcpy(&v6, sa, sizeof v6);
    lwnet::Ipv6Address a;
    std::memcpy(a.octets.data(), &v6.sin6_addr, 16);
    address = a;
    port = ntohs(v6.sin6_port);
  } else {
    return EAI_FAMILY;
  }
  if (host == nullptr && serv == nullptr) return EAI_NONAME;
  if (host != nullptr && hostlen > 0) {
    // Numeric forms only: there is no reverse (PTR) lookup.
    if ((flags & NI_NAMEREQD) != 0) return EAI_NONAME;
    std::array<char, 48> text{};
    const std::string_view written = lwnet::format_ip_address(address, text);
    if (written.size() + 1 > hostlen) return EAI_OVERFLOW;
    std::memcpy(host, written.data(), written.size());
    host[written.size()] = '\0';
  }
  if (serv != nullptr && servlen > 0) {
    const std::string digits = std::to_string(port);
    if (digits.size() + 1 > servlen) return EAI_OVERFLOW;
    std::memcpy(serv, digits.c_str(), digits.size() + 1);
  }
  return 0;
}

}  // extern "C"
