// What ICMP errors do to a TCP connect, checked the same way for ICMP
// (raw_icmp_test) and ICMPv6 (path_mtu_test): A connects to a scripted
// peer, and the test forges the errors about A's SYN.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "support/hosts.h"

namespace lwnet::test {

struct IcmpErrorScript {
  HostAndPeer& net;
  IpAddress peer;              // A connects to its port 80
  std::size_t ip_header_len;   // of A's packets: the TCP header follows
  // A's IP packets (no link header) since the last call.
  std::function<std::vector<ByteVector>()> sent;
  // Injects the family's port unreachable about `packet`.
  std::function<void(const ByteVector& packet)> port_unreachable;
  IpAddress local;  // A's address, where the peer's segments go
  // Injects a TCP segment (header and checksum done) from the peer to A in
  // the family's IP header.
  std::function<void(const ByteVector& segment)> inject_tcp;
};

// A hard error (`inject` forges it about a packet) quoting a sequence
// number that is not the SYN's is ignored (RFC 5927); one quoting the SYN
// ends the connect at once with `error`.
void expect_hard_error_ends_syn_sent(const IcmpErrorScript& script,
                                     const std::function<void(const ByteVector& packet)>& inject, Error error);
// The same for the family's port unreachable: the connect is refused.
inline void expect_port_unreachable_refuses_syn_sent(const IcmpErrorScript& script) {
  expect_hard_error_ends_syn_sent(script, script.port_unreachable, Error::ConnectionRefused);
}

// A listens on local port 80 (backlog 1) and the peer's SYN makes a
// half-open connection: a hard error (`inject` forges it about A's
// SYN-ACK) quoting another sequence number changes nothing; one quoting
// the SYN-ACK's ISN drops the connection (tcp_table.half_open_icmp_aborted)
// and nothing more is sent, and the listener takes the peer's next SYN as
// before (its place in the backlog and its slot are free).
void expect_hard_error_drops_syn_received(const IcmpErrorScript& script,
                                          const std::function<void(const ByteVector& packet)>& inject);
inline void expect_port_unreachable_drops_syn_received(const IcmpErrorScript& script) {
  expect_hard_error_drops_syn_received(script, script.port_unreachable);
}

// Starts a connect that gives up after two retransmissions of its SYN;
// `syn` gets the SYN (the only packet sent).
TcpHandle connect_for_soft_errors(const IcmpErrorScript& script, ByteVector& syn);
// Lets that connect time out: it ends with `soft_error`, not TimedOut.
void expect_connect_ends_with_soft_error(const IcmpErrorScript& script, TcpHandle c, Error soft_error);

}  // namespace lwnet::test
