#!/usr/bin/env bash
# `lwnet serve --echo 7` sends back exactly what Linux sends it: 100 KB of
# random bytes from `nc` (which shuts down its side after stdin's end), compared
# with cmp, and the connection ends with FINs both ways (no RST).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_echo "$@"
lwit_require nc cmp head

lwit_make_namespace
lwit_start_lwnet --verbose serve --echo 7
lwit_expect "service line" grep -q "^lwnet: tcp echo on port 7$" "$LWNET_OUT"

head -c 100000 /dev/urandom >"$LWIT_DIR/sent"
lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/received" ||
  lwit_fail "nc to the echo service failed"
lwit_expect_equal "bytes echoed" 100000 "$(stat -c %s "$LWIT_DIR/received")"
lwit_expect "the echo is byte-exact" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"
lwit_expect "--verbose logged the connection" grep -q "^lwnet: echo: connection from $LWIT_LINUX_IP:[0-9]* done, 100000 bytes in, 100000 out$" "$LWNET_ERR"

lwit_stop_lwnet
lwit_expect_equal "echo.connections" 1 "$(lwit_counter echo.connections)"
lwit_expect_equal "echo.bytes_received" 100000 "$(lwit_counter echo.bytes_received)"
lwit_expect_equal "echo.bytes_sent" 100000 "$(lwit_counter echo.bytes_sent)"
lwit_expect_equal "echo.failed" 0 "$(lwit_counter echo.failed)"
lwit_expect_equal "echo.open" 0 "$(lwit_counter echo.open)"
lwit_expect_equal "tcp_table.connections_accepted" 1 "$(lwit_counter tcp_table.connections_accepted)"

capture=${LWIT_CAPTURES[0]}
lwit_expect_equal "RSTs in the capture" 0 "$(lwit_count_frames "$capture" "tcp.flags.reset == 1")"
lwit_expect_equal "FINs lwnet sent" 1 "$(lwit_count_frames "$capture" "eth.src == $LWIT_MAC && tcp.flags.fin == 1")"
lwit_expect "payload lwnet sent adds up to 100000 bytes (retransmissions aside)" \
  test "$(lwit_tshark -r "$capture" -Y "eth.src == $LWIT_MAC && tcp.len > 0" -T fields -e tcp.len 2>/dev/null |
    awk '{ s += $1 } END { print s + 0 }')" -ge 100000
lwit_check_capture
lwit_pass
