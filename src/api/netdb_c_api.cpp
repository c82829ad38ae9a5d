// The resolver calls of <lwip/netdb.h>. No DNS yet: numeric IPv4 addresses
// and "localhost" only (see the header).
#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#define LWIP_COMPAT_SOCKETS 0
#include "lwip/netdb.h"

namespace {

// `name` as an IPv4 address in network order.
bool resolve(const char* name, bool numeric_only, std::uint32_t* network_order) {
  ip4_addr_t address;
  if (ip4addr_aton(name, &address) != 0) {
    *network_order = address.addr;
    return true;
  }
  if (!numeric_only && std::strcmp(name, "localhost") == 0) {
    *network_order = htonl(INADDR_LOOPBACK);
    return true;
  }
  return false;
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

// One getaddrinfo result in one allocation: the addrinfo, its address and
// the canonical name after them.
struct AddrinfoBlock {
  addrinfo info;
  sockaddr_in address;
};

// gethostbyname_r's part of the caller's buffer (the name follows it).
struct HostentStorage {
  in_addr address;
  char* address_list[2];
  char* aliases[1];
};

void fill_hostent(hostent* host, HostentStorage* storage, char* name, std::uint32_t network_order) {
  storage->address.s_addr = network_order;
  storage->address_list[0] = reinterpret_cast<char*>(&storage->address);
  storage->address_list[1] = nullptr;
  storage->aliases[0] = nullptr;
  host->h_name = name;
  host->h_aliases = storage->aliases;
  host->h_addrtype = AF_INET;
  host->h_length = sizeof(in_addr);
  host->h_addr_list = storage->address_list;
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
  if (hints != nullptr) {
    if (hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET) return EAI_FAMILY;  // IPv4 only
    flags = hints->ai_flags;
    socktype = hints->ai_socktype;
    protocol = hints->ai_protocol;
  }
  std::uint16_t port = 0;
  if (servname != nullptr && !parse_port(servname, &port)) return EAI_SERVICE;
  std::uint32_t address = 0;
  if (nodename != nullptr) {
    if (!resolve(nodename, (flags & AI_NUMERICHOST) != 0, &address)) return EAI_NONAME;
  } else {
    address = htonl((flags & AI_PASSIVE) != 0 ? INADDR_ANY : INADDR_LOOPBACK);
  }

  const std::size_t name_size = nodename != nullptr ? std::strlen(nodename) + 1 : 0;
  void* memory = std::calloc(1, sizeof(AddrinfoBlock) + name_size);
  if (memory == nullptr) return EAI_MEMORY;
  auto* block = new (memory) AddrinfoBlock{};
  block->address.sin_family = AF_INET;
  block->address.sin_port = htons(port);
  block->address.sin_addr.s_addr = address;
  block->info.ai_family = AF_INET;
  block->info.ai_socktype = socktype;
  block->info.ai_protocol = protocol;
  block->info.ai_addrlen = sizeof(sockaddr_in);
  block->info.ai_addr = reinterpret_cast<sockaddr*>(&block->address);
  if (nodename != nullptr) {
    char* name = static_cast<char*>(memory) + sizeof(AddrinfoBlock);
    std::memcpy(name, nodename, name_size);
    block->info.ai_canonname = name;
  }
  *res = &block->info;
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
  std::uint32_t address = 0;
  if (name == nullptr || !resolve(name, false, &address)) {
    h_errno = HOST_NOT_FOUND;
    return nullptr;
  }
  thread_local hostent host;
  thread_local HostentStorage storage;
  thread_local std::string host_name;
  host_name = name;
  fill_hostent(&host, &storage, host_name.data(), address);
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
  std::uint32_t address = 0;
  if (!resolve(name, false, &address)) {
    *h_errnop = HOST_NOT_FOUND;
    return -1;
  }
  auto* storage = new (buf + padding) HostentStorage{};
  char* name_copy = buf + padding + sizeof(HostentStorage);
  std::memcpy(name_copy, name, name_size);
  fill_hostent(ret, storage, name_copy, address);
  *result = ret;
  return 0;
}

}  // extern "C"
