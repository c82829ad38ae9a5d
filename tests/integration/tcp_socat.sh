#!/usr/bin/env bash
# Bulk TCP both ways with socat and nc as the Linux peers:
#  - Linux sends 2 MB to `lwnet serve --discard 9`; the counters show every byte.
#  - `lwnet connect` carries a 1 MB file to a Linux `nc -l` and its 1 MB file
#    back at the same time, then the same against a socat listener; both
#    sides compare what they got with cmp.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init tcp_socat "$@"
lwit_require socat nc cmp head

lwit_make_namespace
head -c 2097152 /dev/urandom >"$LWIT_DIR/two_mb"

lwit_start_lwnet serve --discard 9
lwit_ns timeout 60 socat -u "OPEN:$LWIT_DIR/two_mb" "TCP:$LWIT_LWNET_IP:9" ||
  lwit_fail "socat could not send 2 MB to the discard service"
# socat is done once its data is in its socket: lwnet has read it all when
# it closed its side too, which puts Linux's end in TIME-WAIT.
lwit_wait_time_wait 9
lwit_stop_lwnet
lwit_expect_equal "discard.bytes_received" 2097152 "$(lwit_counter discard.bytes_received)"
lwit_expect_equal "discard.connections" 1 "$(lwit_counter discard.connections)"
lwit_expect_equal "discard.open" 0 "$(lwit_counter discard.open)"
lwit_expect_equal "discard.failed" 0 "$(lwit_counter discard.failed)"

head -c 1000000 /dev/urandom >"$LWIT_DIR/from_linux"
head -c 1000000 /dev/urandom >"$LWIT_DIR/from_lwnet"

# nc -l: sends its file, shuts down its side after it (-N), reads until our FIN.
lwit_spawn timeout 60 nc -N -l "$LWIT_LINUX_IP" 5000 <"$LWIT_DIR/from_linux" >"$LWIT_DIR/nc_got"
nc_pid=$LWIT_SPAWNED
lwit_wait_listening 5000
# (lwnet's stdout, LWNET_OUT, is what it received)
lwit_run_lwnet connect "$LWIT_LINUX_IP" 5000 <"$LWIT_DIR/from_lwnet"
lwit_expect_status "lwnet connect (to nc) exit status" 0 "$LWNET_STATUS"
wait "$nc_pid" || lwit_fail "nc -l failed"
lwit_expect "nc got lwnet's file intact" cmp "$LWIT_DIR/from_lwnet" "$LWIT_DIR/nc_got"
lwit_expect "lwnet got nc's file intact" cmp "$LWIT_DIR/from_linux" "$LWNET_OUT"

# socat: one connection, its stdio both ways; -t 30: after one direction ends,
# wait up to 30 s for the other.
lwit_spawn timeout 60 socat -t 30 "TCP-LISTEN:5001,bind=$LWIT_LINUX_IP,reuseaddr" STDIO \
  <"$LWIT_DIR/from_linux" >"$LWIT_DIR/socat_got"
socat_pid=$LWIT_SPAWNED
lwit_wait_listening 5001
lwit_run_lwnet connect "$LWIT_LINUX_IP" 5001 <"$LWIT_DIR/from_lwnet"
lwit_expect_status "lwnet connect (to socat) exit status" 0 "$LWNET_STATUS"
wait "$socat_pid" || lwit_fail "socat listener failed"
lwit_expect "socat got lwnet's file intact" cmp "$LWIT_DIR/from_lwnet" "$LWIT_DIR/socat_got"
lwit_expect "lwnet got socat's file intact" cmp "$LWIT_DIR/from_linux" "$LWNET_OUT"

# Refused: nothing listens on 5002.
lwit_run_lwnet connect "$LWIT_LINUX_IP" 5002 </dev/null
lwit_expect_status "connect to a closed port: exit status" 1 "$LWNET_STATUS"
lwit_expect "connect to a closed port: one line on stderr" \
  grep -qx "lwnet: connect $LWIT_LINUX_IP:5002: connection refused" "$LWNET_ERR"

lwit_check_capture
lwit_pass
