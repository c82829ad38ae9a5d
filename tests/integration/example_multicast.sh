#!/usr/bin/env bash
# The udp_multicast example (examples/udp_multicast.c) against Linux on the
# TAP lw0 of the test's namespace (lwnet 192.0.2.2/24, Linux 192.0.2.1/24),
# group 239.255.0.1, tshark capturing on Linux's side:
#   - receive mode joins the group: Linux (python3) sends to the group and
#     the example prints the three datagrams, then leaves and exits 0;
#     the capture holds lwnet's IGMPv2 membership report for the group
#     (TTL 1, Router Alert) and its leave to 224.0.0.2
#   - send mode: a python3 receiver that joined the group on Linux's side
#     gets the example's three datagrams (TTL 1)
#   - every frame lwnet sent is well formed (tshark, checksums included)
# Its argument is the directory of the example binaries.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init example_multicast "$@"
lwit_require /usr/bin/python3 tshark
EXAMPLE=$LWNET/udp_multicast
[ -x "$EXAMPLE" ] || lwit_fail "$EXAMPLE is missing"
GROUP=239.255.0.1
# Linux's sender and receiver (both tests share it).
PEER="$(cd "$(dirname "$0")" && pwd)/multicast_peer.py"
# lwnet_tap_up()'s MAC for the first TAP (lib.sh checks the frames from it).
LWIT_MAC=02:00:00:00:00:02

lwit_make_namespace

# ---- wrong arguments ------------------------------------------------------------
status=0
"$EXAMPLE" >/dev/null 2>"$LWIT_DIR/usage.err" || status=$?
lwit_expect_equal "udp_multicast without arguments exits" 2 "$status"
lwit_expect "udp_multicast prints its usage" grep -q "^usage: .*udp_multicast \\[-6 CIDR6\\] TAP CIDR GROUP PORT" "$LWIT_DIR/usage.err"
status=0
"$EXAMPLE" lw0 192.0.2.2/24 192.0.2.9 3340 receive 1 >/dev/null 2>&1 || status=$?
lwit_expect_equal "udp_multicast with a unicast group exits" 2 "$status"

# ---- capture on Linux's side of the TAP ------------------------------------------------
CAPTURE=$LWIT_DIR/linux.pcap
lwit_spawn tshark -n -q -i "$LWIT_TAP" -w "$CAPTURE" 2>"$LWIT_DIR/tshark_capture.err"
tshark_pid=$LWIT_SPAWNED
lwit_wait_until "tshark capturing on $LWIT_TAP" 10 test -s "$CAPTURE"

# ---- receive: Linux sends to the group -------------------------------------------------------
LWNET_OUT="$LWIT_DIR/receive.out"
LWNET_ERR="$LWIT_DIR/receive.err"
lwit_spawn "$EXAMPLE" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$GROUP" 3340 receive 3 >"$LWNET_OUT" 2>"$LWNET_ERR"
receiver_pid=$LWIT_SPAWNED
lwit_wait_until "udp_multicast receive to join" 10 grep -q "^listening on $LWIT_LWNET_IP:3340 group $GROUP$" "$LWNET_OUT"
# The sender keeps going (100 ms apart) until killed: the example takes the
# first three, whichever they are.
lwit_spawn /usr/bin/python3 "$PEER" send "$GROUP" 3340 "$LWIT_TAP" "$LWIT_LINUX_IP" >/dev/null 2>"$LWIT_DIR/sender.err"
sender_pid=$LWIT_SPAWNED
lwit_wait_until "udp_multicast receive to take three datagrams and exit" 20 lwit_gone "$receiver_pid"
status=0
wait "$receiver_pid" || status=$?
lwit_check_sanitizer udp_multicast "$status"
lwit_expect_equal "udp_multicast receive exit status" 0 "$status"
kill "$sender_pid" 2>/dev/null || true
wait "$sender_pid" 2>/dev/null || true
lwit_expect_equal "udp_multicast receive printed three datagrams from Linux" 3 \
  "$(grep -c "^[0-9]* bytes from $LWIT_LINUX_IP:40100: linux multicast [0-9]*$" "$LWNET_OUT")"
lwit_expect "udp_multicast receive left the group" grep -qx "left group $GROUP" "$LWNET_OUT"

# ---- send: Linux receives from the group -----------------------------------------------------
lwit_spawn /usr/bin/python3 "$PEER" receive "$GROUP" 3341 "$LWIT_TAP" "$LWIT_LINUX_IP" >"$LWIT_DIR/linux_receiver.out" 2>"$LWIT_DIR/linux_receiver.err"
linux_receiver_pid=$LWIT_SPAWNED
lwit_wait_until "the Linux receiver to join" 10 grep -qx joined "$LWIT_DIR/linux_receiver.out"
LWNET_OUT="$LWIT_DIR/send.out"
LWNET_ERR="$LWIT_DIR/send.err"
status=0
lwit_ns timeout 30 "$EXAMPLE" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$GROUP" 3341 send 3 \
  >"$LWNET_OUT" 2>"$LWNET_ERR" || status=$?
lwit_check_sanitizer udp_multicast "$status"
lwit_expect_equal "udp_multicast send exit status" 0 "$status"
status=0
wait "$linux_receiver_pid" || status=$?
lwit_expect_equal "the Linux receiver exit status" 0 "$status"
# Each line: the sender (lwnet's address and any port), then the text.
lwit_expect_equal "Linux received the three datagrams from $LWIT_LWNET_IP, in order" "joined
lwnet multicast 1
lwnet multicast 2
lwnet multicast 3" "$(sed -E "s/^${LWIT_LWNET_IP//./\\.} [0-9]+ //" "$LWIT_DIR/linux_receiver.out")"

# ---- the capture -------------------------------------------------------------------------------
kill -INT "$tshark_pid"
wait "$tshark_pid" 2>/dev/null || true
LWIT_CAPTURES+=("$CAPTURE")
from_lwnet="eth.src == $LWIT_MAC && ip.src == $LWIT_LWNET_IP"
lwit_expect_equal "IGMPv2 membership reports for $GROUP (the join sends two 10 s apart; the example leaves sooner)" 1 \
  "$(lwit_count_frames "$CAPTURE" "$from_lwnet && igmp.version == 2 && igmp.type == 0x16 && igmp.maddr == $GROUP && ip.dst == $GROUP && ip.ttl == 1 && ip.opt.type == 148")"
lwit_expect_equal "IGMPv2 leave group for $GROUP to 224.0.0.2" 1 \
  "$(lwit_count_frames "$CAPTURE" "$from_lwnet && igmp.version == 2 && igmp.type == 0x17 && igmp.maddr == $GROUP && ip.dst == 224.0.0.2 && ip.ttl == 1 && ip.opt.type == 148")"
lwit_expect_equal "lwnet's multicast datagrams (TTL 1, to the group's MAC)" 3 \
  "$(lwit_count_frames "$CAPTURE" "$from_lwnet && udp.dstport == 3341 && ip.dst == $GROUP && ip.ttl == 1 && eth.dst == 01:00:5e:7f:00:01")"
lwit_check_capture
lwit_pass
