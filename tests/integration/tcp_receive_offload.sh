#!/usr/bin/env bash
# Receive offload from the TAP: by default lwnet asks the kernel for TCP
# super-frames (TUNSETOFFLOAD with checksum offload, TSO4 and TSO6), so
# Linux hands it TCP packets of up to 64 KiB whole, their checksums left
# partial, instead of cutting them into MSS-sized frames.
#  - 300 MB from Linux's iperf 2 to `serve --discard`: the bytes lwnet's
#    discard service counted equal the bytes iperf sent, super-frames came
#    (ethernet.rx_super_frames), none was refused (drop_bad_offload), and no
#    segment failed its checksum.
#  - 20 MB the same way with a capture: Linux's frames over the MTU are in it
#    with checksums tshark verifies (the capture records them completed).
#  - With --no-offload (no net header at all: the offloads the last lwnet
#    was granted must not outlive it) and with --no-receive-offload: the
#    same transfer, exact, and no super-frame.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_receive_offload "$@"
lwit_require iperf

lwit_make_namespace

# lwit_start_lwnet without the capture: 300 MB of pcap would only cost time.
start_lwnet_uncaptured() {
  LWNET_OUT="$LWIT_DIR/uncaptured.out"
  LWNET_ERR="$LWIT_DIR/uncaptured.err"
  ip netns exec "$LWIT_NS" "$LWNET" --tap "$LWIT_TAP" --ip "$LWIT_LWNET_IP/$LWIT_PREFIX" "$@" \
    >"$LWNET_OUT" 2>"$LWNET_ERR" &
  LWNET_PID=$!
  LWIT_PIDS+=("$LWNET_PID")
  lwit_wait_until "lwnet's line 'lwnet: tap $LWIT_TAP up' on stdout" 10 lwit_lwnet_up
}

# send_to_discard MEGABYTES: iperf 2 sends that much to lwnet's port 9 and
# the run is checked once lwnet has read it all and closed; sets SENT.
send_to_discard() {
  lwit_ns timeout 100 iperf -c "$LWIT_LWNET_IP" -p 9 -n "${1}M" -y C >"$LWIT_DIR/client.csv" \
    2>"$LWIT_DIR/client.err" || lwit_fail "iperf -c failed: $(cat "$LWIT_DIR/client.err")"
  # CSV: timestamp,source,sport,destination,dport,id,interval,bytes,bits/sec
  SENT=$(tail -n 1 "$LWIT_DIR/client.csv" | cut -d, -f8)
  lwit_log "iperf sent $SENT bytes at $(tail -n 1 "$LWIT_DIR/client.csv" | cut -d, -f9) bit/s"
  lwit_expect "iperf sent at least ${1} MB" test "${SENT:-0}" -ge $(($1 * 1024 * 1024))
  lwit_wait_time_wait 9
  lwit_stop_lwnet
  lwit_expect_equal "discard.bytes_received = bytes iperf sent" "$SENT" "$(lwit_counter discard.bytes_received)"
  lwit_expect_equal "tcp.drop_bad_checksum" 0 "$(lwit_counter tcp.drop_bad_checksum)"
  lwit_expect_equal "ethernet.drop_bad_offload" 0 "$(lwit_counter ethernet.drop_bad_offload)"
}

start_lwnet_uncaptured serve --discard 9
send_to_discard 300
super=$(lwit_counter ethernet.rx_super_frames)
lwit_log "lwnet took $super super-frames"
lwit_expect "super-frames came (ethernet.rx_super_frames > 0)" test "$super" -gt 0

lwit_start_lwnet serve --discard 9
send_to_discard 20
lwit_expect "super-frames came with a capture too" test "$(lwit_counter ethernet.rx_super_frames)" -gt 0
capture=${LWIT_CAPTURES[0]}
large=$(lwit_count_frames "$capture" "eth.dst == $LWIT_MAC && ip.len > 1500")
lwit_expect "the capture holds Linux's frames over the MTU" test "$large" -gt 0
lwit_expect_equal "Linux's frames over the MTU whose TCP checksum tshark finds bad" 0 \
  "$(lwit_count_frames "$capture" "eth.dst == $LWIT_MAC && ip.len > 1500 && tcp.checksum.status == 0")"
lwit_expect_equal "... and whose checksum tshark finds good" "$large" \
  "$(lwit_count_frames "$capture" "eth.dst == $LWIT_MAC && ip.len > 1500 && tcp.checksum.status == 1")"

for option in --no-offload --no-receive-offload; do
  lwit_start_lwnet "$option" serve --discard 9
  send_to_discard 30
  lwit_expect_equal "ethernet.rx_super_frames with $option" 0 "$(lwit_counter ethernet.rx_super_frames)"
  n=$((${#LWIT_CAPTURES[@]} - 1))
  lwit_expect_equal "Linux's frames over the MTU with $option" 0 \
    "$(lwit_count_frames "${LWIT_CAPTURES[$n]}" "eth.dst == $LWIT_MAC && ip.len > 1500")"
done

lwit_check_capture
lwit_pass
