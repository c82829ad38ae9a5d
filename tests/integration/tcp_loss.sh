#!/usr/bin/env bash
# 1 MB through `lwnet serve --echo 7` (so 1 MB each way) over a link that
# loses 5% of the frames: the echo must come back intact, and lwnet must
# have retransmitted. The loss comes from netem on the Linux side of the TAP
# (`tc qdisc add dev lw0 root netem loss 5%`); a kernel without sch_netem
# gets the same loss inside lwnet instead (--loss 5, both directions), and
# the test says so. Any other tc failure fails the test.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_loss "$@"
lwit_require nc cmp tc head

lwit_make_namespace
loss_option=()
if ! lwit_ns tc qdisc add dev "$LWIT_TAP" root netem loss 5% 2>"$LWIT_DIR/tc.err"; then
  if grep -q "Specified qdisc kind is unknown" "$LWIT_DIR/tc.err"; then
    lwit_log "netem is not available (kernel without sch_netem: '$(cat "$LWIT_DIR/tc.err")');" \
      "losing 5% inside lwnet instead (--loss 5)"
    loss_option=(--loss 5)
  else
    lwit_fail "tc cannot add netem to $LWIT_TAP: $(cat "$LWIT_DIR/tc.err")"
  fi
else
  lwit_log "netem on $LWIT_TAP: $(lwit_ns tc qdisc show dev "$LWIT_TAP")"
fi

lwit_start_lwnet "${loss_option[@]}" serve --echo 7
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
lwit_check_capture
lwit_pass
