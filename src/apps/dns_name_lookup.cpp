#include "apps/dns_name_lookup.h"

#include <algorithm>

namespace lwnet {

DnsNameLookup::~DnsNameLookup() {
  if (phase_ == Phase::Asking) resolver_.cancel(stack_, this, Instant{});
}

bool DnsNameLookup::same_name(std::string_view name) const {
  return name == std::string_view{name_.data(), name_length_};
}

Result<IpAddress> DnsNameLookup::resolve(std::string_view name, Instant now) {
  if (phase_ != Phase::Idle && same_name(name)) {
    if (phase_ == Phase::Asking) return Error::WouldBlock;
    return conclude(answer_, now);
  }
  if (phase_ == Phase::Asking) resolver_.cancel(stack_, this, now);
  phase_ = Phase::Idle;
  if (name.empty() || name.size() > name_.size()) return Error::InvalidArgument;
  std::copy(name.begin(), name.end(), name_.begin());
  name_length_ = name.size();
  // An IPv6-only build asks AAAA alone (lwIP's LWIP_DNS_ADDRTYPE_IPV6).
  return start(config::ipv4 ? DnsRecordType::A : DnsRecordType::AAAA, now);
}

Result<IpAddress> DnsNameLookup::start(DnsRecordType type, Instant now) {
  asked_ = type;
  phase_ = Phase::Asking;
  Result<DnsResult> r = resolver_.lookup(stack_, {name_.data(), name_length_}, type, answered, this, now);
  if (r.ok()) return conclude(r.value(), now);
  if (r.error() == Error::InProgress) return Error::WouldBlock;
  phase_ = Phase::Idle;
  return r.error();
}

// A found nothing: AAAA is asked before giving up, as lwIP's default
// LWIP_DNS_ADDRTYPE_IPV4_IPV6 does (not without IPv6, as lwIP's
// LWIP_DNS_ADDRTYPE_IPV4).
Result<IpAddress> DnsNameLookup::conclude(const DnsResult& result, Instant now) {
  if (result.outcome == DnsOutcome::Found && result.count > 0) {
    phase_ = Phase::Idle;
    return result.addresses[0];
  }
  if (config::ipv6 && asked_ == DnsRecordType::A && result.outcome == DnsOutcome::NotFound) {
    return start(DnsRecordType::AAAA, now);
  }
  phase_ = Phase::Idle;
  switch (result.outcome) {
    case DnsOutcome::TimedOut: return Error::TimedOut;
    case DnsOutcome::NoServers: return Error::NoRoute;
    case DnsOutcome::ServerFailure: return Error::ConnectionRefused;
    case DnsOutcome::Found:
    case DnsOutcome::NotFound: break;
  }
  return Error::AddressNotAvailable;
}

// From the resolver's poll: kept for the app's next ask, which has the
// time a follow-up AAAA query needs.
void DnsNameLookup::answered(void* self, const DnsResult& result) {
  auto& lookup = *static_cast<DnsNameLookup*>(self);
  lookup.answer_ = result;
  lookup.phase_ = Phase::Answered;
}

}  // namespace lwnet
