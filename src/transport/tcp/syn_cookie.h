// SYN cookies (RFC 4987 section 3.6): when a listener has no room left for
// half-open connections, its SYN-ACK carries all the state the handshake
// needs in its initial sequence number, and nothing is stored. The peer's
// final ACK returns the cookie (acknowledgment - 1); a valid one recreates
// the connection directly in ESTABLISHED.
//
// Layout of the 32-bit cookie (our ISN), low bits first:
//   bits 0-1   index into syn_cookie_mss_table: the peer's MSS, rounded down
//   bits 2-5   the peer's window shift 0..14, or 15 when it offered no scaling
//   bit  6     the peer permitted SACK
//   bits 7-31  25 bits of SipHash-2-4 (the table's secret, as the RFC 6528
//              ISN) over both endpoints, the peer's ISN, the time slot the
//              cookie was made in and bits 0-6
// The options ride in the sequence number, not (as Linux does when the peer
// speaks timestamps) in the low bits of our TSval: that way a peer without
// timestamps keeps window scaling and SACK too, and the TSval stays a plain
// clock. It costs some hash bits: a blind guess is right with probability
// 2 x 2^-25 (two time slots are accepted), and it must also match a 4-tuple
// a listener serves.
// Timestamps themselves need no bit: RFC 7323 makes a peer that negotiated
// them send them in every segment, so the final ACK shows whether it did.
// The peer's SYN window is lost (its ACK carries the window that counts).
//
// Time: 64-second slots. A cookie made in slot n is taken in slots n and
// n + 1, so it lives between 64 and 128 seconds: longer than any SYN-ACK
// round trip, short enough that a captured cookie soon goes stale.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "time/instant.h"
#include "util/seq32.h"
#include "util/siphash.h"
#include "wire/address.h"
#include "wire/tcp.h"

namespace lwnet {

// The common MSS values (RFC 9293's default, IPv6 over its minimum MTU with
// options, Ethernet less tunnel headers, Ethernet): each round-trips exactly.
inline constexpr std::array<std::uint16_t, 4> syn_cookie_mss_table{536, 1220, 1440, 1460};
inline constexpr Duration syn_cookie_slot_length = Duration::seconds(64);

// What a cookie keeps of a SYN's options.
struct SynCookieOptions {
  std::uint16_t peer_mss = 536;               // one of syn_cookie_mss_table
  std::optional<std::uint8_t> window_scale;   // the peer's shift, if it offered scaling
  bool sack_permitted = false;
  bool operator==(const SynCookieOptions&) const = default;
};

// The options of `syn` as a cookie can carry them (MSS rounded down to the
// table, a shift over 14 taken as 14 as RFC 7323 2.3 says). Any thread.
SynCookieOptions syn_cookie_options(const TcpRepr& syn);

// The cookie for a SYN from `remote` (its ISN `peer_isn`) to `local`, made
// at `now`. Any thread.
std::uint32_t make_syn_cookie(const SipKey& secret, const IpEndpoint& local, const IpEndpoint& remote,
                              Seq32 peer_isn, const SynCookieOptions& options, Instant now);

// The options in `cookie` if it is one we made for this 4-tuple and peer
// ISN within the last one or two slots; nullopt otherwise. Any thread.
std::optional<SynCookieOptions> check_syn_cookie(const SipKey& secret, const IpEndpoint& local,
                                                 const IpEndpoint& remote, Seq32 peer_isn,
                                                 std::uint32_t cookie, Instant now);

}  // namespace lwnet
