#include "apps/autoip.h"

#include "config/options.h"

namespace lwnet {

namespace {
// RFC 3927 2.1: the first and last 256 addresses of 169.254/16 are reserved.
constexpr std::uint32_t first_address = 0xa9fe0100;
constexpr std::uint32_t address_count = 0xfd00;  // 169.254.1.0 .. 169.254.254.255
}  // namespace

Duration AutoIp::random_between(Stack& stack, Duration low, Duration high) {
  const auto span = static_cast<std::uint32_t>((high - low).total_micros());
  return low + Duration::micros(span == 0 ? 0 : stack.random_u32() % span);
}

void AutoIp::pick(Stack& stack, Instant now, Duration wait) {
  address_ = Ipv4Address{first_address + stack.random_u32() % address_count};
  state_ = State::Waiting;
  sent_ = 0;
  due_ = now + wait;
}

void AutoIp::start(Stack& stack, NetifId netif, Instant now) {
  (void)netif;
  if (!config::ipv4 || running()) return;  // IPv4 link-local needs IPv4
  conflicts_ = 0;
  pick(stack, now, random_between(stack, Duration::zero(), probe_wait));
}

AutoIp::Outcome AutoIp::poll(Stack& stack, NetifId netif, Instant now) {
  switch (state_) {
    case State::Off:
      return Outcome::None;
    case State::Waiting:
    case State::Probing: {
      if (state_ == State::Probing && stack.arp_conflict(netif, address_)) {
        // RFC 3927 2.2.1: someone has it; after too many conflicts slow down.
        ++conflicts_;
        const Duration wait = conflicts_ >= config::autoip_max_conflicts
                                  ? Duration::seconds(config::autoip_rate_limit_secs)
                                  : random_between(stack, Duration::zero(), probe_wait);
        pick(stack, now, wait);
        return Outcome::None;
      }
      if (now < due_) return Outcome::None;
      if (sent_ < probe_num) {
        (void)stack.arp_probe(netif, address_, now);
        ++sent_;
        state_ = State::Probing;
        due_ = now + (sent_ < probe_num ? random_between(stack, probe_min, probe_max) : announce_wait);
        return Outcome::None;
      }
      state_ = State::Announcing;
      sent_ = 1;  // setting the address on the netif sends the first announcement
      due_ = now + announce_interval;
      arp_conflicts_seen_ = stack.arp_conflicts(netif);
      last_defense_ = Instant::max();
      return Outcome::Claimed;
    }
    case State::Announcing:
    case State::Bound: {
      const std::uint32_t seen = stack.arp_conflicts(netif);
      if (seen != arp_conflicts_seen_ && stack.arp_conflict(netif, address_)) {
        arp_conflicts_seen_ = seen;
        // RFC 3927 2.5 (b): defend once; a second conflict within
        // DEFEND_INTERVAL gives the address up.
        if (last_defense_ != Instant::max() && now - last_defense_ < defend_interval) {
          ++conflicts_;
          pick(stack, now, conflicts_ >= config::autoip_max_conflicts
                               ? Duration::seconds(config::autoip_rate_limit_secs)
                               : Duration::zero());
          return Outcome::Lost;
        }
        last_defense_ = now;
        (void)stack.arp_announce(netif, now);
      }
      if (state_ == State::Announcing && now >= due_) {
        (void)stack.arp_announce(netif, now);
        if (++sent_ >= announce_num) {
          state_ = State::Bound;
        } else {
          due_ = now + announce_interval;
        }
      }
      return Outcome::None;
    }
  }
  return Outcome::None;
}

}  // namespace lwnet
