#!/usr/bin/env bash
# 1 MB through `lwnet serve --echo 7` (so 1 MB each way) over a link whose
# Linux side loses 5% of the frames in each direction: the echo must come
# back intact, and lwnet must have retransmitted. The loss is netem on the
# TAP (`tc qdisc add dev lw0 root netem loss 5%`) where the kernel has
# sch_netem; otherwise nftables drops 5% of the TAP's IP packets at random
# (`numgen random mod 100 < 5`) on input and on output, which is the same
# loss seen from lwnet. Neither available fails the test.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_loss "$@"
lwit_require nc cmp tc nft head

lwit_make_namespace
if lwit_ns tc qdisc add dev "$LWIT_TAP" root netem loss 5% 2>"$LWIT_DIR/tc.err"; then
  lwit_log "netem on $LWIT_TAP: $(lwit_ns tc qdisc show dev "$LWIT_TAP")"
  loss_by=netem
else
  lwit_log "no netem here ($(cat "$LWIT_DIR/tc.err")); nftables drops 5% each way instead"
  lwit_ns nft -f - <<EOF || lwit_fail "nft cannot load the loss rules"
table inet lwit_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "$LWIT_TAP" numgen random mod 100 < 5 counter drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "$LWIT_TAP" numgen random mod 100 < 5 counter drop
  }
}
EOF
  loss_by=nft
fi

lwit_start_lwnet serve --echo 7
head -c 1000000 /dev/urandom >"$LWIT_DIR/sent"
lwit_ns timeout 100 nc -N "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/received" ||
  lwit_fail "nc through the lossy link failed"
lwit_expect_equal "bytes echoed" 1000000 "$(stat -c %s "$LWIT_DIR/received")"
lwit_expect "1 MB each way, intact" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"
lwit_stop_lwnet
lwit_expect_equal "echo.failed" 0 "$(lwit_counter echo.failed)"
lwit_expect_equal "echo.bytes_sent" 1000000 "$(lwit_counter echo.bytes_sent)"

capture=${LWIT_CAPTURES[0]}
retransmitted=$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && tcp.analysis.retransmission")
lwit_log "lwnet retransmitted $retransmitted segments"
lwit_expect "lwnet retransmitted (the loss was real)" test "$retransmitted" -gt 0
if [ "$loss_by" = nft ]; then
  dropped_in=$(lwit_ns nft list chain inet lwit_loss input | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
  dropped_out=$(lwit_ns nft list chain inet lwit_loss output | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
  lwit_log "Linux dropped $dropped_in packets from lwnet and $dropped_out to it"
  lwit_expect "Linux dropped packets from lwnet" test "$dropped_in" -gt 0
  lwit_expect "Linux dropped packets to lwnet" test "$dropped_out" -gt 0
fi
lwit_check_capture
lwit_pass
