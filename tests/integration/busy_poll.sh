#!/usr/bin/env bash
# `lwnet --busy-poll serve --echo 7`: it never sleeps (it uses the CPU while
# nothing comes, where a sleeping lwnet uses none), and it still answers as
# without the option: three pings, three replies; 20 KB echoed byte-exact.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lwit_init busy_poll "$@"
lwit_require ping nc cmp head

lwit_make_namespace
lwit_start_lwnet --busy-poll serve --echo 7

# CPU time (utime + stime, in clock ticks) over one idle second: a loop that
# sleeps between frames takes next to none; one that looks again at once takes
# the better part of a core (at least a fifth of one, with the other tests of
# a parallel run on the same CPUs).
read -r ticks hz < <(lwit_idle_second_ticks)
lwit_log "idle second: $ticks of $hz ticks"
lwit_expect "lwnet --busy-poll kept a CPU busy while idle ($ticks ticks of $hz)" \
  test "$ticks" -ge $((hz / 5))

out=$(lwit_ns ping -c 3 -i 0.2 -W 2 "$LWIT_LWNET_IP") || lwit_fail "ping failed: $out"
lwit_expect "3 transmitted, 3 received" grep -q "^3 packets transmitted, 3 received, 0% packet loss" <<<"$out"

head -c 20000 /dev/urandom >"$LWIT_DIR/sent"
lwit_ns timeout 30 nc -N "$LWIT_LWNET_IP" 7 <"$LWIT_DIR/sent" >"$LWIT_DIR/received" ||
  lwit_fail "nc to the echo service failed"
lwit_expect "the echo is byte-exact" cmp "$LWIT_DIR/sent" "$LWIT_DIR/received"

lwit_stop_lwnet
lwit_expect_equal "icmp.tx_echo_reply" 3 "$(lwit_counter icmp.tx_echo_reply)"
lwit_expect_equal "echo.bytes_sent" 20000 "$(lwit_counter echo.bytes_sent)"
lwit_check_capture
lwit_pass
