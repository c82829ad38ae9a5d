#!/usr/bin/env bash
# The lwnet command built with one family compiled out (issue 10):
# $1 is built with CONFIG_LWIP_IPV6=0, $2 with CONFIG_LWIP_IPV4=0
# (tests/config). Each refuses the other family's options with a usage error
# (status 2), serves TCP and UDP echo to Linux over its own family, answers
# Linux's ping, pings Linux with `lwnet ping`, and sends not one frame of the
# other family (no IPv6 and no MLD from the IPv4-only one; no ARP and no IPv4
# from the IPv6-only one).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init one_family_command "$1"
IPV4_ONLY=$1
IPV6_ONLY=${2:-}
[ -x "$IPV6_ONLY" ] || lwit_fail "usage: $0 IPV4_ONLY_LWNET IPV6_ONLY_LWNET"
lwit_require nc ping cmp

LINUX_IP6=2001:db8::1
LWNET_IP6=2001:db8::2

lwit_make_namespace
# Linux's own DAD would hold its address back for a second: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad
printf 'one family\n' >"$LWIT_DIR/sent"

# refused WHAT MESSAGE ARGS...: lwnet ARGS exits with status 2 and the one
# stderr line "lwnet: MESSAGE (see lwnet --help)", before touching the TAP.
refused() {
  local what=$1 message=$2
  shift 2
  set +e
  lwit_ns timeout -k 5 20 "$LWNET" "$@" >"$LWIT_DIR/out" 2>"$LWIT_DIR/err"
  local status=$?
  set -e
  lwit_expect_status "$what" 2 "$status"
  lwit_expect_equal "$what: its message" "lwnet: $message (see lwnet --help)" "$(cat "$LWIT_DIR/err")"
}

# echo_both_ways NC_OPTION ADDRESS: TCP and UDP echo of `lwnet serve` over
# one family, byte-exact.
echo_both_ways() {
  lwit_ns timeout 30 nc "$1" -N "$2" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/tcp.received" || true
  lwit_expect "TCP echo from $2" cmp "$LWIT_DIR/sent" "$LWIT_DIR/tcp.received"
  lwit_ns nc "$1" -u -w 3 -W 1 "$2" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/udp.received" || true
  lwit_expect "UDP echo from $2" cmp "$LWIT_DIR/sent" "$LWIT_DIR/udp.received"
}

# ---- IPv4 only ----
LWNET=$IPV4_ONLY
for option in "--ip6 $LWNET_IP6/64" --slaac --dhcp6; do
  # shellcheck disable=SC2086 # the option and its value are two words
  refused "IPv4-only lwnet given $option" "--ip6, --slaac and --dhcp6 need IPv6, which this lwnet is built without" \
    --tap "$LWIT_TAP" --ip "$LWIT_LWNET_IP/$LWIT_PREFIX" $option serve --echo 7
done

lwit_start_lwnet serve --echo 7 --udp-echo 7
lwit_ns ping -c 3 -i 0.2 -W 2 "$LWIT_LWNET_IP" >"$LWIT_DIR/ping.out" || lwit_fail "ping $LWIT_LWNET_IP: $(cat "$LWIT_DIR/ping.out")"
lwit_expect "3 replies from $LWIT_LWNET_IP" grep -q "3 received" "$LWIT_DIR/ping.out"
echo_both_ways -4 "$LWIT_LWNET_IP"
lwit_stop_lwnet
ipv4_serve_capture=${LWIT_CAPTURES[-1]}
lwit_expect_equal "IPv6 frames the IPv4-only lwnet sent" 0 \
  "$(lwit_count_frames "$ipv4_serve_capture" "eth.src == $LWIT_MAC && ipv6")"

lwit_run_lwnet ping -c 2 -i 0.2 "$LWIT_LINUX_IP"
lwit_expect_status "IPv4-only lwnet ping $LWIT_LINUX_IP" 0 "$LWNET_STATUS"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received" "$LWNET_OUT"

# ---- IPv6 only ----
LWNET=$IPV6_ONLY
refused "IPv6-only lwnet given --ip" "--ip and --dhcp need IPv4, which this lwnet is built without" \
  --tap "$LWIT_TAP" --ip "$LWIT_LWNET_IP/$LWIT_PREFIX" serve --echo 7
refused "IPv6-only lwnet given --dhcp" "--ip and --dhcp need IPv4, which this lwnet is built without" \
  --tap "$LWIT_TAP" --dhcp serve --echo 7
refused "IPv6-only lwnet given neither --ip6 nor --slaac" \
  "--ip6 ADDR/PREFIX or --slaac is required (this lwnet is built without IPv4)" --tap "$LWIT_TAP" serve --echo 7

LWIT_ADDRESS_OPTIONS=(--ip6 "$LWNET_IP6/64")
lwit_start_lwnet serve --echo 7 --udp-echo 7
# Its addresses answer once Duplicate Address Detection is over (a second).
answers_ping6() { lwit_ns ping -6 -c 1 -W 0.3 "$LWNET_IP6" >/dev/null; }
lwit_wait_until "an echo reply from $LWNET_IP6" 10 answers_ping6
lwit_ns ping -6 -c 3 -i 0.2 -W 2 "$LWNET_IP6" >"$LWIT_DIR/ping6.out" || lwit_fail "ping -6 $LWNET_IP6: $(cat "$LWIT_DIR/ping6.out")"
lwit_expect "3 replies from $LWNET_IP6" grep -q "3 received" "$LWIT_DIR/ping6.out"
echo_both_ways -6 "$LWNET_IP6"
# IPv4 to lwnet's old address gets nowhere: nobody answers ARP.
lwit_expect "no TCP over IPv4" bash -c "! ip netns exec '$LWIT_NS' nc -4 -z -w 1 '$LWIT_LWNET_IP' 7"
lwit_stop_lwnet
ipv6_serve_capture=${LWIT_CAPTURES[-1]}
lwit_expect_equal "ARP and IPv4 frames the IPv6-only lwnet sent" 0 \
  "$(lwit_count_frames "$ipv6_serve_capture" "eth.src == $LWIT_MAC && (arp || ip)")"
lwit_expect "Linux's ARP requests reached it" \
  test "$(lwit_count_frames "$ipv6_serve_capture" "arp.opcode == 1 && arp.dst.proto_ipv4 == $LWIT_LWNET_IP")" -ge 1

lwit_run_lwnet ping -c 2 -i 0.2 "$LINUX_IP6"
lwit_expect_status "IPv6-only lwnet ping $LINUX_IP6" 0 "$LWNET_STATUS"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received" "$LWNET_OUT"

lwit_check_capture
lwit_pass
