#!/usr/bin/env bash
# `arping -c 2` from Linux gets two replies carrying lwnet's MAC (a non-default
# one given with --mac, so the option is proven too).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init arping "$@"
lwit_require arping

mac=02:00:00:00:00:2a
lwit_make_namespace
lwit_start_lwnet --mac "$mac" serve
lwit_expect "interface line shows the MAC" grep -q "^lwnet: tap $LWIT_TAP up, $LWIT_LWNET_IP/$LWIT_PREFIX ($mac)" "$LWNET_OUT"

out=$(lwit_ns arping -c 2 -i "$LWIT_TAP" "$LWIT_LWNET_IP") || lwit_fail "arping failed: $out"
echo "$out"
lwit_expect_equal "replies from lwnet's MAC" 2 "$(grep -c "bytes from $mac ($LWIT_LWNET_IP)" <<<"$out")"
lwit_expect_equal "replies in all" 2 "$(grep -c "bytes from" <<<"$out")"

lwit_stop_lwnet
lwit_expect "arp.tx_reply >= 2" test "$(lwit_counter arp.tx_reply)" -ge 2

capture=${LWIT_CAPTURES[0]}
lwit_expect "ARP replies in the capture say $mac is at $LWIT_LWNET_IP" test \
  "$(lwit_count_frames "$capture" "eth.src == $mac && arp.opcode == 2 && arp.src.hw_mac == $mac && arp.src.proto_ipv4 == $LWIT_LWNET_IP")" -ge 2
LWIT_MAC=$mac
lwit_check_capture
lwit_pass
