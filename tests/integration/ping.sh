#!/usr/bin/env bash
# Linux `ping -c 3` to lwnet: exactly three replies, and lwnet counts exactly
# three echo requests in and three replies out.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init ping "$@"
lwit_require ping

lwit_make_namespace
lwit_start_lwnet serve

out=$(lwit_ns ping -c 3 -i 0.2 -W 2 "$LWIT_LWNET_IP") || lwit_fail "ping failed: $out"
echo "$out"
lwit_expect_equal "reply lines" 3 "$(grep -c "^64 bytes from $LWIT_LWNET_IP: icmp_seq=[123] ttl=64 " <<<"$out")"
lwit_expect "3 transmitted, 3 received" grep -q "^3 packets transmitted, 3 received, 0% packet loss" <<<"$out"

lwit_stop_lwnet
lwit_expect_equal "icmp.rx_echo_request" 3 "$(lwit_counter icmp.rx_echo_request)"
lwit_expect_equal "icmp.tx_echo_reply" 3 "$(lwit_counter icmp.tx_echo_reply)"

capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "echo replies lwnet sent (capture)" 3 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && icmp.type == 0 && ip.src == $LWIT_LWNET_IP && ip.dst == $LWIT_LINUX_IP")"
lwit_check_capture
lwit_pass
