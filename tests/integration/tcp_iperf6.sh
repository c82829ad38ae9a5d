#!/usr/bin/env bash
# iperf 2 over IPv6, 2 s (lwnet 2001:db8::2/64, Linux 2001:db8::1/64): Linux
# `iperf -V -c` against `lwnet serve --iperf` (its listener on ::): the bytes
# lwnet counted equal the bytes iperf reports sent, and lwnet names the IPv6
# peer. (`lwnet iperf -c` to an IPv6 server is refused by the tool's
# reachability check, which knows only --ip and --gw: not tested here.)
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_iperf6 "$@"
lwit_require iperf

LINUX_IP6=2001:db8::1
LWNET_IP6=2001:db8::2

lwit_make_namespace
# Linux's own DAD would hold its address back for a second: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

lwit_start_lwnet --ip6 "$LWNET_IP6/64" serve --iperf
# lwnet's DAD takes a second before its address answers.
sleep 1.5
lwit_ns timeout 30 iperf -V -c "$LWNET_IP6" -t 2 -y C >"$LWIT_DIR/client.csv" 2>"$LWIT_DIR/client.err" ||
  lwit_fail "iperf -V -c failed: $(cat "$LWIT_DIR/client.err")"
linux_sent=$(tail -n 1 "$LWIT_DIR/client.csv" | cut -d, -f8)
lwit_expect "iperf -V -c reports bytes sent" test "${linux_sent:-0}" -gt 0
lwit_wait_until "lwnet's 'lwnet: iperf' line" 10 grep -q "^lwnet: iperf " "$LWNET_OUT"
line=$(grep "^lwnet: iperf " "$LWNET_OUT" || true)
lwit_log "$line"
lwit_expect "lwnet's line names the IPv6 peer" grep -Eq "^lwnet: iperf \[?$LINUX_IP6\]?:[0-9]+ bytes " <<<"$line"
lwit_expect_equal "bytes lwnet received = bytes iperf sent" "$linux_sent" "$(awk '{ print $5 }' <<<"$line")"
lwit_stop_lwnet

lwit_pass
