#!/usr/bin/env bash
# The bench's ceiling program (tests/bench/tap_tcp_ceiling.c), briefly, so that
# it cannot rot between bench runs. It runs on the TAP lw0 of the test's
# namespace as 192.0.2.2 (Linux is 192.0.2.1), sink 5001, source 5002, echo
# 5003:
#   - wrong arguments: usage, exit 2
#   - its ready line names the TAP, the address and the ports
#   - sink: 1000000 random bytes from nc; nc gets nothing back and ends (our
#     FIN); the connection's line reports exactly that count
#   - source: Linux reads 3000000 bytes, the 1460-byte pattern repeated
#     (segments in order, none misplaced by a go-back-N); a line for the
#     connection once the reader has gone
#   - echo: 20 connections in a row (as the bench's connect-request-response)
#     each get their byte back and end; then 100000 random bytes come back
#     exactly, and a 3000-byte ping payload's frames are not answered (it
#     takes whole datagrams only) while 56-byte pings are, 5 of 5
#   - it answers ARP (Linux learns its MAC)
#   - SIGTERM: exit 0, counters with sink_bytes=1000000, the echoed bytes and
#     connections, the ping replies, and no bad checksums; nothing on stderr
# Its argument is the directory of tests/bench's programs.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init bench_ceiling "$@"
lwit_require nc head cmp wc ping python3
CEILING=$LWNET/tap_tcp_ceiling
[ -x "$CEILING" ] || lwit_fail "$CEILING is missing"

for arguments in "" "lw0" "lw0 192.0.2.2" "lw0 nonsense sink 5001" "lw0 192.0.2.2 sink 0" \
                 "lw0 192.0.2.2 sink 5001 source 5001" "lw0 192.0.2.2 sink 5001 echo 5001" \
                 "lw0 192.0.2.2 source 5002 echo 5002" "lw0 192.0.2.2 drain 5001" "lw0 192.0.2.2 sink"; do
  status=0
  # shellcheck disable=SC2086 # the arguments are split on purpose
  "$CEILING" $arguments >/dev/null 2>"$LWIT_DIR/usage.err" || status=$?
  lwit_expect_equal "tap_tcp_ceiling with arguments '$arguments' exits" 2 "$status"
  lwit_expect "it prints its usage" grep -q "^usage: tap_tcp_ceiling TAP IPV4" "$LWIT_DIR/usage.err"
done

lwit_make_namespace
OUT=$LWIT_DIR/ceiling.out
ERR=$LWIT_DIR/ceiling.err
lwit_spawn "$CEILING" "$LWIT_TAP" "$LWIT_LWNET_IP" sink 5001 source 5002 echo 5003 >"$OUT" 2>"$ERR"
pid=$LWIT_SPAWNED
ready() {
  grep -q "^ready on " "$OUT" && return 0
  kill -0 "$pid" 2>/dev/null || lwit_fail "tap_tcp_ceiling exited before its ready line: $(cat "$ERR")"
  return 1
}
lwit_wait_until "tap_tcp_ceiling's ready line" 10 ready
lwit_expect_equal "ready line" "ready on $LWIT_TAP $LWIT_LWNET_IP sink 5001 source 5002 echo 5003" "$(head -n 1 "$OUT")"

# sink
head -c 1000000 /dev/urandom >"$LWIT_DIR/random"
lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 5001 <"$LWIT_DIR/random" >"$LWIT_DIR/sink.out" ||
  lwit_fail "nc to the sink failed or did not end"
lwit_expect_equal "the sink sent nothing back" 0 "$(wc -c <"$LWIT_DIR/sink.out")"
lwit_wait_until "the sink's connection line" 10 lwit_lines_at_least "$OUT" "^sink " 1
lwit_expect "the sink counted exactly 1000000 bytes" \
  grep -qE "^sink $LWIT_LINUX_IP:[0-9]+ bytes=1000000 secs=[0-9.]+ mbit=[0-9.]+$" "$OUT"

# source: the stream is the 1460-byte pattern over and over
python3 -c 'import sys; b = bytes(97 + i % 26 for i in range(1460)); sys.stdout.buffer.write((b * 2100)[:3000000])' \
  >"$LWIT_DIR/expected"
lwit_ns timeout 30 bash -c "exec 3<>/dev/tcp/$LWIT_LWNET_IP/5002 && head -c 3000000 <&3" >"$LWIT_DIR/source.out" ||
  lwit_fail "reading 3000000 bytes from the source failed"
lwit_expect "the source sent the pattern, in order" cmp "$LWIT_DIR/expected" "$LWIT_DIR/source.out"
lwit_wait_until "the source's connection line (after the reader closed)" 10 lwit_lines_at_least "$OUT" "^source " 1
lwit_expect "the source reports at least 3000000 bytes acknowledged" \
  awk '/^source /{ sub(/.*bytes=/, ""); sub(/ .*/, ""); if ($0 + 0 >= 3000000) found = 1 } END { exit !found }' "$OUT"

# echo: the bench's pattern (connect, 1 byte, read it, close), then a stream
echoed=0
for i in $(seq 20); do
  got=$(lwit_ns timeout 10 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5003), timeout=5)
s.sendall(b"x")
print(s.recv(10).decode(), end="")
s.close()' "$LWIT_LWNET_IP") || lwit_fail "echo connection $i failed"
  [ "$got" = x ] && echoed=$((echoed + 1))
done
lwit_expect_equal "echo connections that got their byte back" 20 "$echoed"
head -c 100000 /dev/urandom >"$LWIT_DIR/echo.in"
lwit_ns timeout 30 python3 -c '
import socket, sys
data = open(sys.argv[2], "rb").read()
s = socket.create_connection((sys.argv[1], 5003), timeout=10)
got = bytearray()
for i in range(0, len(data), 1000):  # a chunk at a time: the echo keeps one segment for resending
    s.sendall(data[i:i + 1000])
    while len(got) < min(i + 1000, len(data)):
        got += s.recv(65536)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
sys.stdout.buffer.write(got)' "$LWIT_LWNET_IP" "$LWIT_DIR/echo.in" >"$LWIT_DIR/echo.out" || lwit_fail "the echo stream failed"
lwit_expect "the echo sent 100000 bytes back exactly" cmp "$LWIT_DIR/echo.in" "$LWIT_DIR/echo.out"

# ARP and ping (whole datagrams only)
lwit_expect "Linux learned its MAC by ARP" bash -c \
  "ip netns exec '$LWIT_NS' ip neigh show $LWIT_LWNET_IP dev $LWIT_TAP | grep -q 'lladdr 02:00:5e:ce:11:02'"
lwit_expect "it answers 5 pings of 5" bash -c \
  "ip netns exec '$LWIT_NS' ping -c 5 -i 0.2 -W 1 $LWIT_LWNET_IP | grep -q ' 5 received'"
lwit_expect "it does not answer a fragmented ping" bash -c "! ip netns exec '$LWIT_NS' ping -c 1 -W 1 -s 3000 $LWIT_LWNET_IP >/dev/null"

# SIGTERM
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
lwit_expect_status "tap_tcp_ceiling after SIGTERM" 0 "$status"
last=$(tail -n 1 "$OUT")
lwit_expect "its counters: sink_bytes=1000000, 100020 bytes echoed on 21 connections, 5 ping replies, no bad checksum" bash -c \
  "grep -q '^tap_tcp_ceiling: sink_bytes=1000000 sink_connections=1 ' <<<'$last' &&
   grep -q ' source_connections=1 ' <<<'$last' && grep -q ' bad_checksum=0 ' <<<'$last' &&
   grep -q ' echo_bytes=100020 echo_connections=21 ' <<<'$last' && grep -q ' ping_replies=5\$' <<<'$last'"
lwit_expect_equal "its stderr" "" "$(cat "$ERR")"
lwit_pass
