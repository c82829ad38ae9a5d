#!/usr/bin/env bash
# TCP segmentation offload to the TAP: by default lwnet hands the kernel TCP
# packets of many MSS behind a virtio net header, and the kernel cuts them
# into segments. 1 MB of random bytes through `serve --echo` must come back
# byte-exact, lwnet must have sent large packets (ethernet.tx_segmented,
# frames over the MTU in its capture, each with a checksum tshark verifies:
# the capture holds them as the device completes them), and with
# --no-offload the same transfer uses MTU-sized frames only.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_offload "$@"
lwit_require nc cmp head

lwit_make_namespace
head -c 1000000 /dev/urandom >"$LWIT_DIR/sent"

echo_through_lwnet() {
  lwit_ns timeout 60 nc -N "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/received" ||
    lwit_fail "nc to the echo service failed"
  lwit_expect "1 MB echoed byte-exact" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"
}

lwit_start_lwnet serve --echo 7
echo_through_lwnet
lwit_stop_lwnet
segmented=$(lwit_counter ethernet.tx_segmented)
lwit_log "lwnet handed the TAP $segmented large TCP packets"
lwit_expect "large packets went to the TAP (ethernet.tx_segmented)" test "$segmented" -gt 0
lwit_expect_equal "echo.bytes_sent" 1000000 "$(lwit_counter echo.bytes_sent)"
large=$(lwit_count_frames "${LWIT_CAPTURES[0]}" "eth.src == $LWIT_MAC && ip.len > 1500")
lwit_expect "the capture holds frames over the MTU" test "$large" -gt 0
lwit_expect_equal "large frames in the capture = ethernet.tx_segmented" "$segmented" "$large"

lwit_start_lwnet --no-offload serve --echo 7
echo_through_lwnet
lwit_stop_lwnet
lwit_expect_equal "ethernet.tx_segmented with --no-offload" 0 "$(lwit_counter ethernet.tx_segmented)"
lwit_expect_equal "frames over the MTU with --no-offload" 0 \
  "$(lwit_count_frames "${LWIT_CAPTURES[1]}" "eth.src == $LWIT_MAC && ip.len > 1500")"
lwit_check_capture
lwit_pass
