#!/usr/bin/env bash
# The bench's programs on lwnet's sockets (tests/bench/), briefly, so that
# they cannot rot between bench runs. socket_bench_server on the TAP lw0 of
# the test's namespace as 192.0.2.2/24 (Linux is 192.0.2.1), ports 5001-5003:
#   - its ready line names the address, the ports and the buffer sizes
#   - discard: 1000000 random bytes from nc; it reports exactly that count
#   - source: Linux reads 500000 bytes, all zeros; it reports at least that
#     many sent once the reader has gone
#   - CRR: three connections each get their request back (1 byte, 64 bytes,
#     1 byte), and it closes each after the client's end of file
#   - SIGTERM: "exit VmHWM_kB=N", status 0
#   - started again with BUFFER_BYTES 4096 (under every build's caps): its
#     ready line shows 4096 for both buffers, and discard still counts
#     1000000 bytes exactly
#   - wrong arguments: usage, exit 2
# socket_call_cost 2000: exit 0, one line with 2000 round trips and all its
# figures. Its argument is the directory of both programs.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init bench_sockets "$@"
lwit_require nc head cmp wc
PROGRAMS=$LWNET
for program in socket_bench_server socket_call_cost; do
  [ -x "$PROGRAMS/$program" ] || lwit_fail "$PROGRAMS/$program is missing"
done

for arguments in "" "lw0" "lw0 $LWIT_LWNET_IP/$LWIT_PREFIX 0" "lw0 $LWIT_LWNET_IP/$LWIT_PREFIX 5001 0"; do
  status=0
  # shellcheck disable=SC2086 # the arguments are split on purpose
  "$PROGRAMS/socket_bench_server" $arguments >/dev/null 2>"$LWIT_DIR/usage.err" || status=$?
  lwit_expect_equal "socket_bench_server with arguments '$arguments' exits" 2 "$status"
  lwit_expect "it prints its usage" grep -q "^usage: .*socket_bench_server TAP CIDR" "$LWIT_DIR/usage.err"
done

lwit_make_namespace

# start_server ARGS...: socket_bench_server on lw0 in the background, waits
# for its ready line.
start_server() {
  LWNET_OUT="$LWIT_DIR/server$#.out"
  LWNET_ERR="$LWIT_DIR/server$#.err"
  lwit_spawn "$PROGRAMS/socket_bench_server" "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$@" \
    >"$LWNET_OUT" 2>"$LWNET_ERR"
  server_pid=$LWIT_SPAWNED
  lwit_wait_until "socket_bench_server's ready line" 10 server_ready
}
server_ready() {
  grep -q "^listening on " "$LWNET_OUT" && return 0
  kill -0 "$server_pid" 2>/dev/null || lwit_fail "socket_bench_server exited before its ready line"
  return 1
}
# stop_server: SIGTERM, exit 0 with its peak RSS as the last line, nothing on stderr.
stop_server() {
  kill -TERM "$server_pid"
  status=0
  wait "$server_pid" || status=$?
  lwit_expect_status "socket_bench_server after SIGTERM" 0 "$status"
  lwit_expect_equal "socket_bench_server's last line" "exit VmHWM_kB=" \
    "$(tail -n 1 "$LWNET_OUT" | sed 's/[0-9]*$//')"
  lwit_expect_equal "socket_bench_server's stderr" "" "$(cat "$LWNET_ERR")"
}
# discard_million: 1000000 random bytes to the discard service, counted exactly.
discard_million() {
  lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 5001 <"$LWIT_DIR/random" >"$LWIT_DIR/discard.out" ||
    lwit_fail "nc to the discard service failed"
  lwit_expect_equal "discard sent nothing back" 0 "$(wc -c <"$LWIT_DIR/discard.out")"
  lwit_wait_until "the discard report" 10 lwit_lines_at_least "$LWNET_OUT" "^discard " 1
  lwit_expect "discard counted exactly 1000000 bytes" \
    grep -qE "^discard bytes=1000000 secs=[0-9.]+ mbit=[0-9.]+$" "$LWNET_OUT"
}

# ---- socket_bench_server ------------------------------------------------------
start_server 5001
lwit_expect "ready line names 192.0.2.2:5001-5003 and positive buffer sizes" \
  grep -qE "^listening on $LWIT_LWNET_IP:5001-5003 SO_RCVBUF=[1-9][0-9]* SO_SNDBUF=[1-9][0-9]*$" "$LWNET_OUT"

# discard
head -c 1000000 /dev/urandom >"$LWIT_DIR/random"
discard_million

# source: head ends the pipe after 500000 bytes, nc then exits and closes.
lwit_ns timeout 30 bash -c "nc $LWIT_LWNET_IP 5002 </dev/null | head -c 500000" >"$LWIT_DIR/source.out" || true
lwit_expect_equal "source: bytes read" 500000 "$(wc -c <"$LWIT_DIR/source.out")"
lwit_expect "source sent zeros" cmp "$LWIT_DIR/source.out" <(head -c 500000 /dev/zero)
lwit_wait_until "the source report (its send fails once the reader is gone)" 20 \
  lwit_lines_at_least "$LWNET_OUT" "^source " 1
source_bytes=$(sed -n 's/^source bytes=\([0-9]*\) .*/\1/p' "$LWNET_OUT")
lwit_expect "source reports at least the 500000 bytes read ($source_bytes)" [ "${source_bytes:-0}" -ge 500000 ]

# CRR
crr() {  # request-file: one connection, the echo into crr.out
  lwit_ns timeout 10 nc -N "$LWIT_LWNET_IP" 5003 <"$1" >"$LWIT_DIR/crr.out" || lwit_fail "nc to the CRR service failed"
}
printf 'x' >"$LWIT_DIR/one"
head -c 64 /dev/urandom >"$LWIT_DIR/sixty_four"
crr "$LWIT_DIR/one"
lwit_expect "CRR echoed 1 byte" cmp "$LWIT_DIR/one" "$LWIT_DIR/crr.out"
crr "$LWIT_DIR/sixty_four"
lwit_expect "CRR echoed 64 random bytes" cmp "$LWIT_DIR/sixty_four" "$LWIT_DIR/crr.out"
crr "$LWIT_DIR/one"
lwit_expect "CRR echoed 1 byte on a third connection" cmp "$LWIT_DIR/one" "$LWIT_DIR/crr.out"

stop_server

# ---- the same with smaller buffers (the bench asks for lwIP's 65535) -------------
start_server 5001 4096
lwit_expect "ready line shows 4096-byte buffers" \
  grep -qx "listening on $LWIT_LWNET_IP:5001-5003 SO_RCVBUF=4096 SO_SNDBUF=4096" "$LWNET_OUT"
discard_million
stop_server

# ---- socket_call_cost -----------------------------------------------------------
LWNET_OUT="$LWIT_DIR/call_cost.out"
LWNET_ERR="$LWIT_DIR/call_cost.err"
status=0
timeout 60 "$PROGRAMS/socket_call_cost" 2000 >"$LWNET_OUT" 2>"$LWNET_ERR" || status=$?
lwit_expect_status "socket_call_cost exit status" 0 "$status"
lwit_expect "socket_call_cost's line" grep -qE \
  "^call_cost stack=lwnet round_trips=2000 rtt_us=[0-9.]+ send_us=[0-9.]+ recv_us=[0-9.]+ server_send_us=[0-9.]+ round_trips_per_s=[1-9][0-9]* empty_recv_us=[0-9]+\.[0-9]{3}$" \
  "$LWNET_OUT"
lwit_pass
