#!/usr/bin/env bash
# The C socket examples (examples/*.c) against Linux peers, each on the TAP
# lw0 of the test's namespace as 192.0.2.2/24 (Linux is 192.0.2.1):
#   - wrong arguments: usage, exit 2; a refused connect: exit 1 naming connect()
#   - tcp_server COUNT 2 echoes 100 KB of random bytes, then a line, to nc, exits 0
#   - tcp_client gets its message back from a socat echo server, exits 0
#   - udp_server COUNT 2 echoes two datagrams (text, 1000 random bytes) to
#     nc, printing each sender, exits 0
#   - udp_client gets its datagram back from a socat UDP echo server, exits 0
#   - select_server serves two nc clients connected at the same time and ends
#     on a line "quit" on its stdin (which it watches in the same select())
#   - IPv6 (the examples' -6 mode; lwnet 2001:db8::2/64, Linux 2001:db8::1):
#     tcp_server and udp_server on an AF_INET6 socket bound to :: serve `nc -6`
#     and `nc -4` alike (the IPv4 peer logged as ::ffff:192.0.2.1); with
#     -6only (IPV6_V6ONLY) an IPv4 client is refused (TCP) or not delivered
#     (UDP) while IPv6 gets through; tcp_client and udp_client reach socat
#     over IPv6, and tcp_client an IPv4 socat through a mapped address
# Its argument is the directory of the example binaries.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init example_sockets "$@"
lwit_require nc socat ss ping cmp head
EXAMPLES=$LWNET
for example in tcp_server tcp_client udp_server udp_client select_server; do
  [ -x "$EXAMPLES/$example" ] || lwit_fail "$EXAMPLES/$example is missing"
done

# wait_for WHAT COMMAND...: waits up to 10 s for COMMAND to succeed.
wait_for() {
  local what=$1 waited=0
  shift
  until "$@"; do
    waited=$((waited + 1))
    [ $waited -le 100 ] || lwit_fail "timed out waiting for $what"
    sleep 0.1
  done
}

# start_example NAME ARGS...: runs an example in the namespace in the
# background, output into $LWIT_DIR/NAME.out/.err (shown by the cleanup when
# the test fails), and waits for its ready line.
start_example() {
  local name=$1
  shift
  LWNET_OUT="$LWIT_DIR/$name.out"
  LWNET_ERR="$LWIT_DIR/$name.err"
  lwit_spawn "$EXAMPLES/$name" ${EXAMPLE_FLAGS[@]+"${EXAMPLE_FLAGS[@]}"} "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$@" \
    >"$LWNET_OUT" 2>"$LWNET_ERR"
  EXAMPLE_PID=$LWIT_SPAWNED
  local waited=0
  until grep -q "^listening on $LWIT_LWNET_IP:" "$LWNET_OUT"; do
    kill -0 "$EXAMPLE_PID" 2>/dev/null || lwit_fail "$name exited before its ready line"
    waited=$((waited + 1))
    [ $waited -le 100 ] || lwit_fail "$name printed no ready line within 10 s"
    sleep 0.1
  done
  lwit_log "$name $* running (pid $EXAMPLE_PID)"
}

# wait_example NAME: waits for the example started last; it must exit 0.
wait_example() {
  local status=0
  wait "$EXAMPLE_PID" || status=$?
  lwit_expect_equal "$1 exit status" 0 "$status"
}

# run_example NAME ARGS...: runs an example in the foreground (at most 30 s),
# exit status into EXAMPLE_STATUS.
run_example() {
  local name=$1
  shift
  LWNET_OUT="$LWIT_DIR/$name.out"
  LWNET_ERR="$LWIT_DIR/$name.err"
  EXAMPLE_STATUS=0
  lwit_ns timeout 30 "$EXAMPLES/$name" ${EXAMPLE_FLAGS[@]+"${EXAMPLE_FLAGS[@]}"} "$LWIT_TAP" "$LWIT_LWNET_IP/$LWIT_PREFIX" "$@" \
    >"$LWNET_OUT" 2>"$LWNET_ERR" || EXAMPLE_STATUS=$?
}

linux_listens() { [ -n "$(lwit_ns ss -H "$1" "( sport = :$2 )" 2>/dev/null)" ]; }

# Flags before TAP (the -6 mode); none for the IPv4 runs.
EXAMPLE_FLAGS=()
LINUX_IP6=2001:db8::1
LWNET_IP6=2001:db8::2

lwit_make_namespace
# Linux's own DAD would hold its address back for a second: not under test here.
lwit_ns sysctl -qw "net.ipv6.conf.$LWIT_TAP.accept_dad=0"
ip -n "$LWIT_NS" addr add "$LINUX_IP6/64" dev "$LWIT_TAP" nodad

# ---- wrong arguments ------------------------------------------------------------
for example in tcp_server tcp_client udp_server udp_client select_server; do
  status=0
  "$EXAMPLES/$example" >/dev/null 2>"$LWIT_DIR/usage.err" || status=$?
  lwit_expect_equal "$example without arguments exits" 2 "$status"
  lwit_expect "$example prints its usage" grep -q "^usage: .*$example .*TAP CIDR" "$LWIT_DIR/usage.err"
done

# ---- tcp_server ---------------------------------------------------------------------
head -c 100000 /dev/urandom >"$LWIT_DIR/sent"
start_example tcp_server 3333 2
lwit_expect "192.0.2.2 answers ping" lwit_ns ping -c 1 -W 5 "$LWIT_LWNET_IP" >/dev/null
lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 3333 <"$LWIT_DIR/sent" >"$LWIT_DIR/received" ||
  lwit_fail "nc to tcp_server failed"
lwit_expect "tcp_server echoed 100 KB byte-exact" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"
echo "second connection" | lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 3333 >"$LWIT_DIR/received" ||
  lwit_fail "second nc to tcp_server failed"
lwit_expect_equal "tcp_server echoed the second connection" "second connection" "$(cat "$LWIT_DIR/received")"
wait_example tcp_server
lwit_expect_equal "tcp_server logged two connections" 2 \
  "$(grep -c "^connection from $LWIT_LINUX_IP:[0-9]* closed$" "$LWNET_OUT")"

# ---- tcp_client -----------------------------------------------------------------------
lwit_spawn socat TCP-LISTEN:3334,bind="$LWIT_LINUX_IP",reuseaddr PIPE
socat_pid=$LWIT_SPAWNED
wait_for "socat to listen on TCP 3334" linux_listens -tln 3334
run_example tcp_client "$LWIT_LINUX_IP" 3334 "hello from lwnet"
lwit_expect_equal "tcp_client exit status" 0 "$EXAMPLE_STATUS"
lwit_expect_equal "tcp_client output" "connected to $LWIT_LINUX_IP:3334
received 16 bytes: hello from lwnet" "$(cat "$LWNET_OUT")"
status=0
wait "$socat_pid" || status=$?
lwit_expect_equal "socat (TCP echo) exit status" 0 "$status"
# Nothing listens on 3334 now: connect() is refused. tcp_client then returns
# from main with its socket open and without lwnet_shutdown(): stderr must
# hold its message and nothing else (no sanitizer report from the exit).
run_example tcp_client "$LWIT_LINUX_IP" 3334 "hello"
lwit_expect_equal "tcp_client to a closed port exits" 1 "$EXAMPLE_STATUS"
lwit_expect_equal "tcp_client names the failing call" "tcp_client: connect: Connection refused" \
  "$(cat "$LWNET_ERR")"

# ---- udp_server -----------------------------------------------------------------------
head -c 1000 /dev/urandom >"$LWIT_DIR/datagram"
start_example udp_server 3335 2
# nc -W 1: ends when the echo (one datagram) arrives.
printf 'first datagram' | lwit_ns timeout 10 nc -u -W 1 -p 40001 "$LWIT_LWNET_IP" 3335 \
  >"$LWIT_DIR/received" || lwit_fail "nc to udp_server failed"
lwit_expect_equal "udp_server echoed the first datagram" "first datagram" "$(cat "$LWIT_DIR/received")"
lwit_ns timeout 10 nc -u -W 1 -p 40002 "$LWIT_LWNET_IP" 3335 <"$LWIT_DIR/datagram" >"$LWIT_DIR/received" ||
  lwit_fail "second nc to udp_server failed"
lwit_expect "udp_server echoed 1000 random bytes byte-exact" cmp "$LWIT_DIR/datagram" "$LWIT_DIR/received"
wait_example udp_server
lwit_expect_equal "udp_server output" "listening on $LWIT_LWNET_IP:3335
14 bytes from $LWIT_LINUX_IP:40001
1000 bytes from $LWIT_LINUX_IP:40002" "$(cat "$LWNET_OUT")"

# ---- udp_client -----------------------------------------------------------------------
lwit_spawn socat UDP-LISTEN:3336,bind="$LWIT_LINUX_IP" PIPE
socat_pid=$LWIT_SPAWNED
wait_for "socat to listen on UDP 3336" linux_listens -uln 3336
run_example udp_client "$LWIT_LINUX_IP" 3336 "hello over udp"
lwit_expect_equal "udp_client exit status" 0 "$EXAMPLE_STATUS"
lwit_expect_equal "udp_client output" "sending to $LWIT_LINUX_IP:3336
received 14 bytes from $LWIT_LINUX_IP:3336: hello over udp" "$(cat "$LWNET_OUT")"
kill "$socat_pid"
wait "$socat_pid" 2>/dev/null || true

# ---- select_server --------------------------------------------------------------------
# Its stdin and client A's are FIFOs the test holds open read-write (opening
# them never blocks, and they reach end of file only when the test says so).
mkfifo "$LWIT_DIR/server_stdin" "$LWIT_DIR/client_a_stdin"
exec 3<>"$LWIT_DIR/server_stdin"
start_example select_server 3337 <&3
server_pid=$EXAMPLE_PID
server_out=$LWNET_OUT
# Only the test may hold A's FIFO open for writing, or A never sees its end.
exec 4<>"$LWIT_DIR/client_a_stdin"
lwit_spawn nc -N "$LWIT_LWNET_IP" 3337 <"$LWIT_DIR/client_a_stdin" >"$LWIT_DIR/client_a.out" 4>&-
client_a_pid=$LWIT_SPAWNED
echo "A one" >&4
wait_for "client A's first echo" grep -qx "A one" "$LWIT_DIR/client_a.out"
# Client B connects, is served and leaves while A is still connected.
echo "B only" | lwit_ns timeout 10 nc -N "$LWIT_LWNET_IP" 3337 >"$LWIT_DIR/client_b.out" ||
  lwit_fail "client B's nc failed"
lwit_expect_equal "select_server echoed client B" "B only" "$(cat "$LWIT_DIR/client_b.out")"
echo "A two" >&4
wait_for "client A's second echo" grep -qx "A two" "$LWIT_DIR/client_a.out"
exec 4>&-  # end of A's input: nc shuts down its side, the server closes A
status=0
wait "$client_a_pid" || status=$?
lwit_expect_equal "client A's nc exit status" 0 "$status"
lwit_expect_equal "select_server echoed client A" "A one
A two" "$(cat "$LWIT_DIR/client_a.out")"
lwit_expect "select_server had clients 0 and 1 at once" \
  grep -q "^client 1: $LWIT_LINUX_IP:[0-9]*$" "$server_out"
lwit_expect "select_server is still running" kill -0 "$server_pid"
echo "not quit" >&3
echo "quit" >&3
EXAMPLE_PID=$server_pid
wait_example select_server
lwit_expect_equal "select_server's last line" "quit" "$(tail -n 1 "$server_out")"
exec 3>&-

# ---- IPv6: tcp_server -6 (dual stack) -----------------------------------------------
EXAMPLE_FLAGS=(-6 "$LWNET_IP6/64")
start_example tcp_server 3340 2
echo "over ipv6" | lwit_ns timeout 30 nc -6 -N "$LWNET_IP6" 3340 >"$LWIT_DIR/received" ||
  lwit_fail "nc -6 to tcp_server -6 failed"
lwit_expect_equal "tcp_server -6 echoed an IPv6 client" "over ipv6" "$(cat "$LWIT_DIR/received")"
echo "over ipv4" | lwit_ns timeout 30 nc -4 -N "$LWIT_LWNET_IP" 3340 >"$LWIT_DIR/received" ||
  lwit_fail "nc -4 to tcp_server -6 failed"
lwit_expect_equal "tcp_server -6 echoed an IPv4 client" "over ipv4" "$(cat "$LWIT_DIR/received")"
wait_example tcp_server
lwit_expect "tcp_server -6 logged the IPv6 client" grep -q "^connection from $LINUX_IP6:[0-9]* closed$" "$LWNET_OUT"
lwit_expect "tcp_server -6 logged the IPv4 client mapped" \
  grep -q "^connection from ::ffff:$LWIT_LINUX_IP:[0-9]* closed$" "$LWNET_OUT"

# ---- IPv6: tcp_server -6only refuses IPv4 ----------------------------------------------
EXAMPLE_FLAGS=(-6only "$LWNET_IP6/64")
start_example tcp_server 3341 1
status=0
echo "refused" | lwit_ns timeout 10 nc -v -4 -N "$LWIT_LWNET_IP" 3341 >"$LWIT_DIR/nc4.out" 2>"$LWIT_DIR/nc4.err" || status=$?
lwit_expect "nc -4 to an IPV6_V6ONLY listener fails" test "$status" -ne 0
lwit_expect "nc -4 was refused" grep -qi "refused" "$LWIT_DIR/nc4.err"
echo "still six" | lwit_ns timeout 30 nc -6 -N "$LWNET_IP6" 3341 >"$LWIT_DIR/received" ||
  lwit_fail "nc -6 to tcp_server -6only failed"
lwit_expect_equal "tcp_server -6only echoed the IPv6 client" "still six" "$(cat "$LWIT_DIR/received")"
wait_example tcp_server
lwit_expect_equal "tcp_server -6only served only the IPv6 client" 1 "$(grep -c "^connection from .* closed$" "$LWNET_OUT")"

# ---- IPv6: udp_server -6 (dual stack), then -6only --------------------------------------
EXAMPLE_FLAGS=(-6 "$LWNET_IP6/64")
start_example udp_server 3342 2
printf 'six' | lwit_ns timeout 10 nc -6 -u -W 1 -p 40003 "$LWNET_IP6" 3342 >"$LWIT_DIR/received" ||
  lwit_fail "nc -6 -u to udp_server -6 failed"
lwit_expect_equal "udp_server -6 echoed the IPv6 datagram" "six" "$(cat "$LWIT_DIR/received")"
printf 'four' | lwit_ns timeout 10 nc -4 -u -W 1 -p 40004 "$LWIT_LWNET_IP" 3342 >"$LWIT_DIR/received" ||
  lwit_fail "nc -4 -u to udp_server -6 failed"
lwit_expect_equal "udp_server -6 echoed the IPv4 datagram" "four" "$(cat "$LWIT_DIR/received")"
wait_example udp_server
lwit_expect_equal "udp_server -6 output" "listening on $LWIT_LWNET_IP:3342
3 bytes from $LINUX_IP6:40003
4 bytes from ::ffff:$LWIT_LINUX_IP:40004" "$(cat "$LWNET_OUT")"

EXAMPLE_FLAGS=(-6only "$LWNET_IP6/64")
start_example udp_server 3343 1
# The IPv4 datagram goes first and must not be delivered (nc gets no echo).
printf 'lost' | lwit_ns timeout 10 nc -4 -u -w 1 -W 1 -p 40005 "$LWIT_LWNET_IP" 3343 >"$LWIT_DIR/received" 2>/dev/null || true
lwit_expect_equal "udp_server -6only did not echo the IPv4 datagram" "" "$(cat "$LWIT_DIR/received")"
printf 'kept' | lwit_ns timeout 10 nc -6 -u -W 1 -p 40006 "$LWNET_IP6" 3343 >"$LWIT_DIR/received" ||
  lwit_fail "nc -6 -u to udp_server -6only failed"
lwit_expect_equal "udp_server -6only echoed the IPv6 datagram" "kept" "$(cat "$LWIT_DIR/received")"
wait_example udp_server
lwit_expect_equal "udp_server -6only output" "listening on $LWIT_LWNET_IP:3343
4 bytes from $LINUX_IP6:40006" "$(cat "$LWNET_OUT")"

# ---- IPv6: tcp_client -6 and udp_client -6 --------------------------------------------------
EXAMPLE_FLAGS=(-6 "$LWNET_IP6/64")
lwit_spawn socat "TCP6-LISTEN:3344,bind=[$LINUX_IP6],reuseaddr" PIPE
socat_pid=$LWIT_SPAWNED
wait_for "socat to listen on TCP6 3344" linux_listens -tln 3344
run_example tcp_client "$LINUX_IP6" 3344 "hello over ipv6"
lwit_expect_equal "tcp_client -6 exit status" 0 "$EXAMPLE_STATUS"
lwit_expect_equal "tcp_client -6 output" "connected to $LINUX_IP6:3344
received 15 bytes: hello over ipv6" "$(cat "$LWNET_OUT")"
wait "$socat_pid" || true
# The same AF_INET6 socket reaches an IPv4 server through a mapped address.
lwit_spawn socat TCP4-LISTEN:3345,bind="$LWIT_LINUX_IP",reuseaddr PIPE
socat_pid=$LWIT_SPAWNED
wait_for "socat to listen on TCP 3345" linux_listens -tln 3345
run_example tcp_client "::ffff:$LWIT_LINUX_IP" 3345 "mapped"
lwit_expect_equal "tcp_client -6 to a mapped address exit status" 0 "$EXAMPLE_STATUS"
lwit_expect_equal "tcp_client -6 to a mapped address output" "connected to ::ffff:$LWIT_LINUX_IP:3345
received 6 bytes: mapped" "$(cat "$LWNET_OUT")"
wait "$socat_pid" || true
lwit_spawn socat "UDP6-LISTEN:3346,bind=[$LINUX_IP6]" PIPE
socat_pid=$LWIT_SPAWNED
wait_for "socat to listen on UDP6 3346" linux_listens -uln 3346
run_example udp_client "$LINUX_IP6" 3346 "udp over ipv6"
lwit_expect_equal "udp_client -6 exit status" 0 "$EXAMPLE_STATUS"
lwit_expect_equal "udp_client -6 output" "sending to $LINUX_IP6:3346
received 13 bytes from $LINUX_IP6:3346: udp over ipv6" "$(cat "$LWNET_OUT")"
kill "$socat_pid"
wait "$socat_pid" 2>/dev/null || true
lwit_pass
