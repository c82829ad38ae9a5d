#!/usr/bin/env bash
# `lwnet serve` reports its interface once up and, on SIGTERM (and SIGINT),
# prints its non-zero counters, one "group.name value" per line, and exits 0.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init serve_counters "$@"
lwit_require ping

lwit_make_namespace
lwit_start_lwnet serve
lwit_expect "interface line" grep -qx "lwnet: tap $LWIT_TAP up, $LWIT_LWNET_IP/$LWIT_PREFIX ($LWIT_MAC)" "$LWNET_OUT"
lwit_ns ping -c 1 -W 2 "$LWIT_LWNET_IP" >/dev/null || lwit_fail "ping before SIGTERM"
lwit_stop_lwnet TERM
cat "$LWNET_OUT"
lwit_expect "stopped by SIGTERM" grep -q "^lwnet: stopped by SIGTERM; counters:$" "$LWNET_OUT"
counters=$(sed -n '/^lwnet: stopped by/,$p' "$LWNET_OUT" | tail -n +2)
lwit_expect "counters printed" test -n "$counters"
lwit_expect "every counter line is 'group.name N' with N > 0" \
  bash -c "! grep -Ev '^[a-z0-9]+\.[a-z0-9_]+ [1-9][0-9]*$' <<<'$counters'"
lwit_expect "ethernet.rx > 0" test "$(lwit_counter ethernet.rx)" -gt 0
lwit_expect "ethernet.tx > 0" test "$(lwit_counter ethernet.tx)" -gt 0
lwit_expect_equal "icmp.tx_echo_reply" 1 "$(lwit_counter icmp.tx_echo_reply)"
lwit_expect "nothing on stderr" test ! -s "$LWNET_ERR"

lwit_start_lwnet serve
lwit_stop_lwnet INT
lwit_expect "stopped by SIGINT" grep -q "^lwnet: stopped by SIGINT; counters:$" "$LWNET_OUT"

lwit_check_capture
lwit_pass
