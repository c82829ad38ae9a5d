#!/usr/bin/env bash
# Router discovery against radvd: radvd in the namespace advertises
# 2001:db8:1::/64 (on-link, autonomous) with RDNSS 2001:db8:1::53; `lwnet
# --slaac show --wait 10` must print its SLAAC address (modified EUI-64 of
# 02:00:00:00:00:02), the router and the DNS server. Then ndisc6 (Linux's
# side) resolves lwnet's SLAAC address to its MAC by a neighbor solicitation.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init router_discovery "$@"
lwit_require radvd ndisc6

LINUX_IP6=2001:db8:1::1
LWNET_SLAAC=2001:db8:1::ff:fe00:2   # from lwnet's default MAC 02:00:00:00:00:02
DNS_SERVER=2001:db8:1::53

lwit_make_namespace
# Linux's DAD would hold its addresses back: not under test here. radvd
# wants forwarding on (a router); this namespace's setting only.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
lwit_ns sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

cat >"$LWIT_DIR/radvd.conf" <<CONF
interface $LWIT_TAP {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 4;
  prefix 2001:db8:1::/64 {
    AdvOnLink on;
    AdvAutonomous on;
  };
  RDNSS $DNS_SERVER {
  };
};
CONF
lwit_spawn radvd --nodaemon --config "$LWIT_DIR/radvd.conf" --pidfile "$LWIT_DIR/radvd.pid" \
  --logmethod stderr 2>"$LWIT_DIR/radvd.err"
RADVD_PID=$LWIT_SPAWNED

LWIT_RUN_TIMEOUT=30 lwit_run_lwnet --slaac show --wait 10
lwit_expect_status "lwnet --slaac show --wait 10" 0 "$LWNET_STATUS"
lwit_expect "a preferred SLAAC address from 2001:db8:1::/64" \
  grep -q "^address $LWNET_SLAAC/64 preferred slaac" "$LWNET_OUT"
lwit_expect "radvd's link-local address as default router" grep -q "^router fe80::" "$LWNET_OUT"
lwit_expect "the on-link prefix" grep -q "^prefix 2001:db8:1::/64 valid" "$LWNET_OUT"
lwit_expect "the RDNSS server" grep -q "^dns $DNS_SERVER from ra" "$LWNET_OUT"
kill -0 "$RADVD_PID" 2>/dev/null || lwit_fail "radvd died: $(cat "$LWIT_DIR/radvd.err")"

# ndisc6 asks for lwnet's SLAAC address while lwnet runs.
lwit_start_lwnet --slaac serve --echo 7
lwit_wait_until "lwnet's SLAAC address answering" 15 \
  lwit_ns ping -6 -c 1 -W 1 "$LWNET_SLAAC"
lwit_ns ndisc6 -1 -r 3 "$LWNET_SLAAC" "$LWIT_TAP" >"$LWIT_DIR/ndisc6.out" 2>&1 ||
  lwit_fail "ndisc6 $LWNET_SLAAC: $(cat "$LWIT_DIR/ndisc6.out")"
lwit_expect "ndisc6 got lwnet's MAC" grep -qi "02:00:00:00:00:02" "$LWIT_DIR/ndisc6.out"
lwit_stop_lwnet

lwit_check_capture
lwit_pass
