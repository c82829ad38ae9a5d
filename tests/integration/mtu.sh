#!/usr/bin/env bash
# --mtu 576: lwnet's replies to a 2000-byte ping leave in fragments of at most
# 576 bytes (RFC 791's minimum datagram every host must accept), and Linux
# reassembles them.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init mtu "$@"
lwit_require ping

lwit_make_namespace
lwit_start_lwnet --mtu 576 serve
lwit_expect "interface line shows the MTU" grep -q "^lwnet: tap $LWIT_TAP up, .* mtu 576$" "$LWNET_OUT"

out=$(lwit_ns ping -c 2 -i 0.2 -W 2 -s 2000 "$LWIT_LWNET_IP") || lwit_fail "ping -s 2000 failed: $out"
echo "$out"
lwit_expect_equal "2008-byte replies" 2 "$(grep -c "^2008 bytes from $LWIT_LWNET_IP: icmp_seq=" <<<"$out")"

lwit_stop_lwnet
capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "IP packets over 576 bytes lwnet sent" 0 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && ip.len > 576")"
# 2008 bytes of ICMP in 552-byte pieces (576 - 20, rounded down to 8): 4 per reply.
lwit_expect_equal "reply fragments lwnet sent" 8 \
  "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && (ip.flags.mf == 1 || ip.frag_offset > 0)")"
lwit_check_capture
lwit_pass
