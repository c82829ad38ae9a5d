#!/usr/bin/env bash
# IPv6 against Linux over the TAP: lwnet has 2001:db8::2/64 (--ip6) and its
# link-local address from the MAC; Linux has 2001:db8::1/64. Linux pings
# both addresses (Neighbor Discovery both ways), `nc -6` talks to the UDP
# and TCP echo services of `lwnet serve` (which listen on :: and so serve
# IPv4 too), and `lwnet ping` pings Linux's IPv6 address.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init ipv6 "$@"
lwit_require nc ping

LINUX_IP6=2001:db8::1
LWNET_IP6=2001:db8::2
LWNET_LINK_LOCAL=fe80::ff:fe00:2   # from lwnet's default MAC 02:00:00:00:00:02

lwit_make_namespace
# Linux's own DAD would hold its address back for a second: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

lwit_start_lwnet --ip6 "$LWNET_IP6/64" serve --udp-echo 7 --echo 7
# lwnet's DAD takes a second before its addresses answer.
sleep 1.5

lwit_ns ping -6 -c 3 -i 0.2 -W 2 "$LWNET_IP6" >"$LWIT_DIR/ping.out" || lwit_fail "ping -6 $LWNET_IP6: $(cat "$LWIT_DIR/ping.out")"
lwit_expect "3 replies from $LWNET_IP6" grep -q "3 received" "$LWIT_DIR/ping.out"
lwit_ns ping -6 -c 2 -i 0.2 -W 2 "$LWNET_LINK_LOCAL%$LWIT_TAP" >"$LWIT_DIR/ping-ll.out" ||
  lwit_fail "ping -6 $LWNET_LINK_LOCAL: $(cat "$LWIT_DIR/ping-ll.out")"
lwit_expect "Linux learned lwnet's MAC by ND" \
  bash -c "ip -n '$LWIT_NS' -6 neigh show dev '$LWIT_TAP' | grep -q '$LWNET_IP6 lladdr 02:00:00:00:00:02'"

printf 'hello over ipv6\n' >"$LWIT_DIR/sent"
lwit_ns nc -6 -u -w 3 -W 1 "$LWNET_IP6" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/udp.received" || true
lwit_expect "UDP echo over IPv6" cmp "$LWIT_DIR/sent" "$LWIT_DIR/udp.received"
lwit_ns timeout 30 nc -6 -N "$LWNET_IP6" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/tcp.received" || true
lwit_expect "TCP echo over IPv6" cmp "$LWIT_DIR/sent" "$LWIT_DIR/tcp.received"
# The same services answer IPv4 (dual stack).
lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/tcp4.received" || true
lwit_expect "TCP echo over IPv4 on the dual-stack listener" cmp "$LWIT_DIR/sent" "$LWIT_DIR/tcp4.received"
lwit_stop_lwnet
lwit_expect "lwnet answered echo requests" test "$(lwit_counter icmpv6.tx_echo_reply)" -ge 5
lwit_expect "lwnet sent neighbor advertisements" test "$(lwit_counter nd.tx_advertisement)" -ge 1

lwit_run_lwnet --ip6 "$LWNET_IP6/64" ping -c 2 -i 0.2 "$LINUX_IP6"
lwit_expect_status "lwnet ping $LINUX_IP6" 0 "$LWNET_STATUS"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received" "$LWNET_OUT"

lwit_check_capture
lwit_expect "ICMPv6 checksums right (tshark)" test "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "eth.src == $LWIT_MAC && icmpv6.checksum.status == 0")" -eq 0
lwit_pass
