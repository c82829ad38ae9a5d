#!/usr/bin/env bash
# --gw: lwnet reaches an address outside its prefix through the gateway
# (frames go to the gateway's MAC). Without --gw the same ping is refused with
# one line and exit status 2.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init gateway "$@"

# Two subnets inside 192.0.2.0/24: the TAP link is 192.0.2.128/25 (Linux, the
# gateway, is .129; lwnet is .130) and Linux also owns 192.0.2.1 on lo.
LWIT_LINUX_IP=192.0.2.129
LWIT_LWNET_IP=192.0.2.130
LWIT_PREFIX=25
remote=192.0.2.1
lwit_make_namespace
ip -n "$LWIT_NS" addr add "$remote/32" dev lo
gateway_mac=$(lwit_ns cat "/sys/class/net/$LWIT_TAP/address")

lwit_run_lwnet --gw "$LWIT_LINUX_IP" ping -c 2 -i 0.2 "$remote"
cat "$LWNET_OUT"
lwit_expect_status "exit status" 0 "$LWNET_STATUS"
lwit_expect_equal "replies from $remote" 2 "$(grep -c "^64 bytes from $remote: icmp_seq=[12] " "$LWNET_OUT")"
lwit_expect_equal "requests to $remote sent to the gateway's MAC $gateway_mac (capture)" 2 \
  "$(lwit_count_frames "${LWIT_CAPTURES[0]}" "eth.src == $LWIT_MAC && eth.dst == $gateway_mac && icmp.type == 8 && ip.dst == $remote")"

lwit_run_lwnet ping -c 2 -i 0.2 "$remote"
lwit_expect_status "exit status without --gw" 2 "$LWNET_STATUS"
lwit_expect_equal "stderr lines" 1 "$(wc -l <"$LWNET_ERR")"
lwit_expect "stderr says unreachable" grep -q "unreachable" "$LWNET_ERR"
lwit_expect "nothing on stdout" test ! -s "$LWNET_OUT"
lwit_log "without --gw: $(cat "$LWNET_ERR")"

# Only the first capture: the refused run sent at most its gratuitous ARP.
LWIT_CAPTURES=("${LWIT_CAPTURES[0]}")
lwit_check_capture
lwit_pass
