#!/usr/bin/env bash
# The udp_multicast example's IPv6 mode (examples/udp_multicast.c -6)
# against Linux on the TAP lw0 of the test's namespace (lwnet 2001:db8::2/64
# and 192.0.2.2/24, Linux 2001:db8::1/64), group ff0e::db8:1, tshark
# capturing on Linux's side:
#   - receive mode joins the group on the TAP's interface index
#     (IPV6_JOIN_GROUP): Linux (python3) sends to the group and the example
#     prints three datagrams from Linux's address, then leaves
#     (IPV6_LEAVE_GROUP) and exits 0; the capture holds lwnet's MLDv2
#     report for the group (CHANGE_TO_EXCLUDE) and its leave
#     (CHANGE_TO_INCLUDE), both from its link-local address to ff02::16 with
#     hop limit 1 and a Router Alert
#   - send mode: a python3 receiver that joined the group on Linux's side
#     gets the example's three datagrams from 2001:db8::2, sent with
#     IPV6_MULTICAST_IF, hop limit 5 on the wire (IPV6_MULTICAST_HOPS) and
#     to the group's MAC 33:33:0d:b8:00:01
#   - every frame lwnet sent is well formed (tshark, checksums included)
# Its argument is the directory of the example binaries.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init example_multicast6 "$@"
lwit_require /usr/bin/python3 tshark
EXAMPLE=$LWNET/udp_multicast
[ -x "$EXAMPLE" ] || lwit_fail "$EXAMPLE is missing"
GROUP=ff0e::db8:1
# Linux's sender and receiver (shared with example_multicast.sh).
PEER="$(cd "$(dirname "$0")" && pwd)/multicast_peer.py"
LINUX_IP6=2001:db8::1
LWNET_IP6=2001:db8::2
# lwnet_tap_up()'s MAC for the first TAP (lib.sh checks the frames from it),
# and the link-local address made from it.
LWIT_MAC=02:00:00:00:00:02
LWNET_LINK_LOCAL=fe80::ff:fe00:2

lwit_make_namespace
# Linux's own DAD would hold its address back for a second: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

# ---- wrong arguments ------------------------------------------------------------
status=0
"$EXAMPLE" -6 "$LWNET_IP6/64" lw0 192.0.2.2/24 239.255.0.1 3350 receive 1 >/dev/null 2>"$LWIT_DIR/group.err" ||
  status=$?
lwit_expect_equal "udp_multicast -6 with an IPv4 group exits" 2 "$status"
lwit_expect "udp_multicast -6 says why" grep -q "is not an IPv6 multicast group" "$LWIT_DIR/group.err"
status=0
"$EXAMPLE" >/dev/null 2>"$LWIT_DIR/usage.err" || status=$?
lwit_expect_equal "udp_multicast without arguments exits" 2 "$status"
lwit_expect "udp_multicast prints its usage with -6" \
  grep -q "^usage: .*udp_multicast \[-6 CIDR6\] TAP CIDR GROUP PORT" "$LWIT_DIR/usage.err"

# ---- capture on Linux's side of the TAP ------------------------------------------------
CAPTURE=$LWIT_DIR/linux.pcap
lwit_spawn tshark -n -q -i "$LWIT_TAP" -w "$CAPTURE" 2>"$LWIT_DIR/tshark_capture.err"
tshark_pid=$LWIT_SPAWNED
lwit_wait_until "tshark capturing on $LWIT_TAP" 10 test -s "$CAPTURE"

# ---- receive: Linux sends to the group -------------------------------------------------------
LWNET_OUT="$LWIT_DIR/receive.out"
LWNET_ERR="$LWIT_DIR/receive.err"
lwit_spawn "$EXAMPLE" -6 "$LWNET_IP6/64" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$GROUP" 3350 receive 3 \
  >"$LWNET_OUT" 2>"$LWNET_ERR"
receiver_pid=$LWIT_SPAWNED
# The first TAP is netif 1 (the loopback netif is 0): interface index 2.
lwit_wait_until "udp_multicast -6 receive to join" 15 \
  grep -q "^listening on \[::\]:3350 group $GROUP interface 2$" "$LWNET_OUT"
# The sender keeps going (100 ms apart) until killed: the example takes the
# first three, whichever they are.
lwit_spawn /usr/bin/python3 "$PEER" send "$GROUP" 3350 "$LWIT_TAP" "$LINUX_IP6" >/dev/null 2>"$LWIT_DIR/sender.err"
sender_pid=$LWIT_SPAWNED
lwit_wait_until "udp_multicast -6 receive to take three datagrams and exit" 20 lwit_gone "$receiver_pid"
status=0
wait "$receiver_pid" || status=$?
lwit_check_sanitizer udp_multicast "$status"
lwit_expect_equal "udp_multicast -6 receive exit status" 0 "$status"
kill "$sender_pid" 2>/dev/null || true
wait "$sender_pid" 2>/dev/null || true
lwit_expect_equal "udp_multicast -6 receive printed three datagrams from Linux" 3 \
  "$(grep -c "^[0-9]* bytes from $LINUX_IP6:40100: linux multicast [0-9]*$" "$LWNET_OUT")"
lwit_expect "udp_multicast -6 receive left the group" grep -qx "left group $GROUP" "$LWNET_OUT"

# ---- send: Linux receives from the group -----------------------------------------------------
lwit_spawn /usr/bin/python3 "$PEER" receive "$GROUP" 3351 "$LWIT_TAP" "$LINUX_IP6" >"$LWIT_DIR/linux_receiver.out" 2>"$LWIT_DIR/linux_receiver.err"
linux_receiver_pid=$LWIT_SPAWNED
lwit_wait_until "the Linux receiver to join" 10 grep -qx joined "$LWIT_DIR/linux_receiver.out"
LWNET_OUT="$LWIT_DIR/send.out"
LWNET_ERR="$LWIT_DIR/send.err"
status=0
lwit_ns timeout 30 "$EXAMPLE" -6 "$LWNET_IP6/64" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$GROUP" 3351 send 3 \
  >"$LWNET_OUT" 2>"$LWNET_ERR" || status=$?
lwit_check_sanitizer udp_multicast "$status"
lwit_expect_equal "udp_multicast -6 send exit status" 0 "$status"
lwit_expect "udp_multicast -6 send named its interface" grep -qx "sending to \[$GROUP\]:3351 on interface 2" "$LWNET_OUT"
status=0
wait "$linux_receiver_pid" || status=$?
lwit_expect_equal "the Linux receiver exit status" 0 "$status"
# RFC 6724: a global group gets the global source address.
lwit_expect_equal "Linux received the three datagrams from $LWNET_IP6, in order" "joined
$LWNET_IP6 lwnet multicast 1
$LWNET_IP6 lwnet multicast 2
$LWNET_IP6 lwnet multicast 3" "$(sed -E 's/^([^ ]+) [0-9]+ /\1 /' "$LWIT_DIR/linux_receiver.out")"

# ---- the capture -------------------------------------------------------------------------------
kill -INT "$tshark_pid"
wait "$tshark_pid" 2>/dev/null || true
LWIT_CAPTURES+=("$CAPTURE")
# MLDv2 reports (RFC 3810 5.2): from the link-local address to all MLDv2
# routers, hop limit 1, Router Alert (hop-by-hop option 5), one record.
mld_report="eth.src == $LWIT_MAC && ipv6.src == $LWNET_LINK_LOCAL && ipv6.dst == ff02::16 && ipv6.hlim == 1 \
&& ipv6.opt.type == 5 && icmpv6.type == 143 && icmpv6.mldr.nb_mcast_records == 1 \
&& icmpv6.mldr.mar.multicast_address == $GROUP && icmpv6.mldr.mar.nb_sources == 0"
# Receive mode joins once: two reports 1 s apart (RFC 3810 robustness 2),
# unless the example left before the second (the leave cancels it).
joins=$(lwit_count_frames "$CAPTURE" "$mld_report && icmpv6.mldr.mar.record_type == 4")
lwit_expect "MLDv2 CHANGE_TO_EXCLUDE reports for $GROUP: one or two ($joins)" \
  test "$joins" -ge 1 -a "$joins" -le 2
lwit_expect_equal "MLDv2 CHANGE_TO_INCLUDE report (the leave) for $GROUP: receive mode's only" 1 \
  "$(lwit_count_frames "$CAPTURE" "$mld_report && icmpv6.mldr.mar.record_type == 3")"
lwit_expect_equal "lwnet's multicast datagrams (hop limit 5, from $LWNET_IP6, to the group's MAC)" 3 \
  "$(lwit_count_frames "$CAPTURE" "eth.src == $LWIT_MAC && udp.dstport == 3351 && ipv6.dst == $GROUP && ipv6.src == $LWNET_IP6 && ipv6.hlim == 5 && eth.dst == 33:33:0d:b8:00:01")"
lwit_check_capture
lwit_pass
