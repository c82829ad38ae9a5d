#!/usr/bin/env bash
# Fragmentation and reassembly, both ways:
#  - Linux `ping -s 4000` to lwnet: lwnet reassembles the request (3 fragments)
#    and fragments its 4008-byte reply; Linux must reassemble it.
#  - `lwnet ping -s 4000` to Linux: the other way round.
# Needs a stack built with CONFIG_LWIP_IP4_REASSEMBLY=1 (scripts/test.sh does).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init ping_fragmented "$@"
lwit_require ping

lwit_make_namespace
lwit_start_lwnet serve

out=$(lwit_ns ping -c 2 -i 0.2 -W 2 -s 4000 "$LWIT_LWNET_IP") || lwit_fail "ping -s 4000 failed: $out"
echo "$out"
lwit_expect_equal "4008-byte replies" 2 "$(grep -c "^4008 bytes from $LWIT_LWNET_IP: icmp_seq=" <<<"$out")"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received, 0% packet loss" <<<"$out"

lwit_stop_lwnet
lwit_expect_equal "ipv4.reass_ok" 2 "$(lwit_counter ipv4.reass_ok)"
lwit_expect_equal "ipv4.frag_tx_datagrams" 2 "$(lwit_counter ipv4.frag_tx_datagrams)"
lwit_expect_equal "icmp.tx_echo_reply" 2 "$(lwit_counter icmp.tx_echo_reply)"

capture=${LWIT_CAPTURES[0]}
# 4008 bytes of ICMP in 1480-byte pieces: 3 fragments per reply.
lwit_expect_equal "reply fragments lwnet sent" 6 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && ip.src == $LWIT_LWNET_IP && (ip.flags.mf == 1 || ip.frag_offset > 0)")"
lwit_expect_equal "replies tshark reassembled from lwnet's fragments" 2 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && icmp.type == 0 && ip.len == 1068 && ip.frag_offset > 0")"

lwit_run_lwnet ping -c 2 -i 0.2 -W 2 -s 4000 "$LWIT_LINUX_IP"
cat "$LWNET_OUT"
lwit_expect_status "lwnet ping -s 4000 exit status" 0 "$LWNET_STATUS"
lwit_expect "header line" grep -q "^PING $LWIT_LINUX_IP ($LWIT_LINUX_IP) 4000(4028) bytes of data\.$" "$LWNET_OUT"
lwit_expect_equal "4008-byte replies to lwnet ping" 2 \
  "$(grep -c "^4008 bytes from $LWIT_LINUX_IP: icmp_seq=[12] ttl=64 time=" "$LWNET_OUT")"
lwit_expect "no wrong data" bash -c "! grep -q wrong '$LWNET_OUT'"
lwit_expect "2 transmitted, 2 received" grep -q "^2 packets transmitted, 2 received, 0% packet loss" "$LWNET_OUT"

lwit_check_capture
lwit_pass
