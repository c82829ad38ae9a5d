#include "api/name_resolver.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "api/tcpip_c.h"

namespace lwnet::api {

namespace {

// The longest a lookup can take on the resolver's own schedule: every
// server's UDP tries and a TCP query each. Waiting stops a little after it,
// in case the TCP/IP thread was held up.
std::chrono::milliseconds longest_lookup() {
  std::int64_t units = 0;
  for (std::uint32_t i = 0; i < config::dns_max_retries; ++i) units += i == 0 ? 1 : i;
  const std::int64_t per_server = 2 * units * config::dns_tmr_interval_ms;
  return std::chrono::milliseconds(per_server * static_cast<std::int64_t>(config::dns_max_servers) + 2000);
}

// How often a lookup that found the resolver's table full asks again.
constexpr std::chrono::milliseconds table_full_recheck{10};

// One lookup's answer, filled by the resolver's callback on the TCP/IP thread.
struct Waiter;
struct Slot {
  Waiter* waiter = nullptr;
  DnsResult result;
  bool pending = false;
};
struct Waiter {
  std::mutex mutex;
  std::condition_variable answered;
  std::array<Slot, 2> slots;
};

void on_answer(void* context, const DnsResult& result) {
  auto* slot = static_cast<Slot*>(context);
  const std::lock_guard lock(slot->waiter->mutex);
  slot->result = result;
  slot->pending = false;
  slot->waiter->answered.notify_all();
}

DnsResult failed(DnsOutcome outcome) {
  DnsResult result;
  result.outcome = outcome;
  return result;
}

// Errors of lookup() as outcomes: a name that is not a name is not found;
// a full table is a failure to try again.
DnsOutcome outcome_of(Error error) {
  return error == Error::InvalidArgument ? DnsOutcome::NotFound : DnsOutcome::TimedOut;
}

// The default instance is built and dropped in core context, which orders
// the threads that ask at once without a lock of its own: building waits
// for the TCP/IP thread, and a lock held across that wait would stop the
// TCP/IP thread for ever when a callback there asked for the resolver too.
// These are touched in core context only; resolver_pointer is read
// anywhere.
std::unique_ptr<NameResolver> resolver_instance;
std::atomic<NameResolver*> resolver_pointer{nullptr};
bool resolver_close_registered = false;
// The servers of the default instance closed last, for the next one: lwIP's
// servers stay set until changed (its dns_init() leaves them alone), so a
// restart after lwnet_shutdown() must not forget them.
std::optional<std::array<IpAddress, config::dns_max_servers>> kept_servers;

}  // namespace

NameResolver::NameResolver(TcpipThread& thread) : thread_(thread) {
  const Status attached = thread_.call([this](Stack& stack, Instant) { return stack.attach_app(resolver_); });
  if (!attached.ok()) {
    std::fprintf(stderr, "lwnet: the DNS resolver cannot be attached: %s\n", to_string(attached.error()));
    std::abort();
  }
}

NameResolver::~NameResolver() {
  thread_.call([this](Stack& stack, Instant now) {
    resolver_.close(stack, now);
    stack.detach_app(resolver_);
  });
}

Resolution NameResolver::resolve(std::string_view name, AddressFamily family) {
  Waiter waiter;
  for (Slot& slot : waiter.slots) slot.waiter = &waiter;
  const bool want_v4 = family != AddressFamily::V6;
  // No AAAA question without IPv6 (AF_UNSPEC asks for A only, then).
  const bool want_v6 = config::ipv6 && family != AddressFamily::V4;
  const bool can_wait = !thread_.in_core_context();
  const auto give_up = std::chrono::steady_clock::now() + longest_lookup();
  SourceAddresses sources;
  std::array<bool, 2> asked{!want_v4, !want_v6};
  if (!want_v4) waiter.slots[0].result = failed(DnsOutcome::NotFound);
  if (!want_v6) waiter.slots[1].result = failed(DnsOutcome::NotFound);
  // A full table (queries or waiting lookups: other threads' lookups in
  // flight) is waited out, as the C library's resolver would, rather than
  // failed: the lookup is asked again as others finish.
  for (bool table_full = true; table_full;) {
    table_full = false;
    const bool last_try = std::chrono::steady_clock::now() >= give_up;
    thread_.call([&](Stack& stack, Instant now) {
      sources = source_addresses(stack);
      for (std::size_t i = 0; i < 2; ++i) {
        if (asked[i]) continue;
        Slot& slot = waiter.slots[i];
        const DnsRecordType type = i == 0 ? DnsRecordType::A : DnsRecordType::AAAA;
        Result<DnsResult> now_known = resolver_.lookup(stack, name, type, &on_answer, &slot, now);
        if (!now_known.ok() && now_known.error() == Error::TableFull && can_wait && !last_try) {
          table_full = true;
          continue;
        }
        asked[i] = true;
        if (now_known.ok()) {
          slot.result = *now_known;
        } else if (now_known.error() == Error::InProgress && can_wait) {
          const std::lock_guard lock(waiter.mutex);
          slot.pending = true;
        } else {
          if (now_known.error() == Error::InProgress) resolver_.cancel(stack, &slot, now);
          slot.result = failed(outcome_of(now_known.error()));
        }
      }
      return 0;
    });
    if (table_full) std::this_thread::sleep_for(table_full_recheck);
  }
  {
    std::unique_lock lock(waiter.mutex);
    const bool done = waiter.answered.wait_until(lock, give_up, [&] {
      return !waiter.slots[0].pending && !waiter.slots[1].pending;
    });
    if (!done) {
      lock.unlock();
      // Callbacks run in core context, so once this returns none is left to run.
      thread_.call([&](Stack& stack, Instant now) {
        for (Slot& slot : waiter.slots) resolver_.cancel(stack, &slot, now);
      });
      lock.lock();
      for (Slot& slot : waiter.slots) {
        if (slot.pending) {
          slot.pending = false;
          slot.result = failed(DnsOutcome::TimedOut);
        }
      }
    }
  }

  Resolution resolution;
  for (const Slot& slot : waiter.slots) {
    for (std::size_t i = 0; i < slot.result.count && slot.result.outcome == DnsOutcome::Found; ++i) {
      resolution.addresses[resolution.count++] = slot.result.addresses[i];
    }
  }
  order_destinations(std::span<IpAddress>(resolution.addresses.data(), resolution.count), sources);
  // The more useful of the two outcomes when neither found anything: a
  // timeout may pass, a missing name will not.
  const DnsOutcome a = want_v4 ? waiter.slots[0].result.outcome : waiter.slots[1].result.outcome;
  const DnsOutcome b = want_v6 ? waiter.slots[1].result.outcome : a;
  if (resolution.count > 0) {
    resolution.outcome = DnsOutcome::Found;
  } else if (a == DnsOutcome::TimedOut || b == DnsOutcome::TimedOut) {
    resolution.outcome = DnsOutcome::TimedOut;
  } else if (a == DnsOutcome::ServerFailure || b == DnsOutcome::ServerFailure) {
    resolution.outcome = DnsOutcome::ServerFailure;
  } else if (a == DnsOutcome::NoServers && b == DnsOutcome::NoServers) {
    resolution.outcome = DnsOutcome::NoServers;
  } else {
    resolution.outcome = DnsOutcome::NotFound;
  }
  return resolution;
}

Status NameResolver::set_server(std::size_t index, const IpAddress& server) {
  return thread_.call([&](Stack&, Instant) { return resolver_.set_server(index, server); });
}

IpAddress NameResolver::server(std::size_t index) {
  return thread_.call([&](Stack&, Instant) { return resolver_.server(index); });
}

void NameResolver::clear_cache() {
  thread_.call([&](Stack&, Instant) { resolver_.clear_cache(); });
}

DnsStats NameResolver::stats() {
  return thread_.call([&](Stack&, Instant) { return resolver_.stats(); });
}

NameResolver* default_name_resolver() {
  if (NameResolver* resolver = resolver_pointer.load(std::memory_order_acquire)) return resolver;
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return nullptr;
  // The NameResolver's own calls into core context run inline in here.
  return thread->call([thread](Stack&, Instant) {
    if (resolver_instance == nullptr) {
      // Gone before the TCP/IP thread's static is destroyed: a function
      // registered now, after both were constructed, runs before either's
      // destructor.
      if (!resolver_close_registered) {
        resolver_close_registered = std::atexit([] { close_default_name_resolver(); }) == 0;
      }
      resolver_instance = std::make_unique<NameResolver>(*thread);
      if (kept_servers) {
        for (std::size_t i = 0; i < kept_servers->size(); ++i) {
          (void)resolver_instance->set_server(i, (*kept_servers)[i]);
        }
      }
      resolver_pointer.store(resolver_instance.get(), std::memory_order_release);
    }
    return resolver_instance.get();
  });
}

void close_default_name_resolver() {
  // No thread: no instance was ever built.
  TcpipThread* thread = default_tcpip();
  if (thread == nullptr) return;
  thread->call([](Stack&, Instant) {
    resolver_pointer.store(nullptr, std::memory_order_release);
    if (resolver_instance != nullptr) {
      kept_servers.emplace();
      for (std::size_t i = 0; i < kept_servers->size(); ++i) {
        (*kept_servers)[i] = resolver_instance->server(i);
      }
    }
    resolver_instance.reset();
    return 0;
  });
}

}  // namespace lwnet::api
