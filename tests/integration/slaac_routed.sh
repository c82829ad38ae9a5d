#!/usr/bin/env bash
# The issue's "done when": IPv6 only, no manual address. The test's
# namespace is a Linux router: radvd advertises 2001:db8:1::/64 on lw0
# (lwnet's link) and forwarding is on; a second namespace, the far host
# 2001:db8:2::2, sits behind it on a veth link 2001:db8:2::/64. lwnet takes
# its address by SLAAC and opens a TCP connection to the far host through
# the router (`lwnet --slaac connect`), carrying a line both ways.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init slaac_routed "$@"
lwit_require radvd nc

FAR_NS="lwit-slaac_far-$$"
FAR_IP6=2001:db8:2::2
ROUTER_FAR_IP6=2001:db8:2::1
# The far namespace goes too, whatever happens (lwit_cleanup sees the status).
trap 'st=$?; ip netns delete "$FAR_NS" 2>/dev/null; (exit $st); lwit_cleanup' EXIT

lwit_make_namespace
# IPv6 only on lwnet's link.
ip -n "$LWIT_NS" addr flush dev "$LWIT_TAP" scope global
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
lwit_ns sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$LWIT_NS" addr add 2001:db8:1::1/64 dev "$LWIT_TAP" nodad

ip netns add "$FAR_NS"
ip -n "$FAR_NS" link set lo up
ip -n "$LWIT_NS" link add rt0 type veth peer name far0
ip -n "$LWIT_NS" link set far0 netns "$FAR_NS"
ip netns exec "$FAR_NS" sysctl -qw net.ipv6.conf.far0.accept_dad=0
lwit_ns sysctl -qw net.ipv6.conf.rt0.accept_dad=0
ip -n "$LWIT_NS" addr add "$ROUTER_FAR_IP6/64" dev rt0 nodad
ip -n "$FAR_NS" addr add "$FAR_IP6/64" dev far0 nodad
ip -n "$LWIT_NS" link set rt0 up
ip -n "$FAR_NS" link set far0 up
ip -n "$FAR_NS" -6 route add default via "$ROUTER_FAR_IP6"

cat >"$LWIT_DIR/radvd.conf" <<CONF
interface $LWIT_TAP {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 4;
  prefix 2001:db8:1::/64 {
    AdvOnLink on;
    AdvAutonomous on;
  };
};
CONF
lwit_spawn radvd --nodaemon --config "$LWIT_DIR/radvd.conf" --pidfile "$LWIT_DIR/radvd.pid" \
  --logmethod stderr 2>"$LWIT_DIR/radvd.err"

# The far host: answers one line and closes.
printf 'hello from the far host\n' >"$LWIT_DIR/far.sent"
ip netns exec "$FAR_NS" timeout 40 nc -6 -l -N "$FAR_IP6" 5001 <"$LWIT_DIR/far.sent" >"$LWIT_DIR/far.received" &
FAR_PID=$!
LWIT_PIDS+=("$FAR_PID")
lwit_wait_until "the far host listening" 5 \
  bash -c "ip netns exec '$FAR_NS' ss -Htln | grep -q ':5001'"

printf 'hello from lwnet\n' >"$LWIT_DIR/lwnet.sent"
LWIT_RUN_TIMEOUT=40 lwit_run_lwnet --slaac connect "$FAR_IP6" 5001 <"$LWIT_DIR/lwnet.sent"
lwit_expect_status "lwnet --slaac connect $FAR_IP6 5001" 0 "$LWNET_STATUS"
lwit_expect "the far host's line arrived at lwnet" grep -q "hello from the far host" "$LWNET_OUT"
wait "$FAR_PID" || true
lwit_expect "lwnet's line arrived at the far host" cmp "$LWIT_DIR/lwnet.sent" "$LWIT_DIR/far.received"
lwit_expect "lwnet's SYN left from its SLAAC address (tshark)" \
  test "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "ipv6.src == 2001:db8:1::ff:fe00:2 && ipv6.dst == $FAR_IP6 && tcp.flags.syn == 1")" -ge 1
lwit_check_capture
lwit_pass
