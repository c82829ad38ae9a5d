#!/usr/bin/env bash
# A UDP datagram to a port nobody listens on gets an ICMP port unreachable
# that quotes it (RFC 1122 3.2.2.1, RFC 792).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init udp_closed_port "$@"
lwit_require nc

lwit_make_namespace
lwit_start_lwnet serve --udp-echo 7

# Port unreachable messages Linux received (its per-namespace ICMP counters).
dest_unreachables() {
  # shellcheck disable=SC2016
  lwit_ns awk '$1 == "Icmp:" { if (!column) { for (i = 2; i <= NF; i++) if ($i == "InDestUnreachs") column = i } else print $column }' /proc/net/snmp
}
lwit_expect_equal "port unreachables Linux received before" 0 "$(dest_unreachables)"
printf 'anyone there?' | lwit_ns nc -u -w 1 -p 40009 "$LWIT_LWNET_IP" 9 >/dev/null 2>&1 || true
lwit_wait_until "Linux to receive lwnet's port unreachable (Icmp InDestUnreachs)" 10 \
  test "$(dest_unreachables)" -ge 1

lwit_stop_lwnet
lwit_expect_equal "udp.drop_no_port" 1 "$(lwit_counter udp.drop_no_port)"
lwit_expect_equal "icmp.tx_unreachable" 1 "$(lwit_counter icmp.tx_unreachable)"

capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "port unreachable quoting 40009 -> 9 (capture)" 1 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && icmp.type == 3 && icmp.code == 3 && ip.dst == $LWIT_LINUX_IP && udp.srcport == 40009 && udp.dstport == 9")"
lwit_check_capture
lwit_pass
