#!/usr/bin/env bash
# iperf 2 both ways, 3 s each:
#  - Linux `iperf -c` against `lwnet serve --iperf`: the bytes lwnet counted
#    equal the bytes iperf reports sent (CSV output, exact).
#  - `lwnet iperf -c` against Linux `iperf -s`: exit 0, interval lines and a
#    total line, and the bytes the server reports match what lwnet sent.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_iperf "$@"
lwit_require iperf

lwit_make_namespace
lwit_start_lwnet serve --iperf
lwit_expect "service line" grep -q "^lwnet: tcp iperf on port 5001$" "$LWNET_OUT"
lwit_ns timeout 30 iperf -c "$LWIT_LWNET_IP" -t 3 -y C >"$LWIT_DIR/client.csv" 2>"$LWIT_DIR/client.err" ||
  lwit_fail "iperf -c failed: $(cat "$LWIT_DIR/client.err")"
# CSV: timestamp,source,sport,destination,dport,id,interval,bytes,bits/sec
linux_sent=$(tail -n 1 "$LWIT_DIR/client.csv" | cut -d, -f8)
lwit_expect "iperf -c reports bytes sent" test "${linux_sent:-0}" -gt 0
# iperf exits once its data is in its socket; lwnet prints when it read the end.
lwit_wait_until "lwnet's 'lwnet: iperf' line" 10 grep -q "^lwnet: iperf " "$LWNET_OUT"
line=$(grep "^lwnet: iperf " "$LWNET_OUT" || true)
lwit_log "$line"
lwit_expect "lwnet's line has bytes, secs and a rate" \
  grep -Eq "^lwnet: iperf $LWIT_LINUX_IP:[0-9]+ bytes [0-9]+ secs [0-9.]+ Mbits/sec [0-9.]+$" <<<"$line"
lwit_expect_equal "bytes lwnet received = bytes iperf sent" "$linux_sent" "$(awk '{ print $5 }' <<<"$line")"
lwit_stop_lwnet
lwit_expect_equal "iperf.connections" 1 "$(lwit_counter iperf.connections)"
lwit_expect_equal "iperf.bytes_received" "$linux_sent" "$(lwit_counter iperf.bytes_received)"
lwit_expect_equal "iperf.failed" 0 "$(lwit_counter iperf.failed)"

lwit_spawn iperf -s -B "$LWIT_LINUX_IP" -p 5002 -y C >"$LWIT_DIR/server.csv" 2>"$LWIT_DIR/server.err"
lwit_wait_listening 5002
lwit_run_lwnet iperf -c "$LWIT_LINUX_IP" -p 5002 -t 3 -i 1
cat "$LWNET_OUT"
lwit_expect_status "lwnet iperf exit status" 0 "$LWNET_STATUS"
for interval in 0.0-1.0 1.0-2.0 2.0-3.0; do
  lwit_expect "interval line $interval" \
    grep -Eq "^\[  1\] ${interval//./\\.} sec  [0-9.]+ [KMG]?Bytes  [0-9.]+ [KMG]?bits/sec$" "$LWNET_OUT"
done
lwit_expect "a total line" grep -Eq '^\[  1\] 0\.0-3\.0 sec  [0-9.]+ [KMG]?Bytes  [0-9.]+ [KMG]?bits/sec$' "$LWNET_OUT"
lwnet_sent=$(sed -n 's/^\[  1\] sent \([0-9]*\) bytes$/\1/p' "$LWNET_OUT")
lwit_expect "lwnet sent data" test "${lwnet_sent:-0}" -gt 0
lwit_wait_until "iperf -s's CSV line" 10 test -s "$LWIT_DIR/server.csv"
# iperf 2's server takes the first 4 bytes as its header's flags word (zero:
# no options) and does not count them as data.
lwit_expect_equal "bytes iperf -s counted = bytes lwnet sent - 4 (the flags word)" "$((lwnet_sent - 4))" \
  "$(tail -n 1 "$LWIT_DIR/server.csv" | cut -d, -f8)"

lwit_check_capture
lwit_pass
