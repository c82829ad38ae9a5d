// IPv4 link-local addresses (RFC 3927): pick 169.254.1.0 - 169.254.254.255
// at random, probe it with ARP, claim it, announce it, defend it. The DHCP
// client drives it (after CONFIG_LWIP_AUTOIP_TRIES DISCOVERs went
// unanswered) and applies the address it claims; it stops once a lease
// comes. Core thread only.
#pragma once

#include <cstdint>

#include "core/stack.h"

namespace lwnet {

class AutoIp {
 public:
  enum class State : std::uint8_t { Off, Waiting, Probing, Announcing, Bound };
  enum class Outcome : std::uint8_t {
    None,
    Claimed,  // address() passed its probes: the caller sets it on the netif
    Lost,     // a second conflict within the defend interval: the caller removes it
  };

  // RFC 3927 section 9 constants (lwnet keeps them; the guide's options
  // set the conflict limit and the rate-limit interval).
  static constexpr Duration probe_wait = Duration::seconds(1);
  static constexpr std::uint32_t probe_num = 3;
  static constexpr Duration probe_min = Duration::seconds(1);
  static constexpr Duration probe_max = Duration::seconds(2);
  static constexpr Duration announce_wait = Duration::seconds(2);
  static constexpr std::uint32_t announce_num = 2;
  static constexpr Duration announce_interval = Duration::seconds(2);
  static constexpr Duration defend_interval = Duration::seconds(10);

  // Starts probing a new random address (a no-op when running).
  void start(Stack& stack, NetifId netif, Instant now);
  void stop() { state_ = State::Off; }
  Outcome poll(Stack& stack, NetifId netif, Instant now);
  Instant next_deadline() const { return state_ == State::Off || state_ == State::Bound ? Instant::max() : due_; }

  State state() const { return state_; }
  bool running() const { return state_ != State::Off; }
  Ipv4Address address() const { return address_; }
  std::uint32_t conflicts() const { return conflicts_; }

 private:
  void pick(Stack& stack, Instant now, Duration wait);
  Duration random_between(Stack& stack, Duration low, Duration high);

  State state_ = State::Off;
  Ipv4Address address_;
  Instant due_ = Instant::max();
  std::uint32_t sent_ = 0;       // probes or announcements sent
  std::uint32_t conflicts_ = 0;
  std::uint32_t arp_conflicts_seen_ = 0;  // the netif's ARP conflicts when bound
  Instant last_defense_ = Instant::max();
};

}  // namespace lwnet
