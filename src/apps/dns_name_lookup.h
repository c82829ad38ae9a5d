// The DNS resolver behind a plain "resolve this name" seam, for apps that
// take one (SntpClient::set_resolver): they ask again at each poll until
// the answer is in, and never learn about DnsResolver.
//
// One name is looked up at a time (SNTP resolves its servers one by one);
// asking for another name forgets the first.
//
// Core thread only.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "apps/dns_resolver.h"
#include "core/stack.h"
#include "util/result.h"
#include "wire/address.h"

namespace lwnet {

class DnsNameLookup {
 public:
  // Both must outlive this object, and the resolver must be attached to
  // `stack` (or be polled by its owner).
  DnsNameLookup(DnsResolver& resolver, Stack& stack) : resolver_(resolver), stack_(stack) {}
  ~DnsNameLookup();
  DnsNameLookup(const DnsNameLookup&) = delete;
  DnsNameLookup& operator=(const DnsNameLookup&) = delete;

  // The name's first address (A first, as lwIP's default
  // LWIP_DNS_ADDRTYPE_IPV4_IPV6 does; AAAA when it has none);
  // WouldBlock while the answer is pending; once it failed:
  // AddressNotAvailable (no such name or no address), TimedOut, NoRoute (no
  // DNS server set), ConnectionRefused (the servers answered with errors),
  // InvalidArgument (not a domain name) or the resolver's table errors.
  Result<IpAddress> resolve(std::string_view name, Instant now);

  // For SntpClient::set_resolver(DnsNameLookup::seam, &lookup).
  static Result<IpAddress> seam(void* self, std::string_view name, Instant now) {
    return static_cast<DnsNameLookup*>(self)->resolve(name, now);
  }

 private:
  enum class Phase : std::uint8_t { Idle, Asking, Answered };
  static void answered(void* self, const DnsResult& result);
  Result<IpAddress> start(DnsRecordType type, Instant now);
  Result<IpAddress> conclude(const DnsResult& result, Instant now);
  bool same_name(std::string_view name) const;

  DnsResolver& resolver_;
  Stack& stack_;
  std::array<char, 256> name_{};
  std::size_t name_length_ = 0;
  Phase phase_ = Phase::Idle;
  DnsRecordType asked_ = DnsRecordType::A;
  DnsResult answer_{};
};

}  // namespace lwnet
